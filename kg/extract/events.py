"""Events reported in text: attacks, military operations, visits, elections, legislation
and rallies, with their participants and roles, place and date.

An event is said with a trigger word (lexicon/event-triggers.tsv gives its type and the
roles of the actors around it). Around a verb, the subject is the doer and the object or
an "at/on/against" phrase the one done to (swapped in the passive); around a noun, the
possessor or modifier is the doer ("Houthi attacks", "the U.S. invasion") and "on/against"
the target. One sentence gives at most one event of each type: "the drone strike that
killed him" is one attack; only a second object of the verb with a date of its own is a
second one ("killed 67 people in 2013, and 148 people in 2015"). A definite event noun
without a date of its own ("The attacks came weeks after ...") is one told before: it
takes that event's date, and is dropped when it adds nobody and no place of its own.
"""

from __future__ import annotations

import functools
import re
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
from kg.extract.reading import SIDE_BRANCHES, Reading, Span, Token, part_words
from kg.identity import node_iri
from kg.namespace import KG, RDF, RDFS
from kg.provenance import Run
from kg.resources import lexicon_entries

VERSION = "15"
# How many sentences back an event told before may be ("The attacks came ...").
_REACH = 3
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
# Events that one attends: whoever acts during one is there, and "a visit to Pakistan"
# says where it was.
_PRESENCE_TYPES = frozenset({KG.Visit, KG.Rally})
_DURING_PREPS = frozenset({"during", "on", "upon", "at"})
# Prepositions that make an event noun the manner of something else, not an event: "as
# a protest to the strike".
_MANNER_PREPS = frozenset({"as"})
# Determiners of an event the text has already told ("The attacks came weeks after").
_TOLD_DETERMINERS = frozenset({"the", "this", "that", "these", "those"})
# Conjunctions of a condition: what follows is no fact.
_IF = frozenset({"if", "unless"})
# Prefixes of a modifier that names the enemy, not the doer ("the anti-ISIS fight").
_AGAINST_PREFIXES = ("anti-", "counter-")
# Modifiers that date an event by the publication ("the recent attack").
_RECENT = frozenset({"recent", "latest"})
# A few days after the date given before, whose month it most likely still is.
_DAYS_LATER = re.compile(r"(?:just |only |a few |several |some )?days (?:later|after)")
_DOER_EDGES = frozenset({"poss", "compound", "amod", "nmod"})
# Verbs whose object noun is the event and whose subject is its doer ("KH launched an
# attack", "the Houthis carried out strikes").
_SUPPORT_VERBS = frozenset({"launch", "carry", "conduct", "stage", "mount", "make", "hold",
                            "lead", "win", "capture", "claim", "pass", "approve", "adopt",
                            "wage", "join"})
# Nouns for some of an actor's people, through which the actor takes part: "elements of
# the PMF attacked", "the majority in the parliament voted", "thousands of Houthi
# supporters protested" (with the part words of
# the affiliation cues: "a wing of al-Shabaab").
_PARTITIVES = frozenset({"element", "member", "majority", "minority", "remnant", "rank",
                         "dozen", "hundred", "thousand"})


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
    # Which of the sentence's events of this type: 0, or the token of a second one told
    # with the same verb ("killed 67 people in 2013, and 148 people in 2015").
    part: int = 0


def _actors(reading: Reading, roots: list[Token]) -> list[ActorMention]:
    found: list[ActorMention] = []
    for root in roots:
        for actor in reading.named_by(root, _EVENT_SIDE_BRANCHES, modifiers=True):
            if all(a.iri != actor.iri for a in found):
                found.append(actor)
    return found


def _subjects(verb: Token) -> list[Token]:
    """A verb's subjects, or, when it has none, those of the verb that controls it ("X
    continued to wage a campaign") or that it is joined to ("X formed and fought")."""
    own = [c for c in verb.children if c.dep_ == "nsubj"]
    if own or verb.pos_ != "VERB":
        return own
    if verb.dep_ == "xcomp":
        return _subjects(verb.head)
    shared = _shared_subject(verb)
    return [shared] if shared is not None else []


