"""Extraction quality as a ratchet: the scorer runs over every gold file, and no section
may fall below the figure last recorded in tests/quality-ratchet.json.

When a change raises a figure, record the new one (`python scripts/score_gold.py --json`)
so that it cannot be lost again; lowering a recorded figure needs a reason in the commit.
"""

from __future__ import annotations

import importlib
import json
import sys
from types import ModuleType

import pytest

from .conftest import ROOT

RATCHET = ROOT / "tests" / "quality-ratchet.json"


def _score_gold() -> ModuleType:
    # Imported by name, so that its worker processes can find the extraction function.
    if str(ROOT / "scripts") not in sys.path:
        sys.path.insert(0, str(ROOT / "scripts"))
    return importlib.import_module("score_gold")


@pytest.fixture(scope="module")
def scores(wikidata_endpoint: str) -> dict[str, object]:
    # Actors are linked through the local Wikidata endpoint, so linking is scored too.
    return _score_gold().score(endpoint=wikidata_endpoint)  # type: ignore[no-any-return]


SECTIONS = ("actors", "affiliations", "designations", "events")


@pytest.mark.parametrize("section", SECTIONS)
def test_section_f1_does_not_fall(scores: dict[str, dict[str, float]], section: str) -> None:
    recorded = json.loads(RATCHET.read_text(encoding="utf-8"))
    assert scores[section]["f1"] >= recorded[section], (section, scores[section], recorded)


def test_attribution_agreement_does_not_fall(scores: dict[str, dict[str, float]]) -> None:
    recorded = json.loads(RATCHET.read_text(encoding="utf-8"))
    assert scores["attribution"]["agreement"] >= recorded["attribution"], scores["attribution"]


@pytest.mark.parametrize("measure", ["accuracy", "precision"])
def test_linking_does_not_fall(scores: dict[str, dict[str, float]], measure: str) -> None:
    recorded = json.loads(RATCHET.read_text(encoding="utf-8"))
    assert scores["linking"][measure] >= recorded[f"linking {measure}"], scores["linking"]


def test_every_gold_file_is_scored(scores: dict[str, object]) -> None:
    gold = [p for d in _score_gold().GOLD_DIRS for p in d.glob("*.json")]
    assert scores["documents"] == len(gold) >= 23
