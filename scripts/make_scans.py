#!/usr/bin/env python3
"""Make scans of text we know: our generated PDFs rendered to images and wrapped as
image-only PDFs, the way a plan printed and scanned by a municipality looks.

For each source PDF (default: the horizontal and vertical fixtures with gold text under
tests/fixtures/pdf/) and each resolution (300 and 200 dpi), two variants are written:
  clean  - rendered gray, stored as JPEG (quality 90), no distortion;
  noisy  - gray, Gaussian noise (sigma 12), rotated by 0.6 degrees, JPEG quality 60.
Output: OUT/NAME-DPI-VARIANT.pdf and OUT/NAME.txt (the gold text). Deterministic (seeded).

Needs: apt-get install poppler-utils; pip install pillow numpy
Usage: python3 scripts/make_scans.py [--out /tmp/gyokaku-scans] [NAME.pdf ...]
"""
import argparse
import os
import shutil
import subprocess
import tempfile

import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "pdf")
DEFAULT = ["lo_writer.pdf", "unijis_ucs2_h.pdf", "lo_columns_short_lines.pdf",
           "chromium_vertical.pdf", "unijis_ucs2_v.pdf"]
NOISE_SIGMA = 12.0
ROTATION_DEGREES = 0.6
VARIANTS = {"clean": dict(noise=0.0, rotate=0.0, quality=90),
            "noisy": dict(noise=NOISE_SIGMA, rotate=ROTATION_DEGREES, quality=60)}


def render(pdf, dpi, tmp):
    prefix = os.path.join(tmp, "page")
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), pdf, prefix], check=True)
    return sorted(os.path.join(tmp, f) for f in os.listdir(tmp) if f.startswith("page"))


def distort(path, noise, rotate, seed):
    image = Image.open(path).convert("L")
    if rotate:
        image = image.rotate(rotate, resample=Image.BICUBIC, expand=False, fillcolor=255)
    if noise:
        rng = np.random.default_rng(seed)
        pixels = np.asarray(image, dtype=np.float32)
        pixels = np.clip(pixels + rng.normal(0.0, noise, pixels.shape), 0, 255)
        image = Image.fromarray(pixels.astype(np.uint8), "L")
    return image


def make(pdf, out, dpi, variant):
    name = os.path.splitext(os.path.basename(pdf))[0]
    settings = VARIANTS[variant]
    with tempfile.TemporaryDirectory() as tmp:
        pages = [distort(p, settings["noise"], settings["rotate"], seed=i)
                 for i, p in enumerate(render(pdf, dpi, tmp))]
        target = os.path.join(out, f"{name}-{dpi}-{variant}.pdf")
        pages[0].save(target, "PDF", resolution=float(dpi), save_all=True,
                      append_images=pages[1:], quality=settings["quality"])
    gold = pdf[:-4] + ".txt"
    if os.path.exists(gold):
        shutil.copy(gold, os.path.join(out, name + ".txt"))
    return target


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/tmp/gyokaku-scans")
    parser.add_argument("--dpi", type=int, nargs="*", default=[300, 200])
    parser.add_argument("pdfs", nargs="*")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    pdfs = args.pdfs or [os.path.join(FIXTURES, name) for name in DEFAULT]
    for pdf in pdfs:
        for dpi in args.dpi:
            for variant in VARIANTS:
                print(make(pdf, args.out, dpi, variant))


if __name__ == "__main__":
    main()
