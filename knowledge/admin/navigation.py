"""The console's navigation bar. Each area appends its own entry here with one line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    """A link in the top bar; `role` "publisher" hides it from editors."""

    path: str
    label: str
    role: str = "editor"


NAV_ITEMS: list[NavItem] = [
    NavItem("/admin/procedures", "Thủ tục"),
    NavItem("/admin/bulk", "Nhập/xuất Excel"),
    NavItem("/admin/kit", "In tờ QR"),
    NavItem("/admin/service-centers", "Trung tâm hành chính công"),
    NavItem("/admin/questions", "Câu hỏi chưa trả lời"),
    NavItem("/admin/handover", "Gặp cán bộ"),
    NavItem("/admin/dashboard", "Thống kê"),
    NavItem("/admin/users", "Tài khoản", role="publisher"),
]


def visible_items(role: str | None) -> list[NavItem]:
    """The links a signed-in user of `role` may follow (none when signed out)."""
    if role is None:
        return []
    return [item for item in NAV_ITEMS if item.role == "editor" or role == "publisher"]
