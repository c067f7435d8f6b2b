/* pack.c - the files of the pack that grader mutants grades */
#include "pack.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

char *pack_canonical(const char *path)
{
	char buf[PATH_MAX];

	return realpath(path, buf) ? xstrdup(buf) : xstrdup(path);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* The rows of validation.<list>; entries with no file go to m->missing. */
static void add_list(struct matrix *m, const struct spec *spec, const char *list,
		     const struct strlist *files, enum expectation expected)
{
	size_t i;

	for (i = 0; i < files->n; i++) {
		const char *rel = files->items[i];
		char *path = path_join(spec->dir, rel);

		if (access(path, R_OK) != 0)
			strlist_addf(&m->missing, "validation.%s lists '%s', which does "
				     "not exist (%s): add the file, or remove the entry",
				     list, rel, strerror(errno));
		else
			matrix_add_row(m, rel, path, expected);
		free(path);
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of the pack's mutants/ and alternatives/ that no list names. */
static void find_unlisted(struct matrix *m, const struct spec *spec)
{
	static const char *const dirs[] = { "mutants", "alternatives" };
	size_t d, i;

	for (d = 0; d < 2; d++) {
		char *dir = path_join(spec->dir, dirs[d]);
		DIR *dp = opendir(dir);
		struct dirent *e;
		struct strlist names = { 0 };

		while (dp && (e = readdir(dp)) != NULL)
			if (has_suffix(e->d_name, ".c"))
				strlist_add(&names, e->d_name);
		if (dp)
			closedir(dp);
		if (names.n)
			qsort(names.items, names.n, sizeof(char *), by_name);
		for (i = 0; i < names.n; i++) {
			char *path = path_join(dir, names.items[i]);
			char *canon = pack_canonical(path);
			bool listed = false;
			size_t r;

			for (r = 0; r < m->nrows && !listed; r++) {
				char *c = pack_canonical(m->rows[r].path);

				listed = !strcmp(c, canon);
				free(c);
			}
			if (!listed)
				strlist_addf(&m->unlisted, "'%s/%s' is in neither validation "
					     "list of the spec: list it in expected_fail (a "
					     "mutant the tests must kill) or in expected_pass "
					     "(a solution they must accept)", dirs[d],
					     names.items[i]);
			free(canon);
			free(path);
		}
		strlist_release(&names);
		free(dir);
	}
}

/* The pack files changed since rev (git, from the spec's directory), in
 * *changed; *all set when the spec itself changed (a test may have). */
int pack_changed_since(const struct spec *spec, const char *spec_path,
			 const char *rev, const char *scratch,
			 struct strlist *changed, bool *all, char **err)
{
	char *diff[] = { "git", "-C", spec->dir, "diff", "--name-only", "--relative",
			 (char *)rev, "--", "mutants", "alternatives", "references", NULL };
	char *others[] = { "git", "-C", spec->dir, "ls-files", "--others",
			   "--exclude-standard", "--", "mutants", "alternatives",
			   "references", NULL };
	char *specd[] = { "git", "-C", spec->dir, "diff", "--name-only", (char *)rev,
			  "--", (char *)path_base(spec_path), NULL };
	char *outs[3] = { NULL, NULL, NULL }, *line, *save = NULL;
	char **argvs[3] = { diff, others, specd };
	int st, k, ret = -1;

	for (k = 0; k < 3; k++) {
		outs[k] = proc_capture(argvs[k], NULL, scratch, &st);
		if (outs[k] == NULL || st != 0) {
			*err = xasprintf("--changed-since %s: git %s failed%s%s", rev,
					 argvs[k][3], outs[k] ? ": " : " (is git installed?)",
					 outs[k] ? outs[k] : "");
			goto out;
		}
	}
	*all = outs[2][0] != '\0';
	for (k = 0; k < 2; k++)
		for (line = strtok_r(outs[k], "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			strlist_add(changed, line);
	ret = 0;
out:
	for (k = 0; k < 3; k++)
		free(outs[k]);
	return ret;
}

/* Keeps the rows whose file is in changed. */
void pack_keep_changed(struct matrix *m, const struct strlist *changed)
{
	size_t i, kept = 0;

	for (i = 0; i < m->nrows; i++) {
		struct matrix_row *r = &m->rows[i];
		const char *f = r->file;

		while (f[0] == '.' && f[1] == '/')
			f += 2;
		if (strlist_has(changed, f)) {
			m->rows[kept++] = *r;
			continue;
		}
		free(r->file);
		free(r->path);
		free(r->compile_message);
		free(r->why);
	}
	if (kept < m->nrows)
		m->partial = true;
	m->nrows = kept;
}

void pack_add_rows(struct matrix *m, const struct spec *spec)
{
	add_list(m, spec, "expected_pass", &spec->expected_pass, EXPECT_PASS);
	add_list(m, spec, "expected_fail", &spec->expected_fail, EXPECT_FAIL);
	find_unlisted(m, spec);
}
