/*
 * Fixture validation messages, exactly as `campaign-mock check` prints them (file,
 * JSON path, what is wrong; every problem, not only the first), reading and merging
 * files and directories, the bundled set, and what fixtures_apply puts in the store.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "fixtures/fixtures.h"
#include "store/store.h"

CHECK_DEFINE_COUNTERS;

#define OUTCOMES "(one of success, failed-fetch, failed-upload, aborted, hang)"
#define ID_RULE  "must be 1 to 128 printable ASCII characters without spaces, '/', '?', '#' or '%'"
#define TENANT_RULE                                                                                \
    "tenant names are 1 to 128 characters of A-Z a-z 0-9 @ . _ - with a letter or digit (or "      \
    "\"*\" for the template)"

/* Validates text (parsed by cJSON) as f.json; expected is the exact problem text
 * ("" when valid), lines the number of problems. */
static void validate_line(int line, const char *text, const char *expected, int lines)
{
    cJSON *doc = cJSON_Parse(text);
    if (!doc) {
        CHECK(0, "line %d: test document is not JSON: %s", line, text);
        return;
    }
    struct problems p;
    problems_init(&p);
    int rc = fixtures_validate(doc, "f.json", &p);
    const char *got = p.text ? p.text : "";
    CHECK(strcmp(got, expected) == 0, "line %d: %s\n  expected:\n%s  actual:\n%s", line, text,
          expected, got);
    CHECK(rc == (lines ? -1 : 0), "line %d: rc %d", line, rc);
    CHECK(p.count == lines, "line %d: %d problems, expected %d", line, p.count, lines);
    CHECK(p.len == strlen(got), "line %d: len", line);
    problems_free(&p);
    cJSON_Delete(doc);
}

#define VALID(text)                    validate_line(__LINE__, text, "", 0)
#define INVALID(text, expected, lines) validate_line(__LINE__, text, expected, lines)

/* A document with one mapping in tenant acme. */
#define MAP(m) "{\"tenants\": {\"acme\": {\"mappings\": [" m "]}}}"
/* A mapping X with one script step. */
#define STEP(s) MAP("{\"id\": \"X\", \"script\": [" s "]}")
#define MP      "f.json: tenants.acme.mappings[0]"
#define SP      MP ".script[0]"

static void test_valid(void)
{
    VALID("{}");
    VALID("{\"$schema\": \"x\", \"description\": \"d\", \"settings\": {}, \"tenants\": {}, "
          "\"clients\": [], \"faults\": []}");
    VALID(MAP("{\"id\": \"X\"}"));
    VALID(MAP("{\"id\": \"XDM44\", \"label\": \"Profiles\", \"targetingDimension\": \"profile\", "
              "\"dataset\": \"5da558abd538ed18ae12261e\", \"published\": true, \"started\": false, "
              "\"changedRecords\": 15, \"script\": [{\"outcome\": \"success\", \"numRecords\": 15, "
              "\"afterPolls\": 1}, {\"outcome\": \"failed-fetch\"}, {\"outcome\": "
              "\"failed-upload\", \"batchId\": \"592743400bb44ae6bd5bc99a37c7ddc0\"}, "
              "{\"outcome\": \"aborted\", \"afterMs\": 5000}, {\"outcome\": \"hang\"}], "
              "\"defaultOutcome\": {\"outcome\": \"success\", \"afterPolls\": 1}}"));
    VALID(MAP("{\"id\": \"X\", \"dataset\": \"\"}"));
    VALID(MAP("{\"id\": \"a!\\\"$&'()*+,-.:;<=>@[\\\\]^_`{|}~\"}"));
    VALID("{\"tenants\": {\"*\": {\"mappings\": [{\"id\": \"XDM1\"}]}, \"Org-1@AdobeOrg\": {}, "
          "\"a.b_c\": {\"mappings\": []}}}");
    VALID("{\"settings\": {\"requestIdStart\": 9007199254740992}}");
    VALID("{\"settings\": {\"requestIdStart\": 1}}");
    VALID(STEP("{\"outcome\": \"success\", \"numRecords\": 0, \"afterMs\": 0, \"afterPolls\": 0}"));
    VALID(STEP("{\"outcome\": \"success\", \"numRecords\": 9007199254740992}"));
    VALID(STEP("{\"outcome\": \"success\", \"numRecords\": 2.0}"));
}

