/* mutate_gen.c - the mutants of a C file, placed on libclang's syntax tree
 *
 * Each operator of the standard set (as Mull and Stryker name them) is
 * applied to the nodes of the parsed file, inside the functions it
 * defines: one node, one change, one byte range of the file replaced.  A
 * node whose text is not in the file itself (a macro's body) is left
 * alone: its mutant would not be the change it names.
 *
 *   relational_boundary  < <=  > >=          relational_negate  < >=  > <=
 *   equality             == !=               logical            && ||
 *   arithmetic           + - * / %  += -=    bitwise            & | ^ << >>  ~
 *   increment            ++ --               negate_condition   if/while/do/?: !(c)
 *   remove_not           !x -> x             constant           0->1 1->0 n->n+-1
 *   return_value         return 0/1/NULL     remove_void_call   f(...); of a void f
 *   remove_statement     x = ...; x++;       remove_free        free(p); munmap(...);
 *
 * Past ~500 lines on purpose: one visitor over one tree, its operators a
 * short function each sharing the node helpers above them; split, each part
 * would need the others' helpers.
 */
#include "mutate.h"

#include <clang-c/Index.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct gen {
	CXTranslationUnit tu;
	const char *src;
	size_t  src_len;
	struct mutant_set *set;
};

/* One node's children, in order. */
struct kids {
	CXCursor c[8];
	size_t   n;
};

static enum CXChildVisitResult kids_add(CXCursor c, CXCursor parent, CXClientData d)
{
	struct kids *k = d;

	(void)parent;
	if (k->n < sizeof(k->c) / sizeof(k->c[0]))
		k->c[k->n] = c;
	k->n++;
	return CXChildVisit_Continue;
}

static void kids_get(CXCursor c, struct kids *k)
{
	k->n = 0;
	clang_visitChildren(c, kids_add, k);
	if (k->n > sizeof(k->c) / sizeof(k->c[0]))
		k->n = sizeof(k->c) / sizeof(k->c[0]);
}

/* The byte offset and position of loc in the main file; false elsewhere. */
static bool file_pos(CXSourceLocation loc, size_t *offset, unsigned *line,
		     unsigned *col)
{
	unsigned l, c, off;

	if (!clang_Location_isFromMainFile(loc))
		return false;
	clang_getFileLocation(loc, NULL, &l, &c, &off);
	*offset = off;
	if (line)
		*line = l;
	if (col)
		*col = c;
	return true;
}

/* The range of c in the main file: [*start, *end). */
static bool cursor_range(CXCursor c, size_t *start, size_t *end, unsigned *line,
			 unsigned *col)
{
	CXSourceRange r = clang_getCursorExtent(c);

	return file_pos(clang_getRangeStart(r), start, line, col) &&
	       file_pos(clang_getRangeEnd(r), end, NULL, NULL) && *end > *start;
}

/* Records a mutant replacing [offset, offset+len) by repl, if the file
 * there really holds what the node says (text, when given). */
static void gen_add(struct gen *g, const char *op, const char *function,
		    size_t offset, size_t len, unsigned line, unsigned col,
		    const char *text, const char *repl)
{
	struct mutant_set *set = g->set;
	struct mutant *m;

	if (offset + len > g->src_len)
		return;
	if (text && (strlen(text) != len || memcmp(g->src + offset, text, len)))
		return;
	set->v = xrealloc(set->v, (set->n + 1) * sizeof(*set->v));
	m = &set->v[set->n++];
	memset(m, 0, sizeof(*m));
	m->op = op;
	m->function = xstrdup(function);
	m->offset = offset;
	m->len = len;
	m->line = line;
	m->column = col;
	m->original = xstrndup(g->src + offset, len);
	m->replacement = xstrdup(repl);
}

/* The token at or after offset from inside c's extent (an operator). */
static bool op_token(struct gen *g, CXCursor c, size_t from, bool last,
		     char *out, size_t outsz, size_t *offset, unsigned *line,
		     unsigned *col)
{
	CXToken *toks = NULL;
	unsigned n = 0, i;
	bool found = false;

	clang_tokenize(g->tu, clang_getCursorExtent(c), &toks, &n);
	for (i = 0; i < n && !found; i++) {
		unsigned k = last ? n - 1 - i : i;
		size_t off;
		CXString s;

		if (clang_getTokenKind(toks[k]) != CXToken_Punctuation)
			continue;
		if (!file_pos(clang_getTokenLocation(g->tu, toks[k]), &off, line, col))
			continue;
		if (!last && off < from)
			continue;
		s = clang_getTokenSpelling(g->tu, toks[k]);
		snprintf(out, outsz, "%s", clang_getCString(s));
		clang_disposeString(s);
		*offset = off;
		found = true;
	}
	if (toks)
		clang_disposeTokens(g->tu, toks, n);
	return found;
}

