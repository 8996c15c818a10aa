"""Raster figures for the corpus PDFs.

The published plans carry their diagrams as pictures, so a text extractor sees
nothing of them (the seed texts show an empty gap there). We draw comparable
diagrams with Pillow and embed them as PNG images, which keeps that property.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

GOTHIC_TTF = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"
SCALE = 2  # draw at 2x for a crisp result at ~150 dpi


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(GOTHIC_TTF, size * SCALE)


def _center_text(draw: ImageDraw.ImageDraw, box, text: str, size: int, fill="#000000") -> None:
    font = _font(size)
    x0, y0, x1, y1 = (v * SCALE for v in box)
    lines = text.split("\n")
    heights = [draw.textbbox((0, 0), ln, font=font)[3] for ln in lines]
    total = sum(heights) + (len(lines) - 1) * 6 * SCALE
    y = (y0 + y1 - total) / 2
    for ln, h in zip(lines, heights):
        w = draw.textlength(ln, font=font)
        draw.text(((x0 + x1 - w) / 2, y), ln, font=font, fill=fill)
        y += h + 6 * SCALE


def _rect(draw, box, fill, outline="#2e6b3a", width=2, radius=10):
    draw.rounded_rectangle([v * SCALE for v in box], radius=radius * SCALE, fill=fill, outline=outline, width=width * SCALE)


def _png(img: Image.Image) -> bytes:
    img = img.convert("P", palette=Image.Palette.ADAPTIVE, colors=32)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def memuro_wheels() -> bytes:
    """5期総 resting on two wheels: organisation building and staff development."""
    w, h = 620, 300
    img = Image.new("RGB", (w * SCALE, h * SCALE), "#ffffff")
    d = ImageDraw.Draw(img)
    _rect(d, (150, 10, 470, 80), "#e3efe5")
    _center_text(d, (150, 10, 470, 80), "第5期芽室町総合計画（5期総）\nまちの将来像の実現", 15)
    d.polygon([(v * SCALE) for v in (300, 90, 320, 90, 310, 110)], fill="#2e6b3a")
    d.line([v * SCALE for v in (170, 205, 450, 205)], fill="#7a7a7a", width=8 * SCALE)
    for cx, label in ((170, "組織づくり\n（行政経営ポリシー）"), (450, "職員育成\n（人財育成基本方針）")):
        d.ellipse([v * SCALE for v in (cx - 90, 115, cx + 90, 295)], fill="#2e6b3a", outline="#1d4525", width=3 * SCALE)
        _center_text(d, (cx - 90, 115, cx + 90, 295), label, 14, fill="#ffffff")
    _center_text(d, (250, 120, 370, 180), "両輪で\n推進", 16, fill="#2e6b3a")
    return _png(img)


def tokorozawa_structure() -> bytes:
    """Promotion structure: policy meeting, committees, departments, staff, presentation day."""
    w, h = 640, 330
    img = Image.new("RGB", (w * SCALE, h * SCALE), "#ffffff")
    d = ImageDraw.Draw(img)
    blue = "#1f4e79"
    _rect(d, (220, 10, 420, 60), "#dde8f4", outline=blue)
    _center_text(d, (220, 10, 420, 60), "政策会議", 16)
    _rect(d, (40, 100, 280, 150), "#ffffff", outline=blue)
    _center_text(d, (40, 100, 280, 150), "事務改善委員会\n（次長級職員）", 13)
    _rect(d, (360, 100, 600, 150), "#ffffff", outline=blue)
    _center_text(d, (360, 100, 600, 150), "有言実行推進委員会\n（若手職員）", 13)
    _rect(d, (120, 190, 520, 240), "#dde8f4", outline=blue)
    _center_text(d, (120, 190, 520, 240), "各部・各課等（組織）", 15)
    _rect(d, (120, 270, 520, 320), "#ffffff", outline=blue)
    _center_text(d, (120, 270, 520, 320), "職員個人・グループ（一人一改善）", 15)
    for x0, y0, x1, y1 in ((320, 60, 160, 100), (320, 60, 480, 100), (160, 150, 320, 190), (480, 150, 320, 190), (320, 240, 320, 270)):
        d.line([v * SCALE for v in (x0, y0, x1, y1)], fill=blue, width=2 * SCALE)
    return _png(img)


FIGURES = {"memuro_wheels": (memuro_wheels, 12.4, 6.0), "tokorozawa_structure": (tokorozawa_structure, 15.0, 7.7)}
