/* proto.h - the line records the harness sends to the grader
 *
 * A record is one line of tab-separated fields "key=value", ending in '\n'.
 * Values are escaped so that they hold no tab, newline or backslash:
 * "\\t", "\\n", "\\\\", and "\\xHH" for other control bytes.  The harness's
 * supervisor writes them on the results descriptor the grader gives it; the
 * grader parses them with proto_get().  Shared by both sides.
 */
#ifndef WW_PROTO_H
#define WW_PROTO_H

#include <stddef.h>

#include "sbuf.h"

/* Appends "key=escaped(value)" to a record, with a tab before it unless the
 * record is empty.  len is the number of bytes of value. */
void proto_put(struct sbuf *rec, const char *key, const char *value, size_t len);
void proto_puts(struct sbuf *rec, const char *key, const char *value);
void proto_putu(struct sbuf *rec, const char *key, unsigned long long value);

/* Finds key in the record line (no trailing newline) and returns its value,
 * unescaped, in a malloc'd string (its length in *len if len is not NULL),
 * or NULL if the key is absent or on allocation failure. */
char *proto_get(const char *line, const char *key, size_t *len);

#endif /* WW_PROTO_H */
