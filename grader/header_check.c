/* header_check.c - a student's header against the contract (see header_check.h)
 *
 * Each header is parsed by libclang inside a probe, a small C file that
 * includes it and, for each integer macro of the contract, declares
 * "static const long long ww_macro_N = (long long)(NAME);" so that libclang
 * evaluates the macro as the compiler would.  The layouts are libclang's
 * (the same ABI as gcc's on this target).
 */
#include "header_check.h"

#include <clang-c/Index.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "build.h"
#include "i18n.h"
#include "jail_tool.h"
#include "jail_view.h"
#include "proc.h"
#include "proto.h"
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

static char *str_take(CXString s)
{
	const char *c = clang_getCString(s);
	char *r = xstrdup(c ? c : "");

	clang_disposeString(s);
	return r;
}

static unsigned cursor_line(CXCursor c)
{
	unsigned line = 0;

	clang_getSpellingLocation(clang_getCursorLocation(c), NULL, &line, NULL, NULL);
	return line;
}

/* Declared in the header, or in a file it includes that is not a system one. */
static bool in_header(CXCursor c)
{
	CXSourceLocation loc = clang_getCursorLocation(c);
	CXFile f;

	if (clang_Location_isInSystemHeader(loc))
		return false;
	clang_getSpellingLocation(loc, &f, NULL, NULL, NULL);
	if (f == NULL)
		return false;
	return !clang_Location_isFromMainFile(loc);
}

/* The name a record or enum goes by: its typedef's, else its tag. */
static char *decl_name(const struct header *h, CXCursor decl)
{
	size_t i;
	char *tag;

	for (i = 0; i < h->nnames; i++)
		if (clang_equalCursors(h->names[i].decl, decl))
			return xstrdup(h->names[i].name);
	if (clang_Cursor_isAnonymous(decl))
		return xstrdup("");
	tag = str_take(clang_getCursorSpelling(decl));
	if (strchr(tag, '(')) {         /* "struct (unnamed at ...)" */
		free(tag);
		return xstrdup("");
	}
	return tag;
}

static void add_type(struct header *h, const char *name, CXType t, unsigned line)
{
	size_t i;

	for (i = 0; i < h->ntypes; i++)
		if (!strcmp(h->types[i].name, name))
			return;
	h->types = xrealloc(h->types, (h->ntypes + 1) * sizeof(*h->types));
	h->types[h->ntypes].name = xstrdup(name);
	h->types[h->ntypes].type = clang_getCanonicalType(t);
	h->types[h->ntypes].line = line;
	h->ntypes++;
}

static void add_const(struct header *h, const char *name, long long v,
		      unsigned line, bool macro)
{
	h->consts = xrealloc(h->consts, (h->nconsts + 1) * sizeof(*h->consts));
	h->consts[h->nconsts].name = xstrdup(name);
	h->consts[h->nconsts].value = v;
	h->consts[h->nconsts].line = line;
	h->consts[h->nconsts].macro = macro;
	h->nconsts++;
}

static enum CXChildVisitResult visit_enum(CXCursor c, CXCursor parent, CXClientData d)
{
	struct header *h = d;
	char *name;

	(void)parent;
	if (clang_getCursorKind(c) != CXCursor_EnumConstantDecl)
		return CXChildVisit_Continue;
	name = str_take(clang_getCursorSpelling(c));
	add_const(h, name, clang_getEnumConstantDeclValue(c), cursor_line(c), false);
	free(name);
	return CXChildVisit_Continue;
}

/* Object-like macros with a body: candidates for the probe. */
static void add_macro(struct header *h, CXCursor c)
{
	CXToken *toks = NULL;
	unsigned n = 0;
	char *name;

	if (clang_Cursor_isMacroFunctionLike(c) || clang_Cursor_isMacroBuiltin(c))
		return;
	clang_tokenize(h->tu, clang_getCursorExtent(c), &toks, &n);
	clang_disposeTokens(h->tu, toks, n);
	if (n < 2)                      /* the name alone: an include guard */
		return;
	name = str_take(clang_getCursorSpelling(c));
	strlist_add(&h->macros, name);
	strlist_addf(&h->macro_lines, "%u", cursor_line(c));
	free(name);
}

