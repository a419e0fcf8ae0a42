"""kg as a W3C Reconciliation Service (API 0.2), so OpenRefine users can match their
spreadsheets of names against kg's actors.

`make_app` returns a WSGI application that answers paths relative to where it is
mounted (`kg serve` mounts it at `/reconcile`):

    ""  or "/"          GET: the manifest; GET or POST `queries=`: a batch of
                        reconciliation queries; GET or POST `extend=`: data extension
    /suggest/entity     ?prefix=&cursor=[&type=]: actors by the start of a name
    /suggest/type       ?prefix=&cursor=: the ontology's actor classes
    /suggest/property   ?prefix=&cursor=: the properties of conditions and extension
    /flyout/entity      ?id=: the preview card as JSON, for suggest's flyout
    /preview            ?id=: the preview card as an HTML page
    /extend/propose     ?type=[&limit=]: the properties proposed for a type

Every answer validates against the API's JSON schemas (tests/test_recon_api_schemas.py).
A request the service cannot answer gets a 4xx with a JSON body {"status": "error",
"message": ...} that says what to fix.
"""

from __future__ import annotations

import json
import logging
import threading
import wsgiref.util
from collections.abc import Callable, Iterable
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from kg.namespace import KG
from kg.publish.compression import negotiate_encoding
from kg.publish.http import CORS_HEADERS, Response
from kg.publish.recon_facts import ActorFacts, load_facts
from kg.publish.recon_ids import Ids
from kg.publish.recon_index import ActorIndex, IndexCache
from kg.publish.recon_input import (
    MAX_LIMIT,
    ExtendQuery,
    RequestError,
    parse_extend,
    parse_queries,
)
from kg.publish.recon_match import Matcher, describe
from kg.publish.recon_preview import HEIGHT, WIDTH, preview_page, preview_snippet
from kg.publish.recon_properties import catalogue, cell_json, property_json, suggest_properties

if TYPE_CHECKING:
    from kg.store import KGStore

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]

# Requests larger than this are refused with 413 (a batch of 500 queries fits easily).
MAX_BODY = 1 << 20
# Suggest answers this many entries per page; `cursor` pages on.
SUGGEST_PAGE = 10
# Each parameter and its value count as a field; more than this is no client of ours.
_MAX_FIELDS = 50
_FORM = "application/x-www-form-urlencoded"
_CORS = [("Access-Control-Allow-Origin", "*")]
_STATUS = {200: "200 OK", 204: "204 No Content", 400: "400 Bad Request",
           404: "404 Not Found", 405: "405 Method Not Allowed",
           413: "413 Content Too Large", 415: "415 Unsupported Media Type",
           500: "500 Internal Server Error"}


def _service_version() -> str:
    try:
        return version("kg")
    except PackageNotFoundError:
        return "unknown"


