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
from kg.namespace import SH
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

    conforms, report_graph, text = validate(
        data,
        shacl_graph=shapes if shapes is not None else _shapes(),
        ont_graph=_ontology(),
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
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
