/* proc.c - spawn and wait for the grader's tools */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

/* The tools' environment: the grader's, in the C locale whatever the
 * student's language, so that the messages the grader reads in their output
 * are the ones it knows (i18n.c sets LANGUAGE for the grader's own).  The
 * array is the caller's to free, not its strings. */
static char **tool_environ(void)
{
	static char c_locale[] = "LC_ALL=C";
	size_t n = 0, i, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = xcalloc(n + 2, sizeof(*env));
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "LANGUAGE=", 9) && strncmp(environ[i], "LC_ALL=", 7))
			env[k++] = environ[i];
	env[k] = c_locale;
	return env;
}

pid_t proc_spawn(char *const argv[], const struct proc_opts *o)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	char **env;
	pid_t pid;
	int err;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, o && o->out_path ? o->out_path :
					 "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (o && o->pass_fd >= 0) {
		if (o->pass_fd == 3) {
			/* dup2 to itself would keep FD_CLOEXEC: go through 4. */
			posix_spawn_file_actions_adddup2(&fa, 3, 4);
			posix_spawn_file_actions_adddup2(&fa, 4, 3);
			posix_spawn_file_actions_addclose(&fa, 4);
		} else {
			posix_spawn_file_actions_adddup2(&fa, o->pass_fd, 3);
		}
	}
	if (o && o->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	if (o && o->new_group) {
		posix_spawnattr_setpgroup(&attr, 0);
		posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
	} else {
		posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	}
	env = tool_environ();
	err = posix_spawnp(&pid, argv[0], &fa, &attr, argv, env);
	free(env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (err) {
		errno = err;
		return -1;
	}
	return pid;
}

int proc_wait(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

int proc_run(char *const argv[], const struct proc_opts *o)
{
	pid_t pid = proc_spawn(argv, o);

	if (pid < 0)
		return -1;
	return proc_wait(pid);
}

char *proc_capture(char *const argv[], const char *cwd, const char *scratch,
		   int *status)
{
	static unsigned serial;
	char *out = xasprintf("%s/out.%u", scratch, serial++);
	struct proc_opts o = { cwd, out, -1, false };
	char *text;

	*status = proc_run(argv, &o);
	if (*status < 0) {
		free(out);
		return NULL;
	}
	text = read_file(out, NULL);
	unlink(out);
	free(out);
	return text ? text : xstrdup("");
}

const char *valgrind_command(void)
{
	const char *v = getenv("GRADER_VALGRIND");

	return v && v[0] ? v : "valgrind";
}

bool proc_exists(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool found = false;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	if (path == NULL)
		path = "/usr/bin:/bin";
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *full = path_join(dir[0] ? dir : ".", name);

		found = access(full, X_OK) == 0;
		free(full);
	}
	free(copy);
	return found;
}

const char *proc_nm_plugin(void)
{
	static char *plugin;
	static bool asked;
	char *argv[] = { "gcc", "-print-file-name=liblto_plugin.so", NULL };
	char *out = NULL, *nl, *err = NULL, *dir;
	int st = -1;

	if (asked)
		return plugin;
	asked = true;
	dir = scratch_dir("grader-nm", &err);
	if (dir) {
		out = proc_capture(argv, NULL, dir, &st);
		remove_tree(dir);
	}
	free(dir);
	free(err);
	if (out && st == 0) {
		nl = strchr(out, '\n');
		if (nl)
			*nl = '\0';
		/* gcc prints the bare name when it has no such file */
		if (out[0] == '/' && access(out, R_OK) == 0)
			plugin = xstrdup(out);
	}
	free(out);
	return plugin;
}

void proc_nm_argv(struct strlist *argv)
{
	const char *plugin = proc_nm_plugin();

	strlist_add(argv, "nm");
	if (plugin) {
		strlist_add(argv, "--plugin");
		strlist_add(argv, plugin);
	}
}
