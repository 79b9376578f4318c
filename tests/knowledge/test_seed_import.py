"""The bundled seed file imports whole: every one of the 2,642 procedures, none refused."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.db import session_scope
from knowledge import crud
from knowledge.portal_import import import_aliases, import_portal_file


def test_bundled_seed_imports_every_procedure_and_its_aliases(session_factory: sessionmaker[Session]) -> None:
    settings = Settings()
    report = import_portal_file(session_factory, settings.seed_file)
    assert report.rejected == []
    assert report.created == 2642
    with_aliases = import_aliases(session_factory, settings.aliases_file)
    assert len(with_aliases) >= 50
    with session_scope(session_factory) as session:
        assert crud.count_procedures(session) == 2642
        birth = crud.to_public(crud.get_procedure(session, code="1.001193"))
        assert birth.aliases and birth.channels and birth.documents
    again = import_portal_file(session_factory, settings.seed_file)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2642)
