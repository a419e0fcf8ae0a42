"""Data-driven tests of shapes/kg.ttl, one self-describing Turtle file per case.

Each file in tests/cases/shapes/ holds the data to validate plus a header node,
`case:this`, in the test namespace (DASH-style, as pySHACL's `*.test.ttl`):

    case:this case:expect "invalid" ;
        rdfs:comment "an affiliation without a kind" ;
        case:violation [ case:focus ex:aff ; case:path kg:affiliationKind ] .

`case:expect` is "valid" or "invalid". Each `case:violation` names one expected
(focus node, result path) pair; `case:path` is left out for node-level SPARQL
constraints, which report no path. The header is stripped before validating, and an
invalid case passes only if the set of reported (focus, path) pairs equals the
expected set exactly, so a shape that is too loose and one that is too strict both fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from kg.namespace import KG, PREFIXES, RDF, RDFS, SH
from kg.resources import ontology_path, shapes_path
from kg.validate import validate_graph

CASES_DIR = Path(__file__).resolve().parent / "cases" / "shapes"
CASES = sorted(CASES_DIR.glob("*.ttl"))

# The header vocabulary of the case files; it exists only in tests.
CASE = Namespace("https://w3id.org/kg/test/case#")
# An open namespace for kg, to test membership and to name terms read from SPARQL text.
KG_NS = PREFIXES["kg"]

Pair = tuple[Node, Node | None]

# Cases that fail for a known reason, with the reason (none at present).
XFAIL: dict[str, str] = {}


def _params() -> list[object]:
    return [
        pytest.param(
            path,
            id=path.stem,
            marks=[pytest.mark.xfail(reason=XFAIL[path.stem], strict=True)]
            if path.stem in XFAIL
            else [],
        )
        for path in CASES
    ]


@dataclass(frozen=True)
class ShapeCase:
    """One case file, split into its header (what to expect) and its data."""

    expect: str
    comment: str
    violations: frozenset[Pair]
    data: Graph
    names: NamespaceManager


def _in_namespace(term: Node, namespace: Namespace) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(namespace))


def load_case(path: Path) -> ShapeCase:
    """Parse a case file, check its header is well formed, and strip it from the data."""
    graph = Graph().parse(path, format="turtle")
    this = CASE.this
    expect = str(graph.value(this, CASE.expect))
    assert expect in {"valid", "invalid"}, f"{path.name}: case:expect must be valid or invalid"
    comment = graph.value(this, RDFS.comment)
    assert comment is not None, f"{path.name}: the header needs an rdfs:comment"

    records = set(graph.objects(this, CASE.violation))
    header = {this, *records}
    data = Graph(namespace_manager=graph.namespace_manager)
    for triple in graph:
        if triple[0] not in header:
            data.add(triple)
    leaked = [t for t in data if any(_in_namespace(term, CASE) for term in t)]
    assert not leaked, f"{path.name}: header terms outside the header: {leaked}"

    expected: set[Pair] = set()
    for record in records:
        focus = graph.value(record, CASE.focus)
        result_path = graph.value(record, CASE.path)
        assert focus is not None, f"{path.name}: a case:violation without case:focus"
        assert (focus, None, None) in data, f"{path.name}: focus {focus} is not in the data"
        assert result_path is None or isinstance(result_path, URIRef), path.name
        expected.add((focus, result_path))
    if expect == "valid":
        assert not expected, f"{path.name}: a valid case lists violations"
    else:
        assert expected, f"{path.name}: an invalid case lists no case:violation"
    return ShapeCase(expect, str(comment), frozenset(expected), data, graph.namespace_manager)


def _show(pairs: set[Pair] | frozenset[Pair], names: NamespaceManager) -> str:
    def n3(term: Node | None) -> str:
        return "(no path)" if term is None else term.n3(names)

    return ", ".join(sorted(f"({n3(focus)}, {n3(path)})" for focus, path in pairs)) or "none"


def test_enough_cases() -> None:
    assert len(CASES) >= 25, f"only {len(CASES)} shape cases in {CASES_DIR}"
    assert set(XFAIL) <= {path.stem for path in CASES}, "an XFAIL entry names no case"


@pytest.mark.parametrize("path", _params())
def test_shape_case(path: Path) -> None:
    case = load_case(path)
    report = validate_graph(case.data)
    found = {(v.focus, v.path) for v in report.violations}
    if case.expect == "valid":
        assert report.conforms and not found, f"{case.comment}: expected to conform\n{report.text}"
        return
    assert not report.conforms, f"{case.comment}: expected violations, but the data conforms"
    missing = case.violations - found
    unexpected = found - case.violations
    assert not missing and not unexpected, (
        f"{case.comment}\n"
        f"  missing:    {_show(missing, case.names)}\n"
        f"  unexpected: {_show(unexpected, case.names)}\n"
        + "\n".join(f"  reported: {v}" for v in report.violations)
    )


def test_shapes_conform_to_shacl_shacl() -> None:
    """The shapes graph is itself well-formed SHACL (pySHACL's bundled SHACL-SHACL)."""
    from pyshacl.entrypoints import meta_validate

    conforms, _, text = meta_validate(Graph().parse(shapes_path(), format="turtle"))
    assert conforms, text


def _path_terms(graph: Graph, path: Node) -> Iterator[Node]:
    """The IRIs in a SHACL property path: a predicate, a sequence, or a path node."""
    if isinstance(path, URIRef):
        yield path
    elif (path, RDF.first, None) in graph:
        for item in Collection(graph, path):
            yield from _path_terms(graph, item)
    else:
        for _, inner in graph.predicate_objects(path):
            yield from _path_terms(graph, inner)


def _kg_terms_used_by(shapes: Graph) -> dict[URIRef, str]:
    """Each kg term the shapes rely on, with one place it is used."""
    used: dict[Node, str] = {}
    for term in shapes.objects(None, SH.targetClass):
        used.setdefault(term, "sh:targetClass")
    for term in shapes.objects(None, SH["class"]):
        used.setdefault(term, "sh:class")
    for path in shapes.objects(None, SH.path):
        for term in _path_terms(shapes, path):
            used.setdefault(term, "sh:path")
    for values in shapes.objects(None, SH["in"]):
        for term in Collection(shapes, values):
            used.setdefault(term, "sh:in")
    for query in shapes.objects(None, SH.select):
        for name in re.findall(r"\bkg:([A-Za-z_][\w-]*)", str(query)):
            used.setdefault(KG_NS[name], "sh:select")
    return {term: where for term, where in used.items() if _in_namespace(term, KG_NS)}


def test_shapes_use_only_ontology_terms() -> None:
    shapes = Graph().parse(shapes_path(), format="turtle")
    ontology = Graph().parse(ontology_path(), format="turtle")
    used = _kg_terms_used_by(shapes)
    assert KG.Actor in used and KG.affiliationKind in used  # the walk found something
    undefined = sorted(
        f"{term.n3(shapes.namespace_manager)} ({where})"
        for term, where in used.items()
        if (term, RDF.type, None) not in ontology
    )
    assert not undefined, f"used in shapes/kg.ttl but not defined in ontology/kg.ttl: {undefined}"
