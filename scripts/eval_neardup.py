#!/usr/bin/env python3
"""Evaluate corpusforge near-duplicate detection against brute-force truth.

What it does
  1. Samples --n-base documents (seeded) from the news corpus
     (../shared/corpora/news_articles/*.jsonl.gz relative to the repo root).
  2. Plants edited copies of --n-planted of them: sentence insertions,
     deletions, adjacent swaps, boilerplate line changes and mixtures, each at
     a known edit rate, so true similarities spread over 0.3..1.0.
  3. Asks the Rust side for the normalized text (--norm-cmd, JSONL
     {"id","norm","kind"}) so that the truth uses exactly the tokens the
     shingler sees, then computes the TRUE Jaccard of the 5-word shingle sets
     for ALL pairs (sparse incidence matrix X, intersections = X X^T: exact,
     every pair sharing at least one shingle is scored).
  4. Runs the Rust clusterer (--rust-cmd, JSONL {"id","text"} on stdin,
     JSONL assignments {"id","cluster","kept_seq",...} on stdout) and reports
       - recall: share of pairs with true J >= 0.8 put in the same cluster
         (target >= 0.95);
       - false share: of the flagged pairs, the share with true J < 0.6
         (target <= 0.02), for two definitions of "flagged": removal pairs
         (each removed doc with the doc kept for it) and all same-cluster pairs.
  5. Runs datasketch MinHashLSH on the same normalized texts (same shingles)
     at the same threshold and reports agreement on the removed set and the
     wall-time ratio.

Needs numpy, scipy, datasketch: e.g.
  python3 -m venv .venv-neardup && .venv-neardup/bin/pip install datasketch scipy numpy
  .venv-neardup/bin/python scripts/eval_neardup.py --rust-cmd 'target/release/corpusforge near-dup'
"""

import argparse
import glob
import gzip
import json
import os
import random
import re
import shlex
import subprocess
import sys
import time
from collections import Counter, defaultdict

import numpy as np
import scipy.sparse as sp

from dev_build import build_dev_tools

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BOILERPLATE = [
    "Follow us on Facebook and Twitter for the latest news.",
    "Read more",
    "Share this article",
    "Image copyright Getty Images",
    "المصدر",
    "...المزيد",
    "Subscribe to our newsletter to get the top stories every morning.",
    "Source: agencies",
    "[ad_1]",
    "Copyright 2015 All rights reserved.",
]

SENT_RE = re.compile(r"(?<=[.!?؟।።])\s+|\n+")


def sentences(text):
    return [s for s in SENT_RE.split(text) if s.strip()]


def load_corpus(pattern, n_base, min_words, rng):
    docs = []
    for path in sorted(glob.glob(pattern)):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                t = d.get("text") or ""
                if len(t.split()) >= min_words:
                    docs.append({"id": d["id"], "text": t, "date": d.get("date")})
    if len(docs) < n_base:
        sys.exit(f"only {len(docs)} documents with >= {min_words} words in {pattern}")
    return rng.sample(docs, n_base)


def edit(text, op, rate, rng, donors):
    """Apply one edit of kind `op` at `rate` (share of sentences touched)."""
    sents = sentences(text)
    n = max(1, round(rate * len(sents)))
    if op == "insert":
        for _ in range(n):
            donor = sentences(rng.choice(donors)["text"]) or ["Filler sentence."]
            sents.insert(rng.randrange(len(sents) + 1), rng.choice(donor))
    elif op == "delete":
        for _ in range(min(n, len(sents) - 1)):
            sents.pop(rng.randrange(len(sents)))
    elif op == "swap":
        for _ in range(n):
            if len(sents) >= 2:
                i = rng.randrange(len(sents) - 1)
                sents[i], sents[i + 1] = sents[i + 1], sents[i]
    elif op == "boilerplate":
        # Change header/trailer lines: replace, add or drop short lines.
        for _ in range(n):
            r = rng.random()
            if r < 0.4:
                sents.append(rng.choice(BOILERPLATE))
            elif r < 0.7:
                sents.insert(0, rng.choice(BOILERPLATE))
            elif len(sents) > 1:
                sents[rng.choice([0, -1])] = rng.choice(BOILERPLATE)
    elif op == "mixed":
        for sub in ("insert", "delete", "swap", "boilerplate"):
            text2 = edit("\n".join(sents), sub, rate / 2, rng, donors)
            sents = sentences(text2)
    return "\n".join(sents)


