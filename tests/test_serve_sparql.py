"""The SPARQL 1.1 Protocol at /sparql, as clients use it: curl-like requests, a form, a
direct POST and SPARQLWrapper; every result and graph format; the read-only refusal, the
limits and the errors."""

from __future__ import annotations

import csv
import io
import json
import socket
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from kg.namespace import KG, RDFS
from tests.conftest import SERVE_QUERY_SECONDS, RunningServer, rapper_parse

KH = "https://w3id.org/kg/id/armed-group/kataib-hizballah"
SELECT_GROUPS = ("SELECT ?group ?label WHERE { ?group a kg:ArmedGroup ; rdfs:label ?label } "
                 "ORDER BY ?label")
CONSTRUCT_KH = f"CONSTRUCT {{ <{KH}> ?p ?o }} WHERE {{ <{KH}> ?p ?o }}"


def _sparql(server: RunningServer, http: Any, query: str, accept: str | None = None,
            **kwargs: Any) -> Any:
    headers = {"Accept": accept} if accept else {}
    return http.get(f"{server.url}/sparql", params={"query": query}, headers=headers,
                    timeout=30, **kwargs)


def _labels_from_json(body: bytes) -> list[str]:
    data = json.loads(body)
    assert data["head"]["vars"] == ["group", "label"]
    return [b["label"]["value"] for b in data["results"]["bindings"]]


def test_get_post_form_and_direct_post_give_the_same_results(
        kg_server: RunningServer, http: Any) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    by_get = _sparql(kg_server, http, SELECT_GROUPS, accept["Accept"])
    by_form = http.post(f"{kg_server.url}/sparql", data={"query": SELECT_GROUPS},
                        headers=accept, timeout=30)
    by_body = http.post(f"{kg_server.url}/sparql", data=SELECT_GROUPS.encode(),
                        headers={**accept, "Content-Type": "application/sparql-query"},
                        timeout=30)
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    labels = _labels_from_json(by_get.content)
    assert "Kata'ib Hizballah" in labels and len(labels) >= 5
    assert _labels_from_json(by_form.content) == labels
    assert _labels_from_json(by_body.content) == labels


