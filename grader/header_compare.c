/* header_compare.c - the contract's layout against the student's: each
 * difference a struct header_gap (see header_compare.h)
 *
 * Types by name (a typedef, or a tag without one), then their size,
 * alignment and every field (unnamed members flattened: "io.port"), the
 * functions by prototype, the integer constants by value.  The layouts are
 * read by header_layout.c.
 */
#include "header_compare.h"

#include <stdlib.h>
#include <string.h>

#include "header_layout.h"
#include "util.h"

void header_gap_add(struct header_gaps *gaps, enum header_gap_kind kind,
		    const char *name, const char *member, unsigned cline, unsigned sline,
		    char *cvalue, char *svalue)
{
	struct header_gap *gap;

	gaps->gap = xrealloc(gaps->gap, (gaps->n + 1) * sizeof(*gaps->gap));
	gap = &gaps->gap[gaps->n++];
	gap->kind = kind;
	gap->name = xstrdup(name);
	gap->member = member ? xstrdup(member) : NULL;
	gap->contract_line = cline;
	gap->student_line = sline;
	gap->contract_value = cvalue;
	gap->student_value = svalue;
}

/* Are a (of the contract) and b (of the student's header) the same type?
 * Canonical types, level by level: qualifiers, pointers, array lengths,
 * function prototypes; records and enums by name (their layouts are
 * compared on their own, and reported once). */
static bool same_type(const struct header *ha, CXType a, const struct header *hb,
		      CXType b, int depth)
{
	unsigned i, n;

	a = clang_getCanonicalType(a);
	b = clang_getCanonicalType(b);
	if (depth > 16)
		return true;
	if (a.kind != b.kind ||
	    clang_isConstQualifiedType(a) != clang_isConstQualifiedType(b) ||
	    clang_isVolatileQualifiedType(a) != clang_isVolatileQualifiedType(b))
		return false;
	switch (a.kind) {
	case CXType_Pointer:
		return same_type(ha, clang_getPointeeType(a), hb, clang_getPointeeType(b),
				 depth + 1);
	case CXType_ConstantArray:
		return clang_getArraySize(a) == clang_getArraySize(b) &&
		       same_type(ha, clang_getArrayElementType(a), hb,
				 clang_getArrayElementType(b), depth + 1);
	case CXType_IncompleteArray:
		return same_type(ha, clang_getArrayElementType(a), hb,
				 clang_getArrayElementType(b), depth + 1);
	case CXType_FunctionProto:
		n = (unsigned)clang_getNumArgTypes(a);
		if ((unsigned)clang_getNumArgTypes(b) != n ||
		    clang_isFunctionTypeVariadic(a) != clang_isFunctionTypeVariadic(b) ||
		    !same_type(ha, clang_getResultType(a), hb, clang_getResultType(b),
			       depth + 1))
			return false;
		for (i = 0; i < n; i++)
			if (!same_type(ha, clang_getArgType(a, i), hb, clang_getArgType(b, i),
				       depth + 1))
				return false;
		return true;
	case CXType_Record:
	case CXType_Enum: {
		char *na = header_decl_name(ha, clang_getTypeDeclaration(a));
		char *nb = header_decl_name(hb, clang_getTypeDeclaration(b));
		/* by name: a layout that differs is a gap of the type itself */
		bool same = !strcmp(na, nb);

		free(na);
		free(nb);
		return same;
	}
	default:
		return true;            /* builtin: the kind says it all */
	}
}

/* The fields of a record, those of its unnamed struct or union members
 * flattened into it ("io.port"), with their offsets in bytes. */
struct field {
	char     *path;
	long long offset;
	CXType    type;
	unsigned  line;
};

struct fields {
	struct field *f;
	size_t        n;
	const struct header *h;
	const char   *prefix;
	long long     base;
};

static enum CXVisitorResult visit_field(CXCursor c, CXClientData d)
{
	struct fields *fs = d;
	char *name = header_str_take(clang_getCursorSpelling(c));
	CXType t = clang_getCanonicalType(clang_getCursorType(c));
	long long off = clang_Cursor_getOffsetOfField(c);
	char *path = xasprintf("%s%s%s", fs->prefix, fs->prefix[0] && name[0] ? "." : "",
			       name);

