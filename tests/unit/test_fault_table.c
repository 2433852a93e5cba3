/*
 * The fault action table (server/faults/actions.c) is the one list of the actions a
 * rule names by value. The lists that cannot be generated from it are checked against
 * it here, so that none drifts: the gateway errors api/gateway.c answers, the
 * transports http/reply.c names, the journal's CHECK constraint (schema/0NN_*.sql), the
 * enums of schema/openapi.yaml and schema/fixtures.schema.json, the dashboard's
 * presets (ui/index.html) and the report's coverage (server/control/report.c). The validation
 * messages written from the table are pinned byte for byte. The match endpoints (faults/match.c)
 * are checked the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api/gateway.h"
#include "check.h"
#include "embedded.h"
#include "faults/faults.h"
#include "http/reply.h"

CHECK_DEFINE_COUNTERS;

/* Room for a joined list of names ("401013, 403003, ..."): a few dozen bytes now. */
#define LIST_MAX 1024

static void add_name(char *out, const char *name, size_t len)
{
    size_t used = strlen(out);
    snprintf(out + used, LIST_MAX - used, "%s%.*s", used ? ", " : "", (int)len, name);
}

/* The table's names of kind, joined with ", ", after the names in first (may be NULL). */
static void table_names(char out[LIST_MAX], enum fault_kind kind, const char *first)
{
    out[0] = '\0';
    if (first)
        add_name(out, first, strlen(first));
    size_t n = 0;
    const struct fault_action_def *rows = faults_actions(&n);
    for (size_t i = 0; i < n; i++) {
        if (rows[i].kind == kind)
            add_name(out, rows[i].name, strlen(rows[i].name));
    }
}

static const char *embedded(const struct embedded_file *files, const char *name)
{
    for (const struct embedded_file *f = files; f->name; f++) {
        if (strcmp(f->name, name) == 0)
            return f->text;
    }
    return NULL;
}

/* The items of the first YAML flow list "enum: [a, "b", ...]" found after each anchor
 * in turn, joined with ", " (quotes dropped); "" when an anchor is missing. */
static void yaml_enum(char out[LIST_MAX], const char *doc, const char *a1, const char *a2)
{
    out[0] = '\0';
    const char *at = doc ? strstr(doc, a1) : NULL;
    at = at && a2 ? strstr(at, a2) : at;
    at = at ? strstr(at, "enum: [") : NULL;
    if (!at)
        return;
    at += strlen("enum: [");
    const char *end = strchr(at, ']');
    while (at && end && at < end) {
        while (*at == ' ' || *at == '"' || *at == '\'')
            at++;
        size_t len = strcspn(at, ",]");
        size_t keep = len;
        while (keep && (at[keep - 1] == ' ' || at[keep - 1] == '"' || at[keep - 1] == '\''))
            keep--;
        add_name(out, at, keep);
        at += len + (at[len] == ',');
    }
}

/* The strings of a JSON array, joined with ", ". */
static void json_names(char out[LIST_MAX], const cJSON *arr)
{
    out[0] = '\0';
    for (const cJSON *v = cJSON_IsArray(arr) ? arr->child : NULL; v; v = v->next) {
        const char *name = cJSON_IsString(v) ? v->valuestring : "?";
        add_name(out, name, strlen(name));
    }
}

/* Each text between open and the next quote, from start to end, joined with ", ". */
static void quoted_after(char out[LIST_MAX], const char *start, const char *end, const char *open,
                         char close)
{
    out[0] = '\0';
    for (const char *at = start; at && (at = strstr(at, open)) && at < end;) {
        at += strlen(open);
        const char *stop = strchr(at, close);
        if (!stop)
            break;
        add_name(out, at, (size_t)(stop - at));
        at = stop + 1;
    }
}

