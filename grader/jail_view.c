/* jail_view.c - the paths a jail may see, enforced by bubblewrap or by
 * Landlock */
#include "jail_view.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "proc.h"

/* Newer than the headers of Debian 12 (linux-libc-dev 6.1): ABI 3 to 6. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE             (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV            (1ULL << 15)
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP            (1ULL << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP         (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET     (1ULL << 0)
#define LANDLOCK_SCOPE_SIGNAL                   (1ULL << 1)
#endif

/* struct landlock_ruleset_attr as of ABI 6; the kernel is given the part
 * its ABI knows. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define LL_FILE_RIGHTS (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
			LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | \
			LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define LL_READ_RIGHTS (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | \
			LANDLOCK_ACCESS_FS_READ_DIR)

/* What the system lends every jail, read-only: the toolchain (gcc, cc1,
 * as, ld and their libraries), the C library's headers, valgrind.  Not
 * /etc (the loader finds the libraries without its cache), /home, /root,
 * /tmp, /var, /opt, /usr/share, /usr/src. */
static const char *const system_ro[] = {
	"/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64", "/usr/lib32",
	"/usr/libexec", "/usr/include", "/usr/local/include", "/usr/local/lib",
};

/* The top-level links of a merged /usr (Debian 12: /bin -> usr/bin). */
static const char *const system_top[] = { "/bin", "/sbin", "/lib", "/lib64", "/lib32" };

static void add_bind(struct jail_view *v, const char *path, const char *target,
		     enum jail_access a)
{
	v->b = xrealloc(v->b, (v->n + 1) * sizeof(*v->b));
	v->b[v->n].path = xstrdup(path);
	v->b[v->n].target = target ? xstrdup(target) : NULL;
	v->b[v->n].access = a;
	v->n++;
}

void jail_view_add(struct jail_view *v, const char *path, enum jail_access a)
{
	struct stat st;

	if (path[0] != '/' || stat(path, &st) < 0)
		return;
	add_bind(v, path, NULL, a);
}

/* The path with "." and ".." resolved on the text, and no double slash. */
static char *normalize(const char *path)
{
	char *out = xmalloc(strlen(path) + 2), *copy = xstrdup(path), *part, *save = NULL;
	size_t len = 0;

	out[0] = '\0';
	for (part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (!strcmp(part, "."))
			continue;
		if (!strcmp(part, "..")) {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			out[len] = '\0';
			continue;
		}
		len += (size_t)sprintf(out + len, "/%s", part);
	}
	if (len == 0)
		strcpy(out, "/");
	free(copy);
	return out;
}

bool jail_view_covers(const struct jail_view *v, const char *path)
{
	char *p = normalize(path);
	bool in = false;
	size_t i;

	for (i = 0; i < v->n && !in; i++) {
		const char *b = v->b[i].path;
		size_t n = strlen(b);

		if (v->b[i].access == JAIL_LINK)
			continue;
		in = !strncmp(p, b, n) && (p[n] == '\0' || p[n] == '/');
	}
	free(p);
	return in;
}

/* The directory of the program as PATH finds it, when the view lacks it
 * (a compiler in /opt/cross/bin brings /opt/cross). */
static void add_program(struct jail_view *v, const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, real[PATH_MAX];

	if (name == NULL || !name[0])
		return;
	if (strchr(name, '/')) {
		if (realpath(name, real) && !jail_view_covers(v, real)) {
			char *d = path_dir(real);

			jail_view_add(v, d, JAIL_RO);
			free(d);
		}
		return;
	}
	copy = xstrdup(path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *full = path_join(dir[0] ? dir : ".", name);
		bool found = access(full, X_OK) == 0;

		if (found && realpath(full, real) && !jail_view_covers(v, real)) {
			char *d = path_dir(real);

			jail_view_add(v, d, JAIL_RO);
			free(d);
		}
		free(full);
		if (found)
			break;
	}
	free(copy);
}

