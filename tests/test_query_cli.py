"""`kg query` as a user calls it: the list, standalone SPARQL, --as-of, and bad input
answered with a message naming what is wrong and exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.plugins.sparql import prepareQuery

from kg.queries import list_queries

from .conftest import run_kg


def test_list_names_purpose_and_parameters() -> None:
    done = run_kg("query", "--list")
    assert done.returncode == 0, done.stderr
    for query in list_queries():
        assert f"{query.name}: {query.purpose}" in done.stdout
        for param in query.params:
            assert f"--param {param.name}=VALUE ({param.type}" in done.stdout


@pytest.mark.parametrize("name", [q.name for q in list_queries()])
def test_show_prints_standalone_sparql(name: str) -> None:
    done = run_kg("query", name, "--show")
    assert done.returncode == 0, done.stderr
    prepareQuery(done.stdout)  # parses with no prefix supplied from outside


@pytest.mark.parametrize(("args", "words"), [
    (["nonexistent-query"], ["unknown query 'nonexistent-query'", "designations-in-force"]),
    (["designations-in-force"], ["--param date=VALUE", "(day)"]),
    (["designations-in-force", "--param", "date=2019-13-45"], ["parameter date", "YYYY-MM-DD"]),
    (["designations-in-force", "--param", "date=June 2019"], ["parameter date", "day"]),
    (["events", "--param", "from=someday"], ["parameter from", "YYYY"]),
    (["events-in-year", "--param", "year=20"], ["parameter year", "YYYY"]),
    (["events", "--param", "type=not an iri"], ["parameter type", "IRI"]),
    (["summary", "--param", "colour=red"], ["no parameter colour"]),
    (["summary", "--param", "novalue"], ["NAME=VALUE"]),
    (["summary", "--as-of", "yesterday"], ["--as-of", "YYYY-MM-DD"]),
])
def test_bad_input_exits_2_naming_the_problem(args: list[str], words: list[str],
                                              tmp_path: Path) -> None:
    done = run_kg("query", *args, "--store", str(tmp_path / "none"))
    assert done.returncode == 2, (done.stdout, done.stderr)
    for word in words:
        assert word in done.stderr, done.stderr


def test_as_of_on_a_built_store(examples_store: Path, tmp_path: Path) -> None:
    """The example store was built today: as of yesterday the KG knew nothing; as of a
    day far ahead, everything."""
    import shutil

    store = tmp_path / "kg-data"
    shutil.copytree(examples_store, store)
    now = run_kg("query", "summary", "--format", "csv", "--store", str(store))
    assert now.returncode == 0, now.stderr
    assert "documents,5" in now.stdout
    assert (store / "query-view").is_dir()  # made once, reused while the store is unchanged
    later = run_kg("query", "summary", "--as-of", "2999-01-01", "--format", "csv",
                   "--store", str(store))
    assert later.stdout == now.stdout
    before = run_kg("query", "summary", "--as-of", "2000-01-01", "--format", "csv",
                    "--store", str(store))
    assert before.returncode == 0, before.stderr
    assert "documents" not in before.stdout
