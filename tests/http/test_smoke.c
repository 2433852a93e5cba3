/*
 * Smoke: the bundled fixtures answer the documented submitted body.
 */
#include "http/harness.h"

#include <curl/curl.h>

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    struct server s;
    if (server_start(&s, NULL, NULL) < 0)
        return 1;
    struct response r;
    trigger(&r, &s, "acme", "XDM44");
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, "{\"requestId\": 3520, \"info\": \"Ingestion request submitted successfully "
                      "for the Mapping ID: XDM44\", \"status\": \"Success\"}");
    response_free(&r);
    CHECK_INT(server_stop(&s), 0);
    curl_global_cleanup();
    return test_report();
}
