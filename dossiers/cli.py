"""`assistant dossiers import|demo|refresh`: registered by `assistant.cli` with one call."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory


def add_commands(commands: Any) -> None:
    dossiers = commands.add_parser("dossiers", help="Dossier status.").add_subparsers(title="dossiers commands")
    imp = dossiers.add_parser("import", help="Import dossiers from a CSV or JSON file (idempotent).")
    imp.add_argument("file", type=Path)
    imp.set_defaults(handler=_import)
    dossiers.add_parser("demo", help="Load the SYNTHETIC demo dossiers (idempotent).").set_defaults(handler=_demo)
    dossiers.add_parser("refresh", help="Re-read watched dossiers from the provincial system; queue notices."
                        ).set_defaults(handler=_refresh)


def _prepare(settings: Settings) -> Any:
    from knowledge.migrate import upgrade_database

    engine = create_db_engine(settings.database_url)
    upgrade_database(engine)
    return create_session_factory(engine)


def _run_import(settings: Settings, path: Path, *, source: str, synthetic: bool) -> int:
    from dossiers.calendar import HolidayCalendar
    from dossiers.importer import import_file

    if not path.is_file():
        raise FileNotFoundError(2, "No such file", str(path))
    report = import_file(_prepare(settings), path, pepper=settings.dossier_pepper.get_secret_value(),
                         calendar=HolidayCalendar.from_file(settings.dossier_holidays_file), source=source,
                         synthetic=synthetic)
    for row in report.rejected:
        sys.stderr.write(f"rejected row {row.row} {row.code}: {row.reason_en} / {row.reason_vi}\n")
    summary = report.as_dict()
    summary["rejected"] = len(report.rejected)
    sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    return _run_import(settings, args.file, source="import", synthetic=False)


def _demo(_args: argparse.Namespace, settings: Settings) -> int:
    from dossiers.demo_data import DEMO_FILE

    return _run_import(settings, DEMO_FILE, source="demo", synthetic=True)


def _refresh(_args: argparse.Namespace, settings: Settings) -> int:
    import httpx

    from dossiers.refresh import refresh_watched
    from dossiers.sources.factory import build_source

    if settings.dossier_source != "http":
        sys.stderr.write("error: refresh reads a provincial system; set ASSISTANT_DOSSIER_SOURCE=http\n")
        return 1
    factory = _prepare(settings)

    async def run() -> Any:
        async with httpx.AsyncClient() as http:
            return await refresh_watched(factory, build_source(settings, factory, http))

    report = asyncio.run(run())
    sys.stdout.write(json.dumps(vars(report)) + "\n")
    return 1 if report.unavailable and report.unavailable == report.checked else 0
