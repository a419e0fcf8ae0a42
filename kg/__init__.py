"""kg: a knowledge graph of armed actors, built from news reports and official lists.

The pipeline's stages, each a plain function: read a document, extract its graph,
validate it, store it, query it.
"""

from __future__ import annotations

from kg.build import build
from kg.documents import Document, read_document
from kg.extract import ExtractOptions, extract_document
from kg.facts import document_facts
from kg.store import KGStore
from kg.validate import ValidationReport, validate_graph

__version__ = "0.1.0"

__all__ = [
    "Document", "ExtractOptions", "KGStore", "ValidationReport", "__version__", "build",
    "document_facts", "extract_document", "read_document", "validate_graph",
]