/* The declaration as written (whitespace runs folded), or NULL. */
static char *source_text(struct header *h, CXCursor c)
{
	CXSourceRange r = clang_getCursorExtent(c);
	unsigned a, b;
	struct sbuf sb = { 0 };
	CXFile f;
	size_t i;

	if (h->text == NULL)
		h->text = read_file(h->path, &h->textlen);
	if (h->text == NULL)
		return NULL;
	clang_getSpellingLocation(clang_getRangeStart(r), &f, NULL, NULL, &a);
	clang_getSpellingLocation(clang_getRangeEnd(r), NULL, NULL, NULL, &b);
	if (f == NULL || b <= a || b > h->textlen || b - a > 400)
		return NULL;
	{       /* declared in a file the header includes: no text of ours */
		char *fn = str_take(clang_getFileName(f)), *rf = realpath(fn, NULL);
		char *rh = realpath(h->path, NULL);
		bool same = rf && rh && !strcmp(rf, rh);

		free(fn);
		free(rf);
		free(rh);
		if (!same)
			return NULL;
	}
	for (i = a; i < b; i++) {
		char ch = h->text[i] == '\n' || h->text[i] == '\t' ? ' ' : h->text[i];

		if (ch == ' ' && sb.len && sb.buf[sb.len - 1] == ' ')
			continue;
		sbuf_add(&sb, &ch, 1);
	}
	return sb.buf;
}

static enum CXChildVisitResult visit_top(CXCursor c, CXCursor parent, CXClientData d)
{
	struct header *h = d;
	enum CXCursorKind k = clang_getCursorKind(c);
	char *name;

	(void)parent;
	if (k == CXCursor_VarDecl && clang_Location_isFromMainFile(clang_getCursorLocation(c))) {
		name = str_take(clang_getCursorSpelling(c));
		if (!strncmp(name, "ww_macro_", 9)) {
			CXEvalResult r = clang_Cursor_Evaluate(c);

			if (r && clang_EvalResult_getKind(r) == CXEval_Int) {
				size_t i = strtoul(name + 9, NULL, 10);

				if (i < h->macros.n)
					add_const(h, h->macros.items[i],
						  clang_EvalResult_getAsLongLong(r),
						  0, true);
			}
			if (r)
				clang_EvalResult_dispose(r);
		}
		free(name);
		return CXChildVisit_Continue;
	}
	if (!in_header(c))
		return CXChildVisit_Continue;
	if (k == CXCursor_MacroDefinition) {
		add_macro(h, c);
		return CXChildVisit_Continue;
	}
	name = str_take(clang_getCursorSpelling(c));
	if (k == CXCursor_TypedefDecl) {
		CXType u = clang_getCanonicalType(clang_getTypedefDeclUnderlyingType(c));
		CXCursor decl = clang_getTypeDeclaration(u);

		if ((u.kind == CXType_Record || u.kind == CXType_Enum)) {
			size_t i;
			bool named = false;

			for (i = 0; i < h->nnames; i++)
				named = named || clang_equalCursors(h->names[i].decl, decl);
			if (!named) {
				h->names = xrealloc(h->names, (h->nnames + 1) * sizeof(*h->names));
				h->names[h->nnames].decl = decl;
				h->names[h->nnames].name = xstrdup(name);
				h->nnames++;
			}
		}
		add_type(h, name, clang_getCursorType(c), cursor_line(c));
	} else if ((k == CXCursor_StructDecl || k == CXCursor_UnionDecl ||
		    k == CXCursor_EnumDecl) && clang_isCursorDefinition(c)) {
		if (k == CXCursor_EnumDecl)
			clang_visitChildren(c, visit_enum, h);
		if (name[0] && !strchr(name, '(') && !clang_Cursor_isAnonymous(c)) {
			char *tagged = xasprintf("%s %s", k == CXCursor_StructDecl ? "struct"
						 : k == CXCursor_UnionDecl ? "union" : "enum",
						 name);

			add_type(h, tagged, clang_getCursorType(c), cursor_line(c));
			free(tagged);
		}
	} else if (k == CXCursor_FunctionDecl) {
		size_t i;

		for (i = 0; i < h->nfuncs && strcmp(h->funcs[i].name, name); i++)
			;
		if (i == h->nfuncs) {
			CXType t = clang_getCursorType(c);
			char *ret = str_take(clang_getTypeSpelling(clang_getResultType(t)));
			char *dn = str_take(clang_getCursorDisplayName(c));
			char *src = source_text(h, c);

			h->funcs = xrealloc(h->funcs, (h->nfuncs + 1) * sizeof(*h->funcs));
			h->funcs[i].name = xstrdup(name);
			h->funcs[i].type = clang_getCanonicalType(t);
			h->funcs[i].spelling = src ? src : xasprintf("%s%s%s", ret,
							 ret[strlen(ret) - 1] == '*' ? "" : " ", dn);
			h->funcs[i].line = cursor_line(c);
			h->nfuncs++;
			free(ret);
			free(dn);
		}
	}
	free(name);
	return CXChildVisit_Continue;
}

