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

/* The dump, run once: on the norm's first need, or the vetting's. */
static const char *dump_of(const struct build *b, struct inspection *in, char **err)
{
	if (in->dump == NULL && !in->dump_failed) {
		in->dump = inspect_dump(b, err);
		in->dump_failed = in->dump == NULL;
	}
	return in->dump;
}

void inspect_norm(const struct spec *spec, const struct build *b, struct inspection *in)
{
	const char *dump = NULL;

	if (norm_needs_places(spec, &b->symbols.undefined)) {
		char *why = NULL;

		dump = dump_of(b, in, &why);
		free(why);      /* the norm without places, as before */
	}
	norm_check(spec, &b->symbols.undefined, dump, in);
}

int inspect_vet(const struct build *b, struct inspection *in, char **err)
{
	const char *dump;

	in->dump_failed = false;        /* the vetting needs it: say why */
	dump = dump_of(b, in, err);
	if (dump == NULL)
		return -1;
	return vet_object(b->symbols.listing, dump, b->scratch, in, err);
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

void inspection_apply_norm(const struct inspection *in, const struct strlist *reserved,
			   struct grade *g)
{
	if (in->norm_ran)
		g->norm_ran = true;
	add_all(&in->norm, g);
	for (size_t i = 0; reserved && i < reserved->n; i++)
		grade_add_violation(g, reserved->items[i], "",
				    _("defines a name the grader reserves"));
}

void inspection_apply_vet(const struct inspection *in, struct grade *g)
{
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
	free(in->dump);
	memset(in, 0, sizeof(*in));
}
