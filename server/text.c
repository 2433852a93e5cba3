/*
 * Bounded formatting (see text.h).
 */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>

void text_printf(char *buf, size_t size, const char *fmt, ...)
{
    if (!buf || !size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}
