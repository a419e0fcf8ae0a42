"""HTML pages for people: an actor's page (labels, types, Wikidata, affiliations,
designations, events and the sources of each), a plain page for any other entity, and
the home page. Every fact shown links to its source, because the readers (analysts,
journalists) must be able to check a claim before they repeat it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef

from kg.identity import ACTOR_TYPE_SEGMENTS, EVENT_TYPES
from kg.namespace import KG, RDF, RDFS, SKOS, WD
from kg.publish.assets import query_text, templates
from kg.publish.labels import Labels
from kg.publish.merges import Merges
from kg.publish.network_svg import NetworkEdge, NetworkNode, network_svg
from kg.publish.page_parts import ROWS_SHOWN, cut
from kg.publish.site import Site
from kg.store import KGStore

ACTOR_CLASSES = frozenset(str(t) for t in ACTOR_TYPE_SEGMENTS)
_EVENT_CLASSES = frozenset(str(t) for t in EVENT_TYPES)
_SEGMENT_CLASSES = {segment: str(cls).rpartition("#")[2]
                    for cls, segment in ACTOR_TYPE_SEGMENTS.items()}
KG_NS = str(KG._NS)

# Sources shown under each claim of an actor's page, the earliest first; the claim's own
# page links every one. A claim restated by hundreds of reports made the page of a
# much-reported actor megabytes of quotes that no reader scrolls through.
SOURCES_SHOWN = 5
# Looking up one claim's sources costs about as much as reading two or three claims'
# among all of an actor's (0.13-0.28 against 0.07-0.17 ms on a million triples), and one
# event's summary as much as reading five events' among all (0.6 against 0.12 ms). A page
# whose lists are paged looks up the sources of the claims it shows one by one when it
# shows fewer than a third of the actor's claims, else all at once (actor-evidence.rq,
# claim-evidence.rq), and the events alike (actor-events.rq, actor-event-list.rq with
# event-summary.rq): one threshold, on the safe side for both.
CLAIMS_PER_SHOWN_CLAIM = 3


@dataclass(frozen=True)
class Link:
    """A term as a page shows it: its text, and where it links (None for a literal)."""

    text: str
    href: str | None = None
    iri: str | None = None
    datatype: str | None = None


@dataclass
class Claim:
    """An affiliation, designation or event with what the page shows of it."""

    iri: Link
    fields: dict[str, Any]
    sources: list[dict[str, Any]] = field(default_factory=list)  # the first few shown
    source_count: int = 0


# A claim's evidence rows as read, each with its document's title and date: made into
# what the page shows only for the claims and sources the page shows.
_Evidence = tuple[dict[str, Any], Any, str | None]


def _value(term: Any) -> str | None:
    return None if term is None else str(term.value)


class PageBuilder:
    """Renders the pages of one store under one site map."""

    def __init__(self, store: KGStore, site: Site, *, rows_shown: int = ROWS_SHOWN) -> None:
        self.store = store
        self.site = site
        self.rows_shown = rows_shown
        self.label = Labels(store)
        self._documents: dict[str, tuple[Any, str | None]] | None = None
        self._documents_lock = threading.Lock()

    def labelled(self, term: Any) -> Link:
        """A link to a node with its label looked up (kg/publish/labels.py says why apart)."""
        return self.link(term, None if not isinstance(term, ox.NamedNode)
                         else self.label(term.value))

    def actor_kind(self, iri: str) -> str:
        """The kg class of an actor, read from its IRI (kg.identity puts it there)."""
        if not self.site.is_local(iri):
            return ""
        segment = iri[len(self.site.base_uri):].split("/", 1)[0]
        return _SEGMENT_CLASSES.get(segment, "")

    def _rows(self, name: str, iri: str) -> list[dict[str, Any]]:
        return list(self.store.select(query_text(name), {"entity": URIRef(iri)}))

    def link(self, term: Any, label: Any = None) -> Link:
        if isinstance(term, ox.NamedNode):
            text = (label if isinstance(label, str) else _value(label)) or \
                self._short(term.value)
            return Link(text, self.site.href(term.value), term.value)
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value.rpartition("#")[2] if term.datatype else None
            if term.language:
                datatype = f"@{term.language}"
            return Link(term.value, None, None, datatype)
        return Link(str(term))

    def _short(self, iri: str) -> str:
        if iri.startswith(KG_NS):
            return "kg:" + iri[len(KG_NS):]
        if self.site.is_local(iri):
            return iri[len(self.site.base_uri):]
        return iri

    def render(self, template: str, **context: Any) -> bytes:
        page = templates().get_template(template).render(site=self.site, **context)
        return page.encode("utf-8")

    # -- any entity ------------------------------------------------------------------

    def entity_page(self, iri: str, *, today: dt.date, merges: Merges | None = None,
                    asked: Mapping[str, int] | None = None) -> bytes:
        """The page of `iri`; with `merges`, an actor's page gathers what is said about
        each of its IRIs (`iri` must then be the canonical one). `asked` is the page of
        each of an actor's long lists to show (kg.publish.page_parts; NoSuchPageError past
        the end of one)."""
        merges = merges or Merges()
        iris = merges.cluster(iri)
        properties = [row for i in iris for row in self._rows("resource-properties", i)]
        types = {_value(r["o"]) for r in properties if _value(r["p"]) == str(RDF.type)}
        if types & ACTOR_CLASSES:
            return self.actor_page(iri, properties, today=today, merges=merges,
                                   asked=asked or {})
        return self.render(
            "resource.html", iri=iri, title=self._title(iri, properties),
            document_path=self.site.href(iri), properties=self._properties(properties),
            links=self._links(iri))

    def _title(self, iri: str, properties: list[dict[str, Any]]) -> str:
        for row in properties:
            if _value(row["p"]) == str(RDFS.label):
                return _value(row["o"]) or iri
        kinds = [_value(r["oLabel"]) for r in properties
                 if _value(r["p"]) == str(RDF.type) and r["oLabel"] is not None]
        return f"{kinds[0]} {self._short(iri)}" if kinds else self._short(iri)

    def _properties(self, rows: Iterable[dict[str, Any]]) -> list[tuple[Link, list[Link]]]:
        grouped: dict[str, tuple[Link, list[Link]]] = {}
        for row in rows:
            prop = self.link(row["p"], row["pLabel"])
            grouped.setdefault(row["p"].value, (prop, []))[1].append(
                self.link(row["o"], row["oLabel"]))
        return list(grouped.values())

    def _links(self, iri: str) -> list[tuple[Link, list[Link]]]:
        grouped: dict[str, tuple[Link, list[Link]]] = {}
        for row in self._rows("resource-links", iri):
            prop = self.link(row["p"], row["pLabel"])
            grouped.setdefault(row["p"].value, (prop, []))[1].append(
                self.link(row["s"], row["sLabel"]))
        return list(grouped.values())

    # -- actors ----------------------------------------------------------------------

    def actor_page(self, iri: str, properties: list[dict[str, Any]], *,
                   today: dt.date, merges: Merges, asked: Mapping[str, int]) -> bytes:
        """`properties` are the rows of every IRI of the actor, the canonical one's first
        (so that its label is the title)."""
        iris = merges.cluster(iri)
        label = self._title(iri, properties)
        by_property: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in properties:
            by_property[row["p"].value].append(row)
        types = list({t.iri: t for t in (self.link(r["o"], r["oLabel"])
                                         for r in by_property[str(RDF.type)])}.values())
        # The merged IRIs' own labels are the actor's other names.
        merged_labels = {r["o"].value for r in by_property[str(RDFS.label)]
                         if r["entity"].value != iri} - {label}
        aliases = sorted({r["o"].value for r in by_property[str(SKOS.altLabel)]}
                         | merged_labels)
        wikidata = list(dict.fromkeys(r["o"].value for r in by_property[str(SKOS.exactMatch)]
                                      if r["o"].value.startswith(str(WD))))
        affiliations = self._affiliations(iris, merges)
        designations = self._designations(iris)
        in_force = [d for d in designations if self._in_force(d, today)]
        mentions = sum(int(row["mentions"].value)
                       for row in self._rows_of("actor-mentions", iris))
        events = self._events(iris, mentions)
        path = self.site.href(iri) + ".html"
        parts = {name: cut(name, claims, asked, path, self.rows_shown)
                 for name, claims in (("affiliations", affiliations),
                                      ("designations", designations), ("events", events))}
        self._complete_events(parts["events"].rows, iris)
        shown = [claim for part in parts.values() for claim in part.rows]
        # The sources of the claims shown only, when they are few of the actor's claims.
        evidence = self._evidence(iris, shown if len(shown) * CLAIMS_PER_SHOWN_CLAIM
                                  < sum(part.total for part in parts.values()) else None)
        for claim in shown:
            self._attach_sources(claim, evidence.get(claim.iri.iri or "", []))
        kind = next((t.iri.rpartition("#")[2] for t in types
                     if t.iri and t.iri in ACTOR_CLASSES), "")
        centre = NetworkNode(iri, label, kind)
        # One node per actor: an affiliation with a merged IRI is drawn to its actor, and
        # one between two IRIs of this actor is not drawn at all.
        edges = [NetworkEdge(NetworkNode(a.fields["other"].iri or "", a.fields["other"].text,
                                         a.fields["other_kind"]),
                             a.fields["kind"], a.fields["side"] == "member")
                 for a in affiliations if a.fields["other"].iri != iri]
        others = [p for p in self._properties(properties)
                  if p[0].iri not in (str(RDF.type), str(RDFS.label), str(SKOS.altLabel),
                                      str(SKOS.exactMatch))]
        return self.render(
            "actor.html", iri=iri, title=label, document_path=self.site.href(iri),
            types=types, aliases=aliases, wikidata=wikidata, parts=parts, in_force=in_force,
            network=network_svg(centre, edges, self.site.href) if edges else "",
            others=others, mentions=mentions, today=today.isoformat(),
            also=[self.link(ox.NamedNode(other), other) for other in iris[1:]])

    def _rows_of(self, name: str, iris: list[str]) -> list[dict[str, Any]]:
        """The rows of a page query for each IRI of an actor, in turn (one query per IRI
        keeps each on the fast plan it has for one bound actor)."""
        return [row for iri in iris for row in self._rows(name, iri)]

    def documents(self) -> dict[str, tuple[Any, str | None]]:
        """Each document's title (a term) and date, read once for the whole KG (see
        document-titles.rq for why); the server's warm-up reads it before the first
        visitor comes."""
        documents = self._documents
        if documents is None:
            with self._documents_lock:
                if self._documents is None:
                    self._documents = {
                        row["document"].value: (row["documentTitle"],
                                                _value(row["documentDate"]))
                        for row in self.store.select(query_text("document-titles"))}
                documents = self._documents
        return documents

    def _evidence(self, iris: list[str], claims: list[Claim] | None
                  ) -> dict[str, list[_Evidence]]:
        """The evidence of each of `claims` (of every claim about the actor if None), by
        document date (undated first), as it was read."""
        documents = self.documents()
        seen: set[tuple[Any, ...]] = set()
        rows = []
        found = self._rows_of("actor-evidence", iris) if claims is None else [
            row for claim in claims for row in self.store.select(
                query_text("claim-evidence"), {"claim": URIRef(claim.iri.iri or "")})]
        for row in found:
            key = tuple(row[name] for name in row if name != "entity")
            if key in seen:  # a claim about two IRIs of the actor
                continue
            seen.add(key)
            title, date = documents.get(_value(row["document"]) or "", (None, None))
            rows.append((row, title, date))
        rows.sort(key=lambda r: (r[0]["claim"].value, r[2] or "", r[0]["evidence"].value,
                                 *(_value(r[0][n]) or "" for n in ("quote", "recordId",
                                                                   "speaker"))))
        evidence: dict[str, list[_Evidence]] = defaultdict(list)
        for item in rows:
            evidence[item[0]["claim"].value].append(item)
        return evidence

    def _attach_sources(self, claim: Claim, evidence: list[_Evidence]) -> None:
        claim.source_count = len(evidence)
        claim.sources = [{
            "quote": _value(row["quote"]),
            "record": _value(row["recordId"]),
            "document": self.link(row["document"], title)
            if row["document"] is not None else None,
            "date": date,
            "speaker": self.labelled(row["speaker"]) if row["speaker"] is not None else None,
            "evidence": self.link(row["evidence"]),
        } for row, title, date in evidence[:SOURCES_SHOWN]]

    def _affiliations(self, iris: list[str], merges: Merges) -> list[Claim]:
        claims = []
        seen: set[tuple[str, str | None]] = set()
        for row in self._rows_of("actor-affiliations", iris):
            key = (row["affiliation"].value, _value(row["side"]))
            if key in seen:
                continue
            seen.add(key)
            other = ox.NamedNode(merges.canonical_of(row["other"].value)) \
                if isinstance(row["other"], ox.NamedNode) else row["other"]
            claims.append(Claim(self.link(row["affiliation"], None), {
                "side": _value(row["side"]),
                "kind": _value(row["kindLabel"]) or "",
                "other": self.labelled(other),
                "other_kind": self.actor_kind(_value(other) or ""),
                "role": _value(row["role"]),
                "start": _value(row["start"]),
                "end": _value(row["end"]),
            }))
        return sorted(claims, key=lambda c: (c.fields["kind"], c.fields["other"].text))

    def _designations(self, iris: list[str]) -> list[Claim]:
        claims: dict[str, Claim] = {}
        for row in self._rows_of("actor-designations", iris):
            key = row["designation"].value
            if key in claims:  # a second program or legal basis of the same listing
                for name, column in (("programs", "program"), ("bases", "legalBasis")):
                    value = _value(row[column])
                    if value and value not in claims[key].fields[name]:
                        claims[key].fields[name].append(value)
                continue
            claims[key] = Claim(self.link(row["designation"]), {
                "authority": self.labelled(row["authority"]),
                "kind": _value(row["kindLabel"]),
                "status": _value(row["status"]),
                "status_label": _value(row["statusLabel"]),
                "programs": [v for v in [_value(row["program"])] if v],
                "bases": [v for v in [_value(row["legalBasis"])] if v],
                "listed": _value(row["listedOn"]),
                "delisted": _value(row["delistedOn"]),
            })
        return sorted(claims.values(), key=lambda c: (c.fields["listed"] or "9999",
                                                      c.fields["authority"].text))

    @staticmethod
    def _in_force(claim: Claim, today: dt.date) -> bool:
        """In force: listed (not only proposed, not revoked) and not delisted by today."""
        if claim.fields["status"] != str(KG.DesignatedStatus):
            return False
        delisted = claim.fields["delisted"]
        return delisted is None or delisted > today.isoformat()

    def _event_type(self, types: list[str]) -> str:
        kinds = [t for t in types if t in _EVENT_CLASSES]
        return (self.label(kinds[0]) or kinds[0].rpartition("#")[2]) if kinds else "event"

    def _events(self, iris: list[str], mentions: int) -> list[Claim]:
        """The actor's events in date order (undated last), one row each. When there are
        many more than a page shows, only what orders them is read here, and
        `_complete_events` reads the rest for those shown (actor-event-list.rq says why).
        An actor mentioned fewer times than that takes part in few events (the text
        extractor records a participation where a document mentions the actor), so its
        events are read at once, without counting them first; were it wrong, the page
        would be as right, only slower to build."""
        most = self.rows_shown * CLAIMS_PER_SHOWN_CLAIM
        listed = [] if mentions <= most else self._rows_of("actor-event-list", iris)
        few = len(listed) <= most
        by_event: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in self._rows_of("actor-events", iris) if few else listed:
            by_event[row["event"].value].append(row)
        claims = [Claim(self.link(rows[0]["event"]), self._event_fields(rows, complete=few))
                  for rows in by_event.values()]
        return sorted(claims, key=lambda c: (c.fields["date"] or "9999", c.iri.iri or ""))

    def _complete_events(self, claims: list[Claim], iris: list[str]) -> None:
        for claim in claims:
            if not claim.fields["complete"]:
                event = URIRef(claim.iri.iri or "")
                claim.fields = self._event_fields([
                    row for iri in iris for row in self.store.select(
                        query_text("event-summary"), {"entity": URIRef(iri), "event": event})
                ], complete=True)

    def _event_fields(self, rows: list[dict[str, Any]], *, complete: bool) -> dict[str, Any]:
        """What a page shows of an event, from its rows for each IRI of the actor."""
        def first(name: str) -> str | None:
            return min((v for row in rows if (v := _value(row.get(name))) is not None),
                       default=None)

        def every(name: str, separator: str) -> list[str]:
            return sorted({part for row in rows for part in (_value(row.get(name)) or ""
                                                             ).split(separator) if part})

        roles = every("roles", "\n")
        return {"complete": complete, "type": self._event_type(every("types", " ")),
                "date": first("date") or first("start"), "end": first("end"),
                "place": first("placeLabel"), "role": ", ".join(roles) or None}
