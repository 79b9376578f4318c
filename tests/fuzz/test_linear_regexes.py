"""Every regular expression that reads text a client controls runs in linear time.

One quadratic pattern on the event loop is enough to freeze the app: the log redaction once took 27 s over a
3 KB request path. So every pattern in the packages that read such text (requests, chat messages, log lines,
addresses, dossier codes, staff forms) is collected from the source itself, a new one included, and fed
adversarial input that doubles from 1 KB to 64 KB; each doubling may at most triple the time. The public
functions built on them get the same treatment.

Patterns given to pydantic (`Field(pattern=…)`, `Query(pattern=…)`) are not collected: pydantic-core runs
them with Rust's `regex` engine, which is linear by construction. `knowledge/importer/` is not covered: it
reads the national portal's records from files staff import, not text a citizen or a caller sends.
"""

from __future__ import annotations

import ast
import gc
import importlib
import re
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Packages whose code reads client-controlled text; every `.py` file in them is scanned.
SCANNED = ("assistant", "channels", "communes", "dossiers", "index", "actions", "knowledge/admin",
           "nlu/components")
SIZES = [1024 * 2**i for i in range(7)]  # 1 KB … 64 KB
GROWTH = 3.0  # doubling the input may at most triple the time
CAREFUL_FROM = 16 * 1024  # smaller inputs only guard against a quadratic run-away: one round suffices
SLACK_S = 0.0005  # timer noise allowed on top, for calls that take microseconds
TOO_SLOW_S = 0.5  # no linear call on 64 KB takes this long: stop at once rather than wait for a quadratic one
# Repeated to the wanted size: runs that starts-of-match and backtracking feed on (word characters, digits
# with separators, dotted runs, quotes without their closing half, key=value chains, Vietnamese letters).
# The functions get the ones aimed at what they parse (`_entry_points`).
ATOMS = ("a", "1 ", "a.", "1/", "-1", "000.", "token=\"", "password: '", "đá ", "⭐ 5 sao ")


def _source_files() -> Iterator[Path]:
    for package in SCANNED:
        yield from sorted((ROOT / package).rglob("*.py"))


def _flags(node: ast.expr | None) -> int:
    if node is None:
        return 0
    return int(eval(compile(ast.Expression(node), "<flags>", "eval"), {"re": re}))  # only re.X | re.Y here


