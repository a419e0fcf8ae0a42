"""Events reported in text: attacks, military operations, visits, elections, legislation
and rallies, with their participants and roles, place and date.

An event is said with a trigger word (lexicon/event-triggers.tsv gives its type and the
roles of the actors around it). Around a verb, the subject is the doer and the object or
an "at/on/against" phrase the one done to (swapped in the passive); around a noun, the
possessor or modifier is the doer ("Houthi attacks", "the U.S. invasion") and "on/against"
the target. One sentence gives at most one event of each type: "the drone strike that
killed him" is one attack.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

from kg.extract import ActorMention, Context, register
from kg.extract.claims import (
    add_claim,
    add_date,
    add_unnamed_actor,
    speaker_named_by,
    speaker_of,
)
from kg.extract.reading import SIDE_BRANCHES, Reading, Span, Token
from kg.identity import node_iri
from kg.namespace import KG, RDF, RDFS
from kg.provenance import Run
from kg.resources import lexicon_entries

VERSION = "14"
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Those who take part are also named by a modifier ("U.S. and Coalition forces"), a
# possessor ("Al-Shabaab's gunmen", "the group's facilities") or a clause about the
# target ("a base housing American troops").
_EVENT_SIDE_BRANCHES = SIDE_BRANCHES - {"nmod", "acl", "poss"}
_DIRECTIONS = frozenset({"north", "south", "east", "west", "northeast", "northwest",
                         "southeast", "southwest", "outskirts"})
_PLACE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "across", "into", "around",
                          "off", "over"})
_TARGET_PREPS = frozenset({"at", "on", "against", "into", "to"})
_DOER_EDGES = frozenset({"poss", "compound", "amod", "nmod"})
# Verbs whose object noun is the event and whose subject is its doer ("KH launched an
# attack", "the Houthis carried out strikes").
_SUPPORT_VERBS = frozenset({"launch", "carry", "conduct", "stage", "mount", "make", "hold",
                            "lead", "win", "capture", "claim", "pass", "approve", "adopt"})


@dataclass(frozen=True)
class Trigger:
    pos: str
    type: URIRef
    doer: str
    done_to: str


@functools.cache
def triggers() -> dict[str, tuple[Trigger, ...]]:
    table: dict[str, tuple[Trigger, ...]] = {}
    for lemma, pos, event_type, doer, done_to in lexicon_entries("event-triggers.tsv"):
        table[lemma] = table.get(lemma, ()) + (Trigger(pos, KG[event_type], doer, done_to),)
    return table


@dataclass
class EventReading:
    type: URIRef
    sentence: Span
    trigger: Token
    participants: dict[URIRef, str] = field(default_factory=dict)
    actors: dict[URIRef, ActorMention] = field(default_factory=dict)
    # Who the text says holds it true, where the sentence says so itself ("was claimed by
    # X", "Washington blamed X"); otherwise read from reporting verbs.
    speaker: ActorMention | None = None
    place: str | None = None
    date: str | None = None


def _actors(reading: Reading, roots: list[Token]) -> list[ActorMention]:
    found: list[ActorMention] = []
    for root in roots:
        for actor in reading.named_by(root, _EVENT_SIDE_BRANCHES, modifiers=True):
            if all(a.iri != actor.iri for a in found):
                found.append(actor)
    return found


def _roles(reading: Reading, token: Token, trigger: Trigger) -> list[tuple[ActorMention, str]]:
    doers: list[Token] = []
    done_to: list[Token] = []
    if token.pos_ == "VERB":
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in token.children)
        for child in token.children:
            if child.dep_ == "nsubj":
                doers.append(child)
            elif child.dep_ == "nsubjpass":
                done_to.append(child)
            elif child.dep_ == "dobj":
                done_to.append(child)
            elif child.dep_ == "agent":
                doers.extend(child.children)
            elif child.dep_ == "prep" and child.lower_ in _TARGET_PREPS:
                done_to.extend(child.children)
        if passive and token.dep_ in ("acl", "relcl") and not done_to:
            done_to.append(token.head)
    else:
        for child in token.children:
            if child.dep_ in _DOER_EDGES:
                doers.append(child)
            elif child.dep_ == "prep" and child.lower_ == "by":
                doers.extend(child.children)
            elif child.dep_ == "prep" and child.lower_ in _TARGET_PREPS:
                done_to.extend(child.children)
        if token.dep_ in ("dobj", "nsubjpass") and token.head.lemma_.lower() in _SUPPORT_VERBS:
            doers.extend(c for c in token.head.children if c.dep_ == "nsubj")
        if token.dep_ == "nsubj" and token.head.pos_ == "VERB":
            # "A 2016 law made the PMF an official arm": what the event acts on
            done_to.extend(c for c in token.head.children if c.dep_ == "dobj")
    roles = [(a, trigger.doer) for a in _actors(reading, doers)]
    roles += [(a, trigger.done_to) for a in _actors(reading, done_to)
              if all(a.iri != r[0].iri for r in roles)]
    return roles


def _place(reading: Reading, token: Token) -> str | None:
    """A place named in an "in/at/near" phrase of the trigger (or of its verb): "in
    Baghdad", "on a base near Kirkuk"; a state named as a doer or target is not the
    place, a name that merely modifies another ("U.S. forces") neither."""
    scope = list(token.subtree)
    if token.pos_ == "NOUN" and token.head.pos_ == "VERB":
        scope += [t for c in token.head.children if c.dep_ == "prep" for t in c.subtree]
    for token_in_scope in sorted(scope, key=lambda t: t.i):
        ent = reading.ents_by_token.get(token_in_scope.i)
        if ent is None or token_in_scope.i != ent.root.i:
            continue
        root = ent.root
        if ent.label_ in _PLACE_LABELS and (
            (root.dep_ == "pobj" and (root.head.lower_ in _PLACE_PREPS or (
                root.head.lower_ == "of" and root.head.head.lower_ in _DIRECTIONS)))
            or (root.dep_ == "dobj" and root.head.i == token.i)  # "visited Baghdad"
        ):
            return str(ent.text)
    return None


@functools.cache
def _not_armed_modifiers() -> frozenset[str]:
    return frozenset(row[0] for row in lexicon_entries("not-event-modifiers.txt"))


def _not_armed(token: Token) -> bool:
    """ "Washington's pressure campaign": a modifier that makes the noun no armed event."""
    return token.pos_ == "NOUN" and any(
        c.dep_ in ("compound", "amod") and c.lower_ in _not_armed_modifiers()
        for c in token.children)


def _object_is_the_event(verb: Token, table: dict[str, tuple[Trigger, ...]]) -> bool:
    """ "The party captured 15 seats": the object names the event (an election), the
    verb only says how it went."""
    return verb.pos_ == "VERB" and any(
        c.dep_ == "dobj" and c.pos_ == "NOUN" and c.lemma_.lower() in table
        and all(t.type != o.type for t in table[c.lemma_.lower()]
                for o in table.get(verb.lemma_.lower(), ()))
        for c in verb.children)


def _reported_as_fact(token: Token) -> bool:
    """A past or perfect event, not a denied, hypothetical or habitual one ("It hadn't
    invaded Iraq", "When America attacks Iran", "will strike")."""
    if any(c.dep_ == "neg" for c in token.children):
        return False
    if token.pos_ != "VERB":
        # a noun's event is denied or hypothetical with the verb it is the object of:
        # "Parliament cannot propose its own legislation"
        verb = token.head if token.dep_ in ("dobj", "nsubjpass") else None
        return verb is None or verb.pos_ != "VERB" or not any(
            c.dep_ == "neg" or c.tag_ == "MD" for c in verb.children)
    verb = token
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if any(a.tag_ == "MD" for a in aux):
        return False
    if verb.tag_ in ("VBP", "VBZ", "VB") and not any(a.lemma_ == "have" for a in aux):
        return False
    return True


def _claimed_or_blamed(reading: Reading, sent: Span, attack: EventReading) -> None:
    """ "The attack ... was claimed by al-Shabaab", "X claimed responsibility": the
    claimant did it, by its own word. "Washington blamed KH", "X has been blamed for the
    attacks": X did it, by the blamer's word (no one's, when the blamer is unnamed)."""
    for token in sent:
        lemma = token.lemma_.lower()
        if token.pos_ != "VERB" or lemma not in ("claim", "blame"):
            continue
        subjects = [c for c in token.children if c.dep_ == "nsubj"]
        objects = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
        agents = [g for c in token.children if c.dep_ == "agent" for g in c.children]
        if lemma == "claim":
            passive = any(c.dep_ == "nsubjpass" for c in token.children)
            doers = agents if passive else subjects if any(
                o.lower_ == "responsibility" for o in objects) else []
            speakers = doers
        else:
            doers = [o for o in objects if o.lower_ != "responsibility"]
            speakers = agents or subjects
        perpetrators = _actors(reading, doers)
        for actor in perpetrators:
            attack.participants[actor.iri] = "perpetrator"
            attack.actors.setdefault(actor.iri, actor)
        said = [a for t in speakers if (a := speaker_named_by(reading, t)) is not None]
        if perpetrators and said:
            attack.speaker = said[0]


def find_events(reading: Reading) -> list[EventReading]:
    table = triggers()
    found: list[EventReading] = []
    for sent in reading.sentences:
        by_type: dict[URIRef, EventReading] = {}
        for token in sent:
            options = table.get(token.lemma_.lower(), ())
            trigger = next((t for t in options if t.pos in ("any", token.pos_)), None)
            if trigger is None or token.pos_ not in ("VERB", "NOUN") or not _reported_as_fact(
                token
            ) or _object_is_the_event(token, table) or _not_armed(token):
                continue
            roles = _roles(reading, token, trigger)
            place = _place(reading, token)
            event = by_type.get(trigger.type)
            if event is None:
                event = by_type[trigger.type] = EventReading(trigger.type, sent, token)
            for actor, role in roles:
                event.participants.setdefault(actor.iri, role)
                event.actors.setdefault(actor.iri, actor)
            event.place = event.place or place
            event.date = event.date or reading.date_near(token, sent)
        attack = by_type.get(KG.Attack)
        if attack is not None:
            _claimed_or_blamed(reading, sent, attack)
        # nobody and nowhere: too little to be worth a claim
        found.extend(e for e in by_type.values() if e.participants or e.place)
    return found


@register("kg.extract.events", version=VERSION,
          assigns=(KG.Event, KG.Participation, KG.Place))
def extract_events(context: Context, run: Run) -> Graph:
    """Events the document reports, each citing its sentence."""
    reading: Reading = context.reading
    graph = Graph()
    for event in find_events(reading):
        start = event.sentence.start_char
        key = (run.document, event.type, start)
        node = add_claim(graph, run, reading, event.type, key, event.sentence,
                         event.speaker or speaker_of(reading, event.trigger))
        add_date(graph, node, KG.date, event.date)
        if event.place:
            place = node_iri("place", event.place, base=run.base)
            graph.add((place, RDF.type, KG.Place))
            graph.add((place, RDFS.label, Literal(event.place, lang="en")))
            graph.add((node, KG.place, place))
        for actor, role in sorted(event.participants.items()):
            add_unnamed_actor(graph, context, event.actors[actor])
            participation = node_iri("participation", node, actor, base=run.base)
            graph.add((participation, RDF.type, KG.Participation))
            graph.add((participation, KG.participant, actor))
            graph.add((participation, KG.participantRole, Literal(role)))
            graph.add((node, KG.participation, participation))
    return graph