/* Parses the probe of path (with the macros of names), filling h. */
static int header_parse(struct header *h, const char *path,
			const struct strlist *names)
{
	static const char *const args[] = { "-x", "c", "-std=c17", "-D_DEFAULT_SOURCE" };
	struct sbuf src = { 0 };
	struct CXUnsavedFile probe;
	char *abs = realpath(path, NULL);
	unsigned i, nd;
	int ret = -1;

	h->path = path;
	if (abs == NULL) {
		h->error = xasprintf("cannot read it");
		return -1;
	}
	sbuf_addf(&src, "#include \"%s\"\n", abs);
	for (i = 0; names && i < names->n; i++)
		sbuf_addf(&src, "#ifdef %s\nstatic const long long ww_macro_%u = "
			  "(long long)(%s);\n#endif\n", names->items[i], i,
			  names->items[i]);
	probe.Filename = "ww_header_probe.c";
	probe.Contents = src.buf;
	probe.Length = src.len;
	h->index = clang_createIndex(0, 0);
	h->tu = clang_parseTranslationUnit(h->index, probe.Filename, args,
					   (int)(sizeof(args) / sizeof(args[0])),
					   &probe, 1,
					   CXTranslationUnit_DetailedPreprocessingRecord |
					   CXTranslationUnit_SkipFunctionBodies);
	if (h->tu == NULL) {
		h->error = xasprintf("libclang cannot parse it (an #include of a "
				     "device or of a huge file?)");
		goto out;
	}
	nd = clang_getNumDiagnostics(h->tu);
	for (i = 0; i < nd && !h->error; i++) {
		CXDiagnostic dg = clang_getDiagnostic(h->tu, i);

		if (clang_getDiagnosticSeverity(dg) >= CXDiagnostic_Error) {
			clang_getSpellingLocation(clang_getDiagnosticLocation(dg), NULL,
						  &h->error_line, NULL, NULL);
			h->error = str_take(clang_getDiagnosticSpelling(dg));
		}
		clang_disposeDiagnostic(dg);
	}
	clang_visitChildren(clang_getTranslationUnitCursor(h->tu), visit_top, h);
	ret = h->error ? -1 : 0;
out:
	free(abs);
	sbuf_release(&src);
	return ret;
}

static void header_release(struct header *h)
{
	size_t i;

	for (i = 0; i < h->ntypes; i++)
		free(h->types[i].name);
	for (i = 0; i < h->nfuncs; i++) {
		free(h->funcs[i].name);
		free(h->funcs[i].spelling);
	}
	for (i = 0; i < h->nconsts; i++)
		free(h->consts[i].name);
	for (i = 0; i < h->nnames; i++)
		free(h->names[i].name);
	free(h->types);
	free(h->funcs);
	free(h->consts);
	free(h->names);
	strlist_release(&h->macros);
	strlist_release(&h->macro_lines);
	free(h->error);
	free(h->text);
	if (h->tu)
		clang_disposeTranslationUnit(h->tu);
	if (h->index)
		clang_disposeIndex(h->index);
	memset(h, 0, sizeof(*h));
}

