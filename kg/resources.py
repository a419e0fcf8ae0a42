"""The one place that finds the data files kg ships: ontology, shapes, queries, gazetteer.

In a source checkout they sit at the top of the repository, beside `kg/`; in an installed
wheel they are bundled under `kg/_assets/` (see pyproject's force-include). Nothing else in
kg builds a path to them.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_BUNDLED = _PACKAGE / "_assets"
_ROOT = _BUNDLED if _BUNDLED.is_dir() else _PACKAGE.parent


def asset_dir(name: str) -> Path:
    """Folder of one kind of asset (`ontology`, `shapes`, `queries`, `gazetteer`, `lexicon`)."""
    return _ROOT / name


def ontology_path() -> Path:
    return asset_dir("ontology") / "kg.ttl"


def shapes_path() -> Path:
    return asset_dir("shapes") / "kg.ttl"


def queries_dir() -> Path:
    return asset_dir("queries")


def lexicon_entries(name: str) -> list[list[str]]:
    """The entries of one lexicon file: non-blank, non-comment lines split on tabs."""
    rows = []
    for line in (asset_dir("lexicon") / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def gazetteer_paths() -> list[Path]:
    """Every gazetteer file, in a stable order."""
    return sorted(asset_dir("gazetteer").glob("*.ttl"))
