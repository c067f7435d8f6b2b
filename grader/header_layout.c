/* header_layout.c - libclang's reading of a header into a layout (see
 * header_layout.h)
 *
 * Each header is parsed by libclang inside a probe, a small C file that
 * includes it and, for each integer macro of the contract, declares
 * "static const long long ww_macro_N = (long long)(NAME);" so that libclang
 * evaluates the macro as the compiler would.  The layouts are libclang's
 * (the same ABI as gcc's on this target).  What is read here is compared
 * in header_compare.c.
 */
#include "header_layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

char *header_str_take(CXString s)
{
	const char *c = clang_getCString(s);
	char *r = xstrdup(c ? c : "");

	clang_disposeString(s);
	return r;
}

unsigned header_cursor_line(CXCursor c)
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
char *header_decl_name(const struct header *h, CXCursor decl)
{
	size_t i;
	char *tag;

	for (i = 0; i < h->nnames; i++)
		if (clang_equalCursors(h->names[i].decl, decl))
			return xstrdup(h->names[i].name);
	if (clang_Cursor_isAnonymous(decl))
		return xstrdup("");
	tag = header_str_take(clang_getCursorSpelling(decl));
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
	name = header_str_take(clang_getCursorSpelling(c));
	add_const(h, name, clang_getEnumConstantDeclValue(c), header_cursor_line(c), false);
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
	name = header_str_take(clang_getCursorSpelling(c));
	strlist_add(&h->macros, name);
	strlist_addf(&h->macro_lines, "%u", header_cursor_line(c));
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
		char *fn = header_str_take(clang_getFileName(f)), *rf = realpath(fn, NULL);
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
		name = header_str_take(clang_getCursorSpelling(c));
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
	name = header_str_take(clang_getCursorSpelling(c));
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
		add_type(h, name, clang_getCursorType(c), header_cursor_line(c));
	} else if ((k == CXCursor_StructDecl || k == CXCursor_UnionDecl ||
		    k == CXCursor_EnumDecl) && clang_isCursorDefinition(c)) {
		if (k == CXCursor_EnumDecl)
			clang_visitChildren(c, visit_enum, h);
		if (name[0] && !strchr(name, '(') && !clang_Cursor_isAnonymous(c)) {
			char *tagged = xasprintf("%s %s", k == CXCursor_StructDecl ? "struct"
						 : k == CXCursor_UnionDecl ? "union" : "enum",
						 name);

			add_type(h, tagged, clang_getCursorType(c), header_cursor_line(c));
			free(tagged);
		}
	} else if (k == CXCursor_FunctionDecl) {
		size_t i;

		for (i = 0; i < h->nfuncs && strcmp(h->funcs[i].name, name); i++)
			;
		if (i == h->nfuncs) {
			CXType t = clang_getCursorType(c);
			char *ret = header_str_take(clang_getTypeSpelling(clang_getResultType(t)));
			char *dn = header_str_take(clang_getCursorDisplayName(c));
			char *src = source_text(h, c);

			h->funcs = xrealloc(h->funcs, (h->nfuncs + 1) * sizeof(*h->funcs));
			h->funcs[i].name = xstrdup(name);
			h->funcs[i].type = clang_getCanonicalType(t);
			h->funcs[i].spelling = src ? src : xasprintf("%s%s%s", ret,
							 ret[strlen(ret) - 1] == '*' ? "" : " ", dn);
			h->funcs[i].line = header_cursor_line(c);
			h->nfuncs++;
			free(ret);
			free(dn);
		}
	}
	free(name);
	return CXChildVisit_Continue;
}

/* Parses the probe of path (with the macros of names), filling h. */
int header_parse(struct header *h, const char *path, const struct strlist *names)
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
			h->error = header_str_take(clang_getDiagnosticSpelling(dg));
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

void header_release(struct header *h)
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
