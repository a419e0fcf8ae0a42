"""The reconciliation index's candidate pool: ranking common words by set operations
must choose exactly the actors that walking every holder would."""

from __future__ import annotations

import math
import random
from collections import defaultdict

import pytest

from kg.publish import recon_index
from kg.publish.recon_index import Actor, ActorIndex
from kg.reconcile.variants import variant_keys

WORDS = ["brigades", "islamic", "front", "army", "hezbollah", "nujaba", "sayyid",
         "shuhada", "imam", "ali", "badr", "jund", "ansar", "allah"]


def _walked(index: ActorIndex, text: str, pool: int) -> list[str]:
    """The pool as the obvious algorithm makes it: every holder of every word weighed."""
    exact = index.by_name(text)
    words = {w for key in variant_keys(text) for w in key.split()}
    weight: dict[str, float] = defaultdict(float)
    for word in words:
        holders = index._by_word.get(word, set())
        for iri in holders - exact:
            weight[iri] += math.log(1 + len(index.actors) / len(holders))
    ranked = sorted(weight, key=lambda iri: (-weight[iri], iri))[:pool]
    return sorted(exact) + ranked


@pytest.mark.parametrize("common", [0, 3, 40, 10_000])
def test_the_pool_is_the_one_walking_every_holder_gives(
        monkeypatch: pytest.MonkeyPatch, common: int) -> None:
    monkeypatch.setattr(recon_index, "_COMMON_WORD", common)
    rng = random.Random(7)
    actors: dict[str, Actor] = {}
    for n in range(400):
        # Skewed word frequencies, as in real names: a few words in most of them.
        words = rng.sample(WORDS[:4], rng.randint(0, 3)) + rng.sample(WORDS, rng.randint(1, 2))
        iri = f"https://example.org/id/actor-{n:03d}"
        actors[iri] = Actor(iri, labels=[" ".join(words)])
    index = ActorIndex(actors=actors, types={}, relations={})
    assert max(len(h) for h in index._by_word.values()) > 100
    queries = ["Islamic Army", "brigades front army islamic", "Nujaba Brigades",
               "Brigades", "Jund Ansar Allah Imam Ali", "unknown words", ""]
    queries += [" ".join(rng.sample(WORDS, rng.randint(1, 6))) for _ in range(60)]
    for text in queries:
        for pool in (1, 5, 60):
            assert index.name_candidates(text, pool) == _walked(index, text, pool), (text, pool)