def plant(base, n_planted, rng):
    ops = ["insert", "delete", "swap", "boilerplate", "mixed"]
    rates = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5]
    docs = [dict(d, planted=None) for d in base]
    sources = rng.sample(range(len(base)), n_planted)
    for k, si in enumerate(sources):
        copies = 2 if k % 4 == 0 else 1
        for c in range(copies):
            op, rate = rng.choice(ops), rng.choice(rates)
            t = edit(base[si]["text"], op, rate, rng, base)
            docs.append({"id": f"planted:{k}:{c}:{base[si]['id']}", "text": t, "date": None,
                         "planted": {"src": base[si]["id"], "op": op, "rate": rate}})
    # Shuffle so that planted copies are not all after their sources.
    rng.shuffle(docs)
    return docs


def run_cmd(cmd, docs, fields):
    inp = "".join(json.dumps({k: d[k] for k in fields}, ensure_ascii=False) + "\n" for d in docs)
    t0 = time.perf_counter()
    p = subprocess.run(shlex.split(cmd), input=inp.encode(), capture_output=True, check=False)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{cmd} failed ({p.returncode}): {p.stderr.decode()[-2000:]}")
    rows = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    if len(rows) != len(docs):
        sys.exit(f"{cmd}: {len(rows)} output rows for {len(docs)} inputs")
    return rows, dt, p.stderr.decode().strip()


def shingle_sets(norms, n):
    out = []
    for s in norms:
        w = s.split(" ") if s else []
        if not w:
            out.append(set())
        elif len(w) < n:
            out.append({" ".join(w)})
        else:
            out.append({" ".join(w[i:i + n]) for i in range(len(w) - n + 1)})
    return out


def true_pairs(sets, min_j):
    """All pairs (i<j) with Jaccard >= min_j, exact, via sparse X X^T."""
    vocab = {}
    rows, cols = [], []
    for i, s in enumerate(sets):
        for sh in s:
            rows.append(i)
            cols.append(vocab.setdefault(sh, len(vocab)))
    X = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(sets), len(vocab)))
    inter = sp.triu(X @ X.T, k=1).tocoo()
    size = np.array([len(s) for s in sets], dtype=np.int64)
    union = size[inter.row] + size[inter.col] - inter.data
    jac = inter.data / np.maximum(union, 1)
    keep = jac >= min_j
    return {(int(a), int(b)): float(j) for a, b, j in zip(inter.row[keep], inter.col[keep], jac[keep])}


class UF:
    def __init__(self, n):
        self.p = list(range(n))

    def find(self, x):
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x

    def union(self, a, b):
        a, b = self.find(a), self.find(b)
        if a != b:
            self.p[max(a, b)] = min(a, b)


def components_removed(n, pairs):
    """Removed set when keeping the smallest index of each component."""
    uf = UF(n)
    for a, b in pairs:
        uf.union(a, b)
    return {i for i in range(n) if uf.find(i) != i}, [uf.find(i) for i in range(n)]