static void test_steps(void)
{
    INVALID(STEP("{\"outcome\": \"sucess\"}"),
            SP ".outcome: unknown outcome \"sucess\" " OUTCOMES "\n", 1);
    INVALID(STEP("{}"), SP ".outcome: missing " OUTCOMES "\n", 1);
    INVALID(STEP("{\"outcome\": 1}"), SP ".outcome: must be a string\n", 1);
    INVALID(STEP("\"success\""), SP ": must be an object\n", 1);
    INVALID(STEP("{\"outcome\": \"success\", \"numRecords\": -1}"),
            SP ".numRecords: must be between 0 and 9007199254740992\n", 1);
    INVALID(STEP("{\"outcome\": \"success\", \"numRecords\": 9007199254740994}"),
            SP ".numRecords: must be between 0 and 9007199254740992\n", 1);
    INVALID(STEP("{\"outcome\": \"success\", \"numRecords\": 1.5}"),
            SP ".numRecords: must be an integer\n", 1);
    INVALID(STEP("{\"outcome\": \"success\", \"numRecords\": \"15\"}"),
            SP ".numRecords: must be an integer\n", 1);
    INVALID(STEP("{\"outcome\": \"success\", \"afterMs\": -5}"),
            SP ".afterMs: must be between 0 and 9007199254740992\n", 1);
    INVALID(STEP("{\"outcome\": \"success\", \"afterMs\": null}"),
            SP ".afterMs: must be an integer\n", 1);
    INVALID(STEP("{\"outcome\": \"success\", \"afterPolls\": 2.5}"),
            SP ".afterPolls: must be an integer\n", 1);
    INVALID(STEP("{\"outcome\": \"success\", \"afterPolls\": -1}"),
            SP ".afterPolls: must be between 0 and 9007199254740992\n", 1);
    INVALID(STEP("{\"outcome\": \"success\", \"afterPolls\": true}"),
            SP ".afterPolls: must be an integer\n", 1);
    /* numRecords belongs to success only, batchId to failed-upload only. */
    static const char *const not_success[] = {"failed-fetch", "failed-upload", "aborted", "hang"};
    for (int i = 0; i < 4; i++) {
        char doc[256], want[256];
        snprintf(doc, sizeof(doc), STEP("{\"outcome\": \"%s\", \"numRecords\": 3}"),
                 not_success[i]);
        snprintf(want, sizeof(want), SP ".numRecords: only a success ingests records\n");
        validate_line(__LINE__, doc, want, 1);
    }
    static const char *const not_upload[] = {"success", "failed-fetch", "aborted", "hang"};
    for (int i = 0; i < 4; i++) {
        char doc[256], want[256];
        snprintf(doc, sizeof(doc),
                 STEP("{\"outcome\": \"%s\", \"batchId\": \"592743400bb44ae6bd5bc99a37c7ddc0\"}"),
                 not_upload[i]);
        snprintf(want, sizeof(want), SP ".batchId: only a failed-upload has a batch id\n");
        validate_line(__LINE__, doc, want, 1);
    }
    INVALID(
        STEP("{\"outcome\": \"failed-upload\", \"batchId\": \"592743400BB44AE6BD5BC99A37C7DDC0\"}"),
        SP ".batchId: must be 32 lowercase hexadecimal characters\n", 1);
    INVALID(
        STEP("{\"outcome\": \"failed-upload\", \"batchId\": \"592743400bb44ae6bd5bc99a37c7ddc\"}"),
        SP ".batchId: must be 32 lowercase hexadecimal characters\n", 1);
    INVALID(STEP("{\"outcome\": \"failed-upload\", \"batchId\": \"\"}"),
            SP ".batchId: must be 32 lowercase hexadecimal characters\n", 1);
    INVALID(STEP("{\"outcome\": \"failed-upload\", \"batchId\": 5}"),
            SP ".batchId: must be 32 lowercase hexadecimal characters\n", 1);
    INVALID(STEP("{\"outcome\": \"success\", \"after\": 1}"), SP ".after: unknown field\n", 1);
    INVALID(STEP("{\"outcome\": \"success\", \"outcome\": \"hang\"}"),
            SP ".outcome: field given twice\n", 1);
    /* Every problem of a step, in document order of the checks. */
    INVALID(STEP("{\"outcom\": \"success\", \"numRecords\": -2, \"afterMs\": 0.5, "
                 "\"afterPolls\": \"1\"}"),
            SP ".outcom: unknown field\n" SP ".outcome: missing " OUTCOMES "\n" SP
               ".numRecords: must be between 0 and 9007199254740992\n" SP
               ".afterMs: must be an integer\n" SP ".afterPolls: must be an integer\n",
            5);
    INVALID(STEP("{\"outcome\": \"aborted\", \"numRecords\": 1, \"batchId\": "
                 "\"592743400bb44ae6bd5bc99a37c7ddc0\"}"),
            SP ".numRecords: only a success ingests records\n" SP
               ".batchId: only a failed-upload has a batch id\n",
            2);
    /* An unknown outcome is shown cut at 60 bytes. */
    INVALID(STEP("{\"outcome\": "
                 "\"aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgggggggggg\"}"),
            SP ".outcome: unknown outcome "
               "\"aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffff\" " OUTCOMES "\n",
            1);
    /* defaultOutcome is checked like a step. */
    INVALID(MAP("{\"id\": \"X\", \"defaultOutcome\": {\"outcome\": \"fail\"}}"),
            MP ".defaultOutcome.outcome: unknown outcome \"fail\" " OUTCOMES "\n", 1);
    INVALID(MAP("{\"id\": \"X\", \"defaultOutcome\": [1]}"),
            MP ".defaultOutcome: must be an object\n", 1);
    /* Several steps: each with its index. */
    INVALID(MAP("{\"id\": \"X\", \"script\": [{\"outcome\": \"success\"}, {\"outcome\": \"x\"}, "
                "{\"outcome\": \"hang\", \"afterMs\": -1}]}"),
            MP ".script[1].outcome: unknown outcome \"x\" " OUTCOMES "\n" MP
               ".script[2].afterMs: must be between 0 and 9007199254740992\n",
            2);
}

