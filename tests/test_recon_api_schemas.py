"""Every answer of the reconciliation service validates against the W3C Reconciliation
Service API 0.2 JSON schemas (../shared/recon-api/0.2/schemas), for many queries: the
spec's own example queries, and kg's own, hostile ones included.

The validator is first shown to reject the spec's invalid examples and to accept its
valid ones, so a pass means the answers conform, not that the validator accepts anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tests.conftest import HOSTILE_NAME, SHARED

RECON = SHARED / "recon-api" / "0.2"
SCHEMAS = RECON / "schemas"
EXAMPLES = RECON / "examples"
# The manifest's `authentication` refers to the Swagger 2.0 schema by this URI; the
# folder holds that schema as openapi.json.
SWAGGER = "http://swagger.io/v2/schema.json"


def _registry() -> Registry[Any]:
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource(contents, DRAFT7)
        resources.append((contents["$id"].rstrip("#"), resource))
    resources.append((SWAGGER, Resource(json.loads((SCHEMAS / "openapi.json").read_text(
        encoding="utf-8")), DRAFT7)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validator(name: str) -> Draft7Validator:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=REGISTRY)


def assert_valid(name: str, document: Any) -> None:
    errors = sorted(validator(name).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, f"{name}: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5])


# -- the validator itself ------------------------------------------------------------

EXAMPLE_SCHEMAS = {
    "manifest": "manifest",
    "reconciliation-query-batch": "reconciliation-query-batch",
    "reconciliation-result-batch": "reconciliation-result-batch",
    "data-extension-query": "data-extension-query",
    "data-extension-response": "data-extension-response",
    "data-extension-property-proposal": "data-extension-property-proposal",
    "suggest-entities-response": "suggest-entities-response",
    "suggest-properties-response": "suggest-properties-response",
    "suggest-types-response": "suggest-types-response",
}


def _examples(kind: str) -> list[Any]:
    return [pytest.param(schema, path, id=f"{folder}/{kind}/{path.name}")
            for folder, schema in EXAMPLE_SCHEMAS.items()
            for path in sorted((EXAMPLES / folder / kind).glob("*.json"))]


def test_examples_found() -> None:
    assert len(_examples("valid")) > 25 and len(_examples("invalid")) > 10


@pytest.mark.parametrize(("schema", "path"), _examples("valid"))
def test_validator_accepts_valid_example(schema: str, path: Path) -> None:
    assert_valid(schema, json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize(("schema", "path"), _examples("invalid"))
def test_validator_rejects_invalid_example(schema: str, path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert list(validator(schema).iter_errors(document)), path


# -- the service's answers ------------------------------------------------------------

def spec_example(folder: str, name: str) -> str:
    return (EXAMPLES / folder / "valid" / name).read_text(encoding="utf-8")


QUERY_BATCHES: list[Any] = [
    *[pytest.param(spec_example("reconciliation-query-batch", p.name), id=f"spec-{p.stem}")
      for p in sorted((EXAMPLES / "reconciliation-query-batch" / "valid").glob("*.json"))],
    pytest.param(json.dumps({
        "q0": {"query": "Kataib Hezbollah"},
        "q1": {"query": "KH", "limit": 3},
        "q2": {"query": "Hezbollah", "type": "Organization"},
        "q3": {"query": "Hizballah", "type": ["Person", "State"], "type_strict": "any"},
        "q4": {"query": "Hizballah", "type": "Person", "type_strict": "should"},
        "q5": {"query": "Hizballah", "type": ["ArmedGroup", "Organization"],
               "type_strict": "all"},
        "q6": {"query": "Sirajuddin Haqqani", "type": "kg:Person", "limit": 1},
        "q7": {"query": "al-Shabaab", "type": "https://w3id.org/kg/ontology#ArmedGroup"},
        "q8": {"query": "no such actor anywhere"},
        "q9": {"query": "", "properties": [{"pid": "wikidata", "v": "Q900001"}]},
    }), id="names-and-types"),
    pytest.param(json.dumps({
        "w0": {"query": "Kataib Hizballah",
               "properties": [{"pid": "wikidata", "v": "wd:Q900001"}]},
        "w1": {"query": "Kataib Hizballah",
               "properties": [{"pid": "wikidata", "v": {"id": "Q900002", "name": "x"}}]},
        "w2": {"properties": [{"pid": "wikidata",
                               "v": ["http://www.wikidata.org/entity/Q900003", "Q1"]}]},
        "n0": {"query": "Qasem Soleimani",
               "properties": [{"pid": "nationality", "v": {"id": "state/iran"}}]},
        "n1": {"query": "Soleimani", "properties": [{"pid": "nationality", "v": "Iran"}]},
        "n2": {"properties": [{"pid": "nationality", "v": "Iran"}]},
        "a0": {"query": "Taliban",
               "properties": [{"pid": "affiliated_with", "v": "Haqqani Network"}]},
        "a1": {"properties": [{"pid": "affiliated_with",
                               "v": {"id": "armed-group/popular-mobilization-forces"}}]},
        "d0": {"query": "Kataib Hizballah",
               "properties": [{"pid": "designated_by", "v": "Department of State"},
                              {"pid": "unknown_property", "v": [1, 2.5, True]}]},
    }), id="property-conditions"),
    pytest.param(json.dumps({
        "h0": {"query": HOSTILE_NAME},
        "h1": {"query": "x\" } ; DROP ALL ; #\n\\"},
        "h2": {"query": "Line\nbreak Brigade"},
        "h3": {"query": "كتائب حزب الله"},  # Kata'ib Hizballah in Arabic script
        "h4": {"query": "a" * 500},
        "h5": {"query": "'''\"\"\"", "type": "} #", "properties": [
            {"pid": "} #", "v": {"id": "> <"}}, {"pid": "nationality", "v": {"id": "\\u0000>"}}]},
    }), id="hostile"),
]


def _get(url: str, path: str, **params: str) -> requests.Response:
    response = requests.get(url + path, params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response


def test_manifest(recon_url: str) -> None:
    for path in ("", "/"):
        manifest = _get(recon_url, path).json()
        assert_valid("manifest", manifest)
    assert manifest["versions"] == ["0.2"]
    assert {t["id"] for t in manifest["defaultTypes"]} >= {"ArmedGroup", "Person", "State"}
    assert manifest["preview"]["url"].startswith(recon_url)


@pytest.mark.parametrize("batch", QUERY_BATCHES)
def test_reconcile_batch(recon_url: str, batch: str) -> None:
    assert_valid("reconciliation-query-batch", json.loads(batch))
    for answer in (_get(recon_url, "", queries=batch),
                   requests.post(recon_url, data={"queries": batch}, timeout=30)):
        assert answer.status_code == 200, answer.text
        results = answer.json()
        assert_valid("reconciliation-result-batch", results)
        assert set(results) == set(json.loads(batch))


@pytest.mark.parametrize("prefix", ["", "k", "kata", "Hizb", "al-", "Qasem S", HOSTILE_NAME[:9],
                                    "} #", "zzzz"])
def test_suggest(recon_url: str, prefix: str) -> None:
    for cursor in ("0", "10"):
        assert_valid("suggest-entities-response",
                     _get(recon_url, "/suggest/entity", prefix=prefix, cursor=cursor).json())
        assert_valid("suggest-types-response",
                     _get(recon_url, "/suggest/type", prefix=prefix, cursor=cursor).json())
        assert_valid("suggest-properties-response",
                     _get(recon_url, "/suggest/property", prefix=prefix, cursor=cursor).json())
    assert_valid("suggest-entities-response",
                 _get(recon_url, "/suggest/entity", prefix=prefix, type="Person").json())


EXTEND_QUERIES: list[Any] = [
    *[pytest.param(spec_example("data-extension-query", p.name), id=f"spec-{p.stem}")
      for p in sorted((EXAMPLES / "data-extension-query" / "valid").glob("*.json"))],
    pytest.param(json.dumps({"ids": ["armed-group/kataib-hizballah", "person/qasem-soleimani",
                                     "armed-group/hostile-brigade", "state/iran",
                                     "no/such/actor", "} #\"\n"],
                             "properties": [{"id": "*all*"}]}), id="every-property"),
    pytest.param(json.dumps({"ids": ["armed-group/kataib-hizballah"],
                             "properties": [{"id": "alias", "settings": {"limit": 1}},
                                            {"id": "designation", "settings": {"limit": "1"}},
                                            {"id": "part_of", "settings": {}}]}),
                 id="settings"),
]


@pytest.mark.parametrize("query", EXTEND_QUERIES)
def test_extend(recon_url: str, query: str) -> None:
    if '"*all*"' in query:
        proposal = _get(recon_url, "/extend/propose").json()
        query = query.replace('{"id": "*all*"}', ", ".join(
            json.dumps({"id": p["id"]}) for p in proposal["properties"]))
    assert_valid("data-extension-query", json.loads(query))
    for answer in (_get(recon_url, "", extend=query),
                   requests.post(recon_url, data={"extend": query}, timeout=30)):
        assert answer.status_code == 200, answer.text
        assert_valid("data-extension-response", answer.json())


@pytest.mark.parametrize("params", [{}, {"type": "ArmedGroup"}, {"type": "Person"},
                                    {"type": "Person", "limit": "3"}, {"type": "} #"}])
def test_propose(recon_url: str, params: dict[str, str]) -> None:
    answer = _get(recon_url, "/extend/propose", **params).json()
    assert_valid("data-extension-property-proposal", answer)
    assert answer["properties"]
