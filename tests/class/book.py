#!/usr/bin/env python3
"""book.py - read a gradebook.csv for the class tests

Usage:
  book.py verdicts GRADEBOOK      "student verdict score refused_because" lines
  book.py same GRADEBOOK GRADEBOOK
      exit 0 when both give every student the same score, verdict, reasons
      and points per test (time_ms, the only column that may differ, left
      out); the differences on stderr otherwise
  book.py field GRADEBOOK STUDENT COLUMN
"""
import csv
import sys


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main(argv):
    cmd = argv[1]
    if cmd == "verdicts":
        for r in rows(argv[2]):
            print(r["student"], r["verdict"], r["score"], r["refused_because"] or "-")
        return 0
    if cmd == "field":
        for r in rows(argv[2]):
            if r["student"] == argv[3]:
                print(r[argv[4]])
                return 0
        return 1
    if cmd == "same":
        a, b = rows(argv[2]), rows(argv[3])
        strip = lambda rs: [{k: v for k, v in r.items() if k != "time_ms"} for r in rs]
        a, b = strip(a), strip(b)
        if a == b:
            return 0
        for x, y in zip(a, b):
            if x != y:
                diff = {k: (x.get(k), y.get(k)) for k in x if x.get(k) != y.get(k)}
                print("%s: %s" % (x.get("student"), diff), file=sys.stderr)
        if len(a) != len(b):
            print("%d rows against %d" % (len(a), len(b)), file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