static void test_mappings(void)
{
    INVALID(MAP("{}"), MP ".id: missing\n", 1);
    INVALID(MAP("{\"id\": \"\"}"), MP ".id: " ID_RULE "\n", 1);
    INVALID(MAP("{\"id\": 44}"), MP ".id: " ID_RULE "\n", 1);
    INVALID(MAP("{\"id\": \"a/b\"}"), MP ".id: " ID_RULE "\n", 1);
    INVALID(MAP("{\"id\": \"a b\"}"), MP ".id: " ID_RULE "\n", 1);
    INVALID(MAP("{\"id\": \"a?b\"}"), MP ".id: " ID_RULE "\n", 1);
    INVALID(MAP("{\"id\": \"a#b\"}"), MP ".id: " ID_RULE "\n", 1);
    INVALID(MAP("{\"id\": \"a%b\"}"), MP ".id: " ID_RULE "\n", 1);
    INVALID(MAP("{\"id\": \"caf\xc3\xa9\"}"), MP ".id: " ID_RULE "\n", 1);
    {
        char id[200], doc[400];
        memset(id, 'x', 129);
        id[129] = '\0';
        snprintf(doc, sizeof(doc), MAP("{\"id\": \"%s\"}"), id);
        validate_line(__LINE__, doc, MP ".id: " ID_RULE "\n", 1);
        id[128] = '\0';
        snprintf(doc, sizeof(doc), MAP("{\"id\": \"%s\"}"), id);
        validate_line(__LINE__, doc, "", 0);
    }
    INVALID(MAP("{\"id\": \"X\", \"lable\": \"L\"}"), MP ".lable: unknown field\n", 1);
    INVALID(MAP("{\"id\": \"X\", \"id\": \"Y\"}"), MP ".id: field given twice\n", 1);
    INVALID(MAP("{\"id\": \"X\", \"label\": 5}"), MP ".label: must be a string\n", 1);
    INVALID(MAP("{\"id\": \"X\", \"targetingDimension\": null}"),
            MP ".targetingDimension: must be a string\n", 1);
    {
        char label[300], doc[600];
        memset(label, 'l', 257);
        label[257] = '\0';
        snprintf(doc, sizeof(doc), MAP("{\"id\": \"X\", \"label\": \"%s\"}"), label);
        validate_line(__LINE__, doc, MP ".label: longer than 256 bytes\n", 1);
        label[256] = '\0';
        snprintf(doc, sizeof(doc), MAP("{\"id\": \"X\", \"label\": \"%s\"}"), label);
        validate_line(__LINE__, doc, "", 0);
    }
#define DATASET_RULE "must be an AEP dataset id: 24 lowercase hexadecimal characters (or empty)"
    INVALID(MAP("{\"id\": \"X\", \"dataset\": \"5da558abd538ed18ae12261\"}"),
            MP ".dataset: " DATASET_RULE "\n", 1);
    INVALID(MAP("{\"id\": \"X\", \"dataset\": \"5DA558ABD538ED18AE12261E\"}"),
            MP ".dataset: " DATASET_RULE "\n", 1);
    INVALID(MAP("{\"id\": \"X\", \"dataset\": \"5da558abd538ed18ae12261g\"}"),
            MP ".dataset: " DATASET_RULE "\n", 1);
    INVALID(MAP("{\"id\": \"X\", \"dataset\": 5}"), MP ".dataset: " DATASET_RULE "\n", 1);
    INVALID(MAP("{\"id\": \"X\", \"published\": \"yes\"}"),
            MP ".published: must be true or false\n", 1);
    INVALID(MAP("{\"id\": \"X\", \"started\": 0}"), MP ".started: must be true or false\n", 1);
    INVALID(MAP("{\"id\": \"X\", \"changedRecords\": -1}"),
            MP ".changedRecords: must be between 0 and 9007199254740992\n", 1);
    INVALID(MAP("{\"id\": \"X\", \"changedRecords\": 1.25}"),
            MP ".changedRecords: must be an integer\n", 1);
    INVALID(MAP("{\"id\": \"X\", \"changedRecords\": \"3\"}"),
            MP ".changedRecords: must be an integer\n", 1);
    INVALID(MAP("{\"id\": \"X\", \"script\": {}}"), MP ".script: must be an array of steps\n", 1);
    INVALID(MAP("5"), MP ": must be an object\n", 1);
    /* Duplicate mapping ids in one file. */
    INVALID(MAP("{\"id\": \"X\"}, {\"id\": \"Y\"}, {\"id\": \"X\"}"),
            "f.json: tenants.acme.mappings[2].id: duplicate mapping id \"X\" (also "
            "tenants.acme.mappings[0])\n",
            1);
    /* Every problem of a mapping, in order. */
    INVALID(MAP("{\"id\": \"a b\", \"label\": [], \"dataset\": \"x\", \"published\": 1, "
                "\"started\": \"no\", \"changedRecords\": -3, \"script\": 1, \"extra\": true}"),
            MP ".extra: unknown field\n" MP ".id: " ID_RULE "\n" MP ".label: must be a string\n" MP
               ".dataset: " DATASET_RULE "\n" MP ".published: must be true or false\n" MP
               ".started: must be true or false\n" MP
               ".changedRecords: must be between 0 and 9007199254740992\n" MP
               ".script: must be an array of steps\n",
            8);
}

