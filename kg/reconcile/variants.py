"""Spelling variants of a name, so that a SPARQL lookup finds it under Wikidata's spelling.

Wikidata's labels and aliases are exact strings: `?item rdfs:label|skos:altLabel ?name`
with `VALUES ?name { ... }` finds "Kata'ib Hezbollah" only if we send that very string,
while the article we read says "Kataib Hizballah". `name_variants` lists the spellings worth
sending; `variant_keys` and `name_similarity` tell afterwards whether a candidate's label
is the same name as ours.

The rules are generic transliteration habits of English sources for Arabic, Persian,
Pashto and Somali names (articles, particles, apostrophe marks, common alternations of a
word). The alternations live in `lexicon/transliteration.tsv` (its header explains the
format); this module holds only the machinery, never a spelling of a particular actor.

>>> name_variants("Qais al-Khazali")[:4]
['Qais al-Khazali', 'Qays al-Khazali', 'Qais Al-Khazali', 'Kais al-Khazali']
>>> "Qais Khazali" in name_variants("Qais al-Khazali")
True
>>> name_similarity("Kata'ib Hezbollah", "Kataib Hizballah")
1.0
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from kg.errors import OntologyError
from kg.identity import normalize_name
from kg.lists.names import capitalise
from kg.resources import lexicon_entries

RULES_FILE = "transliteration.tsv"
PARTICLES_FILE = "name-particles.txt"

# Arabic's "sun letters" as English sources write them, digraphs first: before them the
# article's "l" takes the sound of the letter ("ash-Sham", "an-Nusra", "ad-Din"). A rule over
# letters rather than a list of spellings, so it lives here and not in the lexicon.
SUN_LETTERS = ("th", "dh", "sh", "t", "d", "r", "z", "s", "n")

# A single word of at most this many letters in capitals is an acronym ("ISIS", "PMF"),
# not a name in capitals: recasing it as "Isis" would be a wasted lookup.
_ACRONYM_MAX = 5

# Two different words count as one spelling when difflib rates them at least this close
# ("Khazali"/"Khazaly" 0.86, "Hafez"/"Hafiz" 0.8; "Qais"/"Laith" 0.0).
_CLOSE_SPELLING = 0.8

# Beyond this many pairs of words, or for a word longer than this, fuzzy word matching is
# skipped and only equal words count: difflib's cost grows with the square of the length.
_MAX_FUZZY_PAIRS = 400
_MAX_FUZZY_WORD = 64

# What writing a word with a rarer mark ("Kata’ib", "Kataʿib") costs, against 1 for any
# other change: more than changing two words the usual way ("Kata'ib Hezbollah" for
# "Kataib Hizballah"), which finds more labels.
_RARE = 3

# How many combinations of changes are tried, per variant asked for, before giving up:
# keeps a long name from costing more than a bounded amount of work.
_BUDGET_PER_VARIANT = 64


@dataclass(frozen=True)
class PrefixGroup:
    """Interchangeable spellings of a particle joined to the next word ("Abd al-", "Abdul-").

    `optional` marks an article: it may be left out, and its sun-letter forms are read as
    it.
    """

    spellings: tuple[tuple[str, ...], ...]
    optional: bool


@dataclass(frozen=True)
class Rules:
    """The transliteration rules, as read from the lexicon."""

    marks: str
    """Apostrophe-like marks, the usual one first (the file's order)."""
    words: dict[str, tuple[str, ...]]
    """Folded spelling of a word -> its group, the canonical spelling first."""
    endings: tuple[tuple[str, ...], ...]
    """Groups of interchangeable word endings, canonical first, without the hyphen."""
    prefixes: tuple[PrefixGroup, ...]
    particles: frozenset[str]
    """Lower-case words of a name (`al`, `bin`, `of`): Wikidata writes them in lower case."""

    def fold(self, text: str) -> str:
        """The form under which two spellings of a word are compared."""
        return _fold(text, self.marks)


def _fold(text: str, marks: str) -> str:
    # The marks go before normalize_name, which would split a word at one it does not know.
    return normalize_name("".join(c for c in text if c not in marks))


def _bad(row: Iterable[str], problem: str) -> OntologyError:
    return OntologyError(f"lexicon/{RULES_FILE}: line {'<TAB>'.join(row)!r}: {problem}")


@functools.lru_cache(maxsize=1)
def load_rules() -> Rules:
    """Read `lexicon/transliteration.tsv` once; raise OntologyError on a malformed line."""
    marks = ""
    groups: list[tuple[str, ...]] = []
    endings: list[tuple[str, ...]] = []
    prefixes: list[PrefixGroup] = []
    for row in lexicon_entries(RULES_FILE):
        group = tuple(s.strip() for s in row if s.strip())
        if len(group) < 2:
            raise _bad(row, "a group needs at least two spellings")
        if all(len(s) == 1 and s != "-" and not normalize_name(s) for s in group):  # ʿ: Lm
            if marks:
                raise _bad(row, "only one group of marks is allowed")
            marks = "".join(group)
        elif all(s.startswith("-") and len(s) > 1 for s in group):
            endings.append(tuple(s[1:] for s in group))
        elif all(s.endswith("-") for s in group):
            spellings = tuple(tuple(s[:-1].split()) for s in group if s != "-")
            if not spellings or any(not sp for sp in spellings):
                raise _bad(row, "a prefix needs at least one spelling besides '-'")
            prefixes.append(PrefixGroup(spellings, optional="-" in group))
        elif any(s.startswith("-") or s.endswith("-") or " " in s for s in group):
            raise _bad(row, "mixes words, endings and prefixes, or a word holds a space")
        else:
            groups.append(group)
    words: dict[str, tuple[str, ...]] = {}
    for group in groups:  # after the loop: the marks line may come anywhere in the file
        for spelling in group:
            key = _fold(spelling, marks)
            if words.setdefault(key, group) != group:
                raise _bad(group, f"{spelling!r} is already in another group")
    particles = frozenset(row[0].strip().lower() for row in lexicon_entries(PARTICLES_FILE))
    return Rules(marks, words, tuple(endings), tuple(prefixes), particles)


# --- Reading a name -------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    sep: str
    """What stands between the previous token and this one ("" for the first)."""
    text: str


@dataclass(frozen=True)
class _Slot:
    """One word of a name, with the particle glued to it: the unit a variant changes."""

    sep: str
    word: str
    prefix: tuple[str, ...] = ()
    """The particle's words as written ("al", "Abd al"); empty for a bare word."""
    group: PrefixGroup | None = None
    joiner: str = ""
    """Between particle and word: "-" or " "."""
    droppable: bool = False
    sun: bool = False
    """The particle is an article in its sun-letter form ("ash" of "ash-Sham")."""

    def render(self) -> str:
        particle = " ".join(self.prefix)
        return self.sep + (particle + self.joiner if particle else "") + self.word


@dataclass(frozen=True)
class _Name:
    lead: str
    slots: tuple[_Slot, ...]
    trail: str


_TOKEN = re.compile(r"[^\s-]+")


def _clean(name: str) -> str:
    """A label never holds a newline or a run of spaces: fold all whitespace to one space."""
    return " ".join(name.split())


def _tokens(text: str) -> tuple[str, list[_Token], str]:
    tokens: list[_Token] = []
    end = 0
    lead = ""
    for match in _TOKEN.finditer(text):
        between = text[end:match.start()]
        if tokens:
            tokens.append(_Token(between, match.group()))
        else:
            lead = between
            tokens.append(_Token("", match.group()))
        end = match.end()
    return lead, tokens, text[end:] if tokens else text


def _sun_letter(article: str, word: str) -> str | None:
    """The sun letter of an assimilated article ("ash" before "Sham"), else None."""
    article, word = article.lower(), word.lower()
    for letters in SUN_LETTERS:
        if article == "a" + letters and word.startswith(letters):
            return letters
    return None


def _match_prefix(tokens: list[_Token], i: int, rules: Rules
                  ) -> tuple[PrefixGroup, int, bool] | None:
    """The particle starting at token i: its group, how many tokens it spans, and whether
    it is a sun-letter article; None when no particle starts there."""
    best: tuple[PrefixGroup, int, bool] | None = None
    for group in rules.prefixes:
        for spelling in group.spellings:
            n = len(spelling)
            if best is not None and n <= best[1]:
                continue
            if i + n >= len(tokens):
                continue
            found = tokens[i:i + n]
            if all(t.text.isalpha() and t.text.lower() == s.lower()
                   for t, s in zip(found, spelling, strict=True)):
                best = (group, n, False)
        if group.optional and best is None and tokens[i].text.isalpha() \
                and i + 1 < len(tokens) and tokens[i + 1].sep == "-" \
                and _sun_letter(tokens[i].text, tokens[i + 1].text):
            best = (group, 1, True)
    return best


def _parse(text: str, rules: Rules) -> _Name:
    """Split a cleaned name into slots: each word with the particle glued to it."""
    lead, tokens, trail = _tokens(text)
    slots: list[_Slot] = []
    i = 0
    while i < len(tokens):
        match = _match_prefix(tokens, i, rules)
        if match is not None:
            group, n, sun = match
            word = tokens[i + n]
            if word.sep in ("-", " ") and any(c.isalpha() for c in word.text) \
                    and all(t.sep in ("-", " ") for t in tokens[i + 1:i + n]):
                # "Al Gore" is a given name, not an article: only an article written with
                # a hyphen, or after another word, may be left out.
                droppable = group.optional and (i > 0 or word.sep == "-")
                slots.append(_Slot(tokens[i].sep, word.text,
                                   tuple(t.text for t in tokens[i:i + n]), group,
                                   word.sep, droppable, sun))
                i += n + 1
                continue
        slots.append(_Slot(tokens[i].sep, tokens[i].text))
        i += 1
    return _Name(lead, tuple(slots), trail)


# --- Casing ---------------------------------------------------------------------------


def _match_case(spelling: str, original: str) -> str:
    """`spelling` in the case of `original`: lower, upper, or initial capital."""
    if original.isupper() and sum(c.isalpha() for c in original) > 1:
        return spelling.upper()
    if original.islower():
        return spelling.lower()
    if original[:1].isupper():
        return spelling[:1].upper() + spelling[1:]
    return spelling


def _flip_initial(text: str) -> str:
    return text[:1].swapcase() + text[1:]


def _wikidata_case(text: str, rules: Rules) -> str | None:
    """A name in capitals as Wikidata writes it, or None if it is not in capitals.

    Words get an initial capital, particles stay lower case ("Asa'ib Ahl al-Haq"); the
    first word is capitalised unless it is an article glued to the next ("al-Qaeda"), and
    an article followed by a space keeps its capital ("Al Saud" is a family, not "the").
    """
    if not text.isupper() or sum(c.isalpha() for c in text) < 2:
        return None
    lead, tokens, trail = _tokens(text)
    if len(tokens) == 1 and sum(c.isalpha() for c in text) <= _ACRONYM_MAX:
        return None
    out = [lead]
    for i, token in enumerate(tokens):
        lower = token.text.lower()
        glued = i + 1 < len(tokens) and tokens[i + 1].sep == "-"
        # "AL-HAQ" is the article ("al-Haq"); "AL SAUD" is as likely the family ("Al Saud").
        article = not glued and any(g.optional and (lower,) in
                                    {tuple(w.lower() for w in sp) for sp in g.spellings}
                                    for g in rules.prefixes)
        particle = lower in rules.particles and (i > 0 or glued) and not article
        out.append(token.sep + (lower if particle else capitalise(token.text)))
    return "".join(out) + trail


# --- Spellings of one word ------------------------------------------------------------


def _split_core(word: str, marks: str) -> tuple[str, str, str]:
    """Punctuation around a word ("(", "Hezbollah", ")"): rules apply to the core only."""
    def inner(c: str) -> bool:
        return c.isalnum() or c in marks

    start = 0
    while start < len(word) and not inner(word[start]):
        start += 1
    end = len(word)
    while end > start and not inner(word[end - 1]):
        end -= 1
    return word[:start], word[start:end], word[end:]


@functools.lru_cache(maxsize=8)
def _mark_pattern(marks: str) -> re.Pattern[str]:
    cls = "[" + re.escape(marks) + "]"
    return re.compile(rf"(?<=\w){cls}|{cls}(?=\w)")


def _mark_forms(text: str, marks: str) -> list[tuple[str, int]]:
    """The word with its marks written each way: the usual mark or none cost 1, the rarer
    typographic marks cost _RARE."""
    if not marks:
        return []
    pattern = _mark_pattern(marks)
    if not pattern.search(text):
        return []
    forms = [(marks[0], 1), ("", 1), *((m, _RARE) for m in marks[1:])]
    return [(pattern.sub(mark, text), cost) for mark, cost in forms]


def _ending_forms(core: str, rules: Rules) -> list[str]:
    lower = core.lower()
    for group in rules.endings:
        for ending in sorted(group, key=len, reverse=True):
            if lower.endswith(ending.lower()) and len(core) > len(ending) + 1:
                stem, written = core[:-len(ending)], core[-len(ending):]
                return [stem + _match_case(e, written) for e in group]
    return []


def _canonical_ending(core: str, rules: Rules) -> str | None:
    forms = _ending_forms(core, rules)
    return forms[0] if forms else None


@functools.lru_cache(maxsize=1 << 14)
def _word_forms(word: str) -> tuple[tuple[str, int], ...]:
    """Other spellings of one word, with their cost (1 usual, _RARE rare), best first."""
    rules = load_rules()
    lead, core, trail = _split_core(word, rules.marks)
    if not any(c.isalpha() for c in core):
        return ()
    group = rules.words.get(rules.fold(core))
    bases = [core, *(_match_case(s, core) for s in group)] if group \
        else [core, *_ending_forms(core, rules)]
    costs: dict[str, int] = {}
    for base in bases:
        costs.setdefault(base, 1)
        for form, cost in _mark_forms(base, rules.marks):
            costs.setdefault(form, cost)
    costs.pop(core, None)
    ranked = sorted(costs.items(), key=lambda item: item[1])  # stable: file order kept
    return tuple((lead + form + trail, cost) for form, cost in ranked)


def _prefix_forms(slot: _Slot, rules: Rules) -> list[str]:
    """The particle of a slot written each way, with its joiner; the original first."""
    assert slot.group is not None
    group, ref = slot.group, slot.prefix[0]
    other_joiner = " " if slot.joiner == "-" else "-"

    def written(text: str, sun: bool = False) -> list[str]:
        cased = [text, _flip_initial(text)] if group.optional else [text]
        joiners = ("-",) if sun else (slot.joiner, other_joiner)
        return [c + j for j in joiners for c in cased]

    original = " ".join(slot.prefix)
    forms = written(original, slot.sun)
    if slot.sun:  # "ash-Sham" read: "al-Sham" is the usual spelling, in every form
        forms.extend(written(_match_case(" ".join(group.spellings[0]), ref)))
    if slot.droppable:
        forms.append("")
    folded = rules.fold(original)
    for spelling in group.spellings:  # "el-Khazali", not every case and joiner of it too
        text = _match_case(" ".join(spelling), ref)
        if rules.fold(text) != folded:
            forms.append(text + slot.joiner)
            if not group.optional:  # "Abdul-Mahdi" and "Abdul Mahdi" are both usual
                forms.append(text + other_joiner)
    if group.optional and not slot.sun:
        for letters in SUN_LETTERS:
            if slot.word.lower().startswith(letters):
                forms.extend(written(_match_case(group.spellings[0][0][0] + letters, ref),
                                     sun=True))
                break
    return list(dict.fromkeys(forms))


def _slot_options(slot: _Slot, rules: Rules, limit: int) -> list[tuple[str, int]]:
    """Every other way to write a slot (separator included), with its cost, best first."""
    words = [(slot.word, 0), *_word_forms(slot.word)][:limit + 1]
    if slot.group is not None:
        heads = [(form, 0 if i == 0 else 1)
                 for i, form in enumerate(_prefix_forms(slot, rules))][:limit + 1]
        pairs = [(slot.sep + h + w, hc + wc, (hc > 0) + (wc > 0), hi + wi)
                 for (hi, (h, hc)), (wi, (w, wc)) in itertools.product(
                     enumerate(heads), enumerate(words))]
    else:
        seps = [(slot.sep, 0)]
        if slot.sep == "-":  # "Ansar-Allah", "Ansar Allah", "Ansarallah"
            seps += [(" ", 1), ("", 1)]
        pairs = []
        for (si, (sep, sc)), (wi, (w, wc)) in itertools.product(
                enumerate(seps), enumerate(words)):
            if sep == "" and si > 0 and not w[1:].isupper():
                w = w[:1].lower() + w[1:]
            pairs.append((sep + w, sc + wc, (sc > 0) + (wc > 0), si + wi))
    pairs.sort(key=lambda p: (p[1], p[2], p[3]))
    original = slot.render()
    options = dict.fromkeys((text, cost) for text, cost, _, _ in pairs if text != original)
    return list(options)[:limit]


# --- Variants -------------------------------------------------------------------------


def _variants_of(text: str, rules: Rules, limit: int) -> Iterable[str]:
    """Variants of a cleaned name, cheapest first and, at equal cost, fewer changed words
    first: one usual change per word costs 1, a rare mark costs _RARE, so "Kata'ib
    Hezbollah" (two usual changes) comes before "Kataʿib Hizballah" (one rare one).

    Single changes are all considered; combinations only among the best 2 x `limit`
    single changes and within a budget, so a long name costs bounded work.
    """
    name = _parse(text, rules)
    base = [slot.render() for slot in name.slots]
    options = [_slot_options(slot, rules, limit) for slot in name.slots]
    singles = sorted(
        ((cost, rank, si, option) for si, opts in enumerate(options)
         for rank, (option, cost) in enumerate(opts)),
        key=lambda s: (s[0], s[1], s[2]))

    def render(changes: Iterable[tuple[int, int, int, str]]) -> str:
        parts = list(base)
        for _, _, si, option in changes:
            parts[si] = option
        return _clean(name.lead + "".join(parts) + name.trail)

    pool = singles[:limit * 2]
    budget = limit * _BUDGET_PER_VARIANT
    combos: list[tuple[tuple[int, int, int, str], ...]] = [(single,) for single in singles]
    for k in range(2, len(name.slots) + 1):
        for combo in itertools.combinations(pool, k):
            budget -= 1
            if budget < 0:
                break
            if len({c[2] for c in combo}) == k:
                combos.append(combo)
        if budget < 0:
            break
    combos.sort(key=lambda combo: (sum(c[0] for c in combo), len(combo),
                                   sum(c[1] for c in combo)))
    for combo in combos:
        yield render(combo)


def name_variants(name: str, *, limit: int = 24) -> list[str]:
    """Spellings under which Wikidata may hold `name`: the name itself first, at most
    `limit` in all, without duplicates, in a stable order.

    Reach for this to build the `VALUES ?name { ... }` of a label lookup: SPARQL matches
    labels exactly, so each spelling must be sent as it is. The strings are plain text,
    possibly with quotes or backslashes; escaping them is the query builder's job.
    A name in capitals is sent also as Wikidata would case it, and its variants are
    spelt from that form.
    """
    text = _clean(name)
    if not text or limit <= 0:
        return []
    rules = load_rules()
    found = [text]
    cased = _wikidata_case(text, rules)
    if cased is not None and cased != text:
        found.append(cased)
    seen = set(found)
    for variant in _variants_of(cased or text, rules, limit):
        if len(found) >= limit:
            break
        if variant and variant not in seen:
            seen.add(variant)
            found.append(variant)
    return found[:limit]


# --- Comparing names ------------------------------------------------------------------


def _canonical_word(word: str, rules: Rules) -> str:
    core = _split_core(word, rules.marks)[1]
    group = rules.words.get(rules.fold(core))
    if group:
        return rules.fold(group[0])
    ending = _canonical_ending(core, rules)
    return rules.fold(ending if ending is not None else word)


@functools.lru_cache(maxsize=1 << 16)
def _keys(name: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The variant keys of a name, and its words without articles, canonically spelt."""
    rules = load_rules()
    text = _clean(name)
    kept: list[str] = []
    bare: list[str] = []
    for slot in _parse(text, rules).slots:
        word = _canonical_word(slot.word, rules)
        if slot.group is not None:
            particle = rules.fold(" ".join(slot.group.spellings[0]))
            kept.append(particle)
            if not slot.droppable:
                bare.append(particle)
        kept.append(word)
        bare.append(word)
    keys = {" ".join(k.split()) for k in (" ".join(kept), " ".join(bare))}
    keys |= {k.replace(" ", "") for k in keys}
    keys.discard("")
    return frozenset(keys), tuple(" ".join(bare).split())


def variant_keys(name: str) -> set[str]:
    """The forms under which two names count as one name: share a key, same name.

    Each key is the name normalised (kg.identity.normalize_name) with each word folded to
    the canonical spelling of its transliteration group, once with its articles and once
    without, and each of those also without spaces ("Ansar Allah" / "Ansarallah"). So
    "Kata'ib Hezbollah" and "Kataib Hizballah" share a key, "Qais al-Khazali" and "Qais
    Khazali" too, but "Qais al-Khazali" and "Laith al-Khazali" do not.
    """
    return set(_keys(name)[0])


@functools.lru_cache(maxsize=1 << 16)
def _letters(word: str) -> Counter[str]:
    return Counter(word)


@functools.lru_cache(maxsize=1 << 18)
def _spelling_closeness(x: str, y: str) -> float:
    """difflib's ratio of two words when it may reach _CLOSE_SPELLING, else 0. The
    bounds difflib's quick ratios give are reckoned first, from each word's letters
    counted once: a reconciliation batch compares a thousand pairs of words, most far
    apart ("00306"/"00611"), and making a SequenceMatcher for each was most of its cost."""
    if max(len(x), len(y)) > _MAX_FUZZY_WORD:
        return 0.0
    total = len(x) + len(y)
    if 2 * min(len(x), len(y)) < _CLOSE_SPELLING * total:
        return 0.0
    if 2 * sum((_letters(x) & _letters(y)).values()) < _CLOSE_SPELLING * total:
        return 0.0
    return SequenceMatcher(None, x, y, autojunk=False).ratio()


def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """How many words two names share, counting a close spelling by its closeness."""
    ca, cb = Counter(a), Counter(b)
    same = ca & cb
    total = float(sum(same.values()))
    rest_a, rest_b = list((ca - same).elements()), list((cb - same).elements())
    if rest_a and rest_b and len(rest_a) * len(rest_b) <= _MAX_FUZZY_PAIRS:
        pairs = []
        for i, x in enumerate(rest_a):
            for j, y in enumerate(rest_b):
                ratio = _spelling_closeness(x, y)
                if ratio >= _CLOSE_SPELLING:
                    pairs.append((ratio, i, j))
        used_a: set[int] = set()
        used_b: set[int] = set()
        for ratio, i, j in sorted(pairs, reverse=True):
            if i not in used_a and j not in used_b:
                used_a.add(i)
                used_b.add(j)
                total += ratio
    return total


def name_similarity(a: str, b: str) -> float:
    """How likely two names are one name, in [0, 1], for scoring Wikidata candidates.

    1.0 when they share a variant key. Otherwise the weighted Jaccard index of their words
    (articles left out, spellings folded; a word close in spelling counts by its
    closeness), capped below 1.0: every word one name has and the other lacks pulls the
    score down, so a missing distinctive word ("Kata'ib Hizballah" / "Hizballah": 0.5)
    or a different given name ("Qais al-Khazali" / "Laith al-Khazali": 0.33) scores low.
    """
    keys_a, words_a = _keys(a)
    keys_b, words_b = _keys(b)
    if not keys_a or not keys_b:
        return 0.0
    if keys_a & keys_b:
        return 1.0
    if not words_a or not words_b:
        return 0.0
    shared = _overlap(words_a, words_b)
    return min(shared / (len(words_a) + len(words_b) - shared), 0.99)


def name_words(name: str) -> tuple[str, ...]:
    """A name's words as `name_similarity` compares them: articles left out, each word
    folded to the canonical spelling of its transliteration group."""
    return _keys(name)[1]
