/* header_layout.h - a header as libclang reads it: its named types, its
 * functions, its integer constants and macros (header_layout.c), for
 * header_compare.c to compare; private to the header check
 */
#ifndef GRADER_HEADER_LAYOUT_H
#define GRADER_HEADER_LAYOUT_H

#include <clang-c/Index.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* A named type of a header: a typedef, or a tag without one. */
struct htype {
	char    *name;
	CXType   type;                  /* canonical */
	unsigned line;
};

struct hfunc {
	char    *name;
	CXType   type;                  /* canonical function type */
	char    *spelling;              /* "int kvm_run(KvmVcpu *vcpu)" */
	unsigned line;
};

struct hconst {
	char      *name;
	long long  value;
	unsigned   line;
	bool       macro;
};

/* A record declaration and the typedef that names it (the name types are
 * compared by, so that "typedef struct {...} KvmVm" and "typedef struct
 * kvm_vm {...} KvmVm" are the same type). */
struct hname {
	CXCursor decl;
	char    *name;
};

struct header {
	const char        *path;
	CXIndex            index;
	CXTranslationUnit  tu;
	struct htype      *types;
	size_t             ntypes;
	struct hfunc      *funcs;
	size_t             nfuncs;
	struct hconst     *consts;
	size_t             nconsts;
	struct hname      *names;
	size_t             nnames;
	struct strlist     macros;      /* integer macros, for the probe */
	struct strlist     macro_lines;
	char              *text;        /* the header's source, for prototypes */
	size_t             textlen;
	char              *error;       /* the first error diagnostic, or NULL */
	unsigned           error_line;
};

/* Parses the probe of path (with the macros of names: the contract's,
 * evaluated in both headers), filling h.  -1 with h->error (and
 * h->error_line) when the header does not compile. */
int header_parse(struct header *h, const char *path, const struct strlist *names);
void header_release(struct header *h);

/* The name a record or enum goes by in h: its typedef's, else its tag, ""
 * when it has neither (an unnamed member). */
char *header_decl_name(const struct header *h, CXCursor decl);

/* libclang's string, copied and disposed. */
char *header_str_take(CXString s);

/* The line a cursor is spelled at. */
unsigned header_cursor_line(CXCursor c);

#endif /* GRADER_HEADER_LAYOUT_H */
