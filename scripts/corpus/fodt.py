"""Turn the corpus markup (see templates/README.md) into a flat ODF text document.

LibreOffice (soffice --headless --convert-to pdf) then lays it out with the IPA
fonts, so the PDFs carry real embedded Japanese fonts, real tables and real
columns instead of text painted by a toy PDF writer.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

MINCHO = "IPAMincho"
GOTHIC = "IPAGothic"
PGOTHIC = "IPAPGothic"


@dataclass
class Block:
    kind: str
    lines: list[str] = field(default_factory=list)
    arg: str | None = None


def parse_markup(text: str) -> list[Block]:
    """Parse the line-oriented template markup into blocks."""
    blocks: list[Block] = []
    table: Block | None = None
    for raw in text.splitlines():
        line = raw.rstrip("\n")
        if table is not None:
            if line == "@end":
                blocks.append(table)
                table = None
            else:
                table.lines.append(line)
            continue
        if not line.strip():
            continue
        if line.startswith("@"):
            name, _, arg = line[1:].partition(" ")
            if name == "table":
                table = Block("table", [], arg or None)
            else:
                blocks.append(Block(name, [], arg or None))
            continue
        prefix_kinds = [
            ("#### ", "h4"),
            ("### ", "h3"),
            ("## ", "h2"),
            ("# ", "title"),
            ("> ", "slogan"),
            ("- ", "li"),
            ("+ ", "oli"),
            ("= ", "center"),
            ("! ", "note"),
        ]
        for prefix, kind in prefix_kinds:
            if line.startswith(prefix):
                content = line[len(prefix):]
                if kind == "slogan" and blocks and blocks[-1].kind == "slogan":
                    blocks[-1].lines.append(content)
                else:
                    blocks.append(Block(kind, [content]))
                break
        else:
            if line.startswith("  ") and blocks and blocks[-1].kind in ("li", "oli", "p"):
                blocks[-1].lines.append(line.strip())
            else:
                blocks.append(Block("p", [line]))
    if table is not None:
        raise ValueError("unterminated @table")
    return blocks


@dataclass
class Layout:
    """Page geometry and typography of one document."""

    title: str
    landscape: bool = False
    margin_cm: float = 2.0
    footer: str = "- {n} -"  # {n} is replaced by the page number field
    body_pt: float = 10.5
    accent: str = "#2e6b3a"
    accent_light: str = "#e3efe5"
    column_gap_cm: float = 0.9
    line_height: int = 150  # percent, for body text and lists


def _text_props(font: str, size: float, bold: bool = False, color: str | None = None) -> str:
    weight = ' fo:font-weight="bold" style:font-weight-asian="bold"' if bold else ""
    col = f' fo:color="{color}"' if color else ""
    return (
        f'<style:text-properties style:font-name="{font}" style:font-name-asian="{font}"'
        f' fo:font-size="{size}pt" style:font-size-asian="{size}pt"{weight}{col}/>'
    )


def _para_style(name: str, para: str, text: str, parent: str = "Standard", extra: str = "") -> str:
    return (
        f'<style:style style:name="{name}" style:family="paragraph" style:parent-style-name="{parent}"{extra}>'
        f"<style:paragraph-properties {para}/>{text}</style:style>"
    )


class FodtWriter:
    """Accumulates body XML and emits a complete .fodt document."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.body: list[str] = []
        self.auto_styles: list[str] = []
        self.pending_break = False
        self.pending_page_number: int | None = None
        self.cover = False
        self.pending_column = False
        self.in_columns = False
        self.counter = 0
        self.images = 0
        self.auto_styles.append(
            f'<style:style style:name="TCircle" style:family="text">{_text_props(GOTHIC, 24, True, "#ffffff")}</style:style>'
        )
        self.auto_styles.append(
            '<style:style style:name="grCircle" style:family="graphic"><style:graphic-properties'
            f' draw:fill="solid" draw:fill-color="{layout.accent}" draw:stroke="none" draw:textarea-horizontal-align="center"'
            ' draw:textarea-vertical-align="middle" style:vertical-pos="middle" style:vertical-rel="line"'
            ' fo:padding-top="0cm" fo:padding-bottom="0cm" draw:auto-grow-height="false"/>'
            f'<style:text-properties fo:color="#ffffff" style:font-name="{GOTHIC}" style:font-name-asian="{GOTHIC}"'
            ' fo:font-size="24pt" style:font-size-asian="24pt" fo:font-weight="bold" style:font-weight-asian="bold"/></style:style>'
        )

    # ---- style helpers -------------------------------------------------
    def _fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}{self.counter}"

    def _pstyle(self, base: str) -> str:
        """Return `base`, or an automatic variant carrying a pending page break / master page."""
        if self.cover:
            self.cover = False
            name = self._fresh("PCover")
            self.auto_styles.append(
                f'<style:style style:name="{name}" style:family="paragraph" '
                f'style:parent-style-name="{base}" style:master-page-name="Cover"/>'
            )
            return name
        if self.pending_column and not self.pending_break:
            self.pending_column = False
            name = self._fresh("PCol")
            self.auto_styles.append(
                f'<style:style style:name="{name}" style:family="paragraph" style:parent-style-name="{base}">'
                f'<style:paragraph-properties fo:break-before="column"/></style:style>'
            )
            return name
        if not self.pending_break:
            return base
        self.pending_break = False
        name = self._fresh("PBreak")
        number = self.pending_page_number
        self.pending_page_number = None
        num_attr = f' style:page-number="{number}"' if number is not None else ""
        self.auto_styles.append(
            f'<style:style style:name="{name}" style:family="paragraph" '
            f'style:parent-style-name="{base}" style:master-page-name="Main">'
            f'<style:paragraph-properties{num_attr}/></style:style>'
        )
        return name

    def _table_style(self, width_cm: float, align: str = "center") -> str:
        name = self._fresh("Tbl")
        brk = ""
        if self.pending_break or self.cover:
            master = "Cover" if self.cover else "Main"
            brk = f' style:master-page-name="{master}"'
            num = self.pending_page_number
            self.pending_break = False
            self.cover = False
            self.pending_page_number = None
            extra = f' style:page-number="{num}"' if num is not None else ""
        else:
            extra = ""
        if self.pending_column:
            self.pending_column = False
            extra += ' fo:break-before="column"'
        self.auto_styles.append(
            f'<style:style style:name="{name}" style:family="table"{brk}>'
            f'<style:table-properties style:width="{width_cm:.2f}cm" table:align="{align}"'
            f' fo:margin-top="0.1cm" fo:margin-bottom="0.3cm"{extra}/></style:style>'
        )
        return name

    def _col_style(self, width_cm: float) -> str:
        name = self._fresh("Col")
        self.auto_styles.append(
            f'<style:style style:name="{name}" style:family="table-column">'
            f'<style:table-column-properties style:column-width="{width_cm:.2f}cm"/></style:style>'
        )
        return name

    def _cell_style(self, background: str | None, border: str | None) -> str:
        name = self._fresh("Cell")
        bg = f' fo:background-color="{background}"' if background else ""
        bd = f' fo:border="{border}"' if border else ' fo:border="none"'
        self.auto_styles.append(
            f'<style:style style:name="{name}" style:family="table-cell">'
            f'<style:table-cell-properties fo:padding="0.12cm"{bg}{bd} style:vertical-align="middle"/>'
            f"</style:style>"
        )
        return name

    @property
    def text_width_cm(self) -> float:
        page_w = 29.7 if self.layout.landscape else 21.0
        width = page_w - 2 * self.layout.margin_cm
        if self.in_columns:
            width = (width - self.layout.column_gap_cm) / 2 - 0.05
        return width

    # ---- content -------------------------------------------------------
    def para(self, style: str, content: str, outline: int | None = None) -> None:
        st = self._pstyle(style)
        if outline:
            self.body.append(f'<text:h text:style-name="{st}" text:outline-level="{outline}">{content}</text:h>')
        else:
            self.body.append(f'<text:p text:style-name="{st}">{content}</text:p>')

    def page_break(self, number: int | None = None) -> None:
        self.pending_break = True
        self.pending_page_number = number

    def start_cover(self) -> None:
        self.cover = True

    def table(self, rows: list[list[str]], widths: list[float], header: bool = True) -> None:
        total = sum(widths)
        cols = [w * self.text_width_cm / total for w in widths]
        tname = self._table_style(self.text_width_cm)
        border = "0.6pt solid #000000"
        head_cell = self._cell_style("#d9d9d9", border)
        body_cell = self._cell_style(None, border)
        out = [f'<table:table table:name="{self._fresh("Table")}" table:style-name="{tname}">']
        for w in cols:
            out.append(f'<table:table-column table:style-name="{self._col_style(w)}"/>')
        for i, row in enumerate(rows):
            is_head = header and i == 0
            if is_head:
                out.append("<table:table-header-rows>")
            out.append("<table:table-row>")
            for cell in row:
                cst = head_cell if is_head else body_cell
                pst = "TableHead" if is_head else "TableCell"
                parts = cell.split("\\n")
                styles = [pst] * len(parts)
                if not header:
                    styles[0] = "TableHead"
                paras = "".join(
                    f'<text:p text:style-name="{st}">{escape(part)}</text:p>' for st, part in zip(styles, parts)
                )
                out.append(f'<table:table-cell table:style-name="{cst}" office:value-type="string">{paras}</table:table-cell>')
            out.append("</table:table-row>")
            if is_head:
                out.append("</table:table-header-rows>")
        out.append("</table:table>")
        self.body.append("".join(out))

    def band(self, number: str, title: str) -> None:
        """A chapter band: dark number cell + light title cell."""
        w = self.text_width_cm
        tname = self._table_style(w)
        c1 = self._cell_style(self.layout.accent, None)
        c2 = self._cell_style(self.layout.accent_light, None)
        title_xml = "<text:line-break/>".join(escape(t) for t in title.split(" "))
        self.body.append(
            f'<table:table table:name="{self._fresh("Band")}" table:style-name="{tname}">'
            f'<table:table-column table:style-name="{self._col_style(3.0)}"/>'
            f'<table:table-column table:style-name="{self._col_style(w - 3.0)}"/>'
            f'<table:table-row><table:table-cell table:style-name="{c1}" office:value-type="string">'
            f'<text:h text:style-name="BandNumber" text:outline-level="1">{escape(number)}</text:h></table:table-cell>'
            f'<table:table-cell table:style-name="{c2}" office:value-type="string">'
            f'<text:p text:style-name="BandTitle">{title_xml}</text:p></table:table-cell></table:table-row>'
            f"</table:table>"
        )

    def circles(self, words: list[str]) -> None:
        shapes = []
        for word in words:
            shapes.append(
                '<draw:ellipse draw:style-name="grCircle" text:anchor-type="as-char" '
                'svg:width="3.6cm" svg:height="3.6cm" draw:z-index="0">'
                f'<text:p text:style-name="CircleText"><text:span text:style-name="TCircle">{escape(word)}</text:span></text:p></draw:ellipse>'
            )
        self.para("CoverCenter", "<text:s/><text:s/><text:s/>".join(shapes))

    def image(self, png: bytes, width_cm: float, height_cm: float) -> None:
        self.images += 1
        data = base64.b64encode(png).decode("ascii")
        self.para(
            "Figure",
            f'<draw:frame draw:name="Figure{self.images}" text:anchor-type="as-char" '
            f'svg:width="{width_cm:.2f}cm" svg:height="{height_cm:.2f}cm" draw:z-index="1">'
            f'<draw:image><office:binary-data>{data}</office:binary-data></draw:image></draw:frame>',
        )

    def start_columns(self) -> None:
        name = self._fresh("Sect")
        gap = self.layout.column_gap_cm
        half = gap / 2
        self.auto_styles.append(
            f'<style:style style:name="{name}" style:family="section"><style:section-properties>'
            f'<style:columns fo:column-count="2" fo:column-gap="{gap}cm">'
            f'<style:column-sep style:width="0.02cm" style:color="#808080" style:height="100%" style:vertical-align="top"/>'
            f'<style:column style:rel-width="32767*" fo:start-indent="0cm" fo:end-indent="{half}cm"/>'
            f'<style:column style:rel-width="32767*" fo:start-indent="{half}cm" fo:end-indent="0cm"/>'
            f"</style:columns></style:section-properties></style:style>"
        )
        self.body.append(f'<text:section text:style-name="{name}" text:name="{name}">')
        self.in_columns = True

    def end_columns(self) -> None:
        self.body.append("</text:section>")
        self.in_columns = False

    def column_break(self) -> None:
        self.pending_column = True

    # ---- document ------------------------------------------------------
    def styles(self) -> str:
        L = self.layout
        s = L.body_pt
        lh = L.line_height
        lh2 = max(100, L.line_height - 10)
        acc = L.accent
        return "".join(
            [
                '<style:default-style style:family="paragraph">'
                '<style:paragraph-properties style:writing-mode="lr-tb" style:line-break="strict" style:punctuation-wrap="simple"/>'
                f'<style:text-properties style:font-name="{MINCHO}" style:font-name-asian="{MINCHO}"'
                f' fo:font-size="{s}pt" style:font-size-asian="{s}pt" fo:language="ja" fo:country="JP"'
                ' style:language-asian="ja" style:country-asian="JP"/></style:default-style>',
                '<style:style style:name="Standard" style:family="paragraph" style:class="text"/>',
                _para_style("Body", f'fo:margin-top="0cm" fo:margin-bottom="0.18cm" fo:line-height="{lh}%" fo:text-align="justify" fo:text-indent="1em"', ""),
                _para_style("BodyNoIndent", 'fo:margin-bottom="0.12cm" fo:line-height="140%" fo:text-align="start"', ""),
                _para_style("Title", 'fo:margin-top="5cm" fo:margin-bottom="1.2cm" fo:text-align="center"', _text_props(GOTHIC, 30, True, acc)),
                _para_style("DocTitle", 'fo:margin-top="0cm" fo:margin-bottom="0.5cm" fo:text-align="center" fo:padding="0.2cm" fo:border-bottom="1.5pt solid ' + acc + '"', _text_props(GOTHIC, 20, True, acc)),
                _para_style("CoverCenter", 'fo:margin-top="1cm" fo:margin-bottom="0.6cm" fo:text-align="center"', _text_props(GOTHIC, 16, True)),
                _para_style("CircleText", 'fo:text-align="center"', _text_props(GOTHIC, 22, True, "#ffffff")),
                _para_style("BandNumber", 'fo:text-align="center"', _text_props(GOTHIC, 22, True, "#ffffff")),
                _para_style("BandTitle", 'fo:text-align="start"', _text_props(GOTHIC, 17, True, acc)),
                _para_style("H2", 'fo:margin-top="0.5cm" fo:margin-bottom="0.25cm" fo:padding-bottom="0.08cm" fo:border-bottom="1.2pt solid ' + acc + '" fo:keep-with-next="always"', _text_props(GOTHIC, 15, True, acc)),
                _para_style("H3", 'fo:margin-top="0.45cm" fo:margin-bottom="0.2cm" fo:padding-left="0.2cm" fo:border-left="5pt solid ' + acc + '" fo:keep-with-next="always"', _text_props(GOTHIC, 13, True)),
                _para_style("H4", 'fo:margin-top="0.35cm" fo:margin-bottom="0.15cm" fo:keep-with-next="always"', _text_props(GOTHIC, 11.5, True, acc)),
                _para_style("Slogan", 'fo:margin-top="0.2cm" fo:margin-bottom="0.3cm" fo:text-align="center" fo:line-height="150%"', _text_props(GOTHIC, 12, True)),
                _para_style("ListItem", f'fo:margin-left="1.2cm" fo:text-indent="-1.2cm" fo:margin-bottom="0.12cm" fo:line-height="{lh2}%"', ""),
                _para_style("Bullet", f'fo:margin-left="1.5em" fo:text-indent="-1em" fo:margin-bottom="0.06cm" fo:line-height="{lh2}%"', ""),
                _para_style("BoxItem", 'fo:margin-left="0.6cm" fo:margin-right="0.6cm" fo:padding="0.15cm" fo:border="0.8pt solid ' + acc + '" style:join-border="true" fo:background-color="#f6f9f6" fo:line-height="140%"', _text_props(GOTHIC, 10, False)),
                _para_style("Note", 'fo:margin-bottom="0.1cm" fo:line-height="135%"', _text_props(MINCHO, 9)),
                _para_style("Footer", 'fo:text-align="center"', _text_props(MINCHO, 10)),
                _para_style("TableHead", 'fo:text-align="center"', _text_props(GOTHIC, 10, True)),
                _para_style("TableCell", 'fo:text-align="start" fo:line-height="130%"', _text_props(MINCHO, 9.5)),
                _para_style("Figure", 'fo:text-align="center" fo:margin-top="0.3cm" fo:margin-bottom="0.3cm"', ""),
                _para_style("PageNo", 'fo:text-align="center"', ""),
            ]
        )

    def document(self) -> str:
        L = self.layout
        w, h = (29.7, 21.0) if L.landscape else (21.0, 29.7)
        m = L.margin_cm
        orient = "landscape" if L.landscape else "portrait"
        footer_xml = ""
        if L.footer:
            before, _, after = L.footer.partition("{n}")
            footer_xml = (
                f'<style:footer><text:p text:style-name="Footer">{escape(before)}'
                f'<text:page-number text:select-page="current">1</text:page-number>{escape(after)}</text:p></style:footer>'
            )
        page_layout = (
            f'<style:page-layout style:name="pmMain"><style:page-layout-properties fo:page-width="{w}cm"'
            f' fo:page-height="{h}cm" style:print-orientation="{orient}" fo:margin-top="{m}cm" fo:margin-bottom="{m * 0.6:.2f}cm"'
            f' fo:margin-left="{m}cm" fo:margin-right="{m}cm" style:writing-mode="lr-tb"/>'
            '<style:footer-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-top="0.4cm"/></style:footer-style>'
            "</style:page-layout>"
            f'<style:page-layout style:name="pmCover"><style:page-layout-properties fo:page-width="{w}cm"'
            f' fo:page-height="{h}cm" style:print-orientation="{orient}" fo:margin-top="{m}cm" fo:margin-bottom="{m}cm"'
            f' fo:margin-left="{m}cm" fo:margin-right="{m}cm" style:writing-mode="lr-tb"/></style:page-layout>'
        )
        ns = (
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
            'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
            'xmlns:xlink="http://www.w3.org/1999/xlink" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
            'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
        )
        fonts = "".join(
            f'<style:font-face style:name="{f}" svg:font-family="{f}" style:font-family-generic="{g}" style:font-pitch="variable"/>'
            for f, g in ((MINCHO, "roman"), (GOTHIC, "swiss"), (PGOTHIC, "swiss"))
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<office:document {ns} office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">'
            f"<office:meta><dc:title>{escape(L.title)}</dc:title><dc:language>ja-JP</dc:language></office:meta>"
            f"<office:font-face-decls>{fonts}</office:font-face-decls>"
            f"<office:styles>{self.styles()}</office:styles>"
            f"<office:automatic-styles>{page_layout}{''.join(self.auto_styles)}</office:automatic-styles>"
            '<office:master-styles>'
            f'<style:master-page style:name="Main" style:page-layout-name="pmMain">{footer_xml}</style:master-page>'
            '<style:master-page style:name="Cover" style:page-layout-name="pmCover" style:next-style-name="Main"/>'
            '<style:master-page style:name="Standard" style:page-layout-name="pmMain">' + footer_xml + "</style:master-page>"
            "</office:master-styles>"
            f'<office:body><office:text>{"".join(self.body)}</office:text></office:body></office:document>\n'
        )