class ReconcileApp:
    """The service over one store. Thread-safe: the WSGI server may call it from many
    threads; queries go to the store (which serves concurrent readers) and to a shared
    in-memory index of names."""

    def __init__(self, store: KGStore, base_uri: str, service_url: str, *,
                 index_max_age: float | None = 60.0) -> None:
        self.store = store
        self.ids = Ids(base_uri)
        self.service_url = service_url.rstrip("/")
        self.cache = IndexCache(store, index_max_age, base=base_uri)
        self.routes: dict[str, Callable[[dict[str, str]], tuple[int, str, bytes]]] = {
            "/": self.root,
            "/suggest/entity": self.suggest_entity,
            "/suggest/type": self.suggest_type,
            "/suggest/property": self.suggest_property,
            "/flyout/entity": self.flyout,
            "/preview": self.preview,
            "/extend/propose": self.propose,
        }

    # -- WSGI -------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse
                 ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET").upper()
        handler = self.routes.get(path if path == "/" else path.rstrip("/"))
        try:
            if handler is None:
                raise RequestError(f"no such path {path[:100]!r}; the service answers "
                                   f"{', '.join(sorted(self.routes))}", 404)
            if method == "OPTIONS":
                start_response(_STATUS[204], list(CORS_HEADERS))
                return [b""]
            if method not in ("GET", "POST", "HEAD"):
                raise RequestError(f"method {method[:20]} is not allowed; use GET or POST", 405)
            status, content_type, body = handler(self._params(environ, method))
        except RequestError as exc:
            status, content_type, body = exc.status, "application/json", _json(
                {"status": "error", "message": str(exc)})
        except Exception:
            log.exception("reconciliation request failed: %s", path)
            status, content_type, body = 500, "application/json", _json(
                {"status": "error", "message": "internal error; the server's log has details"})
        content_type = f"{content_type}; charset=utf-8"
        body, encoding = _encoded(body, content_type, environ)
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body))),
                   *_CORS, *encoding]
        if status == 405:
            headers.append(("Allow", "GET, POST, HEAD, OPTIONS"))
        start_response(_STATUS[status], headers)
        return [b"" if method == "HEAD" else body]

    @staticmethod
    def _params(environ: dict[str, Any], method: str) -> dict[str, str]:
        """The request's parameters, from its query string and, for a POST, its form body;
        the first value of each name."""
        sources = [environ.get("QUERY_STRING", "")]
        if method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                raise RequestError("Content-Length is not a number") from None
            if length > MAX_BODY:
                raise RequestError(f"the request body is larger than {MAX_BODY} bytes", 413)
            content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
            if length and content_type not in ("", _FORM):
                raise RequestError(f"send the parameters as {_FORM} (queries=..., extend=...),"
                                   f" not {content_type[:60]}", 415)
            body = environ["wsgi.input"].read(length) if length > 0 else b""
            try:
                sources.append(body.decode("utf-8"))
            except UnicodeDecodeError:
                raise RequestError("the request body is not UTF-8") from None
        params: dict[str, str] = {}
        for source in sources:
            try:
                parsed = parse_qs(source, keep_blank_values=True, errors="strict",
                                  max_num_fields=_MAX_FIELDS)
            except (ValueError, UnicodeDecodeError) as exc:
                raise RequestError(f"the parameters cannot be read: {exc}") from None
            for name, values in parsed.items():
                params.setdefault(name, values[0])
        return params

    # -- the service root -------------------------------------------------------------

    def root(self, params: dict[str, str]) -> tuple[int, str, bytes]:
        if "queries" in params and "extend" in params:
            raise RequestError("send either queries or extend, not both")
        if "queries" in params:
            return self.reconcile(params["queries"])
        if "extend" in params:
            return self.extend(parse_extend(params["extend"]))
        return 200, "application/json", _json(self.manifest())

    def manifest(self) -> dict[str, Any]:
        url = self.service_url
        index = self.cache.get()
        return {
            "versions": ["0.2"],
            "name": "kg: armed actors",
            "identifierSpace": self.ids.base,
            "schemaSpace": str(KG._NS),
            "serviceVersion": _service_version(),
            "defaultTypes": [{"id": self.ids.type_id(t.iri), "name": t.label}
                             for t in sorted(index.types.values(), key=lambda t: t.iri)],
            "view": {"url": self.ids.base + "{{id}}"},
            "preview": {"url": f"{url}/preview?id={{{{id}}}}", "width": WIDTH, "height": HEIGHT},
            "suggest": {
                "entity": {"service_url": url, "service_path": "/suggest/entity",
                           "flyout_service_path": "/flyout/entity?id=${id}"},
                "type": {"service_url": url, "service_path": "/suggest/type"},
                "property": {"service_url": url, "service_path": "/suggest/property"},
            },
            "extend": {
                "propose_properties": {"service_url": url, "service_path": "/extend/propose"},
                "property_settings": [{
                    "type": "number", "name": "limit", "label": "Limit", "default": 0,
                    "help_text": "How many values to fetch per cell at most (0: all)."}],
            },
        }

    def reconcile(self, raw: str) -> tuple[int, str, bytes]:
        queries = parse_queries(raw)
        matcher = Matcher(self.cache.get(), self.ids)
        return 200, "application/json", _json(
            {key: {"result": matcher.reconcile(query)} for key, query in queries.items()})

    def extend(self, query: ExtendQuery) -> tuple[int, str, bytes]:
        """Data extension: each id's values of each property. An unknown property gets
        an empty column named as asked, an unknown id an empty row, as the API wants a
        row per id and a column per property."""
        props = catalogue()
        index = self.cache.get()
        meta: list[dict[str, Any]] = []
        for asked in query.properties:
            known = props.get(asked.id)
            entry: dict[str, Any] = {"id": asked.id,
                                     "name": known.name if known else asked.id}
            if known and known.entity_type:
                entry["type"] = {"id": self.ids.type_id(known.entity_type),
                                 "name": index.type_label(known.entity_type)}
            meta.append(entry)
        rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for entity_id in query.ids:
            facts = self._load(entity_id, index)
            row: dict[str, list[dict[str, Any]]] = {}
            for asked in query.properties:
                known = props.get(asked.id)
                cells = known.cells(facts) if known and facts else []
                if asked.limit:
                    cells = cells[:asked.limit]
                row[asked.id] = [cell_json(c, self.ids) for c in cells]
            rows[entity_id] = row
        return 200, "application/json", _json({"meta": meta, "rows": rows})

    # -- suggest, preview, proposals --------------------------------------------------

    @staticmethod
    def _page(params: dict[str, str], items: list[Any]) -> list[Any]:
        if "prefix" not in params:
            raise RequestError("suggest needs the prefix parameter (what the user typed)")
        raw = params.get("cursor", "0").strip() or "0"
        if not raw.isdigit():
            raise RequestError(f"cursor must be a whole number >= 0, not {raw[:40]!r}")
        cursor = int(raw[:9])
        return items[cursor:cursor + SUGGEST_PAGE]

    def suggest_entity(self, params: dict[str, str]) -> tuple[int, str, bytes]:
        index = self.cache.get()
        found = index.suggest(params.get("prefix", "")[:200])
        if params.get("type"):
            wanted = index.narrower(self.ids.type_iri(params["type"]))
            found = [iri for iri in found if index.actors[iri].types & wanted]
        result = []
        for iri in self._page(params, found):
            actor = index.actors[iri]
            result.append({
                "id": self.ids.entity_id(iri), "name": actor.name,
                "description": describe(index, actor),
                "notable": [{"id": self.ids.type_id(t), "name": index.type_label(t)}
                            for t in sorted(actor.types)]})
        return 200, "application/json", _json({"result": result})

    def suggest_type(self, params: dict[str, str]) -> tuple[int, str, bytes]:
        index = self.cache.get()
        prefix = params.get("prefix", "").strip().lower()
        types = [t for t in sorted(index.types.values(), key=lambda t: t.iri)
                 if any(w.startswith(prefix) for w in
                        [*t.label.lower().split(), self.ids.type_id(t.iri).lower()])]
        result = [{"id": self.ids.type_id(t.iri), "name": t.label, "description": t.comment,
                   "broader": [{"id": self.ids.type_id(b), "name": index.type_label(b)}
                               for b in t.broader if b in index.types]}
                  for t in self._page(params, types)]
        return 200, "application/json", _json({"result": result})

    def suggest_property(self, params: dict[str, str]) -> tuple[int, str, bytes]:
        found = suggest_properties(params.get("prefix", "")[:200])
        return 200, "application/json", _json(
            {"result": [property_json(p) for p in self._page(params, found)]})

    def propose(self, params: dict[str, str]) -> tuple[int, str, bytes]:
        """The properties worth fetching for a type: all but those whose domain the type
        is not under (no nationality for an armed group)."""
        index = self.cache.get()
        raw_limit = params.get("limit", "").strip()
        if raw_limit and not raw_limit.isdigit():
            raise RequestError(f"limit must be a whole number, not {raw_limit[:40]!r}")
        limit = min(int(raw_limit[:9]), MAX_LIMIT) if raw_limit else 0
        type_id = params.get("type", "").strip()
        wanted = self.ids.type_iri(type_id) if type_id else None
        found = [p for p in catalogue().values()
                 if wanted is None or p.domain is None or wanted in index.narrower(p.domain)]
        if limit:
            found = found[:limit]
        answer: dict[str, Any] = {"properties": [property_json(p) for p in found]}
        if type_id:
            answer["type"] = type_id
        if limit:
            answer["limit"] = limit
        return 200, "application/json", _json(answer)

    def _load(self, entity_id: str, index: ActorIndex) -> ActorFacts | None:
        """The facts of the actor an id names; an id of a merged IRI names its actor."""
        iri = self.ids.entity_iri(entity_id)
        return load_facts(self.store, iri, index=index) if iri else None

    def _facts_of(self, params: dict[str, str]) -> ActorFacts:
        entity_id = params.get("id", "")
        facts = self._load(entity_id, self.cache.get())
        if facts is None:
            raise RequestError(f"no actor with id {entity_id[:100]!r}", 404)
        return facts

    def flyout(self, params: dict[str, str]) -> tuple[int, str, bytes]:
        facts = self._facts_of(params)
        return 200, "application/json", _json(
            {"id": params["id"], "html": preview_snippet(facts, facts.iri)})

    def preview(self, params: dict[str, str]) -> tuple[int, str, bytes]:
        facts = self._facts_of(params)
        return 200, "text/html", preview_page(preview_snippet(facts, facts.iri),
                                              facts.name).encode("utf-8")


