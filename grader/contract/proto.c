/* proto.c - the line records the harness sends to the grader */
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void proto_put(struct sbuf *rec, const char *key, const char *value, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (rec->len)
		sbuf_add(rec, "\t", 1);
	sbuf_adds(rec, key);
	sbuf_add(rec, "=", 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];
		char esc[4] = { '\\', 0, 0, 0 };

		if (c == '\t')
			esc[1] = 't';
		else if (c == '\n')
			esc[1] = 'n';
		else if (c == '\\')
			esc[1] = '\\';
		if (esc[1]) {
			sbuf_add(rec, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 15];
			sbuf_add(rec, esc, 4);
		} else {
			sbuf_add(rec, (const char *)&c, 1);
		}
	}
}

void proto_puts(struct sbuf *rec, const char *key, const char *value)
{
	proto_put(rec, key, value ? value : "", value ? strlen(value) : 0);
}

void proto_putu(struct sbuf *rec, const char *key, unsigned long long value)
{
	char num[32];

	snprintf(num, sizeof(num), "%llu", value);
	proto_puts(rec, key, num);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *proto_get(const char *line, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *p = line;

	while (*p) {
		const char *end = strchr(p, '\t');

		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > klen && !strncmp(p, key, klen) &&
		    p[klen] == '=') {
			const char *v = p + klen + 1;
			char *out = malloc((size_t)(end - v) + 1);
			size_t n = 0;

			if (out == NULL)
				return NULL;
			while (v < end) {
				if (*v == '\\' && v + 1 < end) {
					v++;
					if (*v == 't')
						out[n++] = '\t';
					else if (*v == 'n')
						out[n++] = '\n';
					else if (*v == 'x' && v + 2 < end &&
						 hexval(v[1]) >= 0 && hexval(v[2]) >= 0) {
						out[n++] = (char)(hexval(v[1]) * 16 + hexval(v[2]));
						v += 2;
					} else
						out[n++] = *v;
					v++;
				} else {
					out[n++] = *v++;
				}
			}
			out[n] = '\0';
			if (len)
				*len = n;
			return out;
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}