def evaluate(name, cluster_of, kept_of, truth, n, out):
    """cluster_of[i]: cluster label; kept_of[i]: index of the kept doc."""
    hi = [(p, j) for p, j in truth.items() if j >= 0.8]
    found = sum(1 for (a, b), _ in hi if cluster_of[a] == cluster_of[b])
    by_bucket = defaultdict(lambda: [0, 0])
    for (a, b), j in truth.items():
        k = min(int(j * 20) / 20, 0.95)
        by_bucket[k][0] += 1
        by_bucket[k][1] += cluster_of[a] == cluster_of[b]
    edge = [(p, j) for p, j in hi if j < 0.85]
    edge_found = sum(1 for (a, b), _ in edge if cluster_of[a] == cluster_of[b])
    removal = [(min(i, kept_of[i]), max(i, kept_of[i])) for i in range(n) if kept_of[i] != i]
    rem_bad = sum(1 for p in removal if truth.get(p, 0.0) < 0.6)
    members = defaultdict(list)
    for i in range(n):
        members[cluster_of[i]].append(i)
    same, same_bad = 0, 0
    for m in members.values():
        for x in range(len(m)):
            for y in range(x + 1, len(m)):
                same += 1
                p = (min(m[x], m[y]), max(m[x], m[y]))
                same_bad += truth.get(p, 0.0) < 0.6
    r = {
        "name": name,
        "pairs_true_j_ge_0.8": len(hi),
        "recall_j_ge_0.8": found / max(1, len(hi)),
        "recall_j_in_0.80_0.85": edge_found / max(1, len(edge)),
        "removed_docs": len(removal),
        "removal_pairs_true_j_lt_0.6": rem_bad,
        "share_removal_pairs_j_lt_0.6": rem_bad / max(1, len(removal)),
        "same_cluster_pairs": same,
        "share_same_cluster_pairs_j_lt_0.6": same_bad / max(1, same),
        "recall_by_true_j": {f"{k:.2f}": f"{v[1]}/{v[0]}" for k, v in sorted(by_bucket.items())},
    }
    out.append(r)
    return r


