#!/usr/bin/env python3
"""validate.py - check a JSON document against a JSON Schema (python3-jsonschema)

Usage: tests/class/validate.py SCHEMA DOCUMENT [--last-line]
  --last-line  the document is the last non-empty line of the file (Autolab)
Exit 0 when valid, 1 with every error listed otherwise, 2 when the files
cannot be read.
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        with open(argv[1]) as f:
            schema = json.load(f)
        with open(argv[2]) as f:
            text = f.read()
        if "--last-line" in argv[3:]:
            lines = [l for l in text.splitlines() if l.strip()]
            text = lines[-1] if lines else ""
        doc = json.loads(text)
    except (OSError, ValueError) as e:
        print("validate: %s" % e, file=sys.stderr)
        return 1 if isinstance(e, ValueError) else 2
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
    for e in errors:
        print("validate: %s: at %s: %s" % (argv[2], "/".join(map(str, e.path)) or "(root)",
                                           e.message), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
