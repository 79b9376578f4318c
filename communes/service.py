"""The answer to "where do I go?": resolution, the commune's service center, and where a procedure is filed.

Builds the JSON of `GET /api/communes/resolve` (contract #7), including `text`, the complete Vietnamese answer
the dialogue shows as is, and `choices`, which the dialogue turns into buttons.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from communes import texts_vi as T
from communes.directory import commune_center, to_public
from communes.filing import filing_for
from communes.models import ServiceCenter
from communes.resolver import AddressResolver, Candidate, Resolution, Status


def _center_lines(center: ServiceCenter) -> list[str]:
    public = to_public(center)
    lines = [T.CENTER_HEADER.format(name=public.name),
             T.CENTER_ADDRESS.format(address=public.address or T.HOURS_UNKNOWN),
             T.CENTER_HOURS.format(hours=public.opening_hours_text),
             T.CENTER_PHONE.format(phone=public.phone or T.HOURS_UNKNOWN)]
    if public.map_url:
        lines.append(T.CENTER_MAP.format(url=public.map_url))
    if public.sample_data:
        lines.append(T.SAMPLE_DATA)
    return lines


def _choice(candidate: Candidate) -> dict[str, str]:
    commune = candidate.commune
    title = f"{commune.name} – {commune.province.short}"
    if candidate.matched_old is not None and candidate.matched_old.name != commune.name:
        title += f" (trước: {candidate.matched_old.name}, {candidate.matched_old.district})"
    return {"title": title, "address": f"{commune.name}, {commune.province.name}"}


def _resolved_text(candidate: Candidate) -> list[str]:
    commune = candidate.commune
    old = candidate.matched_old
    if old is not None and old.name != commune.name:
        lines = [T.RESOLVED_FROM_OLD.format(old=old.full_name, commune=commune.name, province=commune.province.name)]
    else:
        lines = [T.RESOLVED.format(commune=commune.name, province=commune.province.name)]
    if candidate.old_units:
        lines.append(T.FORMED_FROM.format(commune=commune.name, olds="; ".join(candidate.old_units)))
    return lines


def _unknown_text(resolution: Resolution) -> str:
    if resolution.reason == "no_commune" and resolution.province is not None:
        return T.UNKNOWN_NO_COMMUNE.format(province=resolution.province.name)
    if resolution.reason == "not_found":
        return T.UNKNOWN_NOT_FOUND.format(query=resolution.query)
    return T.UNKNOWN_NO_ADDRESS


def resolve_answer(session: Session, resolver: AddressResolver, *, address: str,
                   procedure_code: str | None = None) -> dict[str, Any]:
    """The full answer for `address` (and, when given, where `procedure_code` is filed)."""
    resolution = resolver.resolve(address)
    candidates: list[dict[str, Any]] = []
    centers: dict[str, ServiceCenter | None] = {}
    for candidate in resolution.candidates:
        center = commune_center(session, commune_code=candidate.commune.code)
        centers[candidate.commune.code] = center
        candidates.append({
            "id": candidate.commune.code,
            "name": candidate.commune.name,
            "province": candidate.commune.province.name,
            "old_units": list(candidate.old_units),
            "service_center": to_public(center).model_dump(mode="json") if center else None,
        })
    filing: dict[str, Any] | None = None
    choices: list[dict[str, str]] = []
    if resolution.status is Status.RESOLVED:
        chosen = resolution.candidates[0]
        lines = _resolved_text(chosen)
        center = centers[chosen.commune.code]
        lines += [""] + (_center_lines(center) if center else [T.NO_CENTER.format(commune=chosen.commune.name)])
        if procedure_code:
            result = filing_for(session, procedure_code=procedure_code, commune=chosen.commune)
            filing = result.as_dict()
            lines += ["", result.text]
            if result.center is not None and result.center.id != (center.id if center else None):
                lines += _center_lines(result.center)
        text = "\n".join(lines)
    elif resolution.status is Status.AMBIGUOUS:
        choices = [_choice(c) for c in resolution.candidates]
        olds = {c.matched_old for c in resolution.candidates}
        first_old = resolution.candidates[0].matched_old
        if len(olds) == 1 and first_old is not None and resolution.candidates[0].split:
            header = T.AMBIGUOUS_SPLIT.format(old=first_old.full_name)
        else:
            header = T.AMBIGUOUS.format(query=resolution.query)
        lines = [header] + [f"- {choice['title']}" for choice in choices]
        if resolution.truncated:
            lines.append(T.AMBIGUOUS_MORE.format(count=resolution.truncated))
        text = "\n".join(lines)
    else:
        text = _unknown_text(resolution)
    return {"status": resolution.status.value, "query": resolution.query, "candidates": candidates,
            "filing": filing, "text": text, "choices": choices}
