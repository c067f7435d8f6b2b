/* vglog.h - read valgrind's logs (one per process: vg.<pid>) and say what
 * it reported inside each item
 *
 * The worker marks each item in its log with VALGRIND_PRINTF("ww-begin N")
 * and "ww-end N", so an error block between them belongs to item N.
 */
#ifndef GRADER_VGLOG_H
#define GRADER_VGLOG_H

#include <stdbool.h>
#include <stddef.h>

struct vg_finding {
	unsigned item;
	char    *kind;          /* "Invalid read of size 1" */
	char    *where;         /* "at x.c:214 (emulate)" */
	char    *detail;        /* "Address 0x... is 0 bytes after ..." or "" */
	char    *alloc;         /* where the submission allocated that block:
				 * "at x.c:789 (kvm_create_vcpu)", or "" */
	bool     outside;       /* no frame of the error is the submission's */
};

/* The first error of each item in the logs of dir, frames of the file
 * named src_base preferred (leaks are the allocation tracker's: valgrind
 * runs without a leak check).  Returns the count; release with
 * vglog_release(). */
size_t vglog_parse(const char *dir, const char *src_base, struct vg_finding **out);
void vglog_release(struct vg_finding *f, size_t n);

#endif /* GRADER_VGLOG_H */
