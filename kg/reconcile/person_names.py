"""The forms of a person's name that Wikidata may hold instead of the one a text uses.

Texts write "Michael R. Pompeo" where Wikidata's label is "Mike Pompeo", and "Trump" once
the full name is known to the reader. These are rules of English personal names, not of
transliteration, so they live apart from `variants.py` and apply to people only.
"""

from __future__ import annotations

import functools
import re

from kg.reconcile.variants import name_words
from kg.resources import lexicon_entries

GIVEN_NAMES_FILE = "given-names.tsv"
_INITIAL = re.compile(r"^[A-Z]\.?$")


@functools.lru_cache(maxsize=1)
def given_name_forms() -> dict[str, tuple[str, ...]]:
    """Given name (lower case) -> the other forms of it, full forms first."""
    forms: dict[str, list[str]] = {}
    for row in lexicon_entries(GIVEN_NAMES_FILE):
        group = [s.strip() for s in row if s.strip()]
        for name in group:
            mates = forms.setdefault(name.lower(), [])
            mates.extend(m for m in group if m != name and m not in mates)
    return {name: tuple(mates) for name, mates in forms.items()}


def person_forms(name: str) -> list[str]:
    """The name, then the name without middle initials, then each with the given name in
    its other forms ("Michael R. Pompeo", "Michael Pompeo", "Mike R. Pompeo", "Mike Pompeo")."""
    words = name.split()
    bases = [words]
    if len(words) > 2:
        kept = [words[0]] + [w for w in words[1:-1] if not _INITIAL.match(w)] + [words[-1]]
        if kept != words:
            bases.append(kept)
    found = [" ".join(words)]
    for base in list(bases):
        for other in given_name_forms().get(base[0].lower(), ()) if len(base) > 1 else ():
            bases.append([other, *base[1:]])
    for base in bases:
        form = " ".join(base)
        if form not in found:
            found.append(form)
    return found


def is_surname_of(short: str, full: str) -> bool:
    """Whether `short` is one word and `full` a longer name ending in it ("Assad" of
    "Bashar al-Assad"): how a text names a person it has named before, or expects the
    reader to know."""
    mine, theirs = name_words(short), name_words(full)
    return len(mine) == 1 and len(theirs) > 1 and theirs[-1] == mine[0]
