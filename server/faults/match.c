/*
 * Fault rule matching and scheduling. Pure (no I/O, no clock, no randomness: the time
 * and the draw come in as arguments); see faults.h.
 */
#include "faults/faults.h"

#include <string.h>

static const char *const endpoint_names[] = {"any", "ingest.trigger", "ingest.status", "ims.token"};

int fault_endpoint_parse(enum fault_endpoint *out, const char *s)
{
    for (int i = 0; i <= FAULT_EP_IMS; i++) {
        if (strcmp(s, endpoint_names[i]) == 0) {
            *out = (enum fault_endpoint)i;
            return 0;
        }
    }
    return -1;
}

const char *fault_endpoint_name(enum fault_endpoint e)
{
    return endpoint_names[e];
}

enum fault_endpoint fault_endpoint_of(const char *route_endpoint)
{
    enum fault_endpoint e;
    if (fault_endpoint_parse(&e, route_endpoint) == 0)
        return e;
    return FAULT_EP_ANY;
}

int fault_matches(const struct fault_match *m, const char *method, const char *route_endpoint,
                  const char *tenant, const char *mapping)
{
    if (m->method[0] && strcmp(m->method, method) != 0)
        return 0;
    if (m->endpoint != FAULT_EP_ANY && fault_endpoint_of(route_endpoint) != m->endpoint)
        return 0;
    if (m->tenant[0] && strcmp(m->tenant, tenant) != 0)
        return 0;
    if (m->mapping[0] && strcmp(m->mapping, mapping) != 0)
        return 0;
    return 1;
}

/* Every condition but the probability; seen already counts this call. */
static int eligible(const struct fault_schedule *s, const struct fault_state *st, long long now_ms)
{
    if (st->seen <= s->after)
        return 0;
    if (s->times >= 0 && st->hits >= s->times)
        return 0;
    if (s->window_end >= 0) {
        long long age = now_ms - st->created_ms;
        if (age < s->window_start || age >= s->window_end)
            return 0;
    }
    return 1;
}

int fault_needs_draw(const struct fault_schedule *s, const struct fault_state *st, long long now_ms)
{
    struct fault_state next = *st;
    next.seen++;
    return s->probability < 1.0 && eligible(s, &next, now_ms);
}

int fault_decide(const struct fault_schedule *s, struct fault_state *st, long long now_ms,
                 double draw)
{
    st->seen++;
    if (!eligible(s, st, now_ms))
        return 0;
    if (s->probability < 1.0 && !(draw < s->probability))
        return 0;
    st->hits++;
    return 1;
}

long long fault_remaining(const struct fault_schedule *s, const struct fault_state *st)
{
    if (s->times < 0)
        return -1;
    return s->times > st->hits ? s->times - st->hits : 0;
}
