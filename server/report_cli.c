/*
 * campaign-mock report [URL]: GET /_mock/report of a running server, printed as text,
 * JSON or JUnit XML, and an exit status a CI job can fail on (--fail-on). In JUnit each
 * rule checked is a test case: a finding at or above --fail-on is its failure, one
 * below is told in its system-out, so a CI page lists every rule and what broke it.
 */
#include "report_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli_http.h"

static const cJSON *at(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static long long num(const cJSON *o, const char *name)
{
    const cJSON *v = at(o, name);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = at(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* Whether a finding of severity fails the run under fail_on. */
static int fails(const char *severity, const char *fail_on)
{
    if (strcmp(fail_on, "never") == 0)
        return 0;
    if (strcmp(fail_on, "warning") == 0)
        return 1;
    return strcmp(severity, "error") == 0;
}

static void entries_text(FILE *out, const cJSON *f)
{
    const cJSON *ids = at(f, "entries");
    int first = 1;
    for (const cJSON *id = ids ? ids->child : NULL; id; id = id->next) {
        fprintf(out, "%s%lld", first ? "" : ", ", (long long)id->valuedouble);
        first = 0;
    }
    if (num(f, "count") > cJSON_GetArraySize(ids))
        fprintf(out, ", ...");
}

static void print_text(FILE *out, const cJSON *doc)
{
    const cJSON *w = at(doc, "window"), *cov = at(doc, "coverage");
    fprintf(out, "campaign-mock report: %lld journal entries", num(w, "entries"));
    if (cJSON_IsNumber(at(w, "firstEntry")))
        fprintf(out, " (%lld to %lld)", num(w, "firstEntry"), num(w, "lastEntry"));
    if (cJSON_IsString(at(w, "tenant")))
        fprintf(out, ", tenant %s", str(w, "tenant"));
    fprintf(out, "\n");
    if (!cJSON_IsTrue(at(w, "complete")))
        fprintf(out,
                "window: entries before %lld were evicted (--journal-max): complete from "
                "%lld on\n",
                num(w, "completeFrom"), num(w, "completeFrom"));
    fprintf(out, "coverage: %lld of %lld documented answers seen\n", num(cov, "seen"),
            num(cov, "total"));
    for (const cJSON *a = at(cov, "answers") ? at(cov, "answers")->child : NULL; a; a = a->next) {
        if (num(a, "seen"))
            fprintf(out, "  seen %6lld  %-28s first entry %lld\n", num(a, "seen"), str(a, "answer"),
                    num(a, "firstEntry"));
        else
            fprintf(out, "  not seen     %-28s %s\n", str(a, "answer"), str(a, "description"));
    }
    const cJSON *sum = at(doc, "summary");
    fprintf(out, "findings: %lld error%s, %lld warning%s\n", num(sum, "errors"),
            num(sum, "errors") == 1 ? "" : "s", num(sum, "warnings"),
            num(sum, "warnings") == 1 ? "" : "s");
    for (const cJSON *f = at(doc, "findings") ? at(doc, "findings")->child : NULL; f; f = f->next) {
        fprintf(out, "  %-8s %s (%lld): %s; entries ", str(f, "severity"), str(f, "rule"),
                num(f, "count"), str(f, "message"));
        entries_text(out, f);
        fprintf(out, "\n");
    }
}

static void xml_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

static const cJSON *finding_of(const cJSON *doc, const char *rule)
{
    for (const cJSON *f = at(doc, "findings") ? at(doc, "findings")->child : NULL; f; f = f->next) {
        if (strcmp(str(f, "rule"), rule) == 0)
            return f;
    }
    return NULL;
}

static void print_junit(FILE *out, const cJSON *doc, const char *fail_on)
{
    const cJSON *checked = at(doc, "rulesChecked");
    int tests = cJSON_GetArraySize(checked), failures = 0;
    for (const cJSON *r = checked ? checked->child : NULL; r; r = r->next) {
        const cJSON *f = finding_of(doc, str(r, "rule"));
        failures += f && fails(str(f, "severity"), fail_on);
    }
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out, "<testsuites name=\"campaign-mock report\" tests=\"%d\" failures=\"%d\">\n", tests,
            failures);
    fprintf(out,
            "  <testsuite name=\"campaign-mock report\" tests=\"%d\" failures=\"%d\" "
            "errors=\"0\" skipped=\"0\">\n",
            tests, failures);
    for (const cJSON *r = checked ? checked->child : NULL; r; r = r->next) {
        const char *rule = str(r, "rule");
        const cJSON *f = finding_of(doc, rule);
        fprintf(out, "    <testcase classname=\"campaign-mock.%s\" name=\"", str(r, "severity"));
        xml_text(out, rule);
        fprintf(out, "\"");
        if (!f) {
            fprintf(out, "/>\n");
            continue;
        }
        fprintf(out, ">\n");
        int failed = fails(str(f, "severity"), fail_on);
        fprintf(out, failed ? "      <failure type=\"%s\" message=\"" : "      <system-out>%s: ",
                str(f, "severity"));
        xml_text(out, str(f, "message"));
        fprintf(out, failed ? "\">%lld call(s); journal entries " : " (%lld call(s); entries ",
                num(f, "count"));
        entries_text(out, f);
        fprintf(out, failed ? "</failure>\n" : ")</system-out>\n");
        fprintf(out, "    </testcase>\n");
    }
    const cJSON *cov = at(doc, "coverage");
    fprintf(out, "    <system-out>coverage: %lld of %lld documented answers seen; not seen:",
            num(cov, "seen"), num(cov, "total"));
    for (const cJSON *a = at(cov, "answers") ? at(cov, "answers")->child : NULL; a; a = a->next) {
        if (!num(a, "seen")) {
            fputc(' ', out);
            xml_text(out, str(a, "answer"));
        }
    }
    fprintf(out, "</system-out>\n  </testsuite>\n</testsuites>\n");
}

/* Appends name=value to a query string being built (value URL-encoded). */
static void query_add(char *q, size_t size, const char *name, const char *value)
{
    size_t len = strlen(q);
    int n = snprintf(q + len, size - len, "%c%s=", len ? '&' : '?', name);
    if (n < 0 || (size_t)n >= size - len)
        return;
    len += (size_t)n;
    for (const unsigned char *p = (const unsigned char *)value; *p && len + 4 < size; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '@')
            q[len++] = (char)*p;
        else
            len += (size_t)snprintf(q + len, size - len, "%%%02X", *p);
    }
    q[len] = '\0';
}

int report_command(const struct config *cfg, FILE *out)
{
    char host[256], port[16], query[1024] = "", path[1100];
    int rc = cli_target(cfg, "report", host, sizeof(host), port, sizeof(port));
    if (rc != 0)
        return rc;
    if (cfg->report_tenant)
        query_add(query, sizeof(query), "tenant", cfg->report_tenant);
    if (cfg->report_since)
        query_add(query, sizeof(query), "since", cfg->report_since);
    if (cfg->report_interval)
        query_add(query, sizeof(query), "pollIntervalMs", cfg->report_interval);
    snprintf(path, sizeof(path), "/_mock/report%s", query);
    int status = 0;
    char *body = NULL;
    /* 30 s: a report reads the whole journal window, a page at a time. */
    if (cli_get("report", host, port, path, cfg->admin_token, 30, &status, &body) != 0)
        return 1;
    cJSON *doc = status == 200 ? cJSON_Parse(body) : NULL;
    if (!doc) {
        fprintf(stderr, "campaign-mock report: HTTP %d from %s:%s: %.300s\n", status, host, port,
                body);
        free(body);
        return 1;
    }
    const char *format = cfg->report_format ? cfg->report_format : "text";
    const char *fail_on = cfg->report_fail_on ? cfg->report_fail_on : "error";
    if (strcmp(format, "json") == 0)
        fprintf(out, "%s\n", body);
    else if (strcmp(format, "junit") == 0)
        print_junit(out, doc, fail_on);
    else
        print_text(out, doc);
    int failed = 0;
    for (const cJSON *f = at(doc, "findings") ? at(doc, "findings")->child : NULL; f; f = f->next)
        failed |= fails(str(f, "severity"), fail_on);
    cJSON_Delete(doc);
    free(body);
    return failed ? 1 : 0;
}
