/* symbolize.h - turn the addresses the harness reports into file:line
 *
 * The harness writes a call site as "@{0xADDR}" and a crash's stack as
 * "@{frames}" (with the addresses in the record's frames field); the
 * executable is linked without PIE, so addr2line maps them directly.
 */
#ifndef GRADER_SYMBOLIZE_H
#define GRADER_SYMBOLIZE_H

#include <stddef.h>

/* A message to rewrite, and the stack its @{frames} stands for. */
struct symbolize_item {
	char      **message;        /* rewritten in place; *message may be NULL */
	const char *frames;         /* "addr,addr,..." (the first exact, the
				     * next return addresses), or NULL */
};

/* Rewrites every message of items, with the symbols of exe (addr2line,
 * run in scratch); src_base: the submission's file, whose frame is
 * preferred. */
void symbolize_messages(struct symbolize_item *items, size_t n, const char *exe,
			const char *src_base, const char *scratch);

#endif /* GRADER_SYMBOLIZE_H */
