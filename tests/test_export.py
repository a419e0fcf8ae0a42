"""`kg export` in every format, read back by two parsers and compared with the store.

Each dump is parsed by rdflib and by a second parser that shares no code with the
serialiser: `rapper` (Debian's raptor2-utils, installed by `make test`). rapper has no
JSON-LD parser (`rapper -h` lists rdfxml, ntriples, turtle, trig, rss-tag-soup, grddl,
rdfa, json (RDF/JSON, not JSON-LD) and nquads), and no JSON-LD parser other than
rdflib's is installed, so JSON-LD's second reading is pyoxigraph's parser: the serialiser's
own library, which catches less than an independent one would (PyLD would be one).

Quads are compared as exact sets of canonical terms: IRIs by their string, literals by
lexical form, datatype and language tag. rdflib's literal normalisation ("05" to "5",
"...Z" to "...+00:00") is switched off while parsing, so lexical forms are compared as
written. No blank nodes are expected: kg mints an IRI for everything.

Two stores are exported: the one built from examples/, and a small one of awkward
literals and IRIs (quotes, backslashes, newlines, markup, non-BMP characters, language
tags with regions), where escaping bugs show.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from kg import namespace
from kg.store import FORMATS, KGStore

from .conftest import run_kg

KG, RDF, RDFS = namespace.KG, namespace.RDF, namespace.RDFS
# (XSD is left in `namespace`: pytest probes module globals, and XSD warns on unknown names.)
Term = tuple[str, ...]
Quad = tuple[Term, Term, Term, Term | None]

# The parsers' names of each export format.
RDFLIB_FORMAT = {"nq": "nquads", "trig": "trig", "ttl": "turtle", "nt": "nt",
                 "jsonld": "json-ld", "xml": "xml"}
RAPPER_FORMAT = {"nq": "nquads", "trig": "trig", "ttl": "turtle", "nt": "ntriples",
                 "xml": "rdfxml"}
QUAD_FORMATS = {name for name, (_, keeps_graphs) in FORMATS.items() if keeps_graphs}
RAPPER = shutil.which("rapper")

# Test data of the awkward store (namespaces that exist only in tests).
EX = Namespace("https://w3id.org/kg/test/data#")
DOC = Namespace("https://w3id.org/kg/test/document/")
AWKWARD_TEXTS = [
    'a "quoted" name',
    "back\\slash and \\n not a newline",
    "two\nlines\r\nand a tab\t",
    "markup <b>&amp;</b> ]]> <!-- -->",
    "Kata'ib Hizballah — كتائب حزب الله",
    "outside the BMP: \U0001f600 \U00010348",
    '""" triple quotes \'\'\'',
    "trailing backslash \\",
    " leading and trailing spaces ",
    "",
]


def test_formats_are_all_covered() -> None:
    assert set(RDFLIB_FORMAT) == set(FORMATS)
    assert set(RAPPER_FORMAT) == set(FORMATS) - {"jsonld"}
    assert QUAD_FORMATS == {"nq", "trig", "jsonld"}


# -- canonical terms -----------------------------------------------------------------


def _rdflib_term(term: Node) -> Term:
    if isinstance(term, URIRef):
        return ("iri", str(term))
    if isinstance(term, Literal):
        if term.language:
            return ("literal", str(term), str(RDF.langString), term.language.lower())
        return ("literal", str(term), str(term.datatype or namespace.XSD.string), "")
    pytest.fail(f"unexpected term {term!r} (kg mints no blank nodes)")


def _ox_term(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, (term.language or "").lower())
    pytest.fail(f"unexpected term {term!r} (kg mints no blank nodes)")


def _ox_quads(quads: Iterable[ox.Quad | ox.Triple]) -> set[Quad]:
    out: set[Quad] = set()
    for q in quads:
        graph = q.graph_name if isinstance(q, ox.Quad) else ox.DefaultGraph()
        out.add((_ox_term(q.subject), _ox_term(q.predicate), _ox_term(q.object),
                 None if isinstance(graph, ox.DefaultGraph) else _ox_term(graph)))
    return out


def _triples(quads: set[Quad]) -> set[Quad]:
    """The union of all graphs, as quads in the default graph."""
    return {(s, p, o, None) for s, p, o, _ in quads}


def _assert_same(got: set[Quad], expected: set[Quad], what: str) -> None:
    if got == expected:
        return
    missing, extra = sorted(map(str, expected - got)), sorted(map(str, got - expected))
    pytest.fail(
        f"{what}: {len(missing)} quads missing, {len(extra)} unexpected\n"
        + "".join(f"  - {q}\n" for q in missing[:10])
        + "".join(f"  + {q}\n" for q in extra[:10])
    )


# -- stores and exports --------------------------------------------------------------


