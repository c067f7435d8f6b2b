/* mutate_select.c - which generated mutants grader mutate grades:
 * --function NAME, and --changed-since REV (the lines of the reference git
 * says changed since REV)
 */
#include "mutate.h"

#include <stdlib.h>
#include <string.h>

#include "proc.h"

/* --function and --changed-since: which mutants are graded. */
int mutate_select(struct mutant_set *set, const char *reference, const char *function,
		  const char *changed_since, const char *scratch, char **err)
{
	char *dir = path_dir(reference);
	char *argv[] = { "git", "-C", dir, "diff", "-U0", "--no-color",
			 (char *)changed_since, "--", (char *)path_base(reference), NULL };
	char *out = NULL, *line, *save = NULL;
	unsigned long *ranges = NULL;
	size_t nr = 0, i, k;
	bool fn_found = function == NULL;
	int st, ret = -1;

	if (changed_since) {
		out = proc_capture(argv, NULL, scratch, &st);
		if (out == NULL || st != 0) {
			*err = xasprintf("--changed-since %s: git diff failed%s%s",
					 changed_since, out ? ": " : " (is git installed?)",
					 out ? out : "");
			goto out;
		}
		/* "@@ -a,b +c,d @@": lines c .. c+d-1 of the reference changed */
		for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *plus = strstr(line, " +"), *end;
			unsigned long c, d = 1;

			if (strncmp(line, "@@ ", 3) || plus == NULL)
				continue;
			c = strtoul(plus + 2, &end, 10);
			if (*end == ',')
				d = strtoul(end + 1, NULL, 10);
			if (d == 0)     /* lines removed after c: c and c+1 touch it */
				d = 2;
			ranges = xrealloc(ranges, (nr + 1) * 2 * sizeof(*ranges));
			ranges[2 * nr] = c;
			ranges[2 * nr + 1] = c + d - 1;
			nr++;
		}
	}
	for (i = 0; i < set->n; i++) {
		struct mutant *m = &set->v[i];
		bool in = changed_since == NULL;

		for (k = 0; k < nr && !in; k++)
			in = m->line >= ranges[2 * k] && m->line <= ranges[2 * k + 1];
		if (function && strcmp(function, m->function))
			in = false;
		fn_found = fn_found || (function && !strcmp(function, m->function));
		m->selected = in;
	}
	if (!fn_found) {
		*err = xasprintf("--function %s: no mutant in a function of that name "
				 "in '%s'", function, reference);
		goto out;
	}
	ret = 0;
out:
	free(out);
	free(ranges);
	free(dir);
	return ret;
}
