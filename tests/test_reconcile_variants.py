"""Spelling variants for Wikidata lookups, variant keys and name similarity
(kg/reconcile/variants.py, lexicon/transliteration.tsv)."""

from __future__ import annotations

import time

import pytest

from kg.errors import OntologyError
from kg.reconcile import variants
from kg.reconcile.variants import load_rules, name_similarity, name_variants, variant_keys

# --- name_variants ----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    # Articles: forms, case of the article, and the name without it.
    ("Qais al-Khazali", ["Qais Khazali", "Qais Al-Khazali", "Qais al Khazali",
                         "Qais Al Khazali", "Qais el-Khazali"]),
    ("Al-Nujaba", ["Al Nujaba", "al-Nujaba", "Nujaba"]),
    # Sun-letter forms of the article are read as it, and written from it.
    ("Hay'at Tahrir ash-Sham", ["Hay'at Tahrir al-Sham", "Hayat Tahrir ash-Sham",
                                "Hay'at Tahrir Sham"]),
    ("Jabhat al-Nusra", ["Jabhat an-Nusra"]),
    # Particles and words of the lexicon.
    ("Abu Mahdi", ["Abou Mahdi"]),
    ("Osama bin Laden", ["Osama ibn Laden"]),
    ("Abd al-Mahdi", ["Abdul Mahdi", "Abdul-Mahdi", "Abdel Mahdi", "Abd al Mahdi"]),
    ("Kata'ib Hezbollah", ["Kataib Hezbollah", "Kata’ib Hezbollah", "Kata`ib Hezbollah",
                           "Kataeb Hezbollah", "Kata'eb Hezbollah", "Kata'ib Hizballah",
                           "Kata'ib Hizbullah", "Kata'ib Hizbollah", "Kata'ib Hisbollah"]),
    ("Kataib Hizballah", ["Kata'ib Hezbollah", "Kata'ib Hizballah", "Kataib Hezbollah"]),
    ("Qasem Soleimani", ["Qassem Soleimani", "Qasim Soleimani", "Kasim Soleimani",
                         "Ghasem Soleimani"]),
    ("Mohammed Ahmad", ["Muhammad Ahmad", "Mohamed Ahmad", "Mohammed Ahmed"]),
    ("Saddam Hussein", ["Saddam Husayn", "Saddam Hussain", "Saddam Husain"]),
    ("Saraya Awliya al-Dam", ["Saraya' Awliya al-Dam"]),
    ("Asaib Ahl al-Haq", ["Asa'ib Ahl al-Haq", "Asa'ib Ahl Al-Haq", "Asaib Ahl Al-Haq"]),
    ("Asa’ib Ahl al-Haq", ["Asa'ib Ahl al-Haq", "Asaib Ahl al-Haq"]),
    # Endings, and hyphens written as spaces or not at all.
    ("Al-Jamaa al-Islamiyya", ["Al-Jamaa al-Islamiyyah", "Al-Jamaa al-Islamiya"]),
    ("Ansar-Allah", ["Ansar Allah", "Ansarallah"]),
])
def test_variants_include(name: str, expected: list[str]) -> None:
    found = name_variants(name, limit=200)
    assert found[0] == name
    missing = [v for v in expected if v not in found]
    assert not missing, f"{name!r}: missing {missing} from {found}"


def test_variants_default_limit_reaches_the_usual_spellings() -> None:
    # The default limit must keep what matters most: one change of each word, and the
    # two-word change to Wikidata's own label, before the rarer marks.
    found = name_variants("Kataib Hizballah")
    assert len(found) == 24
    assert "Kata'ib Hezbollah" in found
    assert "Qais Khazali" in name_variants("Qais al-Khazali")


def test_variants_are_unique_and_stable() -> None:
    first = name_variants("Harakat Hezbollah al-Nujaba")
    assert len(first) == len(set(first))
    assert first == name_variants("Harakat Hezbollah al-Nujaba")


def test_fewer_changed_words_come_first() -> None:
    found = name_variants("Qais al-Khazali", limit=200)
    # Every variant changing one word comes before any changing both.
    assert found.index("Qais Khazali") < found.index("Qays Khazali")
    assert found.index("Kais al-Khazali") < found.index("Kais Al-Khazali")


@pytest.mark.parametrize("limit", [1, 2, 5, 24])
def test_limit(limit: int) -> None:
    found = name_variants("Kata'ib Hezbollah al-Nujaba", limit=limit)
    assert len(found) == limit
    assert found[0] == "Kata'ib Hezbollah al-Nujaba"


def test_zero_limit() -> None:
    assert name_variants("Kata'ib Hezbollah", limit=0) == []


def test_article_only_at_the_start_of_a_word() -> None:
    # "al" inside a word, or a word that merely begins with it, is no article.
    found = name_variants("Khalid Albayati", limit=200)
    assert not any("Bayati" in v for v in found)
    found = name_variants("Jamal Almaliki", limit=200)
    assert "Jamal Maliki" not in found


