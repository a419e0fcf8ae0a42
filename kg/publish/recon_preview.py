"""The small HTML card OpenRefine shows when a user hovers over or opens a candidate.

It must let an analyst tell namesakes apart at a glance: types, other names, the
Wikidata item, affiliations and designations, a few of each. Every text from the store
is HTML-escaped: names come from news articles and lists, and may hold markup.
"""

from __future__ import annotations

from html import escape

from kg.publish.recon_facts import ActorFacts
from kg.publish.recon_properties import INVERSES, affiliation_kinds

# How many affiliations and designations the card lists; the rest are counted.
SHOWN = 5
WIDTH, HEIGHT = 400, 220


def _listing(title: str, items: list[str]) -> str:
    if not items:
        return ""
    shown = "".join(f"<li>{escape(item)}</li>" for item in items[:SHOWN])
    more = f"<li>and {len(items) - SHOWN} more</li>" if len(items) > SHOWN else ""
    return f'<div>{escape(title)}:<ul style="margin:0;padding-left:1.2em">{shown}{more}</ul></div>'


def preview_snippet(facts: ActorFacts, view_url: str) -> str:
    """The card as an HTML fragment (for the flyout, and inside the preview page)."""
    kind_labels = {notation: label for notation, label, _ in affiliation_kinds()}
    types = ", ".join(e.label for e in facts.values("type"))
    aliases = ", ".join(e.value for e in facts.values("alias"))
    qids = ", ".join(e.value.rsplit("/", 1)[-1] for e in facts.values("wikidata"))
    nationality = ", ".join(e.label for e in facts.values("nationality"))
    affiliations = []
    for a in facts.affiliations:
        label = kind_labels.get(a.kind, a.kind)
        if not a.forward and a.kind in INVERSES:
            label = INVERSES[a.kind][1]
        affiliations.append(f"{label} {a.other.label}" + (f" ({a.role})" if a.role else ""))
    lines = [
        f'<div style="font-family:sans-serif;font-size:13px;width:{WIDTH - 16}px">',
        f'<div><a href="{escape(view_url)}" target="_blank" rel="noopener"><strong>'
        f"{escape(facts.name)}</strong></a> <small>{escape(types)}</small></div>",
    ]
    for title, text in (("also", aliases), ("Wikidata", qids), ("nationality", nationality)):
        if text:
            lines.append(f"<div>{escape(title)}: {escape(text)}</div>")
    lines.append(_listing("affiliations", affiliations))
    lines.append(_listing("designations", [d.summary() for d in facts.designations]))
    lines.append("</div>")
    return "\n".join(line for line in lines if line)


def preview_page(snippet: str, title: str) -> str:
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head>\n<body style=\"margin:0\">\n{snippet}\n"
            "</body></html>\n")
