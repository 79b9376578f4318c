"""Staff accounts: argon2 password hashes, password rules, and sign-in with per-account lockout.

The lockout lives on the account row (not in a process), so it holds across app replicas and restarts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.admin import texts_vi as T
from knowledge.admin.models import ROLES, StaffAccount
from knowledge.admin.timeutil import aware
from knowledge.models import utcnow

logger = logging.getLogger(__name__)

_HASHER = PasswordHasher()
# Verified against when the username is unknown, so a wrong username costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not-a-real-password-only-for-timing")
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD_CHARS = 10
_COMMON_PASSWORDS = frozenset({
    "1234567890", "0123456789", "12345678910", "password123", "matkhau123", "matkhau1234", "qwertyuiop",
    "admin12345", "administrator", "abc1234567", "1111111111", "123456789a", "iloveyou12", "password1234",
})


class AccountError(Exception):
    """An account could not be created or changed; `message` is Vietnamese, for the clerk."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WeakPassword(AccountError):
    """The password breaks a password rule."""


@dataclass(frozen=True)
class SignInResult:
    """The account when the password was right; otherwise a reason ("invalid" or "locked")."""

    account: StaffAccount | None
    reason: str = ""


def password_problem(password: str, username: str = "") -> str | None:
    """Why a password is too weak (Vietnamese), or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_CHARS:
        return T.PASSWORD_TOO_SHORT.format(n=MIN_PASSWORD_CHARS)
    if len(set(password)) < 5:
        return T.PASSWORD_TOO_SIMPLE
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS or lowered.isdigit():
        return T.PASSWORD_TOO_COMMON
    if username and username.lower() in lowered:
        return T.PASSWORD_CONTAINS_USERNAME
    return None


def normalise_username(username: str) -> str:
    return username.strip().lower()


def create_account(
    session: Session, *, username: str, password: str, role: str, display_name: str = ""
) -> StaffAccount:
    """Add an account after checking the username, role and password rules."""
    username = normalise_username(username)
    if not USERNAME_PATTERN.match(username):
        raise AccountError(T.USERNAME_INVALID)
    if role not in ROLES:
        raise AccountError(T.ROLE_INVALID)
    problem = password_problem(password, username)
    if problem:
        raise WeakPassword(problem)
    if find_account(session, username=username) is not None:
        raise AccountError(T.USERNAME_TAKEN.format(username=username))
    account = StaffAccount(
        username=username, display_name=display_name.strip()[:200] or username, role=role,
        password_hash=_HASHER.hash(password), active=True, failed_logins=0,
    )
    session.add(account)
    session.flush()
    logger.info("staff account %s created with role %s", username, role)
    return account


def find_account(session: Session, *, username: str) -> StaffAccount | None:
    return session.scalar(select(StaffAccount).where(StaffAccount.username == normalise_username(username)))


def list_accounts(session: Session) -> Sequence[StaffAccount]:
    return session.scalars(select(StaffAccount).order_by(StaffAccount.username)).all()


def set_password(session: Session, *, account: StaffAccount, password: str) -> None:
    problem = password_problem(password, account.username)
    if problem:
        raise WeakPassword(problem)
    account.password_hash = _HASHER.hash(password)
    session.flush()


def sign_in(
    session: Session, *, username: str, password: str, max_failures: int, lockout: timedelta,
    now: datetime | None = None,
) -> SignInResult:
    """Check a password; count failures and lock the account after `max_failures` within `lockout`.

    A locked account is refused without looking at the password, so guessing during a lockout learns
    nothing. Unknown and disabled accounts answer exactly like a wrong password.
    """
    now = now or utcnow()
    account = find_account(session, username=username)
    if account is None or not account.active:
        _verify(_DUMMY_HASH, password)
        return SignInResult(None, "invalid")
    locked_until = aware(account.locked_until)
    if locked_until is not None and locked_until > now:
        return SignInResult(None, "locked")
    if _verify(account.password_hash, password):
        account.failed_logins = 0
        account.first_failed_at = None
        account.locked_until = None
        account.last_login_at = now
        if _HASHER.check_needs_rehash(account.password_hash):
            account.password_hash = _HASHER.hash(password)
        session.flush()
        return SignInResult(account)
    first = aware(account.first_failed_at)
    if first is None or now - first > lockout:
        account.failed_logins, account.first_failed_at = 0, now
    account.failed_logins += 1
    if account.failed_logins >= max_failures:
        account.locked_until = now + lockout
        account.failed_logins, account.first_failed_at = 0, None
        logger.warning("staff account %s locked after %d failed sign-ins", account.username, max_failures)
        session.flush()
        return SignInResult(None, "locked")
    session.flush()
    return SignInResult(None, "invalid")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except VerifyMismatchError:
        return False
    except (VerificationError, InvalidHashError):
        logger.error("a stored staff password hash could not be checked")
        return False