def test_a_leading_al_with_a_space_is_not_dropped() -> None:
    # "Al Gore": a given name, not an article; "Gore" would be another person.
    assert "Gore" not in name_variants("Al Gore", limit=200)
    assert not variant_keys("Al Gore") & variant_keys("Gore")


def test_all_caps_gets_wikidata_casing() -> None:
    found = name_variants("ASA'IB AHL AL-HAQ")
    assert found[:2] == ["ASA'IB AHL AL-HAQ", "Asa'ib Ahl al-Haq"]
    assert "Asa'ib Ahl Al-Haq" in found
    assert "Asaib Ahl al-Haq" in found
    # Variants are spelt from the cased form, not from the capitals.
    assert [v for v in found[1:] if v.isupper()] == []
    assert name_variants("AL-QAEDA")[:2] == ["AL-QAEDA", "al-Qaeda"]
    assert name_variants("OSAMA BIN LADEN")[1] == "Osama bin Laden"


def test_acronym_in_capitals_is_left_alone() -> None:
    assert name_variants("ISIS") == ["ISIS"]


def test_no_case_only_duplicates() -> None:
    # Beyond the article and the capitals rule, no variant differs only by case.
    found = name_variants("Kata'ib Hezbollah", limit=200)
    assert len({v.lower() for v in found}) == len(found)


def test_whitespace_is_folded() -> None:
    assert name_variants("  Kata'ib \n Hezbollah\t")[0] == "Kata'ib Hezbollah"


# --- Hostile input ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "   ", "\n\t"])
def test_empty(name: str) -> None:
    assert name_variants(name) == []
    assert variant_keys(name) == set()
    assert name_similarity(name, "Hezbollah") == 0.0
    assert name_similarity(name, name) == 0.0


@pytest.mark.parametrize("name", ["'", "-", "---", "''-''", "’ʿʾ`‘", "!?.,;", "- -", "al-"])
def test_only_punctuation(name: str) -> None:
    found = name_variants(name)
    assert found[0] == name.strip()
    assert all(isinstance(v, str) and v.strip() for v in found)
    variant_keys(name)
    assert 0.0 <= name_similarity(name, "al-Khazali") <= 1.0


@pytest.mark.parametrize("name", [
    'Ahrar al-Sham "Brigade"',
    "Kata'ib \"Hezbollah\" \\ al-Nujaba",
    "Kata'ib Hezbollah\n} . #comment",
    "Asa'ib {Ahl} al-Haq # \"\"\" \\n",
    '"al-Khazali"',
    "(Hezbollah)",
    "al-\\Sham",
    "Qais al-Khazali'}; DROP",
])
def test_quotes_braces_backslashes(name: str) -> None:
    found = name_variants(name)
    assert found and all(isinstance(v, str) for v in found)
    assert all("\n" not in v for v in found)
    assert len(found) == len(set(found))
    # Characters a query builder must escape pass through as they are: no escaping here.
    for char in '"\\{}#':
        if char in name:
            assert all(v.count(char) == name.count(char) for v in found), char
    assert 0.0 <= name_similarity(name, "Hezbollah") <= 1.0


def test_punctuation_around_a_word_is_kept() -> None:
    assert "(Hizballah)" in name_variants("(Hezbollah)")
    assert '"Kataib" Hezbollah' in name_variants('"Kata\'ib" Hezbollah')


@pytest.mark.parametrize("name", [
    "x" * 10_000,
    "Qais al-Khazali " * 625,
    "Kata'ib-" * 1250,
    "al-" * 3333,
    "AL-QAIS " * 1250,
    "'" * 10_000,
    "Hezbollah " * 1000,
])
def test_very_long_names(name: str) -> None:
    start = time.perf_counter()
    found = name_variants(name)
    keys = variant_keys(name)
    score = name_similarity(name, name[: len(name) // 2])
    elapsed = time.perf_counter() - start
    assert len(found) <= 24
    assert len(name_variants(name, limit=5)) <= 5
    assert isinstance(keys, set)
    assert 0.0 <= score <= 1.0
    assert elapsed < 5, f"{elapsed:.1f}s"


# --- variant_keys and name_similarity ---------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [
    ("Kata'ib Hezbollah", "Kataib Hizballah"),
    ("Kata’ib Hezbollah", "KATAEB HIZBULLAH"),
    ("Asa'ib Ahl al-Haq", "Asaib Ahl Al-Haq"),
    ("Asa'ib Ahl al-Haq", "Asa`ib Ahl al Haq"),
    ("Qais al-Khazali", "Qais Khazali"),
    ("Qais al-Khazali", "Qays el-Khazali"),
    ("Hay'at Tahrir al-Sham", "Hayat Tahrir ash-Sham"),
    ("Al-Nujaba", "Al Nujaba"),
    ("Abd al-Mahdi", "Abdul Mahdi"),
    ("Osama bin Laden", "Osama ibn Laden"),
    ("Al-Jamaa al-Islamiyya", "al-Jamaa al-Islamiyyah"),
    ("Ansar Allah", "Ansarallah"),
    ("Mohammed Hussein", "Muhammad Husayn"),
])
def test_same_name(a: str, b: str) -> None:
    assert variant_keys(a) & variant_keys(b)
    assert name_similarity(a, b) == 1.0
    assert name_similarity(b, a) == 1.0


