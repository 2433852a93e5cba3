/*
 * The string set behind the duplicate checks: new and repeated keys, the value a key
 * was first added with, growth past many keys, the empty string.
 */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "strset.h"

CHECK_DEFINE_COUNTERS;

#define KEYS 20000

int main(void)
{
    struct strset s;
    strset_init(&s);
    int earlier = -1;
    CHECK_INT(strset_add(&s, "a", 1, &earlier), 0);
    CHECK_INT(strset_add(&s, "b", 2, NULL), 0);
    CHECK_INT(strset_add(&s, "", 3, NULL), 0);
    CHECK_INT(strset_add(&s, "a", 9, &earlier), 1);
    CHECK_INT(earlier, 1);
    CHECK_INT(strset_add(&s, "", 9, &earlier), 1);
    CHECK_INT(earlier, 3);
    CHECK_INT(s.len, 3);

    /* Past many doublings every key is still found, with its own value. */
    static char keys[KEYS][16];
    for (int i = 0; i < KEYS; i++) {
        snprintf(keys[i], sizeof(keys[i]), "k%d", i);
        if (strset_add(&s, keys[i], i, NULL) != 0) {
            CHECK(0, "key %s reported as seen when new", keys[i]);
            break;
        }
    }
    int found = 0;
    for (int i = 0; i < KEYS; i++) {
        char again[16];
        snprintf(again, sizeof(again), "k%d", i);
        found += strset_add(&s, again, -1, &earlier) == 1 && earlier == i;
    }
    CHECK_INT(found, KEYS);
    CHECK_INT(s.len, KEYS + 3);
    CHECK(s.cap >= 2 * s.len, "kept at most half full: cap %zu for %zu keys", s.cap, s.len);
    CHECK_INT(s.failed, 0);
    strset_free(&s);
    CHECK_INT(s.len, 0);
    return test_report();
}
