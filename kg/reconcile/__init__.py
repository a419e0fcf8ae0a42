"""Linking actors to Wikidata through SPARQL."""
