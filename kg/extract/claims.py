"""What the claim extractors share: the claim node with its provenance, and who says it.

A claim is one node (named by its natural key, so that the same claim read twice is one
node) with an evidence span, the document it comes from and, where the text puts it in
someone's mouth, the speaker on its evidence. Attribution is read from grammar: a fact
under a reporting verb ("X said", "X accused") belongs to the verb's subject; one under
"according to X" to X; the writer's own statements have no speaker.
"""

from __future__ import annotations

import functools

from rdflib import Graph, Literal, URIRef

from kg.extract import ActorMention, Context
from kg.extract.gazetteer import load_gazetteer
from kg.extract.reading import Reading, Span, Token, sentence_span
from kg.identity import node_iri
from kg.namespace import KG, PROV, RDF, RDFS
from kg.provenance import Run, add_evidence
from kg.resources import lexicon_entries
from kg.values import date_literal

# Dependencies through which a reported clause hangs under a reporting verb ("said that
# ...", "..., he said"); "talked about ..." and "claimed responsibility for ..." are read
# separately.
_REPORTED = {"ccomp", "parataxis"}
_ABOUT = {"about", "of", "for"}
_SUBJECTS = {"nsubj", "nsubjpass"}


@functools.cache
def reporting_verbs() -> frozenset[str]:
    return frozenset(row[0] for row in lexicon_entries("reporting-verbs.txt"))


def speaker_of(reading: Reading, trigger: Token) -> ActorMention | None:
    """The actor the text attributes the fact at `trigger` to, or None (the writer)."""
    verbs = reporting_verbs()
    child = trigger
    for ancestor in trigger.ancestors:
        if _presupposed(child):
            return None  # "... after the U.S. attacked a base": background, not the claim
        if ancestor.lemma_.lower() in verbs and ancestor.pos_ == "VERB" and (
            child.dep_ in _REPORTED or _is_about(ancestor, child)
        ):
            speaker = _subject_actor(reading, ancestor)
            if speaker is not None:
                return speaker
        child = ancestor
    for token in trigger.sent:
        if token.lower_ == "according":
            for to in token.children:
                if to.lower_ == "to":
                    for obj in to.children:
                        actor = reading.actor_of(obj)
                        if actor is not None:
                            return actor
    return None


# Subordinators of clauses whose content a statement takes for granted.
_BACKGROUND = frozenset({"after", "before", "when", "since", "as", "while", "because",
                         "until", "once"})


def _presupposed(token: Token) -> bool:
    return token.dep_ == "advcl" and any(
        c.dep_ == "mark" and c.lower_ in _BACKGROUND for c in token.children)


def _is_about(verb: Token, child: Token) -> bool:
    """"talked about receiving ...", "claimed responsibility for the attacks"."""
    if child.dep_ == "prep" and child.lower_ in _ABOUT:
        return True
    return child.dep_ == "dobj" and any(
        c.dep_ == "prep" and c.lower_ in _ABOUT for c in child.children)


def _subject_actor(reading: Reading, verb: Token) -> ActorMention | None:
    """The speaker: the actor the subject names itself. "US officials said" has no
    speaker that is an actor (the officials are unnamed), though "US" is one."""
    for child in verb.children:
        if child.dep_ in _SUBJECTS:
            return speaker_named_by(reading, child)
    return None


def speaker_named_by(reading: Reading, head: Token) -> ActorMention | None:
    """The actor a subject phrase is, by its head or an apposition to it ("Bill Urban,
    a spokesman"), not by a modifier ("US officials")."""
    for token in (head, *(c for c in head.children if c.dep_ == "appos")):
        actor = reading.actor_of(token)
        if actor is not None:
            return actor
    return None


def add_claim(
    graph: Graph,
    run: Run,
    reading: Reading,
    claim_class: URIRef,
    key: tuple[object, ...],
    sent: Span,
    speaker: ActorMention | None,
) -> URIRef:
    """A claim node of `claim_class` named by `key`, citing the sentence it was read from."""
    # Not keyed by document: the same claim read in two documents is one node, with the
    # evidence of each in that document's graph.
    iri = node_iri(str(claim_class).rsplit("#", 1)[-1].lower(), *key, base=run.base)
    graph.add((iri, RDF.type, claim_class))
    start, end = sentence_span(sent)
    evidence = add_evidence(graph, run, reading.text, start, end,
                            speaker=speaker.iri if speaker else None)
    graph.add((iri, KG.evidence, evidence))
    graph.add((iri, PROV.wasDerivedFrom, run.document))
    return iri


def add_unnamed_actor(graph: Graph, context: Context, actor: ActorMention) -> None:
    """Describe an actor a claim needs but the text never names: a body known by an
    office title or as the publisher (mentions of zero length). Without its type and
    label the claim would point at nothing the document's graph describes."""
    if actor.start != actor.end or (actor.iri, RDF.type, None) in context.graph:
        return
    known = load_gazetteer().by_iri(actor.iri)
    if known is not None:
        graph.add((actor.iri, RDF.type, actor.type))
        graph.add((actor.iri, RDFS.label, Literal(known.label, lang="en")))


def add_date(graph: Graph, node: URIRef, prop: URIRef, value: str | None) -> None:
    literal: Literal | None = date_literal(value) if value else None
    if literal is not None:
        graph.add((node, prop, literal))
