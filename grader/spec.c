/* spec.c - load and validate spec.json
 *
 * Validation is written as a walk over the document with one small checker
 * per kind of value, each recording a problem with the JSON path where it
 * was found, so that an instructor sees every problem of a spec at once.
 */
#include "spec.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A JSON path longer than its buffer is cut in the message: harmless. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* The tests the harness implements (grader/harness/tests.def). */
static const char *const implemented[] = {
#define WW_TEST(name, table) #name,
#include "tests.def"
#undef WW_TEST
};

static const char *const edge_kinds[] = {
	"non_null", "null", "no_memory_leak", "exit_hlt",
};

struct vctx {
	struct spec    *spec;
	struct strlist *problems;
	unsigned        flags;
};

static void problem(struct vctx *v, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct vctx *v, const char *path, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strlist_addf(v->problems, "%s: %s", path[0] ? path : "(top level)", msg);
}

static const char *type_name(const json_t *j)
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
static const char *sub(const char *path, const char *key)
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

static const char *idx(const char *path, size_t i)
{
	static char buf[8][256];
	static int which;
	char *out = buf[which++ & 7];

	snprintf(out, sizeof(buf[0]), "%s[%zu]", path, i);
	return out;
}

/* Unknown keys of obj are problems; so are missing required ones.  keys is
 * a NULL-terminated list, a leading '?' marks an optional key. */
