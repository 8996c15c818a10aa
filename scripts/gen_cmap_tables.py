#!/usr/bin/env python3
"""Generate the compact CMap and CID->Unicode tables under crates/pdf/src/data/.

Source: the Adobe CMap resources (BSD-3-Clause, see crates/pdf/src/data/NOTICE) as converted
to JSON by pdfminer.six, installed from PyPI (`pip install pdfminer.six`; tables were generated
with pdfminer.six 20260107). Run: python3 scripts/gen_cmap_tables.py

Output formats (all integers big-endian):
  cid2uni-<Collection>.bin : u32 n_cids, u32 n_extra,
                             n_cids x u16 (BMP code point, 0 = unmapped, 0xFFFF = see extra),
                             n_extra x (u32 cid, u32 code point)
  cmap-<Name>.bin          : u32 n_ranges, then n_ranges x (u8 n_bytes, u16 lo, u16 hi, u16 cid):
                             codes lo..=hi of n_bytes bytes map to cid + (code - lo).
Only the horizontal (-H) byte-encoded Japanese CMaps are stored: a -V CMap decodes to the same
Unicode text, and Unicode-based CMaps (UniJIS-UCS2, -UTF16, -UTF8, -UTF32) are decoded directly.
"""
import gzip
import json
import os
import struct
import sys

import pdfminer

SRC = os.path.join(os.path.dirname(pdfminer.__file__), "cmap")
OUT = os.path.join(os.path.dirname(__file__), "..", "src", "extract", "pdf", "data")

COLLECTIONS = {"Japan1": "UniJIS", "GB1": "UniGB", "CNS1": "UniCNS", "Korea1": "UniKS"}
BYTE_CMAPS = [
    "H", "EUC-H", "RKSJ-H", "90ms-RKSJ-H", "90msp-RKSJ-H", "90pv-RKSJ-H", "83pv-RKSJ-H",
    "78-H", "78-EUC-H", "78-RKSJ-H", "78ms-RKSJ-H", "Add-H", "Add-RKSJ-H", "Ext-H", "Ext-RKSJ-H",
]


def load(name):
    with gzip.open(os.path.join(SRC, name + ".json.gz")) as f:
        return json.load(f)


def flatten(code2cid):
    """Yields (n_bytes, code, cid) from pdfminer's nested byte -> (byte -> ...) dicts."""
    out = []

    def walk(node, prefix, depth):
        for key, value in node.items():
            code = (prefix << 8) | int(key)
            if isinstance(value, dict):
                walk(value, code, depth + 1)
            else:
                out.append((depth, code, value))

    walk(code2cid, 0, 1)
    return sorted(out)


def cid_to_unicode(collection, prefix):
    table = load("to-unicode-Adobe-" + collection)
    result = {int(cid): text for cid, text in table["CID2UNICHR_H"].items()}
    for cid, text in table["CID2UNICHR_V"].items():
        result.setdefault(int(cid), text)
    # CIDs that only a Unicode CMap names (vertical forms): invert UTF-32 CMaps.
    for suffix in ("H", "V"):
        for n_bytes, code, cid in flatten(load(f"{prefix}-UTF32-{suffix}")["CODE2CID"]):
            if n_bytes == 4 and cid not in result:
                result[cid] = chr(code)
    return result


def write_cid2uni(collection, prefix):
    mapping = cid_to_unicode(collection, prefix)
    n_cids = max(mapping) + 1
    units, extra = [], []
    for cid in range(n_cids):
        text = mapping.get(cid)
        if not text:
            units.append(0)
            continue
        cp = ord(text[0])
        if cp < 0xFFFF and len(text) == 1:
            units.append(cp)
        else:
            units.append(0xFFFF)
            extra.append((cid, cp))
    data = struct.pack(">II", n_cids, len(extra))
    data += struct.pack(f">{n_cids}H", *units)
    data += b"".join(struct.pack(">II", cid, cp) for cid, cp in extra)
    with open(os.path.join(OUT, f"cid2uni-{collection}.bin"), "wb") as f:
        f.write(data)
    return len(data), len(mapping)


def write_byte_cmap(name):
    entries = flatten(load(name)["CODE2CID"])
    ranges = []
    for n_bytes, code, cid in entries:
        if ranges:
            nb, lo, hi, start = ranges[-1]
            if nb == n_bytes and code == hi + 1 and cid == start + (code - lo):
                ranges[-1] = (nb, lo, code, start)
                continue
        ranges.append((n_bytes, code, code, cid))
    data = struct.pack(">I", len(ranges))
    data += b"".join(struct.pack(">BHHH", *r) for r in ranges)
    with open(os.path.join(OUT, f"cmap-{name}.bin"), "wb") as f:
        f.write(data)
    return len(data)


def write_glyph_tables():
    """Adobe Glyph List (name -> Unicode) and the four Latin base encodings, as TSV."""
    from pdfminer.glyphlist import glyphname2unicode
    from pdfminer.latin_enc import ENCODING

    with open(os.path.join(OUT, "glyphlist.tsv"), "w", encoding="utf-8") as f:
        for name in sorted(glyphname2unicode):
            f.write(f"{name}\t{ord(glyphname2unicode[name][0]):04X}\n")
    with open(os.path.join(OUT, "latin-encodings.tsv"), "w", encoding="utf-8") as f:
        f.write("# glyph\tStandard\tMacRoman\tWinAnsi\tPDFDoc (octal-free decimal codes, - = absent)\n")
        for row in ENCODING:
            f.write("\t".join("-" if v is None else str(v) for v in row) + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    write_glyph_tables()
    for collection, prefix in COLLECTIONS.items():
        size, count = write_cid2uni(collection, prefix)
        print(f"cid2uni-{collection}.bin: {count} CIDs, {size} bytes", file=sys.stderr)
    for name in BYTE_CMAPS:
        print(f"cmap-{name}.bin: {write_byte_cmap(name)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
