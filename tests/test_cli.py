"""The `kg` command as a user runs it: help everywhere, and the exit codes the README
promises: 0 ok, 1 data does not conform, 2 usage or input error (with a message that
names what is wrong), 3 internal error (which no test here may reach).

Query parameters are bound as typed terms, never spliced into the SPARQL text, so
hostile values are plain strings that match nothing and change nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, Namespace

from kg import namespace
from kg.cli import cli
from kg.store import KGStore

from .conftest import EXAMPLES, ROOT, run_kg

KG, RDF, RDFS, PROV = namespace.KG, namespace.RDF, namespace.RDFS, namespace.PROV
EX = Namespace("https://w3id.org/kg/test/data#")
CASE = Namespace("https://w3id.org/kg/test/case#")
CLAIMS = ROOT / "tests" / "cases" / "queries" / "claims.trig"
VALID_CASE = ROOT / "tests" / "cases" / "shapes" / "affiliation-valid-complete.ttl"
ARTICLE = EXAMPLES / "01-iraq-kataib-hizballah.txt"
HTML_PAGE = EXAMPLES / "05-russia-wagner-group.html"

# Options each command's --help must mention (the group's: its commands).
HELP_MENTIONS = {
    "": ["build", "extract", "validate", "query", "export", "stats", "reconcile", "serve",
         "--version"],
    "build": ["--store", "--jobs", "--force", "--max-bytes", "--model", "--base-uri",
              "--quiet", "--list-date"],
    "extract": ["--format", "facts", "jsonld", "--model", "--max-bytes", "--list-date",
                "--wikidata-endpoint", "--offline"],
    "reconcile": ["--store", "--endpoint", "--offline", "--review", "--apply"],
    "validate": ["--store", "--format"],
    "query": ["--param", "--format", "--list", "--store"],
    "export": ["--format", "--out", "--store", "trig", "nq"],
    "stats": ["--store"],
    "push": ["--endpoint", "--graph-store", "--user", "--password", "--batch", "--retries",
             "--store", "--query-endpoint", "--base-uri", "--keep-removed"],
    "serve": ["--store", "--host", "--port", "--base-uri", "--query-timeout", "--threads",
              "--query-workers", "--processes", "--verbose"],
}
# A label that looks like SPARQL, on an actor of the hostile store.
HOSTILE_LABEL = 'Ahrar al-Sham "Brigade" } ; DROP ALL ; #'
HOSTILE_VALUES = [
    'say "hi"',
    "back\\slash",
    "back\\",
    "two\nlines",
    "}",
    "#",
    '" } ; DROP ALL ; #',
    "' } ; DROP ALL ; #",
    '"""',
    "?name",
    "<https://w3id.org/kg/test/data#x>",
    '") } UNION { ?s ?p ?o } #',
    HOSTILE_LABEL + "x",
]


