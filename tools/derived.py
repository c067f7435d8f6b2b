"""derived.py - files generated from the reference by text replacements

What tools/mutants.py (mutants/*.c) and tools/submissions.py
(tests/grader/submissions/*.c) share: the replacements and how they apply,
the comment folding, and sync(), the loop that writes each generated file
or, with --check, names each one that is out of date.  An entry is any
tuple with out (its path from the repository root), base (the reference
it is made from) and replacements.

Python 3 standard library only.
"""

import os
import textwrap
from typing import Callable, List, NamedTuple, Optional, Sequence, Tuple, Union

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Span(NamedTuple):
    start: str
    end: str


Replacement = Tuple[Union[str, Span], str]


Replacement = Tuple[Union[str, Span], str]


class MutantError(Exception):
    pass


def wrap(first: str, text: str, rest: str = " *   ",
         width: int = 78) -> List[str]:
    """text folded at width: first line after first, the others after rest."""
    return textwrap.wrap(text, width=width, initial_indent=first,
                         subsequent_indent=rest, break_long_words=False,
                         break_on_hyphens=False)


def apply(m, text: str) -> str:
    """text with m.replacements made (m has out, base, replacements)."""
    for i, (old, new) in enumerate(m.replacements, 1):
        where = f"{m.out}: replacement {i} of {len(m.replacements)}"
        if isinstance(old, Span):
            n = text.count(old.start)
            if n != 1:
                raise MutantError(f"{where}: span start found {n} times in "
                                  f"{m.base} (expected once): {old.start!r}")
            a = text.index(old.start)
            n = text.count(old.end, a)
            if n != 1:
                raise MutantError(f"{where}: span end found {n} times after "
                                  f"its start in {m.base} (expected once): "
                                  f"{old.end!r}")
            b = text.index(old.end, a) + len(old.end)
            text = text[:a] + new + text[b:]
        else:
            n = text.count(old)
            if n != 1:
                raise MutantError(f"{where}: text found {n} times in {m.base} "
                                  f"(expected once):\n{old}")
            text = text.replace(old, new, 1)
    return text


def sync(entries: Sequence, generate: Callable[[object], str], tool: str,
         check: bool, say_missing: bool = True,
         after: Optional[Callable[[object, bool], List[str]]] = None) -> List[str]:
    """Writes each entry's file from generate(entry) when it differs (print
    "GEN"); with check, writes nothing and names each file that is missing
    (when say_missing, else it "differs") or differs.  after(entry,
    up_to_date) may add problems of its own.  Returns the problems."""
    problems = []
    for e in entries:
        try:
            text = generate(e)
        except (MutantError, OSError) as err:
            problems.append(str(err))
            continue
        path = os.path.join(ROOT, e.out)
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if check:
            if current is None and say_missing:
                problems.append(f"{e.out}: missing (run {tool})")
            elif current != text:
                problems.append(f"{e.out}: differs from what its entry in "
                                f"{tool} makes of {e.base} (run {tool}; edit "
                                f"the table, not the file)")
        elif current != text:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"  GEN      {e.out}")
        if after:
            problems += after(e, current == text)
    return problems
