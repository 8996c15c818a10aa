#!/usr/bin/env python3
"""Make the Japanese font subset that `themes --heatmap x.png` falls back to on a machine
without a Japanese system font (assets/fonts/GyokakuGothic-Subset.ttf).

Source: IPA Gothic (ipag.ttf, IPA Font License Agreement v1.0, Debian fonts-ipafont-gothic).
The subset keeps ASCII and the JIS X 0208 repertoire (kana, the 6,355 kanji of levels 1 and 2,
symbols: every municipality's and theme's name in practice), plus a few variants used in
place names, and a few symbols the heatmap draws. Outlines are unchanged; hinting is dropped.

The IPA licence (Article 3.1) lets a derived font be redistributed under the same licence,
with a different name (no "IPA" in its font or file name), with this script as the means to
make it again and with the way back to the original: install fonts-ipafont-gothic or set
GYOKAKU_FONT=/path/to/ipag.ttf, which gyokaku prefers to the subset.

Needs: pip install fonttools; apt-get install fonts-ipafont-gothic
Usage: python3 scripts/make_heatmap_font.py
"""
import os

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SOURCE = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"
OUT = os.path.join(ROOT, "assets", "fonts", "GyokakuGothic-Subset.ttf")
FAMILY = "Gyokaku Gothic Subset"
EXTRA = "×→〜～・（）「」『』【】〇々〆ヶヵ髙﨑德"


def repertoire():
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for code in range(0x3000, 0xFFEF):
        ch = chr(code)
        try:
            ch.encode("shift_jis")
        except UnicodeEncodeError:
            continue
        chars.add(ch)
    chars.update(EXTRA)
    return chars


def main():
    font = TTFont(SOURCE)
    cmap = font.getBestCmap()
    wanted = sorted(ch for ch in repertoire() if ord(ch) in cmap)
    options = subset.Options()
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(wanted))
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 16):
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            names.setName(FAMILY.replace(" ", ""), record.nameID, record.platformID,
                          record.platEncID, record.langID)
        elif record.nameID == 3:
            names.setName(FAMILY + " (derived from IPAGothic 003.03)", 3, record.platformID,
                          record.platEncID, record.langID)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    font.save(OUT)
    print(f"{OUT}: {len(wanted)} characters, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
