"""queries/README.md is what scripts/make_query_readme.py writes from the examples, so its
examples and outputs never drift from the queries."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kg.queries import list_queries
from kg.resources import queries_dir

from .conftest import ROOT


def test_readme_is_generated_from_the_queries(tmp_path: Path) -> None:
    if str(ROOT / "scripts") not in sys.path:
        sys.path.insert(0, str(ROOT / "scripts"))
    import make_query_readme  # type: ignore[import-not-found]

    expected = make_query_readme.render(make_query_readme.build_examples(tmp_path / "kg"))
    actual = (queries_dir() / "README.md").read_text(encoding="utf-8")
    if actual != expected:
        pytest.fail("queries/README.md is out of date: run python scripts/make_query_readme.py")
    for query in list_queries():
        assert f"\n### {query.name}\n" in actual
        assert f"$ {query.examples[0]}\n" in actual
