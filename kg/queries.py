"""Named SPARQL queries: `queries/NAME.rq`, each with a header that declares its parameters.

Header lines (comments at the top of the file):

    # title: Designations by an authority
    # purpose: every designation an authority made, with status and dates
    # param: authority (string, optional) a name or alias of the listing body
    # example: kg query designations-by-authority --param authority="Department of State"

A parameter value is turned into a typed RDF term by its declared type and bound to the
query variable of the same name (pyoxigraph substitutions), never pasted into the text.

"As of" a day (`--as-of`) is about what kg knew, not about when facts were true: the query
runs over a dataset made of the named graphs whose every recorded activity (extraction
runs, link decisions) ended on or before that day, UTC. The store keeps only the latest
state of a graph, so a graph updated after the day (a document re-extracted, a list given
a newer version, links decided again) is left out whole rather than shown with knowledge
from after the day. The ontology's graph, the model rather than knowledge, is always in.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shlex
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef

from kg.errors import QueryError, StoreError
from kg.name_index import graph_name as names_graph_name
from kg.name_index import name_key, with_name_keys
from kg.namespace import DEFAULT_BASE, OWL, PREFIXES, PROV, RDF, RDFS, SKOS, XSD
from kg.reconcile.same_actor import graph_name as identity_graph_name
from kg.resources import queries_dir
from kg.values import date_literal

# date: a day, month or year (a period's bound); day: one day (what held on it); name: a
# label or alias in any case, bound as its key in the name index (kg.name_index), so that
# the query looks the key up (`?actor kg:nameKey ?name`) instead of lower-casing every
# name of the KG to compare it.
PARAM_TYPES = ("string", "name", "iri", "date", "day", "year", "integer")
# The graph of the ontology in a store (kg.store.ONTOLOGY_GRAPH): always part of a dataset.
_ONTOLOGY_GRAPH = "https://w3id.org/kg/ontology"
# When a graph's contents were learned: an extraction run's end, a link decision's time.
_LEARNED_AT = (PROV.endedAtTime, PROV.generatedAtTime)
_PREFIX_USE = re.compile(r"(?<![\w<])([A-Za-z][\w-]*):(?=[A-Za-z_])")
_PARAM = re.compile(r"^(\w+)\s*\((\w+)(?:,\s*(optional))?\)\s*(.*)$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    optional: bool
    description: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    text: str
    title: str
    purpose: str
    params: list[Param] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


def parse_query_file(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    header: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line.lstrip("# ").partition(":")
        if sep and key.strip() in ("title", "purpose", "param", "example"):
            header.setdefault(key.strip(), []).append(value.strip())
    params = []
    for spec in header.get("param", []):
        match = _PARAM.match(spec)
        if not match or match.group(2) not in PARAM_TYPES:
            raise QueryError(f"{path}: bad parameter declaration {spec!r}")
        params.append(Param(match.group(1), match.group(2), bool(match.group(3)),
                            match.group(4)))
    return NamedQuery(
        name=path.stem,
        path=path,
        text=text,
        title=(header.get("title") or [path.stem])[0],
        purpose=" ".join(header.get("purpose", [])),
        params=params,
        examples=header.get("example", []),
    )


def list_queries() -> list[NamedQuery]:
    return [parse_query_file(p) for p in sorted(queries_dir().glob("*.rq"), key=lambda p: p.stem)]


def find_query(name_or_file: str) -> NamedQuery:
    """A query by its name (`queries/NAME.rq`) or by the path of an .rq file."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.is_file():
        return parse_query_file(path)
    if _NAME.match(name_or_file):
        candidate = queries_dir() / f"{name_or_file}.rq"
        if candidate.is_file():
            return parse_query_file(candidate)
    known = ", ".join(q.name for q in list_queries())
    raise QueryError(f"unknown query {name_or_file!r}; the named queries are: {known}")


def example_params(query: NamedQuery, index: int = 0) -> dict[str, str]:
    """The raw parameters of one of a query's example calls (`# example: kg query NAME
    --param k=v ...`): what the README shows, the tests check and the benchmark times."""
    words = shlex.split(query.examples[index])
    params: dict[str, str] = {}
    for flag, value in zip(words, words[1:], strict=False):
        if flag in ("--param", "-p"):
            key, _, raw = value.partition("=")
            params[key] = raw
    return params


