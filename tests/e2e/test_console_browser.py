"""The staff console in headless chromium against the real app, Rasa and action server.

A clerk signs in, changes the fee of birth registration and publishes it; the citizen's next chat gets
the new fee. A second clerk's edit made on the old page is refused with their text kept; restoring the
old revision brings the old answer back. The system runs on its own copy of the knowledge base, so the
shared end-to-end system keeps its content.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from assistant import processes
from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory, session_scope
from knowledge.admin.accounts import create_account
from tests.e2e.conftest import RunningSystem, _missing_rasa_parts

pytestmark = pytest.mark.rasa

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
CODE = "1.001193"
PASSWORD = "Mật-khẩu-thử-nghiệm-2025"
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def console_system(kb_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    reason = _missing_rasa_parts() or (None if CHROMIUM.exists() else "Debian chromium is missing at /usr/bin/chromium")
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("console-e2e")
    source_db = Path(kb_settings.database_url.removeprefix("sqlite:///"))
    engine = create_db_engine(kb_settings.database_url)
    with engine.connect() as connection:  # fold the WAL into the file before copying it
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    shutil.copy(source_db, root / "kb.db")
    shutil.copytree(kb_settings.index_dir, root / "index")
    database_url = f"sqlite:///{root / 'kb.db'}"
    engine = create_db_engine(database_url)
    from knowledge.migrate import upgrade_database

    upgrade_database(engine)
    with session_scope(create_session_factory(engine)) as session:
        for username in ("lan", "minh"):
            create_account(session, username=username, password=PASSWORD, role="publisher")
    engine.dispose()
    ports = processes.free_port(), processes.free_port(), processes.free_port()
    specs = processes.system_specs(
        app_port=ports[0], rasa_port=ports[1], action_port=ports[2],
        tracker_db_url=f"sqlite:///{root / 'trackers.db'}",
        app_env={"ASSISTANT_DATABASE_URL": database_url, "ASSISTANT_INDEX_DIR": str(root / "index")},
    )
    running: list[processes.RunningProcess] = []
    try:
        for spec in specs:
            running.append(processes.start(spec, root))
        processes.wait_healthy(running, timeout_s=300)
        yield RunningSystem(app_url=f"http://127.0.0.1:{ports[0]}", running=running, log_dir=root)
    finally:
        processes.stop(running)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _texts(body: dict[str, Any]) -> str:
    return "\n".join(str(message.get("text", "")) for message in body["messages"])


def _fee_in_chat(system: RunningSystem) -> str:
    sender = f"console-{uuid.uuid4().hex[:10]}"
    first = system.chat(sender, "lam giay khai sinh cho con can giay to gi")
    assert first.status_code == 200 and "khai sinh" in _texts(first.json()).lower()
    fee = system.chat(sender, "lệ phí bao nhiêu?")
    assert fee.status_code == 200
    return _texts(fee.json()).lower()


def _sign_in(browser: Browser, system: RunningSystem, username: str) -> Page:
    page = browser.new_context(locale="vi-VN").new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{system.app_url}/admin/procedures/{CODE}")
    expect(page).to_have_url(re.compile(r"/admin/login\?next="))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#procedure-form")).to_be_visible()
    return page


def _set_fee(page: Page, amount: str) -> None:
    for index in range(3):
        page.fill(f"[name='channels-{index}-fee_vnd']", amount)
        page.uncheck(f"[name='channels-{index}-free']")
        page.select_option(f"[name='channels-{index}-time_unit']", "working_days")


def test_publish_reaches_the_chat_stale_edit_is_refused_and_restore_brings_the_old_fee_back(
        console_system: RunningSystem, browser: Browser) -> None:
    assert "miễn phí" in _fee_in_chat(console_system)
    clerk = _sign_in(browser, console_system, "lan")
    other = _sign_in(browser, console_system, "minh")  # opens the same procedure before the first publishes

    _set_fee(clerk, "20000")
    clerk.click("#publish")
    expect(clerk.locator(".flash.ok")).to_contain_text("Đã đăng")
    assert "20.000 đồng" in _fee_in_chat(console_system)

    _set_fee(other, "30000")
    other.fill("#f-result", "Giấy khai sinh (bản của người thứ hai)")
    other.click("#publish")
    expect(other.locator(".flash.error")).to_contain_text("vừa được lan lưu")
    expect(other.locator("[name='channels-0-fee_vnd']")).to_have_value("30000")
    expect(other.locator("#f-result")).to_have_value("Giấy khai sinh (bản của người thứ hai)")
    assert "20.000 đồng" in _fee_in_chat(console_system)

    clerk.goto(f"{console_system.app_url}/admin/procedures/{CODE}/history")
    expect(clerk.locator("section.revision").first).to_contain_text("20.000")
    clerk.locator("section.revision").nth(1).locator("button").click()
    expect(clerk.locator(".flash.ok")).to_contain_text("Đã đăng")
    fee = _fee_in_chat(console_system)
    assert "miễn phí" in fee and "20.000" not in fee
    assert httpx.get(f"{console_system.app_url}/api/admin/procedures", timeout=10).status_code == 401