static char *read_source(const char *rel)
{
    /* The source tree, from this file's own path as CMake compiles it (absolute). */
    const char *self = __FILE__;
    const char *tail = strstr(self, "tests/unit/test_fault_table.c");
    char path[4096];
    snprintf(path, sizeof(path), "%.*s%s", tail ? (int)(tail - self) : 0, self, rel);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL, "cannot open %s", path);
    if (!f)
        return NULL;
    /* The schema is tens of KiB; 4 MiB is far beyond any fixture schema. */
    size_t cap = 4u << 20;
    char *buf = malloc(cap + 1);
    size_t n = buf ? fread(buf, 1, cap, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static void test_table_against_the_code(void)
{
    size_t n = 0;
    const struct fault_action_def *rows = faults_actions(&n);
    int errors = 0, transports = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK(faults_action_find(rows[i].kind, rows[i].name) == &rows[i], "%s twice", rows[i].name);
        if (rows[i].kind == FAULT_ERROR) {
            enum gateway_error g;
            errors++;
            CHECK(gateway_error_parse(&g, rows[i].name) == 0,
                  "error %s: api/gateway.c has no such answer", rows[i].name);
            CHECK(rows[i].answers, "error %s must answer", rows[i].name);
        } else if (rows[i].kind == FAULT_TRANSPORT) {
            transports++;
        } else {
            CHECK(0, "row %s: only error and transport actions are named by value", rows[i].name);
        }
    }
    /* Every gateway answer can be asked for, and every transport but "normal". */
    CHECK_INT(errors, GATEWAY_COUNT);
    CHECK_INT(transports, TRANSPORT_COUNT - 1);
    for (int t = TRANSPORT_NORMAL + 1; t < TRANSPORT_COUNT; t++) {
        const char *name = reply_transport_name((enum reply_transport)t);
        CHECK(faults_action_find(FAULT_TRANSPORT, name) != NULL,
              "transport %s (http/reply.c) has no row in faults/actions.c", name);
    }
    /* Only a truncated body needs the handler's answer to cut. */
    CHECK_INT(faults_action_find(FAULT_TRANSPORT, "truncate")->answers, 0);
    CHECK_STR(faults_kind_member(FAULT_ERROR), "error");
    CHECK_STR(faults_kind_member(FAULT_TRANSPORT), "transport");
    CHECK_STR(faults_kind_member(FAULT_CUSTOM), "status");
    CHECK_STR(faults_kind_member(FAULT_DELAY_ONLY), "delayMs");
}

/* The messages written from the table, in the form they had as literals: names joined
 * with ", ", error names quoted: with today's table, the bytes of before, which
 * http.test_faults pins for errors. */
static void test_messages(void)
{
    char transports[LIST_MAX], quoted[LIST_MAX] = "";
    table_names(transports, FAULT_TRANSPORT, NULL);
    size_t n = 0;
    const struct fault_action_def *defs = faults_actions(&n);
    for (size_t i = 0; i < n; i++) {
        char q[64];
        snprintf(q, sizeof(q), "\"%s\"", defs[i].name);
        if (defs[i].kind == FAULT_ERROR)
            add_name(quoted, q, strlen(q));
    }
    static const struct {
        const char *action;
        const char *member;
        const char *names;
    } rows[] = {
        {"{\"error\": \"999\"}", "error", NULL},
        {"{\"error\": 401013}", "error", NULL},
        {"{\"transport\": \"rst\"}", "transport", ""},
        {"{\"transport\": [\"reset\"]}", "transport", ""},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char text[256], want[LIST_MAX + 128];
        snprintf(text, sizeof(text), "{\"action\": %s}", rows[i].action);
        snprintf(want, sizeof(want), "body: action.%s: must be one of %s\n", rows[i].member,
                 rows[i].names ? transports : quoted);
        cJSON *rule = cJSON_Parse(text);
        struct problems p;
        problems_init(&p);
        CHECK_INT(faults_rule_validate(rule, "body", "", &p), -1);
        CHECK_STR(p.text, want);
        problems_free(&p);
        cJSON_Delete(rule);
    }
    /* Each row is valid, and parses to itself. */
    for (size_t i = 0; i < n; i++) {
        char text[256];
        snprintf(text, sizeof(text), "{\"action\": {\"%s\": \"%s\"}}",
                 faults_kind_member(defs[i].kind), defs[i].name);
        cJSON *rule = cJSON_Parse(text);
        struct problems p;
        problems_init(&p);
        CHECK_INT(faults_rule_validate(rule, "body", "", &p), 0);
        problems_free(&p);
        struct fault_match m;
        struct fault_schedule s;
        struct fault_action a;
        faults_rule_parse(rule, &m, &s, &a);
        CHECK_INT(a.kind, defs[i].kind);
        CHECK(a.def == &defs[i], "%s parsed to another row", defs[i].name);
        cJSON_Delete(rule);
    }
}

