/* build_symbols.c - the submission's symbols: read with nm in the jail,
 * judged before linking (main, the required functions, reserved names) */
#include "build_int.h"
#include "proc.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Runs nm on object (in the jail: the object is the submission's). */
int build_symbols_read(struct build *b, const struct jail_view *v, const char *object,
			struct build_symbols *sy, char **err)
{
	struct strlist argv = { 0 };
	struct jail_tool_result r = { 0 };
	char *line, *save = NULL, *obj = path_join(b->scratch, "obj");
	int ret = -1;

	proc_nm_argv(&argv);
	strlist_add(&argv, "-P");
	strlist_add(&argv, object);
	if (build_step(b, v, &argv, obj, &r, err) < 0)
		goto out;
	if (r.end != JAIL_TOOL_EXITED || r.status != 0) {
		*err = xasprintf("cannot run nm on '%s': %s", object, r.output);
		goto out;
	}
	sy->read = true;
	sy->listing = xstrdup(r.output ? r.output : "");
	for (line = strtok_r(r.output, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[512], type;

		if (sscanf(line, "%511s %c", name, &type) != 2)
			continue;
		if (type == 'U' || type == 'w' || type == 'v')
			strlist_add(&sy->undefined, name);
		else if (type >= 'A' && type <= 'Z') {
			strlist_add(&sy->defined, name);
			if (type == 'T')
				strlist_add(&sy->functions, name);
		}
	}
	ret = 0;
out:
	jail_tool_result_release(&r);
	strlist_release(&argv);
	free(obj);
	return ret;
}

void build_symbols_release(struct build_symbols *sy)
{
	strlist_release(&sy->defined);
	strlist_release(&sy->functions);
	strlist_release(&sy->undefined);
	strlist_release(&sy->reserved);
	free(sy->listing);
	memset(sy, 0, sizeof(*sy));
}

/* What the symbols say before linking: a verdict message, or NULL. */
char *build_symbols_check(const struct spec *spec, struct build_symbols *sy,
			  struct strlist *missing)
{
	struct sbuf sb = { 0 };
	size_t i, n;

	if (strlist_has(&sy->defined, "main"))
		return xstrdup(_("the submission defines main(): it must provide the "
				 "exercise's functions only (the grader brings its own "
				 "main)"));
	for (i = 0, n = 0; i < spec->required.n; i++)
		if (!strlist_has(&sy->functions, spec->required.items[i])) {
			sbuf_addf(&sb, "%s%s()", sb.len ? ", " : "", spec->required.items[i]);
			n++;
			strlist_add(missing, spec->required.items[i]);
		}
	if (sb.len) {
		char *msg = xasprintf(ngettext("missing required function: %s",
					       "missing required functions: %s", n), sb.buf);

		sbuf_release(&sb);
		return msg;
	}
	for (i = 0; i < sy->defined.n; i++) {
		const char *s = sy->defined.items[i];
		size_t k;
		bool reserved = starts_with(s, "ww_") || starts_with(s, "__wrap_");

		for (k = 0; k < build_nwrapped; k++)
			if (!strcmp(s, build_wrapped[k]))
				reserved = true;
		if (reserved) {
			strlist_add(&sy->reserved, s);
			sbuf_addf(&sb, "%s%s", sb.len ? ", " : "", s);
			n++;
		}
	}
	if (sb.len) {
		char *msg = xasprintf(ngettext("the submission defines %s, reserved by the "
					       "grader (it intercepts these calls): rename it",
					       "the submission defines %s, reserved by the "
					       "grader (it intercepts these calls): rename them",
					       n), sb.buf);

		sbuf_release(&sb);
		return msg;
	}
	return NULL;
}
