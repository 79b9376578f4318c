from __future__ import annotations

from collections.abc import Callable
from typing import Any

from knowledge.importer.steps import parse_steps


def test_known_corruption_is_kept_and_flagged(load_record: Callable[[str], dict[str, Any]]) -> None:
    result = parse_steps(load_record("birth_registration_garbled_steps")["trinh_tu_thuc_hien"])

    assert any("khai tâm Phục vụ" in step for step in result.steps)
    assert result.problems and "khai tâm Phục vụ" in result.problems[0]


def test_lines_and_glued_steps_are_split() -> None:
    result = parse_steps("Bước 1: Nộp hồ sơ\n\n Bước 2: Cán bộ của Sở Nội vụ để xử lýBước 10 Duyệt hồ sơ")

    assert result.steps == [
        "Bước 1: Nộp hồ sơ",
        "Bước 2: Cán bộ của Sở Nội vụ để xử lý",
        "Bước 10 Duyệt hồ sơ",
    ]
    assert result.problems == []


def test_mixed_case_names_are_not_garbling() -> None:
    result = parse_steps("Bước 1: Đăng nhập ứng dụng định danh quốc gia (VNeID).\nBước 2: Công dân nộp hồ sơ")

    assert result.problems == []
    assert len(result.steps) == 2


def test_no_information_gives_no_steps() -> None:
    assert parse_steps("Không có thông tin").steps == []
