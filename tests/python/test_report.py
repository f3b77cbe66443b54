"""report.html renders: headless Chromium screenshot is not blank (pytest).

The report must be one self-contained file: no scripts, stylesheets, fonts
or images fetched from anywhere. Chromium (``/usr/bin/chromium``, or
``CHROMIUM``) renders it offline into a PNG, which must show several
colours and a fair share of non-white pixels. The screenshot is kept at
``CORPUSFORGE_SCREENSHOT`` (default: the pytest temp dir) for a human look.

Needs: pillow, pytest; Chromium (scripts/test.sh installs it when missing).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def release_dir() -> Path:
    p = Path(os.environ.get("CORPUSFORGE_RELEASE", "out/sample"))
    if not p.is_absolute() and not p.exists() and (REPO / p).exists():
        p = REPO / p
    return p.resolve()


def report() -> Path:
    r = release_dir() / "report.html"
    if not r.is_file():
        pytest.fail(f"no report at {r}; build the release first")
    return r


def test_report_is_self_contained():
    html = report().read_text(encoding="utf-8")
    # The only URL allowed is the SVG namespace, which is a name, not a fetch.
    stripped = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for pattern in (r"<script", r"<link", r"<img", r"@import", r"url\(", r"https?://", r"src="):
        assert not re.search(pattern, stripped, re.I), pattern
    assert html.count("<svg ") == 6


def chromium() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def test_screenshot_is_not_blank(tmp_path: Path):
    Image = pytest.importorskip("PIL.Image")
    exe = chromium()
    if exe is None:
        if os.environ.get("CORPUSFORGE_REQUIRE_CHROMIUM") == "1":
            pytest.fail("no Chromium, and CORPUSFORGE_REQUIRE_CHROMIUM=1")
        pytest.skip("no Chromium (scripts/test.sh installs it with apt-get)")
    shot = Path(os.environ.get("CORPUSFORGE_SCREENSHOT", tmp_path / "report.png")).resolve()
    shot.parent.mkdir(parents=True, exist_ok=True)
    if shot.exists():
        shot.unlink()
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        subprocess.run(
            [
                exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1200,3000",
                report().as_uri(),
            ],
            check=True, capture_output=True, timeout=120,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert shot.is_file(), "Chromium wrote no screenshot"
    img = Image.open(shot).convert("RGB")
    assert img.size == (1200, 3000)
    small = img.resize((300, 750))
    pixels = [small.getpixel((x, y)) for y in range(small.height) for x in range(small.width)]
    non_white = sum(1 for p in pixels if min(p) < 240) / len(pixels)
    colours = {(r // 32, g // 32, b // 32) for r, g, b in pixels}
    # Bars in blue, orange, green and red plus black text on white.
    assert len(colours) >= 6, f"only {len(colours)} distinct colours"
    assert non_white > 0.05, f"only {non_white:.1%} non-white pixels"
    # Each plot's palette is present.
    for name, rgb in {"blue": (0x4E, 0x79, 0xA7), "orange": (0xF2, 0x8E, 0x2B),
                      "green": (0x59, 0xA1, 0x4F), "red": (0xE1, 0x57, 0x59)}.items():
        near = sum(1 for p in pixels if all(abs(a - b) < 24 for a, b in zip(p, rgb)))
        assert near > 20, f"no {name} bars in the screenshot"
