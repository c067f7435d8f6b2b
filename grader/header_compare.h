/* header_compare.h - the comparison of two headers' layouts, each
 * difference a struct header_gap (header_compare.c); private to the header
 * check
 */
#ifndef GRADER_HEADER_COMPARE_H
#define GRADER_HEADER_COMPARE_H

#include "header_check.h"

/* Reads both headers with libclang (in this process) and adds each gap to
 * *gaps; a student's header that does not compile is one
 * HG_UNPARSED gap.  -1 with *err when the contract itself does not parse. */
int header_compare(const char *contract, const char *student,
		   struct header_gaps *gaps, char **err);

/* Appends a gap to gaps; cvalue and svalue are taken (freed with it). */
void header_gap_add(struct header_gaps *gaps, enum header_gap_kind kind, const char *name,
		    const char *member, unsigned cline, unsigned sline,
		    char *cvalue, char *svalue);

#endif /* GRADER_HEADER_COMPARE_H */