struct swap {
	const char *from, *to, *op;
};

static const struct swap binary_swaps[] = {
	{ "<", "<=", "relational_boundary" }, { "<", ">=", "relational_negate" },
	{ "<=", "<", "relational_boundary" }, { "<=", ">", "relational_negate" },
	{ ">", ">=", "relational_boundary" }, { ">", "<=", "relational_negate" },
	{ ">=", ">", "relational_boundary" }, { ">=", "<", "relational_negate" },
	{ "==", "!=", "equality" }, { "!=", "==", "equality" },
	{ "&&", "||", "logical" }, { "||", "&&", "logical" },
	{ "+", "-", "arithmetic" }, { "-", "+", "arithmetic" },
	{ "*", "/", "arithmetic" }, { "/", "*", "arithmetic" },
	{ "%", "*", "arithmetic" },
	{ "&", "|", "bitwise" }, { "|", "&", "bitwise" }, { "^", "|", "bitwise" },
	{ "<<", ">>", "bitwise" }, { ">>", "<<", "bitwise" },
	{ "+=", "-=", "arithmetic" }, { "-=", "+=", "arithmetic" },
	{ "*=", "/=", "arithmetic" }, { "/=", "*=", "arithmetic" },
	{ "|=", "&=", "bitwise" }, { "&=", "|=", "bitwise" }, { "^=", "|=", "bitwise" },
	{ "<<=", ">>=", "bitwise" }, { ">>=", "<<=", "bitwise" },
};

static void gen_binary(struct gen *g, CXCursor c, const char *fn)
{
	struct kids k;
	size_t lhs_start, lhs_end, off;
	unsigned line, col, i;
	char tok[8];

	kids_get(c, &k);
	if (k.n != 2 || !cursor_range(k.c[0], &lhs_start, &lhs_end, NULL, NULL))
		return;
	if (!op_token(g, c, lhs_end, false, tok, sizeof(tok), &off, &line, &col))
		return;
	for (i = 0; i < sizeof(binary_swaps) / sizeof(binary_swaps[0]); i++)
		if (!strcmp(tok, binary_swaps[i].from))
			gen_add(g, binary_swaps[i].op, fn, off, strlen(tok), line, col,
				tok, binary_swaps[i].to);
}

static void gen_unary(struct gen *g, CXCursor c, const char *fn)
{
	struct kids k;
	size_t start, end, cstart, cend, off;
	unsigned line, col;
	char tok[8];
	bool prefix;

	kids_get(c, &k);
	if (k.n != 1 || !cursor_range(c, &start, &end, NULL, NULL) ||
	    !cursor_range(k.c[0], &cstart, &cend, NULL, NULL))
		return;
	prefix = cstart > start;
	if (!op_token(g, c, start, !prefix, tok, sizeof(tok), &off, &line, &col))
		return;
	if (prefix && off >= cstart)
		return;
	if (!strcmp(tok, "++"))
		gen_add(g, "increment", fn, off, 2, line, col, tok, "--");
	else if (!strcmp(tok, "--"))
		gen_add(g, "increment", fn, off, 2, line, col, tok, "++");
	else if (!strcmp(tok, "!"))
		gen_add(g, "remove_not", fn, off, 1, line, col, tok, "");
	else if (!strcmp(tok, "~"))
		gen_add(g, "bitwise", fn, off, 1, line, col, tok, "");
}

static void gen_constant(struct gen *g, CXCursor c, const char *fn)
{
	size_t start, end;
	unsigned line, col;
	char *text, *suffix, *repl;
	unsigned long long v;
	bool hex;

	if (!cursor_range(c, &start, &end, &line, &col) || end - start > 30)
		return;
	text = xstrndup(g->src + start, end - start);
	errno = 0;
	v = strtoull(text, &suffix, 0);
	hex = !strncmp(text, "0x", 2) || !strncmp(text, "0X", 2);
	if (errno || suffix == text || strspn(suffix, "uUlL") != strlen(suffix))
		goto out;
	if (v == 0 || v == 1) {
		repl = xasprintf("%s%s", v ? "0" : "1", suffix);
		gen_add(g, "constant", fn, start, end - start, line, col, text, repl);
		free(repl);
	}
	if (v >= 1 && v < ULLONG_MAX) {
		repl = xasprintf(hex ? "0x%llx%s" : "%llu%s", v + 1, suffix);
		gen_add(g, "constant", fn, start, end - start, line, col, text, repl);
		free(repl);
	}
	if (v >= 2) {
		repl = xasprintf(hex ? "0x%llx%s" : "%llu%s", v - 1, suffix);
		gen_add(g, "constant", fn, start, end - start, line, col, text, repl);
		free(repl);
	}
out:
	free(text);
}

