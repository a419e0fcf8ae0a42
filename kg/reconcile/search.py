"""Finding items by a word of their name, for the actors that no exact spelling finds.

Label lookups only find a name Wikidata holds letter for letter. A person named by the
surname alone ("Trump"), a misspelt company ("Exxon Mobile") or a singular where Wikidata
has the plural need a looser search. Wikidata's query service has no text index that
standard SPARQL can use, but Wikidata has a search API, so there kg asks the API; any
other endpoint (a local mirror, QLever) gets a standard SPARQL scan of labels for the
word. Both answer the same question, so scoring does not care which one ran.
"""

from __future__ import annotations

import functools
import os
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from rdflib import Literal, URIRef

from kg.namespace import KG, WD
from kg.reconcile.candidates import LANGUAGES, ActorToLink, Found, Search, Select, batches
from kg.reconcile.client import DEFAULT_ENDPOINT, SparqlClient, Term
from kg.reconcile.items import QID, is_item
from kg.reconcile.sparql import render
from kg.reconcile.variants import name_words
from kg.resources import lexicon_entries

WIKIDATA_SEARCH_API = "https://www.wikidata.org/w/api.php"
SEARCH_API_ENV = "KG_WIKIDATA_SEARCH_API"
API_RESULTS = 10  # per name: enough to see that a surname is shared
WORDS_PER_ACTOR = 2
WORDS_PER_REQUEST = 40
MAX_ITEMS_PER_WORD = 100  # a word in more labels than this is too common to search by
MIN_WORD = 4  # shorter words match too many labels to be worth a scan


@functools.cache
def _generic_words() -> frozenset[str]:
    """Words that alone name nobody ("army", "al"): never searched for."""
    words = {row[0].lower() for row in lexicon_entries("actor-keywords.tsv") if row[2:] != ["name"]}
    words |= {row[0].lower() for row in lexicon_entries("name-particles.txt")}
    return frozenset(words)


def search_words(actor: ActorToLink) -> list[str]:
    """The words to look for: a person's only name as it stands, else the longest words of
    the label that are not generic, at most `WORDS_PER_ACTOR`."""
    words = [w for w in dict.fromkeys(name_words(actor.label))
             if len(w) >= MIN_WORD and w not in _generic_words()]
    if actor.type == KG.Person and len(name_words(actor.label)) == 1:
        return words[:1]
    return sorted(words, key=lambda w: (-len(w), w))[:WORDS_PER_ACTOR]


def sparql_word_search(select: Select) -> Search:
    """A search by a standard SPARQL scan of labels and aliases (`word-search.rq`)."""

    def search(actors: Sequence[ActorToLink]) -> Found:
        by_word: dict[str, list[URIRef]] = defaultdict(list)
        for actor in actors:
            for word in search_words(actor):
                by_word[word].append(actor.iri)
        hits: dict[str, dict[tuple[URIRef, str, str], None]] = defaultdict(dict)
        for batch in batches(sorted(by_word), WORDS_PER_REQUEST):
            for row in select(render("word-search", ["word"], [[Literal(w)] for w in batch])):
                hit, cell = _hit(row), row.get("word")
                if hit is not None and cell is not None:
                    hits[cell.value][hit] = None
        found: Found = defaultdict(list)
        for word, items in hits.items():
            if len({item for item, _, _ in items}) > MAX_ITEMS_PER_WORD:
                continue  # a common word ("bank", "martyrs"): it tells nothing
            for iri in by_word[word]:
                found[iri].extend(items)
        return dict(found)

    return search


def _hit(row: Mapping[str, Term]) -> tuple[URIRef, str, str] | None:
    cells = [row.get(v) for v in ("item", "name", "how")]
    if any(c is None for c in cells):
        return None
    item, name, how = (c.value for c in cells if c is not None)
    if not is_item(item) or how not in ("label", "alias"):
        return None
    return URIRef(item), name, how


def api_search(fetch_json: Callable[[str], Any], api_url: str = WIKIDATA_SEARCH_API
               ) -> Search:
    """A search through Wikidata's `wbsearchentities` API: one request per actor label."""

    def search(actors: Sequence[ActorToLink]) -> Found:
        found: Found = {}
        for actor in actors:
            query = urllib.parse.urlencode({
                "action": "wbsearchentities", "search": actor.label, "language": LANGUAGES[0],
                "type": "item", "limit": API_RESULTS, "format": "json"})
            hits = list(_api_hits(fetch_json(f"{api_url}?{query}")))
            if hits:
                found[actor.iri] = hits
        return found

    return search


def _api_hits(answer: Any) -> Iterable[tuple[URIRef, str, str]]:
    """The items of a `wbsearchentities` answer; anything malformed is passed over."""
    results = answer.get("search") if isinstance(answer, dict) else None
    for result in results if isinstance(results, list) else ():
        if not isinstance(result, dict) or not QID.match(str(result.get("id", ""))):
            continue
        item = WD[str(result["id"])]
        label = result.get("label")
        if isinstance(label, str) and label.strip():
            yield item, label, "label"
        match = result.get("match")
        if isinstance(match, dict) and match.get("type") == "alias" \
                and isinstance(match.get("text"), str):
            yield item, match["text"], "alias"


def search_for(client: SparqlClient) -> Search:
    """Wikidata's search API when the endpoint is Wikidata's query service (or when
    $KG_WIKIDATA_SEARCH_API names an API), else the SPARQL scan on the endpoint itself."""
    api = os.environ.get(SEARCH_API_ENV)
    if api or client.endpoint == DEFAULT_ENDPOINT:
        return api_search(client.fetch_json, api or WIKIDATA_SEARCH_API)
    return sparql_word_search(client.select)
