"""The SYNTHETIC demo set: a few hundred invented dossiers for trying the lookup, never real applications.

Generated deterministically (fixed random seed, fixed reference date) from commonly used procedures of
the bundled knowledge base, across every status, with some overdue dossiers (a few with a re-scheduled
date). Every applicant is invented; the published demo rule is that each synthetic phone number ends with
the dossier's 4-digit sequence number, so the verification answer is the code's last four digits.

    .venv/bin/python -m dossiers.demo_data      # rewrites dossiers/seed/demo_dossiers.json
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from dossiers.calendar import VN_TZ, HolidayCalendar

DEMO_FILE = Path(__file__).resolve().parent / "seed" / "demo_dossiers.json"
SEED_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "seed" / "dvc_procedures_2642.jsonl.gz"
RANDOM_SEED = 20261120
AS_OF = date(2026, 11, 20)  # the demo's "today": statuses are as they would stand on this day
COUNT = 300
NOTE = ("SYNTHETIC DEMO DATA - dữ liệu mẫu, không phải hồ sơ thật. Every dossier, applicant, phone and ID number "
        "here is invented. Verification answer of every demo dossier: the last 4 digits of its code.")

# (procedure code, working days, weight, documents an officer may ask to add)
PROCEDURES: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("1.001193", 1, 14, ("Giấy chứng sinh (bản chính)", "Văn bản ủy quyền có chứng thực")),
    ("1.000894", 1, 8, ("Giấy xác nhận tình trạng hôn nhân của bên nam", "Tờ khai đăng ký kết hôn có chữ ký hai bên")),
    ("1.000656", 1, 5, ("Giấy báo tử hoặc giấy tờ thay Giấy báo tử",)),
    ("1.004873", 3, 8, ("Bản án/quyết định ly hôn đã có hiệu lực", "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân")),
    ("1.004859", 3, 4, ("Giấy tờ chứng minh nội dung cần cải chính",)),
    ("1.004222", 7, 10, ("Giấy tờ chứng minh chỗ ở hợp pháp", "Văn bản đồng ý cho đăng ký thường trú của chủ hộ")),
    ("1.004194", 3, 8, ("Giấy tờ chứng minh chỗ ở hợp pháp", "Tờ khai thay đổi thông tin cư trú (Mẫu CT01)")),
    ("1.010041", 3, 4, ("Tờ khai thay đổi thông tin cư trú (Mẫu CT01)",)),
    ("1.014063", 7, 6, ("Giấy tờ chứng minh thông tin thay đổi",)),
    ("1.014064", 7, 5, ("Giấy tờ chứng minh thông tin nhân thân",)),
    ("1.001612", 3, 6, ("Bản sao giấy tờ pháp lý của chủ hộ kinh doanh", "Giấy đề nghị đăng ký hộ kinh doanh")),
    ("1.012753", 20, 6, ("Sơ đồ hoặc bản trích lục bản đồ địa chính thửa đất", "Giấy tờ về quyền sử dụng đất")),
    ("1.013225", 15, 4, ("Bản vẽ thiết kế xây dựng", "Giấy tờ chứng minh quyền sử dụng đất")),
    ("2.000693", 6, 3, ("Giấy chứng sinh hoặc giấy khai sinh của con (bản sao)",)),
    ("1.001613", 5, 3, ("Sổ bảo hiểm xã hội",)),
)
# (agency code, receiving place); names are common commune names, used here for invented dossiers.
AGENCIES: tuple[tuple[str, str], ...] = (
    ("000.00.15.H29", "Trung tâm Phục vụ hành chính công xã Yên Thịnh"),
    ("000.21.31.H29", "Trung tâm Phục vụ hành chính công phường Tân Lập"),
    ("000.22.31.H29", "Trung tâm Phục vụ hành chính công xã Hòa Bình"),
    ("000.31.12.H62", "Trung tâm Phục vụ hành chính công phường Trung Tâm"),
)
# Share of each final status; open ones ("received", "in_process") may turn out overdue.
STATUS_WEIGHTS = {"received": 10, "in_process": 30, "additions_requested": 12, "rejected": 5,
                  "ready_for_pickup": 18, "returned": 25}
REJECT_NOTES = ("Người yêu cầu không đủ điều kiện theo quy định.", "Thửa đất đang có tranh chấp.")


def _procedure_names() -> dict[str, str]:
    wanted = {code for code, *_ in PROCEDURES}
    names = {}
    with gzip.open(SEED_FILE, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["ma_thu_tuc"] in wanted:
                names[record["ma_thu_tuc"]] = record["ten_thu_tuc"].strip()
    return names


def _at(day: date, rng: random.Random) -> datetime:
    minutes = rng.randrange(7 * 60 + 30, 16 * 60 + 30)
    return datetime.combine(day, time(minutes // 60, minutes % 60), VN_TZ)


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="minutes")


def generate(calendar: HolidayCalendar | None = None) -> dict[str, Any]:
    """The whole demo document; identical on every run."""
    calendar = calendar or HolidayCalendar.from_file()
    rng = random.Random(RANDOM_SEED)
    names = _procedure_names()
    sequences: dict[tuple[str, date], int] = {}
    statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    rows = []
    for _ in range(COUNT):
        code_p, days, _w, missing_pool = rng.choices(PROCEDURES, weights=[p[2] for p in PROCEDURES])[0]
        agency_code, agency = rng.choice(AGENCIES)
        status = rng.choices(statuses, weights=weights)[0]
        # Open dossiers: one in three received long enough ago to be overdue; the rest still within time.
        overdue = status in ("received", "in_process") and rng.random() < 0.33
        back = rng.randrange(days + 3, days + 40) if overdue else rng.randrange(0, 90)
        received = AS_OF - timedelta(days=back)
        while not calendar.is_working_day(received):
            received -= timedelta(days=1)
        due = calendar.add_working_days(received, days)
        if status in ("received", "in_process") and not overdue:
            while due < AS_OF:  # a within-time open dossier: received recently enough
                received = calendar.add_working_days(received, 1)
                due = calendar.add_working_days(received, days)
        sequence = sequences[(agency_code, received)] = sequences.get((agency_code, received), 0) + 1
        code = f"{agency_code}-{received:%y%m%d}-{sequence:04d}"
        received_at = _at(received, rng)
        history = [{"status": "received", "at": _iso(received_at), "note": ""}]
        row: dict[str, Any] = {"code": code, "procedure_code": code_p, "procedure_name": names[code_p],
                               "agency": agency, "received_at": _iso(received_at), "due_date": due.isoformat(),
                               "status": status, "synthetic": True,
                               "phone": f"09{rng.randrange(10, 99)}{rng.randrange(10, 99)}{sequence:04d}",
                               "id_number": f"0{rng.randrange(10**10, 10**11)}"}
        step = min(due, AS_OF)
        if status != "received":
            history.append({"status": "in_process", "at": _iso(received_at + timedelta(hours=2)), "note": ""})
        if overdue and rng.random() < 0.5:
            row["expected_date"] = calendar.add_working_days(AS_OF, rng.randrange(2, 8)).isoformat()
            history.append({"status": status, "at": _iso(_at(due, rng)),
                            "note": "Cơ quan gửi Phiếu xin lỗi và hẹn lại ngày trả kết quả."})
        if status == "additions_requested":
            row["missing_documents"] = rng.sample(missing_pool, k=rng.randint(1, len(missing_pool)))
            history.append({"status": status, "at": _iso(_at(step, rng)), "note": "Yêu cầu bổ sung hồ sơ."})
        elif status == "rejected":
            history.append({"status": status, "at": _iso(_at(step, rng)), "note": rng.choice(REJECT_NOTES)})
        elif status in ("ready_for_pickup", "returned"):
            ready = received if days <= 1 else calendar.add_working_days(received, rng.randrange(1, days + 1))
            ready = min(ready, AS_OF)
            history.append({"status": "ready_for_pickup", "at": _iso(_at(ready, rng)), "note": ""})
            row["pickup_place"] = f"Bộ phận trả kết quả, {agency}"
            if status == "returned":
                back_home = min(calendar.add_working_days(ready, rng.randrange(0, 4)), AS_OF)
                history.append({"status": "returned", "at": _iso(_at(back_home, rng) + timedelta(minutes=1)),
                                "note": ""})
        row["history"] = _ordered(history)
        rows.append(row)
    return {"synthetic": True, "note": NOTE, "as_of": AS_OF.isoformat(), "random_seed": RANDOM_SEED,
            "dossiers": rows}


def _ordered(history: list[dict[str, str]]) -> list[dict[str, str]]:
    """Entries in time order with strictly increasing times, so the last one is the current status."""
    out: list[dict[str, str]] = []
    for entry in history:
        if out and entry["at"] <= out[-1]["at"]:
            previous = datetime.fromisoformat(out[-1]["at"])
            entry = {**entry, "at": _iso(previous + timedelta(minutes=5))}
        out.append(entry)
    return out


def write(path: Path = DEMO_FILE) -> Path:
    path.write_text(json.dumps(generate(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.stdout.write(f"wrote {write()}\n")