static void test_documents(void)
{
    INVALID("[]", "f.json: the document must be a JSON object\n", 1);
    INVALID("\"x\"", "f.json: the document must be a JSON object\n", 1);
    INVALID("{\"tenant\": {}}", "f.json: tenant: unknown field\n", 1);
    INVALID("{\"tenants\": {}, \"tenants\": {}}", "f.json: tenants: field given twice\n", 1);
    INVALID("{\"tenants\": []}", "f.json: tenants: must be an object of tenant name -> tenant\n",
            1);
    INVALID("{\"tenants\": {\"acme\": []}}", "f.json: tenants.acme: must be an object\n", 1);
    INVALID("{\"tenants\": {\"acme\": {\"mapping\": []}}}",
            "f.json: tenants.acme.mapping: unknown field\n", 1);
    INVALID("{\"tenants\": {\"acme\": {\"mappings\": {}}}}",
            "f.json: tenants.acme.mappings: must be an array of mappings\n", 1);
    INVALID("{\"tenants\": {\"acme\": {}, \"acme\": {}}}",
            "f.json: tenants.acme: tenant given twice\n", 1);
    /* Tenant names. */
    INVALID("{\"tenants\": {\"bad name\": {}}}", "f.json: tenants.bad name: " TENANT_RULE "\n", 1);
    INVALID("{\"tenants\": {\"\": {}}}", "f.json: tenants.: " TENANT_RULE "\n", 1);
    INVALID("{\"tenants\": {\"a/b\": {}}}", "f.json: tenants.a/b: " TENANT_RULE "\n", 1);
    INVALID("{\"tenants\": {\"**\": {}}}", "f.json: tenants.**: " TENANT_RULE "\n", 1);
    INVALID("{\"tenants\": {\"caf\xc3\xa9\": {}}}",
            "f.json: tenants.caf\xc3\xa9: " TENANT_RULE "\n", 1);
    INVALID("{\"tenants\": {\"bad!\": 5}}",
            "f.json: tenants.bad!: " TENANT_RULE "\nf.json: tenants.bad!: must be an object\n", 2);
    {
        char name[200], doc[400], want[600];
        memset(name, 'n', 129);
        name[129] = '\0';
        snprintf(doc, sizeof(doc), "{\"tenants\": {\"%s\": {}}}", name);
        snprintf(want, sizeof(want), "f.json: tenants.%s: " TENANT_RULE "\n", name);
        validate_line(__LINE__, doc, want, 1);
        name[128] = '\0';
        snprintf(doc, sizeof(doc), "{\"tenants\": {\"%s\": {}}}", name);
        validate_line(__LINE__, doc, "", 0);
    }
    /* Settings. */
    INVALID("{\"settings\": 1}", "f.json: settings: must be an object\n", 1);
    INVALID("{\"settings\": {\"requestIdStrat\": 1}}",
            "f.json: settings.requestIdStrat: unknown field\n", 1);
#define START_RULE "must be an integer between 1 and 9007199254740992"
    INVALID("{\"settings\": {\"requestIdStart\": 0}}",
            "f.json: settings.requestIdStart: " START_RULE "\n", 1);
    INVALID("{\"settings\": {\"requestIdStart\": -5}}",
            "f.json: settings.requestIdStart: " START_RULE "\n", 1);
    INVALID("{\"settings\": {\"requestIdStart\": 1.5}}",
            "f.json: settings.requestIdStart: " START_RULE "\n", 1);
    INVALID("{\"settings\": {\"requestIdStart\": \"3520\"}}",
            "f.json: settings.requestIdStart: " START_RULE "\n", 1);
    INVALID("{\"settings\": {\"requestIdStart\": 9007199254740994}}",
            "f.json: settings.requestIdStart: " START_RULE "\n", 1);
    /* Every problem of a document, across tenants and sections. */
    INVALID(
        "{\"settings\": {\"requestIdStart\": 0}, \"tenants\": {\"acme\": {\"mappings\": "
        "[{\"id\": \"X\", \"script\": [{\"outcome\": \"sucess\"}]}, {\"id\": \"X\"}]}, "
        "\"b c\": {\"mappings\": [{\"id\": \"Y\", \"published\": null}]}}, "
        "\"extra\": 1}",
        "f.json: extra: unknown field\n"
        "f.json: settings.requestIdStart: " START_RULE "\n"
        "f.json: tenants.acme.mappings[0].script[0].outcome: unknown outcome \"sucess\" " OUTCOMES
        "\n"
        "f.json: tenants.acme.mappings[1].id: duplicate mapping id \"X\" (also "
        "tenants.acme.mappings[0])\n"
        "f.json: tenants.b c: " TENANT_RULE "\n"
        "f.json: tenants.b c.mappings[0].published: must be true or false\n",
        6);
}

/* --- files -------------------------------------------------------------------------- */

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL, "cannot write %s", path);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static const char *tpath(const char *name)
{
    static char bufs[4][256];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, 256, "%s/%s", tmpdir, name);
    return b;
}

/* fixtures_read on paths; expected: exact problem text with "@" standing for tmpdir. */
static int read_expect(int line, const char *const *paths, int n, const char *expected,
                       struct fixture_set *out)
{
    char want[4096];
    size_t w = 0;
    for (const char *c = expected; *c && w + 80 < sizeof(want); c++) {
        if (*c == '@')
            w += (size_t)snprintf(want + w, sizeof(want) - w, "%s", tmpdir);
        else
            want[w++] = *c;
    }
    want[w] = '\0';
    struct problems p;
    problems_init(&p);
    struct fixture_set set;
    memset(&set, 0, sizeof(set));
    int rc = fixtures_read(&set, paths, n, &p);
    const char *got = p.text ? p.text : "";
    CHECK(strcmp(got, want) == 0, "line %d:\n  expected:\n%s  actual:\n%s", line, want, got);
    CHECK(rc == (want[0] ? -1 : 0), "line %d: rc %d", line, rc);
    if (rc == 0 && out)
        *out = set;
    else if (rc == 0)
        fixtures_free(&set);
    else
        CHECK(set.tenants == NULL, "line %d: *out touched on failure", line);
    problems_free(&p);
    return rc;
}

