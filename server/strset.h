/*
 * A set of strings for duplicate checks over client input (ids in a fixture or a
 * snapshot, the members of a JSON object): linear time where comparing each item with
 * every earlier one was quadratic, and a hostile document of 40,000 mappings took 13 s.
 * Keeps pointers, not copies: the strings must outlive the set.
 */
#ifndef CAMPAIGN_STRSET_H
#define CAMPAIGN_STRSET_H

#include <stddef.h>

struct strset_slot {
    const char *key; /* NULL = empty */
    int value;
};

struct strset {
    struct strset_slot *slots; /* open addressing */
    size_t cap, len;           /* cap is 0 or a power of two */
    int failed;                /* an allocation failed: further checks answer "new" */
};

void strset_init(struct strset *s);
void strset_free(struct strset *s);

/* Adds s with value (e.g. its index in the input); returns 1 when it was there already
 * (*earlier, when not NULL, gets the value it was added with), 0 when it is new (also
 * when out of memory, which is then remembered in failed). */
int strset_add(struct strset *set, const char *s, int value, int *earlier);

#endif
