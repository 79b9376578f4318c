from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from knowledge.importer.reader import read_portal_file

DATA_FILE = Path("/work/shared/data/dvc_procedures_2642.jsonl.gz")

LINES = [
    json.dumps({"ma_thu_tuc": "1.001193", "ten_thu_tuc": "Đăng ký khai sinh"}, ensure_ascii=False),
    "",
    '{"ma_thu_tuc": "1.000005", ',
    "[1, 2]",
    json.dumps({"ma_thu_tuc": "1.000006", "ten_thu_tuc": "Thủ tục"}, ensure_ascii=False),
]


def _write(path: Path, compress: bool) -> Path:
    text = "\n".join(LINES) + "\n"
    if compress:
        with gzip.open(path, "wt", encoding="utf-8") as stream:
            stream.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("compress", [True, False])
def test_bad_lines_become_errors_and_the_rest_is_read(tmp_path: Path, compress: bool) -> None:
    path = _write(tmp_path / ("crawl.jsonl.gz" if compress else "crawl.jsonl"), compress)

    lines = list(read_portal_file(path))

    assert [line.line_number for line in lines] == [1, 3, 4, 5]
    assert lines[0].record is not None and lines[0].record["ten_thu_tuc"] == "Đăng ký khai sinh"
    assert lines[1].record is None and lines[1].error is not None and "Line 3" in lines[1].error
    assert lines[2].record is None and lines[2].error is not None and "list" in lines[2].error
    assert lines[3].record == {"ma_thu_tuc": "1.000006", "ten_thu_tuc": "Thủ tục"}


@pytest.mark.skipif(not DATA_FILE.exists(), reason="the crawl file is not on this machine")
def test_reads_every_line_of_the_real_crawl() -> None:
    lines = list(read_portal_file(DATA_FILE))

    assert len(lines) == 2642
    assert all(line.error is None for line in lines)
    assert len({line.record["ma_thu_tuc"] for line in lines if line.record}) == 2642
