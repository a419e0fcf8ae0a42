"""Reading what a reconciliation client sends, and refusing what it should not.

Every request parameter that carries JSON (`queries`, `extend`) is read here into typed
values, checked against the shapes of the W3C Reconciliation Service API 0.2 schemas
(reconciliation-query-batch.json, data-extension-query.json) and against kg's own limits,
so that the service's other modules see only well-formed requests. A problem raises
`RequestError` with a message that names the query and the field, which the service
answers with HTTP 400: a client learns what to fix instead of getting an empty result.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from kg.errors import KGError

# A name longer than this is no name: it is refused rather than folded and compared.
MAX_QUERY_CHARS = 500
# More queries or ids per request than this are refused (OpenRefine sends 10 or so).
MAX_BATCH = 500
# More candidates per query than this are never returned; a larger limit is lowered.
MAX_LIMIT = 100
DEFAULT_LIMIT = 10
MAX_VALUES = 50
TYPE_STRICT = ("any", "should", "all")
_QUERY_FIELDS = frozenset({"query", "type", "limit", "properties", "type_strict"})


class RequestError(KGError):
    """A request the service cannot answer as asked; `status` is its HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ConditionValue:
    """One value of a property condition: a text, or an entity reconciled before (its id,
    and its name when the client sent one)."""

    text: str | None
    id: str | None = None


@dataclass(frozen=True)
class Condition:
    pid: str
    values: tuple[ConditionValue, ...]


@dataclass(frozen=True)
class ReconQuery:
    text: str
    types: tuple[str, ...]
    type_strict: str
    limit: int
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class ExtendProperty:
    id: str
    limit: int
    """Values per cell at most; 0 for all."""


@dataclass(frozen=True)
class ExtendQuery:
    ids: tuple[str, ...]
    properties: tuple[ExtendProperty, ...]


def parse_json(raw: str, param: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise RequestError(f"the {param} parameter is not JSON: {exc}") from None


def _limit(value: Any, where: str) -> int:
    """A count sent as a JSON number or as a numeric string (OpenRefine's settings)."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise RequestError(f"{where} must be a number, not {value[:40]!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value < 0 or value != int(value):
        raise RequestError(f"{where} must be a whole number >= 0, not {str(value)[:40]}")
    return int(value)


def _condition_value(value: Any, where: str) -> ConditionValue:
    if isinstance(value, bool):
        return ConditionValue("true" if value else "false")
    if isinstance(value, str):
        if len(value) > MAX_QUERY_CHARS:
            raise RequestError(f"{where}: a value is longer than {MAX_QUERY_CHARS} characters")
        return ConditionValue(value)
    if isinstance(value, int | float) and math.isfinite(value):
        return ConditionValue(str(value))
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        name = value.get("name")
        if len(value["id"]) > MAX_QUERY_CHARS or (isinstance(name, str)
                                                  and len(name) > MAX_QUERY_CHARS):
            raise RequestError(f"{where}: a value is longer than {MAX_QUERY_CHARS} characters")
        return ConditionValue(name if isinstance(name, str) else None, value["id"])
    raise RequestError(f"{where}: a value must be a string, a number, a boolean or an "
                       'object with an "id"')


def _conditions(raw: Any, where: str) -> tuple[Condition, ...]:
    if not isinstance(raw, list):
        raise RequestError(f"{where}: properties must be an array")
    conditions = []
    for i, item in enumerate(raw):
        at = f"{where}: properties[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item:
            raise RequestError(f'{at} must be an object with "pid" (a string) and "v"')
        values = item["v"] if isinstance(item["v"], list) else [item["v"]]
        if len(values) > MAX_VALUES:
            raise RequestError(f"{at} has more than {MAX_VALUES} values")
        conditions.append(Condition(item["pid"],
                                    tuple(_condition_value(v, at) for v in values)))
    return tuple(conditions)


def _query(key: str, raw: Any) -> ReconQuery:
    where = f"query {key[:40]!r}"
    if not isinstance(raw, dict):
        raise RequestError(f"{where} must be an object")
    unknown = sorted(set(raw) - _QUERY_FIELDS)
    if unknown:
        raise RequestError(f"{where} has unknown fields {', '.join(u[:40] for u in unknown)}; "
                           f"the fields are {', '.join(sorted(_QUERY_FIELDS))}")
    text = raw.get("query", "")
    if not isinstance(text, str):
        raise RequestError(f"{where}: query must be a string")
    if len(text) > MAX_QUERY_CHARS:
        raise RequestError(f"{where}: query is longer than {MAX_QUERY_CHARS} characters")
    conditions = _conditions(raw.get("properties", []), where)
    if "query" not in raw and not conditions:
        raise RequestError(f'{where} needs "query" or a non-empty "properties"')
    types = raw.get("type", [])
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise RequestError(f"{where}: type must be a string or an array of strings")
    strict = raw.get("type_strict", "any")
    if strict not in TYPE_STRICT:
        raise RequestError(f"{where}: type_strict must be one of {', '.join(TYPE_STRICT)}")
    limit = _limit(raw["limit"], f"{where}: limit") if "limit" in raw else DEFAULT_LIMIT
    return ReconQuery(text, tuple(types), strict, min(limit, MAX_LIMIT) or DEFAULT_LIMIT,
                      conditions)


def parse_queries(raw: str) -> dict[str, ReconQuery]:
    """A reconciliation query batch (the `queries` parameter)."""
    batch = parse_json(raw, "queries")
    if not isinstance(batch, dict):
        raise RequestError('queries must be a JSON object of queries by key, e.g. '
                           '{"q0": {"query": "Kataib Hizballah"}}')
    if len(batch) > MAX_BATCH:
        raise RequestError(f"a batch may hold {MAX_BATCH} queries at most, not {len(batch)}")
    return {key: _query(key, value) for key, value in batch.items()}


def parse_extend(raw: str) -> ExtendQuery:
    """A data extension query (the `extend` parameter)."""
    query = parse_json(raw, "extend")
    if not isinstance(query, dict) or not isinstance(query.get("ids"), list) \
            or not isinstance(query.get("properties"), list):
        raise RequestError('extend must be a JSON object with "ids" and "properties" arrays')
    ids = query["ids"]
    if len(ids) > MAX_BATCH or len(query["properties"]) > MAX_BATCH:
        raise RequestError(f"extend may ask for {MAX_BATCH} ids and properties at most")
    if not all(isinstance(i, str) and len(i) <= MAX_QUERY_CHARS for i in ids):
        raise RequestError(f"extend: every id must be a string of at most {MAX_QUERY_CHARS} "
                           "characters")
    properties = []
    for i, prop in enumerate(query["properties"]):
        where = f"extend: properties[{i}]"
        if not isinstance(prop, dict) or not isinstance(prop.get("id"), str):
            raise RequestError(f'{where} must be an object with an "id" (a string)')
        settings = prop.get("settings", {})
        if not isinstance(settings, dict):
            raise RequestError(f"{where}: settings must be an object")
        limit = _limit(settings["limit"], f"{where}: settings.limit") if "limit" in settings \
            else 0
        properties.append(ExtendProperty(prop["id"], limit))
    return ExtendQuery(tuple(ids), tuple(properties))
