"""The procedure edit form: every structured field of `ProcedureBase`, to and from flat form fields.

The form keeps exactly what the clerk typed (`FormState.values`, `FormState.rows`), so a page shown
again after an error or a refused save loses nothing. Parsing checks what a clerk can get wrong —
fees are amounts in đồng, times are numbers with a unit (usually working days), counts are small
integers — and returns Vietnamese messages keyed by the form field's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from knowledge.admin import texts_vi as T
from knowledge.schemas import ProcedureBase

TEXT_FIELDS = (
    "name", "field", "procedure_type", "decision_number", "ministry", "applicants", "competent_agency",
    "implementing_agency", "authorized_agency", "coordinating_agency", "submission_address", "conditions",
    "result", "related_procedures", "source_url",
)
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "channels": ("kind", "time_text", "time_value", "time_unit", "fee_text", "fee_vnd", "free", "description"),
    "documents": ("name", "group", "original_count", "copy_count", "form_template", "replaceable_by_data"),
    "legal_basis": ("title", "code"),
    "steps": ("text",),
}
CHECKBOXES = {"free", "replaceable_by_data"}
MAX_TEXT = 20_000
MAX_SHORT = 500
MAX_ROWS = 200
_SHORT_FIELDS = {"name", "field", "procedure_type", "decision_number", "ministry", "source_url"}
_THOUSANDS = re.compile(r"^\d{1,3}([.,  ]\d{3})+$")


@dataclass
class FormState:
    """What the form shows: the clerk's raw text per field, rows of the repeated groups, and errors."""

    code: str
    values: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def add_row(self, group: str) -> None:
        if group in ROW_FIELDS and len(self.rows.get(group, [])) < MAX_ROWS:
            self.rows.setdefault(group, []).append({name: "" for name in ROW_FIELDS[group]})


