/* class_input.c - find the students of a class in the layouts we know
 *
 *   a folder per student      CLASS/LOGIN/hypervisor_sim.c (+ .h)
 *   flat files                CLASS/LOGIN.c
 *   Gradescope export         CLASS/submission_metadata.yml and a folder
 *                             per submission (submission_NNN/), the
 *                             students' names and IDs in the YAML
 *   Moodle "Download all"     CLASS/Full Name_ID_assignsubmission_file_/
 *
 * A path given on the command line may be a class folder, one student's
 * folder (it holds hypervisor_sim.c) or one LOGIN.c.  A student is named
 * by login or ID, never by a path; the C file in a folder is
 * hypervisor_sim.c, else its only .c file (searched a few levels deep:
 * archives unpack into a folder of their own).
 */
#include "class.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "util.h"

#define SOURCE_MAX (1u << 20)   /* a C file above 1 MiB is not a submission */

static struct class_student *input_add(struct class_plan *plan, const char *id,
				       const char *name, const char *layout,
				       const char *origin)
{
	struct class_student *s;
	char *clean = xstrdup(id && id[0] ? id : "unnamed");
	char *p;

	/* the id names files: letters, digits and . _ - @ + only */
	for (p = clean; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._-@+", *p)))
			*p = '_';
	if (clean[0] == '.')
		clean[0] = '_';
	plan->s = xrealloc(plan->s, (plan->n + 1) * sizeof(*plan->s));
	s = &plan->s[plan->n++];
	*s = (struct class_student){ .id = clean, .name = name ? xstrdup(name) : NULL,
				     .layout = xstrdup(layout), .origin = xstrdup(origin) };
	return s;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* The C files under dir, a few levels deep, hidden entries skipped. */
static void input_find_c(const char *dir, int depth, struct strlist *found)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *p;

		if (e->d_name[0] == '.' || !strcmp(e->d_name, "__MACOSX"))
			continue;
		p = path_join(dir, e->d_name);
		if (is_dir(p)) {
			if (depth > 0)
				input_find_c(p, depth - 1, found);
		} else if (ends_with(e->d_name, ".c")) {
			strlist_add(found, p);
		}
		free(p);
	}
	closedir(d);
}