static void add_gap(struct grade *g, enum header_gap_kind kind, const char *name,
		    const char *member, unsigned cline, unsigned sline,
		    char *cvalue, char *svalue)
{
	struct header_gap *gap;

	g->header_gaps = xrealloc(g->header_gaps,
				  (g->nheader_gaps + 1) * sizeof(*g->header_gaps));
	gap = &g->header_gaps[g->nheader_gaps++];
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
		char *na = decl_name(ha, clang_getTypeDeclaration(a));
		char *nb = decl_name(hb, clang_getTypeDeclaration(b));
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
	char *name = str_take(clang_getCursorSpelling(c));
	CXType t = clang_getCanonicalType(clang_getCursorType(c));
	long long off = clang_Cursor_getOffsetOfField(c);
	char *path = xasprintf("%s%s%s", fs->prefix, fs->prefix[0] && name[0] ? "." : "",
			       name);

	off = (off < 0 ? 0 : off / 8) + fs->base;
	fs->f = xrealloc(fs->f, (fs->n + 1) * sizeof(*fs->f));
	fs->f[fs->n].path = path;
	fs->f[fs->n].offset = off;
	fs->f[fs->n].type = clang_getCursorType(c);
	fs->f[fs->n].line = cursor_line(c);
	fs->n++;
	if (t.kind == CXType_Record) {
		char *rn = decl_name(fs->h, clang_getTypeDeclaration(t));

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
	return str_take(clang_getTypeSpelling(t));
}

static void compare_record(const struct header *ha, const struct htype *ta,
			   const struct header *hb, const struct htype *tb,
			   struct grade *g)
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
			add_gap(g, HG_FIELD_MISSING, ta->name, a->path, a->line, tb->line,
				type_text(a->type), NULL);
		else if (!same_type(ha, a->type, hb, b->type, 0))
			add_gap(g, HG_FIELD_TYPE, ta->name, a->path, a->line, b->line,
				type_text(a->type), type_text(b->type));
		else if (a->offset != b->offset)
			add_gap(g, HG_FIELD_OFFSET, ta->name, a->path, a->line, b->line,
				xasprintf("%lld", a->offset), xasprintf("%lld", b->offset));
	}
	fields_release(&fa);
	fields_release(&fb);
}

static void compare_types(const struct header *ha, const struct header *hb,
			  struct grade *g)
{
	size_t i, k;

	for (i = 0; i < ha->ntypes; i++) {
		const struct htype *a = &ha->types[i], *b = NULL;
		size_t before = g->nheader_gaps;

		for (k = 0; k < hb->ntypes && !b; k++)
			if (!strcmp(hb->types[k].name, a->name))
				b = &hb->types[k];
		if (b == NULL) {
			add_gap(g, HG_TYPE_MISSING, a->name, NULL, a->line, 0,
				type_text(a->type), NULL);
			continue;
		}
		if (a->type.kind != b->type.kind) {
			add_gap(g, HG_TYPE_KIND, a->name, NULL, a->line, b->line,
				type_text(a->type), type_text(b->type));
			continue;
		}
		if (a->type.kind == CXType_Record)
			compare_record(ha, a, hb, b, g);
		else if (!same_type(ha, a->type, hb, b->type, 0))
			add_gap(g, HG_TYPE_KIND, a->name, NULL, a->line, b->line,
				type_text(a->type), type_text(b->type));
		/* a size that differs only because of a field already named says
		 * nothing more */
		if (g->nheader_gaps == before &&
		    clang_Type_getSizeOf(a->type) != clang_Type_getSizeOf(b->type))
			add_gap(g, HG_TYPE_SIZE, a->name, NULL, a->line, b->line,
				xasprintf("%lld", clang_Type_getSizeOf(a->type)),
				xasprintf("%lld", clang_Type_getSizeOf(b->type)));
		else if (g->nheader_gaps == before &&
			 clang_Type_getAlignOf(a->type) != clang_Type_getAlignOf(b->type))
			add_gap(g, HG_TYPE_ALIGN, a->name, NULL, a->line, b->line,
				xasprintf("%lld", clang_Type_getAlignOf(a->type)),
				xasprintf("%lld", clang_Type_getAlignOf(b->type)));
	}
}

