"""Named SPARQL queries: `queries/NAME.rq`, each with a header that declares its parameters.

Header lines (comments at the top of the file):

    # title: Designations by an authority
    # purpose: every designation an authority made, with status and dates
    # param: authority (string, optional) a name or alias of the listing body
    # example: kg query designations-by-authority --param authority="Department of State"

A parameter value is turned into a typed RDF term by its declared type and bound to the
query variable of the same name (pyoxigraph substitutions), never pasted into the text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef

from kg.errors import QueryError
from kg.namespace import PREFIXES, XSD
from kg.resources import queries_dir
from kg.values import date_literal

PARAM_TYPES = ("string", "iri", "date", "year", "integer")
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
    return [parse_query_file(p) for p in sorted(queries_dir().glob("*.rq"))]


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


def typed_value(param: Param, raw: str) -> URIRef | Literal:
    """The RDF term for a parameter value, or a QueryError naming the expected type."""
    raw = raw.strip()
    if param.type == "string":
        return Literal(raw)
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
    if param.type == "date":
        value = date_literal(raw)
        if value is None:
            raise QueryError(f"parameter {param.name}: {raw!r} is not a date "
                             "(expected YYYY, YYYY-MM or YYYY-MM-DD)")
        return value
    if param.type == "year":
        if not re.fullmatch(r"\d{4}", raw):
            raise QueryError(f"parameter {param.name}: {raw!r} is not a year (expected YYYY)")
        return Literal(raw, datatype=XSD.gYear)
    if not re.fullmatch(r"-?\d+", raw):
        raise QueryError(f"parameter {param.name}: {raw!r} is not an integer")
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


def run_query(store: Any, query: NamedQuery, params: dict[str, URIRef | Literal]) -> Table:
    try:
        results = store.query(query.text, params)
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
