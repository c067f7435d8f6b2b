/* cmd_qcm.c - bin/grader qcm -s SPEC ANSWERS: grade the section 7 QCM
 *
 * ANSWERS is a file of "ID:LETTER" lines ("1:B", also "1 B", "1=B", "1) B")
 * or of letters in the order of the questions ("BCBC...", spaces and commas
 * ignored).  The score is the percentage of right answers; the QCM passes
 * iff it reaches the spec's passing_score.
 */
#include "cmd.h"
#include "i18n.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "spec.h"

const struct command command_qcm = {
	"qcm", cmd_qcm,
	N_("  qcm -s SPEC ANSWERS       grade QCM answers (\"1:B\" lines or \"BCB...\")\n"),
	NULL,
};

struct qcm_opts {
	const char *spec;
	const char *answers;
	bool        json;
};

/* OPTIONS_OK with o filled, or the exit code of a usage error or --help. */
static int parse(int argc, char **argv, struct qcm_opts *o)
{
	static const struct option options[] = {
		{ "spec", required_argument, NULL, 's' },
		{ "json", no_argument,       NULL, OPT_JSON },
		{ "help", no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":s:h", options, NULL)) != -1) {
		switch (c) {
		case 's': o->spec = optarg; break;
		case OPT_JSON: o->json = true; break;
		case 'h': return grader_help();
		default: return option_error("qcm", c, argv);
		}
	}
	if (!o->spec)
		return usage_error(_("qcm: %s"), _("missing -s SPEC"));
	if (optind != argc - 1)
		return usage_error(_("qcm: %s"), _("expected one ANSWERS file"));
	o->answers = argv[optind];
	return OPTIONS_OK;
}

/* answers[i] for spec->qcm[i], 0 when unanswered.  -1 with *err. */
static int parse_answers(const struct spec *spec, const char *text, char *answers,
			 char **err)
{
	const char *p = text;
	bool by_id = false;
	size_t i, n = 0, lineno = 1;

	for (p = text; *p && isspace((unsigned char)*p); p++)
		;
	by_id = isdigit((unsigned char)*p);
	if (!by_id) {
		for (p = text; *p; p++) {
			if (isspace((unsigned char)*p) || *p == ',' || *p == ';')
				continue;
			if (toupper((unsigned char)*p) < 'A' || toupper((unsigned char)*p) > 'J') {
				*err = xasprintf("answer '%c' is not a letter A to J", *p);
				return -1;
			}
			if (n >= spec->nqcm) {
				*err = xasprintf("more answers than the %zu questions", spec->nqcm);
				return -1;
			}
			answers[n++] = (char)toupper((unsigned char)*p);
		}
		return 0;
	}
	p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[256];
		long id;
		char letter, *end;

		snprintf(line, sizeof(line), "%.*s", (int)(len < 255 ? len : 255), p);
		p += len + (eol ? 1 : 0);
		for (end = line; *end && isspace((unsigned char)*end); end++)
			;
		if (!*end || *end == '#') {
			lineno++;
			continue;
		}
		id = strtol(end, &end, 10);
		while (*end && (isspace((unsigned char)*end) || strchr(":=.)-", *end)))
			end++;
		letter = (char)toupper((unsigned char)*end);
		if (letter < 'A' || letter > 'J' || (end[1] && !isspace((unsigned char)end[1]))) {
			*err = xasprintf("line %zu: expected 'ID:LETTER', got '%s'", lineno, line);
			return -1;
		}
		for (i = 0; i < spec->nqcm; i++)
			if (spec->qcm[i].id == id)
				break;
		if (i == spec->nqcm) {
			*err = xasprintf("line %zu: no question %ld", lineno, id);
			return -1;
		}
		answers[i] = letter;
		lineno++;
	}
	return 0;
}

int cmd_qcm(int argc, char **argv, const char *argv0)
{
	struct qcm_opts opts;
	const struct qcm_opts *o = &opts;
	struct spec spec = { 0 };
	char *err = NULL, *text = NULL, *answers = NULL;
	size_t i, right = 0;
	int ret = parse(argc, argv, &opts), percent;
	json_t *root = NULL, *qs = NULL;

	(void)argv0;
	if (ret != OPTIONS_OK)
		return ret;
	ret = spec_load_checked(&spec, o->spec);
	if (ret != EXIT_PASS)
		goto out;
	ret = EXIT_USAGE;
	text = read_file(o->answers, NULL);
	if (text == NULL) {
		fprintf(stderr, "error: cannot read answers '%s': %s\n", o->answers,
			strerror(errno));
		goto out;
	}
	answers = xcalloc(spec.nqcm + 1, 1);
	if (parse_answers(&spec, text, answers, &err) < 0) {
		fprintf(stderr, "error: answers '%s': %s\n", o->answers, err);
		goto out;
	}
	if (o->json) {
		root = json_object();
		qs = json_array();
	}
	for (i = 0; i < spec.nqcm; i++) {
		const struct spec_qcm *q = &spec.qcm[i];
		bool ok = answers[i] == q->answer;

		right += ok;
		if (o->json) {
			json_t *j = json_object();

			json_object_set_new(j, "id", json_integer(q->id));
			json_object_set_new(j, "given", answers[i] ? json_stringn(&answers[i], 1)
							       : json_null());
			json_object_set_new(j, "answer", json_stringn(&q->answer, 1));
			json_object_set_new(j, "correct", json_boolean(ok));
			json_object_set_new(j, "explanation", json_string(q->explanation ?
									 q->explanation : ""));
			json_array_append_new(qs, j);
		} else if (ok) {
			printf("  %2ld  %c  right\n", q->id, answers[i]);
		} else {
			printf("  %2ld  %c  wrong: the answer is %c (%s)\n        %s\n", q->id,
			       answers[i] ? answers[i] : '-', q->answer,
			       q->choices[q->answer - 'A'],
			       q->explanation ? q->explanation : "");
		}
	}
	percent = spec.nqcm ? (int)(right * 100 / spec.nqcm) : 0;
	if (o->json) {
		json_object_set_new(root, "score", json_integer(percent));
		json_object_set_new(root, "right", json_integer((json_int_t)right));
		json_object_set_new(root, "questions", json_integer((json_int_t)spec.nqcm));
		json_object_set_new(root, "passing_score", json_integer(spec.passing_score));
		json_object_set_new(root, "passed", json_boolean(percent >= spec.passing_score));
		json_object_set_new(root, "answers", qs);
		json_dumpf(root, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
		putchar('\n');
	} else {
		printf("qcm %zu/%zu right: %d%% (passing %d): %s\n", right, spec.nqcm,
		       percent, spec.passing_score,
		       percent >= spec.passing_score ? "PASS" : "FAIL");
	}
	ret = percent >= spec.passing_score ? EXIT_PASS : EXIT_FAIL;
out:
	json_decref(root);
	spec_release(&spec);
	free(text);
	free(answers);
	free(err);
	return ret;
}
