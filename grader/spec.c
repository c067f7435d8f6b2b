/* spec.c - load and validate spec.json: the tables, the norm, the pass
 * rule, the validation lists, the QCM (the driver section is in
 * spec_driver.c, the checking kit every section uses in spec_check.c)
 *
 * Longer than ~500 lines for its checkers: one short function per section
 * of the spec, each listing every problem of its section, and the loader
 * that runs them in order; the larger parts (the driver, the kit) are
 * already files of their own.
 */
#include "spec.h"
#include "spec_check.h"

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

static bool implemented_test(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(implemented) / sizeof(implemented[0]); i++)
		if (!strcmp(implemented[i], name))
			return true;
	return false;
}

/* The "en" object of a test or an edge case: the English of exactly the
 * texts the object has in French (input, expected, trap_explanation; an
 * edge case's "expected" is a kind, not a text), each a string, non-empty
 * when the French one is; the count of objects with and without it says at
 * the end whether the spec is bilingual throughout. */
void check_en(struct vctx *v, json_t *obj, const char *where, bool edge,
	      struct spec_en *en)
{
	static const char *const texts[] = { "input", "expected", "trap_explanation" };
	const char **out[] = { &en->input, &en->expected, &en->trap_explanation };
	json_t *e = json_object_get(obj, "en");
	size_t first = edge ? 2 : 0;
	char path[256];
	bool any = false;
	const char *key;
	json_t *val;
	size_t i;

	for (i = first; i < 3; i++)
		any |= json_object_get(obj, texts[i]) != NULL;
	if (!any)
		return;
	if (e == NULL) {
		v->without_en++;
		return;
	}
	v->with_en++;
	snprintf(path, sizeof(path), "%s", sub(where, "en"));
	if (!json_is_object(e)) {
		problem(v, path, "expected an object, got %s", type_name(e));
		return;
	}
	json_object_foreach(e, key, val) {
		for (i = first; i < 3 && strcmp(key, texts[i]); i++)
			;
		if (i == 3)
			problem(v, sub(path, key), "unknown key (%s)",
				edge ? "trap_explanation" : "input, expected, trap_explanation");
		else if (json_object_get(obj, key) == NULL)
			problem(v, sub(path, key), "no French '%s' beside it", key);
	}
	for (i = first; i < 3; i++) {
		json_t *fr = json_object_get(obj, texts[i]);

		if (fr == NULL)
			continue;
		if (json_object_get(e, texts[i]) == NULL)
			problem(v, sub(path, texts[i]), "missing: the French has it");
		else
			*out[i] = get_str(v, e, path, texts[i],
					  json_is_string(fr) && json_string_length(fr) > 0);
	}
}

/* ---- sections ----------------------------------------------------------- */

static void check_table(struct vctx *v, json_t *obj, const char *path,
			struct spec_table *table, struct strlist *seen)
{
	static const char *const keys[] = {
		"name", "input", "expected", "points", "trap", "?trap_explanation",
		"?required", "timeout_ms", "?en", NULL,
	};
	json_t *arr = get_typed(v, obj, path, "tests", JSON_ARRAY, "an array");
	char tp[128];
	long long sum = 0;
	size_t i;
	json_t *t;

	/* sub() hands out one of a few buffers: keep the path of our own */
	snprintf(tp, sizeof(tp), "%s", sub(path, "tests"));
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
		check_en(v, t, where, false, &st.en);
		if (!st.trap) {
			st.trap_explanation = NULL;
			st.en.trap_explanation = NULL;
		}
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
	for (i = 0; i < pass.n; i++)
		if (strlist_has(&fail, pass.items[i]))
			problem(v, "validation", "'%s' is expected both to pass and to fail",
				pass.items[i]);
	/* the files may not exist yet when a file is graded: validate-spec
	 * checks them, grader mutants reports each missing one */
	for (i = 0; v->flags & SPEC_CHECK_ALL_FILES && i < pass.n; i++)
		check_file(v, idx("validation.expected_pass", i), pass.items[i], NULL);
	for (i = 0; v->flags & SPEC_CHECK_ALL_FILES && i < fail.n; i++)
		check_file(v, idx("validation.expected_fail", i), fail.items[i], NULL);
	s->expected_pass = pass;
	s->expected_fail = fail;
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
	static const char *const ckeys[] = { "std", "cflags", "?max_source_bytes", NULL };
	static const char *const bkeys[] = { "required_functions", "tests", NULL };
	static const char *const mkeys[] = { "tests", NULL };
	struct vctx v = { s, problems, flags, 0, 0 };
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
		/* the largest submission or header the build reads (build.h) */
		s->max_source_bytes = SPEC_MAX_SOURCE_BYTES;
		if (get_int(&v, c, "compile", "max_source_bytes", 1, 64ll << 20, &n))
			s->max_source_bytes = (uint64_t)n;
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
	if (v.with_en && v.without_en)
		problem(&v, "", "English texts (\"en\") on %zu tests and edge cases, "
			"none on %zu: give them to every one or to none", v.with_en,
			v.without_en);
	check_mutation(&v, root);
	if (!s->fuzz_oracle)
		s->fuzz_oracle = "rule";
	return problems->n == before ? 0 : -1;
}

enum spec_load_result spec_load(struct spec *s, const char *path, char **err)
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
		return SPEC_UNREADABLE;
	}
	s->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (s->root == NULL) {
		*err = xasprintf("cannot parse spec '%s': %s at line %d column %d", path,
				 jerr.text, jerr.line, jerr.column);
		return SPEC_MALFORMED;
	}
	return SPEC_LOADED;
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

	enum spec_load_result loaded = spec_load(spec, path, &err);

	if (loaded != SPEC_LOADED) {
		fprintf(stderr, "error: %s\n", err);
		ret = loaded == SPEC_MALFORMED ? EXIT_BAD_SPEC : EXIT_USAGE;
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
