/*
 * The one registry of campaign-mock's own errors (code, HTTP status). Every error
 * body of ours is made here, as {"code":STATUS,"error_code":"NAME","message":"..."}
 * with a one-line message that names the field or the problem. Adobe's documented
 * bodies are not errors of ours and are built by their handlers.
 */
#ifndef CAMPAIGN_ERRORS_H
#define CAMPAIGN_ERRORS_H

#include <stdarg.h>
#include <stddef.h>

#include "http/reply.h"

enum err_code {
    ERR_ROUTE_NOT_FOUND = 0,
    ERR_METHOD_NOT_ALLOWED,
    ERR_BODY_TOO_LARGE,
    ERR_URI_TOO_LONG,
    ERR_HEADERS_TOO_LARGE,
    ERR_BAD_FRAMING,
    ERR_UNSUPPORTED_CODING,
    ERR_REQUEST_TIMEOUT,
    ERR_BAD_JSON,
    ERR_BAD_UTF8,
    ERR_BAD_FIELD,
    ERR_INVALID_TENANT,
    ERR_UNKNOWN_TENANT,
    ERR_UNKNOWN_MAPPING,
    ERR_REQUEST_ID_MISSING,
    ERR_REQUEST_ID_INVALID,
    ERR_UNKNOWN_REQUEST,
    ERR_UNKNOWN_FAULT,
    ERR_CONFLICT,
    ERR_INVALID_FIXTURES,
    ERR_WRONG_CLOCK,
    ERR_ADMIN_TOKEN,
    ERR_UNAVAILABLE,
    ERR_STORAGE_FULL,
    ERR_TENANT_LIMIT,
    ERR_STORAGE_DAMAGED,
    ERR_STORAGE_IO,
    ERR_INTERNAL,
    ERR_COUNT
};

struct err_def {
    const char *name; /* error_code in the body */
    int status;
};

const struct err_def *errors_get(enum err_code code);

/* Fills r with the error's status and body; message is printf-formatted. */
void errors_reply(struct reply *r, enum err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The longest message of an error body, in bytes with its NUL. */
#define ERRORS_MSG_MAX 512

/* Formats an error message into msg (size bytes, cut to fit) with every byte that is
 * not part of valid UTF-8 made '?': the one rule for every message of ours, campaign's
 * envelope and IMS's alike, which often echo what a client sent. */
void errors_vformat(char *msg, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
