"""The picture of an actor's relation network on its page: the actor in the middle, the
actors it is affiliated with around it, each edge named by the kind of affiliation.

Drawn as SVG on the server with a fixed radial layout, so the page needs no script to
show it, the picture is the same for every reader, and every node is a link to that
actor's page. Built with ElementTree, which escapes labels (they come from news text).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 760, 520
RADIUS = 190
MAX_NEIGHBOURS = 24

# Fill of a node by the local name of its kg class; anything else is grey.
COLOURS = {
    "Person": "#4e79a7", "ArmedGroup": "#e15759", "Organization": "#f28e2b",
    "GovernmentBody": "#59a14f", "State": "#76b7b2",
}


@dataclass(frozen=True)
class NetworkNode:
    iri: str
    label: str
    kind: str  # local name of its kg class, e.g. "ArmedGroup"


@dataclass(frozen=True)
class NetworkEdge:
    other: NetworkNode
    label: str  # "leader of", "supported by", ...
    outgoing: bool  # the centre is the affiliation's member


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def network_svg(centre: NetworkNode, edges: list[NetworkEdge],
                href: Callable[[str], str]) -> str:
    """The SVG of the network, as text to put inline in a page."""
    ET.register_namespace("", SVG_NS)
    svg = ET.Element(f"{{{SVG_NS}}}svg", {
        "width": str(WIDTH), "height": str(HEIGHT), "viewBox": f"0 0 {WIDTH} {HEIGHT}",
        "role": "img", "class": "network",
    })
    ET.SubElement(svg, f"{{{SVG_NS}}}title").text = f"Relations of {centre.label}"
    ET.SubElement(svg, f"{{{SVG_NS}}}rect", {"width": "100%", "height": "100%",
                                             "fill": "#ffffff"})
    # One node per neighbour: several affiliations with one actor share its edge's label.
    by_other: dict[str, tuple[NetworkNode, list[str]]] = {}
    for edge in edges:
        phrase = edge.label if edge.outgoing else f"← {edge.label}"
        entry = by_other.setdefault(edge.other.iri, (edge.other, []))
        if phrase not in entry[1]:
            entry[1].append(phrase)
    neighbours = list(by_other.values())[:MAX_NEIGHBOURS]
    cx, cy = WIDTH / 2, HEIGHT / 2
    lines = ET.SubElement(svg, f"{{{SVG_NS}}}g", {"stroke": "#999999", "stroke-width": "1.5"})
    labels = ET.SubElement(svg, f"{{{SVG_NS}}}g", {"font-family": "sans-serif",
                                                   "font-size": "11", "fill": "#555555"})
    nodes = ET.SubElement(svg, f"{{{SVG_NS}}}g", {"font-family": "sans-serif",
                                                  "font-size": "12"})
    for index, (node, words) in enumerate(neighbours):
        angle = 2 * math.pi * index / max(1, len(neighbours)) - math.pi / 2
        x, y = cx + RADIUS * math.cos(angle), cy + RADIUS * math.sin(angle)
        ET.SubElement(lines, f"{{{SVG_NS}}}line", {
            "x1": f"{cx:.1f}", "y1": f"{cy:.1f}", "x2": f"{x:.1f}", "y2": f"{y:.1f}"})
        label = ET.SubElement(labels, f"{{{SVG_NS}}}text", {
            "x": f"{(cx + x) / 2:.1f}", "y": f"{(cy + y) / 2 - 4:.1f}",
            "text-anchor": "middle"})
        label.text = _short(", ".join(words), 34)
        _node(nodes, node, x, y, 14, href)
    _node(nodes, centre, cx, cy, 22, href)
    return ET.tostring(svg, encoding="unicode")


def _node(parent: ET.Element, node: NetworkNode, x: float, y: float, radius: int,
          href: Callable[[str], str]) -> None:
    link = ET.SubElement(parent, f"{{{SVG_NS}}}a", {"href": href(node.iri)})
    ET.SubElement(link, f"{{{SVG_NS}}}circle", {
        "cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": str(radius),
        "fill": COLOURS.get(node.kind, "#bab0ac"), "stroke": "#333333"})
    text = ET.SubElement(link, f"{{{SVG_NS}}}text", {
        "x": f"{x:.1f}", "y": f"{y + radius + 14:.1f}", "text-anchor": "middle",
        "fill": "#222222"})
    text.text = _short(node.label)
    ET.SubElement(link, f"{{{SVG_NS}}}title").text = node.label
