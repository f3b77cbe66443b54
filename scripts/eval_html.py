#!/usr/bin/env python3
"""How much of an HTML page's article text survives corpusforge's HTML-to-text
conversion and cleaning, measured on ../shared/corpora/html_newspaper (pages
with the expected article text, `gold_text`, from the newspaper library's
test fixtures).

Usage (from the repository root, after `cargo build --release`; needs pyarrow,
e.g. the `.venv` that scripts/test.sh creates):

    .venv/bin/python scripts/eval_html.py [--corpus ../shared/corpora/html_newspaper] [--show 10]

Two builds of the pages, with the length, quality and dedup filters off so
that every page is kept: `extract` (HTML to text only: rules, repeated lines
and navigation off) and `clean` (the default clean stage). For each page with
a gold text, a gold paragraph counts as found when it occurs (whitespace
folded, NFC) inside the output text. Printed per build: paragraph recall
(share of gold paragraphs found, and of their characters), pages whose every
gold paragraph is found, and the output's size relative to the gold text
(the converter keeps the whole page, not just the article, so this is well
over 1). Gold paragraphs found after extraction but lost by cleaning are
listed: each is a line the clean stage removed from an article body.
"""

from __future__ import annotations

import argparse
import glob
import gzip
import json
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CONFIG = """
[input]
paths = [{corpus!r}]

[output]
dir = {out!r}

[clean]
rules = {rules}
rules_file = {rules_file!r}

[clean.repeated]
enabled = {rules}

[clean.nav]
enabled = {rules}

[filter]
min_chars = 0

[filter.quality.gopher_repetition]
enabled = false

[filter.quality.gopher_quality]
enabled = false

[filter.quality.fineweb]
enabled = false

[dedup]
exact = false

[dedup.near]
enabled = false
"""


def fold(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split())


def build(corpus: str, tmp: Path, name: str, clean: bool) -> dict[str, str]:
    out = tmp / name
    cfg = tmp / f"{name}.toml"
    cfg.write_text(CONFIG.format(corpus=corpus, out=str(out), rules="true" if clean else "false",
                                 rules_file=str(ROOT / "configs/boilerplate.toml")))
    subprocess.run([str(ROOT / "target/release/corpusforge"), "build", "--config", str(cfg), "--quiet"],
                   check=True)
    import pyarrow.parquet as pq

    texts = {}
    for f in glob.glob(str(out / "data/**/*.parquet"), recursive=True):
        for r in pq.read_table(f, columns=["id", "text"]).to_pylist():
            texts[r["id"]] = r["text"]
    return texts


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared/corpora/html_newspaper"))
    ap.add_argument("--show", type=int, default=10, help="gold paragraphs lost by cleaning to print")
    args = ap.parse_args(argv)
    if not Path(args.corpus).is_dir():
        print(f"skipped: {args.corpus} is absent", file=sys.stderr)
        return 0
    gold = {}
    for f in sorted(glob.glob(str(Path(args.corpus) / "*.jsonl.gz"))):
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                if d.get("gold_text"):
                    paras = [fold(p) for p in d["gold_text"].split("\n")]
                    gold[d["id"]] = [p for p in paras if p]
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        runs = {name: build(args.corpus, tmp, name, clean) for name, clean in (("extract", False), ("clean", True))}
    found_by = {}
    print(f"{len(gold)} pages with a gold text, {sum(len(p) for p in gold.values())} gold paragraphs\n")
    print("| build | pages kept | paragraphs found | characters found | pages with every paragraph | output / gold characters |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, texts in runs.items():
        n = nf = c = cf = full = out_chars = gold_chars = 0
        found = set()
        kept = 0
        for pid, paras in gold.items():
            text = fold(texts.get(pid, "").replace("\n", " "))
            kept += pid in texts
            ok = [p in text for p in paras]
            n += len(paras)
            nf += sum(ok)
            c += sum(len(p) for p in paras)
            cf += sum(len(p) for p, k in zip(paras, ok) if k)
            full += all(ok)
            out_chars += len(text)
            gold_chars += sum(len(p) for p in paras)
            found |= {(pid, p) for p, k in zip(paras, ok) if k}
        found_by[name] = found
        print(f"| {name} | {kept} | {nf / n:.1%} | {cf / c:.1%} | {full} of {len(gold)} | {out_chars / gold_chars:.2f} |")
    lost = sorted(found_by["extract"] - found_by["clean"])
    print(f"\ngold paragraphs found after extraction but removed by cleaning: {len(lost)}")
    for pid, p in lost[: args.show]:
        print(f"  {pid}: {p[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
