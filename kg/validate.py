"""SHACL validation of an extractor's output, as a typed report that never raises for
data that does not conform (only for shapes or an ontology that cannot be loaded).

The ontology is mixed into the data graph so that class targets reach subclasses
(kg:ArmedGroup is a kg:Actor) without running inference over the data.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.term import Node

from kg.errors import OntologyError
from kg.namespace import KG, RDF, SH
from kg.resources import ontology_path, shapes_path


@dataclass(frozen=True)
class Violation:
    focus: Node
    path: Node | None
    message: str
    severity: str

    def __str__(self) -> str:
        where = f" {self.path.n3()}" if self.path is not None else ""
        return f"{self.focus.n3()}{where}: {self.message}"


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    graph: Graph
    text: str
    violations: list[Violation] = field(default_factory=list)


def _load(path: Path, what: str) -> Graph:
    try:
        return Graph().parse(path, format="turtle")
    except Exception as exc:
        raise OntologyError(f"cannot load the {what} {path}: {exc}") from exc


@functools.cache
def _shapes() -> Graph:
    return _load(shapes_path(), "SHACL shapes")


@functools.cache
def _ontology() -> Graph:
    return _load(ontology_path(), "ontology")


def validate_graph(data: Graph, shapes: Graph | None = None) -> ValidationReport:
    """Validate `data` against kg's shapes (or the given ones)."""
    from pyshacl import validate

    # The ontology goes into `data` for the run and out again, exactly the triples that
    # were not there before: given an ont_graph, pyshacl copies the whole data graph,
    # which for a list of 18,000 entries costs more than a third of the validation.
    added = [t for t in _ontology() if t not in data]
    for triple in added:
        data.add(triple)
    try:
        conforms, report_graph, text = validate(
            data,
            shacl_graph=shapes if shapes is not None else _shapes(),
            inference="none",
            advanced=True,
            allow_warnings=False,
        )
    finally:
        for triple in added:
            data.remove(triple)
    violations = []
    # Only the report's own results: nested sh:detail results explain those, they are not
    # violations of their own (their focus is a value, e.g. a mistyped date literal).
    for result in report_graph.objects(None, SH.result):
        message = report_graph.value(result, SH.resultMessage)
        severity = report_graph.value(result, SH.resultSeverity)
        focus = report_graph.value(result, SH.focusNode)
        if focus is None:
            continue
        violations.append(
            Violation(
                focus=focus,
                path=report_graph.value(result, SH.resultPath),
                message=str(message) if isinstance(message, Literal) else "constraint violated",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            )
        )
    violations.sort(key=str)
    return ValidationReport(bool(conforms), report_graph, str(text), violations)


# How many rounds of moving failing nodes out before the whole document is quarantined.
_SPLIT_ROUNDS = 4


@dataclass(frozen=True)
class Split:
    """A document graph divided into what conforms and what goes to quarantine."""

    valid: Graph
    quarantined: Graph
    report: ValidationReport


def split_valid(graph: Graph) -> Split:
    """Validate `graph`; move the nodes that fail (and what only they refer to) out, so the
    rest of the document is kept. If the rest still fails after a few rounds, or the
    document node itself fails, the whole document goes to quarantine."""
    first = validate_graph(graph)
    if first.conforms:
        return Split(graph, Graph(), first)
    valid, bad = Graph(), Graph()
    valid += graph
    report = first
    for _ in range(_SPLIT_ROUNDS):
        failing = {v.focus for v in report.violations}
        if any((f, RDF.type, KG.Document) in valid for f in failing):
            break
        for node in failing:
            for triple in list(valid.triples((node, None, None))):
                valid.remove(triple)
                bad.add(triple)
                # Evidence that only the removed node cited goes with it.
                obj = triple[2]
                if (obj, RDF.type, KG.Evidence) in valid and not any(
                    s for s in valid.subjects(None, obj)
                ):
                    for t in list(valid.triples((obj, None, None))):
                        valid.remove(t)
                        bad.add(t)
        report = validate_graph(valid)
        if report.conforms:
            return Split(valid, bad, first)
    return Split(Graph(), graph, first)