def typed_value(param: Param, raw: str) -> URIRef | Literal:
    """The RDF term for a parameter value, or a QueryError naming the expected type."""
    raw = raw.strip()
    if param.type == "string":
        return Literal(raw)
    if param.type == "name":
        if not raw:
            raise QueryError(f"parameter {param.name}: an empty name finds nothing "
                             "(expected a label or alias, in any case)")
        return Literal(name_key(raw))
    if param.type == "iri":
        if raw.startswith("<") and raw.endswith(">"):
            raw = raw[1:-1]
        prefix, sep, local = raw.partition(":")
        if sep and prefix in PREFIXES and not local.startswith("//"):
            raw = str(PREFIXES[prefix]) + local
        try:
            return URIRef(ox.NamedNode(raw).value)
        except ValueError:
            pass
        raise QueryError(f"parameter {param.name}: {raw!r} is not an IRI (expected an absolute "
                         f"IRI or prefix:name with one of {', '.join(PREFIXES)})")
    if param.type == "day":
        value = date_literal(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else None
        if value is None:
            raise QueryError(f"parameter {param.name}: {raw!r} is not a day "
                             "(expected YYYY-MM-DD)")
        return value
    if param.type == "date":
        value = date_literal(raw) if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", raw) else None
        if value is None:
            raise QueryError(f"parameter {param.name}: {raw!r} is not a date "
                             "(expected YYYY, YYYY-MM or YYYY-MM-DD)")
        return value
    if param.type == "year":
        if not re.fullmatch(r"\d{4}", raw):
            raise QueryError(f"parameter {param.name}: {raw!r} is not a year (expected YYYY)")
        return Literal(raw, datatype=XSD.gYear)
    if not re.fullmatch(r"-?\d+", raw):
        raise QueryError(f"parameter {param.name}: {raw!r} is not an integer (expected digits)")
    return Literal(int(raw), datatype=XSD.integer)


def bind_params(query: NamedQuery, raw: dict[str, str]) -> dict[str, URIRef | Literal]:
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(raw) - set(declared))
    if unknown:
        expected = ", ".join(f"{p.name} ({p.type})" for p in query.params) or "none"
        raise QueryError(f"query {query.name} has no parameter {', '.join(unknown)}; "
                         f"its parameters: {expected}")
    bound = {}
    for param in query.params:
        if param.name in raw:
            bound[param.name] = typed_value(param, raw[param.name])
        elif not param.optional:
            raise QueryError(f"query {query.name} needs --param {param.name}=VALUE "
                             f"({param.type}): {param.description}")
    return bound


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Any]]


def _plain(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return term.value
    return term.value if hasattr(term, "value") else str(term)


def parse_as_of(raw: str) -> dt.datetime:
    """The end of the day `raw` names (YYYY-MM-DD, UTC), or the instant it names (an ISO
    date-time): what the KG had learned before it is what it knew on that day."""
    text = raw.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.datetime.combine(dt.date.fromisoformat(text) + dt.timedelta(days=1),
                                       dt.time(), dt.UTC)
        if "T" in text:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    except ValueError:
        pass
    raise QueryError(f"--as-of: {raw!r} is not a date (expected YYYY-MM-DD, or an ISO "
                     "date-time such as 2025-03-01T12:00:00Z)")


def learned_times(store: Any) -> dict[str, dt.datetime]:
    """When each named graph's contents were last learned: its latest recorded activity."""
    latest: dict[str, dt.datetime] = {}
    for prop in _LEARNED_AT:
        for quad in store.db.quads_for_pattern(None, ox.NamedNode(str(prop)), None, None):
            if not isinstance(quad.graph_name, ox.NamedNode):
                continue
            try:
                when = dt.datetime.fromisoformat(quad.object.value.replace("Z", "+00:00"))
            except ValueError:
                continue  # not a time: says nothing of when the graph was learned
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            name = quad.graph_name.value
            if name not in latest or when > latest[name]:
                latest[name] = when
    return latest


def graphs_known(store: Any, before: dt.datetime) -> list[str]:
    """The named graphs the KG knew before `before` (see the module's docstring)."""
    known = {name for name, when in learned_times(store).items() if when < before}
    return sorted(known | {_ONTOLOGY_GRAPH})


def sparql_text(query: NamedQuery) -> str:
    """The query as standalone SPARQL 1.1: the PREFIX declarations of the prefixes it uses
    (from kg.namespace), then its text, for any other SPARQL engine."""
    lines = query.text.splitlines(keepends=True)
    cut = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    body = "".join(lines[cut:])
    used = sorted({m.group(1) for m in _PREFIX_USE.finditer(body)} & set(PREFIXES))
    prefixes = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in used)
    return "".join(lines[:cut]) + prefixes + body