def _usage_error(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.stderr.strip()


def _quads(store_path: Path) -> set[str]:
    db = ox.Store.read_only(str(store_path / "store"))
    try:
        return {str(q) for q in db}
    finally:
        del db


# -- help and usage ------------------------------------------------------------------


def test_every_command_is_covered() -> None:
    assert set(cli.commands) | {""} == set(HELP_MENTIONS)


@pytest.mark.parametrize("command", sorted(HELP_MENTIONS), ids=lambda c: c or "kg")
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(command: str, flag: str) -> None:
    result = run_kg(*([command] if command else []), flag)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: kg")
    for mention in HELP_MENTIONS[command]:
        assert mention in result.stdout, (command, mention)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["no-such-command"], "No such command 'no-such-command'"),
        (["query"], "name a query"),
        (["validate"], "give either FILE or --store"),
        (["validate", str(VALID_CASE), "--store", "kg-data"], "give either FILE or --store"),
        (["export", "--format", "rdfa"], "Invalid value for '--format'"),
        (["query", "summary", "--format", "xml"], "Invalid value for '--format'"),
        (["extract", str(ARTICLE), "--format", "nq"], "Invalid value for '--format'"),
        (["validate", str(VALID_CASE), "--format", "json"], "Invalid value for '--format'"),
        (["build"], "Missing argument"),
        (["build", str(ARTICLE), "--jobs", "0"], "Invalid value for '--jobs'"),
        (["export", "--no-such-option"], "No such option"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_usage_errors(args: list[str], says: str, tmp_path: Path) -> None:
    result = run_kg(*args, cwd=tmp_path)
    _usage_error(result)
    assert says in result.stderr
    assert "Usage: kg" in result.stderr
    assert not (tmp_path / "kg-data").exists()


# -- extract -------------------------------------------------------------------------


def test_extract_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-article.txt"
    result = run_kg("extract", str(missing))
    _usage_error(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(missing) in lines[0], lines
    assert result.stdout == ""


def test_extract_facts() -> None:
    result = run_kg("extract", str(ARTICLE), "--format", "facts")
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert set(facts) == {"document", "actors", "affiliations", "designations", "events"}
    assert facts["document"] == ARTICLE.name
    assert facts["actors"] and all({"name", "type"} <= set(a) for a in facts["actors"])
    assert "Kata'ib Hizballah" in {a["name"] for a in facts["actors"]}


def _without_times(triples: set[tuple[object, ...]]) -> set[tuple[object, ...]]:
    """Triples less prov:endedAtTime: each run of an extractor has its own time."""
    return {t for t in triples if t[1] != PROV.endedAtTime}


@pytest.mark.parametrize("source", [ARTICLE, HTML_PAGE], ids=lambda p: p.suffix)
def test_extract_rdf_formats_parse(source: Path) -> None:
    runs = {fmt: run_kg("extract", str(source), "--format", fmt)
            for fmt in ("ttl", "trig", "jsonld")}
    for fmt, result in runs.items():
        assert result.returncode == 0, (fmt, result.stderr)
    graph = Graph().parse(data=runs["ttl"].stdout, format="turtle")
    assert len(graph) > 20 and (None, RDF.type, KG.Document) in graph
    expected = _without_times(set(graph))
    for fmt, syntax in (("trig", "trig"), ("jsonld", "json-ld")):
        dataset = Dataset()
        dataset.parse(data=runs[fmt].stdout, format=syntax)
        quads = list(dataset.quads())
        graph_names = {q[3] for q in quads}
        # One named graph, named after the document.
        assert len(graph_names) == 1, (fmt, graph_names)
        (name,) = graph_names
        assert (name, RDF.type, KG.Document) in graph
        assert _without_times({q[:3] for q in quads}) == expected, fmt


# -- validate ------------------------------------------------------------------------


@pytest.fixture
def case_files(tmp_path: Path) -> tuple[Path, Path]:
    """A valid affiliation (the shapes' own test case, less its header) and the same
    affiliation without its kind."""
    graph = Graph().parse(VALID_CASE, format="turtle")
    graph.remove((CASE.this, None, None))
    valid = tmp_path / "valid.ttl"
    graph.serialize(valid, format="turtle")
    graph.remove((EX.aff, KG.affiliationKind, None))
    invalid = tmp_path / "invalid.ttl"
    graph.serialize(invalid, format="turtle")
    return valid, invalid


def test_validate_file(case_files: tuple[Path, Path]) -> None:
    valid, invalid = case_files
    ok = run_kg("validate", str(valid))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"{valid}: conforms" in ok.stdout
    bad = run_kg("validate", str(invalid))
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert f"{invalid}: 1 violations" in bad.stdout
    violation = next(line for line in bad.stdout.splitlines() if line.startswith("  - "))
    assert f"<{EX.aff}>" in violation and f"<{KG.affiliationKind}>" in violation
    assert "kind" in violation.split(":", 2)[-1]
    report = run_kg("validate", str(invalid), "--format", "ttl")
    assert report.returncode == 1
    assert "sh:ValidationReport" in report.stdout or "ValidationReport" in report.stdout


def test_validate_unparsable_rdf(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<https://w3id.org/kg/test/data#a> <b> \"unclosed .\n", encoding="utf-8")
    result = run_kg("validate", str(broken))
    _usage_error(result)
    assert str(broken) in result.stderr


def test_validate_store(examples_store: Path) -> None:
    result = run_kg("validate", "--store", str(examples_store))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    lines = result.stdout.strip().splitlines()
    # Five articles' graphs and the graph of the example FTO list.
    assert len(lines) == 6 and all(re.search(r": conforms \(\d+ triples\)$", li)
                                   for li in lines), lines
    assert any(li.startswith("https://w3id.org/kg/id/list/us-dos-fto:") for li in lines)


def test_validate_missing_store(tmp_path: Path) -> None:
    result = run_kg("validate", "--store", str(tmp_path / "nothing"))
    _usage_error(result)
    assert str(tmp_path / "nothing") in result.stderr


# -- stats ---------------------------------------------------------------------------


def test_stats(examples_store: Path) -> None:
    result = run_kg("stats", "--store", str(examples_store))
    assert result.returncode == 0, result.stderr
    assert re.search(r"^\s*documents\s+5$", result.stdout, re.M), result.stdout
    assert re.search(r"^\s*quarantined\s+0 documents$", result.stdout, re.M)


def test_stats_store_from_environment(examples_store: Path, tmp_path: Path) -> None:
    kg = Path(sys.executable).parent / "kg"
    result = subprocess.run([str(kg), "stats"], capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "KG_STORE": str(examples_store)},
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^\s*documents\s+5$", result.stdout, re.M)


def test_stats_missing_store(tmp_path: Path) -> None:
    result = run_kg("stats", cwd=tmp_path)
    _usage_error(result)
    assert "kg-data" in result.stderr and "kg build" in result.stderr
    assert not (tmp_path / "kg-data").exists()


# -- query ---------------------------------------------------------------------------


def test_query_list() -> None:
    result = run_kg("query", "--list")
    assert result.returncode == 0, result.stderr
    names = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    assert len(names) >= 6
    listed = re.findall(r"^([a-z0-9-]+): ", result.stdout, re.M)
    assert sorted(listed) == names
    assert "--param name=VALUE (name)" in result.stdout


@pytest.fixture
def typed_query(tmp_path: Path) -> Path:
    """A query file with a date and an integer parameter (no named query has a date)."""
    path = tmp_path / "typed.rq"
    path.write_text(
        "# title: Typed parameters\n"
        "# purpose: echoes its parameters\n"
        "# param: since (date) a date\n"
        "# param: count (integer, optional) a number\n"
        "# example: kg query typed.rq --param since=2020-05\n"
        "SELECT ?since ?count WHERE {}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["affiliations-of-actor"], ["--param name=VALUE", "(name)"]),
        (["affiliations-of-actor", "-p", "name=KH", "-p", "nmae=KH"],
         ["no parameter nmae", "name (name)"]),
        (["events-in-year"], ["--param year=VALUE", "(year)"]),
        (["events-in-year", "--param", "year=20x"], ["parameter year", "expected YYYY"]),
        (["events-in-year", "--param", "year=2020-01"], ["parameter year", "expected YYYY"]),
        (["provenance-of-claim", "--param", "claim=not an iri"],
         ["parameter claim", "is not an IRI", "prefix:name"]),
        (["provenance-of-claim", "--param", "claim=https://exa mple.org/x"],
         ["parameter claim", "is not an IRI"]),
        (["provenance-of-claim", "--param", "claim="], ["parameter claim", "is not an IRI"]),
        (["provenance-of-claim", "--param", "claim=<https://w3id.org/kg> } ; DROP ALL ; #"],
         ["parameter claim", "is not an IRI"]),
        (["actors-by-type", "--param", "type"], ["--param 'type' is not NAME=VALUE"]),
        (["summary", "--param", "x=1"], ["no parameter x", "its parameters: none"]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) and v[0][0] != "-" else None,
)
def test_query_parameter_errors(args: list[str], says: list[str],
                                examples_store: Path) -> None:
    result = run_kg("query", *args, "--store", str(examples_store))
    _usage_error(result)
    assert result.stdout == ""
    for text in says:
        assert text in result.stderr, (text, result.stderr)


@pytest.mark.parametrize(
    ("params", "says"),
    [
        (["since=2020-13-01"], ["parameter since", "is not a date",
                                "YYYY, YYYY-MM or YYYY-MM-DD"]),
        (["since=yesterday"], ["parameter since", "is not a date"]),
        (["since=2020-02-30"], ["parameter since", "is not a date"]),
        (["since=2020", "count=many"], ["parameter count", "is not an integer"]),
    ],
)
def test_query_file_parameter_errors(params: list[str], says: list[str], typed_query: Path,
                                     examples_store: Path) -> None:
    args = [arg for p in params for arg in ("--param", p)]
    result = run_kg("query", str(typed_query), *args, "--store", str(examples_store))
    _usage_error(result)
    for text in says:
        assert text in result.stderr, (text, result.stderr)


def test_query_file_binds_typed_values(typed_query: Path, examples_store: Path) -> None:
    result = run_kg("query", str(typed_query), "--param", "since=2020-05", "--param",
                    "count=-3", "--format", "json", "--store", str(examples_store))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"since": "2020-05", "count": "-3"}]


def test_unknown_query_lists_the_known_ones(examples_store: Path) -> None:
    result = run_kg("query", "no-such-query", "--store", str(examples_store))
    _usage_error(result)
    assert "unknown query 'no-such-query'" in result.stderr
    for path in (ROOT / "queries").glob("*.rq"):
        assert path.stem in result.stderr


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The claims of the query tests, plus an affiliation of an actor whose label looks
    like SPARQL."""
    path = tmp_path_factory.mktemp("hostile") / "kg-data"
    store = KGStore(path)
    store.db.load(path=str(CLAIMS), format=ox.RdfFormat.TRIG)
    graph = Graph()
    graph.add((EX.hostile, RDF.type, KG.ArmedGroup))
    graph.add((EX.hostile, RDFS.label, Literal(HOSTILE_LABEL, lang="en")))
    graph.add((EX.other, RDF.type, KG.ArmedGroup))
    graph.add((EX.other, RDFS.label, Literal("Another group", lang="en")))
    graph.add((EX.hostileAff, RDF.type, KG.Affiliation))
    graph.add((EX.hostileAff, KG.member, EX.hostile))
    graph.add((EX.hostileAff, KG.organization, EX.other))
    graph.add((EX.hostileAff, KG.affiliationKind, KG.MemberAffiliation))
    graph.add((EX.hostileAff, PROV.wasDerivedFrom, EX.hostileDoc))
    store.replace_document(EX.hostileDoc, graph)
    store.flush()
    del store
    return path


def _affiliations(store: Path, name: str) -> subprocess.CompletedProcess[str]:
    return run_kg("query", "affiliations-of-actor", "--param", f"name={name}", "--format",
                  "json", "--store", str(store))


def test_query_matches_labels_exactly(hostile_store: Path) -> None:
    """The store answers: a real label and the SPARQL-looking label each find their rows."""
    result = _affiliations(hostile_store, "Kata'ib Hizballah")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 2
    result = _affiliations(hostile_store, HOSTILE_LABEL)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["memberLabel"], r["kind"], r["organizationLabel"]) for r in rows] == [
        (HOSTILE_LABEL, "member", "Another group")]


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=repr)
def test_hostile_parameter_values_are_bound(value: str, hostile_store: Path) -> None:
    before = _quads(hostile_store)
    result = _affiliations(hostile_store, value)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    for fmt in ("table", "csv"):
        other = run_kg("query", "affiliations-of-actor", "--param", f"name={value}",
                       "--format", fmt, "--store", str(hostile_store))
        assert other.returncode == 0, other.stderr
    assert _quads(hostile_store) == before
