#!/usr/bin/env python3
"""student_kit.py - the student kit's spec, and the check that it hides the answer

Usage:
  tools/student_kit.py spec SPEC ORACLE_OBJECT KIT_DIR
      writes KIT_DIR/spec.json: the pack's spec without the validation lists
      (the mutants and alternatives are not shipped); when the fuzzing oracle
      is the reference, ORACLE_OBJECT (the reference compiled and stripped)
      is copied to KIT_DIR/oracle/ and the spec points at it, so that the
      kit grades as the pack does without the reference's source.
  tools/student_kit.py scan KIT_DIR SOURCE...
      fails when a file of KIT_DIR holds the body of a function defined in
      one of the SOURCE files (comments and spacing ignored), or a file named
      like one of them; prints how many bodies it looked for.
Exit status: 0 good, 1 a solution body found, 2 usage or bad input.
"""
import json
import os
import re
import shutil
import sys

# Bodies shorter than this (once normalised) are one-liners any code may
# hold ("{ if (x == NULL) return; free(x); }"): not worth a hit.
MIN_BODY = 60


def strip_comments(text):
    """C source without comments and string contents' line breaks."""
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


def normalise(text):
    return re.sub(r"\s+", " ", strip_comments(text)).strip()


def function_bodies(text):
    """The bodies ({ ... }) of the functions defined at file scope."""
    src = strip_comments(text)
    bodies = []
    head = re.compile(r"^[A-Za-z_][^;{}#]*\)\s*\{", re.M)
    pos = 0
    while True:
        m = head.search(src, pos)
        if m is None:
            return bodies
        depth, i = 0, m.end() - 1
        while i < len(src):
            if src[i] == "{":
                depth += 1
            elif src[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        bodies.append((m.group(0).split("(")[0].split()[-1].lstrip("*"),
                       normalise(src[m.end() - 1:i + 1])))
        pos = i + 1


def kit_spec(spec_path, oracle, kit_dir):
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    spec["validation"] = {"expected_pass": [], "expected_fail": []}
    fuzz = spec.get("driver", {}).get("fuzzing", {})
    if fuzz.get("enabled") and fuzz.get("oracle") == "reference":
        os.makedirs(os.path.join(kit_dir, "oracle"), exist_ok=True)
        shutil.copyfile(oracle, os.path.join(kit_dir, "oracle", os.path.basename(oracle)))
        spec["driver"]["reference"] = "oracle/" + os.path.basename(oracle)
    with open(os.path.join(kit_dir, "spec.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(spec, indent=2, ensure_ascii=False) + "\n")
    return 0


def scan(kit_dir, sources):
    wanted = []
    names = set()
    for src in sources:
        with open(src, encoding="utf-8", errors="replace") as f:
            for fn, body in function_bodies(f.read()):
                if len(body) >= MIN_BODY:
                    wanted.append((src, fn, body))
        names.add(os.path.basename(src))
    if not wanted:
        print(f"student-kit: no function body found in {' '.join(sources)}", file=sys.stderr)
        return 2
    found = 0
    files = 0
    for root, _dirs, entries in os.walk(kit_dir):
        for entry in entries:
            path = os.path.join(root, entry)
            files += 1
            if entry in names:
                print(f"student-kit: {path}: a solution file's name", file=sys.stderr)
                found += 1
            with open(path, "rb") as f:
                text = normalise(f.read().decode("utf-8", errors="replace"))
            for src, fn, body in wanted:
                if body in text:
                    print(f"student-kit: {path} holds the body of {fn}() from {src}",
                          file=sys.stderr)
                    found += 1
    print(f"student-kit: {files} files, {len(wanted)} function bodies of {len(sources)} "
          f"solutions looked for: {found} found")
    return 1 if found else 0


def main(argv):
    if len(argv) == 5 and argv[1] == "spec":
        return kit_spec(argv[2], argv[3], argv[4])
    if len(argv) >= 4 and argv[1] == "scan":
        return scan(argv[2], argv[3:])
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
