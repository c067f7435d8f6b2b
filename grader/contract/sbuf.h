/* sbuf.h - a growable string, for the grader and the harness alike
 *
 * Out of memory aborts: neither side can do its job without it.
 */
#ifndef WW_SBUF_H
#define WW_SBUF_H

#include <stddef.h>

/* A growable string.  Zero-initialise; release with sbuf_release(). */
struct sbuf {
	char   *buf;
	size_t  len;
	size_t  cap;
};

void sbuf_add(struct sbuf *sb, const char *data, size_t len);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sbuf_release(struct sbuf *sb);
/* Returns the string (never NULL: "" for an empty buffer). */
const char *sbuf_str(const struct sbuf *sb);

#endif /* WW_SBUF_H */
