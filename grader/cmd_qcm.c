/* cmd_qcm.c - bin/grader qcm -s SPEC ANSWERS: grade the section 7 QCM
 *
 * ANSWERS is a file of "ID:LETTER" lines ("1:B", also "1 B", "1=B", "1) B")
 * or of letters in the order of the questions ("BCBC...", spaces and commas
 * ignored), one format per file; blank lines and '#' comment lines are
 * skipped, a question answered twice is an error naming both lines.  The score is the percentage of right answers; the QCM passes
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

/* One line of letters in the order of the questions, from answers[*n].
 * -1 with *err. */
static int parse_letters(const struct spec *spec, const char *line, size_t lineno,
			 char *answers, size_t *n, char **err)
{
	const char *p;

	for (p = line; *p; p++) {
		int c = toupper((unsigned char)*p);

		if (isspace((unsigned char)*p) || *p == ',' || *p == ';')
			continue;
		if (c < 'A' || c > 'J') {
			*err = xasprintf("line %zu: '%s' is not answers: '%c' is not a letter "
					 "A to J (write one 'ID:LETTER' per line, as 1:B, or "
					 "the letters in the order of the questions, as BCBC)",
					 lineno, line, *p);
			return -1;
		}
		if (*n >= spec->nqcm) {
			*err = xasprintf("line %zu: more answers than the %zu questions",
					 lineno, spec->nqcm);
			return -1;
		}
		answers[(*n)++] = (char)c;
	}
	return 0;
}

/* One "ID:LETTER" line (also "1 B", "1=B", "1) B").  -1 with *err. */
static int parse_id_line(const struct spec *spec, const char *line, size_t lineno,
			 char *answers, size_t *answer_line, char **err)
{
	char *end;
	long id = strtol(line, &end, 10);
	char letter;
	size_t i;

	while (*end && (isspace((unsigned char)*end) || strchr(":=.)-", *end)))
		end++;
	letter = (char)toupper((unsigned char)*end);
	if (letter < 'A' || letter > 'J' || (end[1] && !isspace((unsigned char)end[1]))) {
		*err = xasprintf("line %zu: expected 'ID:LETTER' (as 1:B), got '%s'",
				 lineno, line);
		return -1;
	}
	for (i = 0; i < spec->nqcm; i++)
		if (spec->qcm[i].id == id)
			break;
	if (i == spec->nqcm) {
		*err = xasprintf("line %zu: there is no question %ld", lineno, id);
		return -1;
	}
	if (answers[i]) {
		*err = xasprintf("line %zu: question %ld is answered twice, on lines %zu "
				 "and %zu: keep one", lineno, id, answer_line[i], lineno);
		return -1;
	}
	answers[i] = letter;
	answer_line[i] = lineno;
	return 0;
}

/* answers[i] for spec->qcm[i], 0 when unanswered; *given, how many were.
 * Blank lines and lines starting with '#' are skipped; a file holds one
 * format: ID:LETTER lines, or letters in order.  -1 with *err. */
static int parse_answers(const struct spec *spec, const char *text, char *answers,
			 size_t *given, char **err)
{
	size_t *answer_line = xcalloc(spec->nqcm + 1, sizeof(*answer_line));
	const char *p = text;
	size_t n = 0, lineno = 0, i;
	int by_id = -1, ret = -1;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[256], *start, *e;
		int this_by_id;

		lineno++;
		snprintf(line, sizeof(line), "%.*s", (int)(len < 255 ? len : 255), p);
		p += len + (eol ? 1 : 0);
		for (start = line; *start && isspace((unsigned char)*start); start++)
			;
		for (e = start + strlen(start); e > start && isspace((unsigned char)e[-1]); e--)
			;
		*e = '\0';
		if (!*start || *start == '#')
			continue;
		this_by_id = isdigit((unsigned char)*start) != 0;
		if (by_id >= 0 && this_by_id != by_id) {
			*err = xasprintf("line %zu: '%s' mixes the two formats: the file "
					 "holds either 'ID:LETTER' lines or letters in order",
					 lineno, start);
			goto out;
		}
		by_id = this_by_id;
		if (by_id ? parse_id_line(spec, start, lineno, answers, answer_line, err)
			  : parse_letters(spec, start, lineno, answers, &n, err))
			goto out;
	}
	for (i = 0, *given = 0; i < spec->nqcm; i++)
		*given += answers[i] != 0;
	ret = 0;
out:
	free(answer_line);
	return ret;
}

int cmd_qcm(int argc, char **argv, const char *argv0)
{
	struct qcm_opts opts;
	const struct qcm_opts *o = &opts;
	struct spec spec = { 0 };
	char *err = NULL, *text = NULL, *answers = NULL;
	size_t i, right = 0, given = 0;
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
	if (parse_answers(&spec, text, answers, &given, &err) < 0) {
		fprintf(stderr, "error: answers '%s': %s\n", o->answers, err);
		goto out;
	}
	if (given == 0)
		fprintf(stderr, "warning: answers '%s' holds no answer (blank and '#' "
			"lines are skipped): every question counts as wrong\n", o->answers);
	else if (given < spec.nqcm)
		fprintf(stderr, "warning: answers '%s' answers %zu of the %zu questions: "
			"the others count as wrong\n", o->answers, given, spec.nqcm);
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
