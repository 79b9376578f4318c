"""The knowledge base: procedures, their revisions and aliases, and the importer that fills it."""