static void test_openapi(void)
{
    const char *doc = embedded(docs_files, "openapi.yaml");
    CHECK(doc != NULL, "openapi.yaml is not embedded");
    char want[LIST_MAX], got[LIST_MAX];
    table_names(want, FAULT_ERROR, NULL);
    yaml_enum(got, doc, "\n    FaultAction:\n", "\n        error:\n");
    CHECK_STR(got, want);
    table_names(want, FAULT_TRANSPORT, NULL);
    yaml_enum(got, doc, "\n    FaultAction:\n", "\n        transport:");
    CHECK_STR(got, want);
    /* The journal says how each answer travelled: normal, or a fault's transport. */
    table_names(want, FAULT_TRANSPORT, "normal");
    yaml_enum(got, doc, "\n    JournalEntry:\n", "\n        transport:\n");
    CHECK_STR(got, want);
    yaml_enum(got, doc, "\n    FaultMatch:\n", "endpoint:");
    CHECK_STR(got, "ingest.trigger, ingest.status, ims.token, any");
}

static void test_fixtures_schema(void)
{
    char *text = read_source("schema/fixtures.schema.json");
    cJSON *doc = text ? cJSON_Parse(text) : NULL;
    free(text);
    CHECK(doc != NULL, "schema/fixtures.schema.json is not JSON");
    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(doc, "$defs");
    const cJSON *action = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(defs, "action"), "properties");
    char want[LIST_MAX], got[LIST_MAX];
    table_names(want, FAULT_ERROR, NULL);
    json_names(got, cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetObjectItemCaseSensitive(action, "error"), "enum"));
    CHECK_STR(got, want);
    table_names(want, FAULT_TRANSPORT, NULL);
    json_names(got, cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetObjectItemCaseSensitive(action, "transport"), "enum"));
    CHECK_STR(got, want);
    const cJSON *match = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(defs, "fault"),
                                             "properties"),
            "match"),
        "properties");
    json_names(got, cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetObjectItemCaseSensitive(match, "endpoint"), "enum"));
    CHECK_STR(got, "ingest.trigger, ingest.status, ims.token, any");
    cJSON_Delete(doc);
}

static void test_dashboard(void)
{
    const char *page = embedded(ui_files, "index.html");
    CHECK(page != NULL, "index.html is not embedded");
    const char *start = page ? strstr(page, "const PRESETS = [") : NULL;
    const char *end = start ? strstr(start, "];") : NULL;
    CHECK(start && end, "ui/index.html has no PRESETS list");
    char want[LIST_MAX], got[LIST_MAX];
    table_names(want, FAULT_ERROR, NULL);
    quoted_after(got, start, end, "{error: '", '\'');
    CHECK_STR(got, want);
    table_names(want, FAULT_TRANSPORT, NULL);
    quoted_after(got, start, end, "{transport: '", '\'');
    CHECK_STR(got, want);
    /* The endpoint picker: (any), then the three endpoints. */
    start = page ? strstr(page, "id=\"fault-endpoint\"") : NULL;
    end = start ? strstr(start, "</select>") : NULL;
    CHECK(start && end, "ui/index.html has no endpoint picker");
    quoted_after(got, start, end, "<option>", '<');
    CHECK_STR(got, "ingest.trigger, ingest.status, ims.token");
}

/* The report's coverage (GET /_mock/report) counts each of these answers: a row
 * without its answer there would never be reported as seen. Its table is static, so
 * the source is read. */
static void test_report_coverage(void)
{
    char *text = read_source("server/control/report.c");
    size_t n = 0;
    const struct fault_action_def *defs = faults_actions(&n);
    for (size_t i = 0; text && i < n; i++) {
        char id[96];
        snprintf(id, sizeof(id), "{\"%s.%s\"",
                 defs[i].kind == FAULT_ERROR ? "gateway" : "transport", defs[i].name);
        CHECK(strstr(text, id) != NULL, "server/control/report.c: no answer %s\"}", id + 1);
    }
    free(text);
}

/* The journal's transport column is checked by the last migration that names it. */
static void test_migration(void)
{
    const char *last = NULL;
    for (int i = 0; i < store_migrations_count; i++) {
        if (strstr(store_migrations[i].text, "CHECK (transport IN ("))
            last = strstr(store_migrations[i].text, "CHECK (transport IN (");
    }
    CHECK(last != NULL, "no migration checks the journal's transport");
    if (!last)
        return;
    char want[LIST_MAX], got[LIST_MAX];
    table_names(want, FAULT_TRANSPORT, "normal");
    quoted_after(got, last, strstr(last, "))"), "'", '\'');
    CHECK_STR(got, want);
}

int main(void)
{
    test_table_against_the_code();
    test_messages();
    test_openapi();
    test_fixtures_schema();
    test_dashboard();
    test_migration();
    test_report_coverage();
    return test_report();
}
