"""The forms of a person's name Wikidata may hold instead of the text's."""

from __future__ import annotations

import pytest

from kg.reconcile.person_names import given_name_forms, is_surname_of, person_forms


def test_middle_initials_go_and_given_names_take_their_other_forms() -> None:
    assert person_forms("Michael R. Pompeo") == [
        "Michael R. Pompeo", "Michael Pompeo", "Mike R. Pompeo", "Mike Pompeo"]
    assert "Stephen Jobs" in person_forms("Steve Jobs") and \
        "Steven Jobs" in person_forms("Steve Jobs")


@pytest.mark.parametrize("name", ["Qais al-Khazali", "Mike", "", "Abu Mahdi al-Muhandis"])
def test_names_without_such_forms_stay_as_they_are(name: str) -> None:
    assert person_forms(name) == ([name] if name else [""])


def test_the_lexicon_reads_both_ways() -> None:
    forms = given_name_forms()
    assert "Mike" in forms["michael"] and "Michael" in forms["mike"]


@pytest.mark.parametrize(("short", "full", "expected"), [
    ("Assad", "Bashar al-Assad", True),
    ("al-Assad", "Hafez al-Assad", True),
    ("Trump", "Donald Trump", True),
    ("Trump", "Trump", False),  # the same name, not a surname of a longer one
    ("Khazali", "Qais al-Khazali", True),
    ("Qais", "Qais al-Khazali", False),  # a given name is no surname
    ("Bashar al-Assad", "Hafez al-Assad", False),
])
def test_surnames(short: str, full: str, expected: bool) -> None:
    assert is_surname_of(short, full) is expected
