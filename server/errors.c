/*
 * Error registry. The table is indexed by enum err_code; keep them in step.
 */
#include "errors.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "utf8.h"

static const struct err_def defs[ERR_COUNT] = {
    [ERR_ROUTE_NOT_FOUND] = {"route_not_found", 404},
    [ERR_METHOD_NOT_ALLOWED] = {"method_not_allowed", 405},
    [ERR_BODY_TOO_LARGE] = {"body_too_large", 413},
    [ERR_BAD_FRAMING] = {"bad_framing", 400},
    [ERR_UNSUPPORTED_CODING] = {"unsupported_transfer_encoding", 501},
    [ERR_REQUEST_TIMEOUT] = {"request_timeout", 408},
    [ERR_URI_TOO_LONG] = {"uri_too_long", 414},
    [ERR_HEADERS_TOO_LARGE] = {"headers_too_large", 431},
    [ERR_BAD_JSON] = {"invalid_json", 400},
    [ERR_BAD_UTF8] = {"invalid_utf8", 400},
    [ERR_BAD_FIELD] = {"invalid_field", 400},
    [ERR_INVALID_TENANT] = {"invalid_tenant", 400},
    [ERR_UNKNOWN_TENANT] = {"unknown_tenant", 404},
    [ERR_UNKNOWN_MAPPING] = {"unknown_mapping", 404},
    [ERR_REQUEST_ID_MISSING] = {"missing_request_id", 400},
    [ERR_REQUEST_ID_INVALID] = {"invalid_request_id", 400},
    [ERR_UNKNOWN_REQUEST] = {"unknown_request", 404},
    [ERR_UNKNOWN_FAULT] = {"unknown_fault", 404},
    [ERR_CONFLICT] = {"conflict", 409},
    [ERR_INVALID_FIXTURES] = {"invalid_fixtures", 400},
    [ERR_WRONG_CLOCK] = {"clock_not_manual", 409},
    [ERR_ADMIN_TOKEN] = {"admin_token_required", 401},
    [ERR_UNAVAILABLE] = {"unavailable", 503},
    [ERR_STORAGE_FULL] = {"storage_full", 507},
    [ERR_TENANT_LIMIT] = {"tenant_limit", 507},
    [ERR_STORAGE_DAMAGED] = {"storage_damaged", 503},
    [ERR_STORAGE_IO] = {"storage_error", 503},
    [ERR_INTERNAL] = {"internal_error", 500},
};

const struct err_def *errors_get(enum err_code code)
{
    assert(code >= 0 && code < ERR_COUNT && defs[code].name);
    return &defs[code];
}

void errors_vformat(char *msg, size_t size, const char *fmt, va_list ap)
{
    vsnprintf(msg, size, fmt, ap);
    utf8_sanitize(msg); /* a path, header or parameter echoed here may be any bytes */
}

void errors_reply(struct reply *r, enum err_code code, const char *fmt, ...)
{
    const struct err_def *def = errors_get(code);
    char msg[ERRORS_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    errors_vformat(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    struct jsonw w;
    jsonw_init(&w);
    jsonw_rawf(&w, "{\"code\":%d,\"error_code\":", def->status);
    jsonw_string(&w, def->name);
    jsonw_raw(&w, ",\"message\":");
    jsonw_string(&w, msg);
    jsonw_raw(&w, "}");
    size_t len = 0;
    char *body = jsonw_take(&w, &len);
    reply_json_take(r, def->status, body, len);
    reply_set_field(r->note, sizeof(r->note), def->name);
}
