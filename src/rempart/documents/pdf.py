"""A PDF page layout shared by Rempart's documents (complaint letter, notices, evidence report).

fpdf2 with an embedded Unicode font (French needs œ, ’, « », —, which the PDF core fonts lack).
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]
FONT_FAMILY = "DejaVu"


def _font_file(name: str) -> Path:
    for folder in FONT_DIRS:
        candidate = folder / name
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"font {name} not found (Debian package fonts-dejavu-core)")


class RempartPdf(FPDF):
    """A4 portrait document with a title line in the header and page numbers in the footer."""

    def __init__(self, title: str, footer_note: str = "") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc_title = title
        self.footer_note = footer_note
        self.set_title(title)
        self.set_creator("Rempart")
        self.set_author("Rempart")
        self.add_font(FONT_FAMILY, "", str(_font_file("DejaVuSans.ttf")))
        self.add_font(FONT_FAMILY, "B", str(_font_file("DejaVuSans-Bold.ttf")))
        self.add_font(FONT_FAMILY, "I", str(_font_file("DejaVuSans-Oblique.ttf")))
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)
        self.set_font(FONT_FAMILY, size=10)

    def header(self) -> None:
        self.set_font(FONT_FAMILY, "I", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, self.doc_title, new_x="LMARGIN", new_y="NEXT", align="R")
        self.set_text_color(0, 0, 0)
        self.set_font(FONT_FAMILY, size=10)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT_FAMILY, "I", 7.5)
        self.set_text_color(90, 90, 90)
        text = f"{self.footer_note}    {self.page_no()}/{{nb}}" if self.footer_note else (
            f"{self.page_no()}/{{nb}}")
        self.cell(0, 6, text, align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, level: int = 1) -> None:
        self.ln(2)
        self.set_font(FONT_FAMILY, "B", {1: 15, 2: 12}.get(level, 11))
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT_FAMILY, size=10)
        self.ln(1)

    def paragraph(self, text: str, size: float = 10) -> None:
        self.set_font(FONT_FAMILY, size=size)
        self.multi_cell(0, 5.2, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def key_values(self, rows: list[tuple[str, str]]) -> None:
        for key, value in rows:
            self.set_font(FONT_FAMILY, "B", 9.5)
            self.cell(56, 5.2, key)
            self.set_font(FONT_FAMILY, size=9.5)
            self.multi_cell(0, 5.2, value or "—", new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