void jail_view_add_system(struct jail_view *v, const char *const programs[])
{
	size_t i;

	for (i = 0; i < sizeof(system_top) / sizeof(system_top[0]); i++) {
		struct stat st;
		char target[PATH_MAX];
		ssize_t n;

		if (lstat(system_top[i], &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			n = readlink(system_top[i], target, sizeof(target) - 1);
			if (n > 0) {
				target[n] = '\0';
				add_bind(v, system_top[i], target, JAIL_LINK);
			}
		} else if (S_ISDIR(st.st_mode)) {
			add_bind(v, system_top[i], NULL, JAIL_RO);
		}
	}
	for (i = 0; i < sizeof(system_ro) / sizeof(system_ro[0]); i++)
		jail_view_add(v, system_ro[i], JAIL_RO);
	jail_view_add(v, "/dev/null", JAIL_DEV);
	for (i = 0; programs && programs[i]; i++)
		add_program(v, programs[i]);
}

void jail_view_bwrap_args(const struct jail_view *v, struct strlist *args)
{
	static const char *const opt[] = {
		[JAIL_RO] = "--ro-bind", [JAIL_RW] = "--bind", [JAIL_DEV] = "--dev-bind",
		[JAIL_LINK] = "--symlink",
	};
	size_t i;

	for (i = 0; i < v->n; i++) {
		strlist_add(args, opt[v->b[i].access]);
		strlist_add(args, v->b[i].access == JAIL_LINK ? v->b[i].target : v->b[i].path);
		strlist_add(args, v->b[i].path);
	}
}

int jail_view_landlock_abi(void)
{
	static int abi = -1;

	if (abi < 0) {
		const char *no = getenv("GRADER_NO_LANDLOCK");
		long r = -1;

		/* valgrind does not pass Landlock's calls on (3.19): a grader
		 * under valgrind has none */
		if (!(no && no[0] && strcmp(no, "0")) && !RUNNING_ON_VALGRIND)
			r = syscall(SYS_landlock_create_ruleset, NULL, 0,
				    LANDLOCK_CREATE_RULESET_VERSION);
		abi = r > 0 ? (int)r : 0;
	}
	return abi;
}

static uint64_t fs_rights(int abi)
{
	uint64_t all = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;       /* ABI 1 */

	if (abi >= 2)
		all |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		all |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		all |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return all;
}

static int add_rule(int ruleset, const struct jail_bind *b, uint64_t handled)
{
	struct landlock_path_beneath_attr pb = { 0 };
	struct stat st;
	int fd, ret = -1, saved;

	fd = open(b->path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;    /* gone since: nothing to allow */
	if (fstat(fd, &st) < 0)
		goto out;
	pb.parent_fd = fd;
	pb.allowed_access = b->access == JAIL_RW ? handled
			    : b->access == JAIL_DEV ? LANDLOCK_ACCESS_FS_READ_FILE |
						      LANDLOCK_ACCESS_FS_WRITE_FILE |
						      LANDLOCK_ACCESS_FS_TRUNCATE
			    : LL_READ_RIGHTS;
	if (!S_ISDIR(st.st_mode))
		pb.allowed_access &= LL_FILE_RIGHTS;
	pb.allowed_access &= handled;
	ret = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
out:
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

int jail_view_landlock(const struct jail_view *v)
{
	struct ll_ruleset_attr attr = { 0 };
	int abi = jail_view_landlock_abi(), ruleset, saved, ret = -1;
	size_t size = sizeof(attr.handled_access_fs), i;

	if (abi <= 0) {
		errno = ENOSYS;
		return -1;
	}
	attr.handled_access_fs = fs_rights(abi);
	if (abi >= 4) {
		attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP |
					  LANDLOCK_ACCESS_NET_CONNECT_TCP;
		size = 2 * sizeof(uint64_t);
	}
	if (abi >= 6) {
		attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (ruleset < 0)
		return -1;
	for (i = 0; i < v->n; i++)
		if (v->b[i].access != JAIL_LINK &&
		    add_rule(ruleset, &v->b[i], attr.handled_access_fs) < 0)
			goto out;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		goto out;
	ret = (int)syscall(SYS_landlock_restrict_self, ruleset, 0);
out:
	saved = errno;
	close(ruleset);
	errno = saved;
	return ret;
}

char *jail_view_describe(const struct jail_view *v)
{
	static const char *const name[] = {
		[JAIL_RO] = "ro", [JAIL_RW] = "rw", [JAIL_DEV] = "dev", [JAIL_LINK] = "link",
	};
	struct sbuf sb = { 0 };
	size_t i;

	for (i = 0; i < v->n; i++) {
		sbuf_addf(&sb, "%-4s %s", name[v->b[i].access], v->b[i].path);
		if (v->b[i].target)
			sbuf_addf(&sb, " -> %s", v->b[i].target);
		sbuf_adds(&sb, "\n");
	}
	return sb.buf ? sb.buf : xstrdup("");
}

void jail_view_release(struct jail_view *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->b[i].path);
		free(v->b[i].target);
	}
	free(v->b);
	v->b = NULL;
	v->n = 0;
}