	off = (off < 0 ? 0 : off / 8) + fs->base;
	fs->f = xrealloc(fs->f, (fs->n + 1) * sizeof(*fs->f));
	fs->f[fs->n].path = path;
	fs->f[fs->n].offset = off;
	fs->f[fs->n].type = clang_getCursorType(c);
	fs->f[fs->n].line = header_cursor_line(c);
	fs->n++;
	if (t.kind == CXType_Record) {
		char *rn = header_decl_name(fs->h, clang_getTypeDeclaration(t));

		if (!rn[0]) {           /* an unnamed struct: part of this one */
			struct fields inner = { NULL, 0, fs->h, path, off };
			size_t i;

			clang_Type_visitFields(t, visit_field, &inner);
			fs->f = xrealloc(fs->f, (fs->n + inner.n) * sizeof(*fs->f));
			for (i = 0; i < inner.n; i++)
				fs->f[fs->n++] = inner.f[i];
			free(inner.f);
		}
		free(rn);
	}
	free(name);
	return CXVisit_Continue;
}

static void fields_release(struct fields *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		free(fs->f[i].path);
	free(fs->f);
}

static char *type_text(CXType t)
{
	return header_str_take(clang_getTypeSpelling(t));
}

static void compare_record(const struct header *ha, const struct htype *ta,
			   const struct header *hb, const struct htype *tb,
			   struct header_gaps *gaps)
{
	struct fields fa = { NULL, 0, ha, "", 0 }, fb = { NULL, 0, hb, "", 0 };
	size_t i, k;

	clang_Type_visitFields(ta->type, visit_field, &fa);
	clang_Type_visitFields(tb->type, visit_field, &fb);
	for (i = 0; i < fa.n; i++) {
		const struct field *a = &fa.f[i], *b = NULL;

		if (!a->path[0] || a->path[strlen(a->path) - 1] == '.')
			continue;       /* an unnamed member: its fields count */
		for (k = 0; k < fb.n && !b; k++)
			if (!strcmp(fb.f[k].path, a->path))
				b = &fb.f[k];
		if (b == NULL)
			header_gap_add(gaps, HG_FIELD_MISSING, ta->name, a->path, a->line, tb->line,
				type_text(a->type), NULL);
		else if (!same_type(ha, a->type, hb, b->type, 0))
			header_gap_add(gaps, HG_FIELD_TYPE, ta->name, a->path, a->line, b->line,
				type_text(a->type), type_text(b->type));
		else if (a->offset != b->offset)
			header_gap_add(gaps, HG_FIELD_OFFSET, ta->name, a->path, a->line, b->line,
				xasprintf("%lld", a->offset), xasprintf("%lld", b->offset));
	}
	fields_release(&fa);
	fields_release(&fb);
}

static void compare_types(const struct header *ha, const struct header *hb,
			  struct header_gaps *gaps)
{
	size_t i, k;

	for (i = 0; i < ha->ntypes; i++) {
		const struct htype *a = &ha->types[i], *b = NULL;
		size_t before = gaps->n;

		for (k = 0; k < hb->ntypes && !b; k++)
			if (!strcmp(hb->types[k].name, a->name))
				b = &hb->types[k];
		if (b == NULL) {
			header_gap_add(gaps, HG_TYPE_MISSING, a->name, NULL, a->line, 0,
				type_text(a->type), NULL);
			continue;
		}
		if (a->type.kind != b->type.kind) {
			header_gap_add(gaps, HG_TYPE_KIND, a->name, NULL, a->line, b->line,
				type_text(a->type), type_text(b->type));
			continue;
		}
		if (a->type.kind == CXType_Record)
			compare_record(ha, a, hb, b, gaps);
		else if (!same_type(ha, a->type, hb, b->type, 0))
			header_gap_add(gaps, HG_TYPE_KIND, a->name, NULL, a->line, b->line,
				type_text(a->type), type_text(b->type));
		/* a size that differs only because of a field already named says
		 * nothing more */
		if (gaps->n == before &&
		    clang_Type_getSizeOf(a->type) != clang_Type_getSizeOf(b->type))
			header_gap_add(gaps, HG_TYPE_SIZE, a->name, NULL, a->line, b->line,
				xasprintf("%lld", clang_Type_getSizeOf(a->type)),
				xasprintf("%lld", clang_Type_getSizeOf(b->type)));
		else if (gaps->n == before &&
			 clang_Type_getAlignOf(a->type) != clang_Type_getAlignOf(b->type))
			header_gap_add(gaps, HG_TYPE_ALIGN, a->name, NULL, a->line, b->line,
				xasprintf("%lld", clang_Type_getAlignOf(a->type)),
				xasprintf("%lld", clang_Type_getAlignOf(b->type)));
	}
}

