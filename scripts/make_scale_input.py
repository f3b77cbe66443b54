#!/usr/bin/env python3
"""Write a large, deterministic build input derived from ../shared/corpora.

Used to check that the build (in particular near-duplicate detection) stays
within its memory bound at millions of documents:

    python3 scripts/make_scale_input.py --docs 2000000 --out target/scale
    /usr/bin/time -v target/release/corpusforge build --config configs/scale.toml

Each output document is the first paragraphs (up to --chars characters) of a
news article, copy `c` of it perturbed: every `--every`-th word is replaced by
a token that names the copy, so copies are never exact duplicates but stay
near-duplicates of each other (Jaccard of word 5-grams around 0.5-0.8
depending on --every). Output: gzip JSONL files of 100,000 documents each,
gzip mtime 0, so the same arguments give the same bytes.
"""

import argparse
import glob
import gzip
import json
import os


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=os.path.join(here, "..", "..", "shared", "corpora", "news_articles"))
    ap.add_argument("--docs", type=int, default=2_000_000)
    ap.add_argument("--chars", type=int, default=700)
    ap.add_argument("--every", type=int, default=25)
    ap.add_argument("--out", default=os.path.join(here, "..", "target", "scale"))
    ap.add_argument("--level", type=int, default=1, help="gzip level (1 is fast; 9 took ~2 min per 100k docs here)")
    a = ap.parse_args()
    base = []
    for f in sorted(glob.glob(os.path.join(a.corpus, "*.jsonl.gz"))):
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                t = (d.get("text") or "").strip()
                if len(t) < 400:
                    continue
                cut = []
                n = 0
                for para in t.split("\n"):
                    cut.append(para)
                    n += len(para)
                    if n >= a.chars:
                        break
                base.append((d["id"], "\n".join(cut)))
    if not base:
        raise SystemExit(f"no documents under {a.corpus}")
    os.makedirs(a.out, exist_ok=True)
    per_file = 100_000
    written = 0
    fileno = 0
    while written < a.docs:
        path = os.path.join(a.out, f"scale-{fileno:05d}.jsonl.gz")
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=a.level) as gz:
            for _ in range(min(per_file, a.docs - written)):
                copy, i = divmod(written, len(base))
                bid, text = base[i]
                if copy:
                    words = text.split(" ")
                    for j in range((copy * 7) % a.every, len(words), a.every):
                        words[j] = f"c{copy}w{j}"
                    text = " ".join(words)
                rec = {"id": f"{bid}~{copy}", "text": text}
                gz.write((json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8"))
                written += 1
        fileno += 1
    print(f"wrote {written} documents from {len(base)} articles into {fileno} files under {a.out}")


if __name__ == "__main__":
    main()
