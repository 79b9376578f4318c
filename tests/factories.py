"""Builders of realistic knowledge objects for tests."""

from __future__ import annotations

from typing import Any

from knowledge.schemas import (
    ChannelKind,
    LegalDocument,
    ProcedureData,
    RequiredDocument,
    SubmissionChannel,
)


def procedure_data(code: str = "1.001193", **overrides: Any) -> ProcedureData:
    """A commune-level birth registration, as the importer would produce it."""
    values: dict[str, Any] = {
        "code": code,
        "name": "Thủ tục đăng ký khai sinh",
        "field": "Hộ tịch",
        "levels": ["Cấp xã"],
        "ministry": "bo-tu-phap",
        "applicants": "Công dân Việt Nam",
        "channels": [
            SubmissionChannel(kind=ChannelKind.ONLINE, time_text="1 ngày làm việc", time_value=1,
                              time_unit="working_days", fee_text="Miễn phí", fee_vnd=0, free=True),
            SubmissionChannel(kind=ChannelKind.IN_PERSON, time_text="1 ngày làm việc", time_value=1,
                              time_unit="working_days", fee_text="Miễn phí", fee_vnd=0, free=True),
        ],
        "documents": [
            RequiredDocument(name="Tờ khai đăng ký khai sinh", original_count=1),
            RequiredDocument(name="Giấy chứng sinh", original_count=1),
            RequiredDocument(name="Giấy tờ chứng minh nơi cư trú", original_count=1, replaceable_by_data=True),
        ],
        "steps": ["Nộp hồ sơ tại Trung tâm Phục vụ hành chính công cấp xã hoặc trực tuyến."],
        "result": "Giấy khai sinh",
        "legal_basis": [LegalDocument(title="Luật Hộ tịch", code="60/2014/QH13")],
        "source_url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/example",
        "raw": {"cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến1Miễn phí"},
        "review_flags": {"channels": "time unit missing"},
    }
    values.update(overrides)
    return ProcedureData(**values)
