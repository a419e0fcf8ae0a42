"""Answering one reconciliation query: which kg actors a spreadsheet's name may be.

The name is compared with every label and alias of each candidate by
`kg.reconcile.variants.name_similarity` (transliteration-aware: "Kataib Hezbollah" and
"Kata'ib Hizballah" are one name), and each property condition by its own test; the
score is their mean on a 0-100 scale, the `features` give each part. `match` is true only
when the service is certain, because OpenRefine then links the cell without asking:
the candidate is the only one with the same Wikidata item as the query asks for, or the
only one whose name is the query's up to spelling, through a name that does not stand
for many (not an acronym; for a person, more than one word); and no condition or
required type contradicts it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kg.identity import normalize_name
from kg.namespace import KG, WD
from kg.publish.recon_ids import Ids
from kg.publish.recon_index import Actor, ActorIndex, Value, names_of
from kg.publish.recon_input import Condition, ReconQuery
from kg.publish.recon_properties import catalogue
from kg.reconcile.variants import name_similarity

_QID = re.compile(r"(?:^|[/:])(Q[1-9]\d*)$")

# A candidate whose name is less like the query than this is left out, unless a
# condition matches it: below, names share little more than an article.
MIN_NAME_SCORE = 0.25
# A condition the candidate has no value for counts half: neither for nor against.
UNKNOWN = 0.5
# The score of a candidate not of the type a query prefers (type_strict "should").
OTHER_TYPE_FACTOR = 0.8
# How many aliases a candidate's description shows.
DESCRIBED_ALIASES = 3


def qid(text: str | None) -> str | None:
    """The QID in `Q42`, `wd:Q42` or `http://www.wikidata.org/entity/Q42`."""
    match = _QID.search(text.strip()) if text else None
    return match.group(1) if match else None


@dataclass
class Scored:
    actor: Actor
    name_score: float | None = None
    best_name: str = ""
    type_ok: bool | None = None
    conditions: dict[str, float | None] = field(default_factory=dict)
    score: float = 0.0
    match: bool = False


@dataclass(frozen=True)
class Matcher:
    index: ActorIndex
    ids: Ids

    def _actor_iri(self, entity_id: str) -> str | None:
        """The actor a condition's id names: an id of a merged IRI stands for its actor,
        whose relations the index holds at the canonical IRI."""
        return self.index.actor_iri(self.ids.entity_iri(entity_id))

    def _condition_score(self, actor: Actor, condition: Condition) -> float | None:
        """How well the actor meets a condition in [0, 1]; None when it has no value."""
        values = self.index.relations.get(actor.iri, {}).get(condition.pid, set())
        if not values:
            return None
        if condition.pid == "wikidata":
            have = {qid(v.text) for v in values}
            return 1.0 if any(qid(v.id or v.text) in have for v in condition.values) else 0.0
        iris = {v.text for v in values if v.is_iri}
        names = names_of(self.index, values)
        best = 0.0
        for wanted in condition.values:
            if wanted.id is not None and self._actor_iri(wanted.id) in iris:
                return 1.0
            if wanted.text and names:
                best = max(best, *(name_similarity(wanted.text, n) for n in names))
        return best

    def _by_conditions(self, conditions: list[Condition]) -> set[str]:
        """Actors that have one of the conditions' values: the candidates of a query
        without a name."""
        found: set[str] = set()
        for condition in conditions:
            for wanted in condition.values:
                if condition.pid == "wikidata":
                    q = qid(wanted.id or wanted.text)
                    targets = [Value(str(WD) + q, True)] if q else []
                else:
                    iri = self._actor_iri(wanted.id) if wanted.id else None
                    targets = [Value(iri, True)] if iri else []
                    if wanted.text:
                        targets += [Value(t, True) for t in self.index.by_name(wanted.text)]
                        targets.append(Value(wanted.text, False))
                for target in targets:
                    found |= self.index.with_value(condition.pid, target)
        return found

    def _type_test(self, query: ReconQuery) -> list[set[str]]:
        return [self.index.narrower(self.ids.type_iri(t)) for t in query.types]

    def candidates(self, query: ReconQuery) -> list[Scored]:
        """Every candidate of a query, scored and decided, best first (not limited)."""
        conditions = [c for c in query.conditions
                      if c.pid in catalogue() and catalogue()[c.pid].condition]
        iris = set(self._by_conditions([c for c in conditions if c.pid == "wikidata"]))
        text = query.text.strip()
        if text:
            iris.update(self.index.name_candidates(text))
        else:
            iris |= self._by_conditions(conditions)
        wanted_types = self._type_test(query)
        scored: list[Scored] = []
        for iri in iris:
            actor = self.index.actors.get(iri)
            if actor is None:
                continue
            s = Scored(actor)
            if wanted_types:
                tests = [bool(actor.types & w) for w in wanted_types]
                s.type_ok = all(tests) if query.type_strict == "all" else any(tests)
                if not s.type_ok and query.type_strict != "should":
                    continue
            parts: list[float] = []
            if text:
                s.name_score, s.best_name = max(
                    ((name_similarity(text, n), n) for n in actor.names), default=(0.0, ""))
                parts.append(s.name_score)
            for condition in conditions:
                value = self._condition_score(actor, condition)
                s.conditions[condition.pid] = value
                parts.append(UNKNOWN if value is None else value)
            if text and s.name_score is not None and s.name_score < MIN_NAME_SCORE \
                    and 1.0 not in s.conditions.values():
                continue
            s.score = 100 * sum(parts) / len(parts) if parts else 0.0
            if s.type_ok is False:
                s.score *= OTHER_TYPE_FACTOR
            if s.score > 0:
                scored.append(s)
        self._decide(scored)
        scored.sort(key=lambda s: (-s.score, s.actor.name, s.actor.iri))
        return scored

    @staticmethod
    def _decide(scored: list[Scored]) -> None:
        """Mark the one certain candidate, if there is one (see the module's docstring)."""
        sound = [s for s in scored if s.type_ok is not False
                 and 0.0 not in s.conditions.values()]
        by_item = [s for s in scored if s.conditions.get("wikidata") == 1.0]
        if len(by_item) == 1 and by_item[0] in sound:
            by_item[0].match = True
            return
        by_name = [s for s in scored if s.name_score == 1.0]
        if len(by_name) == 1 and by_name[0] in sound and not by_item \
                and _distinctive(by_name[0].best_name, by_name[0].actor):
            by_name[0].match = True

    def result_json(self, s: Scored) -> dict[str, Any]:
        actor = s.actor
        features: list[dict[str, Any]] = []
        if s.name_score is not None:
            features.append({"id": "name", "value": round(s.name_score, 3)})
        if s.type_ok is not None:
            features.append({"id": "type", "value": s.type_ok})
        features += [{"id": pid, "value": value} for pid, value in s.conditions.items()
                     if value is not None]
        return {
            "id": self.ids.entity_id(actor.iri),
            "name": actor.name,
            "description": describe(self.index, actor),
            "score": round(s.score, 1),
            "match": s.match,
            "type": [{"id": self.ids.type_id(t), "name": self.index.type_label(t)}
                     for t in sorted(actor.types)],
            "features": features,
        }

    def reconcile(self, query: ReconQuery) -> list[dict[str, Any]]:
        return [self.result_json(s) for s in self.candidates(query)[:query.limit]]


def _distinctive(name: str, actor: Actor) -> bool:
    """Whether a name is specific enough to be certain of: not an acronym ("KH", "ISIS"),
    and for a person more than one word ("Hassan" names many)."""
    if " " not in name.strip() and name.isupper():
        return False
    return not (str(KG.Person) in actor.types and len(normalize_name(name).split()) < 2)


def describe(index: ActorIndex, actor: Actor) -> str:
    """A line that tells namesakes apart: the actor's types and a few other names."""
    text = ", ".join(index.type_label(t) for t in sorted(actor.types))
    others = [n for n in actor.names if n != actor.name][:DESCRIBED_ALIASES]
    return f"{text}; also {', '.join(others)}" if others else text
