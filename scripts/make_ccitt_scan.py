#!/usr/bin/env python3
"""Turn an image-only PDF made by make_scans.py into a 1-bit CCITT Group 4 scan of the same page.

    pip install img2pdf pillow
    python3 scripts/make_ccitt_scan.py tests/fixtures/pdf/scan_horizontal.pdf tests/fixtures/pdf/scan_ccitt.pdf

Fax-coded (CCITTFaxDecode) pages are what many office scanners and 平成-era document systems
wrote; gyokaku has no decoder of its own for them and rasterises them with pdftoppm before OCR.
The first page's image is binarised at a fixed threshold and wrapped, without re-encoding, by
img2pdf, at the source image's resolution (300 dpi for scan_horizontal), so the gold text of the
source fixture is the gold of the result.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import img2pdf
from PIL import Image

# Gray level below which a pixel is ink: the JPEG scans are dark text on white, and this keeps
# thin strokes of 明朝 glyphs without filling their counters.
INK_THRESHOLD = 160
DPI = 300


def main() -> int:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdfimages", "-all", "-f", "1", "-l", "1", str(source), f"{tmp}/img"], check=True)
        image = sorted(Path(tmp).glob("img-*"))[0]
        gray = Image.open(image).convert("L")
        ink = gray.point(lambda v: 255 if v > INK_THRESHOLD else 0).convert("1")
        tiff = Path(tmp) / "page.tif"
        ink.save(tiff, compression="group4", dpi=(DPI, DPI))
        out.write_bytes(img2pdf.convert(str(tiff)))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