/* Is the file C source we can read?  NULL, or why not (malloc'd). */
static char *input_check_source(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *why = NULL, *buf = NULL;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return xasprintf("cannot read '%s': %s", path_base(path), strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		why = xasprintf("'%s' is not a regular file", path_base(path));
		goto out;
	}
	if (st.st_size > SOURCE_MAX) {
		why = xasprintf("'%s' is %lld bytes: not a C source file (at most %u)",
				path_base(path), (long long)st.st_size, SOURCE_MAX);
		goto out;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	n = read(fd, buf, (size_t)st.st_size);
	if (n < 0) {
		why = xasprintf("cannot read '%s': %s", path_base(path), strerror(errno));
		goto out;
	}
	if (n == 0)
		why = xasprintf("'%s' is empty", path_base(path));
	else if (memchr(buf, '\0', (size_t)n))
		why = xasprintf("'%s' is a binary file, not C source", path_base(path));
out:
	free(buf);
	close(fd);
	return why;
}

/* Picks the C file of a student's folder, or says why there is none. */
static void input_folder(struct class_student *s, const char *dir)
{
	struct strlist all = { 0 }, named = { 0 };
	const struct strlist *pick;
	char *h, *d;
	size_t i;

	input_find_c(dir, 3, &all);
	for (i = 0; i < all.n; i++)
		if (!strcmp(path_base(all.items[i]), "hypervisor_sim.c"))
			strlist_add(&named, all.items[i]);
	pick = named.n ? &named : &all;
	if (pick->n == 0) {
		s->problem = xasprintf("no C file in '%s'", dir);
	} else if (pick->n > 1) {
		s->problem = xasprintf("%zu candidate C files in '%s' (%s, %s%s): "
				       "expected one, or one hypervisor_sim.c", pick->n,
				       dir, pick->items[0], pick->items[1],
				       pick->n > 2 ? ", ..." : "");
	} else {
		s->source = xstrdup(pick->items[0]);
		s->problem = input_check_source(s->source);
		d = path_dir(s->source);
		h = path_join(d, "hypervisor_sim.h");
		if (access(h, F_OK) == 0)
			s->header = h;
		else
			free(h);
		free(d);
	}
	strlist_release(&all);
	strlist_release(&named);
}

static void input_flat(struct class_plan *plan, const char *path)
{
	const char *base = path_base(path);
	char *id = xstrndup(base, strlen(base) - 2);
	struct class_student *s = input_add(plan, id, NULL, "flat", path);

	s->source = xstrdup(path);
	s->problem = input_check_source(path);
	free(id);
}

/* "Full Name_ID_assignsubmission_file_": Moodle's folder per participant. */
static bool input_moodle_name(const char *base, char **name, char **id)
{
	regex_t re;
	regmatch_t m[3];
	bool ok;

	if (regcomp(&re, "^(.+)_([0-9]+)_assignsubmission_[a-z]+_?$", REG_EXTENDED) != 0)
		return false;
	ok = regexec(&re, base, 3, m, 0) == 0;
	if (ok) {
		*name = xstrndup(base + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
		*id = xstrndup(base + m[2].rm_so, (size_t)(m[2].rm_eo - m[2].rm_so));
	}
	regfree(&re);
	return ok;
}

/* Gradescope's submission_metadata.yml: a mapping of "submission_NNN" to
 * {":submitters": [{":name", ":sid", ":email"}, ...], ...}.  Keys may be
 * written with or without Ruby's leading colon. */
static const char *yaml_str(yaml_document_t *doc, yaml_node_t *n)
{
	(void)doc;
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *yaml_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = yaml_str(doc, yaml_document_get_node(doc, p->key));

		if (k && (!strcmp(k, key) || (k[0] == ':' && !strcmp(k + 1, key))))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

/* The submitters of one submission: id (sid, else email, else name) and
 * names joined with " & ". */
static void gradescope_who(yaml_document_t *doc, yaml_node_t *sub, char **id, char **name)
{
	yaml_node_t *list = yaml_get(doc, sub, "submitters");
	yaml_node_item_t *it;

	*id = NULL;
	*name = NULL;
	if (list == NULL || list->type != YAML_SEQUENCE_NODE)
		return;
	for (it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
		yaml_node_t *who = yaml_document_get_node(doc, *it);
		const char *sid = yaml_str(doc, yaml_get(doc, who, "sid"));
		const char *email = yaml_str(doc, yaml_get(doc, who, "email"));
		const char *nm = yaml_str(doc, yaml_get(doc, who, "name"));

		if (*id == NULL && (sid && sid[0] ? sid : email && email[0] ? email : nm))
			*id = xstrdup(sid && sid[0] ? sid : email && email[0] ? email : nm);
		if (nm && nm[0]) {
			char *j = *name ? xasprintf("%s & %s", *name, nm) : xstrdup(nm);

			free(*name);
			*name = j;
		}
	}
}

static int input_gradescope(struct class_plan *plan, const char *dir, char **err)
{
	char *yml = path_join(dir, "submission_metadata.yml");
	FILE *f = fopen(yml, "rb");
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	yaml_node_pair_t *p;
	int ret = -1;

	if (f == NULL) {
		*err = xasprintf("cannot read '%s': %s", yml, strerror(errno));
		goto out_file;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		*err = xasprintf("cannot read the Gradescope export '%s': %s at line %zu",
				 yml, parser.problem ? parser.problem : "bad YAML",
				 parser.problem_mark.line + 1);
		goto out_parser;
	}
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || root->type != YAML_MAPPING_NODE) {
		*err = xasprintf("cannot read the Gradescope export '%s': expected a mapping "
				 "of submission folders", yml);
		goto out_doc;
	}
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const char *folder = yaml_str(&doc, yaml_document_get_node(&doc, p->key));
		yaml_node_t *sub = yaml_document_get_node(&doc, p->value);
		char *id, *name, *sdir;
		struct class_student *s;

		if (folder == NULL || strchr(folder, '/') || folder[0] == '.')
			continue;
		gradescope_who(&doc, sub, &id, &name);
		sdir = path_join(dir, folder);
		s = input_add(plan, id ? id : folder, name, "gradescope", sdir);
		if (!is_dir(sdir))
			s->problem = xasprintf("the export lists '%s' but has no such folder",
					       folder);
		else
			input_folder(s, sdir);
		free(sdir);
		free(id);
		free(name);
	}
	ret = 0;
out_doc:
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&parser);
	fclose(f);
out_file:
	free(yml);
	return ret;
}

