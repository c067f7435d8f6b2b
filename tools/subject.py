#!/usr/bin/env python3
"""subject.py - fill the generated sections of the student's subject

The subject (docs/subject.fr.md, docs/subject.en.md) is written by hand,
except for the parts that restate the spec or the header: the functions to
write with their prototypes and header lines, the exit reasons and their
kvm_run fields, the instruction subset, the rules of the build and of the
norm, and the tests with their points.  Those sit between markers

    <!-- generated:NAME -->
    ...
    <!-- end:NAME -->

and this script rewrites what is between them from spec.json and the header
it names, so that the subject cannot drift from what the grader grades.

Usage: tools/subject.py [--check] [--spec spec.json] [FILE...]
  (no FILE: docs/subject.fr.md and docs/subject.en.md; the language of a
  file is the one its name says: subject.LANG.md)
  --check  change nothing; exit 1 and show the difference when a file is
           not what the spec and the header make it
Exit status: 0 up to date (or written), 1 out of date, 2 usage or bad input.
"""
import argparse
import difflib
import json
import os
import re
import sys

SECTIONS = ("rules", "functions", "exits", "subset", "tests", "edges")

LABELS = {
    "fr": {
        "function": "fonction", "prototype": "prototype", "declared": "déclarée",
        "table_base": "de base", "table_bonus": "bonus",
        "reason": "raison de sortie", "value": "valeur", "fields": "champs de `kvm_run`",
        "in_header": "dans le header",
        "instruction": "instruction", "opcode": "codage", "part": "partie",
        "base": "base", "bonus": "bonus",
        "test": "test", "points": "points", "kind": "nature", "fed": "ce qui est donné",
        "expected": "ce qui est attendu", "trap": "piège", "required": "requis",
        "total": "total", "edge": "cas limite", "args": "argument",
        "edge_expect": {"non_null": "un host (non NULL)", "null": "NULL",
                        "no_memory_leak": "aucune fuite après ford_retires_host",
                        "exit_hlt": "le code HLT s'arrête sur KVM_EXIT_HLT"},
        "moulinette": "Moulinette (exercice de base)",
        "bonus_table": "Bonus (noté quand le fichier définit `maeve_tries_to_escape`)",
        "rules": [
            "Compilation : `gcc {cflags}` (la moulinette ajoute `-O0 -fno-builtin -g`).",
            "Fonctions autorisées : {allowed}.",
            "Fonctions interdites : {forbidden}.",
            "Pour réussir : un score d'au moins {passing}/100 et aucun échec "
            "bloquant ({required}/{ntests} tests requis, {traps} pièges).",
            "Fuzzing de `{fuzz_fn}` : {iters} valeurs tirées avec la graine {seed}.",
        ],
        "none": "aucune", "direction": "valeur de `io.direction`",
    },
    "en": {
        "function": "function", "prototype": "prototype", "declared": "declared",
        "table_base": "base", "table_bonus": "bonus",
        "reason": "exit reason", "value": "value", "fields": "`kvm_run` fields",
        "in_header": "in the header",
        "instruction": "instruction", "opcode": "encoding", "part": "part",
        "base": "base", "bonus": "bonus",
        "test": "test", "points": "points", "kind": "kind", "fed": "what it is given",
        "expected": "what is expected", "trap": "trap", "required": "required",
        "total": "total", "edge": "edge case", "args": "argument",
        "edge_expect": {"non_null": "a host (not NULL)", "null": "NULL",
                        "no_memory_leak": "no leak after ford_retires_host",
                        "exit_hlt": "the HLT code stops on KVM_EXIT_HLT"},
        "moulinette": "Moulinette (the base exercise)",
        "bonus_table": "Bonus (graded when the file defines `maeve_tries_to_escape`)",
        "rules": [
            "Build: `gcc {cflags}` (the moulinette adds `-O0 -fno-builtin -g`).",
            "Allowed functions: {allowed}.",
            "Forbidden functions: {forbidden}.",
            "To pass: a score of at least {passing}/100 and no blocking failure "
            "({required}/{ntests} tests required, {traps} traps).",
            "Fuzzing of `{fuzz_fn}`: {iters} values drawn with the seed {seed}.",
        ],
        "none": "none", "direction": "a value of `io.direction`",
    },
}


