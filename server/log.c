/*
 * Logging to stderr. Lines are assembled in a local buffer and written with one
 * fputs so that lines from concurrent threads never interleave.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jsonw.h"

static enum log_level threshold = LOG_INFO;
static enum log_format format = LOG_TEXT;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void log_configure(enum log_level level, enum log_format fmt)
{
    threshold = level;
    format = fmt;
}

int log_level_parse(enum log_level *out, const char *s)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

int log_format_parse(enum log_format *out, const char *s)
{
    if (strcmp(s, "text") == 0) {
        *out = LOG_TEXT;
        return 0;
    }
    if (strcmp(s, "json") == 0) {
        *out = LOG_JSON;
        return 0;
    }
    return -1;
}

static void timestamp(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts); /* wall time for log lines only */
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

int log_enabled(enum log_level level)
{
    return level <= threshold;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level > threshold)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char ts[40];
    timestamp(ts, sizeof(ts));

    struct jsonw w;
    jsonw_init(&w);
    if (format == LOG_JSON) {
        jsonw_raw(&w, "{\"time\":");
        jsonw_string(&w, ts);
        jsonw_raw(&w, ",\"level\":");
        jsonw_string(&w, level_names[level]);
        jsonw_raw(&w, ",\"msg\":");
        jsonw_string(&w, msg);
        jsonw_raw(&w, "}\n");
    } else {
        jsonw_rawf(&w, "%s %s %s\n", ts, level_names[level], msg);
    }
    if (w.buf)
        fputs(w.buf, stderr);
    jsonw_free(&w);
}

void log_request(const char *tenant, const char *method, const char *path, int status,
                 double duration_ms, const char *note)
{
    if (LOG_INFO > threshold)
        return;
    char ts[40];
    timestamp(ts, sizeof(ts));
    struct jsonw w;
    jsonw_init(&w);
    if (format == LOG_JSON) {
        jsonw_raw(&w, "{\"time\":");
        jsonw_string(&w, ts);
        jsonw_raw(&w, ",\"level\":\"info\",\"tenant\":");
        jsonw_string(&w, tenant ? tenant : "");
        jsonw_raw(&w, ",\"method\":");
        jsonw_string(&w, method ? method : "");
        jsonw_raw(&w, ",\"path\":");
        jsonw_string(&w, path ? path : "");
        jsonw_rawf(&w, ",\"status\":%d,\"durationMs\":%.3f,\"note\":", status, duration_ms);
        jsonw_string(&w, note ? note : "");
        jsonw_raw(&w, "}\n");
    } else {
        jsonw_rawf(&w, "%s info %s %s %s -> %d %.3fms%s%s\n", ts, tenant && *tenant ? tenant : "-",
                   method ? method : "-", path ? path : "-", status, duration_ms,
                   note && *note ? " " : "", note ? note : "");
    }
    if (w.buf)
        fputs(w.buf, stderr);
    jsonw_free(&w);
}
