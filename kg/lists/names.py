"""Names as the designation lists write them, turned into names as people write them.

OFAC writes every name in capitals and people as "LAST, First"; the FTO list packs
acronyms and other names into parentheses; the UN separates aliases with semicolons and
puts transliterations in brackets. Both the list readers and the gazetteer generator read
names through these functions, so a name gets the same spelling (and so the same actor
IRI) whichever of them met it first.
"""

from __future__ import annotations

import re

_HYPHEN_PARTICLES = frozenset(
    {"al", "el", "ad", "adh", "an", "ar", "as", "ash", "at", "ath", "az", "sh", "wa", "e"}
)
# Whole words written lower case inside a name: English function words and Arabic
# prepositions and articles ("Islamic State of Iraq and the Levant", "fi al-Iraq").
_MINOR_WORDS = frozenset(
    {
        "of",
        "the",
        "and",
        "in",
        "on",
        "for",
        "to",
        "at",
        "by",
        "fi",
        "wa",
        "wal",
        "min",
        "al",
        "el",
        "bin",
        "ibn",
        "bint",
        "de",
        "la",
    }
)
_VOWELS = frozenset("AEIOUY")
_WORD_SPLIT = re.compile(r"([^A-Za-z0-9'’‘]+)")
_APOSTROPHES = re.compile(r"['’‘]")


def looks_like_acronym(word: str) -> bool:
    """Whether a capitalised word standing alone as a name is an acronym (AAH, IRGC, KSS).

    OFAC writes everything in capitals, so shape is all there is: up to four letters, or
    five with at most one vowel (IRGC, ISIL, AGIR; but SEPAH and DAESH are words). A
    four-letter ordinary word given alone as an alias would be mistaken; OFAC lists
    acronyms as separate a.k.a.s, and such words are rare among them.
    """
    letters = _APOSTROPHES.sub("", word)
    if not (letters.isalpha() and letters.isupper()):
        return False
    vowels = sum(1 for c in letters if c in _VOWELS)
    return 2 <= len(letters) <= 4 or (len(letters) == 5 and vowels <= 1)


def capitalise(word: str) -> str:
    """First letter upper, the rest lower, across apostrophes ("ASA'IB" -> "Asa'ib")."""
    lowered = word.lower()
    for i, char in enumerate(lowered):
        if char.isalpha():
            return lowered[:i] + char.upper() + lowered[i + 1 :]
    return lowered


def case_name(
    text: str, acronyms: frozenset[str], *, initial: bool = True, person: bool = False
) -> str:
    """Mixed case for a name written in capitals; names already in mixed case are kept.

    The rule, word by word: a word the lists give as an acronym elsewhere, a word with no
    vowel (KSS, TV), a short word in parentheses ("(IRGC)") and a name that is a single
    acronym-shaped word stay in capitals; particles joined by hyphens (al-, wa-sh-, -e) and
    function words (of, the, fi) are lower case except at the start of the name; every
    other word is capitalised. `initial=False` is for a fragment that will not start the
    name (the surname of "AL-KHAZALI, Qais" becomes "al-Khazali"); `person=True` turns
    the acronym rules off, since people's names hold none and "ASAD" is a surname.
    """
    if any(c.islower() for c in text):
        return text
    parts = _WORD_SPLIT.split(text)
    words = [i for i in range(0, len(parts), 2) if parts[i]]
    single = len(words) == 1 and not person
    out = list(parts)
    for n, i in enumerate(words):
        word = parts[i]
        before = parts[i - 1] if i > 0 else ""
        after = parts[i + 1] if i + 1 < len(parts) else ""
        at_start = initial and n == 0
        letters = _APOSTROPHES.sub("", word)
        if not letters.isalpha():
            continue
        if not at_start and word.lower() in _HYPHEN_PARTICLES and "-" in before + after:
            out[i] = word.lower()
        elif not person and (
            letters in acronyms
            or not any(c in _VOWELS for c in letters)
            or (single and looks_like_acronym(word))
            or ("(" in before and ")" in after and len(letters) <= 5)
        ):
            out[i] = word
        elif not at_start and word.lower() in _MINOR_WORDS and "-" not in before:
            out[i] = word.lower()
        else:
            out[i] = capitalise(word)
    return "".join(out)


