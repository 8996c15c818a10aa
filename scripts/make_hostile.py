#!/usr/bin/env python3
"""Generate small hostile input files for gyokaku's robustness tests.

Writes tests/fixtures/hostile/ (see the README there for what each file is and
what a correct tool reports). Every file is small (< 3 MB) and rebuilt
from corpus/memuro.pdf and fixed seeds; a fresh run reproduces the committed files
byte for byte, except the two encrypted PDFs (AES-256 keys and salts are random).

Prerequisites: qpdf (apt-get install -y qpdf) for the two encrypted PDFs.
Usage: python3 scripts/make_hostile.py [--out DIR] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

BOMB_BYTES = 2 * 1024**3 + 64 * 1024**2  # inflates to 2.06 GiB (> 2 GiB)
CHUNK = 16 * 1024**2


def pdf_file(objects: list[bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """Serialise numbered objects (1..n) with a correct classic xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        trailer_extra,
        xref,
    )
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def one_page(contents_ref: int, resources: bytes = b"<< >>") -> list[bytes]:
    """Catalog (1), Pages (2), Page (3); the caller appends objects from 4 on."""
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
        + resources
        + b" /Contents %d 0 R >>" % contents_ref,
    ]


def zeros_deflated(total: int) -> bytes:
    comp = zlib.compressobj(9)
    block = bytes(CHUNK)
    parts = []
    left = total
    while left > 0:
        n = min(CHUNK, left)
        parts.append(comp.compress(block if n == CHUNK else bytes(n)))
        left -= n
    parts.append(comp.flush())
    return b"".join(parts)


def flate_bomb(nested: bool) -> bytes:
    """A page whose content stream inflates to > 2 GiB of zero bytes."""
    data = zeros_deflated(BOMB_BYTES)
    filters = b"/Filter /FlateDecode"
    if nested:  # the deflated zeros are themselves very repetitive: deflate again
        data = zlib.compress(data, 9)
        filters = b"/Filter [/FlateDecode /FlateDecode]"
    objs = one_page(4)
    objs.append(stream(filters, data))
    return pdf_file(objs)


def xobject_loop() -> bytes:
    """Form XObject /X1 draws itself; /A and /B draw each other."""
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    objs = one_page(4, b"<< /XObject << /X1 5 0 R /A 6 0 R >> /Font << /F1 8 0 R >> >>")
    objs.append(stream(b"", b"BT /F1 12 Tf 72 760 Td (self-drawing form) Tj ET\nq /X1 Do Q\nq /A Do Q"))
    objs.append(
        stream(
            b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /X1 5 0 R >> >>",
            b"q 0.5 0 0 0.5 10 10 cm /X1 Do Q",
        )
    )
    objs.append(
        stream(b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /B 7 0 R >> >>", b"/B Do")
    )
    objs.append(
        stream(b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /A 6 0 R >> >>", b"/A Do")
    )
    objs.append(font)
    return pdf_file(objs)


def page_tree_loop() -> bytes:
    """The page tree's /Kids contains the /Pages node itself (a cycle)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        stream(b"", b""),
    ]
    return pdf_file(objs)


def broken_xref(source: bytes) -> bytes:
    """memuro.pdf with every xref offset shifted and startxref pointing into the void."""
    head, sep, tail = source.rpartition(b"startxref")
    if not sep:
        raise ValueError("source PDF has no startxref")
    xref_at = head.rfind(b"\nxref")
    table = head[xref_at:]

    def shift(m: re.Match) -> bytes:
        return b"%010d %s n" % (int(m.group(1)) + 7, m.group(2))

    table = re.sub(rb"(\d{10}) (\d{5}) n", shift, table)
    return head[:xref_at] + table + b"startxref\n999999999\n%%EOF\n"


def qpdf_encrypt(source: Path, target: Path, user: str, owner: str, restrictions: list[str]) -> None:
    if shutil.which("qpdf") is None:
        raise SystemExit("error: qpdf not found; apt-get install -y qpdf")
    cmd = ["qpdf", "--static-id", "--static-aes-iv", "--encrypt", user, owner, "256", *restrictions, "--", str(source), str(target)]
    subprocess.run(cmd, check=True)


UNKNOWN_CHARSET_HTML = """<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="x-gyokaku-unknown-9">
<title>文字コード不明のページ</title>
</head>
<body>
<h1>行政改革推進計画の概要</h1>
<p>本市では、持続可能な行財政運営を目指し、公共施設の老朽化対策と事務事業の見直しに取り組みます。</p>
</body>
</html>
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=REPO / "tests" / "fixtures" / "hostile")
    ap.add_argument("--corpus", type=Path, default=REPO / "corpus")
    args = ap.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    memuro_path = args.corpus / "memuro.pdf"
    memuro = memuro_path.read_bytes()
    rng = random.Random(20261121)

    files: dict[str, bytes] = {
        "truncated.pdf": memuro[: len(memuro) // 2],
        "broken_xref.pdf": broken_xref(memuro),
        "flate_bomb.pdf": flate_bomb(nested=False),
        "flate_bomb_nested.pdf": flate_bomb(nested=True),
        "xobject_loop.pdf": xobject_loop(),
        "page_tree_loop.pdf": page_tree_loop(),
        "empty.pdf": b"",
        "random.pdf": bytes(rng.getrandbits(8) for _ in range(4096)),
        "random.html": bytes(rng.getrandbits(8) for _ in range(4096)),
        "unknown_charset.html": UNKNOWN_CHARSET_HTML.encode("utf-8"),
    }
    for name, data in files.items():
        (out / name).write_bytes(data)
    qpdf_encrypt(memuro_path, out / "encrypted_userpw.pdf", "USERPW", "OWNERPW", [])
    qpdf_encrypt(memuro_path, out / "encrypted_noprint.pdf", "", "OWNERPW", ["--print=none", "--modify=none"])
    for path in sorted(out.iterdir()):
        if path.suffix in (".pdf", ".html"):
            size = path.stat().st_size
            print(f"{path.name:<26}{size:>10} bytes")
            if size >= 3 * 1024**2:
                print(f"error: {path.name} is too large to commit", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