def run_datasketch(norms, ngram, threshold, num_perm, params, verify):
    from datasketch import MinHash, MinHashLSH

    t0 = time.perf_counter()
    sets = shingle_sets(norms, ngram)
    mhs = []
    for s in sets:
        m = MinHash(num_perm=num_perm, seed=1)
        if s:
            m.update_batch([x.encode("utf-8") for x in s])
        mhs.append(m)
    if params:
        lsh = MinHashLSH(num_perm=num_perm, params=params)
    else:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, m in enumerate(mhs):
        lsh.insert(i, m, check_duplication=False)
    uf = UF(len(mhs))
    for i, m in enumerate(mhs):
        for j in lsh.query(m):
            if j != i and (verify is None or m.jaccard(mhs[j]) >= verify):
                uf.union(i, j)
    dt = time.perf_counter() - t0
    roots = [uf.find(i) for i in range(len(mhs))]
    return roots, dt, (lsh.b, lsh.r)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rust-cmd", default="target/release/corpusforge near-dup",
                    help="clusterer: JSONL {id,text} on stdin -> JSONL assignments on stdout")
    ap.add_argument("--norm-cmd", help="normalizer: JSONL {id,text} -> {id,norm}; default: RUST_CMD --normalize")
    ap.add_argument("--corpus", default=os.path.join(REPO, "..", "shared", "corpora", "news_articles", "*.jsonl.gz"))
    ap.add_argument("--n-base", type=int, default=5000)
    ap.add_argument("--n-planted", type=int, default=1500)
    ap.add_argument("--min-words", type=int, default=10, help="skip shorter source docs (= min_words_for_word_shingles)")
    ap.add_argument("--ngram", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threshold", type=float, default=0.7, help="datasketch MinHashLSH threshold")
    ap.add_argument("--num-perm", type=int, default=120, help="datasketch hashes (= bands*rows of the Rust run)")
    ap.add_argument("--ds-params", default="20,6", help="b,r for the datasketch run with the same banding ('' to skip)")
    ap.add_argument("--ds-verify", type=float, default=0.7, help="signature check in the same-banding datasketch run")
    ap.add_argument("--no-datasketch", action="store_true")
    ap.add_argument("--json-out", help="also write all figures here")
    a = ap.parse_args()
    build_dev_tools(a.rust_cmd, a.norm_cmd)

    rng = random.Random(a.seed)
    base = load_corpus(a.corpus, a.n_base, a.min_words, rng)
    docs = plant(base, a.n_planted, rng)
    n = len(docs)
    print(f"docs: {a.n_base} sampled + {n - a.n_base} planted copies = {n}")

    norm_cmd = a.norm_cmd or (a.rust_cmd + " --normalize")
    norm_rows, _, _ = run_cmd(norm_cmd, docs, ["id", "text"])
    norms = [r["norm"] for r in norm_rows]
    kinds = Counter(r.get("kind", "?") for r in norm_rows)
    print(f"shingle kinds (rust): {dict(kinds)}")

    t0 = time.perf_counter()
    truth = true_pairs(shingle_sets(norms, a.ngram), 0.3)
    print(f"truth: {len(truth)} pairs with J >= 0.3 (all-pairs exact, {time.perf_counter() - t0:.1f}s); "
          f"{sum(j >= 0.8 for j in truth.values())} with J >= 0.8, "
          f"{sum(0.6 <= j < 0.8 for j in truth.values())} in [0.6, 0.8)")

    results = []
    rows, rust_dt, rust_log = run_cmd(a.rust_cmd, docs, ["id", "text", "date"])
    print(f"rust: {rust_dt:.2f}s wall ({rust_log})")
    id_to_idx = {d["id"]: i for i, d in enumerate(docs)}
    cluster_of = [r["cluster"] for r in rows]
    kept_of = [int(r["kept_seq"]) for r in rows]  # seq = input index in neardup
    for i, r in enumerate(rows):
        assert id_to_idx[r["id"]] == i
    rr = evaluate("rust", cluster_of, kept_of, truth, n, results)

    ideal_removed, _ = components_removed(n, [p for p, j in truth.items() if j >= 0.8])
    rust_removed = {i for i in range(n) if kept_of[i] != i}
    print(f"ideal (components of true J>=0.8, keep first): {len(ideal_removed)} removed; rust removes "
          f"{len(rust_removed)}, overlap {len(ideal_removed & rust_removed)}")

    timing = {"rust_s": rust_dt}
    if not a.no_datasketch:
        variants = [("datasketch threshold=%.2f" % a.threshold, None, None)]
        if a.ds_params:
            b, r = (int(x) for x in a.ds_params.split(","))
            variants.append((f"datasketch params={b}x{r} verify={a.ds_verify}", (b, r), a.ds_verify))
        for name, params, verify in variants:
            roots, dt, br = run_datasketch(norms, a.ngram, a.threshold, a.num_perm, params, verify)
            name = f"{name} (b,r={br[0]}x{br[1]})"
            evaluate(name, roots, roots, truth, n, results)
            ds_removed = {i for i in range(n) if roots[i] != i}
            inter = len(ds_removed & rust_removed)
            uni = len(ds_removed | rust_removed)
            agree = sum(1 for i in range(n) if (i in ds_removed) == (i in rust_removed))
            results[-1].update({
                "seconds": dt, "speed_ratio_datasketch_over_rust": dt / rust_dt,
                "removed_jaccard_vs_rust": inter / max(1, uni),
                "doc_decision_agreement_vs_rust": agree / n,
                "removed_only_datasketch": len(ds_removed - rust_removed),
                "removed_only_rust": len(rust_removed - ds_removed),
            })
            timing[name] = dt

    for r in results:
        print("\n== " + r["name"])
        for k, v in r.items():
            if k != "name":
                print(f"  {k}: {v:.4f}" if isinstance(v, float) else f"  {k}: {v}")
    ok = rr["recall_j_ge_0.8"] >= 0.95 and rr["share_removal_pairs_j_lt_0.6"] <= 0.02
    print(f"\nrust targets (recall >= 0.95, removal pairs with J<0.6 <= 0.02): {'MET' if ok else 'NOT MET'}")
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump({"n_docs": n, "timing": timing, "results": results}, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