def _shared_subject(verb: Token) -> Token | None:
    """ "The group receives support from Iran and has attacked Israel": a verb joined to
    another without a subject of its own shares that verb's subject."""
    while verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX") and not any(
            c.dep_ in ("nsubj", "nsubjpass", "expl") for c in verb.children):
        verb = verb.head
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            return subjects[0]
    return None


def _against(modifier: Token) -> bool:
    """ "anti-ISIS", "counter-Houthi": a modifier that names whom the event is against."""
    doc = modifier.doc
    if modifier.lower_.startswith(_AGAINST_PREFIXES):
        return True
    return modifier.i >= 2 and doc[modifier.i - 1].text == "-" and (
        doc[modifier.i - 2].lower_ in {p.rstrip("-") for p in _AGAINST_PREFIXES})


def _wholes(parts: list[Token]) -> list[Token]:
    """ "Elements of the PMF", "the majority in the parliament", "a wing of al-Shabaab":
    the actor whose people do it."""
    return [g for part in parts if part.lemma_.lower() in _PARTITIVES | part_words()
            for c in part.children if c.dep_ == "prep" and c.lower_ in ("of", "in")
            for g in c.children if g.dep_ == "pobj"]


def _roles(reading: Reading, token: Token, trigger: Trigger) -> list[tuple[ActorMention, str]]:
    doers: list[Token] = []
    done_to: list[Token] = []
    if token.pos_ == "VERB":
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in token.children)
        shared = _shared_subject(token)
        if shared is not None:
            (done_to if passive else doers).append(shared)
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
            if child.dep_ in _DOER_EDGES and _against(child):
                done_to.append(child)  # "the anti-ISIS fight"
            elif child.dep_ in _DOER_EDGES:
                doers.append(child)
            elif child.dep_ == "prep" and child.lower_ == "by":
                doers.extend(child.children)
            elif child.dep_ == "prep" and child.lower_ in _TARGET_PREPS:
                done_to.extend(child.children)
        if token.dep_ in ("dobj", "nsubjpass") and token.head.lemma_.lower() in _SUPPORT_VERBS:
            doers.extend(_subjects(token.head))
        if token.dep_ == "nsubj" and token.head.pos_ == "VERB":
            # "A 2016 law made the PMF an official arm": what the event acts on, the
            # object or the subject of a small clause ("made [the PMF an arm]")
            for c in token.head.children:
                if c.dep_ == "dobj":
                    done_to.append(c)
                elif c.dep_ in ("ccomp", "xcomp", "oprd") and c.pos_ != "VERB":
                    done_to.extend(g for g in c.children if g.dep_ == "nsubj")
        if (trigger.type in _PRESENCE_TYPES and token.dep_ == "pobj"
                and token.head.lower_ in _DURING_PREPS and token.head.head.pos_ == "VERB"):
            # "Haqqani pointed to a map during a visit to Pakistan": the one who acts
            # during a visit or a rally is there (not one who does something that is an
            # event of its own: "attacked protesters during a rally")
            verb = token.head.head
            if verb.lemma_.lower() not in triggers() and not any(
                    c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
                doers.extend(c for c in verb.children if c.dep_ == "nsubj")
    doers += _wholes(doers)
    roles = [(a, trigger.doer) for a in _actors(reading, doers)]
    roles += [(a, trigger.done_to) for a in _actors(reading, done_to)
              if all(a.iri != r[0].iri for r in roles)]
    return roles


def _place(reading: Reading, token: Token, trigger: Trigger) -> str | None:
    """A place named in an "in/at/near" phrase of the trigger (or of its verb): "in
    Baghdad", "on a base near Kirkuk", "engaged in the battle in Syria", "a visit to
    Pakistan"; a state named as a doer or target is not the place, a name that merely
    modifies another ("U.S. forces") neither, nor the event's own name ("the Battle of
    X")."""
    scope = list(token.subtree)
    if token.pos_ in ("NOUN", "PROPN") and token.dep_ != "conj":
        verb = token.head
        if token.dep_ == "pobj" and verb.dep_ == "prep":
            verb = verb.head
        if verb.pos_ == "VERB":
            scope += [t for c in verb.children if c.dep_ == "prep" for t in c.subtree]
    preps = _PLACE_PREPS | ({"to"} if trigger.type in _PRESENCE_TYPES else set())
    for token_in_scope in sorted(set(scope), key=lambda t: t.i):
        ent = reading.ents_by_token.get(token_in_scope.i)
        if (ent is None or token_in_scope.i != ent.root.i or ent.start <= token.i < ent.end
                or ent.root.lemma_.lower() in triggers()):
            continue  # "in Rocket Attack" names an event, not a place
        root = ent.root
        if ent.label_ in _PLACE_LABELS and (
            (root.dep_ == "pobj" and (root.head.lower_ in preps or (
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
    verb only says how it went. (A rally's object is what it protests: "protested the
    strikes".)"""
    return verb.pos_ == "VERB" and any(
        c.dep_ == "dobj" and c.pos_ == "NOUN" and c.lemma_.lower() in table
        and all(t.type != o.type and o.type != KG.Rally for t in table[c.lemma_.lower()]
                for o in table.get(verb.lemma_.lower(), ()))
        for c in verb.children)


def _reported_as_fact(token: Token) -> bool:
    """A past or perfect event, not a denied, hypothetical or habitual one ("It hadn't
    invaded Iraq", "When America attacks Iran", "will strike")."""
    if any(c.dep_ == "neg" for c in token.children):
        return False
    if token.pos_ != "VERB":
        # a noun's event is denied or hypothetical with the verb it is the object of:
        # "Parliament cannot propose its own legislation", "if the Houthis stopped their
        # attacks"
        verb = token.head if token.dep_ in ("dobj", "nsubjpass") else None
        return verb is None or verb.pos_ != "VERB" or not any(
            c.dep_ == "neg" or c.tag_ == "MD" or (c.dep_ == "mark" and c.lower_ in _IF)
            for c in verb.children)
    if any(c.dep_ == "mark" and c.lower_ in _IF for c in token.children):
        return False  # "if Hamas attacks Israel"
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


def _trigger_of(reading: Reading, token: Token,
                table: dict[str, tuple[Trigger, ...]]) -> Trigger | None:
    """The trigger a word is, if any: a verb or a noun of the table, or the head of an
    event's name ("the Battle of Mosul"), which is no actor's name."""
    pos = token.pos_
    if pos == "PROPN" and any(c.dep_ == "prep" and c.lower_ == "of" for c in token.children):
        if token.i in reading.by_token:
            return None
        pos = "NOUN"
    options = table.get(token.lemma_.lower(), ())
    return next((t for t in options if t.pos in ("any", pos)), None) if pos in (
        "VERB", "NOUN") else None


def _no_event(token: Token, trigger: Trigger) -> bool:
    """Uses of a trigger word that report no event: the manner of another act ("as a
    protest to the strike") or, for a rally, getting others to act ("the cleric rallied
    young men to fight")."""
    if token.dep_ == "pobj" and token.head.lower_ in _MANNER_PREPS:
        return True
    if trigger.type != KG.Rally or token.pos_ != "VERB":
        return False
    has_object = any(c.dep_ == "dobj" for c in token.children)
    return any(
        c.dep_ in ("ccomp", "xcomp", "advcl") and any(g.dep_ == "aux" and g.lower_ == "to"
                                                      for g in c.children)
        and (has_object or any(g.dep_ == "nsubj" for g in c.children))
        for c in token.children)


def _date(reading: Reading, token: Token, sent: Span) -> str | None:
    """The event's date in its sentence; for "the recent attack", the publication's
    year; for "days later", the month of the date given before."""
    date = reading.date_near(token, sent)
    if date is None:
        later = [d for d in reading.dates if sent.start_char <= d.start < sent.end_char
                 and d.value is None and _DAYS_LATER.fullmatch(d.text.lower().strip())]
        before = [d.value for d in reading.dates if later and d.start < later[0].start
                  and d.value is not None]
        if before and len(before[-1]) >= 7:
            date = before[-1][:7]
    if date is None and any(c.lower_ in _RECENT for c in token.children if c.dep_ == "amod"):
        published = reading.context.document.published
        date = published[:4] if published else None
    return date


def _told_before(reading: Reading, event: EventReading) -> bool:
    """ "The attacks came weeks after ...", "X condemned the strike": an event noun with
    a definite determiner and no date in its own phrase is one the text has already
    told."""
    token = event.trigger
    own = range(token.left_edge.idx, token.right_edge.idx + len(token.right_edge))
    return token.pos_ == "NOUN" and any(
        c.dep_ == "det" and c.lower_ in _TOLD_DETERMINERS for c in token.children
    ) and not any(d.start in own for d in reading.dates)


def _names_a_place(reading: Reading, token: Token) -> bool:
    return any((ent := reading.ents_by_token.get(t.i)) is not None
               and ent.label_ in _PLACE_LABELS for t in token.subtree)


def _gapped(reading: Reading, verb: Token, trigger: Trigger, sent: Span,
            roles: list[tuple[ActorMention, str]]) -> list[EventReading]:
    """ "They killed 67 people at the mall in 2013, and 148 people at the college in
    2015": a second object joined to the verb with a date of its own is a second event,
    by the same doers."""
    if verb.pos_ != "VERB":
        return []
    events = []
    for conj in verb.children:
        if conj.dep_ != "conj" or conj.pos_ not in ("NOUN", "PROPN", "NUM"):
            continue
        span = range(conj.left_edge.idx, conj.right_edge.idx + len(conj.right_edge))
        dates = [d.value for d in reading.dates if d.start in span and d.value]
        if not dates:
            continue
        event = EventReading(trigger.type, sent, verb, date=dates[0], part=conj.i)
        for actor, role in roles:
            if role == trigger.doer:
                event.participants[actor.iri] = role
                event.actors[actor.iri] = actor
        for actor in _actors(reading, [conj]):
            event.participants.setdefault(actor.iri, trigger.done_to)
            event.actors.setdefault(actor.iri, actor)
        event.place = _place(reading, conj, trigger)
        events.append(event)
    return events


def find_events(reading: Reading) -> list[EventReading]:
    table = triggers()
    found: list[EventReading] = []
    index = {sent.start: n for n, sent in enumerate(reading.sentences)}
    for sent in reading.sentences:
        by_type: dict[URIRef, EventReading] = {}
        gapped: list[EventReading] = []
        for token in sent:
            trigger = _trigger_of(reading, token, table)
            if trigger is None or not _reported_as_fact(token) or _object_is_the_event(
                token, table
            ) or _not_armed(token) or _no_event(token, trigger):
                continue
            roles = _roles(reading, token, trigger)
            place = _place(reading, token, trigger)
            event = by_type.get(trigger.type)
            if event is None:
                event = by_type[trigger.type] = EventReading(trigger.type, sent, token)
            for actor, role in roles:
                event.participants.setdefault(actor.iri, role)
                event.actors.setdefault(actor.iri, actor)
            event.place = event.place or place
            event.date = event.date or _date(reading, token, sent)
            gapped.extend(_gapped(reading, token, trigger, sent, roles))
        attack = by_type.get(KG.Attack)
        if attack is not None:
            _claimed_or_blamed(reading, sent, attack)
        for event in list(by_type.values()):
            if not _told_before(reading, event):
                continue
            told = [e for e in found if e.type == event.type
                    and index[sent.start] - index[e.sentence.start] <= _REACH]
            if told and not event.participants and not _names_a_place(reading, event.trigger):
                # "Officials condemned the strike": the strike told before, again, and
                # the sentence's place and date are those of the condemning ("the war in
                # Yemen" says which war it is)
                del by_type[event.type]
            elif event.date is None:
                # the date of the last event of its type told a few sentences before
                dated = [e for e in told if e.date is not None]
                event.date = dated[-1].date if dated else None
        # nobody and nowhere: too little to be worth a claim
        found.extend(e for e in [*by_type.values(), *gapped] if e.participants or e.place)
    return found


@register("kg.extract.events", version=VERSION,
          assigns=(KG.Event, KG.Participation, KG.Place))
def extract_events(context: Context, run: Run) -> Graph:
    """Events the document reports, each citing its sentence."""
    reading: Reading = context.reading
    graph = Graph()
    for event in find_events(reading):
        start = event.sentence.start_char
        key: tuple[object, ...] = (run.document, event.type, start)
        if event.part:
            key += (event.part,)
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
