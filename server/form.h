/*
 * application/x-www-form-urlencoded decoding (the IMS endpoints take their parameters
 * this way). Pure: no I/O, bounded, every decoded name and value NUL-terminated.
 */
#ifndef CAMPAIGN_FORM_H
#define CAMPAIGN_FORM_H

#include <stddef.h>

/* IMS takes three or four parameters; 32 leaves room for clients that send extras
 * (ignored) while a body of thousands of "&&&" pairs cannot grow our memory. */
#define FORM_FIELDS_MAX 32
/* An RS256 JWT with a 4096-bit key is about 1.5 KB; 16 KiB per value is generous
 * for any legitimate parameter and still a ceiling. */
#define FORM_VALUE_MAX (16u * 1024)

struct form_field {
    char *name;  /* owned, decoded */
    char *value; /* owned, decoded; "" for "name" without '=' */
};

struct form {
    struct form_field fields[FORM_FIELDS_MAX];
    int n;
};

/*
 * Decodes one component: "+" becomes a space, "%XX" the byte XX. Writes at most
 * out_size bytes including the NUL. Returns the decoded length, or -1 when a '%' is
 * not followed by two hex digits, the result holds a NUL byte (%00), or it does not
 * fit; why (when non-NULL) then says which.
 */
long form_decode(char *out, size_t out_size, const char *in, size_t in_len, char *why,
                 size_t why_size);

/*
 * Parses a whole body ("a=1&b=x+y"; empty pairs are skipped). Returns 0 and fills
 * *out (release with form_free), or -1 with the reason in why and *out empty.
 */
int form_parse(struct form *out, const char *body, size_t len, char *why, size_t why_size);

/*
 * multipart/form-data (RFC 7578), as Adobe's npm clients send their IMS calls: the
 * boundary of a Content-Type ("multipart/form-data; boundary=X", X of 1 to 70 bytes,
 * maybe quoted) into out; 0, or -1 when it is not such a type.
 */
int form_boundary(char *out, size_t out_size, const char *content_type);

/*
 * Parses a multipart body into *out as form_parse does: each part needs a
 * Content-Disposition: form-data; name="..." (other headers are ignored); its value is
 * taken as it is (no decoding), at most FORM_VALUE_MAX bytes without NUL; at most
 * FORM_FIELDS_MAX parts, each head at most 1 KiB. -1 with the reason in why.
 */
int form_parse_multipart(struct form *out, const char *body, size_t len, const char *boundary,
                         char *why, size_t why_size);

/* The first value of name, or NULL. */
const char *form_get(const struct form *f, const char *name);

/* How many times name occurs. */
int form_count(const struct form *f, const char *name);

void form_free(struct form *f);

#endif