static void compare_functions(const struct header *ha, const struct header *hb,
			      struct header_gaps *gaps)
{
	size_t i, k;

	for (i = 0; i < ha->nfuncs; i++) {
		const struct hfunc *a = &ha->funcs[i], *b = NULL;

		for (k = 0; k < hb->nfuncs && !b; k++)
			if (!strcmp(hb->funcs[k].name, a->name))
				b = &hb->funcs[k];
		if (b == NULL)
			header_gap_add(gaps, HG_FUNCTION_MISSING, a->name, NULL, a->line, 0,
				xstrdup(a->spelling), NULL);
		else if (!same_type(ha, a->type, hb, b->type, 0))
			header_gap_add(gaps, HG_FUNCTION_TYPE, a->name, NULL, a->line, b->line,
				xstrdup(a->spelling), xstrdup(b->spelling));
	}
}

/* The line of a macro or constant in h, or 0. */
static unsigned const_line(const struct header *h, const struct hconst *c)
{
	size_t i;

	if (!c->macro)
		return c->line;
	for (i = 0; i < h->macros.n; i++)
		if (!strcmp(h->macros.items[i], c->name))
			return (unsigned)strtoul(h->macro_lines.items[i], NULL, 10);
	return 0;
}

static void compare_constants(const struct header *ha, const struct header *hb,
			      struct header_gaps *gaps)
{
	size_t i, k;

	for (i = 0; i < ha->nconsts; i++) {
		const struct hconst *a = &ha->consts[i], *b = NULL;

		for (k = 0; k < hb->nconsts && !b; k++)
			if (!strcmp(hb->consts[k].name, a->name))
				b = &hb->consts[k];
		if (b && b->value != a->value)
			header_gap_add(gaps, HG_CONSTANT_VALUE, a->name, NULL, const_line(ha, a),
				const_line(hb, b), xasprintf("%lld", a->value),
				xasprintf("%lld", b->value));
	}
}

int header_compare(const char *contract, const char *student,
			    struct header_gaps *gaps, char **err)
{
	struct header first = { 0 }, ha = { 0 }, hb = { 0 };
	int ret = -1;

	/* the contract's macros first, then both probes evaluate them */
	if (header_parse(&first, contract, NULL) < 0) {
		*err = xasprintf("the contract '%s' does not parse with libclang: %s "
				 "(line %u)", contract, first.error, first.error_line);
		goto out;
	}
	if (header_parse(&ha, contract, &first.macros) < 0) {
		*err = xasprintf("the contract '%s' does not parse with libclang: %s "
				 "(line %u)", contract, ha.error, ha.error_line);
		goto out;
	}
	if (header_parse(&hb, student, &first.macros) < 0) {
		header_gap_add(gaps, HG_UNPARSED, "", NULL, 0, hb.error_line,
			NULL, xstrdup(hb.error));
		ret = 0;
		goto out;
	}
	compare_types(&ha, &hb, gaps);
	compare_functions(&ha, &hb, gaps);
	compare_constants(&ha, &hb, gaps);
	ret = 0;
out:
	header_release(&first);
	header_release(&ha);
	header_release(&hb);
	return ret;
}