static void compare_functions(const struct header *ha, const struct header *hb,
			      struct grade *g)
{
	size_t i, k;

	for (i = 0; i < ha->nfuncs; i++) {
		const struct hfunc *a = &ha->funcs[i], *b = NULL;

		for (k = 0; k < hb->nfuncs && !b; k++)
			if (!strcmp(hb->funcs[k].name, a->name))
				b = &hb->funcs[k];
		if (b == NULL)
			add_gap(g, HG_FUNCTION_MISSING, a->name, NULL, a->line, 0,
				xstrdup(a->spelling), NULL);
		else if (!same_type(ha, a->type, hb, b->type, 0))
			add_gap(g, HG_FUNCTION_TYPE, a->name, NULL, a->line, b->line,
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
			      struct grade *g)
{
	size_t i, k;

	for (i = 0; i < ha->nconsts; i++) {
		const struct hconst *a = &ha->consts[i], *b = NULL;

		for (k = 0; k < hb->nconsts && !b; k++)
			if (!strcmp(hb->consts[k].name, a->name))
				b = &hb->consts[k];
		if (b && b->value != a->value)
			add_gap(g, HG_CONSTANT_VALUE, a->name, NULL, const_line(ha, a),
				const_line(hb, b), xasprintf("%lld", a->value),
				xasprintf("%lld", b->value));
	}
}

static int check_in_process(const char *contract, const char *student,
			    struct grade *g, char **err)
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
		add_gap(g, HG_UNPARSED, "", NULL, 0, hb.error_line,
			NULL, xstrdup(hb.error));
		ret = 0;
		goto out;
	}
	compare_types(&ha, &hb, g);
	compare_functions(&ha, &hb, g);
	compare_constants(&ha, &hb, g);
	ret = 0;
out:
	header_release(&first);
	header_release(&ha);
	header_release(&hb);
	return ret;
}

/* ---- the check in another process -----------------------------------------
 *
 * libclang reads whatever the student's header includes: a device that
 * never ends, a header that includes itself a million times.  So the check
 * runs in a child with CPU, memory and wall-clock limits: the program
 * header-probe next to libharness.a (exec'd, so that a grader running under
 * valgrind does not drag libclang under it too), or, without it, a fork of
 * this process.  The child prints proto records, one per line: a gap
 * (kind=...), a prototype of the contract (fn=...), or an error (err=...);
 * exit 0, or 2 with err= when the contract itself does not parse. */

#define HEADER_CHECK_SECONDS 10

static void rec_send(struct sbuf *rec)
{
	sbuf_adds(rec, "\n");
	if (fwrite(rec->buf, 1, rec->len, stdout) != rec->len)
		_exit(3);
	sbuf_release(rec);
}

static void gap_send(const struct header_gap *gap)
{
	struct sbuf rec = { 0 };

	proto_putu(&rec, "kind", (unsigned long long)gap->kind);
	proto_puts(&rec, "name", gap->name);
	if (gap->member)
		proto_puts(&rec, "member", gap->member);
	proto_putu(&rec, "cline", gap->contract_line);
	proto_putu(&rec, "sline", gap->student_line);
	if (gap->contract_value)
		proto_puts(&rec, "cvalue", gap->contract_value);
	if (gap->student_value)
		proto_puts(&rec, "svalue", gap->student_value);
	rec_send(&rec);
}

