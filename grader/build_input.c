/* build_input.c - check a submission or a header, and read it once */
#include "build_input.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static const char *type_of(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO (a named pipe)"
	       : S_ISCHR(m) ? "a character device"
	       : S_ISBLK(m) ? "a block device"
	       : S_ISDIR(m) ? "a directory"
	       : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

static void refuse(struct build_input *in, enum build_input_refusal r, char *why)
{
	in->refusal = r;
	in->why = why;
}

/* Refuses bytes no C source has (build_input.h). */
static void check_text(struct build_input *in, const char *path, const char *what)
{
	size_t i;

	for (i = 0; i < in->len; i++) {
		unsigned char c = (unsigned char)in->bytes[i];

		if (c == 0) {
			refuse(in, BUILD_INPUT_NUL,
			       xasprintf("the %s '%s' contains a NUL byte (at offset %zu): not a "
					 "C source file", what, path, i));
			return;
		}
		if ((c < 0x20 && !strchr("\t\n\v\f\r", c)) || c == 0x7f) {
			refuse(in, BUILD_INPUT_BINARY,
			       xasprintf("the %s '%s' is not text (byte 0x%02x at offset %zu): "
					 "give the C source file", what, path, c, i));
			return;
		}
	}
}

int build_input_read(struct build_input *in, const char *path, const char *what,
		     uint64_t max_bytes, char **err)
{
	struct stat st;
	int fd = -1, ret = -1;
	size_t got = 0;

	memset(in, 0, sizeof(*in));
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ELOOP) {
		char target[PATH_MAX];
		ssize_t n = readlink(path, target, sizeof(target) - 1);

		target[n > 0 ? n : 0] = '\0';
		refuse(in, BUILD_INPUT_SYMLINK,
		       xasprintf("the %s '%s' is a symbolic link (to '%s'): the grader reads "
				 "only a file given as itself, never what a link points to; "
				 "give the file", what, path, target));
		return 0;
	}
	if (fd < 0) {
		*err = xasprintf("cannot read %s '%s': %s", what, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		*err = xasprintf("cannot read %s '%s': %s", what, path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		refuse(in, BUILD_INPUT_NOT_REGULAR,
		       xasprintf("the %s '%s' is %s, not a regular file: give the C source "
				 "file", what, path, type_of(st.st_mode)));
		ret = 0;
		goto out;
	}
	if ((uint64_t)st.st_size > max_bytes) {
		refuse(in, BUILD_INPUT_TOO_LARGE,
		       xasprintf("the %s '%s' is %llu bytes, more than the %llu a source may "
				 "have here (compile.max_source_bytes of the spec)", what, path,
				 (unsigned long long)st.st_size, (unsigned long long)max_bytes));
		ret = 0;
		goto out;
	}
	/* One byte more than allowed: a file that grew since fstat shows it. */
	in->bytes = xmalloc((size_t)max_bytes + 2);
	for (;;) {
		ssize_t n = read(fd, in->bytes + got, (size_t)max_bytes + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = xasprintf("cannot read %s '%s': %s", what, path, strerror(errno));
			goto out;
		}
		if (n == 0 || got + (size_t)n > max_bytes) {
			got += n > 0 ? (size_t)n : 0;
			break;
		}
		got += (size_t)n;
	}
	in->bytes[got] = '\0';
	in->len = got;
	if (got > max_bytes)
		refuse(in, BUILD_INPUT_TOO_LARGE,
		       xasprintf("the %s '%s' is more than the %llu bytes a source may have "
				 "here (compile.max_source_bytes of the spec)", what, path,
				 (unsigned long long)max_bytes));
	else
		check_text(in, path, what);
	ret = 0;
out:
	close(fd);
	return ret;
}

void build_input_release(struct build_input *in)
{
	free(in->bytes);
	free(in->why);
	memset(in, 0, sizeof(*in));
}
