#!/usr/bin/env python3
"""Build the benchmark input: the news corpus scaled to a target size.

Reads the JSONL(.gz) files of a source folder (default
../shared/corpora/news_articles) and writes gzip-compressed JSONL shards of
about `--shard-mib` MiB (uncompressed; at least 8 files, so that both
tools can spread whole files over 2 cores) until the uncompressed JSONL
reaches `--size` bytes. Below 256 MiB only a seeded share (size / 256 MiB)
of the source documents is used, so every size has the same mix of
originals, near-duplicates and distinct copies as 256 MiB. Plain Python, no dependency outside the standard library.

Copies
- copy 0 is the source as it is (it already holds natural near-duplicates);
- copy c >= 1 repeats every source document with a new id (`<id>#c<c>`) and,
  chosen per document by a seeded draw with probability `--near-dup-share`:
  * "near": the original text with one token `c<c>` inserted at a random
    word position and one word replaced by another word of the same
    document: a planted near-duplicate of the copy-0 document (word 5-gram
    Jaccard about (S-10)/(S+10) for S shingles: 0.82 at 100 words, 0.94 at
    300);
  * "distinct": in every line the interior words (all but the first and the
    last) are shuffled and the token `c<c>` is inserted: the language, the
    words, the line count and each line's first and last word stay, but the
    word 5-grams are new, so it is not a near-duplicate of anything.
  The last copy may be partial (the size is reached mid-copy).

Deterministic: the same source, size, seed and share give byte-identical
shards (gzip header mtime 0, random.Random seeded by a string).

Writes <out>/part-NNNNN.jsonl.gz and <out>.meta.json (documents,
JSONL bytes, text bytes, planted near-duplicates, parameters).
"""

import argparse
import glob
import gzip
import io
import json
import os
import random
import sys


def parse_size(s):
    s = s.strip()
    units = {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "KB": 10**3, "MB": 10**6, "GB": 10**9}
    for u, m in units.items():
        if s.endswith(u):
            return int(float(s[: -len(u)]) * m)
    return int(s)


def open_text(path):
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")


def perturb_near(text, c, rng):
    words = text.split(" ")
    if len(words) < 2:
        return text + f" c{c}"
    # substitute one word by another word of the same document
    i = rng.randrange(len(words))
    j = rng.randrange(len(words))
    if words[i] == words[j]:
        j = (j + 1) % len(words)
    words[i] = words[j]
    words.insert(rng.randrange(len(words) + 1), f"c{c}")
    return " ".join(words)


def perturb_distinct(text, c, rng):
    out = []
    for line in text.split("\n"):
        words = line.split(" ")
        if len(words) > 3:
            mid = words[1:-1]
            rng.shuffle(mid)
            words = [words[0]] + mid + [words[-1]]
        out.append(" ".join(words))
    # the copy token goes after the first word of the longest line
    k = max(range(len(out)), key=lambda n: len(out[n]))
    first, _, rest = out[k].partition(" ")
    out[k] = f"{first} c{c} {rest}" if rest else f"{first} c{c}"
    return "\n".join(out)


