/*
 * The server clock: every time the emulation decides on (afterMs schedules, token
 * expiry, journal stamps, fault windows, the report's poll intervals) is read here. In
 * real mode it is the wall clock; in manual mode it stands still until the control API
 * moves it, which makes every one of those decisions reproducible. Time is read
 * elsewhere only where no emulated answer depends on it: log.c stamps log lines with
 * wall time, http/server.c measures its deadlines and the Date header, tls.c checks
 * certificates' validity.
 */
#ifndef CAMPAIGN_CLOCK_H
#define CAMPAIGN_CLOCK_H

#include <stddef.h>

enum clock_mode { CLOCK_MODE_REAL = 0, CLOCK_MODE_MANUAL = 1 };

/* Where a manual clock starts on a fresh database: 2025-01-01T00:00:00.000Z. */
#define CLOCK_MANUAL_EPOCH_MS 1735689600000LL

struct mock_clock {
    enum clock_mode mode;
    /* The manual clock's reading (unused in real mode); atomic: calls read it on every
     * thread while POST /_mock/clock moves it. */
    _Atomic long long manual_ms;
};

/* "real" | "manual"; 0 on success, -1 when unknown. */
int clock_mode_parse(enum clock_mode *out, const char *s);
const char *clock_mode_name(enum clock_mode mode);

/* Server time in milliseconds since the Unix epoch. */
long long clock_now_ms(const struct mock_clock *c);

/* Wall time in ms since the epoch (journal wall time), whatever the mode. */
long long clock_wall_ms(void);

/* A monotonic reading in ms, for durations and delays. */
double clock_monotonic_ms(void);

/* Formats ms since the epoch as "2025-01-01T00:00:00.000Z"; buf needs 32 bytes. */
void clock_format_iso(char *buf, size_t size, long long ms);

/* 9999-12-31T23:59:59.999Z: the last time clock_format_iso writes in a form
 * clock_parse_iso reads (four-digit years). */
#define CLOCK_ISO_MAX_MS 253402300799999LL

/* Parses "YYYY-MM-DDTHH:MM:SS[.mmm]Z"; 0 on success, -1 when malformed. */
int clock_parse_iso(long long *out, const char *s);

#endif
