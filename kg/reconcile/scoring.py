"""Scoring candidates, with the features behind each score, and the decision.

A wrong link is worse than none: a candidate of an incompatible type is rejected
whatever its name; a close second candidate sends the actor to review rather than
picking one; only a strong name match with no contradiction is accepted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from kg.identity import GROUP_TYPES
from kg.namespace import KG
from kg.reconcile.candidates import ActorToLink, Candidate, own_names
from kg.reconcile.person_names import is_surname_of
from kg.reconcile.variants import name_similarity

# The score is the name match times a factor for the type and one for the context, each
# 1.0 when it fits or when the endpoint says nothing (no P31, no country): silence is
# neither for nor against, but a misfit lowers the score, and a wrong type voids it.
ACCEPT = 0.9
REVIEW = 0.6
MARGIN = 0.1  # the best must lead the second by this much to be accepted
UNKNOWN = 1.0
ALIAS_MATCH = 0.95  # an alias is a weaker name match than the label
# A person named by the surname alone: enough to link when one candidate has it, never
# when two people share it (they tie, and a tie goes to review).
SURNAME_MATCH = 0.9
# Classes that reach none of kg's actor types: at best a review, never a link.
NO_ACTOR_CLASS = 0.6
# Context that points elsewhere: a country the documents do not name, ties to other items.
COUNTRY_ELSEWHERE = 0.8
UNTIED = 0.8

ACCEPTED, REVIEWED, REJECTED = "accept", "review", "reject"


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    features: dict[str, float]
    why: str


@dataclass(frozen=True)
class Decision:
    actor: ActorToLink
    decision: str  # ACCEPTED, REVIEWED or REJECTED
    best: Scored | None
    ranked: tuple[Scored, ...]

    @property
    def linked(self) -> bool:
        return self.decision == ACCEPTED and self.best is not None


def _name(actor: ActorToLink, candidate: Candidate) -> tuple[float, str]:
    mine = own_names(actor)
    theirs = dict(candidate.names)
    if candidate.label:
        theirs[candidate.label] = "label"
    best, why = 0.0, ""
    for name, how in theirs.items():
        score = max(name_similarity(n, name) for n in mine)
        reason = f"{how} {name!r}"
        if score < SURNAME_MATCH and actor.type == KG.Person \
                and is_surname_of(actor.label, name):
            score, reason = SURNAME_MATCH, f"surname of the {how} {name!r}"
        score *= 1.0 if how == "label" else ALIAS_MATCH
        if score > best:
            best, why = score, reason
    return best, why


def _type(actor: ActorToLink, candidate: Candidate) -> tuple[float, str]:
    if not candidate.classes:
        return UNKNOWN, "no class that tells its type"
    if not candidate.types:
        # A film or a village named after a group has classes, none of them an actor's.
        return NO_ACTOR_CLASS, "none of its classes is a kind of actor"
    if actor.type in candidate.types:
        return 1.0, "class fits"
    theirs = {str(t).rsplit("#", 1)[-1] for t in candidate.types}
    if actor.type in GROUP_TYPES and candidate.types & GROUP_TYPES:
        return 0.9, f"another kind of organisation ({', '.join(sorted(theirs))})"
    return 0.0, f"its classes make it {', '.join(sorted(theirs))}"


def _context(actor: ActorToLink, candidate: Candidate, *, rival_tied: bool = False
             ) -> tuple[float, str]:
    """The states the documents name against the candidate's countries, and the actors our
    affiliations tie it to against the candidate's ties (part of, member of, parent,
    separated from, founded by). A shared tie outweighs a country. Ties that differ count
    only against a rival that has the tie (`rival_tied`): Wikidata holds few of the ties
    documents state (an alliance, a leader's post), so their absence proves little."""
    shared = actor.context_ties & candidate.ties
    if shared:
        return 1.0, "tied to " + ", ".join(sorted(str(t).rsplit("/", 1)[-1] for t in shared)) \
            + " as the documents tie it"
    factor, reasons = UNKNOWN, []
    if actor.context_states and candidate.countries:
        if actor.context_states & candidate.countries:
            reasons.append("its country is one the document names")
        else:
            factor = COUNTRY_ELSEWHERE
            reasons.append("its country is none the document names")
    if rival_tied:
        factor = min(factor, UNTIED)
        reasons.append("another candidate has a tie the documents state; it has none")
    return factor, "; ".join(reasons) or "no country or tie to compare"


def score(actor: ActorToLink, candidate: Candidate, *, rival_tied: bool = False) -> Scored:
    features, reasons = {}, []
    context = functools.partial(_context, rival_tied=rival_tied)
    for feature, measure in (("name", _name), ("type", _type), ("context", context)):
        value, why = measure(actor, candidate)
        features[feature] = round(value, 3)
        reasons.append(f"{feature} {value:.2f}: {why}")
    total = features["name"] * features["type"] * features["context"]
    return Scored(candidate, round(total, 3), features, "; ".join(reasons))


def decide(actor: ActorToLink, candidates: list[Candidate]) -> Decision:
    tied = {c.item for c in candidates if actor.context_ties & c.ties}
    ranked = tuple(sorted((score(actor, c, rival_tied=bool(tied - {c.item}))
                           for c in candidates),
                          key=lambda s: (-s.score, s.candidate.qid)))
    if not ranked or ranked[0].score < REVIEW:
        return Decision(actor, REJECTED, ranked[0] if ranked else None, ranked)
    best = ranked[0]
    second = ranked[1].score if len(ranked) > 1 else 0.0
    if best.score >= ACCEPT and best.score - second >= MARGIN:
        return Decision(actor, ACCEPTED, best, ranked)
    return Decision(actor, REVIEWED, best, ranked)
