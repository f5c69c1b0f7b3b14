"""Printable documents (invoices, receipts, packing slips) drawn with fpdf2.

DejaVu Sans from the system (Debian's fonts-dejavu-core) is used when present, so any text
prints as typed; otherwise the PDF core font Helvetica is used and text is reduced to
Latin-1 (curly quotes and dashes become their plain forms, anything else a "?").
"""
from __future__ import annotations

import logging
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

# fontTools reports every font subset at INFO: noise in the application log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
# The no-break space (U+00A0) stays: it is in Latin-1, and fpdf2 never breaks a line at it.
_PLAIN = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "·": "-",
                        "×": "x"})
BRAND = (11, 110, 79)
MUTED = (90, 102, 96)


class Document(FPDF):
    """An A4 page with a title, blocks of label/value pairs, tables and a footer line."""

    def __init__(self, title: str, footer: str = "", font_dir: Path = DEJAVU_DIR):
        super().__init__(format="A4", unit="mm")
        self.doc_title, self.footer_text = title, footer
        self.family = self._load_fonts(font_dir)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_title(self.clean(title))
        self.set_creator("BEBELI")
        self.add_page()

    def _load_fonts(self, font_dir: Path) -> str:
        regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            self.add_font("DejaVu", "", str(regular))
            self.add_font("DejaVu", "B", str(bold))
            return "DejaVu"
        return "Helvetica"

    @property
    def unicode(self) -> bool:
        return self.family == "DejaVu"

    def clean(self, value) -> str:
        value = "" if value is None else str(value)
        if self.unicode:
            return value
        return value.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")

    def use_font(self, size: float = 9, bold: bool = False, color=(31, 42, 36)) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*color)

    def header(self):
        self.use_font(8, bold=True, color=BRAND)
        self.cell(0, 5, self.clean("BEBELI · Bekasi Berani Beli"), new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*BRAND)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(4)

    def footer(self):
        self.set_y(-14)
        self.use_font(7, color=MUTED)
        self.multi_cell(0, 3.5, self.clean(f"{self.footer_text}  ·  {self.page_no()}/{{nb}}"), align="C")

    def heading(self, text: str, size: float = 15) -> None:
        self.use_font(size, bold=True)
        self.multi_cell(0, size * 0.5, self.clean(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def paragraph(self, text: str, size: float = 9, bold: bool = False, color=(31, 42, 36)) -> None:
        self.use_font(size, bold, color)
        self.multi_cell(0, size * 0.5, self.clean(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def fields(self, pairs: list[tuple[str, object]], label_width: float = 38) -> None:
        """Label: value rows, skipping empty values."""
        for label, value in pairs:
            if value in (None, ""):
                continue
            y = self.get_y()
            self.use_font(8.5, color=MUTED)
            self.multi_cell(label_width, 4.5, self.clean(label), new_x="RIGHT", new_y="TOP")
            self.use_font(8.5)
            self.multi_cell(0, 4.5, self.clean(value), align="L", new_x="LMARGIN", new_y="NEXT")
            self.set_y(max(self.get_y(), y + 4.5))

    def columns(self, blocks: list[tuple[str, list[tuple[str, object]]]]) -> None:
        """Blocks of fields side by side (seller | buyer)."""
        width = (self.epw - 6 * (len(blocks) - 1)) / len(blocks)
        top, bottom = self.get_y(), self.get_y()
        for index, (title, pairs) in enumerate(blocks):
            left = self.l_margin + index * (width + 6)
            self.set_xy(left, top)
            self.use_font(9, bold=True, color=BRAND)
            self.cell(width, 5, self.clean(title), new_x="LEFT", new_y="NEXT")
            for label, value in pairs:
                if value in (None, ""):
                    continue
                self.set_x(left)
                self.use_font(8, color=MUTED)
                self.cell(width, 4, self.clean(label), new_x="LEFT", new_y="NEXT")
                self.set_x(left)
                self.use_font(8.5)
                self.multi_cell(width, 4.2, self.clean(value), align="L", new_x="LEFT", new_y="NEXT")
            bottom = max(bottom, self.get_y())
        self.set_xy(self.l_margin, bottom + 3)

    def grid(self, headings: list[str], rows: list[list[object]], widths: tuple[float, ...],
             align: tuple[str, ...]) -> None:
        self.use_font(8.5)
        heading_style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=BRAND)
        with self.table(col_widths=widths, text_align=align, headings_style=heading_style, line_height=5,
                           padding=1.2, first_row_as_headings=True) as table:
            table.row([self.clean(h) for h in headings])
            for row in rows:
                table.row([self.clean(cell) for cell in row])
        self.ln(2)

    def totals(self, rows: list[tuple[str, str, bool]], width: float = 85) -> None:
        """Right-aligned label/amount rows; bold ones are totals."""
        for label, amount, strong in rows:
            self.set_x(self.w - self.r_margin - width)
            self.use_font(9.5 if strong else 8.5, bold=strong)
            self.cell(width * 0.55, 5.5, self.clean(label), align="L")
            self.cell(width * 0.45, 5.5, self.clean(amount), align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def render(self) -> bytes:
        self.alias_nb_pages()
        return bytes(self.output())
