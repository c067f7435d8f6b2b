/* spec_check.c - the JSON-checking kit of the spec loader: typed getters
 * that record a problem at its JSON path instead of failing (spec_check.h)
 */
#include "spec_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A JSON path longer than its buffer is cut in the message: harmless. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

void problem(struct vctx *v, const char *path, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strlist_addf(v->problems, "%s: %s", path[0] ? path : "(top level)", msg);
}

const char *type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:  return "an object";
	case JSON_ARRAY:   return "an array";
	case JSON_STRING:  return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL:    return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:   return "a boolean";
	case JSON_NULL:    return "null";
	}
	return "something else";
}

/* path.key, or key at the top level; in a static rotating buffer. */
const char *sub(const char *path, const char *key)
{
	static char buf[8][256];
	static int which;
	char *out = buf[which++ & 7];

	if (path[0])
		snprintf(out, sizeof(buf[0]), "%s.%s", path, key);
	else
		snprintf(out, sizeof(buf[0]), "%s", key);
	return out;
}

const char *idx(const char *path, size_t i)
{
	static char buf[8][256];
	static int which;
	char *out = buf[which++ & 7];

	snprintf(out, sizeof(buf[0]), "%s[%zu]", path, i);
	return out;
}

/* Unknown keys of obj are problems; so are missing required ones.  keys is
 * a NULL-terminated list, a leading '?' marks an optional key. */
void check_keys(struct vctx *v, json_t *obj, const char *path,
		       const char *const *keys)
{
	const char *key;
	json_t *val;
	size_t i;

	json_object_foreach(obj, key, val) {
		bool known = false;

		for (i = 0; keys[i]; i++)
			if (!strcmp(keys[i] + (keys[i][0] == '?'), key))
				known = true;
		if (!known)
			problem(v, sub(path, key), "unknown key");
	}
	for (i = 0; keys[i]; i++)
		if (keys[i][0] != '?' && json_object_get(obj, keys[i]) == NULL)
			problem(v, sub(path, keys[i]), "missing");
	(void)val;
}

/* The member key of obj if present and of the wanted type; else a problem
 * (if present) and NULL. */
json_t *get_typed(struct vctx *v, json_t *obj, const char *path,
			 const char *key, json_type type, const char *what)
{
	json_t *j = obj ? json_object_get(obj, key) : NULL;

	if (j == NULL)
		return NULL;
	if (json_typeof(j) != type &&
	    !(type == JSON_TRUE && json_is_boolean(j))) {
		problem(v, sub(path, key), "expected %s, got %s", what, type_name(j));
		return NULL;
	}
	return j;
}

const char *get_str(struct vctx *v, json_t *obj, const char *path,
			   const char *key, bool nonempty)
{
	json_t *j = get_typed(v, obj, path, key, JSON_STRING, "a string");

	if (j == NULL)
		return NULL;
	if (nonempty && json_string_length(j) == 0) {
		problem(v, sub(path, key), "must not be empty");
		return NULL;
	}
	if (strlen(json_string_value(j)) != json_string_length(j)) {
		problem(v, sub(path, key), "contains a NUL byte");
		return NULL;
	}
	return json_string_value(j);
}

bool get_int(struct vctx *v, json_t *obj, const char *path,
		    const char *key, long long min, long long max, long long *out)
{
	json_t *j = get_typed(v, obj, path, key, JSON_INTEGER, "an integer");
	long long n;

	if (j == NULL)
		return false;
	n = json_integer_value(j);
	if (n < min || n > max) {
		problem(v, sub(path, key), "%lld is out of range [%lld, %lld]", n, min, max);
		return false;
	}
	*out = n;
	return true;
}

bool get_bool(struct vctx *v, json_t *obj, const char *path,
		     const char *key, bool *out)
{
	json_t *j = get_typed(v, obj, path, key, JSON_TRUE, "a boolean");

	if (j == NULL)
		return false;
	*out = json_is_true(j);
	return true;
}

bool is_identifier(const char *s)
{
	size_t i;

	if (!s[0] || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* An array of non-empty strings into out (duplicates are problems). */
void get_strings(struct vctx *v, json_t *obj, const char *path,
			const char *key, bool identifiers, struct strlist *out)
{
	json_t *arr = get_typed(v, obj, path, key, JSON_ARRAY, "an array");
	const char *p = sub(path, key);
	size_t i;
	json_t *e;

	if (arr == NULL)
		return;
	json_array_foreach(arr, i, e) {
		const char *s;

		if (!json_is_string(e)) {
			problem(v, idx(p, i), "expected a string, got %s", type_name(e));
			continue;
		}
		s = json_string_value(e);
		if (identifiers && !is_identifier(s)) {
			problem(v, idx(p, i), "'%s' is not a C identifier", s);
			continue;
		}
		if (!s[0]) {
			problem(v, idx(p, i), "must not be empty");
			continue;
		}
		if (strlist_has(out, s)) {
			problem(v, idx(p, i), "'%s' is listed twice", s);
			continue;
		}
		strlist_add(out, s);
	}
}

char *resolve(const struct spec *spec, const char *rel)
{
	return path_join(spec->dir, rel);
}

void check_file(struct vctx *v, const char *path, const char *rel,
		       char **resolved)
{
	char *full = resolve(v->spec, rel);
	struct stat st;

	if (access(full, R_OK) != 0)
		problem(v, path, "file '%s' cannot be read: %s", full, strerror(errno));
	else if (stat(full, &st) == 0 && !S_ISREG(st.st_mode))
		problem(v, path, "'%s' is %s, not a file", full,
			S_ISDIR(st.st_mode) ? "a directory" : "a special file");
	if (resolved)
		*resolved = full;
	else
		free(full);
}