def _number_text(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def form_from_content(content: ProcedureBase) -> FormState:
    """The form of a stored procedure."""
    data = content.model_dump(mode="json")
    state = FormState(code=content.code, values={name: str(data.get(name) or "") for name in TEXT_FIELDS})
    state.values["levels"] = "\n".join(content.levels)
    state.rows["channels"] = [
        {"kind": ch["kind"], "time_text": ch["time_text"], "time_value": _number_text(ch["time_value"]),
         "time_unit": ch["time_unit"] or "", "fee_text": ch["fee_text"], "fee_vnd": _number_text(ch["fee_vnd"]),
         "free": "on" if ch["free"] else "", "description": ch["description"]}
        for ch in data["channels"]
    ]
    state.rows["documents"] = [
        {"name": d["name"], "group": d["group"], "original_count": _number_text(d["original_count"]),
         "copy_count": _number_text(d["copy_count"]), "form_template": d["form_template"],
         "replaceable_by_data": "on" if d["replaceable_by_data"] else ""}
        for d in data["documents"]
    ]
    state.rows["legal_basis"] = [{"title": d["title"], "code": d["code"]} for d in data["legal_basis"]]
    state.rows["steps"] = [{"text": step} for step in data["steps"]]
    return state


def form_from_submission(code: str, form: Mapping[str, Any]) -> FormState:
    """The form as submitted; rows ticked "delete" are dropped, other rows keep the clerk's text."""
    state = FormState(code=code, values={name: _text(form, name) for name in (*TEXT_FIELDS, "levels")})
    for group, names in ROW_FIELDS.items():
        count = min(_int(form.get(f"{group}-count")), MAX_ROWS)
        rows: list[dict[str, str]] = []
        for index in range(count):
            if _text(form, f"{group}-{index}-delete"):
                continue
            rows.append({name: _text(form, f"{group}-{index}-{name}") for name in names})
        state.rows[group] = rows
    return state


def parse_form(state: FormState) -> ProcedureBase | None:
    """The procedure the form describes, or None with `state.errors` filled (keys are field names)."""
    errors: dict[str, str] = {}
    values = state.values
    for name in TEXT_FIELDS:
        limit = MAX_SHORT if name in _SHORT_FIELDS else MAX_TEXT
        if len(values.get(name, "")) > limit:
            errors[name] = T.ERR_TOO_LONG.format(n=limit)
    if not values.get("name", "").strip():
        errors["name"] = T.ERR_REQUIRED
    url = values.get("source_url", "").strip()
    if url and not url.startswith(("http://", "https://")):
        errors["source_url"] = T.ERR_URL
    channels = [_channel(i, row, errors) for i, row in _kept_rows(state, "channels")]
    documents = [_document(i, row, errors) for i, row in _kept_rows(state, "documents")]
    legal = []
    for index, row in _kept_rows(state, "legal_basis"):
        if not row["title"].strip():
            errors[f"legal_basis-{index}-title"] = T.ERR_REQUIRED
        legal.append({"title": row["title"].strip(), "code": row["code"].strip()})
    steps = [row["text"].strip() for _, row in _kept_rows(state, "steps")]
    state.errors = errors
    if errors:
        return None
    payload: dict[str, Any] = {name: values.get(name, "").strip() for name in TEXT_FIELDS}
    payload.update(code=state.code, levels=_lines(values.get("levels", "")), channels=channels,
                   documents=documents, legal_basis=legal, steps=steps)
    try:
        return ProcedureBase.model_validate(payload)
    except ValidationError as exc:  # the checks above should make this unreachable; never lose the form
        for problem in exc.errors():
            state.errors[_error_key(problem["loc"])] = T.ERR_REQUIRED if problem["type"] == "string_too_short" \
                else str(problem["msg"])
        return None


def _kept_rows(state: FormState, group: str) -> list[tuple[int, dict[str, str]]]:
    """Rows with anything typed in them, with their index in `state.rows` (for error keys)."""
    return [(i, row) for i, row in enumerate(state.rows.get(group, []))
            if any(row.get(name, "").strip() for name in ROW_FIELDS[group] if name not in CHECKBOXES | {"kind"})]


def _channel(index: int, row: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    key = f"channels-{index}-"
    if row["kind"] not in T.CHANNEL_KINDS:
        errors[key + "kind"] = T.ERR_KIND
    fee = parse_vnd(row["fee_vnd"])
    if fee is False:
        errors[key + "fee_vnd"] = T.ERR_FEE_NUMBER
    free = bool(row["free"])
    if free and isinstance(fee, int) and fee > 0:
        errors[key + "fee_vnd"] = T.ERR_FEE_FREE
    time_value = parse_positive_number(row["time_value"])
    if time_value is False:
        errors[key + "time_value"] = T.ERR_TIME_NUMBER
    unit = row["time_unit"].strip()
    if isinstance(time_value, float) and unit not in T.TIME_UNITS:
        errors[key + "time_unit"] = T.ERR_TIME_UNIT
    for name in ("time_text", "fee_text", "description"):
        if len(row[name]) > MAX_TEXT:
            errors[key + name] = T.ERR_TOO_LONG.format(n=MAX_TEXT)
    return {
        "kind": row["kind"], "time_text": row["time_text"].strip(),
        "time_value": time_value if isinstance(time_value, float) else None,
        "time_unit": unit if unit in T.TIME_UNITS else None,
        "fee_text": row["fee_text"].strip(), "fee_vnd": 0 if free else (fee if isinstance(fee, int) else None),
        "free": free, "description": row["description"].strip(),
    }


def _document(index: int, row: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    key = f"documents-{index}-"
    if not row["name"].strip():
        errors[key + "name"] = T.ERR_REQUIRED
    counts: dict[str, int | None] = {}
    for name in ("original_count", "copy_count"):
        value = parse_count(row[name])
        if value is False:
            errors[key + name] = T.ERR_COUNT
        counts[name] = value if isinstance(value, int) and not isinstance(value, bool) else None
    return {"name": row["name"].strip(), "group": row["group"].strip(), **counts,
            "form_template": row["form_template"].strip(), "replaceable_by_data": bool(row["replaceable_by_data"])}


def parse_vnd(text: str) -> int | None | bool:
    """An amount in đồng: "50000", "50.000", "50,000", "50 000" (and "50.000 đồng"); False if not one."""
    cleaned = text.strip().lower().removesuffix("đồng").removesuffix("đ").removesuffix("vnd").strip()
    if not cleaned:
        return None
    if _THOUSANDS.match(cleaned):
        cleaned = re.sub(r"[.,  ]", "", cleaned)
    if not cleaned.isdigit() or len(cleaned) > 12:
        return False
    return int(cleaned)


def parse_positive_number(text: str) -> float | None | bool:
    """A number of time units, decimal comma allowed ("1,5"); False if not a positive number."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        return False
    if not 0 < value <= 10_000 or value != value:
        return False
    return value


def parse_count(text: str) -> int | None | bool:
    cleaned = text.strip()
    if not cleaned:
        return None
    if not cleaned.isdigit() or int(cleaned) > 100:
        return False
    return int(cleaned)


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _error_key(loc: tuple[int | str, ...]) -> str:
    return "-".join(str(part) for part in loc)