static void test_files(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cm-test-fixtures-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        CHECK(0, "mkdtemp failed");
        return;
    }
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/dir", tmpdir);
    mkdir(sub, 0700);

    /* Invalid JSON, with line and column of the first bad byte. */
    write_file("bad1.json", "{\n  \"tenants\": ]\n}\n");
    const char *p1[] = {tpath("bad1.json")};
    read_expect(__LINE__, p1, 1, "@/bad1.json: invalid JSON at line 2, column 14\n", NULL);
    write_file("bad2.json", "{\"tenants\": {}} x\n");
    const char *p2[] = {tpath("bad2.json")};
    read_expect(__LINE__, p2, 1, "@/bad2.json: invalid JSON at line 1, column 17\n", NULL);
    write_file("bad3.json", "");
    const char *p3[] = {tpath("bad3.json")};
    read_expect(__LINE__, p3, 1, "@/bad3.json: invalid JSON at line 1, column 1\n", NULL);
    write_file("bad4.json", "{\n\t\"tenants\": {\n\t\t\"acme\": {\"mappings\": [}\n}\n");
    const char *p4[] = {tpath("bad4.json")};
    read_expect(__LINE__, p4, 1, "@/bad4.json: invalid JSON at line 3, column 25\n", NULL);
    /* JSON text is UTF-8: the first bad byte is located like a syntax error. */
    write_file("utf8a.json", "{\"tenants\": {\"acme\": {\"mappings\": [{\"id\": \"X\", "
                             "\"label\": \"caf\xc3\"}]}}}");
    const char *pu1[] = {tpath("utf8a.json")};
    read_expect(__LINE__, pu1, 1, "@/utf8a.json: invalid UTF-8 at line 1, column 61\n", NULL);
    write_file("utf8b.json", "{\n\"tenants\": {\n\"a\": {\"mappings\": [{\"id\": \"X\", "
                             "\"label\": \"\xc3\xa9\xed\xa0\x80\"}]}}}");
    const char *pu2[] = {tpath("utf8b.json")};
    read_expect(__LINE__, pu2, 1, "@/utf8b.json: invalid UTF-8 at line 3, column 44\n", NULL);
    write_file("utf8c.json", "{\"description\": \"\xc0\xaf overlong\"}");
    const char *pu3[] = {tpath("utf8c.json")};
    read_expect(__LINE__, pu3, 1, "@/utf8c.json: invalid UTF-8 at line 1, column 18\n", NULL);
    write_file("utf8ok.json", "{\"tenants\": {\"acme\": {\"mappings\": [{\"id\": \"X\", "
                              "\"label\": \"caf\xc3\xa9 \xf0\x9f\x98\x80\"}]}}}");
    const char *pu4[] = {tpath("utf8ok.json")};
    read_expect(__LINE__, pu4, 1, "", NULL);
    /* Size limits: 16 MiB is accepted, one byte more is not. */
    {
        FILE *f = fopen(tpath("big.json"), "wb");
        CHECK(f != NULL, "cannot write big.json");
        if (f) {
            static char spaces[65536];
            memset(spaces, ' ', sizeof(spaces));
            fputs("{}", f);
            for (size_t left = FIXTURE_FILE_MAX - 2; left > 0;) {
                size_t n = left < sizeof(spaces) ? left : sizeof(spaces);
                fwrite(spaces, 1, n, f);
                left -= n;
            }
            fclose(f);
            const char *pb[] = {tpath("big.json")};
            read_expect(__LINE__, pb, 1, "", NULL);
            f = fopen(tpath("big.json"), "ab");
            if (f) {
                fputc(' ', f);
                fclose(f);
            }
            read_expect(__LINE__, pb, 1, "@/big.json: larger than 16 MiB\n", NULL);
            unlink(tpath("big.json"));
        }
    }
    /* A file that cannot be sized up front (a FIFO) is read whole. */
    if (mkfifo(tpath("fifo.json"), 0600) == 0) {
        pid_t child = fork();
        if (child == 0) {
            FILE *f = fopen(tpath("fifo.json"), "wb");
            if (f) {
                fputs("{\"settings\": {\"requestIdStart\": 42}", f);
                for (int i = 0; i < 100000; i++)
                    fputc(' ', f);
                fputs("}\n", f);
                fclose(f);
            }
            _exit(0);
        }
        struct fixture_set fs;
        const char *pf[] = {tpath("fifo.json")};
        if (read_expect(__LINE__, pf, 1, "", &fs) == 0) {
            CHECK_INT(fs.request_id_start, 42);
            fixtures_free(&fs);
        }
        int status = 0;
        waitpid(child, &status, 0);
        unlink(tpath("fifo.json"));
    }
    const char *p5[] = {tpath("missing.json")};
    read_expect(__LINE__, p5, 1, "@/missing.json: cannot read: No such file or directory\n", NULL);

    /* A valid file reads into a set. */
    write_file("ok.json", "{\"settings\": {\"requestIdStart\": 100}, \"tenants\": {\"acme\": "
                          "{\"mappings\": [{\"id\": \"A\"}]}}, \"clients\": [], "
                          "\"faults\": []}\n");
    struct fixture_set set;
    const char *p6[] = {tpath("ok.json")};
    if (read_expect(__LINE__, p6, 1, "", &set) == 0) {
        CHECK_INT(set.request_id_start, 100);
        CHECK_INT(cJSON_GetArraySize(set.clients), 0);
        CHECK_INT(cJSON_GetArraySize(set.faults), 0);
        const cJSON *acme = cJSON_GetObjectItemCaseSensitive(set.tenants, "acme");
        CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(acme, "mappings")), 1);
        fixtures_free(&set);
    }

    /* Every file's problems are reported, not only the first file's. */
    write_file("inv.json", STEP("{\"outcome\": \"sucess\"}"));
    const char *p7[] = {tpath("bad1.json"), tpath("inv.json"), tpath("bad2.json")};
    read_expect(__LINE__, p7, 3,
                "@/bad1.json: invalid JSON at line 2, column 14\n"
                "@/inv.json: tenants.acme.mappings[0].script[0].outcome: unknown outcome "
                "\"sucess\" " OUTCOMES "\n"
                "@/bad2.json: invalid JSON at line 1, column 17\n",
                NULL);

    /* The same mapping id in two files of one tenant; other tenants may reuse it. */
    write_file("one.json", "{\"tenants\": {\"acme\": {\"mappings\": [{\"id\": \"X\"}]}}}");
    write_file("two.json", "{\"tenants\": {\"acme\": {\"mappings\": [{\"id\": \"Y\"}, {\"id\": "
                           "\"X\"}]}, \"beta\": {\"mappings\": [{\"id\": \"X\"}]}}}");
    const char *p8[] = {tpath("one.json"), tpath("two.json")};
    read_expect(__LINE__, p8, 2,
                "@/two.json: tenants.acme.mappings[1].id: duplicate mapping id \"X\" (tenant "
                "\"acme\" already has it from an earlier file)\n",
                NULL);
    /* A broken file before them does not hide the clash (every problem, one pass). */
    const char *p8b[] = {tpath("bad2.json"), tpath("one.json"), tpath("two.json")};
    read_expect(__LINE__, p8b, 3,
                "@/bad2.json: invalid JSON at line 1, column 17\n"
                "@/two.json: tenants.acme.mappings[1].id: duplicate mapping id \"X\" (tenant "
                "\"acme\" already has it from an earlier file)\n",
                NULL);

    /* Conflicting requestIdStart; the same value twice is fine. */
    write_file("s1.json", "{\"settings\": {\"requestIdStart\": 3520}}");
    write_file("s2.json", "{\"settings\": {\"requestIdStart\": 5}}");
    write_file("s3.json", "{\"settings\": {\"requestIdStart\": 3520}}");
    const char *p9[] = {tpath("s1.json"), tpath("s2.json")};
    read_expect(__LINE__, p9, 2,
                "@/s2.json: settings.requestIdStart: 5 differs from 3520 in @/s1.json\n", NULL);
    const char *p10[] = {tpath("s1.json"), tpath("s3.json")};
    if (read_expect(__LINE__, p10, 2, "", &set) == 0) {
        CHECK_INT(set.request_id_start, 3520);
        fixtures_free(&set);
    }
    /* A directory: its *.json files merged in name order (others ignored). */
    write_file("dir/b.json", "{\"settings\": {\"requestIdStart\": 200}, \"tenants\": {\"acme\": "
                             "{\"mappings\": [{\"id\": \"B1\"}]}, \"*\": {\"mappings\": "
                             "[{\"id\": \"T\"}]}}}");
    write_file("dir/a.json", "{\"settings\": {\"requestIdStart\": 200}, \"tenants\": {\"acme\": "
                             "{\"mappings\": [{\"id\": \"A1\"}, {\"id\": \"A2\"}]}}}");
    write_file("dir/c.txt", "not json");
    write_file("dir/.hidden.json", "not json");
    write_file("dir/d.json.bak", "not json");
    const char *p12[] = {sub};
    if (read_expect(__LINE__, p12, 1, "", &set) == 0) {
        CHECK_INT(set.request_id_start, 200);
        const cJSON *maps = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(set.tenants, "acme"), "mappings");
        static const char *const order[] = {"A1", "A2", "B1"};
        CHECK_INT(cJSON_GetArraySize(maps), 3);
        int i = 0;
        for (const cJSON *m = maps ? maps->child : NULL; m && i < 3; m = m->next, i++)
            CHECK_STR(cJSON_GetObjectItemCaseSensitive(m, "id")->valuestring, order[i]);
        CHECK(cJSON_GetObjectItemCaseSensitive(set.tenants, "*") != NULL, "template merged");
        fixtures_free(&set);
    }
    /* The order shows in messages: a.json comes first, whatever readdir says. */
    write_file("dir/c.json", "{\"settings\": {\"requestIdStart\": 7}}");
    read_expect(__LINE__, p12, 1,
                "@/dir/c.json: settings.requestIdStart: 7 differs from 200 in @/dir/a.json\n",
                NULL);
    /* A directory given with a trailing slash names its files the same way. */
    char sub_slash[140];
    snprintf(sub_slash, sizeof(sub_slash), "%s/", sub);
    const char *p13[] = {sub_slash};
    read_expect(__LINE__, p13, 1,
                "@/dir/c.json: settings.requestIdStart: 7 differs from 200 in @/dir/a.json\n",
                NULL);

    static const char *const files[] = {
        "bad1.json", "utf8a.json",       "utf8b.json",    "utf8c.json", "utf8ok.json", "bad2.json",
        "bad3.json", "bad4.json",        "ok.json",       "inv.json",   "one.json",    "two.json",
        "s1.json",   "s2.json",          "s3.json",       "dir/a.json", "dir/b.json",  "dir/c.json",
        "dir/c.txt", "dir/.hidden.json", "dir/d.json.bak"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        unlink(tpath(files[i]));
    rmdir(sub);
    rmdir(tmpdir);
}

