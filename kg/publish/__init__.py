"""Publishing the KG to others: on the web (`kg serve`: the SPARQL protocol,
dereferenceable IRIs with HTML pages, the ontology and shapes, a VoID/DCAT description,
dumps, the reconciliation service) and to other SPARQL servers (`kg push`).

The server only reads: it opens the store read-only, so a build can never be disturbed by
it and nothing a client sends can change the KG.
"""

from kg.publish.server import KGApp, ServerLimits, make_app

__all__ = ["KGApp", "ServerLimits", "make_app"]
