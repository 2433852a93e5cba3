/*
 * Bounded formatting and URL decoding (see text.h).
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

int text_hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

size_t text_url_decode(char *dst, const char *src, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (src[i] == '%' && i + 2 < n && (hi = text_hex_digit(src[i + 1])) >= 0 &&
            (lo = text_hex_digit(src[i + 2])) >= 0) {
            char v = (char)(hi * 16 + lo);
            dst[o++] = v ? v : 0x7f;
            i += 2;
        } else {
            dst[o++] = src[i];
        }
    }
    dst[o] = '\0';
    return o;
}