/* --- the bundled set and fixtures_apply --------------------------------------------- */

static int apply_tx(struct store *st, void *arg)
{
    return fixtures_apply(st, arg);
}

static int count_cb(void *arg, const struct model_step *s)
{
    (void)s;
    (*(int *)arg)++;
    return 0;
}

struct steps {
    struct model_step s[8];
    int n;
};

static int collect_cb(void *arg, const struct model_step *s)
{
    struct steps *all = arg;
    if (all->n < 8)
        all->s[all->n++] = *s;
    return 0;
}

static void test_bundled(void)
{
    struct problems p;
    problems_init(&p);
    struct fixture_set set;
    int rc = fixtures_read_bundled(&set, &p);
    CHECK(rc == 0, "bundled fixtures invalid:\n%s", p.text ? p.text : "");
    CHECK_INT(p.count, 0);
    problems_free(&p);
    if (rc != 0)
        return;
    CHECK_INT(set.request_id_start, 3520);
    const cJSON *acme = cJSON_GetObjectItemCaseSensitive(set.tenants, "acme");
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(acme, "mappings")), 7);
    const cJSON *tpl = cJSON_GetObjectItemCaseSensitive(set.tenants, "*");
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tpl, "mappings")), 1);

    struct store *st = NULL;
    char err[256];
    CHECK_INT(store_open(&st, ":memory:", err, sizeof(err)), 0);
    if (!st) {
        fixtures_free(&set);
        return;
    }
    CHECK_INT(store_transact(st, apply_tx, &set), 0);
    struct model_mapping m;
    CHECK_INT(store_mapping_get(st, "acme", "XDM44", &m), 0);
    CHECK_STR(m.label, "Profiles to AEP");
    CHECK_STR(m.targeting_dimension, "profile");
    CHECK_STR(m.dataset, "5da558abd538ed18ae12261e");
    CHECK_INT(m.published, 1);
    CHECK_INT(m.started, 0);
    CHECK_INT(m.changed_records, 15);
    CHECK_INT(m.default_step.outcome, OUTCOME_SUCCESS);
    CHECK_INT(m.default_step.num_records, 15);
    CHECK_INT(m.default_step.after_polls, 1);
    CHECK_INT(m.default_step.after_ms, 0);
    CHECK_INT(store_mapping_get(st, "acme", "XDM96", &m), 0);
    CHECK_INT(m.default_step.outcome, OUTCOME_FAILED_UPLOAD);
    CHECK_STR(m.default_step.batch_id, "592743400bb44ae6bd5bc99a37c7ddc0");
    CHECK_INT(m.default_step.num_records, -1);
    CHECK_INT(store_mapping_get(st, "acme", "XDM98", &m), 0);
    CHECK_INT(m.default_step.outcome, OUTCOME_HANG);
    CHECK_INT(m.default_step.after_polls, 0);
    CHECK_INT(store_mapping_get(st, "acme", "TestDoc", &m), 0);
    CHECK_INT(m.published, 1);
    CHECK_INT(m.started, 1);
    /* Without defaultOutcome: success after one poll, records from changedRecords. */
    CHECK_INT(m.default_step.outcome, OUTCOME_SUCCESS);
    CHECK_INT(m.default_step.num_records, -1);
    CHECK_INT(m.default_step.after_polls, 1);
    CHECK_INT(store_mapping_get(st, "acme", "XDM10", &m), 0);
    CHECK_INT(m.published, 0);
    /* The template is kept as a fixture, not as mappings of its own. */
    char *fixture = NULL;
    CHECK_INT(store_tenant_get(st, "*", &fixture), 0);
    cJSON *tdoc = fixture ? cJSON_Parse(fixture) : NULL;
    CHECK(tdoc != NULL, "template fixture is JSON");
    const cJSON *tmaps = cJSON_GetObjectItemCaseSensitive(tdoc, "mappings");
    CHECK_INT(cJSON_GetArraySize(tmaps), 1);
    CHECK(tmaps && strcmp(cJSON_GetObjectItemCaseSensitive(tmaps->child, "id")->valuestring,
                          "XDM1") == 0,
          "template mapping XDM1");
    cJSON_Delete(tdoc);
    free(fixture);
    CHECK_INT(store_mapping_get(st, "*", "XDM1", &m), STORE_NOTFOUND);
    long long v = 0;
    CHECK_INT(store_meta_get(st, "next_request_id", &v), 0);
    CHECK_INT(v, 3520);
    CHECK_INT(store_meta_get(st, "loaded", &v), 0);
    CHECK_INT(v, 1);
    fixtures_free(&set);
    store_close(st);
}

