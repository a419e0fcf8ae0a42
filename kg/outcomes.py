"""What a build did with each input: stored, skipped as unchanged, quarantined in part,
or failed, with the counts and messages the summary prints. Shared by the document and
the list pipelines, which report alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg.namespace import PROV, RDF, RDFS, SH
from kg.reconcile.same_actor import Identity
from kg.store import KGStore
from kg.validate import Split


@dataclass
class Outcome:
    """What happened to one input file."""

    path: str
    document: str | None = None
    triples: int = 0
    quarantined_triples: int = 0
    report_text: str = ""
    report_nt: str = ""
    valid_nt: str = ""
    quarantined_nt: str = ""
    content_hash: str = ""
    warnings: tuple[str, ...] = ()
    error: str | None = None
    skipped: bool = False


@dataclass
class BuildResult:
    outcomes: list[Outcome] = field(default_factory=list)
    identity: Identity | None = None  # which actor IRIs are one actor, if decided again

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]

    @property
    def quarantined(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.quarantined_triples]

    @property
    def stored(self) -> list[Outcome]:
        """Documents with output in the store (a wholly quarantined one has none)."""
        return [o for o in self.outcomes if not o.error and not o.skipped and o.triples]

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.skipped]


def outcome_of(path: str, iri: URIRef, split: Split, *, content_hash: str,
               warnings: tuple[str, ...]) -> Outcome:
    """The outcome of a validated graph, with a readable report of what failed."""
    outcome = Outcome(
        path=path,
        document=str(iri),
        triples=len(split.valid),
        quarantined_triples=len(split.quarantined),
        valid_nt=split.valid.serialize(format="nt"),
        content_hash=content_hash,
        warnings=warnings,
    )
    if len(split.quarantined):
        outcome.quarantined_nt = split.quarantined.serialize(format="nt")
        report = split.report
        outcome.report_text = f"{path}\n{iri}\n\n" + "\n".join(
            f"- {v}" for v in report.violations
        ) + "\n\n" + report.text
        report_graph = Graph()
        report_graph += report.graph
        for node in report.graph.subjects(RDF.type, SH.ValidationReport):
            report_graph.add((node, PROV.wasDerivedFrom, iri))
            report_graph.add((node, RDFS.comment, Literal(outcome.report_text)))
        outcome.report_nt = report_graph.serialize(format="nt")
    return outcome


def graph_of(nt: str) -> Graph:
    graph = Graph()
    if nt.strip():
        graph.parse(data=nt, format="nt")
    return graph


def store_quarantine(store: KGStore, iri: URIRef, outcome: Outcome) -> None:
    """Keep what failed validation, with its report; clear an older report if none did."""
    if outcome.quarantined_triples:
        store.replace_quarantine(
            iri, graph_of(outcome.quarantined_nt), graph_of(outcome.report_nt), outcome.report_text,
            Path(outcome.path).name,
        )
    else:
        store.clear_quarantine(iri, Path(outcome.path).name)
