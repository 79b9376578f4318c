"""Parse the portal's document table (thanh_phan_ho_so) into required documents.

The crawl joined the cells without separators: an optional group title ("* Giấy tờ phải nộp:",
"1. Chứng từ phải nộp", "--" for none), the header "Tên giấy tờMẫu đơn, tờ khaiSố lượng", then per
document its name, the file names of its form templates and a count cell such as "1 bản chính" or
"0 bản chính,1 bản sao". The count cell is the only reliable end of a document; whatever follows the
last count of a block is the title of the next group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.importer.text_cleanup import clean_field, is_lower_letter, is_upper_letter, one_line
from knowledge.schemas import RequiredDocument

HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"

_COUNT = re.compile(r"(?<!\d)(\d+) bản chính(?:,(\d+) bản sao)?")
_FILE_EXTENSION = re.compile(r"\.(?:docx|doc|pdf|xlsx|xls|rtf|odt|zip|rar|DOCX|DOC|PDF)(?![a-z])")
_TEMPLATE_START = re.compile(
    r"(?:Mẫu|Mau|MẪU|mau|Phụ lục|PHỤ LỤC|Phu luc|Phuluc|PL|TK|Tờ khai|To khai|BM|"
    r"Đơn|Don|Biểu|Bieu|Phiếu|Phieu)"
)
_MAX_COUNT = 10
# "… theo quy địnhvăn bản đề nghị.docx": the name's usual last words, with a file name glued straight on.
_FORM_PHRASE_END = re.compile(r"(?:theo quy định|theo mẫu|quy định|[^\W\d_](?=mẫu số \d))(?=[^\W\d_])", re.I)

_DATA_SOURCE = re.compile(
    r"cơ sở dữ liệu|CSDL|VNeID|định danh (?:điện tử|quốc gia)|tài khoản định danh|dữ liệu điện tử|"
    r"dữ liệu (?:quốc gia|dân cư|hộ tịch)|điền tự động|được tích hợp|đã được số hóa|một cửa quốc gia|"
    r"chia sẻ dữ liệu",
    re.I,
)
_EXEMPTION = re.compile(
    r"không phải (?:nộp|xuất trình|tải lên|cung cấp|chứng thực)|không cần (?:phải )?(?:nộp|xuất trình)|"
    r"được thay thế|thay thế bằng|khai thác(?:,| được| và sử dụng| sử dụng| thông tin| dữ liệu)|"
    r"tra cứu|đối chiếu|không yêu cầu (?:nộp|xuất trình)|được miễn nộp|chưa được (?:tích hợp|kết nối)",
    re.I,
)
_GROUP_DECORATION = re.compile(r"^[\s*\-+•]+|[\s:]+$")
_NAME_DECORATION = re.compile(r"^[\s\-+•*]+")


@dataclass
class DocumentTable:
    """Documents read from one table and what looked doubtful while reading them."""

    documents: list[RequiredDocument] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _is_count_cell(text: str, match: re.Match[str]) -> bool:
    """Tell a count cell from a count written in prose ("nộp 02 bản chính tờ khai").

    Prose counts have a space before them and a space or punctuation after; count cells are glued
    to the document name and to the next document.
    """
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    if after and after in " ;.,:)":
        return False
    return not (before.isspace() and after)


def _count_cells(text: str) -> list[tuple[int, int, int, int | None]]:
    """(start, end, originals, copies) of each count cell, with digits glued from the name given back."""
    cells = []
    for match in _COUNT.finditer(text):
        if not _is_count_cell(text, match):
            continue
        digits = match.group(1)
        start = match.start()
        if len(digits) > 1 and (digits.startswith("0") or int(digits) > _MAX_COUNT):
            start = match.start(1) + len(digits) - 1
            digits = digits[-1]
        copies = int(match.group(2)) if match.group(2) is not None else None
        cells.append((start, match.end(), int(digits), copies))
    return cells


def _starts_word(text: str, index: int) -> bool:
    """True when a capitalised word ("Mau", "Báo") starts at `index`."""
    following = text[index + 1 : index + 2]
    return is_upper_letter(text[index]) and is_lower_letter(following)


def _join_points(text: str) -> list[int]:
    """Indexes where two cells were glued: "họcDu án", "mẫu.Mauon", "2025)Mẫu", "theo mẫu;Mẫu"."""
    points = []
    for index in range(1, len(text)):
        previous, current = text[index - 1], text[index]
        if current.isspace() or previous.isspace():
            continue
        if is_lower_letter(previous) and is_upper_letter(current):
            points.append(index)
        elif previous in ".;,)" and current.isalpha() or previous in ");" and current.isdigit():
            points.append(index)
        elif (previous.isdigit() or is_upper_letter(previous)) and _starts_word(text, index):
            points.append(index)
        elif is_lower_letter(previous) and current.isdigit() and _file_number_at(text, index):
            # "theo mẫu1.000312.docx", "quy định1.4. Don de nghi…": a numbered file name glued to the name.
            points.append(index)
        elif previous == "." and current.isdigit() and index >= 2 and (text[index - 2] == ")"
                                                                      or text[index - 2].isalpha()):
            # "(Mẫu CT01 … 53/2025/TT-BCA).1.MuCT01…": the file number follows the closing sentence.
            points.append(index)
    points.extend(match.end() for match in _FORM_PHRASE_END.finditer(text))
    return sorted(set(points))


def _file_number_at(text: str, index: int) -> bool:
    """True when "1.4. ", "1.000312." or "2-" starts a file name at `index` (a number then a dot or dash)."""
    end = index
    while end < len(text) and (text[end].isdigit() or text[end] == "."):
        end += 1
    if end == index:
        return False
    return end == len(text) or text[end - 1] == "." or text[end] in "-_"


def _diacritic_free(text: str) -> bool:
    """File names on the portal are often stripped of Vietnamese letters ("MuCT01banhnhkmtheo")."""
    return text.isascii()


def split_templates(text: str) -> tuple[str, list[str], bool]:
    """Split "NameTemplate A.docxTemplate B.doc" into the name and the template file names.

    Returns the name, the template names, and whether no boundary could be found at all (then the
    file names stay in the name). A file name that itself starts like a template ("Mẫu…",
    "Phụ lục…") is preferred; otherwise the last glued boundary before the extension is used.
    """
    extensions = list(_FILE_EXTENSION.finditer(text))
    if not extensions:
        return text, [], False
    first_end = extensions[0].end()
    candidates = [point for point in _join_points(text[: extensions[0].start()])]
    if not candidates:
        return text[: extensions[-1].end()], [], True
    preferred = [point for point in candidates if _TEMPLATE_START.match(text, point)]
    stripped = [point for point in candidates if _diacritic_free(text[point : extensions[0].start()])]
    if preferred:
        start = preferred[0]
    elif stripped:
        start = stripped[0]
    else:
        start = candidates[-1]
    name = text[:start]
    templates = [text[start:first_end]]
    for previous, current in zip(extensions, extensions[1:], strict=False):
        templates.append(text[previous.end() : current.end()])
    trailing = text[extensions[-1].end() :]
    if trailing.strip():
        name = f"{name} {trailing}"
    return name, [one_line(template) for template in templates if template.strip()], False


def is_replaceable_by_data(text: str) -> bool:
    """True when the text says the document's data is taken from a database instead of paper."""
    return bool(_DATA_SOURCE.search(text) and _EXEMPTION.search(text))


