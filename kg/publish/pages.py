"""HTML pages for people: an actor's page (labels, types, Wikidata, affiliations,
designations, events and the sources of each), a plain page for any other entity, and
the home page. Every fact shown links to its source, because the readers (analysts,
journalists) must be able to check a claim before they repeat it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from markupsafe import escape

from kg.identity import ACTOR_TYPE_SEGMENTS, EVENT_TYPES
from kg.namespace import KG, RDF, RDFS, SKOS, WD
from kg.publish.assets import query_text, templates
from kg.publish.labels import Labels
from kg.publish.merges import Merges
from kg.publish.neighbours import Neighbours, first
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
# What points to an entity that is not an actor, as its page lists it (a document cited
# by thousands of pieces of evidence): the SPARQL endpoint has the rest.
LINKS_SHOWN = 500
# Past this many events per event a page shows, an actor's events are read in two steps:
# their dates for the order, then the rest for those shown (`PageBuilder._events`). A
# much-reported actor's events are each restated in many graphs, and reading all of each
# event's triples to show a few took Harakat al-Nujaba's page (2,205 events) 511 ms on a
# million triples, against 413 ms in two steps. Three, as with the queries before; not
# measured again since.
EVENTS_PER_SHOWN_EVENT = 3


@dataclass(frozen=True)
class Link:
    """A term as a page shows it: its text, and where it links (None for a literal)."""

    text: str
    href: str | None = None
    iri: str | None = None
    datatype: str | None = None

    def __html__(self) -> str:
        """The link as a template prints it, escaped (markupsafe's protocol): a page
        prints thousands, and a template macro for each took a tenth of its build."""
        text = escape(self.text)
        return f'<a href="{escape(self.href)}">{text}</a>' if self.href else str(text)


@dataclass
class Claim:
    """An affiliation, designation or event with what the page shows of it."""

    iri: Link
    fields: dict[str, Any]
    sources: list[dict[str, Any]] = field(default_factory=list)  # the first few shown
    source_count: int = 0
    node: Any = None  # the claim's term in the store (an IRI, or a blank node)


# A claim's evidence rows as read, each with its document's title and date: made into
# what the page shows only for the claims and sources the page shows.
_Evidence = tuple[dict[str, Any], Any, str | None]
# An entity IRI with its properties (Neighbours.properties).
_Read = tuple[str, dict[str, list[Any]]]
_MEMBER, _ORGANIZATION, _DESIGNATED, _PARTICIPANT, _PARTICIPATION, _ROLE = (
    ox.NamedNode(str(KG[name])) for name in ("member", "organization", "designatedActor",
                                             "participant", "participation",
                                             "participantRole"))
_EVENT_DATES = (str(KG.date), str(KG.start))
_IN_DOCUMENT = ox.NamedNode(str(KG.inDocument))


def _value(term: Any) -> str | None:
    return None if term is None else str(term.value)


class PageBuilder:
    """Renders the pages of one store under one site map."""

    def __init__(self, store: KGStore, site: Site, *, rows_shown: int = ROWS_SHOWN) -> None:
        self.store = store
        self.site = site
        self.rows_shown = rows_shown
        self.read = Neighbours(store.db)
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
        read = [(i, self.read.properties(i)) for i in merges.cluster(iri)]
        if {o.value for _, found in read for o in found.get(str(RDF.type), ())} \
                & ACTOR_CLASSES:
            return self.actor_page(iri, read, today=today, merges=merges,
                                   asked=asked or {})
        return self.render(
            "resource.html", iri=iri, title=self._title(iri, read),
            document_path=self.site.href(iri), properties=self._properties(read),
            links=self._links(iri))

    def _title(self, iri: str, read: list[_Read]) -> str:
        for _, found in read:
            if found.get(str(RDFS.label)):
                return str(found[str(RDFS.label)][0].value)
        kinds = [label for _, found in read for kind in found.get(str(RDF.type), ())
                 if (label := self.label(kind.value)) is not None]
        return f"{kinds[0]} {self._short(iri)}" if kinds else self._short(iri)

    def _properties(self, read: list[_Read], leave_out: Iterable[str] = ()
                    ) -> list[tuple[Link, list[Link]]]:
        """Each property of the entity (of each of its IRIs in turn) with its values; not
        its mentions, which an actor's page counts: a much-reported actor has thousands."""
        left_out = {str(KG.mention), *leave_out}
        grouped: dict[str, tuple[Link, list[Link]]] = {}
        for _, found in read:
            for predicate in sorted(found):
                if predicate not in left_out:
                    grouped.setdefault(predicate, (self.labelled(ox.NamedNode(predicate)),
                                                   []))[1].extend(
                        self.labelled(value) for value in found[predicate])
        return list(grouped.values())

    def _links(self, iri: str) -> list[tuple[Link, list[Link]]]:
        grouped: dict[str, tuple[Link, list[Link]]] = {}
        for subject, predicate in self.read.pointing(iri, LINKS_SHOWN):
            grouped.setdefault(predicate.value, (self.labelled(predicate), []))[1].append(
                self.labelled(subject))
        return list(grouped.values())

    # -- actors ----------------------------------------------------------------------

    def actor_page(self, iri: str, read: list[_Read], *, today: dt.date, merges: Merges,
                   asked: Mapping[str, int]) -> bytes:
        """`read` holds the properties of every IRI of the actor, the canonical one's
        first (so that its label is the title)."""
        iris = [i for i, _ in read]
        label = self._title(iri, read)

        def values(predicate: Any) -> list[Any]:
            return [value for _, found in read for value in found.get(str(predicate), ())]

        types = list({t.iri: t for t in map(self.labelled, values(RDF.type))}.values())
        # The merged IRIs' own labels are the actor's other names.
        merged_labels = {value.value for other, found in read if other != iri
                         for value in found.get(str(RDFS.label), ())} - {label}
        aliases = sorted({v.value for v in values(SKOS.altLabel)} | merged_labels)
        wikidata = list(dict.fromkeys(v.value for v in values(SKOS.exactMatch)
                                      if v.value.startswith(str(WD))))
        claims = _Claims(self.read)
        affiliations = self._affiliations(iris, merges, claims)
        designations = self._designations(iris, claims)
        in_force = [d for d in designations if self._in_force(d, today)]
        events = self._events(iris, claims)
        path = self.site.href(iri) + ".html"
        parts = {name: cut(name, listed, asked, path, self.rows_shown)
                 for name, listed in (("affiliations", affiliations),
                                      ("designations", designations), ("events", events))}
        for event in parts["events"].rows:
            self._event_fields(event, claims)
        for part in parts.values():  # the sources of the claims shown only
            for claim in part.rows:
                self._attach_sources(claim, *self._evidence(claims.read(claim.node)))
        kind = next((t.iri.rpartition("#")[2] for t in types
                     if t.iri and t.iri in ACTOR_CLASSES), "")
        centre = NetworkNode(iri, label, kind)
        # One node per actor: an affiliation with a merged IRI is drawn to its actor, and
        # one between two IRIs of this actor is not drawn at all.
        edges = [NetworkEdge(NetworkNode(a.fields["other"].iri or "", a.fields["other"].text,
                                         a.fields["other_kind"]),
                             a.fields["kind"], a.fields["side"] == "member")
                 for a in affiliations if a.fields["other"].iri != iri]
        others = self._properties(read, (str(RDF.type), str(RDFS.label), str(SKOS.altLabel),
                                         str(SKOS.exactMatch)))
        return self.render(
            "actor.html", iri=iri, title=label, document_path=self.site.href(iri),
            types=types, aliases=aliases, wikidata=wikidata, parts=parts, in_force=in_force,
            network=network_svg(centre, edges, self.site.href) if edges else "",
            others=others, mentions=len(values(KG.mention)), today=today.isoformat(),
            also=[self.link(ox.NamedNode(other), other) for other in iris[1:]])

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

    def _evidence(self, claim: dict[str, list[Any]]) -> tuple[list[_Evidence], int]:
        """The first SOURCES_SHOWN sources of a claim (its properties) by document date
        (undated first), and how many it has: one per piece of evidence with a document
        (the shapes give each piece one document, and at most one quote, record id and
        speaker). Of a claim with more, only each piece's document is read for the order
        (a claim restated by 40 reports: 40 reads of 6 triples each), and the rest for
        the few shown."""
        documents = self.documents()

        def date(document: Any) -> str:
            return documents.get(document.value, (None, None))[1] or ""

        pieces = claim.get(str(KG.evidence), [])
        total = None
        if len(pieces) > SOURCES_SHOWN:
            dated = sorted((date(document), piece.value, piece) for piece in pieces
                           if (document := first(self.read.objects(piece, _IN_DOCUMENT))))
            total, pieces = len(dated), [piece for *_, piece in dated[:SOURCES_SHOWN]]
        rows = []
        for piece in pieces:
            found = self.read.properties(piece)
            document = first(found.get(str(KG.inDocument), ()))
            if document is None:
                continue
            title, when = documents.get(document.value, (None, None))
            rows.append(({"evidence": piece, "document": document,
                           "quote": first(found.get(str(KG.quote), ())),
                           "recordId": first(found.get(str(KG.recordId), ())),
                           "speaker": first(found.get(str(KG.attributedTo), ()))},
                          title, when))
        rows.sort(key=lambda r: (r[2] or "", r[0]["evidence"].value))
        return rows[:SOURCES_SHOWN], len(rows) if total is None else total

    def _attach_sources(self, claim: Claim, evidence: list[_Evidence],
                        total: int | None = None) -> None:
        """`evidence`: the claim's first sources (the first SOURCES_SHOWN are shown), of
        `total` (all of them if None)."""
        claim.source_count = len(evidence) if total is None else total
        claim.sources = [{
            "quote": _value(row["quote"]),
            "record": _value(row["recordId"]),
            "document": self.link(row["document"], title)
            if row["document"] is not None else None,
            "date": date,
            "speaker": self.labelled(row["speaker"]) if row["speaker"] is not None else None,
            "evidence": self.link(row["evidence"]),
        } for row, title, date in evidence[:SOURCES_SHOWN]]

    def _first_label(self, terms: Iterable[Any]) -> str | None:
        return min((label for term in terms if isinstance(term, ox.NamedNode)
                    and (label := self.label(term.value)) is not None), default=None)

    def _affiliations(self, iris: list[str], merges: Merges, claims: _Claims
                      ) -> list[Claim]:
        """Each affiliation with the actor as member or as organization, once per side,
        with every role the sources give; where they disagree on a date, the first."""
        listed = []
        seen: set[tuple[str, str]] = set()
        for iri in iris:
            for side, own, across in (("member", _MEMBER, str(KG.organization)),
                                      ("organization", _ORGANIZATION, str(KG.member))):
                for affiliation in self.read.subjects(own, iri):
                    found = claims.read(affiliation)
                    if (affiliation.value, side) in seen or not found.get(across) \
                            or not found.get(str(KG.affiliationKind)):
                        continue
                    seen.add((affiliation.value, side))
                    other = found[across][0]
                    if isinstance(other, ox.NamedNode):
                        other = ox.NamedNode(merges.canonical_of(other.value))
                    listed.append(Claim(self.link(affiliation), node=affiliation, fields={
                        "side": side,
                        "kind": self._first_label(found[str(KG.affiliationKind)]) or "",
                        "other": self.labelled(other),
                        "other_kind": self.actor_kind(_value(other) or ""),
                        "role": ", ".join(v.value for v in found.get(str(KG.role), ()))
                                or None,
                        **{name: _value(first(found.get(str(KG[name]), ())))
                           for name in ("start", "end")},
                    }))
        return sorted(listed, key=lambda c: (c.fields["kind"], c.fields["other"].text,
                                             c.fields["other"].iri or "", c.iri.iri or "",
                                             c.fields["side"]))

    def _designations(self, iris: list[str], claims: _Claims) -> list[Claim]:
        listed: dict[str, Claim] = {}
        for iri in iris:
            for designation in self.read.subjects(_DESIGNATED, iri):
                found = claims.read(designation)
                authority, status = (first(found.get(str(KG[name]), ()))
                                     for name in ("authority", "status"))
                if designation.value in listed or authority is None or status is None:
                    continue
                listed[designation.value] = Claim(self.link(designation), node=designation, fields={
                    "authority": self.labelled(authority),
                    "kind": self._first_label(found.get(str(KG.designationKind), ())),
                    "status": status.value,
                    "status_label": self._first_label([status]),
                    "programs": [v.value for v in found.get(str(KG.program), ())],
                    "bases": [v.value for v in found.get(str(KG.legalBasis), ())],
                    "listed": _value(first(found.get(str(KG.listedOn), ()))),
                    "delisted": _value(first(found.get(str(KG.delistedOn), ()))),
                })
        return sorted(listed.values(), key=lambda c: (
            c.fields["listed"] or "9999", c.fields["authority"].text,
            c.fields["programs"][:1], c.iri.iri or ""))

    @staticmethod
    def _in_force(claim: Claim, today: dt.date) -> bool:
        """In force: listed (not only proposed, not revoked) and not delisted by today."""
        if claim.fields["status"] != str(KG.DesignatedStatus):
            return False
        delisted = claim.fields["delisted"]
        return delisted is None or delisted > today.isoformat()

    def _event_type(self, types: Iterable[Any]) -> str:
        kinds = sorted(t.value for t in types if t.value in _EVENT_CLASSES)
        return (self.label(kinds[0]) or kinds[0].rpartition("#")[2]) if kinds else "event"

    def _events(self, iris: list[str], claims: _Claims) -> list[Claim]:
        """The actor's events in date order (undated last), each with the actor's roles in
        it. Only their dates are read here when there are many more than a page shows
        (a much-reported actor takes part in thousands, each restated in many graphs);
        `_event_fields` reads the rest of those shown."""
        roles: dict[Any, set[str]] = {}
        for iri in iris:
            for participation in self.read.subjects(_PARTICIPANT, iri):
                said = {v.value for v in self.read.objects(participation, _ROLE)}
                for event in self.read.subjects(_PARTICIPATION, participation):
                    roles.setdefault(event, set()).update(said)
        many = len(roles) > self.rows_shown * EVENTS_PER_SHOWN_EVENT

        def date(event: Any) -> str | None:
            found = {p: self.read.objects(event, ox.NamedNode(p)) for p in _EVENT_DATES} \
                if many else claims.read(event)
            return _value(first(found.get(str(KG.date), ()))
                          or first(found.get(str(KG.start), ())))

        listed = [Claim(self.link(event), {"date": date(event), "roles": said}, node=event)
                  for event, said in roles.items()]
        return sorted(listed, key=lambda c: (c.fields["date"] or "9999", c.iri.iri or ""))

    def _event_fields(self, event: Claim, claims: _Claims) -> None:
        """What a page shows of an event: where the sources disagree (two places), the
        first in order."""
        found = claims.read(event.node)
        event.fields.update({
            "type": self._event_type(found.get(str(RDF.type), ())),
            "end": _value(first(found.get(str(KG.end), ()))),
            "place": self._first_label(found.get(str(KG.place), ())),
            "role": ", ".join(sorted(event.fields["roles"])) or None})


class _Claims:
    """The properties of the claims one page reads, each read once: an event's for its
    row, and again for its sources if it is shown."""

    def __init__(self, read: Neighbours) -> None:
        self._read = read
        self._found: dict[Any, dict[str, list[Any]]] = {}

    def read(self, claim: Any) -> dict[str, list[Any]]:
        if claim not in self._found:
            self._found[claim] = self._read.properties(claim)
        return self._found[claim]