def test_every_results_format_by_accept_and_by_format_parameter(
        kg_server: RunningServer, http: Any) -> None:
    expected = _labels_from_json(_sparql(kg_server, http, SELECT_GROUPS).content)
    xml = _sparql(kg_server, http, SELECT_GROUPS, "application/sparql-results+xml")
    assert xml.headers["Content-Type"].startswith("application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(xml.content)
    assert [e.text for e in root.findall(".//r:binding[@name='label']/r:literal", ns)] == expected
    as_csv = _sparql(kg_server, http, SELECT_GROUPS, "text/csv")
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8"))))
    assert [r["label"] for r in rows] == expected
    as_tsv = _sparql(kg_server, http, SELECT_GROUPS, "text/tab-separated-values")
    lines = as_tsv.content.decode("utf-8").splitlines()
    assert lines[0] == "?group\t?label"
    assert lines[1].split("\t")[1] == json.dumps(expected[0]) + "@en"
    by_param = http.get(f"{kg_server.url}/sparql", params={"query": SELECT_GROUPS,
                                                           "format": "csv"}, timeout=30)
    assert by_param.content == as_csv.content
    ask = _sparql(kg_server, http, f"ASK {{ <{KH}> a kg:ArmedGroup }}")
    assert json.loads(ask.content)["boolean"] is True


@pytest.mark.parametrize(("accept", "syntax"), [
    ("text/turtle", "turtle"), ("application/n-triples", "ntriples"),
    ("application/rdf+xml", "rdfxml"), ("application/ld+json", "json-ld"),
])
def test_graphs_in_every_format_parse_with_an_independent_parser(
        kg_server: RunningServer, http: Any, accept: str, syntax: str, tmp_path: Path) -> None:
    response = _sparql(kg_server, http, CONSTRUCT_KH, accept)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == accept
    expected = len(list(Graph().parse(
        data=_sparql(kg_server, http, CONSTRUCT_KH, "application/n-triples").content,
        format="nt")))
    assert expected >= 10
    if syntax == "json-ld":  # rapper has no JSON-LD parser: rdflib's is independent of Oxigraph
        graph = Graph().parse(data=response.content, format="json-ld")
        assert len(graph) == expected
        assert graph.value(URIRef(KH), RDFS.label) is not None
    else:
        assert rapper_parse(response.content, syntax, tmp_path) == expected


def test_sparqlwrapper_select_and_construct(kg_server: RunningServer) -> None:
    client = SPARQLWrapper(f"{kg_server.url}/sparql")
    client.setQuery("PREFIX kg: <https://w3id.org/kg/ontology#> "
                    "SELECT (COUNT(?a) AS ?n) WHERE { ?a a kg:ArmedGroup }")
    client.setReturnFormat(JSON)
    results: Any = client.query().convert()
    assert int(results["results"]["bindings"][0]["n"]["value"]) >= 5
    client.setQuery(CONSTRUCT_KH)
    client.setReturnFormat(TURTLE)
    client.setMethod("POST")
    turtle: Any = client.query().convert()
    graph = Graph().parse(data=turtle, format="turtle")
    assert (URIRef(KH), URIRef(str(KG._NS) + "mention"), None) in graph


def test_malformed_query_is_400_with_the_parser_message(
        kg_server: RunningServer, http: Any) -> None:
    response = _sparql(kg_server, http, "SELECT ?x WHERE { ?x ?p }")
    assert response.status_code == 400
    assert "SPARQL syntax error" in response.text and "1:" in response.text
    missing = http.get(f"{kg_server.url}/sparql", timeout=30)
    assert missing.status_code == 400 and "query=" in missing.text


@pytest.mark.parametrize("how", ["update-param", "form", "update-body", "in-query"])
def test_updates_are_refused_as_read_only(kg_server: RunningServer, http: Any,
                                          how: str) -> None:
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"
    url = f"{kg_server.url}/sparql"
    if how == "update-param":
        response = http.get(url, params={"update": update}, timeout=30)
    elif how == "form":
        response = http.post(url, data={"update": update}, timeout=30)
    elif how == "update-body":
        response = http.post(url, data=update.encode(), timeout=30,
                             headers={"Content-Type": "application/sparql-update"})
    else:
        response = http.post(url, data={"query": update}, timeout=30)
    assert response.status_code == 403
    assert "read-only" in response.text
    check = _sparql(kg_server, http, "ASK { <http://example.org/a> ?p ?o }")
    assert json.loads(check.content)["boolean"] is False


def test_oversized_body_is_refused(kg_server: RunningServer, http: Any) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 30_000
    response = http.post(f"{kg_server.url}/sparql", data=query.encode(), timeout=30,
                         headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert "at most" in response.text


def test_query_over_the_time_limit_is_stopped_and_the_endpoint_lives_on(
        kg_server: RunningServer, http: Any) -> None:
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    response = _sparql(kg_server, http, endless)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "stopped" in response.text and f"{SERVE_QUERY_SECONDS:g} s" in response.text
    assert elapsed < SERVE_QUERY_SECONDS + 10
    after = _sparql(kg_server, http, SELECT_GROUPS)
    assert after.status_code == 200


def test_answer_over_the_size_limit_is_refused(kg_server: RunningServer, http: Any) -> None:
    response = _sparql(kg_server, http, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                       "application/n-triples")
    assert response.status_code == 422
    assert "limit" in response.text and "/dumps/" in response.text


def test_cors_headers_and_preflight(kg_server: RunningServer, http: Any) -> None:
    preflight = http.options(f"{kg_server.url}/sparql", timeout=30, headers={
        "Origin": "https://notebook.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    response = _sparql(kg_server, http, SELECT_GROUPS)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_unacceptable_format_is_406(kg_server: RunningServer, http: Any) -> None:
    response = _sparql(kg_server, http, SELECT_GROUPS, "image/png")
    assert response.status_code == 406
    wrong_kind = _sparql(kg_server, http, SELECT_GROUPS, "text/turtle")
    assert wrong_kind.status_code == 406 and "results" in wrong_kind.text


def test_raw_http_request_like_curl(kg_server: RunningServer) -> None:
    """A hand-written HTTP/1.0 request, as the simplest client would send it."""
    with socket.create_connection(("127.0.0.1", kg_server.port), timeout=30) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\nHost: x\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200") or head.startswith(b"HTTP/1.1 200")
    assert json.loads(body)["boolean"] is True