int header_probe_main(int argc, char **argv)
{
	struct grade g = { 0 };
	struct header h = { 0 };
	struct sbuf rec = { 0 };
	char *err = NULL;
	size_t i;
	int ret = 2;

	if (argc == 3) {                /* CONTRACT STUDENT: the gaps */
		if (check_in_process(argv[1], argv[2], &g, &err) < 0) {
			proto_puts(&rec, "err", err);
			rec_send(&rec);
			goto out;
		}
		for (i = 0; i < g.nheader_gaps; i++)
			gap_send(&g.header_gaps[i]);
		ret = 0;
	} else if (argc == 2) {         /* CONTRACT: its prototypes */
		if (header_parse(&h, argv[1], NULL) < 0) {
			proto_puts(&rec, "err", h.error ? h.error : "does not parse");
			rec_send(&rec);
			goto out;
		}
		for (i = 0; i < h.nfuncs; i++) {
			proto_puts(&rec, "fn", h.funcs[i].name);
			proto_puts(&rec, "proto", h.funcs[i].spelling);
			proto_putu(&rec, "line", h.funcs[i].line);
			rec_send(&rec);
		}
		ret = 0;
	} else {
		fprintf(stderr, "usage: header-probe CONTRACT [STUDENT]\n");
	}
out:
	fflush(stdout);
	header_release(&h);
	free(err);
	return ret;
}

/* The child's side: limits, stdout to the pipe, then the probe. */
static void child_run(int fd, const char *helper, char **argv, int argc)
{
	struct rlimit cpu = { HEADER_CHECK_SECONDS, HEADER_CHECK_SECONDS };
	struct rlimit as = { 2ul << 30, 2ul << 30 };
	int null = open("/dev/null", O_WRONLY);

	if (null >= 0)                  /* libclang's crash reports: the gap says it */
		dup2(null, STDERR_FILENO);
	dup2(fd, STDOUT_FILENO);
	setrlimit(RLIMIT_CPU, &cpu);
	setrlimit(RLIMIT_AS, &as);
	alarm(HEADER_CHECK_SECONDS);
	if (helper) {
		execv(helper, argv);
		_exit(127);
	}
	_exit(header_probe_main(argc, argv));
}

/* Runs the probe on argv (argc 2 or 3); its output in *out, its status
 * returned (-1 with *err when it cannot start). */
