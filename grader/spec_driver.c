/* spec_driver.c - the spec's driver section: the reference, the driver's
 * edge cases and the fuzzing of memory_mb
 */
#include "spec_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON path longer than its buffer is cut in the message: harmless. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static const char *const edge_kinds[] = {
	"non_null", "null", "no_memory_leak", "exit_hlt",
};

static void check_edges(struct vctx *v, json_t *driver)
{
	static const char *const keys[] = {
		"name", "args", "expected", "is_trap", "?trap_explanation", "?en", NULL,
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
		check_en(v, e, p, true, &se.en);
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

void check_driver(struct vctx *v, json_t *root)
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
