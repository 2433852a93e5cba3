/*
 * String set: open addressing with linear probing, FNV-1a hashes, kept at most half
 * full so that probes stay short.
 */
#include "strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void strset_init(struct strset *s)
{
    memset(s, 0, sizeof(*s));
}

void strset_free(struct strset *s)
{
    free(s->slots);
    memset(s, 0, sizeof(*s));
}

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

/* The slot of s: where it is, or the empty one where it would go. */
static size_t find(const struct strset_slot *slots, size_t cap, const char *s)
{
    size_t i = (size_t)hash(s) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, s) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

static int grow(struct strset *set)
{
    size_t cap = set->cap ? set->cap * 2 : 64;
    struct strset_slot *slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return -1;
    for (size_t i = 0; i < set->cap; i++) {
        if (set->slots[i].key)
            slots[find(slots, cap, set->slots[i].key)] = set->slots[i];
    }
    free(set->slots);
    set->slots = slots;
    set->cap = cap;
    return 0;
}

int strset_add(struct strset *set, const char *s, int value, int *earlier)
{
    if (set->failed)
        return 0;
    if ((set->len + 1) * 2 > set->cap && grow(set) < 0) {
        set->failed = 1;
        return 0;
    }
    size_t i = find(set->slots, set->cap, s);
    if (set->slots[i].key) {
        if (earlier)
            *earlier = set->slots[i].value;
        return 1;
    }
    set->slots[i].key = s;
    set->slots[i].value = value;
    set->len++;
    return 0;
}