static int probe_run(char **argv, int argc, char **out, char **err)
{
	char *libdir = build_default_libdir();
	char *helper = path_join(libdir, "header-probe");
	int pfd[2], st = -1;
	size_t len = 0;
	FILE *f;
	pid_t pid;

	*out = NULL;
	if (access(helper, X_OK) != 0) {
		free(helper);
		helper = NULL;
	}
	if (pipe(pfd) < 0) {
		*err = xasprintf("cannot check the header: pipe: %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		*err = xasprintf("cannot check the header: fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		goto out;
	}
	if (pid == 0) {
		close(pfd[0]);
		if (helper)
			argv[0] = helper;
		child_run(pfd[1], helper, argv, argc);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	if (f == NULL || getdelim(out, &len, '\0', f) < 0) {
		free(*out);
		*out = xstrdup("");
	}
	if (f)
		fclose(f);
	else
		close(pfd[0]);
	st = proc_wait(pid);
out:
	free(helper);
	free(libdir);
	return st;
}

/* The probe on argv (CONTRACT STUDENT) in a jail of the build's kind
 * (jail_tool.h): the student's header is untrusted input, and an #include
 * in it must reach nothing the build itself may not read.  The view is the
 * system's, the probe's folder, the contract and the student's header's
 * folder, read-only.  Its output in *out, its exit status returned (1 when
 * a limit stopped it; -1 with *err when it cannot start). */
static int probe_run_jailed(char **argv, const char *scratch, char **out, char **err)
{
	static char env_path[] = "PATH=/usr/bin:/bin", env_lc[] = "LC_ALL=C";
	char *env[] = { env_path, env_lc, NULL };
	struct jail_tool_limits l = {
		HEADER_CHECK_SECONDS, HEADER_CHECK_SECONDS * 3000u, 2ull << 30, 1u << 20, 1u << 20,
	};
	struct jail_tool_result r = { 0 };
	struct jail_view v = { 0 };
	char *libdir = build_default_libdir(), *helper = path_join(libdir, "header-probe");
	char *sdir = path_dir(argv[2]), *log = path_join(scratch, "header-probe.log");
	char *contract = NULL, *student = NULL;
	int st = -1;

	*out = NULL;
	if (access(helper, X_OK) != 0) {
		*err = xasprintf("cannot check the header: '%s' is missing (run make)", helper);
		goto out;
	}
	/* the jail's paths are the machine's: absolute, as the view holds them */
	contract = realpath(argv[1], NULL);
	student = realpath(argv[2], NULL);
	if (contract == NULL || student == NULL) {
		*err = xasprintf("cannot check the header: %s: %s", contract ? argv[2] : argv[1],
				 strerror(errno));
		goto out;
	}
	free(sdir);
	sdir = path_dir(student);
	jail_view_add_system(&v, NULL);
	jail_view_add(&v, libdir, JAIL_RO);
	jail_view_add(&v, contract, JAIL_RO);
	jail_view_add(&v, sdir, JAIL_RO);
	{
		char *jargv[] = { helper, contract, student, NULL };

		if (jail_tool_run(jargv, env, sdir, &v, &l, log, &r, err) < 0)
			goto out;
	}
	*out = r.output ? r.output : xstrdup("");
	r.output = NULL;
	st = r.end == JAIL_TOOL_EXITED ? r.status : 1;
out:
	unlink(log);
	free(log);
	free(contract);
	free(student);
	free(sdir);
	free(helper);
	free(libdir);
	jail_view_release(&v);
	jail_tool_result_release(&r);
	return st;
}

static unsigned get_uint(const char *line, const char *key)
{
	char *v = proto_get(line, key, NULL);
	unsigned n = v ? (unsigned)strtoul(v, NULL, 10) : 0;

	free(v);
	return n;
}

static void gap_receive(struct grade *g, const char *line)
{
	char *name = proto_get(line, "name", NULL);
	char *member = proto_get(line, "member", NULL);
	unsigned kind = get_uint(line, "kind");

	if (kind > HG_CONSTANT_VALUE)
		kind = HG_UNPARSED;
	add_gap(g, (enum header_gap_kind)kind, name ? name : "", member,
		get_uint(line, "cline"), get_uint(line, "sline"),
		proto_get(line, "cvalue", NULL), proto_get(line, "svalue", NULL));
	free(name);
	free(member);
}

int header_check(const char *contract, const char *student, const char *scratch,
		 struct grade *g, char **err)
{
	char *argv[] = { "header-probe", (char *)contract, (char *)student, NULL };
	char *out = NULL, *line, *save = NULL;
	int st, ret = -1;

	st = scratch ? probe_run_jailed(argv, scratch, &out, err)
		     : probe_run(argv, 3, &out, err);
	if (st < 0)
		goto out;
	if (st == 2 && !strncmp(out, "err=", 4)) {
		char *e = proto_get(strtok(out, "\n"), "err", NULL);

		*err = xasprintf("the contract '%s' does not parse with libclang: %s",
				 contract, e ? e : "?");
		free(e);
		goto out;
	}
	if (st != 0) {
		/* killed by its limits, or libclang crashed: the student's header
		 * is what it read */
		add_gap(g, HG_UNPARSED, "", NULL, 0, 0, NULL,
			xasprintf("it could not be read within %d s of CPU time and "
				  "2 GiB of memory (an #include of a device or of a "
				  "huge file?)", HEADER_CHECK_SECONDS));
		ret = 0;
		goto out;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		gap_receive(g, line);
	ret = 0;
out:
	free(out);
	return ret;
}

int header_find_prototypes(const char *contract, struct grade *g)
{
	char *argv[] = { "header-probe", (char *)contract, NULL };
	char *out = NULL, *err = NULL, *line, *save = NULL;
	size_t i;
	int ret = -1;

	if (probe_run(argv, 2, &out, &err) != 0)
		goto out;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *fn = proto_get(line, "fn", NULL);

		for (i = 0; fn && i < g->nmissing; i++)
			if (!strcmp(fn, g->missing[i].name)) {
				free(g->missing[i].prototype);
				g->missing[i].prototype = proto_get(line, "proto", NULL);
				g->missing[i].line = get_uint(line, "line");
			}
		free(fn);
	}
	ret = 0;
out:
	free(out);
	free(err);
	return ret;
}

const char *header_gap_kind_name(enum header_gap_kind k)
{
	static const char *const names[] = {
		[HG_UNPARSED] = "unparsed", [HG_TYPE_MISSING] = "type_missing",
		[HG_TYPE_KIND] = "type_kind", [HG_TYPE_SIZE] = "type_size",
		[HG_TYPE_ALIGN] = "type_align", [HG_FIELD_MISSING] = "field_missing",
		[HG_FIELD_OFFSET] = "field_offset", [HG_FIELD_TYPE] = "field_type",
		[HG_FUNCTION_MISSING] = "function_missing",
		[HG_FUNCTION_TYPE] = "function_type",
		[HG_CONSTANT_VALUE] = "constant_value",
	};

	return names[k];
}

char *header_gap_text(const struct header_gap *gap, const char *contract,
		      const char *student)
{
	const char *m = gap->member ? gap->member : "";

	switch (gap->kind) {
	case HG_UNPARSED:
		if (gap->student_line == 0)
			return xasprintf(_("your header %s cannot be checked: %s"), student,
					 gap->student_value);
		return xasprintf(_("your header %s does not compile (line %u): %s"),
				 student, gap->student_line, gap->student_value);
	case HG_TYPE_MISSING:
		return xasprintf(_("your header does not declare the type %s, which the "
				 "contract defines at %s:%u"), gap->name, contract,
				 gap->contract_line);
	case HG_TYPE_KIND:
		return xasprintf(_("%s is %s in your header (%s:%u) but %s in the "
				 "contract (%s:%u)"), gap->name, gap->student_value,
				 student, gap->student_line, gap->contract_value,
				 contract, gap->contract_line);
	case HG_TYPE_SIZE:
		return xasprintf(_("sizeof(%s) is %s bytes in your header (%s:%u) but %s "
				 "in the contract (%s:%u)"), gap->name, gap->student_value,
				 student, gap->student_line, gap->contract_value,
				 contract, gap->contract_line);
	case HG_TYPE_ALIGN:
		return xasprintf(_("_Alignof(%s) is %s in your header (%s:%u) but %s in "
				 "the contract (%s:%u)"), gap->name, gap->student_value,
				 student, gap->student_line, gap->contract_value,
				 contract, gap->contract_line);
	case HG_FIELD_MISSING:
		return xasprintf(_("%s has no field %s in your header (%s:%u); the "
				 "contract declares %s %s at %s:%u"), gap->name, m,
				 student, gap->student_line, gap->contract_value, m,
				 contract, gap->contract_line);
	case HG_FIELD_OFFSET:
		return xasprintf(_("%s.%s is at offset %s in your header (%s:%u) but at "
				 "offset %s in the contract (%s:%u)"), gap->name, m,
				 gap->student_value, student, gap->student_line,
				 gap->contract_value, contract, gap->contract_line);
	case HG_FIELD_TYPE:
		return xasprintf(_("%s.%s is a %s in your header (%s:%u) but a %s in the "
				 "contract (%s:%u)"), gap->name, m, gap->student_value,
				 student, gap->student_line, gap->contract_value,
				 contract, gap->contract_line);
	case HG_FUNCTION_MISSING:
		return xasprintf(_("your header does not declare %s(); the contract "
				 "declares %s; at %s:%u"), gap->name, gap->contract_value,
				 contract, gap->contract_line);
	case HG_FUNCTION_TYPE:
		return xasprintf(_("your header declares %s; (%s:%u) but the contract "
				 "declares %s; (%s:%u)"), gap->student_value, student,
				 gap->student_line, gap->contract_value, contract,
				 gap->contract_line);
	case HG_CONSTANT_VALUE:
		return xasprintf(_("%s is %s in your header (%s:%u) but %s in the "
				 "contract (%s:%u)"), gap->name, gap->student_value,
				 student, gap->student_line, gap->contract_value,
				 contract, gap->contract_line);
	}
	return xstrdup("?");
}