class BadInput(Exception):
    """The spec or the header is not what this script can read."""


def cell(text):
    """A Markdown table cell: no bar, no line break."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def header_functions(text):
    """Every function declaration: (name, prototype, line, section)."""
    out = []
    section = ""
    banner = re.compile(r"^/\* -+ \*/\n/\* (.+?)\s*\*/\n/\* -+ \*/", re.M)
    decl = re.compile(r"^([A-Za-z_][\w \t]*?[\s\*]+)(\w+)\(([^;{}]*?)\);", re.M)
    marks = [(m.start(), m.group(1)) for m in banner.finditer(text)]
    for m in decl.finditer(text):
        if m.group(1).startswith(("typedef", "#", "return")):
            continue
        for pos, title in marks:
            if pos < m.start():
                section = title
        proto = re.sub(r"\s+", " ", m.group(0)).strip()
        line = text.count("\n", 0, m.start()) + 1
        out.append((m.group(2), proto, line, section))
    return out


def header_exits(text):
    """The exit reasons (#define KVM_EXIT_*, WW_EXIT_*): (name, value, line)."""
    out = []
    for m in re.finditer(r"^#define\s+((?:KVM|WW)_EXIT_\w+)\s+(\S+)", text, re.M):
        out.append((m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1))
    return out


def header_run_members(text):
    """The union of KvmRun: {exit name: (member, [fields], line)}."""
    start = text.find("typedef struct {\n    uint8_t  request_interrupt_window;")
    end = text.find("} KvmRun;")
    if start < 0 or end < 0:
        raise BadInput("the header has no KvmRun as this script knows it")
    body = text[start:end]
    base_line = text.count("\n", 0, start) + 1
    members = {}
    member = re.compile(r"/\* ((?:KVM|WW)_EXIT_\w+)[^*]*(?:\*(?!/)[^*]*)*\*/\s*"
                        r"struct \{([^}]*)\} (\w+);")
    for m in member.finditer(body):
        fields = []
        for decl in m.group(2).split(";"):
            decl = re.sub(r"/\*.*?\*/", "", decl, flags=re.S).strip()
            if decl:
                typ, names = decl.split(None, 1)
                fields += [f"{typ} {n.strip()}" for n in names.split(",")]
        line = base_line + body.count("\n", 0, m.start(3))
        members[m.group(1)] = (m.group(3), fields, line)
    return members


def header_subset(text):
    """The instruction subset of kvm_run's comment: (part, mnemonic, encoding)."""
    flat = re.sub(r"\s*\n\s*\*\s*", " ", text)
    m = re.search(r"The base subset: (.*?)\.\s+The bonus adds (.*?)\. \*/", flat)
    if m is None:
        raise BadInput("the header's kvm_run() comment has no 'The base subset: "
                       "... The bonus adds ...' sentence")
    out = []
    for part, items in (("base", m.group(1)), ("bonus", m.group(2))):
        for item in re.split(r"(?<=\))[;,]\s*", items):
            item = item.strip()
            im = re.match(r"^(.*?)\s*\(([^()]*)\)$", item)
            if im is None:
                raise BadInput(f"cannot read the instruction '{item}' of the subset")
            out.append((part, im.group(1), im.group(2)))
    return out


def text_of(obj, key, lang, where):
    """The spec's text key of obj in lang (French is the spec's own)."""
    if lang == "fr":
        return obj.get(key, "")
    en = obj.get("en")
    if not isinstance(en, dict) or key not in en:
        raise BadInput(f"{where}: no English '{key}' (add it to the test's \"en\" object)")
    return en[key]


def section_rules(spec, lang, _hdr):
    lab = LABELS[lang]
    norm = spec["norm"]
    fuzz = spec["driver"]["fuzzing"]
    tests = spec["moulinette"]["tests"]
    values = {
        "cflags": " ".join(spec["compile"]["cflags"]),
        "allowed": ", ".join(f"`{f}`" for f in norm["allowed_functions"]) or lab["none"],
        "forbidden": ", ".join(f"`{f}`" for f in norm["forbidden_functions"]) or lab["none"],
        "passing": spec["passing_score"],
        "fuzz_fn": spec["function"]["name"],
        "iters": fuzz["iterations"], "seed": fuzz["seed"],
        "ntests": len(tests), "required": sum(1 for t in tests if t.get("required")),
        "traps": sum(1 for t in tests if t.get("trap")),
    }
    return "\n".join("- " + r.format(**values) for r in lab["rules"])


def section_functions(spec, lang, hdr):
    lab = LABELS[lang]
    header_name = os.path.basename(spec["header"])
    base = set(spec["required_functions"])
    bonus = set(spec.get("bonus", {}).get("required_functions", []))
    funcs = header_functions(hdr)
    declared = {f[0] for f in funcs}
    for name in sorted((base | bonus) - declared):
        raise BadInput(f"spec requires '{name}', which the header does not declare")
    rows = [f"| {lab['function']} | {lab['prototype']} | {lab['declared']} | {lab['part']} |",
            "|---|---|---|---|"]
    for name, proto, line, _section in funcs:
        part = lab["table_bonus"] if name in bonus else lab["table_base"]
        rows.append(f"| `{name}` | `{cell(proto)}` | `{header_name}:{line}` | {part} |")
    return "\n".join(rows)


def section_exits(spec, lang, hdr):
    lab = LABELS[lang]
    header_name = os.path.basename(spec["header"])
    members = header_run_members(hdr)
    rows = [f"| {lab['reason']} | {lab['value']} | {lab['in_header']} | {lab['fields']} |",
            "|---|---|---|---|"]
    for name, value, line in header_exits(hdr):
        if name in members:
            member, fields, _ = members[name]
            desc = f"`{member}`: " + ", ".join(f"`{f}`" for f in fields)
        elif name.startswith("KVM_EXIT_IO_"):
            desc = lab["direction"]
        else:
            desc = ""
        rows.append(f"| `{name}` | {value} | `{header_name}:{line}` | {cell(desc)} |")
    return "\n".join(rows)


def section_subset(_spec, lang, hdr):
    lab = LABELS[lang]
    rows = [f"| {lab['instruction']} | {lab['opcode']} | {lab['part']} |", "|---|---|---|"]
    for part, mnemonic, encoding in header_subset(hdr):
        rows.append(f"| `{cell(mnemonic)}` | `{cell(encoding)}` | {lab[part]} |")
    return "\n".join(rows)


def test_rows(tests, lang, table):
    lab = LABELS[lang]
    rows = [f"| {lab['test']} | {lab['points']} | {lab['kind']} | {lab['fed']} | "
            f"{lab['expected']} |", "|---|---|---|---|---|"]
    total = 0
    for i, t in enumerate(tests):
        where = f"{table}.tests[{i}] ({t['name']})"
        kind = [lab["required"]] if t.get("required") else []
        if t.get("trap"):
            kind.append(lab["trap"] + ": " + text_of(t, "trap_explanation", lang, where))
        rows.append(f"| `{t['name']}` | {t['points']} | {cell('; '.join(kind))} | "
                    f"{cell(text_of(t, 'input', lang, where))} | "
                    f"{cell(text_of(t, 'expected', lang, where))} |")
        total += t["points"]
    rows.append(f"| **{lab['total']}** | **{total}** | | | |")
    return rows


def section_tests(spec, lang, _hdr):
    lab = LABELS[lang]
    out = [f"**{lab['moulinette']}**", ""]
    out += test_rows(spec["moulinette"]["tests"], lang, "moulinette")
    if "bonus" in spec:
        out += ["", f"**{lab['bonus_table']}**", ""]
        out += test_rows(spec["bonus"]["tests"], lang, "bonus")
    return "\n".join(out)


def section_edges(spec, lang, _hdr):
    lab = LABELS[lang]
    fn = spec["function"]["name"]
    rows = [f"| {lab['edge']} | {lab['expected']} | {lab['trap']} |", "|---|---|---|"]
    for i, e in enumerate(spec["driver"]["edge_cases"]):
        call = f"{fn}({', '.join(str(a) for a in e['args'])})"
        trap = ""
        if e.get("is_trap"):
            trap = text_of(e, "trap_explanation", lang, f"driver.edge_cases[{i}]")
        rows.append(f"| `{call}` ({e['name']}) | {lab['edge_expect'].get(e['expected'], e['expected'])} "
                    f"| {cell(trap)} |")
    return "\n".join(rows)


# The eight tests of the document's table (section 4.1).
DOC_TESTS = ("test_kvm_open", "test_vm_create", "test_vcpu_create", "test_memory_region",
             "test_null_kvm", "test_hlt_exit", "test_io_exit", "test_serial_output")


def values(spec, hdr):
    """The numbers the hand-written prose quotes, as <!-- value:NAME -->."""
    tests = spec["moulinette"]["tests"]
    points = {t["name"]: t["points"] for t in tests}
    missing = [n for n in DOC_TESTS if n not in points]
    if missing:
        raise BadInput(f"the spec has lost the document's tests {', '.join(missing)}")
    return {
        "ntests": str(len(tests)),
        "points": str(sum(points.values())),
        "doc_points": str(sum(points[n] for n in DOC_TESTS)),
        "nsubset": str(sum(1 for part, _, _ in header_subset(hdr) if part == "base")),
        "passing": str(spec["passing_score"]),
    }


MAKERS = {
    "rules": section_rules, "functions": section_functions, "exits": section_exits,
    "subset": section_subset, "tests": section_tests, "edges": section_edges,
}


def fill(path, text, spec, hdr, lang):
    """The text of path with every generated section made anew."""
    out = text
    for name in SECTIONS:
        begin = f"<!-- generated:{name} -->"
        end = f"<!-- end:{name} -->"
        b, e = out.find(begin), out.find(end)
        if b < 0 or e < b:
            raise BadInput(f"{path}: no '{begin}' ... '{end}' section")
        body = MAKERS[name](spec, lang, hdr)
        out = out[:b + len(begin)] + "\n" + body + "\n" + out[e:]
    vals = values(spec, hdr)

    def value(m):
        if m.group(2) not in vals:
            raise BadInput(f"{path}: unknown value '{m.group(2)}' ({', '.join(vals)})")
        return m.group(1) + vals[m.group(2)] + m.group(3)
    return re.sub(r"(<!-- value:(\w+) -->).*?(<!-- /value -->)", value, out)


def main():
    ap = argparse.ArgumentParser(description="fill the subject's generated sections")
    ap.add_argument("--check", action="store_true",
                    help="change nothing; exit 1 when a file is out of date")
    ap.add_argument("--spec", default="spec.json")
    ap.add_argument("files", nargs="*",
                    default=["docs/subject.fr.md", "docs/subject.en.md"])
    args = ap.parse_args()
    try:
        with open(args.spec, encoding="utf-8") as f:
            spec = json.load(f)
        header = os.path.join(os.path.dirname(args.spec), spec["header"])
        with open(header, encoding="utf-8") as f:
            hdr = f.read()
    except (OSError, ValueError, KeyError) as exc:
        print(f"subject: cannot read the spec or its header: {exc}", file=sys.stderr)
        return 2
    stale = 0
    for path in args.files:
        m = re.search(r"\.(fr|en)\.md$", path)
        if m is None:
            print(f"subject: '{path}': the name must end in .fr.md or .en.md",
                  file=sys.stderr)
            return 2
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            new = fill(path, text, spec, hdr, m.group(1))
        except (OSError, BadInput, KeyError) as exc:
            print(f"subject: {exc}", file=sys.stderr)
            return 2
        if new == text:
            continue
        if args.check:
            stale += 1
            print(f"subject: '{path}' is out of date with {args.spec} and {header} "
                  f"(run: make subject)", file=sys.stderr)
            sys.stderr.writelines(difflib.unified_diff(
                text.splitlines(True), new.splitlines(True), path, path + " (generated)"))
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            print(f"subject: wrote {path}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
