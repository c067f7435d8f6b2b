/* unit_helpers.c - a scratch folder per test (unit_helpers.h) */
#include "unit_helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

static char dir[] = "/tmp/ww-unit-XXXXXX";

char *unit_dir(void)
{
	return dir;
}

void unit_setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

void unit_teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

void unit_write(const char *name, const char *text)
{
	char *p = path_join(dir, name);
	FILE *f = fopen(p, "w");

	cr_assert_not_null(f, "cannot write %s", p);
	fputs(text, f);
	fclose(f);
	free(p);
}