@pytest.fixture(scope="module")
def awkward_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one document graph of awkward literals and IRIs."""
    path = tmp_path_factory.mktemp("awkward") / "kg-data"
    graph = Graph()
    actor = EX["actor/ünïcode-%20-(x)"]
    graph.add((actor, RDF.type, KG.ArmedGroup))
    for i, text in enumerate(AWKWARD_TEXTS):
        evidence = EX[f"evidence-{i}"]
        graph.add((evidence, KG.quote, Literal(text)))
        graph.add((evidence, KG.startOffset, Literal(i, datatype=namespace.XSD.integer)))
        graph.add((actor, RDFS.label, Literal(text, lang="en-GB")))
        graph.add((actor, RDFS.comment, Literal(text, lang="ar")))
    graph.add((actor, KG.start, Literal("2020-05", datatype=namespace.XSD.gYearMonth)))
    graph.add((EX.extraction, KG.extractorVersion, Literal("1.50", datatype=namespace.XSD.decimal)))
    graph.add((EX.extraction, RDFS.comment,
               Literal("2026-01-01T00:00:00Z", datatype=namespace.XSD.dateTime)))
    store = KGStore(path)
    store.replace_document(DOC["a?b=c&d=é;x#frag"], graph)
    store.replace_document(DOC["2"], graph)
    store.flush()
    del store
    return path


@pytest.fixture(scope="module", params=["examples", "awkward"])
def store_path(request: pytest.FixtureRequest) -> Path:
    path: Path = request.getfixturevalue(f"{request.param}_store")
    return path


@pytest.fixture(scope="module")
def store_quads(store_path: Path) -> set[Quad]:
    store = KGStore(store_path, read_only=True)
    quads = _ox_quads(store.quads())
    assert len(quads) == len(store) > 0
    del store
    return quads


@pytest.fixture(scope="module")
def exported(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every format exported once per store, as a user does."""
    out_dir = tmp_path_factory.mktemp("export")
    paths = {}
    for fmt in FORMATS:
        path = out_dir / f"kg.{fmt}"
        result = run_kg("export", "--format", fmt, "--out", str(path), "--store", str(store_path))
        assert result.returncode == 0, result.stderr
        assert f"wrote {path}" in result.stderr
        assert not path.with_name(path.name + ".partial").exists()
        paths[fmt] = path
    return paths


@pytest.fixture
def lexical_forms_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """rdflib parses literals without normalising their lexical forms."""
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)


# -- tests ---------------------------------------------------------------------------


@pytest.mark.usefixtures("lexical_forms_as_written")
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_reparses_with_rdflib(
    fmt: str, exported: dict[str, Path], store_quads: set[Quad]
) -> None:
    path = exported[fmt]
    if fmt in QUAD_FORMATS:
        dataset = Dataset()
        dataset.parse(path, format=RDFLIB_FORMAT[fmt])
        got = {
            (_rdflib_term(s), _rdflib_term(p), _rdflib_term(o),
             None if g is None or g == DATASET_DEFAULT_GRAPH_ID else _rdflib_term(g))
            for s, p, o, g in dataset.quads()
        }
        expected = store_quads
        # The named graphs are kept: one per document, and the ontology's.
        assert len({q[3] for q in got}) >= 2
    else:
        graph = Graph().parse(path, format=RDFLIB_FORMAT[fmt])
        got = {(_rdflib_term(s), _rdflib_term(p), _rdflib_term(o), None)
               for s, p, o in graph}
        expected = _triples(store_quads)
    _assert_same(got, expected, f"rdflib reading {path.name}")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_reparses_with_second_parser(
    fmt: str, exported: dict[str, Path], store_quads: set[Quad]
) -> None:
    path = exported[fmt]
    expected = store_quads if fmt in QUAD_FORMATS else _triples(store_quads)
    if fmt == "jsonld":
        # No independent JSON-LD parser is available (see the module docstring).
        got = _ox_quads(ox.parse(path=str(path), format=ox.RdfFormat.JSON_LD))
        _assert_same(got, expected, f"pyoxigraph reading {path.name}")
        return
    assert RAPPER, "rapper is missing: install Debian's raptor2-utils (`make test` does)"
    output = "nquads" if fmt in QUAD_FORMATS else "ntriples"
    result = subprocess.run(
        [RAPPER, "--quiet", "-i", RAPPER_FORMAT[fmt], "-o", output, str(path)],
        capture_output=True, check=False, timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert not result.stderr.strip(), result.stderr.decode("utf-8", "replace")
    syntax = ox.RdfFormat.N_QUADS if fmt in QUAD_FORMATS else ox.RdfFormat.N_TRIPLES
    got = _ox_quads(ox.parse(result.stdout, format=syntax))
    _assert_same(got, expected, f"rapper reading {path.name}")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_to_stdout_equals_file(fmt: str, examples_store: Path, tmp_path: Path) -> None:
    path = tmp_path / f"kg.{fmt}"
    to_file = run_kg("export", "--format", fmt, "--out", str(path), "--store",
                     str(examples_store))
    to_stdout = run_kg("export", "--format", fmt, "--store", str(examples_store))
    assert to_file.returncode == 0 and to_stdout.returncode == 0, to_stdout.stderr
    assert to_file.stdout == ""
    assert to_stdout.stdout == path.read_text(encoding="utf-8")


def test_export_of_a_missing_store(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-store"
    result = run_kg("export", "--format", "nq", "--store", str(missing))
    assert result.returncode == 2
    assert str(missing) in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not missing.exists()


def test_export_to_an_unwritable_place(examples_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "kg.nq"
    result = run_kg("export", "--format", "nq", "--out", str(out), "--store",
                    str(examples_store))
    assert result.returncode == 2, result.stderr
    assert str(out) in result.stderr and "Traceback" not in result.stderr
    assert not out.parent.exists()
