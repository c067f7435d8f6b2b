#!/usr/bin/env python3
"""covreport.py - print what gcov counted for one file, and gate on it

Usage: covreport.py [--min-lines P] [--min-branches P] GCOV.json.gz SOURCE

GCOV.json.gz is what `gcov -b --json-format` wrote for the object of SOURCE
(tools/covrun makes it).  Prints, per function, the lines executed out of
the lines that hold code and the branches taken (at least once) out of the
branches, the totals of the file, then every line never executed and every
executed line with a branch never taken, with its source text.  With
--min-lines / --min-branches (percentages), exits 1 when the file's totals
are below them, saying which.  Exit 2: the input cannot be read.
"""
import argparse
import gzip
import json
import os
import sys


def pct(n, total):
    return 100.0 * n / total if total else 100.0


def figure(n, total):
    return f"{n:>4}/{total:<4} {pct(n, total):5.1f}%" if total else f"{'-':>4}/{'-':<4} {'-':>6}"


def main():
    ap = argparse.ArgumentParser(description="report gcov's counts of one file")
    ap.add_argument("--min-lines", type=float, default=None)
    ap.add_argument("--min-branches", type=float, default=None)
    ap.add_argument("json")
    ap.add_argument("source")
    a = ap.parse_args()

    try:
        with gzip.open(a.json, "rt") as f:
            data = json.load(f)
        with open(a.source, encoding="utf-8", errors="replace") as f:
            text = f.read().split("\n")
    except (OSError, ValueError) as e:
        print(f"covreport: {e}", file=sys.stderr)
        return 2

    base = os.path.basename(a.source)
    files = [f for f in data.get("files", []) if os.path.basename(f["file"]) == base]
    if not files:
        print(f"covreport: gcov says nothing of {base} in {a.json}", file=sys.stderr)
        return 2
    lines = sorted(files[0]["lines"], key=lambda l: l["line_number"])
    funcs = sorted(files[0]["functions"], key=lambda f: f["start_line"])

    def owner(n):
        for fn in funcs:
            if fn["start_line"] <= n <= fn["end_line"]:
                return fn["name"]
        return "(file scope)"

    per = {fn["name"]: [0, 0, 0, 0, fn["execution_count"]] for fn in funcs}
    tot = [0, 0, 0, 0]
    missed, partial = [], []
    for l in lines:
        n = l["line_number"]
        name = l.get("function_name") or owner(n)
        s = per.setdefault(name, [0, 0, 0, 0, None])
        run = l["count"] > 0
        br = l.get("branches", [])
        taken = sum(1 for b in br if b["count"] > 0)
        for v in (s, tot):
            v[0] += run
            v[1] += 1
            v[2] += taken
            v[3] += len(br)
        if not run:
            missed.append(n)
        elif taken < len(br):
            partial.append((n, taken, len(br)))

    def src(n):
        return text[n - 1].strip() if 0 < n <= len(text) else ""

    width = max([len(k) for k in per] + [len("total " + a.source)])
    print(f"  {'function':<{width}}  {'lines':>16}  {'branches':>16}")
    order = {fn["name"]: fn["start_line"] for fn in funcs}
    for name in sorted(per, key=lambda k: order.get(k, 0)):
        s = per[name]
        note = "  never called" if s[4] == 0 else ""
        print(f"  {name:<{width}}  {figure(s[0], s[1])}  {figure(s[2], s[3])}{note}")
    print(f"  {'total ' + a.source:<{width}}  {figure(tot[0], tot[1])}  {figure(tot[2], tot[3])}")

    if missed:
        print(f"  lines never executed ({len(missed)}):")
        for n in missed:
            print(f"    {a.source}:{n}: {src(n)}")
    if partial:
        print(f"  executed lines with a branch never taken ({len(partial)}):")
        for n, t, b in partial:
            print(f"    {a.source}:{n}: {t}/{b} taken: {src(n)}")

    fails = []
    lp, bp = pct(tot[0], tot[1]), pct(tot[2], tot[3])
    if a.min_lines is not None and lp < a.min_lines:
        fails.append(f"lines {lp:.1f}% < {a.min_lines:g}%")
    if a.min_branches is not None and bp < a.min_branches:
        fails.append(f"branches {bp:.1f}% < {a.min_branches:g}%")
    gates = [f"lines >= {a.min_lines:g}%" if a.min_lines is not None else None,
             f"branches >= {a.min_branches:g}%" if a.min_branches is not None else None]
    gates = [g for g in gates if g]
    if fails:
        print(f"  FAIL {a.source}: {', '.join(fails)} (the lines and branches above "
              f"are what the graded tests do not reach)")
        return 1
    print(f"  {'ok' if gates else 'no threshold'} {a.source}: lines {lp:.1f}%, "
          f"branches {bp:.1f}%" + (f" ({', '.join(gates)})" if gates else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