class ShardWriter:
    def __init__(self, out, shard_bytes, level):
        self.out, self.shard_bytes, self.level = out, shard_bytes, level
        self.n, self.cur, self.cur_bytes, self.paths = 0, None, 0, []

    def write(self, line_bytes):
        if self.cur is None or self.cur_bytes >= self.shard_bytes:
            self.close()
            path = os.path.join(self.out, f"part-{self.n:05d}.jsonl.gz")
            raw = open(path, "wb")
            # mtime=0 and no file name in the header: reproducible bytes
            self.cur = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=self.level, mtime=0)
            self.cur_raw = raw
            self.paths.append(path)
            self.n += 1
            self.cur_bytes = 0
        self.cur.write(line_bytes)
        self.cur_bytes += len(line_bytes)

    def close(self):
        if self.cur is not None:
            self.cur.close()
            self.cur_raw.close()
            self.cur = None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", default="../shared/corpora/news_articles")
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", default="1GiB", help="uncompressed JSONL bytes: 256MiB, 1GiB, 4GiB or a number")
    ap.add_argument("--near-dup-share", type=float, default=0.5)
    ap.add_argument("--seed", default="corpusforge-bench-1")
    ap.add_argument("--base-share", type=float, default=None,
                    help="share of the source documents used (seeded draw); default: 1 from 256 MiB up, "
                         "size/256MiB below, so small inputs keep the copy structure of the 256 MiB one")
    ap.add_argument("--shard-mib", type=float, default=None, help="default: min(32, size/8) MiB, >= 8 files")
    ap.add_argument("--gzip-level", type=int, default=6)
    args = ap.parse_args()

    target = parse_size(args.size)
    if args.base_share is None:
        args.base_share = min(1.0, target / 2**28)
    if args.shard_mib is None:
        args.shard_mib = min(32.0, target / 8 / 2**20)
    params = {
        "source": os.path.abspath(args.source),
        "size": args.size,
        "target_bytes": target,
        "near_dup_share": args.near_dup_share,
        "seed": args.seed,
        "shard_mib": args.shard_mib,
        "base_share": args.base_share,
        "gzip_level": args.gzip_level,
        "generator": "scripts/bench_make_input.py v1",
    }
    # beside the folder, not in it: corpusforge would read a .json file in the input folder as JSONL
    meta_path = args.out.rstrip("/") + ".meta.json"
    legacy = os.path.join(args.out, "input-meta.json")  # where a first version of this script put it
    if os.path.exists(legacy):
        os.replace(legacy, meta_path)
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            old = json.load(f)
        if old.get("params") == params and all(os.path.exists(p) for p in old.get("files", [])):
            print(f"input up to date: {args.out} ({old['documents']} documents, {old['jsonl_bytes']} bytes)")
            return
    os.makedirs(args.out, exist_ok=True)
    for p in glob.glob(os.path.join(args.out, "part-*.jsonl*")):
        os.remove(p)

    sources = sorted(
        glob.glob(os.path.join(args.source, "*.jsonl.gz")) + glob.glob(os.path.join(args.source, "*.jsonl"))
    )
    if not sources:
        sys.exit(f"no *.jsonl[.gz] in {args.source}")

    w = ShardWriter(args.out, int(args.shard_mib * 2**20), args.gzip_level)
    docs = jsonl_bytes = text_bytes = 0
    planted = {"near": 0, "distinct": 0, "original": 0}
    c = 0
    done = False
    while not done:
        for src in sources:
            with open_text(src) as f:
                for lineno, line in enumerate(f):
                    if not line.strip():
                        continue
                    if args.base_share < 1.0:
                        pick = random.Random(f"{args.seed}:base:{os.path.basename(src)}:{lineno}").random()
                        if pick >= args.base_share:
                            continue
                    d = json.loads(line)
                    if c > 0:
                        rng = random.Random(f"{args.seed}:{c}:{os.path.basename(src)}:{lineno}")
                        text = d.get("text") or ""
                        if rng.random() < args.near_dup_share:
                            d["text"] = perturb_near(text, c, rng)
                            planted["near"] += 1
                        else:
                            d["text"] = perturb_distinct(text, c, rng)
                            planted["distinct"] += 1
                        d["id"] = f"{d.get('id')}#c{c}"
                    else:
                        planted["original"] += 1
                    b = (json.dumps(d, ensure_ascii=False) + "\n").encode("utf-8")
                    w.write(b)
                    docs += 1
                    jsonl_bytes += len(b)
                    text_bytes += len((d.get("text") or "").encode("utf-8"))
                    if jsonl_bytes >= target:
                        done = True
                        break
            if done:
                break
        c += 1
    w.close()
    meta = {
        "params": params,
        "documents": docs,
        "jsonl_bytes": jsonl_bytes,
        "text_bytes": text_bytes,
        "copies": c,
        "planted": planted,
        "compression": f"gzip level {args.gzip_level}",
        "files": w.paths,
        "compressed_bytes": sum(os.path.getsize(p) for p in w.paths),
    }
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1)
    print(
        f"wrote {len(w.paths)} shards to {args.out}: {docs} documents, {jsonl_bytes} JSONL bytes "
        f"({text_bytes} text), {meta['compressed_bytes']} gz bytes; planted {planted}"
    )


if __name__ == "__main__":
    main()
