"""Publishing the KG to others: the reconciliation service and pushing to SPARQL servers."""
