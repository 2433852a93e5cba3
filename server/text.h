/*
 * Bounded formatting for messages and JSON paths: snprintf that accepts a NULL or
 * empty buffer and whose truncation is intended (a message cut short is still a
 * message). Going through a va_list also keeps -Wformat-truncation quiet where the
 * cut is the point.
 */
#ifndef CAMPAIGN_TEXT_H
#define CAMPAIGN_TEXT_H

#include <stddef.h>

void text_printf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
