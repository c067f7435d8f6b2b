/* inspect.c - the inspect stage: one objdump of the object, read by the
 * norm and the vetting, and its facts applied to the verdict */
#include "inspect.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "util.h"
#include "vet.h"

char *inspect_dump(const struct build *b, char **err)
{
	char *argv[] = { "objdump", "-h", "-d", "-r", "-l", "--no-show-raw-insn",
			 b->object, NULL };

	return build_tool_output(b, argv, err);
}

int inspect_object(const struct spec *spec, const struct build *b, bool vet,
		   struct inspection *in, char **err)
{
	char *dump = NULL;
	int ret = -1;

	if (vet || norm_needs_places(spec, &b->symbols.undefined)) {
		char *why = NULL;

		dump = inspect_dump(b, &why);
		if (dump == NULL && vet) {
			*err = why;
			return -1;
		}
		free(why);      /* the norm without places, as before */
	}
	norm_check(spec, &b->symbols.undefined, dump, in);
	if (vet && vet_object(b->symbols.listing, dump, b->scratch, in, err) < 0)
		goto out;
	ret = 0;
out:
	free(dump);
	return ret;
}

void violation_add(struct violation_list *l, const char *function,
		   const char *location, const char *why)
{
	struct norm_violation *v;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	v = &l->v[l->n++];
	v->function = xstrdup(function);
	v->location = xstrdup(location ? location : "");
	v->why = xstrdup(why);
	v->runtime = false;
}

static void add_all(const struct violation_list *l, struct grade *g)
{
	for (size_t i = 0; i < l->n; i++)
		grade_add_violation(g, l->v[i].function, l->v[i].location, l->v[i].why);
}

void inspection_apply(const struct inspection *in, const struct strlist *reserved,
		      struct grade *g)
{
	if (in->norm_ran)
		g->norm_ran = true;
	add_all(&in->norm, g);
	for (size_t i = 0; reserved && i < reserved->n; i++)
		grade_add_violation(g, reserved->items[i], "",
				    _("defines a name the grader reserves"));
	add_all(&in->vet, g);
	if (in->refused) {
		free(g->refused);
		g->refused = xstrdup(in->refused);
	}
}

static void list_release(struct violation_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].function);
		free(l->v[i].location);
		free(l->v[i].why);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void inspection_release(struct inspection *in)
{
	list_release(&in->norm);
	list_release(&in->vet);
	free(in->refused);
	memset(in, 0, sizeof(*in));
}
