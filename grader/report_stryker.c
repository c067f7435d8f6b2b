/* report_stryker.c - the kill matrix in Stryker's mutation-testing-report
 * schema (https://github.com/stryker-mutator/mutation-testing-elements,
 * packages/report-schema), version 2
 *
 * The schema describes mutants as changes inside source files.  Our mutants
 * are whole files, so each is placed in the accepted solution it differs
 * least from (diff -U0, comments left out: the mutants' header comments
 * would otherwise always come first), at the lines from its first to its
 * last change, with the mutant's text of those lines as the replacement.
 * A mutant that differs from every solution in more than half its lines is
 * reported in a file entry of its own.  The tests are listed under the spec,
 * where they are declared.
 */
#include "report_matrix.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"

/* A file split in lines (pointers into text). */
struct lines {
	char   *text;
	char  **at;
	size_t  n;
};

static int lines_read(struct lines *l, const char *path)
{
	char *p;

	memset(l, 0, sizeof(*l));
	l->text = read_file(path, NULL);
	if (l->text == NULL)
		return -1;
	for (p = l->text; *p; ) {
		char *nl = strchr(p, '\n');

		l->at = xrealloc(l->at, (l->n + 1) * sizeof(*l->at));
		l->at[l->n++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return 0;
}

static void lines_release(struct lines *l)
{
	free(l->text);
	free(l->at);
}

/* Blank, or only comment text. */
static bool comment_line(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return !*s || !strncmp(s, "/*", 2) || !strncmp(s, "*", 1) || !strncmp(s, "//", 2);
}

/* Where a mutant differs from a base, in both files' lines (1-based,
 * inclusive; old_last < old_first for a pure insertion after old_last). */
struct change {
	size_t changed;                 /* code lines changed, both sides */
	size_t old_first, old_last;
	size_t new_first, new_last;
	bool   found;
};

/* Parses "-a[,b] +c[,d]" of a hunk header. */
static int hunk_header(const char *line, size_t *a, size_t *b, size_t *c, size_t *d)
{
	unsigned long x[4] = { 0, 1, 0, 1 };
	const char *p = line + 3;
	char *end;

	x[0] = strtoul(p + 1, &end, 10);
	if (*end == ',')
		x[1] = strtoul(end + 1, &end, 10);
	p = strchr(end, '+');
	if (p == NULL)
		return -1;
	x[2] = strtoul(p + 1, &end, 10);
	if (*end == ',')
		x[3] = strtoul(end + 1, &end, 10);
	*a = x[0];
	*b = x[1];
	*c = x[2];
	*d = x[3];
	return 0;
}

static int diff_files(const char *base, const char *mutant, const char *scratch,
		      struct change *ch)
{
	char *argv[] = { "diff", "-U0", (char *)base, (char *)mutant, NULL };
	char *out, *line, *save = NULL;
	size_t a = 0, b = 0, c = 0, d = 0, code = 0;
	int st;

	memset(ch, 0, sizeof(*ch));
	out = proc_capture(argv, NULL, scratch, &st);
	if (out == NULL || st > 1) {
		free(out);
		return -1;
	}
	/* A hunk counts when one of its lines is code; it is closed at the
	 * next header or at the end. */
	for (line = strtok_r(out, "\n", &save); ; line = strtok_r(NULL, "\n", &save)) {
		if (line == NULL || !strncmp(line, "@@ ", 3)) {
			if (code) {
				if (!ch->found) {
					ch->old_first = b ? a : a + 1;
					ch->new_first = d ? c : c + 1;
				}
				ch->old_last = b ? a + b - 1 : a;
				ch->new_last = d ? c + d - 1 : c;
				ch->changed += code;
				ch->found = true;
			}
			code = 0;
			if (line == NULL)
				break;
			if (hunk_header(line, &a, &b, &c, &d) < 0)
				break;
			continue;
		}
		if ((line[0] == '-' || line[0] == '+') && strncmp(line, "--- ", 4) &&
		    strncmp(line, "+++ ", 4) && !comment_line(line + 1))
			code++;
	}
	free(out);
	return 0;
}

/* The Fault: paragraph of the file's header comment, else its first line. */
static char *description(const struct lines *src, const char *file)
{
	struct sbuf sb = { 0 };
	size_t i;

	for (i = 0; i < src->n && i < 40; i++) {
		const char *f = strstr(src->at[i], "Fault:");

		if (f == NULL)
			continue;
		sbuf_adds(&sb, f + strlen("Fault:") + (f[6] == ' '));
		while (++i < src->n && !strncmp(src->at[i], " *   ", 5))
			sbuf_addf(&sb, " %s", src->at[i] + 5);
		return sb.buf;
	}
	if (src->n && !strncmp(src->at[0], "/* ", 3))
		return xstrdup(src->at[0] + 3);
	return xasprintf("the faults of %s", file);
}

static const char *status_of(const struct matrix *m, const struct matrix_row *r)
{
	size_t n, i, timeouts = 0, *k;

	switch (r->verdict) {
	case VERDICT_SURVIVED:   return "Survived";
	case VERDICT_NOTICED:    return "Survived";  /* a student would pass it */
	case VERDICT_STILLBORN:  return "CompileError";
	case VERDICT_EQUIVALENT: return "Ignored";
	case VERDICT_KILLED:
		k = matrix_row_killers(m, r, &n);
		for (i = 0; i < n; i++)
			timeouts += r->cells[k[i]].status == ST_TIMEOUT;
		free(k);
		return n && timeouts == n ? "Timeout" : "Killed";
	default:
		return "Pending";
	}
}

static char *status_reason(const struct matrix *m, const struct matrix_row *r)
{
	struct sbuf sb = { 0 };
	size_t n, i, *k;

	switch (r->verdict) {
	case VERDICT_SURVIVED:
		return xstrdup("every test passed");
	case VERDICT_NOTICED:
		k = matrix_row_killers(m, r, &n);
		sbuf_addf(&sb, "noticed, not killed: the student verdict is PASS "
			  "(score %d, nothing blocking); these tests lost points:", r->score);
		for (i = 0; i < n; i++)
			sbuf_addf(&sb, "\n%s: %s: %s", m->columns[k[i]],
				  status_name(r->cells[k[i]].status), r->cells[k[i]].message);
		free(k);
		return sb.buf;
	case VERDICT_KILLED:
		k = matrix_row_killers(m, r, &n);
		sbuf_addf(&sb, "refused: %s", r->refused_because ? r->refused_because : "?");
		for (i = 0; i < n; i++)
			sbuf_addf(&sb, "\n%s: %s: %s", m->columns[k[i]],
				  status_name(r->cells[k[i]].status), r->cells[k[i]].message);
		free(k);
		return sb.buf;
	case VERDICT_STILLBORN:
		return xstrdup(r->compile_message);
	case VERDICT_EQUIVALENT:
		return xasprintf("equivalent: its compiled code is identical to %s's",
				 r->equivalent_to);
	default:
		k = matrix_row_killers(m, r, &n);
		for (i = 0; i < n; i++)
			sbuf_addf(&sb, "%s%s: %s: %s", i ? "\n" : "", m->columns[k[i]],
				  status_name(r->cells[k[i]].status), r->cells[k[i]].message);
		free(k);
		return sb.buf ? sb.buf : xstrdup("");
	}
}

/* A JSON string of s; bytes that are not UTF-8 become '?'. */
static json_t *jstring(const char *s)
{
	json_t *j = json_string(s);
	char *copy, *p;

	if (j)
		return j;
	copy = xstrdup(s);
	for (p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *position(size_t line, size_t column)
{
	json_t *p = json_object();

	json_object_set_new(p, "line", json_integer((json_int_t)line));
	json_object_set_new(p, "column", json_integer((json_int_t)column));
	return p;
}

/* The mutant's text of lines [first, last], joined. */
static char *text_of(const struct lines *l, size_t first, size_t last)
{
	struct sbuf sb = { 0 };
	size_t i;

	for (i = first; i <= last && i >= 1 && i <= l->n; i++)
		sbuf_addf(&sb, "%s%s", i > first ? "\n" : "", l->at[i - 1]);
	return sb.buf ? sb.buf : xstrdup("");
}

static json_t *mutant_json(const struct matrix *m, const struct matrix_row *r,
			   const struct lines *base, const struct lines *mut,
			   const struct change *ch)
{
	json_t *o = json_object(), *killed = json_array(), *covered = json_array();
	json_t *loc = json_object();
	const char *slash = strrchr(r->file, '/');
	char *name = xstrdup(slash ? slash + 1 : r->file), *dot = strrchr(name, '.');
	size_t n, i, tests = 0, *k = matrix_row_killers(m, r, &n);
	char *s;

	if (dot)
		*dot = '\0';
	for (i = 0; r->verdict == VERDICT_KILLED && i < n; i++)
		json_array_append_new(killed, json_string(m->columns[k[i]]));
	free(k);
	for (i = 0; r->cells && i < m->ncolumns; i++)
		if (r->cells[i].graded) {
			json_array_append_new(covered, json_string(m->columns[i]));
			tests++;
		}
	if (ch->old_last >= ch->old_first && ch->old_last <= base->n) {
		json_object_set_new(loc, "start", position(ch->old_first, 1));
		json_object_set_new(loc, "end", position(ch->old_last,
				    strlen(base->at[ch->old_last - 1]) + 1));
	} else {        /* inserted after old_last */
		json_object_set_new(loc, "start", position(ch->old_first, 1));
		json_object_set_new(loc, "end", position(ch->old_first, 1));
	}
	json_object_set_new(o, "id", json_string(r->file));
	json_object_set_new(o, "mutatorName", json_string(name));
	json_object_set_new(o, "description", jstring(s = description(mut, r->file)));
	free(s);
	s = text_of(mut, ch->new_first, ch->new_last);
	if (ch->old_last < ch->old_first) {     /* inserted before a line */
		char *t = xasprintf("%s\n", s);

		free(s);
		s = t;
	}
	json_object_set_new(o, "replacement", jstring(s));
	free(s);
	json_object_set_new(o, "location", loc);
	json_object_set_new(o, "status", json_string(status_of(m, r)));
	json_object_set_new(o, "statusReason", jstring(s = status_reason(m, r)));
	free(s);
	json_object_set_new(o, "killedBy", killed);
	json_object_set_new(o, "coveredBy", covered);
	json_object_set_new(o, "testsCompleted", json_integer((json_int_t)tests));
	json_object_set_new(o, "duration", json_integer(r->ms));
	free(name);
	return o;
}

/* The file entry for path (created with its source on first use). */
static json_t *file_entry(json_t *files, const char *key, const struct lines *src)
{
	json_t *f = json_object_get(files, key);
	struct sbuf sb = { 0 };
	size_t i;

	if (f)
		return f;
	for (i = 0; i < src->n; i++)
		sbuf_addf(&sb, "%s\n", src->at[i]);
	f = json_object();
	json_object_set_new(f, "language", json_string("c"));
	json_object_set_new(f, "source", jstring(sb.buf ? sb.buf : ""));
	json_object_set_new(f, "mutants", json_array());
	json_object_set_new(files, key, f);
	sbuf_release(&sb);
	return f;
}

/* The accepted solutions mutants are placed in: the reference, then the
 * other expected_pass files. */
static size_t bases(const struct matrix *m, const struct matrix_row **out)
{
	size_t i, n = 0;

	out[n++] = &m->baseline;
	for (i = 0; i < m->nrows; i++)
		if (m->rows[i].expected == EXPECT_PASS && strcmp(m->rows[i].path,
								  m->baseline.path))
			out[n++] = &m->rows[i];
	return n;
}

static json_t *test_files(const struct matrix *m)
{
	json_t *tf = json_object(), *entry = json_object(), *tests = json_array();
	size_t i;

	for (i = 0; i < m->ncolumns; i++) {
		json_t *t = json_object();

		json_object_set_new(t, "id", json_string(m->columns[i]));
		json_object_set_new(t, "name", json_string(m->columns[i]));
		json_array_append_new(tests, t);
	}
	json_object_set_new(entry, "tests", tests);
	json_object_set_new(tf, m->spec_path, entry);
	return tf;
}

json_t *report_stryker(const struct matrix *m, const char *scratch, char **err)
{
	const struct matrix_row **bs = xcalloc(m->nrows + 1, sizeof(*bs));
	json_t *root = json_object(), *files = json_object(), *th = json_object();
	json_t *fw = json_object();
	size_t nb = bases(m, bs), i, k;

	for (i = 0; i < m->nrows; i++) {
		const struct matrix_row *r = &m->rows[i];
		struct lines mut, base = { 0 };
		struct change best = { 0 }, ch;
		size_t bi = nb;

		if (r->expected != EXPECT_FAIL || !r->graded)
			continue;
		if (lines_read(&mut, r->path) < 0) {
			*err = xasprintf("cannot read '%s'", r->path);
			goto fail;
		}
		for (k = 0; k < nb; k++)
			if (diff_files(bs[k]->path, r->path, scratch, &ch) == 0 &&
			    (bi == nb || ch.changed < best.changed)) {
				best = ch;
				bi = k;
			}
		if (bi < nb && lines_read(&base, bs[bi]->path) < 0)
			bi = nb;
		if (bi == nb || !best.found || best.changed > mut.n / 2) {
			/* nothing close: the mutant is its own file, changed whole */
			lines_release(&base);
			lines_read(&base, r->path);
			best = (struct change){ 0, 1, base.n, 1, base.n, true };
			json_array_append_new(json_object_get(file_entry(files, r->file, &base),
							      "mutants"),
					      mutant_json(m, r, &base, &mut, &best));
		} else {
			json_array_append_new(json_object_get(file_entry(files, bs[bi]->file,
									 &base), "mutants"),
					      mutant_json(m, r, &base, &mut, &best));
		}
		lines_release(&base);
		lines_release(&mut);
	}
	json_object_set_new(th, "high", json_integer(80));
	json_object_set_new(th, "low", json_integer(60));
	json_object_set_new(fw, "name", json_string("westworld grader (bin/grader mutants)"));
	json_object_set_new(root, "schemaVersion", json_string("2"));
	json_object_set_new(root, "thresholds", th);
	json_object_set_new(root, "framework", fw);
	json_object_set_new(root, "files", files);
	json_object_set_new(root, "testFiles", test_files(m));
	free(bs);
	return root;
fail:
	free(bs);
	json_decref(root);
	json_decref(files);
	json_decref(th);
	json_decref(fw);
	return NULL;
}
