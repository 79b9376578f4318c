from __future__ import annotations

import json
from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dossiers.calendar import HolidayCalendar, is_overdue
from dossiers.demo_data import AS_OF, DEMO_FILE, generate
from dossiers.domain import STATUS_VALUES
from dossiers.importer import import_file
from dossiers.models import Dossier
from dossiers.verification import digest
from tests.dossiers.conftest import PEPPER


def test_the_shipped_file_is_exactly_what_the_generator_makes() -> None:
    assert json.loads(DEMO_FILE.read_text(encoding="utf-8")) == json.loads(json.dumps(generate()))


def test_the_set_is_synthetic_varied_and_has_overdue_dossiers() -> None:
    data = generate()
    rows = data["dossiers"]
    assert data["synthetic"] is True and "SYNTHETIC" in data["note"]
    assert 200 <= len(rows) <= 500 and len({r["code"] for r in rows}) == len(rows)
    assert set(Counter(r["status"] for r in rows)) == STATUS_VALUES
    assert len({r["procedure_code"] for r in rows}) >= 10
    overdue = [r for r in rows if is_overdue(r["status"], date.fromisoformat(r["due_date"]), AS_OF)]
    assert len(overdue) >= 20 and any(r.get("expected_date") for r in overdue)
    assert all(r["phone"][-4:] == r["code"][-4:] for r in rows)  # the published demo rule


def test_loading_the_demo_twice_changes_nothing(session_factory: sessionmaker[Session],
                                                calendar: HolidayCalendar) -> None:
    first = import_file(session_factory, DEMO_FILE, pepper=PEPPER, calendar=calendar, source="demo", synthetic=True)
    assert first.created == len(generate()["dossiers"]) and not first.rejected
    again = import_file(session_factory, DEMO_FILE, pepper=PEPPER, calendar=calendar, source="demo", synthetic=True)
    assert again.unchanged == first.created and again.created == again.updated == 0
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Dossier).where(Dossier.synthetic.is_(False))) == 0
        row = session.scalars(select(Dossier).limit(1)).one()
        assert digest(PEPPER, row.code, row.code[-4:]) in {v.digest for v in row.verifiers}