def _literal_patterns(path: Path) -> Iterator[tuple[str, re.Pattern[str]]]:
    """`re.<function>("literal", …, flags)` calls of one file (f-string patterns come from `_module_patterns`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            continue
        name = node.func.attr
        flag_positions = {"compile": 1, "search": 2, "match": 2, "fullmatch": 2, "findall": 2, "finditer": 2,
                          "split": 3, "sub": 4, "subn": 4}
        if name not in flag_positions:
            continue
        position = flag_positions[name]
        keyword = next((k.value for k in node.keywords if k.arg == "flags"), None)
        flags = keyword if keyword is not None else (node.args[position] if len(node.args) > position else None)
        yield f"{path.relative_to(ROOT)}:{node.lineno}", re.compile(node.args[0].value, _flags(flags))


def _module_patterns(path: Path) -> Iterator[tuple[str, re.Pattern[str]]]:
    """Compiled patterns a module keeps at top level (built from f-strings too); skipped where not importable."""
    module_name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    try:
        module = importlib.import_module(module_name)
    except ImportError:  # actions/ needs rasa-sdk (the Rasa venv): its literal patterns are still collected
        return
    for attribute, value in vars(module).items():
        if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
            yield f"{module_name}.{attribute}", value


def _collect() -> dict[tuple[str, int], tuple[str, re.Pattern[str]]]:
    found: dict[tuple[str, int], tuple[str, re.Pattern[str]]] = {}
    for path in _source_files():
        for name, pattern in [*_module_patterns(path), *_literal_patterns(path)]:
            found.setdefault((pattern.pattern, pattern.flags), (name, pattern))
    return found


PATTERNS = sorted(_collect().values(), key=lambda item: item[0])


def _seconds(call: Callable[[], object], rounds: int = 2) -> float:
    """Best per-call CPU time of this thread over two rounds, each repeating fast calls for half a millisecond.

    CPU time of the thread, not the wall clock: on a shared machine other processes take turns on the
    core, and that must not look like a slow pattern.
    """
    best = float("inf")
    for _ in range(rounds):
        number, started = 0, time.thread_time()
        while True:
            call()
            number += 1
            elapsed = time.thread_time() - started
            if elapsed >= 0.0005:
                break
        best = min(best, elapsed / number)
        if elapsed > 0.01:  # one round of a slow call is a fair measure
            break
    return best


def _growth_problem(call_on: Callable[[str], object], atom: str) -> str | None:
    """None when doubling `atom * n` up to 64 KB at most triples the time of `call_on`, else what went wrong.

    A doubling that looks too slow is measured again (both sizes) before it counts, and it fails the test
    only when the next doubling is too slow as well: a quadratic pattern is four times slower at every
    doubling, while a shared machine's noise rarely strikes twice in a row. Three doublings together may
    grow at most 27 times.
    """
    def text(size: int) -> str:
        return (atom * (size // len(atom) + 1))[:size]

    times: list[float] = []
    strikes = 0
    for size in SIZES:
        current = text(size)
        seconds = _seconds(partial(call_on, current), rounds=2 if size >= CAREFUL_FROM else 1)
        if seconds > TOO_SLOW_S:
            return f"{seconds:.2f} s on {size} characters of {atom!r}"
        if times and seconds > GROWTH * times[-1] + SLACK_S:
            half = text(size // 2)
            times[-1] = min(times[-1], _seconds(partial(call_on, half)))
            seconds = min(seconds, _seconds(partial(call_on, current)))
        strikes = strikes + 1 if times and seconds > GROWTH * times[-1] + SLACK_S else 0
        times.append(seconds)
        if strikes == 2 or (len(times) > 3 and times[-1] > GROWTH**3 * times[-4] + SLACK_S):
            return ", ".join(f"{t * 1000:.2f} ms" for t in times) + f" on {SIZES[0]}, {SIZES[1]}, … characters"
    return None


@pytest.fixture(autouse=True)
def _no_collector_pauses() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_the_scan_finds_the_patterns_it_must_cover() -> None:
    from assistant import logging_setup
    from communes import address_text
    from dossiers import codes
    from index import normalize
    from knowledge.admin import masking

    covered = {(pattern.pattern, pattern.flags) for _, pattern in PATTERNS}
    for pattern in (logging_setup._KEY, logging_setup._PHONE, logging_setup._BOT_TOKEN, masking._GROUPED_DIGITS,
                    masking._CODE_TAIL, codes._CODE, address_text._TOKEN, normalize._NON_WORD):
        assert (pattern.pattern, pattern.flags) in covered, pattern.pattern
    names = {name for name, _ in PATTERNS}
    assert any(name.startswith("actions/common.py:") for name in names), "actions/ is read from its source"
    assert any(name.startswith("communes/address_text.py:") for name in names), "inline re.sub calls count too"
    assert len(PATTERNS) >= 40


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[name for name, _ in PATTERNS])
def test_every_pattern_is_linear_on_64_kb_of_adversarial_text(name: str, pattern: re.Pattern[str]) -> None:
    problems = [f"{atom!r}: {problem}" for atom in ATOMS
                if (problem := _growth_problem(pattern.findall, atom)) is not None]
    assert not problems, f"{name} ({pattern.pattern!r}) is not linear: {problems}"


def _ignore(error: type[Exception], call: Callable[[str], object]) -> Callable[[str], object]:
    def wrapped(text: str) -> object:
        try:
            return call(text)
        except error:
            return None
    return wrapped


def _entry_points() -> list[tuple[str, Callable[[str], object], tuple[str, ...]]]:
    from assistant.logging_setup import redact
    from channels.inbound_text import clean_text
    from communes.address_text import key_of, split_address
    from dossiers.codes import MalformedDossierCode, find_code, parse_code
    from dossiers.verification import MalformedVerification, clean_answer, last4
    from index.normalize import folded_text, query_terms
    from index.synonyms import expand_query
    from knowledge.admin.masking import mask_personal_numbers

    words = ("a.", "đá ", "1 ")
    return [
        ("logging_setup.redact", redact, ("a", "token=\"", "password: '", "bot1:", "1 ", "a=")),
        ("masking.mask_personal_numbers", mask_personal_numbers, ("a.", "1 ", "1/", "-1", "000.")),
        ("codes.find_code", _ignore(MalformedDossierCode, find_code), ("000.", "1 ", "a.")),
        ("codes.parse_code", _ignore(MalformedDossierCode, parse_code), ("000.", "1 ")),
        ("verification.clean_answer", _ignore(MalformedVerification, clean_answer), ("1 ", "1.")),
        ("verification.last4", last4, ("1 ", "a")),
        ("address_text.split_address", split_address, ("tp hcm, ", "a.", "1 ")),
        ("address_text.key_of", lambda text: key_of([text]), ("đá ", "a.")),
        ("inbound_text.clean_text", clean_text, ("a", "\u200b ")),
        ("normalize.query_terms", query_terms, words),
        ("normalize.folded_text", folded_text, words),
        ("synonyms.expand_query", expand_query, words),
    ]


@pytest.mark.parametrize("index", range(12), ids=[name for name, _, _ in _entry_points()])
def test_the_text_functions_built_on_them_are_linear_too(index: int) -> None:
    name, call, atoms = _entry_points()[index]
    problems = [f"{atom!r}: {problem}" for atom in atoms if (problem := _growth_problem(call, atom)) is not None]
    assert not problems, f"{name} is not linear: {problems}"


def test_the_log_redaction_of_the_3_kb_path_that_froze_the_app_takes_milliseconds() -> None:
    from assistant.logging_setup import redact

    line = '127.0.0.1:5555 - "GET /' + "a" * 3000 + ' HTTP/1.1" 404'
    started = time.perf_counter()
    assert redact(line) == line
    assert time.perf_counter() - started < 0.05