static void test_apply(void)
{
    static const char doc_text[] =
        "{\"settings\": {\"requestIdStart\": 77}, \"tenants\": {\"t1\": {\"mappings\": ["
        "{\"id\": \"Bare\"},"
        "{\"id\": \"Full\", \"label\": \"L\", \"targetingDimension\": \"nmsRecipient\", "
        "\"dataset\": \"0123456789abcdef01234567\", \"published\": false, \"started\": true, "
        "\"changedRecords\": 9, \"script\": [{\"outcome\": \"failed-upload\", \"afterMs\": 5}, "
        "{\"outcome\": \"success\", \"numRecords\": 3, \"afterPolls\": 2}, {\"outcome\": "
        "\"hang\"}], \"defaultOutcome\": {\"outcome\": \"aborted\", \"afterMs\": 100}}]}}}";
    cJSON *doc = cJSON_Parse(doc_text);
    struct problems p;
    problems_init(&p);
    CHECK_INT(fixtures_validate(doc, "f.json", &p), 0);
    problems_free(&p);
    struct fixture_set set = {cJSON_DetachItemFromObject(doc, "tenants"), cJSON_CreateArray(),
                              cJSON_CreateArray(), 77, 0};
    cJSON_Delete(doc);

    struct store *st = NULL;
    char err[256];
    CHECK_INT(store_open(&st, ":memory:", err, sizeof(err)), 0);
    if (!st) {
        fixtures_free(&set);
        return;
    }
    /* Something to be wiped first. */
    struct model_mapping old;
    memset(&old, 0, sizeof(old));
    snprintf(old.tenant, sizeof(old.tenant), "gone");
    snprintf(old.id, sizeof(old.id), "Old");
    model_step_default(&old.default_step);
    CHECK_INT(store_tenant_put(st, "gone", "{}"), 0);
    CHECK_INT(store_mapping_put(st, &old), 0);

    CHECK_INT(store_transact(st, apply_tx, &set), 0);
    CHECK_INT(store_tenant_get(st, "gone", NULL), STORE_NOTFOUND);
    CHECK_INT(store_mapping_get(st, "gone", "Old", &old), STORE_NOTFOUND);

    struct model_mapping m;
    CHECK_INT(store_mapping_get(st, "t1", "Bare", &m), 0);
    CHECK_STR(m.tenant, "t1");
    CHECK_STR(m.id, "Bare");
    CHECK_STR(m.label, "Bare");
    CHECK_STR(m.targeting_dimension, "profile");
    CHECK_STR(m.dataset, "");
    CHECK_INT(m.published, 1);
    CHECK_INT(m.started, 0);
    CHECK_INT(m.changed_records, 0);
    CHECK_INT(m.default_step.outcome, OUTCOME_SUCCESS);
    CHECK_INT(m.default_step.num_records, -1);
    CHECK_STR(m.default_step.batch_id, "");
    CHECK_INT(m.default_step.after_ms, 0);
    CHECK_INT(m.default_step.after_polls, 1);
    int n = 0;
    CHECK_INT(store_script_each(st, "t1", "Bare", count_cb, &n), 0);
    CHECK_INT(n, 0);

    CHECK_INT(store_mapping_get(st, "t1", "Full", &m), 0);
    CHECK_STR(m.label, "L");
    CHECK_STR(m.targeting_dimension, "nmsRecipient");
    CHECK_STR(m.dataset, "0123456789abcdef01234567");
    CHECK_INT(m.published, 0);
    CHECK_INT(m.started, 1);
    CHECK_INT(m.changed_records, 9);
    CHECK_INT(m.default_step.outcome, OUTCOME_ABORTED);
    CHECK_INT(m.default_step.after_ms, 100);
    /* A defaultOutcome given without afterPolls means afterPolls 0. */
    CHECK_INT(m.default_step.after_polls, 0);
    struct steps all = {.n = 0};
    CHECK_INT(store_script_each(st, "t1", "Full", collect_cb, &all), 0);
    CHECK_INT(all.n, 3);
    if (all.n == 3) {
        CHECK_INT(all.s[0].outcome, OUTCOME_FAILED_UPLOAD);
        CHECK_STR(all.s[0].batch_id, ""); /* drawn when the request is created */
        CHECK_INT(all.s[0].after_ms, 5);
        CHECK_INT(all.s[0].after_polls, 0);
        CHECK_INT(all.s[0].num_records, -1);
        CHECK_INT(all.s[1].outcome, OUTCOME_SUCCESS);
        CHECK_INT(all.s[1].num_records, 3);
        CHECK_INT(all.s[1].after_polls, 2);
        CHECK_INT(all.s[2].outcome, OUTCOME_HANG);
    }
    long long v = 0;
    CHECK_INT(store_meta_get(st, "next_request_id", &v), 0);
    CHECK_INT(v, 77);
    /* The tenant's fixture state is what a reset returns to. */
    char *fixture = NULL;
    CHECK_INT(store_tenant_get(st, "t1", &fixture), 0);
    cJSON *f = fixture ? cJSON_Parse(fixture) : NULL;
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(f, "mappings")), 2);
    cJSON_Delete(f);
    free(fixture);

    /* Applying again replaces, it does not add. */
    CHECK_INT(store_transact(st, apply_tx, &set), 0);
    n = 0;
    CHECK_INT(store_script_each(st, "t1", "Full", count_cb, &n), 0);
    CHECK_INT(n, 3);

    /* Round trip of the fixture form. */
    cJSON *mj = fixtures_mapping_to_json(&m);
    char *text = cJSON_PrintUnformatted(mj);
    CHECK_STR(text, "{\"id\":\"Full\",\"label\":\"L\",\"targetingDimension\":\"nmsRecipient\","
                    "\"dataset\":\"0123456789abcdef01234567\",\"published\":false,\"started\":true,"
                    "\"changedRecords\":9,\"defaultOutcome\":{\"outcome\":\"aborted\",\"afterMs\":"
                    "100}}");
    problems_init(&p);
    CHECK_INT(fixtures_mapping_validate(mj, "f.json", "m", &p), 0);
    problems_free(&p);
    free(text);
    cJSON_Delete(mj);

    fixtures_free(&set);
    store_close(st);
}

int main(void)
{
    test_valid();
    test_steps();
    test_mappings();
    test_documents();
    test_files();
    test_bundled();
    test_apply();
    return test_report();
}
