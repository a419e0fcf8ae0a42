"""The SPARQL 1.1 Protocol's query operation, read-only.

Requests are GET with `query=`, POST of a form, or POST of the query itself
(`application/sparql-query`). The answer format comes from a `format` parameter when a
client cannot set headers, else from Accept. Updates are refused: the store is opened
read-only, and the client is told so rather than given a parser error.
"""

from __future__ import annotations

from rdflib.plugins.sparql.parser import parseUpdate

from kg.publish.conneg import (
    HTML,
    RDF,
    RESULTS,
    lookup,
    negotiate,
    negotiate_key,
    rdf_offers,
    result_offers,
)
from kg.publish.http import HTTPError, Request, Response
from kg.publish.query_workers import QueryJob, QueryWorkers

READ_ONLY = ("this SPARQL endpoint is read-only: updates (INSERT, DELETE, LOAD, CLEAR, ...) "
             "are refused. Query it with SELECT, ASK, CONSTRUCT or DESCRIBE; the KG changes "
             "only through `kg build`.")

USAGE = ("give a SPARQL query: GET /sparql?query=..., POST a form with query=..., or POST the "
         "query with Content-Type: application/sparql-query")


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise HTTPError(400, f"the protocol allows one {name} parameter; this request has "
                             f"{len(values)}")
    return values[0] if values else None


def _read(request: Request) -> tuple[str, dict[str, list[str]]]:
    """The query text and the protocol's other parameters, however they were sent."""
    params = request.args()
    if request.method in ("GET", "HEAD"):
        if "update" in params:
            raise HTTPError(403, READ_ONLY)
        query = _one(params, "query")
    elif request.method == "POST":
        if request.content_type == "application/x-www-form-urlencoded":
            form = request.form()
            if "update" in form:
                raise HTTPError(403, READ_ONLY)
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
            query = _one(params, "query")
        elif request.content_type == "application/sparql-query":
            try:
                query = request.body().decode("utf-8")
            except UnicodeDecodeError:
                raise HTTPError(400, "the query is not UTF-8") from None
        elif request.content_type == "application/sparql-update":
            raise HTTPError(403, READ_ONLY)
        else:
            raise HTTPError(415, "POST a form (application/x-www-form-urlencoded) or a query "
                                 f"(application/sparql-query), not {request.content_type!r}")
    else:
        raise HTTPError(405, "use GET or POST", headers=[("Allow", "GET, POST, HEAD, OPTIONS")])
    if query is None or not query.strip():
        raise HTTPError(400, USAGE)
    return query, params


def _formats(request: Request, params: dict[str, list[str]]) -> tuple[str, str]:
    """The result format and the graph format to answer in, keys of RESULTS and RDF (""
    when the client takes none). A `format` parameter (json, csv, turtle, a media type...)
    wins over Accept for the kind of answer it names; values this server does not know
    are left to Accept, as clients such as SPARQLWrapper send names of their own."""
    named = _one(params, "format")
    results = lookup(named, RESULTS) if named else None
    graph = lookup(named, RDF) if named else None
    return (results or negotiate_key(request.accept, RESULTS) or "",
            graph or negotiate_key(request.accept, RDF) or "")


def wants_form(request: Request) -> bool:
    """A person opening /sparql in a browser, with no query: show a query form. Only a
    client that names HTML gets it; curl and programs get the usage message."""
    if request.method not in ("GET", "HEAD") or request.query_string:
        return False
    if "text/html" not in (request.accept or ""):
        return False
    return negotiate(request.accept, [HTML, *result_offers()]) == HTML


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except Exception:  # any parse failure means: not an update either
        return False
    return True


def handle(request: Request, workers: QueryWorkers) -> Response:
    query, params = _read(request)
    results_key, graph_key = _formats(request, params)
    if not results_key and not graph_key:
        types = ", ".join(rep.media_type for rep in [*result_offers(), *rdf_offers()])
        raise HTTPError(406, f"this endpoint answers in {types}; the Accept header takes none")
    job = QueryJob(query, results_key, graph_key,
                   tuple(params.get("default-graph-uri", [])),
                   tuple(params.get("named-graph-uri", [])))
    answer = workers.run(job)
    if answer.status == 400 and _is_update(query):
        raise HTTPError(403, READ_ONLY)
    if answer.status != 200:
        raise HTTPError(answer.status, answer.body.decode("utf-8", "replace"),
                        headers=list(answer.headers))
    return Response(200, answer.body, answer.media_type, [("Vary", "Accept")])