/* cond -> !(cond) */
static void gen_negate(struct gen *g, CXCursor cond, const char *fn)
{
	size_t start, end;
	unsigned line, col;
	char *text, *repl;

	if (!cursor_range(cond, &start, &end, &line, &col))
		return;
	text = xstrndup(g->src + start, end - start);
	repl = xasprintf("!(%s)", text);
	gen_add(g, "negate_condition", fn, start, end - start, line, col, text, repl);
	free(text);
	free(repl);
}

static bool integer_kind(enum CXTypeKind k)
{
	return (k >= CXType_Bool && k <= CXType_Int128) && k != CXType_Char16 &&
	       k != CXType_Char32;
}

static void gen_return(struct gen *g, CXCursor c, const char *fn)
{
	struct kids k;
	size_t start, end;
	unsigned line, col;
	enum CXTypeKind kind;
	char *text;

	kids_get(c, &k);
	if (k.n != 1 || !cursor_range(k.c[0], &start, &end, &line, &col))
		return;
	kind = clang_getCanonicalType(clang_getCursorType(k.c[0])).kind;
	text = xstrndup(g->src + start, end - start);
	/* a literal is the constant operator's */
	if (strspn(text, "0123456789xXabcdefABCDEFuUlL") == strlen(text))
		goto out;
	if (kind == CXType_Pointer && strcmp(text, "NULL"))
		gen_add(g, "return_value", fn, start, end - start, line, col, text, "NULL");
	else if (integer_kind(kind))
		gen_add(g, "return_value", fn, start, end - start, line, col, text, "0");
out:
	free(text);
}

/* A statement of a block: removed when it is a call of a void function, a
 * free()/munmap() whatever it returns, an assignment or an increment. */
static void gen_statement(struct gen *g, CXCursor s, const char *fn)
{
	enum CXCursorKind kind = clang_getCursorKind(s);
	size_t start, end;
	unsigned line, col;
	const char *op = NULL;
	CXString name;

	if (!cursor_range(s, &start, &end, &line, &col))
		return;
	if (kind == CXCursor_CallExpr) {
		const char *callee;

		name = clang_getCursorSpelling(s);
		callee = clang_getCString(name);
		if (!strcmp(callee, "free") || !strcmp(callee, "munmap"))
			op = "remove_free";
		else if (clang_getCanonicalType(clang_getCursorType(s)).kind == CXType_Void)
			op = "remove_void_call";
		clang_disposeString(name);
	} else if (kind == CXCursor_BinaryOperator ||
		   kind == CXCursor_CompoundAssignOperator ||
		   kind == CXCursor_UnaryOperator) {
		op = "remove_statement";
	}
	if (op)
		gen_add(g, op, fn, start, end - start, line, col, NULL, "(void)0");
}

struct walk {
	struct gen *g;
	const char *function;   /* NULL outside a function body */
};

static enum CXChildVisitResult walk_visit(CXCursor c, CXCursor parent, CXClientData d);

static void walk_children(struct gen *g, CXCursor c, const char *function)
{
	struct walk w = { g, function };

	clang_visitChildren(c, walk_visit, &w);
}

static void walk_node(struct gen *g, CXCursor c, const char *fn)
{
	struct kids k;

	switch (clang_getCursorKind(c)) {
	case CXCursor_BinaryOperator:
	case CXCursor_CompoundAssignOperator:
		gen_binary(g, c, fn);
		break;
	case CXCursor_UnaryOperator:
		gen_unary(g, c, fn);
		break;
	case CXCursor_IntegerLiteral:
		gen_constant(g, c, fn);
		break;
	case CXCursor_IfStmt:
	case CXCursor_WhileStmt:
	case CXCursor_ConditionalOperator:
		kids_get(c, &k);
		if (k.n >= 2)
			gen_negate(g, k.c[0], fn);
		break;
	case CXCursor_DoStmt:
		kids_get(c, &k);
		if (k.n == 2)
			gen_negate(g, k.c[1], fn);
		break;
	case CXCursor_ReturnStmt:
		gen_return(g, c, fn);
		break;
	default:
		break;
	}
}

static enum CXChildVisitResult block_visit(CXCursor c, CXCursor parent, CXClientData d)
{
	const struct walk *w = d;

