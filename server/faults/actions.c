/*
 * The action table: every action a fault rule names by value. Adding a row here is
 * what makes an action valid, listed in messages and applied (apply.c resolves a
 * gateway error by api/gateway.c's table, a transport by http/reply.c's names); the
 * schema files and the dashboard list the same values, which test_fault_table checks.
 */
#include "faults/internal.h"

#include <string.h>

#include "text.h"

static const struct fault_action_def actions[] = {
    /* Adobe's gateway answers, byte for byte (api/gateway.c). */
    {FAULT_ERROR, "401013", 1},
    {FAULT_ERROR, "403003", 1},
    {FAULT_ERROR, "403023", 1},
    {FAULT_ERROR, "429050", 1},
    {FAULT_ERROR, "500", 1},
    {FAULT_ERROR, "502", 1},
    {FAULT_ERROR, "503", 1},
    /* Broken transport (http/server.c carries each out; see enum reply_transport). */
    {FAULT_TRANSPORT, "reset", 1},
    {FAULT_TRANSPORT, "empty", 1},
    {FAULT_TRANSPORT, "truncate", 0},
    {FAULT_TRANSPORT, "hang", 1},
};

static const struct {
    const char *member;
    int quoted; /* list the names in quotes in messages */
} kinds[] = {
    [FAULT_DELAY_ONLY] = {"delayMs", 0},
    [FAULT_ERROR] = {"error", 1},
    [FAULT_CUSTOM] = {"status", 0},
    [FAULT_TRANSPORT] = {"transport", 0},
};

const struct fault_action_def *faults_actions(size_t *n)
{
    *n = sizeof(actions) / sizeof(actions[0]);
    return actions;
}

const struct fault_action_def *faults_action_find(enum fault_kind kind, const char *name)
{
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (actions[i].kind == kind && strcmp(actions[i].name, name) == 0)
            return &actions[i];
    }
    return NULL;
}

const char *faults_kind_member(enum fault_kind kind)
{
    return kinds[kind].member;
}

void faults_kind_list(enum fault_kind kind, char *out, size_t size)
{
    size_t used = 0;
    if (size)
        out[0] = '\0';
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (actions[i].kind != kind)
            continue;
        const char *q = kinds[kind].quoted ? "\"" : "";
        text_printf(out + used, size - used, "%s%s%s%s", used ? ", " : "", q, actions[i].name, q);
        used += strlen(out + used);
    }
}
