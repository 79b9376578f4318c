"""Where a procedure is filed for a given commune: its commune center, the province center, or online anywhere.

After the 2025 reform commune-level procedures are received by the commune's Public Administration Service
Center and province-level ones by the province's; a center may take or refuse single procedures by code
(`accepts_codes`/`refuses_codes`). Online filing on the National Public Service Portal or VNeID does not depend
on administrative boundaries, so it is offered whenever the procedure has an online submission channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from communes import texts_vi as T
from communes.directory import commune_center, province_center, to_public
from communes.models import ServiceCenter
from communes.resolver import Commune
from index.levels import COMMUNE, PROVINCE, document_levels
from knowledge.crud import find_procedure
from knowledge.schemas import ChannelKind, ProcedureBase

ONLINE_PORTAL = "https://dichvucong.gov.vn"


@dataclass(frozen=True)
class Filing:
    procedure_code: str
    procedure_name: str
    level: str  # "commune" | "province" | "central" | "unknown"
    where: str  # "commune_center" | "province_center" | "central" | "unknown_procedure"
    center: ServiceCenter | None
    online: bool
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "level": self.level,
            "where": self.where,
            "at_commune_center": self.where == "commune_center",
            "at_province_center": self.where == "province_center",
            "service_center": to_public(self.center).model_dump(mode="json") if self.center else None,
            "online": self.online,
            "online_portal": ONLINE_PORTAL if self.online else None,
            "text": self.text,
        }


def _accepts(center: ServiceCenter | None, code: str, level: str) -> bool:
    if center is None:
        return False
    if code in (center.refuses_codes or []):
        return False
    return code in (center.accepts_codes or []) or level in (center.receives_levels or [])


def filing_for(session: Session, *, procedure_code: str, commune: Commune) -> Filing:
    """Where `procedure_code` is filed by someone living in `commune`."""
    row = find_procedure(session, code=procedure_code)
    if row is None:
        return Filing(procedure_code, "", "unknown", "unknown_procedure", None, False,
                      T.FILING_UNKNOWN_PROCEDURE.format(code=procedure_code))
    content = ProcedureBase.model_validate(row.content)
    ranks = document_levels(content.name, content.levels)
    level = "commune" if COMMUNE in ranks else "province" if PROVINCE in ranks else "central"
    online = any(channel.kind is ChannelKind.ONLINE for channel in content.channels)
    local = commune_center(session, commune_code=commune.code)
    provincial = province_center(session, province_code=commune.province.code)
    lines: list[str]
    if _accepts(local, procedure_code, level):
        assert local is not None
        template = T.FILING_COMMUNE if level == "commune" else T.FILING_COMMUNE_OVERRIDE
        where, center, lines = "commune_center", local, [template.format(name=content.name, center=local.name)]
    elif level == "commune" and local is None:
        center_name = T.COMMUNE_CENTER_OF.format(commune=commune.name)
        where, center, lines = "commune_center", None, [T.FILING_COMMUNE.format(name=content.name,
                                                                                   center=center_name)]
    elif level == "central" and not _accepts(provincial, procedure_code, level):
        where, center, lines = "central", None, [T.FILING_CENTRAL.format(name=content.name)]
    elif provincial is not None:
        where, center, lines = "province_center", provincial, [
            T.FILING_PROVINCE.format(name=content.name, center=provincial.name)]
    else:
        where, center, lines = "province_center", None, [
            T.FILING_PROVINCE_NO_CENTER.format(name=content.name, province=commune.province.name)]
    lines.append(T.FILING_ONLINE if online else T.FILING_NO_ONLINE)
    return Filing(procedure_code, content.name, level, where, center, online, "\n".join(lines))
