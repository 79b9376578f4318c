"""Dossier status: where a citizen's application (hồ sơ) stands, shown only to its owner.

Codes (`codes`), working-day calendar (`calendar`), stored rows (`models`), sources of truth (`sources`),
CSV/JSON import (`importer`), the lookup service (`lookup`) and status-change notifications (`notify`).
"""
