"""What the reconciliation service answers, over the examples store plus
recon_extra_graph() (Wikidata links, a nationality, a hostile name): matching across
transliterations, types, property conditions, `match` only when certain, suggest,
preview, data extension, and clear 4xx answers to bad requests."""

from __future__ import annotations

import io
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from rdflib import Graph, Literal, URIRef

from kg.namespace import DEFAULT_BASE, KG, RDF, RDFS
from kg.publish.reconcile_api import make_app
from kg.store import KGStore
from tests.conftest import HOSTILE_NAME

KH = "armed-group/kataib-hizballah"


def reconcile(url: str, **queries: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    response = requests.post(url, data={"queries": json.dumps(queries)}, timeout=30)
    assert response.status_code == 200, response.text
    return {key: value["result"] for key, value in response.json().items()}


def one(url: str, **query: Any) -> list[dict[str, Any]]:
    return reconcile(url, q=query)["q"]


def features(result: dict[str, Any]) -> dict[str, Any]:
    return {f["id"]: f["value"] for f in result["features"]}


def test_transliteration_matches_with_certainty(recon_url: str) -> None:
    results = one(recon_url, query="Kataib Hezbollah")
    assert results[0]["id"] == KH and results[0]["match"] is True
    assert results[0]["score"] == 100 and features(results[0])["name"] == 1.0
    assert [r["match"] for r in results[1:]] == [False] * (len(results) - 1)
    assert results[0]["type"] == [{"id": "ArmedGroup", "name": "armed group"}]


def test_an_acronym_or_a_single_given_name_is_never_certain(recon_url: str) -> None:
    results = one(recon_url, query="KH")
    assert results[0]["id"] == KH and results[0]["score"] == 100
    assert results[0]["match"] is False
    sirajuddin = one(recon_url, query="Sirajuddin")  # an alias of Sirajuddin Haqqani
    assert sirajuddin[0]["id"] == "person/sirajuddin-haqqani"
    assert sirajuddin[0]["match"] is False


def test_partial_names_score_lower_and_limit_holds(recon_url: str) -> None:
    results = one(recon_url, query="Haqqani", limit=2)
    assert len(results) == 2
    assert all(0 < r["score"] < 100 and not r["match"] for r in results)
    assert one(recon_url, query="no such actor anywhere") == []


def test_types_filter_with_their_subclasses(recon_url: str) -> None:
    assert one(recon_url, query="Hizballah", type="Person") == []
    organization = one(recon_url, query="Hizballah", type="Organization")
    assert organization[0]["id"] == "armed-group/hizballah" and organization[0]["match"]
    both = one(recon_url, query="Hizballah", type=["ArmedGroup", "Person"], type_strict="all")
    assert both == []


def test_a_preferred_type_lowers_the_others_without_hiding_them(recon_url: str) -> None:
    results = one(recon_url, query="Hizballah", type="Person", type_strict="should")
    assert results[0]["id"] == "armed-group/hizballah"
    assert results[0]["score"] == 80 and results[0]["match"] is False
    assert features(results[0])["type"] is False


def test_wikidata_condition_decides(recon_url: str) -> None:
    same = one(recon_url, query="Kataib Hizballah",
               properties=[{"pid": "wikidata", "v": "wd:Q900001"}])
    assert same[0]["id"] == KH and same[0]["match"] and features(same[0])["wikidata"] == 1.0
    other = one(recon_url, query="Kataib Hizballah",
                properties=[{"pid": "wikidata", "v": {"id": "Q900002"}}])
    by_id = {r["id"]: r for r in other}
    assert not by_id[KH]["match"] and by_id[KH]["score"] == 50
    assert by_id["armed-group/hizballah"]["match"]  # the only one with that item
    only_item = one(recon_url, properties=[
        {"pid": "wikidata", "v": "http://www.wikidata.org/entity/Q900003"}])
    assert [(r["id"], r["match"]) for r in only_item] == [("person/qasem-soleimani", True)]


def test_nationality_affiliation_and_designation_conditions(recon_url: str) -> None:
    for value in ({"id": "state/iran"}, "Iran", {"id": "state/iran", "name": "Iran"}):
        results = one(recon_url, query="Soleimani",
                      properties=[{"pid": "nationality", "v": value}])
        assert results[0]["id"] == "person/qasem-soleimani"
        assert features(results[0])["nationality"] == 1.0
    assert [r["id"] for r in one(recon_url, properties=[
        {"pid": "nationality", "v": "Iran"}])] == ["person/qasem-soleimani"]
    taliban = one(recon_url, query="Taliban",
                  properties=[{"pid": "affiliated_with", "v": "Haqqani Network"}])
    assert taliban[0]["id"] == "armed-group/taliban"
    assert features(taliban[0])["affiliated_with"] == 1.0
    units = one(recon_url, properties=[
        {"pid": "affiliated_with", "v": {"id": "armed-group/popular-mobilization-forces"}}])
    assert KH in {r["id"] for r in units}
    listed = one(recon_url, query="Kataib Hizballah",
                 properties=[{"pid": "designated_by", "v": "Department of State"}])
    assert listed[0]["id"] == KH and 0 < features(listed[0])["designated_by"] < 1


def test_a_contradicted_condition_prevents_a_match(recon_url: str) -> None:
    results = one(recon_url, query="Qasem Soleimani",
                  properties=[{"pid": "nationality", "v": "Afghanistan"}])
    assert results[0]["id"] == "person/qasem-soleimani" and not results[0]["match"]


def test_hostile_names_are_plain_text(recon_url: str) -> None:
    results = one(recon_url, query=HOSTILE_NAME)
    assert results[0]["id"] == "armed-group/hostile-brigade"
    assert results[0]["name"] == HOSTILE_NAME and results[0]["match"]
    assert one(recon_url, query="Line\nbreak Brigade")[0]["id"] == "armed-group/hostile-brigade"
    for text in ('x" } ; DROP ALL ; #', "\\", "}", "#", "\x00", "\U0001F600" * 50):
        assert isinstance(one(recon_url, query=text), list)
    preview = requests.get(recon_url + "/preview", params={"id": "armed-group/hostile-brigade"},
                           timeout=30)
    assert preview.status_code == 200 and preview.headers["Content-Type"].startswith("text/html")
    assert "<script>" not in preview.text and "&lt;script&gt;" in preview.text


def test_suggest_entities_types_and_properties(recon_url: str) -> None:
    entities = requests.get(recon_url + "/suggest/entity", params={"prefix": "kata"},
                            timeout=30).json()["result"]
    assert entities[0]["id"] == KH and entities[0]["notable"][0]["id"] == "ArmedGroup"
    words = requests.get(recon_url + "/suggest/entity", params={"prefix": "hizb"},
                         timeout=30).json()["result"]
    assert {e["id"] for e in words} >= {KH, "armed-group/hizballah"}
    page1, page2 = (requests.get(recon_url + "/suggest/entity",
                                 params={"prefix": "a", "cursor": c}, timeout=30).json()["result"]
                    for c in ("0", "10"))
    assert len(page1) == 10 and page2 and not {e["id"] for e in page1} & {e["id"] for e in page2}
    types = requests.get(recon_url + "/suggest/type", params={"prefix": "gov"},
                         timeout=30).json()["result"]
    assert [t["id"] for t in types] == ["GovernmentBody"]
    assert types[0]["broader"] == [{"id": "Organization", "name": "organization"}]
    props = requests.get(recon_url + "/suggest/property", params={"prefix": "wiki"},
                         timeout=30).json()["result"]
    assert [p["id"] for p in props] == ["wikidata"]


def test_flyout_and_preview_show_what_tells_namesakes_apart(recon_url: str) -> None:
    flyout = requests.get(recon_url + "/flyout/entity", params={"id": KH}, timeout=30).json()
    assert flyout["id"] == KH
    for text in ("Kata&#x27;ib Hizballah", "armed group", "KH", "Q900001",
                 "part of Popular Mobilization Forces", "United States Department of State"):
        assert text in flyout["html"]


def test_data_extension(recon_url: str) -> None:
    query = {"ids": [KH, "person/qasem-soleimani", "no/such"],
             "properties": [{"id": "part_of"}, {"id": "wikidata"}, {"id": "nationality"},
                            {"id": "designated_by", "settings": {"limit": "1"}},
                            {"id": "designation"}, {"id": "not_a_property"}]}
    answer = requests.get(recon_url, params={"extend": json.dumps(query)}, timeout=30).json()
    meta = {m["id"]: m for m in answer["meta"]}
    assert meta["part_of"]["name"] == "part of" and meta["part_of"]["type"]["id"] == "Actor"
    rows = answer["rows"]
    assert rows[KH]["part_of"] == [{"id": "armed-group/popular-mobilization-forces",
                                    "name": "Popular Mobilization Forces"}]
    assert rows[KH]["wikidata"] == [{"str": "Q900001"}]
    assert len(rows[KH]["designated_by"]) == 1
    assert any("United States Department of State" in c["str"]
               for c in rows[KH]["designation"])
    assert rows["person/qasem-soleimani"]["nationality"] == [{"id": "state/iran",
                                                              "name": "Iran"}]
    assert all(cells == [] for cells in rows["no/such"].values())
    assert rows[KH]["not_a_property"] == []


def test_proposals_follow_the_domain(recon_url: str) -> None:
    def proposed(type_id: str) -> set[str]:
        answer = requests.get(recon_url + "/extend/propose", params={"type": type_id},
                              timeout=30).json()
        assert answer["type"] == type_id
        return {p["id"] for p in answer["properties"]}

    assert {"nationality", "birth_date", "leader"} <= proposed("Person")
    assert "nationality" not in proposed("ArmedGroup") and "led_by" in proposed("ArmedGroup")


BAD_REQUESTS = [
    ("get", "", {"queries": "{not json"}, 400, "not JSON"),
    ("get", "", {"queries": "[1, 2]"}, 400, "JSON object"),
    ("get", "", {"queries": json.dumps({"q": {"query": "x", "props": []}})}, 400, "props"),
    ("get", "", {"queries": json.dumps({"q": {"limit": 1}})}, 400, "needs"),
    ("get", "", {"queries": json.dumps({"q": {"properties": []}})}, 400, "needs"),
    ("get", "", {"queries": json.dumps({"q": {"query": "a" * 501}})}, 400, "longer than"),
    ("get", "", {"queries": json.dumps({"q": {"query": 5}})}, 400, "string"),
    ("get", "", {"queries": json.dumps({"q": {"query": "x", "limit": -1}})}, 400, "limit"),
    ("get", "", {"queries": json.dumps({"q": {"query": "x", "limit": "many"}})}, 400, "limit"),
    ("get", "", {"queries": json.dumps({"q": {"query": "x", "type_strict": "x"}})}, 400,
     "type_strict"),
    ("get", "", {"queries": json.dumps({"q": {"query": "x", "type": 3}})}, 400, "type"),
    ("get", "", {"queries": json.dumps({"q": {"query": "x", "properties": [{"pid": "a"}]}})},
     400, "pid"),
    ("get", "", {"queries": json.dumps({f"q{i}": {"query": "x"} for i in range(501)})}, 400,
     "at most"),
    ("post", "", {"queries": "[" * 100_000}, 400, "not JSON"),
    ("get", "", {"queries": "{}", "extend": "{}"}, 400, "either"),
    ("get", "", {"extend": json.dumps({"ids": "x", "properties": []})}, 400, "arrays"),
    ("get", "", {"extend": json.dumps({"ids": ["x"], "properties": [
        {"id": "alias", "settings": {"limit": "lots"}}]})}, 400, "limit"),
    ("get", "/suggest/entity", {}, 400, "prefix"),
    ("get", "/suggest/entity", {"prefix": "a", "cursor": "-1"}, 400, "cursor"),
    ("get", "/extend/propose", {"limit": "x"}, 400, "limit"),
    ("get", "/preview", {"id": "no/such/actor"}, 404, "no actor"),
    ("get", "/preview", {"id": "> <"}, 404, "no actor"),
    ("get", "/flyout/entity", {}, 404, "no actor"),
    ("get", "/nowhere", {}, 404, "no such path"),
    ("put", "", {}, 405, "GET or POST"),
]


@pytest.mark.parametrize(("method", "path", "params", "status", "message"), BAD_REQUESTS,
                         ids=[f"{m}{p}-{s}-{msg}" for m, p, _, s, msg in BAD_REQUESTS])
def test_bad_requests_get_clear_errors(recon_url: str, method: str, path: str,
                                       params: dict[str, str], status: int,
                                       message: str) -> None:
    if method == "get":
        response = requests.get(recon_url + path, params=params, timeout=30)
    else:
        response = requests.request(method.upper(), recon_url + path, data=params, timeout=30)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error" and message in body["message"]


def test_bad_bodies_get_clear_errors(recon_url: str) -> None:
    json_body = requests.post(recon_url, data=b'{"q": {"query": "x"}}', timeout=30,
                              headers={"Content-Type": "application/json"})
    assert json_body.status_code == 415 and "x-www-form-urlencoded" in json_body.json()["message"]
    huge = requests.post(recon_url, data={"queries": "x" * (1 << 20)}, timeout=30)
    assert huge.status_code == 413
    latin1 = requests.post(recon_url, data=b"queries=%7B%7D&x=\xff", timeout=30,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert latin1.status_code == 400 and "UTF-8" in latin1.json()["message"]
    bad_escape = requests.get(recon_url + "?queries=%FF", timeout=30)
    assert bad_escape.status_code == 400


def test_cors_and_get_equals_post(recon_url: str) -> None:
    batch = json.dumps({"q0": {"query": "Taliban"}, "q1": {"query": "Houthis"}})
    got = requests.get(recon_url, params={"queries": batch}, timeout=30)
    posted = requests.post(recon_url, data={"queries": batch}, timeout=30)
    assert got.json() == posted.json()
    assert got.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(recon_url, timeout=30)
    assert preflight.status_code == 204
    assert "HEAD" in preflight.headers["Access-Control-Allow-Methods"]
    head = requests.head(recon_url, params={"queries": batch}, timeout=30)
    assert head.status_code == 200 and not head.content


def test_concurrent_batches(recon_url: str) -> None:
    batch = json.dumps({f"q{i}": {"query": name} for i, name in enumerate(
        ["Kataib Hezbollah", "Taliban", "Qasem Soleimani", "al-Shabaab", "Wagner Group"])})
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: requests.post(
            recon_url, data={"queries": batch}, timeout=60), range(24)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1


def _call(app: Any, **params: str) -> Any:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": urlencode(params),
               "wsgi.input": io.BytesIO()}
    status: list[str] = []
    body = b"".join(app(environ, lambda s, h: status.append(s)))
    assert status == ["200 OK"], body
    return json.loads(body)


def test_the_index_sees_a_store_that_changed(recon_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "kg-data"
    shutil.copytree(recon_store, path)
    store = KGStore(path)
    app = make_app(store, DEFAULT_BASE, "http://localhost/reconcile", index_max_age=0)
    batch = json.dumps({"q": {"query": "Newly Formed Brigade"}})
    assert _call(app, queries=batch)["q"]["result"] == []
    graph = Graph()
    actor = URIRef(DEFAULT_BASE + "armed-group/newly-formed-brigade")
    graph.add((actor, RDF.type, KG.ArmedGroup))
    graph.add((actor, RDFS.label, Literal("Newly Formed Brigade")))
    store.replace_document(URIRef(DEFAULT_BASE + "document/new"), graph)
    assert _call(app, queries=batch)["q"]["result"][0]["id"] == "armed-group/newly-formed-brigade"