static void check_keys(struct vctx *v, json_t *obj, const char *path,
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
static json_t *get_typed(struct vctx *v, json_t *obj, const char *path,
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

static const char *get_str(struct vctx *v, json_t *obj, const char *path,
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

static bool get_int(struct vctx *v, json_t *obj, const char *path,
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

static bool get_bool(struct vctx *v, json_t *obj, const char *path,
		     const char *key, bool *out)
{
	json_t *j = get_typed(v, obj, path, key, JSON_TRUE, "a boolean");

	if (j == NULL)
		return false;
	*out = json_is_true(j);
	return true;
}

static bool is_identifier(const char *s)
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
static void get_strings(struct vctx *v, json_t *obj, const char *path,
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

static char *resolve(const struct spec *spec, const char *rel)
{
	return path_join(spec->dir, rel);
}

static void check_file(struct vctx *v, const char *path, const char *rel,
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

static bool implemented_test(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(implemented) / sizeof(implemented[0]); i++)
		if (!strcmp(implemented[i], name))
			return true;
	return false;
}

/* ---- sections ----------------------------------------------------------- */

static void check_table(struct vctx *v, json_t *obj, const char *path,
			struct spec_table *table, struct strlist *seen)
{
	static const char *const keys[] = {
		"name", "input", "expected", "points", "trap", "?trap_explanation",
		"?required", "timeout_ms", NULL,
	};
	json_t *arr = get_typed(v, obj, path, "tests", JSON_ARRAY, "an array");
	const char *tp = sub(path, "tests");
	long long sum = 0;
	size_t i;
	json_t *t;

	if (arr == NULL)
		return;
	if (json_array_size(arr) == 0)
		problem(v, tp, "no tests");
	table->tests = xcalloc(json_array_size(arr), sizeof(*table->tests));
	json_array_foreach(arr, i, t) {
		const char *p = idx(tp, i);
		struct spec_test st = { 0 };
		long long n;
		bool ok = true;
		char where[256];

		if (!json_is_object(t)) {
			problem(v, p, "expected an object, got %s", type_name(t));
			continue;
		}
		snprintf(where, sizeof(where), "%s", p);
		check_keys(v, t, where, keys);
		st.name = get_str(v, t, where, "name", true);
		st.input = get_str(v, t, where, "input", false);
		st.expected = get_str(v, t, where, "expected", false);
		if (get_int(v, t, where, "points", 0, 100, &n)) {
			st.points = (int)n;
			sum += n;
		} else {
			ok = false;
		}
		if (get_int(v, t, where, "timeout_ms", 1, 600000, &n))
			st.timeout_ms = (unsigned)n;
		else
			ok = false;
		get_bool(v, t, where, "trap", &st.trap);
		st.trap_explanation = get_str(v, t, where, "trap_explanation", true);
		if (st.trap && st.trap_explanation == NULL &&
		    json_object_get(t, "trap_explanation") == NULL)
			problem(v, sub(where, "trap_explanation"),
				"missing: a trap test must explain its trap");
		if (!st.trap)
			st.trap_explanation = NULL;
		if (json_object_get(t, "required"))
			get_bool(v, t, where, "required", &st.required);
		if (st.name) {
			if (strlist_has(seen, st.name)) {
				problem(v, sub(where, "name"), "duplicate test name '%s'", st.name);
				ok = false;
			} else {
				strlist_add(seen, st.name);
			}
			if (!implemented_test(st.name)) {
				problem(v, sub(where, "name"), "the harness implements no test "
					"named '%s'", st.name);
				ok = false;
			}
		} else {
			ok = false;
		}
		if (ok)
			table->tests[table->n++] = st;
	}
	if (sum != 100)
		problem(v, tp, "points sum to %lld, expected 100", sum);
}

static void check_function(struct vctx *v, json_t *root)
{
	static const char *const keys[] = {
		"name", "prototype", "return_type", "parameters", NULL,
	};
	static const char *const pkeys[] = { "name", "type", NULL };
	json_t *f = get_typed(v, root, "", "function", JSON_OBJECT, "an object");
	json_t *params, *p;
	const char *name;
	size_t i;

	if (f == NULL)
		return;
	check_keys(v, f, "function", keys);
	name = get_str(v, f, "function", "name", true);
	if (name && !strlist_has(&v->spec->required, name))
		problem(v, "function.name", "'%s' is not in required_functions", name);
	get_str(v, f, "function", "prototype", true);
	get_str(v, f, "function", "return_type", true);
	params = get_typed(v, f, "function", "parameters", JSON_ARRAY, "an array");
	if (params == NULL)
		return;
	json_array_foreach(params, i, p) {
		const char *pp = idx("function.parameters", i);

		if (!json_is_object(p)) {
			problem(v, pp, "expected an object, got %s", type_name(p));
			continue;
		}
		check_keys(v, p, pp, pkeys);
		get_str(v, p, pp, "name", true);
		get_str(v, p, pp, "type", true);
	}
}

static void check_edges(struct vctx *v, json_t *driver)
{
	static const char *const keys[] = {
		"name", "args", "expected", "is_trap", "?trap_explanation", NULL,
	};
	json_t *arr = get_typed(v, driver, "driver", "edge_cases", JSON_ARRAY, "an array");
	struct strlist seen = { 0 };
	size_t i, k;
	json_t *e;

	if (arr == NULL)
		return;
	v->spec->edges = xcalloc(json_array_size(arr), sizeof(*v->spec->edges));
	json_array_foreach(arr, i, e) {
		char p[128];
		struct spec_edge se = { 0 };
		json_t *args;
		bool ok = true;

		snprintf(p, sizeof(p), "driver.edge_cases[%zu]", i);
		if (!json_is_object(e)) {
			problem(v, p, "expected an object, got %s", type_name(e));
			continue;
		}
		check_keys(v, e, p, keys);
		se.name = get_str(v, e, p, "name", true);
		if (se.name && !is_identifier(se.name)) {
			problem(v, sub(p, "name"), "'%s' is not an identifier", se.name);
			ok = false;
		} else if (se.name && strlist_has(&seen, se.name)) {
			problem(v, sub(p, "name"), "duplicate edge case '%s'", se.name);
			ok = false;
		} else if (se.name) {
			strlist_add(&seen, se.name);
		} else {
			ok = false;
		}
		args = get_typed(v, e, p, "args", JSON_ARRAY, "an array");
		if (args && json_array_size(args) != 1) {
			problem(v, sub(p, "args"), "expected 1 argument (memory_mb), got %zu",
				json_array_size(args));
			ok = false;
		} else if (args) {
			json_t *a = json_array_get(args, 0);

			if (!json_is_integer(a)) {
				problem(v, sub(p, "args[0]"), "expected an integer, got %s",
					type_name(a));
				ok = false;
			} else if (json_integer_value(a) < 0 ||
				   json_integer_value(a) > 1024 * 1024) {
				problem(v, sub(p, "args[0]"), "%lld MB is out of range [0, "
					"1048576]", (long long)json_integer_value(a));
				ok = false;
			} else {
				se.arg = (uint64_t)json_integer_value(a);
			}
		} else {
			ok = false;
		}
		se.expected = get_str(v, e, p, "expected", true);
		if (se.expected) {
			bool known = false;

			for (k = 0; k < sizeof(edge_kinds) / sizeof(edge_kinds[0]); k++)
				if (!strcmp(edge_kinds[k], se.expected))
					known = true;
			if (!known) {
				problem(v, sub(p, "expected"), "'%s' is not one of non_null, "
					"null, no_memory_leak, exit_hlt", se.expected);
				ok = false;
			}
		} else {
			ok = false;
		}
		get_bool(v, e, p, "is_trap", &se.trap);
		se.trap_explanation = get_str(v, e, p, "trap_explanation", true);
		if (se.trap && json_object_get(e, "trap_explanation") == NULL)
			problem(v, sub(p, "trap_explanation"),
				"missing: a trap must explain itself");
		if (ok)
			v->spec->edges[v->spec->nedges++] = se;
	}
	strlist_release(&seen);
}

static void check_fuzzing(struct vctx *v, json_t *driver, size_t nparams)
{
	static const char *const keys[] = {
		"enabled", "iterations", "?seed", "?oracle", "generators", NULL,
	};
	static const char *const gkeys[] = { "type", "param_index", "params", NULL };
	static const char *const pkeys[] = { "min", "max", NULL };
	json_t *f = get_typed(v, driver, "driver", "fuzzing", JSON_OBJECT, "an object");
	struct spec *s = v->spec;
	json_t *gens, *g;
	long long n;
	size_t i;

	if (f == NULL)
		return;
	check_keys(v, f, "driver.fuzzing", keys);
	get_bool(v, f, "driver.fuzzing", "enabled", &s->fuzz_enabled);
	if (get_int(v, f, "driver.fuzzing", "iterations", 0, 100000, &n))
		s->fuzz_iterations = (unsigned)n;
	if (json_object_get(f, "seed") &&
	    get_int(v, f, "driver.fuzzing", "seed", 0, INT64_MAX, &n)) {
		s->fuzz_has_seed = true;
		s->fuzz_seed = (uint64_t)n;
	}
	if (json_object_get(f, "oracle")) {
		const char *o = get_str(v, f, "driver.fuzzing", "oracle", true);

		if (o && strcmp(o, "rule") && strcmp(o, "reference"))
			problem(v, "driver.fuzzing.oracle", "'%s' is not rule or reference", o);
		else if (o)
			s->fuzz_oracle = o;
	}
	gens = get_typed(v, f, "driver.fuzzing", "generators", JSON_ARRAY, "an array");
	if (gens == NULL)
		return;
	if (json_array_size(gens) != 1)
		problem(v, "driver.fuzzing.generators", "expected one generator (for "
			"memory_mb), got %zu", json_array_size(gens));
	json_array_foreach(gens, i, g) {
		char p[128], pp[160];
		const char *type;
		json_t *params;
		long long lo = 0, hi = 0;
		bool have_lo, have_hi;

		snprintf(p, sizeof(p), "driver.fuzzing.generators[%zu]", i);
		if (!json_is_object(g)) {
			problem(v, p, "expected an object, got %s", type_name(g));
			continue;
		}
		check_keys(v, g, p, gkeys);
		type = get_str(v, g, p, "type", true);
		if (type && strcmp(type, "int"))
			problem(v, sub(p, "type"), "'%s' is not a known generator (int)", type);
		if (get_int(v, g, p, "param_index", 0, INT32_MAX, &n) &&
		    (size_t)n >= (nparams ? nparams : 1))
			problem(v, sub(p, "param_index"), "%lld but the function has %zu "
				"parameter%s", n, nparams, nparams == 1 ? "" : "s");
		params = get_typed(v, g, p, "params", JSON_OBJECT, "an object");
		if (params == NULL)
			continue;
		snprintf(pp, sizeof(pp), "%s.params", p);
		check_keys(v, params, pp, pkeys);
		have_lo = get_int(v, params, pp, "min", 0, 1024 * 1024, &lo);
		have_hi = get_int(v, params, pp, "max", 0, 1024 * 1024, &hi);
		if (have_lo && have_hi && lo > hi)
			problem(v, pp, "min (%lld) is greater than max (%lld)", lo, hi);
		if (i == 0 && have_lo && have_hi) {
			s->fuzz_min = (uint64_t)lo;
			s->fuzz_max = (uint64_t)hi;
		}
	}
}

static void check_driver(struct vctx *v, json_t *root)
{
	static const char *const keys[] = {
		"reference", "edge_cases", "fuzzing", NULL,
	};
	json_t *d = get_typed(v, root, "", "driver", JSON_OBJECT, "an object");
	json_t *params = json_object_get(json_object_get(root, "function"), "parameters");
	const char *ref;

	if (d == NULL)
		return;
	check_keys(v, d, "driver", keys);
	ref = get_str(v, d, "driver", "reference", true);
	if (ref) {
		if (v->flags & SPEC_CHECK_ALL_FILES)
			check_file(v, "driver.reference", ref, &v->spec->reference);
		else
			v->spec->reference = resolve(v->spec, ref);
	}
	check_edges(v, d);
	check_fuzzing(v, d, json_is_array(params) ? json_array_size(params) : 1);
}

static void check_norm(struct vctx *v, json_t *root)
{
	static const char *const keys[] = {
		"allowed_functions", "forbidden_functions", "check_security",
		"check_memory", "blocking", NULL,
	};
	json_t *n = get_typed(v, root, "", "norm", JSON_OBJECT, "an object");
	struct spec *s = v->spec;
	size_t i;

	if (n == NULL)
		return;
	check_keys(v, n, "norm", keys);
	get_strings(v, n, "norm", "allowed_functions", true, &s->allowed);
	get_strings(v, n, "norm", "forbidden_functions", true, &s->forbidden);
	for (i = 0; i < s->forbidden.n; i++)
		if (strlist_has(&s->allowed, s->forbidden.items[i]))
			problem(v, "norm", "'%s' is both allowed and forbidden",
				s->forbidden.items[i]);
	get_bool(v, n, "norm", "check_security", &s->rule.security);
	get_bool(v, n, "norm", "check_memory", &s->rule.memory);
	get_bool(v, n, "norm", "blocking", &s->norm_blocking);
}

/* pass_rule: which findings refuse a submission whatever its score.  Absent,
 * every kind blocks.  Leaks, memory errors and forbidden calls are the
 * norm's (check_memory, check_security), never listed here. */
static void check_pass_rule(struct vctx *v, json_t *root)
{
	static const char *const keys[] = { "blocking", "bonus", NULL };
	static const struct { const char *name; size_t off; } kinds[] = {
		{ "crash", offsetof(struct pass_rule, crash) },
		{ "timeout", offsetof(struct pass_rule, timeout) },
		{ "failed_trap", offsetof(struct pass_rule, failed_trap) },
		{ "failed_required", offsetof(struct pass_rule, failed_required) },
	};
	json_t *r = get_typed(v, root, "", "pass_rule", JSON_OBJECT, "an object");
	struct pass_rule *rule = &v->spec->rule;
	struct strlist names = { 0 };
	const char *bonus;
	size_t i, k;

	rule->crash = rule->timeout = rule->failed_trap = rule->failed_required = true;
	rule->bonus = BONUS_REFUSE;
	if (r == NULL)
		return;
	check_keys(v, r, "pass_rule", keys);
	rule->crash = rule->timeout = rule->failed_trap = rule->failed_required = false;
	get_strings(v, r, "pass_rule", "blocking", true, &names);
	for (i = 0; i < names.n; i++) {
		const char *n = names.items[i];
		bool known = false;

		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (!strcmp(kinds[k].name, n)) {
				*(bool *)((char *)rule + kinds[k].off) = true;
				known = true;
			}
		if (!strcmp(n, "leak") || !strcmp(n, "memory_error"))
			problem(v, idx("pass_rule.blocking", i), "'%s' is blocking when "
				"norm.check_memory is true: set it there, not here", n);
		else if (!strcmp(n, "forbidden_call"))
			problem(v, idx("pass_rule.blocking", i), "'%s' is blocking when "
				"norm.check_security is true: set it there, not here", n);
		else if (!known)
			problem(v, idx("pass_rule.blocking", i), "'%s' is not one of crash, "
				"timeout, failed_trap, failed_required", n);
	}
	strlist_release(&names);
	bonus = get_str(v, r, "pass_rule", "bonus", true);
	if (bonus && !strcmp(bonus, "forfeit"))
		rule->bonus = BONUS_FORFEIT;
	else if (bonus && strcmp(bonus, "refuse"))
		problem(v, "pass_rule.bonus", "'%s' is not one of refuse (a blocking "
			"finding in the bonus refuses the submission) or forfeit (it only "
			"costs the bonus points)", bonus);
}

/* A required test or the rule naming what no test can give is a mistake. */
static void check_rule_consistency(struct vctx *v)
{
	const struct spec *s = v->spec;
	bool any_required = false;
	size_t i;

	for (i = 0; i < s->base.n; i++)
		any_required = any_required || s->base.tests[i].required;
	for (i = 0; i < s->bonus.n; i++)
		any_required = any_required || s->bonus.tests[i].required;
	if (any_required && !s->rule.failed_required)
		problem(v, "pass_rule.blocking", "tests are marked required but "
			"failed_required is not blocking: their \"required\" means nothing");
}

static void check_validation(struct vctx *v, json_t *root)
{
	static const char *const keys[] = { "expected_pass", "expected_fail", NULL };
	json_t *val = get_typed(v, root, "", "validation", JSON_OBJECT, "an object");
	struct strlist pass = { 0 }, fail = { 0 };
	struct spec *s = v->spec;
	size_t i;

	if (val == NULL)
		return;
	check_keys(v, val, "validation", keys);
	get_strings(v, val, "validation", "expected_pass", false, &pass);
	get_strings(v, val, "validation", "expected_fail", false, &fail);
	for (i = 0; i < pass.n; i++) {
		if (strlist_has(&fail, pass.items[i]))
			problem(v, "validation", "'%s' is expected both to pass and to fail",
				pass.items[i]);
		if (v->flags & SPEC_CHECK_ALL_FILES) {
			char *full = NULL;

			check_file(v, idx("validation.expected_pass", i), pass.items[i], &full);
			strlist_add(&s->expected_pass, full);
			free(full);
		}
	}
	for (i = 0; i < fail.n; i++) {
		if (v->flags & SPEC_CHECK_ALL_FILES) {
			char *full = NULL;

			check_file(v, idx("validation.expected_fail", i), fail.items[i], &full);
			strlist_add(&s->expected_fail, full);
			free(full);
		}
	}
	strlist_release(&pass);
	strlist_release(&fail);
}

static void check_qcm(struct vctx *v, json_t *root)
{
	static const char *const keys[] = {
		"id", "question", "choices", "answer", "explanation", NULL,
	};
	json_t *arr = get_typed(v, root, "", "qcm", JSON_ARRAY, "an array");
	struct spec *s = v->spec;
	size_t i, k;
	json_t *q;

	if (arr == NULL)
		return;
	s->qcm = xcalloc(json_array_size(arr), sizeof(*s->qcm));
	json_array_foreach(arr, i, q) {
		char p[64];
		struct spec_qcm sq = { 0 };
		json_t *choices;
		const char *ans, *key;
		json_t *c;
		long long n;
		bool ok = true;

		snprintf(p, sizeof(p), "qcm[%zu]", i);
		if (!json_is_object(q)) {
			problem(v, p, "expected an object, got %s", type_name(q));
			continue;
		}
		check_keys(v, q, p, keys);
		if (get_int(v, q, p, "id", 1, 1000000, &n)) {
			sq.id = (long)n;
			for (k = 0; k < s->nqcm; k++)
				if (s->qcm[k].id == sq.id) {
					problem(v, sub(p, "id"), "duplicate question id %ld", sq.id);
					ok = false;
				}
		} else {
			ok = false;
		}
		sq.question = get_str(v, q, p, "question", true);
		sq.explanation = get_str(v, q, p, "explanation", false);
		choices = get_typed(v, q, p, "choices", JSON_OBJECT, "an object");
		if (choices) {
			json_object_foreach(choices, key, c) {
				char cp[96];

				snprintf(cp, sizeof(cp), "%s.choices.%s", p, key);
				if (strlen(key) != 1 || key[0] < 'A' || key[0] > 'J')
					problem(v, cp, "choices are letters A to J");
				else if (!json_is_string(c))
					problem(v, cp, "expected a string, got %s", type_name(c));
				else
					sq.choices[key[0] - 'A'] = json_string_value(c);
			}
			if (json_object_size(choices) < 2)
				problem(v, sub(p, "choices"), "a question needs at least 2 choices");
		} else {
			ok = false;
		}
		ans = get_str(v, q, p, "answer", true);
		if (ans && (strlen(ans) != 1 || ans[0] < 'A' || ans[0] > 'J' ||
			    sq.choices[ans[0] - 'A'] == NULL)) {
			problem(v, sub(p, "answer"), "'%s' is not one of the choices", ans);
			ok = false;
		} else if (ans) {
			sq.answer = ans[0];
		} else {
			ok = false;
		}
		if (ok && sq.question)
			s->qcm[s->nqcm++] = sq;
	}
	if (json_array_size(arr) == 0)
		problem(v, "qcm", "no questions");
}

/* mutation: { "threshold": 0..100 } (grader mutate --validate's gate). */
static void check_mutation(struct vctx *v, json_t *root)
{
	static const char *const keys[] = { "threshold", NULL };
	json_t *mu = get_typed(v, root, "", "mutation", JSON_OBJECT, "an object");
	json_t *t;

	v->spec->mutation_threshold = -1;
	if (mu == NULL)
		return;
	check_keys(v, mu, "mutation", keys);
	t = json_object_get(mu, "threshold");
	if (t && !json_is_number(t))
		problem(v, "mutation.threshold", "expected a number, got %s", type_name(t));
	else if (t && (json_number_value(t) < 0 || json_number_value(t) > 100))
		problem(v, "mutation.threshold", "%g is not a percentage (0 to 100)",
			json_number_value(t));
	else if (t)
		v->spec->mutation_threshold = json_number_value(t);
}

int spec_validate(struct spec *s, unsigned flags, struct strlist *problems)
{
	static const char *const keys[] = {
		"name", "language", "type", "tier", "tier_info", "tags",
		"passing_score", "header", "function", "required_functions",
		"compile", "driver", "moulinette", "bonus", "norm", "?pass_rule",
		"validation", "qcm", "?mutation", NULL,
	};
	static const char *const ckeys[] = { "std", "cflags", NULL };
	static const char *const bkeys[] = { "required_functions", "tests", NULL };
	static const char *const mkeys[] = { "tests", NULL };
	struct vctx v = { s, problems, flags };
	struct strlist seen = { 0 };
	json_t *root = s->root, *c, *m, *b;
	const char *str;
	long long n;
	size_t before = problems->n;

	if (!json_is_object(root)) {
		problem(&v, "", "expected an object, got %s", type_name(root));
		return -1;
	}
	check_keys(&v, root, "", keys);
	s->name = get_str(&v, root, "", "name", true);
	str = get_str(&v, root, "", "language", true);
	if (str && strcmp(str, "c17"))
		problem(&v, "language", "'%s': this grader grades c17", str);
	get_str(&v, root, "", "type", true);
	get_int(&v, root, "", "tier", 0, 100, &n);
	get_str(&v, root, "", "tier_info", false);
	{
		struct strlist tags = { 0 };

		get_strings(&v, root, "", "tags", false, &tags);
		strlist_release(&tags);
	}
	if (get_int(&v, root, "", "passing_score", 0, 100, &n))
		s->passing_score = (int)n;
	str = get_str(&v, root, "", "header", true);
	if (str)
		check_file(&v, "header", str, &s->header);
	get_strings(&v, root, "", "required_functions", true, &s->required);
	if (json_object_get(root, "required_functions") && s->required.n == 0)
		problem(&v, "required_functions", "no functions");
	check_function(&v, root);

	c = get_typed(&v, root, "", "compile", JSON_OBJECT, "an object");
	if (c) {
		check_keys(&v, c, "compile", ckeys);
		str = get_str(&v, c, "compile", "std", true);
		if (str && strcmp(str, "c17"))
			problem(&v, "compile.std", "'%s': this grader compiles c17", str);
		get_strings(&v, c, "compile", "cflags", false, &s->cflags);
		for (size_t i = 0; i < s->cflags.n; i++)
			if (s->cflags.items[i][0] != '-')
				problem(&v, idx("compile.cflags", i), "'%s' is not an option",
					s->cflags.items[i]);
	}
	check_driver(&v, root);

	m = get_typed(&v, root, "", "moulinette", JSON_OBJECT, "an object");
	if (m) {
		check_keys(&v, m, "moulinette", mkeys);
		check_table(&v, m, "moulinette", &s->base, &seen);
	}
	b = get_typed(&v, root, "", "bonus", JSON_OBJECT, "an object");
	if (b) {
		check_keys(&v, b, "bonus", bkeys);
		get_strings(&v, b, "bonus", "required_functions", true, &s->bonus_required);
		check_table(&v, b, "bonus", &s->bonus, &seen);
	}
	strlist_release(&seen);
	/* grading reads the reference only for the oracle: check it then */
	if (!(flags & SPEC_CHECK_ALL_FILES) && s->reference && s->fuzz_oracle &&
	    !strcmp(s->fuzz_oracle, "reference")) {
		const char *ref = json_string_value(json_object_get(
			json_object_get(root, "driver"), "reference"));

		free(s->reference);
		s->reference = NULL;
		if (ref)
			check_file(&v, "driver.reference", ref, &s->reference);
	}
	check_norm(&v, root);
	check_pass_rule(&v, root);
	check_rule_consistency(&v);
	check_validation(&v, root);
	check_qcm(&v, root);
	check_mutation(&v, root);
	if (!s->fuzz_oracle)
		s->fuzz_oracle = "rule";
	return problems->n == before ? 0 : -1;
}

int spec_load(struct spec *s, const char *path, char **err)
{
	json_error_t jerr;
	size_t len;
	char *text;

	memset(s, 0, sizeof(*s));
	s->path = xstrdup(path);
	s->dir = path_dir(path);
	text = read_file(path, &len);
	if (text == NULL) {
		*err = xasprintf("cannot read spec '%s': %s", path, strerror(errno));
		return -1;
	}
	s->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (s->root == NULL) {
		*err = xasprintf("cannot parse spec '%s': %s at line %d column %d", path,
				 jerr.text, jerr.line, jerr.column);
		return -1;
	}
	return 0;
}

const struct spec_test *spec_find_test(const struct spec *s, const char *name,
				       bool *is_bonus)
{
	size_t i;

	for (i = 0; i < s->base.n; i++)
		if (!strcmp(s->base.tests[i].name, name)) {
			if (is_bonus)
				*is_bonus = false;
			return &s->base.tests[i];
		}
	for (i = 0; i < s->bonus.n; i++)
		if (!strcmp(s->bonus.tests[i].name, name)) {
			if (is_bonus)
				*is_bonus = true;
			return &s->bonus.tests[i];
		}
	return NULL;
}

void spec_release(struct spec *s)
{
	free(s->path);
	free(s->dir);
	free(s->header);
	free(s->reference);
	strlist_release(&s->cflags);
	strlist_release(&s->required);
	strlist_release(&s->bonus_required);
	strlist_release(&s->allowed);
	strlist_release(&s->forbidden);
	strlist_release(&s->expected_pass);
	strlist_release(&s->expected_fail);
	free(s->base.tests);
	free(s->bonus.tests);
	free(s->edges);
	free(s->qcm);
	json_decref(s->root);
	memset(s, 0, sizeof(*s));
}

int spec_load_checked(struct spec *spec, const char *path)
{
	struct strlist problems = { 0 };
	char *err = NULL;
	int ret = EXIT_PASS;
	size_t i;

	if (spec_load(spec, path, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		ret = strncmp(err, "cannot parse", 12) ? EXIT_USAGE : EXIT_BAD_SPEC;
	} else if (spec_validate(spec, 0, &problems) < 0) {
		for (i = 0; i < problems.n; i++)
			fprintf(stderr, "%s: %s\n", path, problems.items[i]);
		fprintf(stderr, "error: invalid spec '%s': %zu problem%s (see "
			"validate-spec)\n", path, problems.n, problems.n > 1 ? "s" : "");
		ret = EXIT_BAD_SPEC;
	}
	strlist_release(&problems);
	free(err);
	return ret;
}