def _encoded(body: bytes, content_type: str, environ: dict[str, Any]
             ) -> tuple[bytes, list[tuple[str, str]]]:
    """The body as the client takes it, and the headers that say how. A batch of a few
    hundred queries answers hundreds of KB of JSON that shrinks several times in gzip;
    the service is mounted by `kg serve` as a WSGI app of its own, which the server's
    compression of its own answers never sees, so the service asks the same decision
    (kg.publish.compression) for each of its answers."""
    response = negotiate_encoding(Response(body=body, content_type=content_type),
                                  environ.get("HTTP_ACCEPT_ENCODING"))
    assert isinstance(response.body, bytes)  # a body in memory stays in memory
    return response.body, response.headers


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def make_app(store: KGStore, base_uri: str, service_url: str, *,
             index_max_age: float | None = 60.0) -> ReconcileApp:
    """The reconciliation service over `store` as a WSGI application.

    Args:
        store: the KG (opened read-only by a server).
        base_uri: the base of the KG's entity IRIs: the service's identifierSpace, which
            entity ids are relative to.
        service_url: the public URL the application is mounted at (for the manifest's
            suggest, preview and extension URLs), e.g. http://localhost:8000/reconcile.
        index_max_age: seconds after which the name index is read again from the store
            (None: never, for a store nobody writes while it is served).
    """
    return ReconcileApp(store, base_uri, service_url, index_max_age=index_max_age)


class MountedReconcileApp:
    """The service as a server mounts it: its public URL (for the manifest's suggest,
    preview and extension URLs) is known only from the requests, when the server was
    started on any free port or behind a proxy; one service per URL it is reached at."""

    def __init__(self, store: KGStore, base_uri: str) -> None:
        self.store, self.base_uri = store, base_uri
        self._apps: dict[str, ReconcileApp] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        url = wsgiref.util.application_uri(environ).rstrip("/")
        with self._lock:
            app = self._apps.get(url)
            if app is None:
                app = self._apps[url] = make_app(self.store, self.base_uri, url)
        return app(environ, start_response)
