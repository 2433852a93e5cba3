/*
 * Fuzz target: ingest_request_id_parse with the input as the query value and as the
 * request body. Whatever the bytes, the parser answers an id in 1..2^53 or a reason,
 * never both, and never reads past the body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUEST_ID_MAX 9007199254740992LL

static void check_result(int rc, long long id, int missing, const char *why, size_t why_size)
{
    if (rc == 0) {
        if (id < 1 || id > REQUEST_ID_MAX || missing != 0)
            abort();
    } else {
        if (rc != -1 || why[0] == '\0' || strlen(why) >= why_size || (missing != 0 && missing != 1))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The HTTP layer hands over NUL-terminated copies; do the same. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';

    char why[256];
    long long id = -1;
    int missing = -1;
    why[0] = '\0';
    int rc = ingest_request_id_parse(&id, text, NULL, 0, &missing, why, sizeof(why));
    check_result(rc, id, missing, why, sizeof(why));
    if (missing)
        abort(); /* a query value, even empty, is never "missing" */

    why[0] = '\0';
    id = -1;
    missing = -1;
    rc = ingest_request_id_parse(&id, NULL, text, size, &missing, why, sizeof(why));
    check_result(rc, id, missing, why, sizeof(why));

    /* A tiny reason buffer is cut, never overrun. */
    char small[8];
    small[0] = '\0';
    rc = ingest_request_id_parse(&id, NULL, text, size, &missing, small, sizeof(small));
    if (rc != 0 && strlen(small) >= sizeof(small))
        abort();
    free(text);
    return 0;
}
