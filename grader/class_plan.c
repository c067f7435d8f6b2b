/* class_plan.c - what a class's grades depend on: hashes, the plan, the
 * cache
 *
 * A student's key is the sha256 of the submission, its header, the spec
 * (and the spec's header), the grader (this executable and the harness
 * library), the seed and the valgrind choice: the same key, the same
 * grade.  The cache entry OUTDIR/cache/KEY.json is written last (after
 * KEY.txt) and by rename: when it exists, the grade is whole.
 */
#include "class.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static void sha_hex(struct sha256_ctx *c, char hex[65])
{
	uint8_t d[SHA256_DIGEST_SIZE];
	size_t i;

	sha256_digest(c, sizeof(d), d);
	for (i = 0; i < sizeof(d); i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	hex[64] = '\0';
}

static int sha_add_file(struct sha256_ctx *c, const char *path)
{
	uint8_t buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(c, (size_t)n, buf);
	close(fd);
	return n < 0 ? -1 : 0;
}

int class_sha256_file(const char *path, char hex[65])
{
	struct sha256_ctx c;

	sha256_init(&c);
	if (sha_add_file(&c, path) < 0)
		return -1;
	sha_hex(&c, hex);
	return 0;
}

static int plan_hash_files(char hex[65], const char *a, const char *b, char **err)
{
	struct sha256_ctx c;
	const char *files[2] = { a, b };
	size_t i;

	sha256_init(&c);
	for (i = 0; i < 2; i++) {
		if (files[i] == NULL)
			continue;
		if (sha_add_file(&c, files[i]) < 0) {
			*err = xasprintf("cannot read '%s': %s", files[i], strerror(errno));
			return -1;
		}
		sha256_update(&c, 1, (const uint8_t *)"\n");
	}
	sha_hex(&c, hex);
	return 0;
}

int class_plan_hash(struct class_plan *plan, const char *spec_header,
		    const char *libdir, char **err)
{
	char *lib = xasprintf("%s/libharness.a", libdir);
	size_t i;
	int ret = -1;

	if (plan_hash_files(plan->spec_sha, plan->spec_path, spec_header, err) < 0 ||
	    plan_hash_files(plan->grader_sha, "/proc/self/exe", lib, err) < 0)
		goto out;
	for (i = 0; i < plan->n; i++) {
		struct class_student *s = &plan->s[i];
		char src[65], hdr[65] = "-", *mix;
		struct sha256_ctx c;

		if (s->problem)
			continue;
		if (class_sha256_file(s->source, src) < 0 ||
		    (s->header && class_sha256_file(s->header, hdr) < 0)) {
			s->problem = xasprintf("cannot read '%s': %s", s->header && src[0] ?
					       s->header : s->source, strerror(errno));
			continue;
		}
		mix = xasprintf("westworld-class 1\nsource %s\nheader %s\nspec %s\n"
				"grader %s\nseed %llu\nvalgrind %d\n", src, hdr,
				plan->spec_sha, plan->grader_sha,
				(unsigned long long)plan->seed, !plan->no_valgrind);
		sha256_init(&c);
		sha256_update(&c, strlen(mix), (const uint8_t *)mix);
		sha_hex(&c, s->key);
		free(mix);
	}
	ret = 0;
out:
	free(lib);
	return ret;
}

int class_write_atomic(const char *path, const char *text, size_t len)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	int ret = -1, saved;

	if (f == NULL)
		goto out;
	if (fwrite(text, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		saved = errno;
		fclose(f);
		unlink(tmp);
		errno = saved;
		goto out;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		goto out;
	}
	ret = 0;
out:
	free(tmp);
	return ret;
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static char *jdup(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? xstrdup(s) : NULL;
}

int class_plan_save(const struct class_plan *plan, const char *outdir, char **err)
{
	json_t *root = json_object(), *arr = json_array();
	char *path = path_join(outdir, "plan.json"), *text;
	size_t i;
	int ret = 0;

	json_object_set_new(root, "spec", json_string(plan->spec_path));
	json_object_set_new(root, "spec_sha256", json_string(plan->spec_sha));
	json_object_set_new(root, "grader_sha256", json_string(plan->grader_sha));
	json_object_set_new(root, "seed", json_integer((json_int_t)plan->seed));
	json_object_set_new(root, "valgrind", json_boolean(!plan->no_valgrind));
	for (i = 0; i < plan->n; i++) {
		const struct class_student *s = &plan->s[i];
		json_t *o = json_object();

		json_object_set_new(o, "id", json_string(s->id));
		json_object_set_new(o, "name", jstr(s->name));
		json_object_set_new(o, "layout", json_string(s->layout));
		json_object_set_new(o, "origin", json_string(s->origin));
		json_object_set_new(o, "source", jstr(s->source));
		json_object_set_new(o, "header", jstr(s->header));
		json_object_set_new(o, "problem", jstr(s->problem));
		json_object_set_new(o, "key", s->problem ? json_null() : json_string(s->key));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "students", arr);
	text = json_dumps(root, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	if (class_write_atomic(path, text, strlen(text)) < 0) {
		*err = xasprintf("cannot write '%s': %s", path, strerror(errno));
		ret = -1;
	}
	free(text);
	free(path);
	json_decref(root);
	return ret;
}

int class_plan_load(struct class_plan *plan, const char *outdir, char **err)
{
	char *path = path_join(outdir, "plan.json");
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je), *arr;
	size_t i;
	int ret = -1;

	if (root == NULL) {
		*err = xasprintf("cannot read the class plan '%s': %s (run grader class "
				 "-s SPEC SUBMISSIONS -o %s first)", path, je.text, outdir);
		goto out;
	}
	arr = json_object_get(root, "students");
	if (!json_is_array(arr) || !json_is_string(json_object_get(root, "spec"))) {
		*err = xasprintf("cannot read the class plan '%s': no spec or students", path);
		goto out;
	}
	plan->spec_path = jdup(root, "spec");
	snprintf(plan->spec_sha, sizeof(plan->spec_sha), "%s",
		 json_string_value(json_object_get(root, "spec_sha256")) ?: "");
	snprintf(plan->grader_sha, sizeof(plan->grader_sha), "%s",
		 json_string_value(json_object_get(root, "grader_sha256")) ?: "");
	plan->seed = (uint64_t)json_integer_value(json_object_get(root, "seed"));
	plan->no_valgrind = !json_is_true(json_object_get(root, "valgrind"));
	plan->n = json_array_size(arr);
	plan->s = xcalloc(plan->n ? plan->n : 1, sizeof(*plan->s));
	for (i = 0; i < plan->n; i++) {
		json_t *o = json_array_get(arr, i);
		struct class_student *s = &plan->s[i];

		s->id = jdup(o, "id");
		s->name = jdup(o, "name");
		s->layout = jdup(o, "layout");
		s->origin = jdup(o, "origin");
		s->source = jdup(o, "source");
		s->header = jdup(o, "header");
		s->problem = jdup(o, "problem");
		snprintf(s->key, sizeof(s->key), "%s",
			 json_string_value(json_object_get(o, "key")) ?: "");
		if (s->id == NULL || (!s->problem && strlen(s->key) != 64)) {
			*err = xasprintf("cannot read the class plan '%s': student %zu has "
					 "no id or key", path, i);
			goto out;
		}
		s->state = s->problem ? CS_PROBLEM : CS_PENDING;
	}
	ret = 0;
out:
	json_decref(root);
	free(path);
	return ret;
}

void class_plan_release(struct class_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n; i++) {
		struct class_student *s = &plan->s[i];

		free(s->id);
		free(s->name);
		free(s->layout);
		free(s->origin);
		free(s->source);
		free(s->header);
		free(s->problem);
		free(s->error);
		json_decref(s->report);
	}
	free(plan->s);
	free(plan->spec_path);
	*plan = (struct class_plan){ 0 };
}

char *class_cache_path(const char *outdir, const char *key, const char *ext)
{
	return xasprintf("%s/cache/%s.%s", outdir, key, ext);
}

bool class_cache_load_one(struct class_student *s, const char *outdir)
{
	char *path;
	json_t *entry, *report;
	bool ok;

	if (s->problem || s->report)
		return s->report != NULL;
	path = class_cache_path(outdir, s->key, "json");
	entry = json_load_file(path, 0, NULL);
	report = json_object_get(entry, "report");
	ok = json_is_object(report) &&
	     !strcmp(json_string_value(json_object_get(entry, "key")) ?: "", s->key);
	if (ok) {
		s->report = json_incref(report);
		s->ms = (unsigned)json_integer_value(json_object_get(report, "time_ms"));
		if (s->state == CS_PENDING || s->state == CS_UNGRADED)
			s->state = CS_CACHED;
	}
	json_decref(entry);
	free(path);
	return ok;
}

size_t class_cache_load(struct class_plan *plan, const char *outdir)
{
	size_t i, n = 0;

	for (i = 0; i < plan->n; i++)
		n += class_cache_load_one(&plan->s[i], outdir);
	return n;
}