static int input_cmp(const void *a, const void *b)
{
	const struct class_student *x = a, *y = b;

	return strcmp(x->id, y->id);
}

static int input_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A class folder: each entry a student (folder, LOGIN.c, Moodle folder). */
static void input_class_dir(struct class_plan *plan, const char *dir)
{
	DIR *d = opendir(dir);
	struct strlist names = { 0 };
	struct dirent *e;
	size_t i;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && strcmp(e->d_name, "__MACOSX"))
			strlist_add(&names, e->d_name);
	closedir(d);
	if (names.n)
		qsort(names.items, names.n, sizeof(*names.items), input_name_cmp);
	for (i = 0; i < names.n; i++) {
		char *p = path_join(dir, names.items[i]), *name = NULL, *id = NULL;

		if (is_dir(p) && input_moodle_name(names.items[i], &name, &id))
			input_folder(input_add(plan, id, name, "moodle", p), p);
		else if (is_dir(p))
			input_folder(input_add(plan, names.items[i], NULL, "folder", p), p);
		else if (ends_with(names.items[i], ".c"))
			input_flat(plan, p);
		free(name);
		free(id);
		free(p);
	}
	strlist_release(&names);
}

/* Two submissions under one id: the second is a problem, under id~N. */
static void input_dedup(struct class_plan *plan)
{
	size_t i, k;

	for (i = 1; i < plan->n; i++)
		for (k = 0; k < i; k++)
			if (!strcmp(plan->s[i].id, plan->s[k].id)) {
				char *id = xasprintf("%s~%zu", plan->s[i].id, i);

				free(plan->s[i].problem);
				plan->s[i].problem = xasprintf("a second submission of '%s' "
							       "(the first: '%s')",
							       plan->s[i].id, plan->s[k].origin);
				free(plan->s[i].id);
				plan->s[i].id = id;
				break;
			}
}

int class_input_scan(struct class_plan *plan, char **paths, size_t npaths, char **err)
{
	size_t i;
	int r = 0;

	for (i = 0; i < npaths && r == 0; i++) {
		char *p = xstrdup(paths[i]), *marker, *own;
		size_t len = strlen(p);
		char *mname = NULL, *mid = NULL;
		struct stat st;

		/* "alice/" is alice: shells complete folders with a slash */
		while (len > 1 && p[len - 1] == '/')
			p[--len] = '\0';
		marker = path_join(p, "submission_metadata.yml");
		own = path_join(p, "hypervisor_sim.c");
		if (lstat(p, &st) < 0) {
			*err = xasprintf("cannot read '%s': %s", p, strerror(errno));
			r = -1;
		} else if (!is_dir(p) && ends_with(p, ".c")) {
			input_flat(plan, p);
		} else if (!is_dir(p)) {
			*err = xasprintf("'%s' is neither a folder nor a .c file", p);
			r = -1;
		} else if (access(marker, F_OK) == 0) {
			r = input_gradescope(plan, p, err);
		} else if (input_moodle_name(path_base(p), &mname, &mid)) {
			input_folder(input_add(plan, mid, mname, "moodle", p), p);
		} else if (faccessat(AT_FDCWD, own, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
			char *b = xstrdup(path_base(p)[0] ? path_base(p) : "student");

			input_folder(input_add(plan, b, NULL, "folder", p), p);
			free(b);
		} else {
			input_class_dir(plan, p);
		}
		free(marker);
		free(own);
		free(mname);
		free(mid);
		free(p);
	}
	if (r == 0 && plan->n) {
		qsort(plan->s, plan->n, sizeof(*plan->s), input_cmp);
		input_dedup(plan);
	}
	return r;
}
