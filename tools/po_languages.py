#!/usr/bin/env python3
"""po_languages.py - a French and an English report each speak one language

Usage: tools/po_languages.py [--harness-po HPO] GRADER SPEC PO SUBMISSION...

Grades each (failing) SUBMISSION twice with GRADER: LANGUAGE=fr, and
LANGUAGE=en; then once more with no language at all (LANG, LC_ALL,
LC_MESSAGES, LANGUAGE unset: the default, English for the pack's build), and
with LANG=fr_FR.UTF-8 whether or not that locale is installed (French).
In each report, the grader's own lines (what the submission printed, and
the harness's "got:" text, are not the grader's and are left out) must hold:
  - no fragment of a message of PO in the other language (the text between
    the format directives, 8 characters or more, that the other language
    does not share);
  - fragments of its own language (at least 3: the check sees something);
  - the spec's texts of the failed tests in its language (French: input,
    expected, trap_explanation; English: their "en"), never the other's.
With --harness-po, the harness's "got:" lines are checked too, against
HPO (the harness's catalogue, po/harness/LANG.po): no fragment of its
messages in the other language, and, over all the runs of a language, at
least one of its own (the check sees a translated got: line).  A message
of HPO translated by itself must be code (a call, a register dump), not
prose.
Exit status: 0 good, 1 a report mixes languages, 2 usage or bad input.
"""
import json
import os
import re
import subprocess
import sys

# Words both languages write the same way.
SAME_IN_BOTH = {"valgrind"}

DIRECTIVE = re.compile(r"%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t)?[diouxXscpf%]|\\n|\n")


def parse_po(path):
    """[(msgid, [msgstr...])] of a .po file, plural forms included."""
    pairs, cur, mid, strs, key = [], None, [], [], None
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for block in text.split("\n\n"):
        mid, strs, key = [], {}, None
        for line in block.split("\n"):
            m = re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
            if m:
                key = m.group(1)
                if key == "msgid_plural":
                    key = "msgid"
                    mid.append("\0")
                    mid.append(m.group(2))
                elif key == "msgid":
                    mid.append(m.group(2))
                else:
                    strs[key] = [m.group(2)]
                continue
            m = re.match(r'^"(.*)"$', line)
            if m and key == "msgid":
                mid.append(m.group(1))
            elif m and key:
                strs[key].append(m.group(1))
        msgid = "".join(mid)
        if msgid and strs:
            unescape = lambda s: s.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            pairs.append(([unescape(x) for x in msgid.split("\0")],
                          [unescape("".join(v)) for v in strs.values()]))
    return pairs


def fragments(texts):
    out = set()
    for t in texts:
        for piece in DIRECTIVE.split(t):
            piece = piece.strip(" :,()[]—-")
            if len(piece) >= 8 and re.search(r"[A-Za-zÀ-ÿ]{3}", piece):
                out.add(piece)
    return out


def grader_lines(report, own_labels):
    """The report without what is not the grader's: the submission's output
    (| lines), the harness's got: text and every continuation line."""
    keep = []
    for line in report.split("\n"):
        stripped = line.strip()
        if line.startswith(" " * 22) or stripped.startswith("|"):
            continue
        if any(stripped.startswith(label) for label in own_labels):
            continue
        keep.append(line)
    return "\n".join(keep)


def got_lines(report, labels):
    """The text of the report's got: lines (the harness's messages)."""
    return "\n".join(line.strip()[len(label):] for line in report.split("\n")
                     for label in labels if line.strip().startswith(label))


def is_code(msgid):
    """A message that is code, the same in every language: once the code
    spans (`...`, {...}, calls and parentheses) are gone, no two words."""
    rest = re.sub(r"`[^`]*`|\{[^}]*\}", "", msgid)
    while True:
        inner = re.sub(r"\([^()]*\)", "", rest)
        if inner == rest:
            break
        rest = inner
    return not re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", rest)


def run(grader, spec, sub, env_changes):
    env = dict(os.environ)
    for k in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        env.pop(k, None)
    env.update(env_changes)
    env["NO_COLOR"] = "1"
    p = subprocess.run([grader, "test", "-s", spec, "-f", sub], env=env,
                       capture_output=True, text=True)
    return p.stdout + p.stderr