def _clean_group(title: str) -> str:
    cleaned = one_line(title)
    if set(cleaned) <= {"-", " "}:
        return ""
    return _GROUP_DECORATION.sub("", cleaned)


def _document(text: str, group: str, originals: int | None, copies: int | None) -> RequiredDocument:
    name, templates, _ = split_templates(text)
    cleaned_name = _NAME_DECORATION.sub("", clean_field(name))
    return RequiredDocument(
        name=cleaned_name or one_line(text) or "?",
        group=group,
        original_count=originals,
        copy_count=copies if copies is not None else (0 if originals is not None else None),
        form_template="; ".join(templates),
        replaceable_by_data=is_replaceable_by_data(text),
    )


def parse_documents(text: str) -> DocumentTable:
    """Parse the whole document field into RequiredDocument entries, in portal order."""
    table = DocumentTable()
    if not clean_field(text) or clean_field(text) in {"--", "-"}:
        return table
    blocks = text.split(HEADER)
    if len(blocks) == 1:
        table.problems.append("document table header missing; the whole text kept as one document")
        table.documents.append(_document(text, "", None, None))
        return table
    group = _clean_group(blocks[0])
    guessed_templates = 0
    for index, block in enumerate(blocks[1:], start=1):
        is_last = index == len(blocks) - 1
        cells = _count_cells(block)
        position = 0
        for start, end, originals, copies in cells:
            item = block[position:start]
            position = end
            if not item.strip():
                table.problems.append(f"count cell without a document name in group {group!r}")
                continue
            if split_templates(item)[2]:
                guessed_templates += 1
            table.documents.append(_document(item, group, originals, copies))
        rest = block[position:]
        if is_last:
            if clean_field(rest):
                table.problems.append(
                    f"text after the last count kept as a document ({one_line(rest)[:60]!r})"
                )
                table.documents.append(_document(rest, group, None, None))
        else:
            group = _clean_group(rest)
        if not cells and clean_field(block):
            table.problems.append(f"no count cell found in group {group!r}")
    if guessed_templates:
        table.problems.append(
            f"form file name not separable from the name in {guessed_templates} document(s)"
        )
    return table