def person_name(text: str, acronyms: frozenset[str]) -> str:
    """OFAC's "LAST, First" as "First Last", in mixed case."""
    if ", " not in text:
        return case_name(text, acronyms, person=True)
    surname, given = text.split(", ", 1)
    given = case_name(given, acronyms, person=True)
    return f"{given} {case_name(surname, acronyms, initial=False, person=True)}"




_REMARK_ALIAS = re.compile(r"^[afn]\.k\.a\. '(?P<name>.+)'\.?$")

# Words in an OFAC entity's names or remarks that say it is an armed group, for entities
# outside the FTO and SDGT programmes ("network" is left out: OFAC also uses it for
# financial and procurement networks).

def remark_aliases(remarks: str) -> list[str]:
    """The a.k.a./f.k.a./n.k.a. names in an sdn.csv remarks field ("a.k.a. 'AAH'")."""
    names = []
    for part in remarks.split(";"):
        match = _REMARK_ALIAS.match(part.strip())
        if match:
            names.append(match["name"])
    return names


TRUNCATED = "[...]"


def _split_acronym(acronym: str) -> list[str]:
    """ "ANF/HTS" also as "ANF" and "HTS"; "DHKP/C" stays whole (C is no acronym)."""
    parts = acronym.split("/")
    if len(parts) > 1 and all(len(p) >= 2 and p.isupper() for p in parts):
        return [acronym, *parts]
    return [acronym]


def fto_names(entry: str) -> list[str]:
    """Names in one FTO list entry, the first the label.

    "Abu Sayyaf Group (ASG)" -> ["Abu Sayyaf Group", "ASG"];
    "Kurdistan Workers Party (PKK, aka Kongra-Gel)" -> [..., "PKK", "Kongra-Gel"];
    "ISIS-Sinai Province (formerly Ansar Bayt al-Maqdis)" -> [..., "Ansar Bayt al-Maqdis"];
    "al-Nusrah Front, aka Hay'at Tahrir al-Sham (ANF/HTS)" -> label, the aka, "ANF/HTS",
    "ANF", "HTS". A name joined by "/" of two multi-word names ("Communist Party of the
    Philippines/New People's Army") also gives each half.
    """
    match = re.match(r"^(?P<main>.*?)\s*\((?P<paren>[^()]*)\)$", entry)
    main, paren = (match["main"], match["paren"]) if match else (entry, "")
    names = [n.strip() for n in re.split(r",\s*aka\s+", main) if n.strip()]
    halves = names[0].split("/")
    if len(halves) == 2 and all(len(h.split()) >= 2 for h in halves):
        names.extend(h.strip() for h in halves)
    for item in re.split(r",|;|\s+-\s+", paren):
        item = re.sub(r"^(?:aka|a\.k\.a\.|formerly)\s+", "", item.strip())
        if not item:
            continue
        names.extend(
            _split_acronym(item) if item.replace("/", "").replace("-", "").isupper() else [item]
        )
    return names


def un_alias_names(text: str, *, note: bool = False) -> list[str]:
    """Names in a UN ALIAS_NAME (";"-separated, with transliterations in parentheses) or,
    for `note=True`, only the parenthesised transliterations of a NOTE."""
    text = " ".join(text.split())
    names: list[str] = []
    for inner in re.findall(r"\(([^()]*)\)", text):
        names.extend(n.strip() for n in inner.split(";"))
    if not note:
        names.extend(n.strip() for n in re.sub(r"\([^()]*\)", "", text).split(";"))
    return [n for n in names if n]
