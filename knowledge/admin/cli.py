"""`assistant admin ...`: create the first publisher (and other accounts) from the command line.

The password is asked twice on a terminal; scripts pass it on stdin (`--password-stdin`) or in the
ASSISTANT_ADMIN_PASSWORD environment variable, never as an argument (argv is visible to other users).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from assistant.config import Settings

PASSWORD_ENV = "ASSISTANT_ADMIN_PASSWORD"


def add_admin_commands(commands: Any) -> None:
    """Register `admin create-publisher` and `admin create-editor` on the CLI's sub-command parser."""
    admin = commands.add_parser("admin", help="Staff console accounts.").add_subparsers(title="admin commands")
    for role in ("publisher", "editor"):
        parser = admin.add_parser(f"create-{role}", help=f"Create a staff account with the {role} role.")
        parser.add_argument("username")
        parser.add_argument("--display-name", default="", help="Name shown in the console.")
        parser.add_argument("--password-stdin", action="store_true",
                            help=f"Read the password from stdin (else ${PASSWORD_ENV}, else a prompt).")
        parser.set_defaults(handler=_create_account, role=role)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    first = getpass.getpass("Mật khẩu / password: ")
    if getpass.getpass("Nhập lại / again: ") != first:
        raise ValueError("The two passwords differ; nothing was created.")
    return first


def _create_account(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.db import create_db_engine, create_session_factory, session_scope
    from knowledge.admin.accounts import AccountError, create_account
    from knowledge.migrate import upgrade_database

    try:
        password = _read_password(args)
    except ValueError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    engine = create_db_engine(settings.database_url)
    try:
        upgrade_database(engine)
        with session_scope(create_session_factory(engine)) as session:
            account = create_account(session, username=args.username, password=password, role=args.role,
                                     display_name=args.display_name)
            username = account.username
    except AccountError as exc:
        sys.stderr.write(f"error: {exc.message}\n")
        return 1
    finally:
        engine.dispose()
    sys.stdout.write(f"created {args.role} account {username!r}; sign in at /admin/login\n")
    return 0
