/*
 * /_mock/clock: read the server clock; in manual mode, advance it or set it. Moving
 * the clock makes afterMs steps due on their next read, so a suite tests a 15-minute
 * ingestion in milliseconds.
 */
#include "control/control.h"

#include <string.h>

/* One advance moves at most ten years: beyond that it is surely a unit mistake. */
#define ADVANCE_MAX (10LL * 366 * 24 * 3600 * 1000)

static cJSON *clock_json(const struct mock_clock *clock)
{
    cJSON *o = cJSON_CreateObject();
    long long now = clock_now_ms(clock);
    char iso[40];
    clock_format_iso(iso, sizeof(iso), now);
    cJSON_AddStringToObject(o, "mode", clock_mode_name(clock->mode));
    cJSON_AddStringToObject(o, "now", iso);
    cJSON_AddNumberToObject(o, "nowMs", (double)now);
    return o;
}

static int get_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    (void)st;
    c->out = clock_json(&c->app->clock);
    return 0;
}

void handle_clock_get(struct app *app, const struct http_request *req, struct reply *rep)
{
    ctl_run(app, req, rep, CTL_NO_BODY, get_tx);
}

static int post_tx(struct store *st, void *arg)
{
    struct ctl *c = arg;
    if (c->app->clock.mode != CLOCK_MODE_MANUAL)
        return ctl_fail(c, ERR_WRONG_CLOCK,
                        "the server clock is real; start campaign-mock with --clock manual to "
                        "move it");
    if (!cJSON_IsObject(c->body))
        return ctl_fail(c, ERR_BAD_FIELD,
                        "the body must be {\"advanceMs\": N} or {\"set\": "
                        "\"ISO-8601\"}");
    const cJSON *advance = cJSON_GetObjectItemCaseSensitive(c->body, "advanceMs");
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(c->body, "set");
    for (const cJSON *k = c->body->child; k; k = k->next) {
        if (strcmp(k->string, "advanceMs") != 0 && strcmp(k->string, "set") != 0)
            return ctl_fail(c, ERR_BAD_FIELD, "%.64s: unknown field (expected advanceMs or set)",
                            k->string);
    }
    if (!advance == !set)
        return ctl_fail(c, ERR_BAD_FIELD, "give exactly one of advanceMs and set");
    long long now = c->app->clock.manual_ms;
    if (advance) {
        long long ms = 0;
        int rc = ctl_get_count(c, c->body, "advanceMs", ADVANCE_MAX, &ms, NULL);
        if (rc)
            return rc;
        now += ms;
        /* The clock reads as an ISO time that set takes back: years up to 9999. */
        if (now > CLOCK_ISO_MAX_MS)
            return ctl_fail(c, ERR_BAD_FIELD,
                            "advanceMs: the clock would pass 9999-12-31T23:59:59.999Z, the last "
                            "time it can show");
    } else if (!cJSON_IsString(set) || clock_parse_iso(&now, set->valuestring) < 0) {
        return ctl_fail(c, ERR_BAD_FIELD,
                        "set: must be a UTC time like \"2025-01-01T00:15:00.000Z\"");
    }
    int rc = store_meta_set(st, "manual_clock_ms", now);
    if (rc)
        return rc;
    /* Set before the commit (writes are serialized, so no other clock change is in
     * between); handle_clock_post puts the old reading back when the transaction does
     * not commit. */
    c->app->clock.manual_ms = now;
    c->out = clock_json(&c->app->clock);
    return 0;
}

void handle_clock_post(struct app *app, const struct http_request *req, struct reply *rep)
{
    long long before = app->clock.manual_ms;
    if (ctl_run(app, req, rep, CTL_BODY_REQUIRED, post_tx) != 0)
        app->clock.manual_ms = before; /* nothing changes when the call failed */
}
