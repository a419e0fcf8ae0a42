"""Designations reported in text: who listed whom, as what, when, and whether it is done,
only proposed, or revoked.

A listing is said with a cue word ("designated", "sanctions", "added ... to the list",
"revoked"; lexicon/designation-cues.tsv). The listed actors are the cue's object (its
passive subject, the "on"/"against" of a noun); the authority its subject or "by" agent,
else the authority the document last named, else the publisher when it is a known body.
Words above the cue ("introduced a bill to impose sanctions") make it a proposal; words
under it ("as a Specially Designated Global Terrorist") make it a terrorist listing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rdflib import Graph

from kg.extract import ActorMention, Context, register
from kg.extract.claims import add_claim, add_date, add_unnamed_actor, speaker_of
from kg.extract.dates import parse_anchor
from kg.extract.gazetteer import load_gazetteer
from kg.extract.reading import Reading, Span, Token
from kg.namespace import KG
from kg.notations import term
from kg.provenance import Run
from kg.resources import lexicon_entries

VERSION = "13"
_AUTHORITY_TYPES = (KG.GovernmentBody, KG.State, KG.Person, KG.Organization)
_OBJECT_EDGES = frozenset({"dobj", "nsubjpass", "oprd", "dative"})
_OBJECT_PREPS = frozenset({"on", "against", "of", "for", "to"})
_AGENT_PREPS = frozenset({"by", "through"})
# How many heads up from a listing cue its lister is looked for ("Trump issued an order
# initiating a process for the redesignation of X": five).
_CLIMB = 6


@dataclass(frozen=True)
class ListingCue:
    status: str
    pos: str
    qualified: bool


@functools.cache
def listing_cues() -> dict[str, ListingCue]:
    return {row[0]: ListingCue(row[1], row[2], row[3:] == ["qualified"])
            for row in lexicon_entries("designation-cues.tsv")}


@functools.cache
def context_words() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for word, meaning in lexicon_entries("designation-context.tsv"):
        table.setdefault(meaning, set()).add(word)
    return {meaning: frozenset(words) for meaning, words in table.items()}


def _says(tokens: list[Token], meaning: str) -> bool:
    """Whether one of `tokens` is a context word of `meaning` (long words also inside a
    compound: "terrorism-related")."""
    words = context_words()[meaning]
    return any(t.lemma_.lower() in words or t.lower_ in words
               or any(w in t.lower_ for w in words if len(w) > 4)
               for t in tokens)


def _listed(reading: Reading, cue: Token) -> list[ActorMention]:
    roots: list[Token] = []
    for child in cue.children:
        if child.dep_ in _OBJECT_EDGES:
            if child.tag_ in ("WDT", "WP") and cue.dep_ == "relcl":
                roots.append(cue.head)  # "KH, which the Department designated"
            else:
                roots.append(child)
        elif child.dep_ == "prep" and child.lower_ in _OBJECT_PREPS:
            roots.extend(child.children)
    if cue.pos_ == "NOUN" and not roots:
        # "imposed sanctions Friday on X", "a second round of sanctions ... on X": the
        # target hangs under the verb the listing noun is the object of
        verb = next((t for t in cue.ancestors if t.pos_ in ("VERB", "AUX")), None)
        if verb is not None:
            roots.extend(g for c in verb.children
                         if c.dep_ == "prep" and c.lower_ in ("on", "against")
                         for g in c.children)
    if cue.dep_ == "relcl" and not roots:
        roots.append(cue.head)
    if cue.dep_ == "acl" and cue.tag_ == "VBN":
        roots.append(cue.head)  # "Hizballah leaders designated by the US"
    listed: list[ActorMention] = []
    for root in roots:
        for actor in reading.named_by(root):
            if all(actor.iri != m.iri for m in listed):
                listed.append(actor)
    return listed


def _authority_of(reading: Reading, cue: Token) -> ActorMention | None:
    """The lister: a body that owns a listing noun ("U.S. sanctions", "Treasury's
    designation"), else the subject or "by"/"through" agent of the nearest verb above the
    cue that has one ("Congress introduced a bill to impose sanctions")."""
    token = cue
    for _ in range(_CLIMB):
        if token.pos_ not in ("VERB", "AUX"):
            for child in token.children:
                if child.dep_ in ("poss", "compound", "nmod", "amod"):
                    actor = reading.actor_of(child)
                    if actor is not None and actor.type in (KG.GovernmentBody, KG.State):
                        return actor
        subject = False
        for child in token.children:
            if child.dep_ in ("nsubj", "nsubjpass") and token.pos_ in ("VERB", "AUX"):
                subject = True
            if (child.dep_ == "nsubj" and token.pos_ in ("VERB", "AUX")) or (
                child.dep_ in ("agent", "prep") and child.lower_ in _AGENT_PREPS
            ):
                heads = [g for g in child.children if child.dep_ != "nsubj"] or [child]
                # the head of the phrase first, a possessor last: "the Treasury's OFAC"
                # is OFAC
                owned = [t for t in child.subtree if not _under_possessor(t, child)]
                for t in [*heads, *owned, *child.subtree]:
                    actor = reading.actor_of(t)
                    if actor is not None and actor.type in _AUTHORITY_TYPES:
                        return actor
        if subject or token.head.i == token.i:
            return None
        token = token.head
    return None


def _under_possessor(token: Token, top: Token) -> bool:
    for t in [token, *token.ancestors]:
        if t.i == top.i:
            return False
        if t.dep_ == "poss":
            return True
    return False


def _publisher(reading: Reading) -> ActorMention | None:
    """The body that published the document, when it is a known one: an official press
    release speaks for its publisher ("U.S. Department of State, Office of ...")."""
    name = reading.context.document.publisher or ""
    for part in re.split(r"[(),;]", name):
        for known in load_gazetteer().lookup(part.strip()):
            if known.type == KG.GovernmentBody:
                return ActorMention(0, 0, known.iri, known.type)
    return None


def _revoking_verb(noun: Token) -> bool:
    """ "lifted sanctions on X", "revoked the designation of X": the listing noun is the
    object of a verb that undoes it."""
    head = noun.head
    cue = listing_cues().get(head.lemma_.lower())
    return noun.dep_ in ("dobj", "nsubjpass") and cue is not None and cue.status == "revoked"


def _status(cue: Token, listing: ListingCue) -> str:
    if listing.status == "revoked" or (cue.pos_ == "NOUN" and _revoking_verb(cue)):
        return "revoked"
    above = [cue, *cue.ancestors]
    if _says(above, "proposed") or _says([c for t in above for c in t.children
                                         if c.dep_ == "aux"], "proposed"):
        return "proposed"
    return listing.status


def _negated(cue: Token) -> bool:
    return any(c.dep_ == "neg" for c in (*cue.children, *cue.head.children)
               if cue.pos_ == "VERB" or c.head.i == cue.i)


def _indefinite(token: Token) -> bool:
    return any(c.dep_ == "det" and c.lower_ in ("a", "an", "any") for c in token.children)


def _generic(cue: Token, cues: dict[str, ListingCue]) -> bool:
    """What a listing does in general, not one that was made: "An FTO designation
    authorizes the Secretary to impose sanctions on the organization"."""
    if cue.pos_ == "NOUN" and _indefinite(cue):
        return True
    return any(c.dep_ == "nsubj" and c.lemma_.lower() in cues and _indefinite(c)
               for t in cue.ancestors for c in t.children)


def _dated_by_release(reading: Reading, cue: Token) -> str | None:
    """A listing reported in the present perfect or present ("has designated", "are
    designated today") is dated by the document that announces it."""
    if cue.pos_ != "VERB":
        return None
    aux = [c for c in cue.children if c.dep_ in ("aux", "auxpass")]
    perfect = any(a.lemma_ == "have" and a.tag_ in ("VBZ", "VBP") for a in aux)
    present = cue.tag_ in ("VBZ", "VBP") or any(a.tag_ in ("VBZ", "VBP") for a in aux)
    if not (perfect or present):
        return None
    anchor = parse_anchor(reading.context.document.published)
    return anchor.isoformat() if anchor else None


@dataclass(frozen=True)
class Listing:
    entity: ActorMention
    authority: ActorMention
    kind: str
    status: str
    date: str | None
    cue: Token
    sentence: Span


def find_listings(reading: Reading) -> list[Listing]:
    cues = listing_cues()
    found: list[Listing] = []
    last_authority = _publisher(reading)
    publisher_known = last_authority is not None
    for sent in reading.sentences:
        for token in sent:
            listing = cues.get(token.lemma_.lower())
            if listing is None or token.pos_ not in ("VERB", "NOUN") or (
                listing.pos != "any" and listing.pos != token.pos_
            ):
                continue
            if _negated(token) or _generic(token, cues):
                continue  # "Iran hadn't sanctioned Iraq", "An FTO designation allows ..."
            clause = list(token.subtree)
            if listing.qualified and not (_says(clause, "list") or _says(clause, "terrorist")):
                continue
            authority = _authority_of(reading, token)
            if authority is None:
                authority = last_authority
            elif authority.type != KG.Person or not publisher_known:
                last_authority = authority
            if authority is None:
                continue
            terrorist = _says(clause, "terrorist") or _says(list(token.head.subtree), "terrorist")
            status = _status(token, listing)
            date = reading.date_near(token, sent) or _dated_by_release(reading, token)
            if any(_revoking_verb(c) and cues.get(c.lemma_.lower()) for c in token.children):
                continue  # the listing noun under it says what is undone, and of whom
            listed = _listed(reading, token)
            if not listed and status == "revoked" and found:
                listed = [found[-1].entity]  # "Biden revoked both designations"
            for entity in listed:
                if entity.iri != authority.iri:
                    found.append(Listing(entity, authority,
                                         "terrorist" if terrorist else "sanctions",
                                         status, date, token, sent))
    return found


@register("kg.extract.designations", version=VERSION, assigns=(KG.Designation,))
def extract_designations(context: Context, run: Run) -> Graph:
    """Listings the document reports, each citing its sentence."""
    reading: Reading = context.reading
    graph = Graph()
    for listing in find_listings(reading):
        key = (listing.entity.iri, listing.authority.iri, listing.status, listing.date)
        speaker = speaker_of(reading, listing.cue)
        if speaker is not None and speaker.iri == listing.authority.iri:
            speaker = None  # a lister announcing its own listing: the act itself, on record
        claim = add_claim(graph, run, reading, KG.Designation, key, listing.sentence, speaker)
        add_unnamed_actor(graph, context, listing.authority)
        add_unnamed_actor(graph, context, listing.entity)
        graph.set((claim, KG.designatedActor, listing.entity.iri))
        graph.set((claim, KG.authority, listing.authority.iri))
        graph.set((claim, KG.designationKind, term(listing.kind)))
        graph.set((claim, KG.status, term(listing.status)))
        date_property = {"designated": KG.listedOn, "revoked": KG.delistedOn}.get(
            listing.status, KG.start)
        add_date(graph, claim, date_property, listing.date)
    return graph