	(void)parent;
	gen_statement(w->g, c, w->function);
	return CXChildVisit_Continue;
}

static enum CXChildVisitResult walk_visit(CXCursor c, CXCursor parent, CXClientData d)
{
	const struct walk *w = d;
	CXSourceLocation loc = clang_getCursorLocation(c);

	(void)parent;
	if (!clang_Location_isFromMainFile(loc))
		return CXChildVisit_Continue;
	if (clang_getCursorKind(c) == CXCursor_FunctionDecl) {
		if (clang_isCursorDefinition(c)) {
			CXString name = clang_getCursorSpelling(c);
			char *fn = xstrdup(clang_getCString(name));

			clang_disposeString(name);
			walk_children(w->g, c, fn);
			free(fn);
		}
		return CXChildVisit_Continue;
	}
	if (w->function) {
		walk_node(w->g, c, w->function);
		if (clang_getCursorKind(c) == CXCursor_CompoundStmt)
			clang_visitChildren(c, block_visit, (CXClientData)w);
	}
	walk_children(w->g, c, w->function);
	return CXChildVisit_Continue;
}

/* s with every run of white space as one space: an id stays one line,
 * and the same when a statement is re-indented. */
static char *squeeze(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	bool space = false;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			space = true;
			continue;
		}
		if (space && o > out)
			*o++ = ' ';
		space = false;
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* Occurrences and ids, once every mutant is known. */
static void set_ids(struct mutant_set *set)
{
	size_t i, j;

	for (i = 0; i < set->n; i++) {
		struct mutant *m = &set->v[i];
		char *orig, *repl;

		m->occurrence = 0;
		for (j = 0; j < i; j++) {
			const struct mutant *o = &set->v[j];

			if (o->op == m->op && !strcmp(o->function, m->function) &&
			    !strcmp(o->original, m->original) &&
			    !strcmp(o->replacement, m->replacement))
				m->occurrence++;
		}
		orig = squeeze(m->original);
		repl = squeeze(m->replacement);
		m->id = xasprintf("%s:%s:%s->%s#%u", m->function, m->op, orig, repl,
				  m->occurrence);
		free(orig);
		free(repl);
	}
}

static int by_offset(const void *a, const void *b)
{
	const struct mutant *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return strcmp(x->replacement, y->replacement);
}

int mutate_generate(const char *file, const char *const *args, int nargs,
		    struct mutant_set *set, char **err)
{
	CXIndex idx = NULL;
	struct gen g = { .set = set };
	enum CXErrorCode ec;
	int ret = -1;

	memset(set, 0, sizeof(*set));
	set->source = read_file(file, &set->source_len);
	if (set->source == NULL) {
		*err = xasprintf("cannot read '%s': %s", file, strerror(errno));
		return -1;
	}
	g.src = set->source;
	g.src_len = set->source_len;
	idx = clang_createIndex(0, 0);
	ec = clang_parseTranslationUnit2(idx, file, args, nargs, NULL, 0,
					 CXTranslationUnit_None, &g.tu);
	if (ec != CXError_Success || g.tu == NULL) {
		*err = xasprintf("libclang cannot parse '%s' (error %d)", file, (int)ec);
		goto out;
	}
	walk_children(&g, clang_getTranslationUnitCursor(g.tu), NULL);
	qsort(set->v, set->n, sizeof(*set->v), by_offset);
	set_ids(set);
	ret = 0;
out:
	if (g.tu)
		clang_disposeTranslationUnit(g.tu);
	if (idx)
		clang_disposeIndex(idx);
	return ret;
}

char *mutant_apply(const struct mutant_set *set, const struct mutant *m, size_t *len)
{
	size_t rl = strlen(m->replacement);
	size_t n = set->source_len - m->len + rl;
	char *out = xmalloc(n + 1);

	memcpy(out, set->source, m->offset);
	memcpy(out + m->offset, m->replacement, rl);
	memcpy(out + m->offset + rl, set->source + m->offset + m->len,
	       set->source_len - m->offset - m->len);
	out[n] = '\0';
	*len = n;
	return out;
}

void mutant_set_release(struct mutant_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		struct mutant *m = &set->v[i];

		free(m->function);
		free(m->original);
		free(m->replacement);
		free(m->id);
		free(m->refused_because);
		strlist_release(&m->killers);
	}
	free(set->v);
	free(set->source);
	memset(set, 0, sizeof(*set));
}

const char *mutant_status_name(enum mutant_status s)
{
	static const char *const names[] = {
		"pending", "not_compiling", "equivalent", "duplicate", "killed",
		"survived", "reviewed_equivalent",
	};

	return names[s];
}
