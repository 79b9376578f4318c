"""The `assistant` command: database, knowledge import, index, search, evaluation and serving."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings, get_settings
from assistant.db import create_db_engine, create_session_factory
from assistant.logging_setup import configure_logging
from dossiers import cli as dossier_commands

logger = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    settings = get_settings()
    configure_logging(settings.log_level if not args.quiet else "WARNING", settings.log_format)
    try:
        code: int = args.handler(args, settings)
    except FileNotFoundError as exc:
        sys.stderr.write(f"error: file not found: {exc.filename or exc}\n")
        return 1
    except OSError as exc:  # e.g. a truncated gzip crawl: one clear line, and the import committed nothing
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Citizen procedure assistant.")
    parser.add_argument("-q", "--quiet", action="store_true", help="Only warnings and errors in the log.")
    commands = parser.add_subparsers(title="commands")

    db = commands.add_parser("db", help="Database schema.").add_subparsers(title="db commands")
    db.add_parser("upgrade", help="Apply pending migrations.").set_defaults(handler=_db_upgrade)
    db_backup = db.add_parser("backup", help="Write a backup (SQLite copy or pg_dump custom format) to PATH.")
    db_backup.add_argument("path", type=Path)
    db_backup.set_defaults(handler=_db_backup)
    db_restore = db.add_parser("restore", help="Load the backup at PATH into a fresh, empty database.")
    db_restore.add_argument("path", type=Path)
    db_restore.set_defaults(handler=_db_restore)

    kb = commands.add_parser("kb", help="Knowledge base.").add_subparsers(title="kb commands")
    kb_import = kb.add_parser("import", help="Import a national-portal JSONL(.gz) file.")
    kb_import.add_argument("file", type=Path)
    kb_import.set_defaults(handler=_kb_import)
    kb_aliases = kb.add_parser("aliases", help="Attach aliases from a {code: [wording]} JSON file.")
    kb_aliases.add_argument("file", type=Path)
    kb_aliases.set_defaults(handler=_kb_aliases)
    kb.add_parser("seed", help="Import the bundled seed procedures and aliases.").set_defaults(
        handler=_kb_seed)
    kb_audit = kb.add_parser("audit", help="Check the rendered answers (units, items cut mid-word, form-file "
                             "debris, papers to bring, review flags); exit 1 above the thresholds.")
    kb_audit.add_argument("--file", type=Path, default=None,
                          help="Audit a portal file as the importer would store it, instead of the database.")
    kb_audit.add_argument("--top", type=int, default=10, help="How many of the worst procedures to list.")
    kb_audit.set_defaults(handler=_kb_audit)

    index = commands.add_parser("index", help="Search index.").add_subparsers(title="index commands")
    index.add_parser("build", help="Build the index from the database.").set_defaults(handler=_index_build)
    index.add_parser("audit", help="List abbreviations, colloquial phrases and aliases that can pull a question "
                     "to the wrong procedure; exit 1 when there is any.").set_defaults(handler=_index_audit)

    search = commands.add_parser("search", help="Search procedures from the command line.")
    search.add_argument("query")
    search.add_argument("--k", type=int, default=5)
    search.add_argument("--backend", choices=["hybrid", "bm25", "dense"], default="hybrid")
    search.set_defaults(handler=_search)

    evaluate = commands.add_parser("eval", help="Evaluation.").add_subparsers(title="eval commands")
    retrieval = evaluate.add_parser("retrieval", help="hit@1, hit@3, MRR and latency on a question file.")
    retrieval.add_argument("--questions", type=Path, required=True)
    retrieval.add_argument("--backend", choices=["hybrid", "bm25", "dense"], default="hybrid")
    retrieval.add_argument("--k", type=int, default=10)
    retrieval.set_defaults(handler=_eval_retrieval)
    chat = evaluate.add_parser("chat", help="Ask each question through /api/chat in a fresh conversation "
                               "and report first-answer-right, right-or-offered, wrong, no-answer, latency.")
    chat.add_argument("--questions", type=Path, required=True, action="append",
                      help="A JSONL question file (repeat for several).")
    chat.add_argument("--base-url", default=None, help="The app's URL (default: this machine's configured port).")
    chat.add_argument("--split", choices=["tune", "holdout", "fresh"], default=None,
                      help="Only the lines of this split.")
    chat.add_argument("--concurrency", type=int, default=1)
    chat.add_argument("--misses", action="store_true", help="Also list the questions that went wrong.")
    chat.add_argument("--json", type=Path, default=None, help="Write the figures to this file too.")
    chat.set_defaults(handler=_eval_chat)

    serve = commands.add_parser("serve", help="Serve the HTTP API.")
    serve.set_defaults(handler=_serve)
    from knowledge.admin.cli import add_admin_commands

    add_admin_commands(commands)

    telegram = commands.add_parser("telegram", help="Telegram bot.").add_subparsers(title="telegram commands")
    set_webhook = telegram.add_parser("set-webhook", help="Register URL (…/webhooks/telegram) with Telegram.")
    set_webhook.add_argument("url")
    set_webhook.set_defaults(handler=_telegram_set_webhook)
    poll = telegram.add_parser("poll", help="Answer the bot by long polling (local development).")
    poll.add_argument("--max-updates", type=int, default=None, help="Stop after this many updates.")
    poll.set_defaults(handler=_telegram_poll)

    channels = commands.add_parser("channels", help="Chat channels.").add_subparsers(title="channels commands")
    replay = channels.add_parser("replay", help="Send again the replies Telegram/Zalo did not take.")
    replay.add_argument("--force", action="store_true", help="Ignore the backoff: try every failed reply now.")
    replay.set_defaults(handler=_channels_replay)
    dossier_commands.add_commands(commands)
    communes = commands.add_parser("communes", help="Communes and service centers.").add_subparsers(
        title="communes commands")
    communes.add_parser("seed", help="Add the sample service centers (idempotent).").set_defaults(
        handler=_communes_seed)
    return parser


def _factory(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    engine = create_db_engine(settings.database_url)
    return engine, create_session_factory(engine)


def _require_file(path: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(2, "No such file", str(path))
    return path


def _db_upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.migrate import upgrade_database

    engine, _ = _factory(settings)
    upgrade_database(engine)
    sys.stdout.write("database is at the newest schema\n")
    return 0


def _db_backup(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.backup import BackupError, backup

    try:
        result = backup(settings.database_url, args.path)
    except BackupError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(json.dumps({"backup": str(result.path), "dialect": result.dialect,
                                 "bytes": result.size_bytes}) + "\n")
    return 0


def _db_restore(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.backup import BackupError, restore
    from knowledge.migrate import upgrade_database

    try:
        restore(settings.database_url, args.path)
    except BackupError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    engine, _ = _factory(settings)
    upgrade_database(engine)  # a backup of an older release is brought to this release's schema
    sys.stdout.write("restored; rebuild the search index with `assistant index build`\n")
    return 0


def _kb_import(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.migrate import upgrade_database
    from knowledge.portal_import import import_portal_file

    _require_file(args.file)
    engine, factory = _factory(settings)
    upgrade_database(engine)
    report = import_portal_file(factory, args.file)
    for rejected in report.rejected:
        sys.stderr.write(f"rejected line {rejected.line} (code {rejected.code}): {rejected.reason}\n")
    for code, fields in report.kept_staff_edits.items():
        sys.stderr.write(f"kept staff edits of {code}: {', '.join(fields)}\n")
    if report.kept_staff_edits:
        sys.stderr.write(f"{len(report.kept_staff_edits)} procedures kept staff edits\n")
    summary = report.as_dict()
    summary["rejected"] = len(report.rejected)
    sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
    return 0


def _kb_aliases(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.portal_import import import_aliases

    _require_file(args.file)
    _, factory = _factory(settings)
    changed = import_aliases(factory, args.file)
    sys.stdout.write(json.dumps({"procedures_with_new_aliases": len(changed)}) + "\n")
    return 0


def _kb_audit(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.audit import audit_database, audit_portal_file

    if args.file is not None:
        report = audit_portal_file(_require_file(args.file))
    else:
        _, factory = _factory(settings)
        report = audit_database(factory)
    sys.stdout.write(json.dumps(report.as_dict(top=args.top), ensure_ascii=False, indent=2) + "\n")
    return 1 if report.failures() else 0


def _kb_seed(args: argparse.Namespace, settings: Settings) -> int:
    args.file = settings.seed_file
    code = _kb_import(args, settings)
    if code == 0 and settings.aliases_file.is_file():
        args.file = settings.aliases_file
        code = _kb_aliases(args, settings)
    return code


def _index_build(_args: argparse.Namespace, settings: Settings) -> int:
    from assistant.search_service import SearchService

    _, factory = _factory(settings)
    service = SearchService(settings, factory)
    stats = service.rebuild(progress=True)
    sys.stdout.write(json.dumps(stats, ensure_ascii=False) + "\n")
    return 0


def _index_audit(_args: argparse.Namespace, settings: Settings) -> int:
    from index.collisions import audit
    from knowledge import crud

    _, factory = _factory(settings)
    with factory() as session:
        rows = crud.all_procedures(session)
        names = [row.name for row in rows]
        aliases = {row.code: [alias.text for alias in row.aliases] for row in rows}
    found = audit(aliases, names)
    for collision in found:
        sys.stdout.write(f"{collision.kind}\t{collision.text}\t{collision.detail}\n")
    sys.stdout.write(f"{len(found)} collision(s) in the vocabulary of {len(names)} procedures\n")
    return 1 if found else 0


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.search_service import SearchService

    _, factory = _factory(settings)
    service = SearchService(settings, factory)
    service.load()
    result = service.search(args.query, k=args.k, backend=args.backend)
    for rank, hit in enumerate(result.hits, start=1):
        sys.stdout.write(f"{rank}. {hit.code}  {hit.name}  [{', '.join(hit.levels)}]  "
                         f"score={hit.score:.4f} confidence={hit.confidence:.2f}\n")
    if not result.hits:
        sys.stdout.write("no procedure found\n")
    return 0


def _eval_retrieval(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.search_service import SearchService
    from index.evaluate import evaluate_retrieval, load_questions

    _require_file(args.questions)
    _, factory = _factory(settings)
    service = SearchService(settings, factory)
    searcher = service.load()
    report = evaluate_retrieval(searcher, load_questions(args.questions), backend=args.backend, k=args.k)
    sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    return 0


def _eval_chat(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from assistant import chat_eval

    reports = []
    for path in args.questions:
        _require_file(path)
        try:
            questions = chat_eval.load_questions(path)
        except chat_eval.EvalInputError as exc:
            sys.stderr.write(f"{exc}\n")
            return 2
        if args.split:
            questions = [q for q in questions if q.split == args.split]
        base_url = args.base_url or f"http://127.0.0.1:{settings.port}"
        reports.append(asyncio.run(chat_eval.evaluate(base_url, questions, name=path.stem,
                                                      concurrency=args.concurrency)))
    sys.stdout.write(chat_eval.table(reports) + "\n")
    if args.misses:
        for report in reports:
            sys.stdout.write(f"\n{report.name}:\n" + "\n".join(chat_eval.misses(report, limit=1000)) + "\n")
    if args.json:
        args.json.write_text(json.dumps({r.name: r.summary() for r in reports}, ensure_ascii=False, indent=2) + "\n")
    return 0


def _serve(_args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from assistant.main import create_app

    # log_config=None: uvicorn's own loggers propagate to the root handler (JSON or text, redacted).
    # proxy_headers=False: the app reads X-Forwarded-For itself, only from ASSISTANT_TRUSTED_PROXIES
    # (assistant.proxies); uvicorn would also trust FORWARDED_ALLOW_IPS, which "*" opens to any client.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info", log_config=None,
                proxy_headers=False)
    return 0


def _telegram_set_webhook(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from channels.telegram_polling import TelegramNotConfigured, set_webhook

    try:
        asyncio.run(set_webhook(settings, args.url))
    except TelegramNotConfigured as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(f"Telegram webhook set to {args.url}\n")
    return 0


def _telegram_poll(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from channels.telegram_polling import TelegramNotConfigured, poll

    try:
        handled = asyncio.run(poll(settings, max_updates=args.max_updates))
    except TelegramNotConfigured as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 0
    sys.stdout.write(f"handled {handled} Telegram updates\n")
    return 0


def _channels_replay(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from channels.replay import run_replay_once

    report = asyncio.run(run_replay_once(settings, force=args.force))
    sys.stdout.write(json.dumps(report.as_dict()) + "\n")
    return 0


def _communes_seed(_args: argparse.Namespace, settings: Settings) -> int:
    from communes.cli import seed_command

    return seed_command(settings)


if __name__ == "__main__":
    raise SystemExit(main())
