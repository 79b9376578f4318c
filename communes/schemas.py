"""Pydantic shapes of a service center: what staff edit and what the API shows."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class CenterLevel(StrEnum):
    COMMUNE = "commune"
    PROVINCE = "province"


class OpeningPeriod(BaseModel):
    """One opening period on a range of weekdays: 0 = Monday … 6 = Sunday, times "HH:MM" local time."""

    first_day: int = Field(ge=0, le=6)
    last_day: int = Field(ge=0, le=6)
    opens: str
    closes: str

    @field_validator("opens", "closes")
    @classmethod
    def _time(cls, value: str) -> str:
        value = value.strip()
        if len(value) == 4 and value[1] == ":":
            value = "0" + value
        if not _TIME.match(value):
            raise ValueError(f"giờ \"{value}\" phải viết dạng HH:MM, ví dụ 07:30 (time must be HH:MM)")
        return value

    @model_validator(mode="after")
    def _order(self) -> OpeningPeriod:
        if self.last_day < self.first_day:
            raise ValueError("ngày cuối đứng trước ngày đầu (last_day before first_day)")
        if self.closes <= self.opens:
            raise ValueError(f"giờ đóng cửa {self.closes} không sau giờ mở cửa {self.opens} "
                             "(closes must be after opens)")
        return self


class ServiceCenterData(BaseModel):
    """Everything staff may set on a center."""

    name: str = Field(min_length=3, max_length=255)
    level: CenterLevel
    province_code: str = Field(min_length=1, max_length=8)
    province_name: str = Field(min_length=1, max_length=100)
    commune_code: str | None = Field(default=None, max_length=8)
    commune_name: str = Field(default="", max_length=100)
    address: str = Field(default="", max_length=500)
    opening_hours: list[OpeningPeriod] = Field(default_factory=list)
    phone: str = Field(default="", max_length=64)
    map_url: str = Field(default="", max_length=500)
    receives_levels: list[CenterLevel] = Field(default_factory=list)
    accepts_codes: list[str] = Field(default_factory=list)
    refuses_codes: list[str] = Field(default_factory=list)
    sample_data: bool = True

    @field_validator("map_url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("liên kết bản đồ phải bắt đầu bằng https:// (map link must start with https://)")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"[0-9 +().\-]{6,32}", value):
            raise ValueError("số điện thoại chỉ gồm chữ số, dấu cách và + ( ) . - "
                             "(phone: digits, spaces, + ( ) . - only)")
        return value

    @model_validator(mode="after")
    def _commune(self) -> ServiceCenterData:
        if self.level is CenterLevel.COMMUNE and not self.commune_code:
            raise ValueError("trung tâm cấp xã cần mã xã/phường mà nó phục vụ "
                             "(a commune center needs its commune code)")
        return self


class ServiceCenterPublic(ServiceCenterData):
    """A center as the API shows it, with its id and the opening hours already written out."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    opening_hours_text: str = ""
    updated_at: str = ""
