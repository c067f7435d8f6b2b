/* build_input.h - read a submission or a header once, after checking it is
 * what a student can hand in: a regular file, not too large, text
 *
 * The grader reads each input once, through build_input_read(), and only
 * the bytes it checked go on (copied into the scratch directory): a file
 * changed or swapped after the check is never read again.
 *
 * What is refused, before anything runs (a verdict, not an error: the
 * submission is "not built" with this message):
 *   - a symbolic link (the last component): in a class, a student's
 *     "solution" could be a link to the reference or to another student's
 *     file; the grader reads only files given as themselves;
 *   - anything but a regular file: a FIFO (it would block), a device
 *     (/dev/zero never ends), a directory, a socket;
 *   - more than the spec's compile.max_source_bytes;
 *   - bytes no C source has: NUL, or a control character other than tab,
 *     newline, vertical tab, form feed and carriage return (a binary, an
 *     object file, an archive).  Bytes from 0x80 up are allowed: comments
 *     in UTF-8 or Latin-1.
 */
#ifndef GRADER_BUILD_INPUT_H
#define GRADER_BUILD_INPUT_H

#include <stddef.h>
#include <stdint.h>

enum build_input_refusal {
	BUILD_INPUT_OK,
	BUILD_INPUT_SYMLINK,
	BUILD_INPUT_NOT_REGULAR,
	BUILD_INPUT_TOO_LARGE,
	BUILD_INPUT_NUL,
	BUILD_INPUT_BINARY,
};

struct build_input {
	char    *bytes;         /* the content, NUL-terminated (malloc'd) */
	size_t   len;
	enum build_input_refusal refusal;
	char    *why;           /* the verdict's message when refused (malloc'd) */
};

/* Reads path (what says which input: "submission", "header").  Returns 0
 * with in->refusal set (BUILD_INPUT_OK and the bytes, or the refusal and
 * in->why); -1 with *err when the file cannot be opened or read at all. */
int build_input_read(struct build_input *in, const char *path, const char *what,
		     uint64_t max_bytes, char **err);

void build_input_release(struct build_input *in);

#endif /* GRADER_BUILD_INPUT_H */