def _ox_term(term: URIRef | Literal) -> ox.NamedNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))


# The view's folder inside a store's folder, and the file that records what it was made from.
VIEW_DIR = "query-view"
_VIEW_KEY = "source.key"


def _store_key(store: Any) -> str:
    """A digest of the store's database files (names, sizes, times): it changes whenever a
    build, a reconciliation or any other write changes the store. RocksDB's own LOG files
    are left out: opening a store, even read-only, may write them."""
    folder = Path(store.path) / "store"
    parts = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_file() and not entry.name.startswith("LOG"):
            info = entry.stat()
            parts.append(f"{entry.name}\t{info.st_size}\t{info.st_mtime_ns}")
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()


_SAME_AS = ox.NamedNode(str(OWL.sameAs))
_TYPE = ox.NamedNode(str(RDF.type))
_LABEL = ox.NamedNode(str(RDFS.label))
_ALT_LABEL = ox.NamedNode(str(SKOS.altLabel))
_IDENTITY_GRAPH = str(identity_graph_name(""))  # under whichever base the store uses


def _in_identity_graph(graph: Any) -> bool:
    return isinstance(graph, ox.NamedNode) and graph.value.endswith(_IDENTITY_GRAPH)


def _identity_links(db: ox.Store, subject: ox.NamedNode | None = None
                    ) -> Iterator[tuple[ox.NamedNode, ox.NamedNode]]:
    """(folded IRI, canonical IRI) pairs of the identity graph (kg.reconcile.same_actor)."""
    for quad in db.quads_for_pattern(subject, _SAME_AS, None, None):
        if _in_identity_graph(quad.graph_name) and isinstance(quad.subject, ox.NamedNode) \
                and isinstance(quad.object, ox.NamedNode):
            yield quad.subject, quad.object


def same_actors(store: Any) -> dict[ox.NamedNode, ox.NamedNode]:
    """Actor IRIs folded into another -> their canonical IRI."""
    return dict(_identity_links(store.db))


def _folded(quads: Iterable[ox.Quad], same: Mapping[Any, ox.NamedNode]
            ) -> Iterable[ox.Quad]:
    """The quads with each folded actor IRI replaced by its canonical one, so that a query
    finds everything said of one actor under any of its names: a folded IRI's labels
    become aliases of the canonical actor and its type is left to the canonical one's.
    The identity graph's own statements (what was folded into what, under which names)
    are kept as they are, but for the folded IRIs' types: only canonical IRIs are actors."""
    if not same:
        yield from quads
        return
    for quad in quads:
        subject, predicate, obj = quad.subject, quad.predicate, quad.object
        if _in_identity_graph(quad.graph_name):
            if not (predicate == _TYPE and subject in same):
                yield quad
            continue
        if subject in same:
            if predicate == _TYPE:
                continue
            if predicate == _LABEL:
                predicate = _ALT_LABEL
            subject = same.get(subject, subject)
        obj = same.get(obj, obj)
        yield ox.Quad(subject, predicate, obj, quad.graph_name)


