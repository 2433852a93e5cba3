/*
 * Logging: one line per event to stderr, as text or JSON. Tokens and secrets are
 * never passed here; callers log names and ids only.
 */
#ifndef CAMPAIGN_LOG_H
#define CAMPAIGN_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };
enum log_format { LOG_TEXT = 0, LOG_JSON = 1 };

/* Sets the threshold and the format; thread-safe to call before serving only. */
void log_configure(enum log_level level, enum log_format format);

/* Parses "error|warn|info|debug" / "text|json"; 0 on success, -1 when unknown. */
int log_level_parse(enum log_level *out, const char *s);
int log_format_parse(enum log_format *out, const char *s);

/* Whether lines of this level are written. */
int log_enabled(enum log_level level);

/* One free-form line at the given level (printf format). */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The per-request line written when a request completes. Any string may be NULL. */
void log_request(const char *tenant, const char *method, const char *path, int status,
                 double duration_ms, const char *note);

#endif
