"""50 clients at once, mixing SPARQL queries, pages and RDF documents: every request gets
its own complete answer, none fails and none is lost."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from tests.conftest import RunningServer

CLIENTS = 50
REQUESTS_PER_CLIENT = 8
ACTORS = ["armed-group/kataib-hizballah", "person/qasem-soleimani", "armed-group/al-shabaab",
          "state/iran", "person/abu-mahdi-al-muhandis"]


def _client(server: RunningServer, number: int, start: threading.Barrier) -> list[str]:
    """One client's session; returns what went wrong (nothing, when all is well)."""
    problems: list[str] = []
    with requests.Session() as session:
        session.trust_env = False
        start.wait(timeout=60)
        for step in range(REQUESTS_PER_CLIENT):
            actor = ACTORS[(number + step) % len(ACTORS)]
            iri = f"https://w3id.org/kg/id/{actor}"
            kind = (number + step) % 4
            try:
                if kind == 0:  # a query whose answer names the client, so none can be mixed up
                    query = (f"SELECT ?tag ?label WHERE {{ BIND({number * 100 + step} AS ?tag) "
                             f"<{iri}> rdfs:label ?label }}")
                    answer = session.get(f"{server.url}/sparql", params={"query": query},
                                         timeout=60,
                                         headers={"Accept": "application/sparql-results+json"})
                    rows = json.loads(answer.content)["results"]["bindings"]
                    ok = (answer.status_code == 200 and len(rows) >= 1 and
                          rows[0]["tag"]["value"] == str(number * 100 + step))
                elif kind == 1:
                    answer = session.get(f"{server.url}/kg/id/{actor}.html", timeout=60)
                    ok = answer.status_code == 200 and iri in answer.text and \
                        answer.text.rstrip().endswith("</html>")
                elif kind == 2:
                    answer = session.get(f"{server.url}/kg/id/{actor}", timeout=60,
                                         headers={"Accept": "text/turtle"})
                    ok = (answer.status_code == 200 and answer.url.endswith(".ttl") and
                          f"<{iri}>" in answer.text)
                else:
                    answer = session.post(f"{server.url}/sparql", timeout=60,
                                          data={"query": f"ASK {{ <{iri}> ?p ?o }}"})
                    ok = answer.status_code == 200 and json.loads(answer.content)["boolean"]
            except (requests.RequestException, ValueError, KeyError) as exc:
                problems.append(f"client {number} step {step}: {exc!r}")
                continue
            if not ok:
                problems.append(f"client {number} step {step} kind {kind}: "
                                f"{answer.status_code} {answer.text[:200]!r}")
    return problems


def test_fifty_concurrent_clients(kg_server: RunningServer) -> None:
    start = threading.Barrier(CLIENTS)
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [pool.submit(_client, kg_server, n, start) for n in range(CLIENTS)]
        results: list[Any] = [f.result(timeout=600) for f in futures]
    problems = [p for result in results for p in result]
    assert len(results) == CLIENTS
    assert not problems, problems[:10]
