"""Statuses across the versions of a list: what a later version no longer lists has been
delisted, on that version's date.

A list's named graph keeps every version read, with evidence tying each designation to
the versions whose records list it. Status is derived from that record alone, so reading
versions in any order, or one version twice, gives the same graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from kg.namespace import KG, RDF
from kg.notations import term
from kg.values import date_literal


@dataclass(frozen=True)
class Listing:
    """One designation as one version's record lists it."""

    designation: URIRef
    version_date: str  # ISO
    stated_delisting: Literal | None  # the record's own revocation date, if any


@dataclass(frozen=True)
class Status:
    status: URIRef
    delisted_on: Literal | None

    def triples(self, designation: URIRef) -> list[tuple[URIRef, URIRef, URIRef | Literal]]:
        found: list[tuple[URIRef, URIRef, URIRef | Literal]] = [
            (designation, KG.status, self.status)]
        if self.delisted_on is not None:
            found.append((designation, KG.delistedOn, self.delisted_on))
        return found


def derive(listings: Iterable[Listing], complete_dates: Iterable[str]) -> dict[URIRef, Status]:
    """Each designation's status: revoked on the date its last listing record states;
    else revoked on the date of the first complete version after the last one that
    lists it; else designated. Incomplete versions (entries lost to a cut or a failed
    record) list what they list but never delist."""
    dates = sorted(set(complete_dates))
    by_designation: dict[URIRef, list[Listing]] = defaultdict(list)
    for listing in listings:
        by_designation[listing.designation].append(listing)
    statuses = {}
    for designation, records in by_designation.items():
        last = max(r.version_date for r in records)
        stated = next((r.stated_delisting for r in records
                       if r.version_date == last and r.stated_delisting is not None), None)
        delisted = stated
        later = [d for d in dates if d > last]
        if delisted is None and later:
            delisted = date_literal(later[0])
        statuses[designation] = Status(
            term("revoked") if delisted is not None else term("designated"), delisted)
    return statuses


def graph_listings(graph: Graph, list_node: URIRef) -> tuple[list[Listing], set[str]]:
    """The listings of a list held in an rdflib graph (one version read alone, which
    is complete as far as it goes), and its version dates."""
    dates = {}
    for version in graph.subjects(KG.versionOf, list_node):
        when = graph.value(version, KG.versionDate)
        if isinstance(version, URIRef) and isinstance(when, Literal):
            dates[version] = str(when)
    listings = []
    for designation, evidence in graph.subject_objects(KG.evidence):
        source = graph.value(evidence, KG.inDocument)
        if (isinstance(designation, URIRef) and isinstance(source, URIRef)
                and source in dates and (designation, RDF.type, KG.Designation) in graph):
            said = graph.value(evidence, KG.statesDelisting)
            listings.append(Listing(designation, dates[source],
                                    said if isinstance(said, Literal) else None))
    return listings, set(dates.values())


def set_statuses(graph: Graph, list_node: URIRef) -> None:
    """Derive and set, in place, the statuses of a list held in an rdflib graph."""
    listings, dates = graph_listings(graph, list_node)
    for designation, status in derive(listings, dates).items():
        graph.remove((designation, KG.status, None))
        graph.remove((designation, KG.delistedOn, None))
        for triple in status.triples(designation):
            graph.add(triple)
