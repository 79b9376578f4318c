"""Pydantic shapes of a procedure: what the importer produces, what staff edit, what citizens see.

Stored rows (`knowledge.models`) and these shapes are kept apart on purpose: the database keeps raw
source text and review flags that are never shown to a citizen.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ChannelKind(StrEnum):
    """How a dossier can be submitted."""

    ONLINE = "online"
    POST = "post"
    IN_PERSON = "in_person"


class SubmissionChannel(BaseModel):
    """One row of the portal's channel table: how to submit, how long it takes, what it costs."""

    kind: ChannelKind
    time_text: str = ""
    time_value: float | None = None
    time_unit: str | None = None  # "working_days", "days", "hours", "months", ...
    fee_text: str = ""
    fee_vnd: int | None = None  # None when the amount could not be read
    free: bool = False
    description: str = ""


class RequiredDocument(BaseModel):
    """A document the citizen submits or shows."""

    name: str
    group: str = ""  # e.g. "Giấy tờ phải nộp", "Giấy tờ phải xuất trình"
    original_count: int | None = None
    copy_count: int | None = None
    form_template: str = ""
    # True when the text says the data can be taken from VNeID / the national population database.
    replaceable_by_data: bool = False


class LegalDocument(BaseModel):
    """One legal basis entry."""

    title: str
    code: str = ""


class ProcedureBase(BaseModel):
    """Every structured field of a procedure, as the importer parses it and staff edit it."""

    model_config = ConfigDict(use_enum_values=False)

    code: str = Field(min_length=1, max_length=32)  # ma_thu_tuc, e.g. "1.001193"
    name: str = Field(min_length=1)
    field: str = ""  # lĩnh vực
    levels: list[str] = Field(default_factory=list)  # e.g. ["Cấp xã", "Cấp tỉnh"]
    procedure_type: str = ""
    decision_number: str = ""
    ministry: str = ""
    applicants: str = ""  # đối tượng thực hiện
    competent_agency: str = ""
    implementing_agency: str = ""
    authorized_agency: str = ""
    coordinating_agency: str = ""
    submission_address: str = ""
    channels: list[SubmissionChannel] = Field(default_factory=list)
    documents: list[RequiredDocument] = Field(default_factory=list)
    steps: list[str] = Field(default_factory=list)
    conditions: str = ""
    result: str = ""
    legal_basis: list[LegalDocument] = Field(default_factory=list)
    related_procedures: str = ""
    source_url: str = ""


class ProcedureData(ProcedureBase):
    """A procedure as imported: structured fields plus the raw source and what needs review."""

    # Raw source text per portal field, kept beside the parsed fields.
    raw: dict[str, str] = Field(default_factory=dict)
    # Names of parsed fields the importer is unsure of, with a short reason each.
    review_flags: dict[str, str] = Field(default_factory=dict)


class ProcedurePublic(ProcedureBase):
    """What a citizen (or an action) receives for one procedure."""

    aliases: list[str] = Field(default_factory=list)
    updated_at: str = ""
    needs_review: list[str] = Field(default_factory=list)
