"""`assistant communes seed`: the demo service-center directory, safe to run again."""

from __future__ import annotations

import json
import sys

from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory, session_scope
from communes.directory import seed_sample_centers
from communes.resolver import default_resolver
from knowledge.migrate import upgrade_database


def seed_command(settings: Settings) -> int:
    engine = create_db_engine(settings.database_url)
    try:
        upgrade_database(engine)
        with session_scope(create_session_factory(engine)) as session:
            report = seed_sample_centers(session, default_resolver())
    finally:
        engine.dispose()
    sys.stdout.write(json.dumps({"created": report.created, "unchanged": report.unchanged}) + "\n")
    return 0
