"""The server's data files: its SPARQL queries (`queries/*.rq`) and page templates
(`templates/`), found beside this module so that they ship inside the wheel with it."""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

_HERE = Path(__file__).resolve().parent


@functools.cache
def query_text(name: str) -> str:
    """The text of `kg/publish/queries/NAME.rq` (read once)."""
    return (_HERE / "queries" / f"{name}.rq").read_text(encoding="utf-8")


@functools.cache
def templates() -> jinja2.Environment:
    """Templates escape every value they print: labels and quotes come from news text."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
