#!/usr/bin/env python3
"""validate.py SCHEMA [FILE...] - check JSON documents against a JSON Schema

Each FILE (or stdin) holds one JSON document per line.  Prints each
violation with the document's line and the path in it, exits 1 if any.
The schema itself is checked first (Draft 7).  python3-jsonschema (Debian).
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 2:
        print("usage: validate.py SCHEMA [FILE...]", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    bad = 0
    for path in argv[2:] or ["-"]:
        stream = sys.stdin if path == "-" else open(path, encoding="utf-8")
        for n, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except ValueError as e:
                print(f"{path}:{n}: not JSON: {e}")
                bad += 1
                continue
            for err in validator.iter_errors(doc):
                where = "/".join(str(p) for p in err.absolute_path) or "(root)"
                print(f"{path}:{n}: {where}: {err.message}")
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
