"""The door-to-door kit: one printable A4 page per procedure with a QR code that opens the widget on it.

Vietnamese needs a Unicode TrueType font; the core PDF fonts have no "ư" or "ệ". The font comes from
`ASSISTANT_PDF_FONT_PATH`, or the first of the usual system places (DejaVu Sans, Noto Sans, Liberation
Sans on Debian/Ubuntu/Fedora/Alpine); without one the kit fails with a message saying what to install.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import segno
from fpdf import FPDF

from knowledge.admin import texts_vi as T
from knowledge.answers import channel_fee, channel_time, clip
from knowledge.schemas import ProcedurePublic

FONT_CANDIDATES: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    ("/usr/share/fonts/noto/NotoSans-Regular.ttf", "/usr/share/fonts/noto/NotoSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
)
MAX_DOCUMENTS = 8
MAX_PROCEDURES = 200


class KitFontMissing(RuntimeError):
    """No TrueType font with Vietnamese glyphs was found."""


@dataclass(frozen=True)
class KitFont:
    regular: Path
    bold: Path


@dataclass(frozen=True)
class KitPage:
    """What one printed page says; built apart from the PDF so it can be checked on its own."""

    code: str
    title: str
    url: str
    documents: list[str]
    more_documents: int
    fees: list[str]
    times: list[str]
    where: str


def find_font(configured: str = "", candidates: Sequence[tuple[str, str]] = FONT_CANDIDATES) -> KitFont:
    """The configured font, or the first system font found; a clear error when there is none."""
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise KitFontMissing(f"ASSISTANT_PDF_FONT_PATH is {configured!r}, but no file is there.")
        return KitFont(path, path)
    for regular, bold in candidates:
        if Path(regular).is_file():
            return KitFont(Path(regular), Path(bold) if Path(bold).is_file() else Path(regular))
    raise KitFontMissing(
        "No TrueType font with Vietnamese letters was found for the printable kit. Install one "
        "(Debian/Ubuntu: apt-get install fonts-dejavu-core) or set ASSISTANT_PDF_FONT_PATH to a .ttf file."
    )


def widget_url(public_base_url: str, code: str) -> str:
    """The address the QR code opens: the widget asking about `code` straight away."""
    return f"{public_base_url.rstrip('/')}/?procedure={quote(code, safe='.')}"


def kit_page(procedure: ProcedurePublic, public_base_url: str) -> KitPage:
    names = [clip(doc.name, 160) for doc in procedure.documents]
    fees, times = [], []
    for channel in procedure.channels:
        label = T.CHANNEL_KINDS.get(str(channel.kind.value), str(channel.kind.value))
        fees.append(f"{label}: {channel_fee(channel)}")
        times.append(f"{label}: {channel_time(channel)}")
    return KitPage(
        code=procedure.code, title=clip(procedure.name, 200), url=widget_url(public_base_url, procedure.code),
        documents=names[:MAX_DOCUMENTS], more_documents=max(0, len(names) - MAX_DOCUMENTS),
        fees=_unique(fees), times=_unique(times), where=clip(procedure.submission_address, 300),
    )


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def render_kit(pages: Iterable[KitPage], font: KitFont) -> bytes:
    """The PDF: one A4 page per procedure, in the order given."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("kit", "", str(font.regular))
    pdf.add_font("kit", "B", str(font.bold))
    pdf.set_title(T.KIT_TITLE)
    pdf.set_creator(T.CONSOLE_TITLE)
    for page in pages:
        _page(pdf, page)
    return bytes(pdf.output())


def _page(pdf: FPDF, page: KitPage) -> None:
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("kit", "B", 18)
    pdf.multi_cell(width, 9, page.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("kit", "", 10)
    pdf.cell(width, 6, T.KIT_CODE.format(code=page.code), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    top = pdf.get_y()
    pdf.image(io.BytesIO(qr_png(page.url)), x=pdf.w - pdf.r_margin - 55, y=top, w=55, h=55)
    pdf.set_xy(pdf.l_margin, top)
    text_width = width - 60
    _section(pdf, text_width, T.KIT_FEE, page.fees or [T.KIT_UNKNOWN])
    _section(pdf, text_width, T.KIT_TIME, page.times or [T.KIT_UNKNOWN])
    pdf.set_y(max(pdf.get_y(), top + 60))
    pdf.set_font("kit", "", 9)
    pdf.multi_cell(width, 5, T.KIT_SCAN.format(url=page.url), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    documents = list(page.documents)
    if page.more_documents:
        documents.append(T.KIT_MORE_DOCUMENTS.format(n=page.more_documents))
    _section(pdf, width, T.KIT_DOCUMENTS, documents or [T.KIT_UNKNOWN])
    if page.where:
        _section(pdf, width, T.KIT_WHERE, [page.where])


def _section(pdf: FPDF, width: float, heading: str, lines: list[str]) -> None:
    pdf.set_font("kit", "B", 13)
    pdf.multi_cell(width, 7, heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("kit", "", 11)
    for line in lines:
        pdf.multi_cell(width, 6, f"• {line}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _unique(items: list[str]) -> list[str]:
    """Channels with the same fee or time print once, without the channel name."""
    values = [item.split(": ", 1)[1] for item in items]
    if len(set(values)) == 1:
        return values[:1]
    return list(dict.fromkeys(items))
