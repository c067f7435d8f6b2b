/* mutate_equiv.c - the instructor's reviewed equivalent mutants, and the
 * counts of a mutation run
 *
 * A survivor the compiler could not see as equivalent (same behaviour,
 * different code) is listed by its id with the reason a reviewer can
 * check; it then counts as equivalent, not as a blind spot.
 */
#include "mutate.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int mutate_equiv_load(struct mutate_equiv *e, const char *path, char **err)
{
	json_error_t je;
	json_t *list, *item;
	size_t i;

	e->root = NULL;
	if (path == NULL || access(path, F_OK) != 0)
		return 0;
	e->root = json_load_file(path, 0, &je);
	if (e->root == NULL) {
		*err = xasprintf("cannot read the equivalents '%s': %s at line %d",
				 path, je.text, je.line);
		return -1;
	}
	list = json_object_get(e->root, "equivalents");
	if (!json_is_array(list)) {
		*err = xasprintf("the equivalents '%s': expected an object with an "
				 "array \"equivalents\"", path);
		goto fail;
	}
	json_array_foreach(list, i, item) {
		const char *reason = json_string_value(json_object_get(item, "reason"));

		if (!json_is_string(json_object_get(item, "id")) || reason == NULL ||
		    strlen(reason) < 10) {
			*err = xasprintf("the equivalents '%s': entry %zu needs an \"id\" "
					 "and a \"reason\" a reviewer can check (10 "
					 "characters at least)", path, i + 1);
			goto fail;
		}
	}
	return 0;
fail:
	json_decref(e->root);
	e->root = NULL;
	return -1;
}

/* The entries of e that apply to the reference named reference_base. */
static bool equiv_applies(const json_t *item, const char *reference_base)
{
	const char *ref = json_string_value(json_object_get(item, "reference"));

	return ref == NULL || !strcmp(ref, reference_base);
}

void mutate_equiv_mark(const struct mutate_equiv *e, struct mutant_set *set,
		       const char *reference_base)
{
	json_t *list = e->root ? json_object_get(e->root, "equivalents") : NULL;
	json_t *item;
	size_t i, k;

	json_array_foreach(list, i, item) {
		const char *id = json_string_value(json_object_get(item, "id"));

		if (!equiv_applies(item, reference_base))
			continue;
		for (k = 0; k < set->n; k++)
			if (!strcmp(set->v[k].id, id))
				set->v[k].listed = true;
	}
}

void mutate_equiv_apply(const struct mutate_equiv *e, struct mutant_set *set,
			const char *reference_base, struct strlist *stale)
{
	json_t *list = e->root ? json_object_get(e->root, "equivalents") : NULL;
	json_t *item;
	size_t i, k;

	json_array_foreach(list, i, item) {
		const char *id = json_string_value(json_object_get(item, "id"));
		bool found = false;

		if (!equiv_applies(item, reference_base))
			continue;
		for (k = 0; k < set->n; k++) {
			struct mutant *m = &set->v[k];

			if (strcmp(m->id, id))
				continue;
			found = true;
			if (m->status == MUT_SURVIVED) {
				m->status = MUT_REVIEWED;
				m->reason = json_string_value(json_object_get(item, "reason"));
			} else if (m->selected && m->status != MUT_REVIEWED) {
				strlist_addf(stale, "%s: listed as equivalent, but %s", id,
					     mutant_status_name(m->status));
			}
		}
		if (!found)
			strlist_addf(stale, "%s: listed as equivalent, but no mutant has "
				     "this id any more", id);
	}
}

void mutate_equiv_release(struct mutate_equiv *e)
{
	json_decref(e->root);
	e->root = NULL;
}

void mutate_summarize(const struct mutant_set *set, struct mutate_summary *s)
{
	size_t i;
	unsigned ms = s->ms;

	memset(s, 0, sizeof(*s));
	s->ms = ms;
	s->generated = set->n;
	for (i = 0; i < set->n; i++) {
		const struct mutant *m = &set->v[i];

		if (!m->selected)
			continue;
		s->selected++;
		s->valgrind += m->valgrind;
		s->native_only += m->native_only;
		switch (m->status) {
		case MUT_NOT_COMPILING: s->not_compiling++; break;
		case MUT_EQUIVALENT:    s->equivalent++; break;
		case MUT_DUPLICATE:     s->duplicate++; break;
		case MUT_REVIEWED:      s->reviewed++; break;
		case MUT_KILLED:        s->killed++; break;
		case MUT_SURVIVED:      s->survived++; break;
		case MUT_PENDING:       break;
		}
	}
	s->score = s->killed + s->survived
		? 100.0 * (double)s->killed / (double)(s->killed + s->survived) : -1;
}