def _with_merge(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Each quad, and after one of a named graph its triple in the default graph: the RDF
    merge, since a store is a set and keeps a quad loaded twice once."""
    default = ox.DefaultGraph()
    for quad in quads:
        yield quad
        if quad.graph_name != default:
            yield ox.Quad(quad.subject, quad.predicate, quad.object, default)


def _merged(target: ox.Store, quads: Iterable[ox.Quad]) -> ox.Store:
    """Fill `target` with `quads` and, as its default graph, their merge, in one bulk load:
    19 s for 1.1M quads (2.0M in the view), where a bulk load then a SPARQL
    `INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }` made the same store in 46 s."""
    target.bulk_extend(_with_merge(quads))
    return target


def _view_quads(store: Any) -> Iterator[ox.Quad]:
    """The store's quads with merged actors folded, and the keys of their names: those of
    the store's name index where kg wrote one, made here for a store filled otherwise
    (loaded by hand, or written by a kg that kept no index)."""
    keys = str(names_graph_name(DEFAULT_BASE))
    return iter(_folded(with_name_keys(store.quads(), keys), same_actors(store)))


def query_view(store: Any, *, in_memory: bool = False) -> ox.Store:
    """The store as named queries see it: its named graphs, and as default graph their RDF
    merge, each triple once.

    pyoxigraph 0.5 evaluates a union default graph (and FROM g1 FROM g2) as a bag: a
    triple stated in k documents' graphs matches k times (oxigraph/oxigraph#1919, fixed by
    #1920 for 0.6). An actor restated in every document that names it would multiply each
    join on it, giving rdflib's answers only after DISTINCT and taking minutes on a large
    KG. So the merge is made once, into a copy beside the store (`query-view/`), and made
    again when the store's files change. Where the store's folder cannot be written, the
    view is made in memory for this process, as it is with `in_memory` (tests, one-off
    runs that should leave the store's folder as it is)."""
    if in_memory:
        return _merged(ox.Store(), _view_quads(store))
    folder = Path(store.path) / VIEW_DIR
    key = _store_key(store)
    marker = folder / _VIEW_KEY
    if marker.is_file() and marker.read_text(encoding="utf-8") == key:
        return ox.Store.read_only(str(folder / "store"))
    partial = folder.with_name(f"{VIEW_DIR}.{os.getpid()}.partial")
    try:
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        _merged(ox.Store(str(partial / "store")), _view_quads(store)).flush()
        (partial / _VIEW_KEY).write_text(key, encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
        return _merged(ox.Store(), _view_quads(store))
    try:
        return ox.Store.read_only(str(folder / "store"))
    except OSError as exc:
        raise StoreError(f"cannot open the query view at {folder}: {exc}") from exc


def query_view_as_of(store: Any, before: dt.datetime) -> ox.Store:
    """An in-memory view (see `query_view`) of the graphs the KG knew before `before`.
    Actors are not folded into one another here: which IRIs are one actor is decided
    over the whole store, now, and is not part of what the KG knew then."""
    quads = (q for g in graphs_known(store, before) for q in store.quads(ox.NamedNode(g)))
    # The store's name index holds the names known now; the view keys those known then.
    return _merged(ox.Store(), with_name_keys(quads, str(names_graph_name(DEFAULT_BASE))))


def canonical_params(db: ox.Store, params: Mapping[str, URIRef | Literal]
                     ) -> dict[str, URIRef | Literal]:
    """The parameters with each actor IRI as the view knows it: its canonical IRI if it
    was folded into another (see `_folded`), so that any of an actor's IRIs finds it."""
    bound: dict[str, URIRef | Literal] = {}
    for name, value in params.items():
        bound[name] = value
        if isinstance(value, URIRef):
            for _, canonical in _identity_links(db, ox.NamedNode(str(value))):
                bound[name] = URIRef(canonical.value)
    return bound


def run_query(store: Any, query: NamedQuery, params: dict[str, URIRef | Literal]) -> Table:
    """Run a named query on a view (`query_view`, `query_view_as_of`), or on a KGStore's
    union of graphs, where a triple in several graphs matches once per graph (fine for
    queries that count distinct nodes, as the summary does)."""
    options: dict[str, Any] = {}
    db = store
    if not isinstance(store, ox.Store):
        db, options = store.db, {"use_default_graph_as_union": True}
    substitutions = {ox.Variable(k): _ox_term(v)
                     for k, v in canonical_params(db, params).items()}
    try:
        results = db.query(
            query.text, prefixes={k: str(v) for k, v in PREFIXES.items()},
            substitutions=substitutions, **options)
    except SyntaxError as exc:
        raise QueryError(f"{query.path}: SPARQL syntax error: {exc}") from exc
    if isinstance(results, ox.QuerySolutions):
        columns = [v.value for v in results.variables]
        return Table(columns, [[_plain(s[c]) for c in columns] for s in results])
    if isinstance(results, ox.QueryBoolean):
        return Table(["result"], [[bool(results)]])
    return Table(["subject", "predicate", "object"],
                 [[_plain(t.subject), _plain(t.predicate), _plain(t.object)] for t in results])


def format_table(table: Table, fmt: str) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(table.columns, row, strict=True)) for row in table.rows],
                          indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows([["" if v is None else v for v in row] for row in table.rows])
        return out.getvalue()
    cells = [[("" if v is None else str(v)).replace("\n", " ") for v in row] for row in table.rows]
    widths = [min(60, max([len(c)] + [len(r[i]) for r in cells]))
              for i, c in enumerate(table.columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    for row in cells:
        lines.append("  ".join((v if len(v) <= w else v[: w - 1] + "…").ljust(w)
                               for v, w in zip(row, widths, strict=True)))
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"