@pytest.mark.parametrize(("a", "b", "below"), [
    ("Kata'ib Hizballah", "Hizballah", 0.8),
    ("Qais al-Khazali", "Laith al-Khazali", 0.6),
    ("Bashar al-Assad", "Hafez al-Assad", 0.6),
    ("Kata'ib Hezbollah", "Kata'ib Sayyid al-Shuhada", 0.6),
    ("Hezbollah", "Hamas", 0.2),
])
def test_different_names(a: str, b: str, below: float) -> None:
    assert not variant_keys(a) & variant_keys(b)
    assert name_similarity(a, b) < below
    assert name_similarity(b, a) < below


@pytest.mark.parametrize(("a", "b", "above"), [
    ("Qais Khazaly", "Qais al-Khazali", 0.8),
    ("Asaib Ahl al-Haq", "Asa'ib Ahl al-Haqq", 0.8),
    ("Hafez al-Assad", "Hafiz al-Asad", 0.6),
])
def test_close_spellings_score_well(a: str, b: str, above: float) -> None:
    score = name_similarity(a, b)
    assert above < score < 1.0


def test_similarity_is_symmetric_and_bounded() -> None:
    names = ["Kata'ib Hezbollah", "Hizballah", "Qais al-Khazali", "Laith al-Khazali",
             "Abu Mahdi al-Muhandis", "", "---", "Hezbollah Hezbollah"]
    for a in names:
        for b in names:
            score = name_similarity(a, b)
            assert 0.0 <= score <= 1.0
            assert score == name_similarity(b, a)


def test_keys_are_normalised() -> None:
    keys = variant_keys("Kata’ib Hizballah")
    assert "kataib hezbollah" in keys
    assert all(k == k.lower() and "'" not in k and "-" not in k for k in keys)


# --- The rules file ---------------------------------------------------------------------


def test_rules_load() -> None:
    rules = load_rules()
    assert rules.marks.startswith("'") and "’" in rules.marks and "ʿ" in rules.marks
    assert any(group.optional for group in rules.prefixes)
    assert rules.words[rules.fold("Hizballah")][0] == "Hezbollah"
    assert ("iyya", "iyyah", "iya") in rules.endings
    assert len(rules.words) > 20


@pytest.mark.parametrize(("line", "problem"), [
    ("Hezbollah", "at least two"),
    ("al-\tAl", "mixes"),
    ("Hizb Allah\tHezbollah", "holds a space"),
    ("-\t-", "besides '-'"),
    ("Ahmad\tAhmed\nAhmed\tAhmet", "another group"),
])
def test_bad_rules_are_reported(monkeypatch: pytest.MonkeyPatch, line: str,
                                problem: str) -> None:
    rows = [row.split("\t") for row in line.split("\n")]

    def entries(name: str) -> list[list[str]]:
        return rows if name == variants.RULES_FILE else [["al"]]

    monkeypatch.setattr(variants, "lexicon_entries", entries)
    load_rules.cache_clear()
    try:
        with pytest.raises(OntologyError, match=problem):
            load_rules()
    finally:
        load_rules.cache_clear()


def test_the_quick_bounds_never_drop_a_pair_difflib_finds_close() -> None:
    """_spelling_closeness rules out far pairs from letter counts before difflib: it must
    keep every pair difflib's ratio puts at _CLOSE_SPELLING or above, at that ratio."""
    import random
    from difflib import SequenceMatcher

    rng = random.Random(7)
    words = ["khazali", "khazaly", "hafez", "hafiz", "qais", "laith", "00306", "00311",
             "03016", "brigades", "brigade", "hizballah", "hezbollah", "nujaba", "nujabaa"]
    alphabet = "aeiouhklmnrstz0123"
    words += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
              for _ in range(300)]
    close = 0
    for x in words:
        for y in rng.sample(words, 40) + [x[:-1] + "y", x + "a"]:
            expected = SequenceMatcher(None, x, y, autojunk=False).ratio()
            got = variants._spelling_closeness(x, y)
            if expected >= variants._CLOSE_SPELLING:
                close += 1
                assert got == expected, (x, y)
            else:
                assert got < variants._CLOSE_SPELLING, (x, y)
    assert close > 100