def spec_texts(spec_path, report, lang):
    """The spec's texts of the tests the report shows failed: (own, other)."""
    spec = json.load(open(spec_path, encoding="utf-8"))
    own, other = [], []
    for table in ("moulinette", "bonus"):
        for t in spec.get(table, {}).get("tests", []):
            if not re.search(r"^\s+\S+\s+%s\s.*\d+/\d+" % re.escape(t["name"]), report, re.M):
                continue
            if re.search(r"^\s+(PASS|RÉUSSI|SKIP|SAUTÉ)\s+%s\s" % re.escape(t["name"]), report, re.M):
                continue
            for key in ("input", "expected", "trap_explanation"):
                if key in t and len(t[key]) >= 8:
                    fr, en = t[key], t["en"][key]
                    if fr != en:
                        (own if lang == "fr" else other).append(fr)
                        (other if lang == "fr" else own).append(en)
    return own, other


def main(argv):
    if len(argv) < 5:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    hpo = None
    if len(argv) > 2 and argv[1] == "--harness-po":
        hpo = argv[2]
        argv = argv[:1] + argv[3:]
        if len(argv) < 5:
            print(__doc__.split("\n\n")[1], file=sys.stderr)
            return 2
    grader, spec, po = argv[1:4]
    pairs = parse_po(po)
    hpairs = parse_po(hpo) if hpo else []
    h_en = fragments(x for ids, _ in hpairs for x in ids)
    h_fr = fragments(x for _, strs in hpairs for x in strs)
    h_only = {"en": h_en - h_fr, "fr": h_fr - h_en}
    h_seen = {"en": 0, "fr": 0}
    en_all = fragments(x for ids, _ in pairs for x in ids)
    fr_all = fragments(x for _, strs in pairs for x in strs)
    only = {"en": en_all - fr_all, "fr": fr_all - en_all}
    # a "translation" that is the English again passes msgfmt: not here
    same = [ids[0] for ids, strs in pairs
            if ids[0] in strs and fragments([ids[0]]) and ids[0] not in SAME_IN_BOTH]
    got = {"en": ("got:", "output:"), "fr": ("obtenu :", "sortie :")}
    runs = [("fr", {"LANGUAGE": "fr", "LANG": "C.UTF-8"}), ("en", {"LANGUAGE": "en", "LANG": "C.UTF-8"}),
            ("en", {}), ("fr", {"LANG": "fr_FR.UTF-8"})]
    bad = 0
    for msgid in same:
        print(f"po-languages: {po}: '{msgid}' is translated by itself")
        bad += 1
    if hpo and not hpairs:
        print(f"po-languages: {hpo}: no message")
        return 2
    for ids, strs in hpairs:
        if ids[0] in strs and not is_code(ids[0]):
            print(f"po-languages: {hpo}: '{ids[0]}' is translated by itself")
            bad += 1
    for sub in argv[4:]:
        for lang, env in runs:
            other = "en" if lang == "fr" else "fr"
            report = run(grader, spec, sub, env)
            mine = grader_lines(report, got[lang])
            what = f"{sub} ({' '.join(f'{k}={v}' for k, v in env.items()) or 'no language set'})"
            leaks = sorted(f for f in only[other] if f in mine)
            seen = [f for f in only[lang] if f in mine]
            own_texts, other_texts = spec_texts(spec, report, lang)
            for f in leaks[:3]:
                print(f"po-languages: {what}: {other} text in the {lang} report: '{f}'")
            if len(seen) < 3:
                print(f"po-languages: {what}: only {len(seen)} {lang} messages in the report")
            for t in [t for t in other_texts if t in report][:3]:
                if True:
                    print(f"po-languages: {what}: the spec's {other} text '{t}'")
            for t in [t for t in own_texts if t not in report][:3]:
                if True:
                    print(f"po-languages: {what}: the spec's {lang} text '{t}' is missing")
            got_text = got_lines(report, got[lang][:1]) if hpo else ""
            h_leaks = sorted(f for f in h_only[other] if f in got_text)
            h_seen[lang] += sum(1 for f in h_only[lang] if f in got_text)
            for f in h_leaks[:3]:
                print(f"po-languages: {what}: {other} text in a got: line of the {lang} report: '{f}'")
            problems = leaks or h_leaks or len(seen) < 3 or any(t in report for t in other_texts) \
                or any(t not in report for t in own_texts)
            bad += bool(problems)
            if not problems:
                print(f"  {lang}: {what}: {len(seen)} {lang} messages, "
                      f"{len(own_texts)} spec texts, none in {other}")
    for lang in ("fr", "en") if hpo else ():
        if h_seen[lang] == 0:
            print(f"po-languages: no got: line of the {lang} reports holds a {lang} "
                  f"message of {hpo}: the check saw nothing")
            bad += 1
        else:
            print(f"  {lang}: {h_seen[lang]} {lang} messages of {hpo} in the got: lines")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
