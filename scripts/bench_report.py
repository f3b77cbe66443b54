#!/usr/bin/env python3
"""Table and JSON of a scripts/bench.sh run.

    bench_report.py --runs RUNS.jsonl --input-meta input-meta.json
                    --env ENV.json --out results-<size>.json

Prints one row per stage: each tool's wall seconds, documents/s and MB/s of
the input's uncompressed JSONL, the peak RSS of the process tree (sampled
every 0.2 s) and the 1-minute load average when the case ended; then the
ratio of corpusforge's throughput to datatrove's (= datatrove s /
corpusforge s; > 1 means corpusforge is faster). "net s" is the case's wall
minus the same tool's read-only case: the stage's own cost, roughly.
"""

import argparse
import json

# (stage label, corpusforge case, datatrove case, note)
STAGES = [
    ("read+parse", "cf_read", "dt_read",
     "cf: bench-read (discover, decompress, parse every record); dt: JsonlReader only"),
    ("read+parse+Parquet write", "cf_write", "dt_write",
     "cf: build with every step off (+NFC, word count, split, manifest); dt: JsonlReader -> ParquetWriter(zstd)"),
    ("langid lid.176.ftz", "cf_langid", "dt_langid",
     "both label every document, none dropped; cf: bench-read --langid (per-line decision), "
     "dt: LanguageFilter (whole text, all 176 labels)"),
    ("quality filters", "cf_filters", "dt_filters", "Gopher rep.+quality, C4, FineWeb, published thresholds"),
    ("MinHash 5-gram 14x8", "cf_minhash", "dt_minhash", "dt: 4 stages, buckets in 14 tasks"),
    ("corpusforge default config", "cf_default", None,
     "configs/default.toml: clean, multilingual filters, exact+near(20x6) dedup, whatlang"),
    ("EQUIV: langid+MinHash+Parquet", "cf_equiv", "dt_equiv", "no quality filters"),
    ("FULL: filters+langid+MinHash", "cf_full", "dt_full", "dt also drops langid score <= 0.65"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", required=True)
    ap.add_argument("--input-meta", required=True)
    ap.add_argument("--env", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    runs = [json.loads(l) for l in open(a.runs) if l.strip()]
    meta = json.load(open(a.input_meta))
    env = json.load(open(a.env))
    docs, jbytes = meta["documents"], meta["jsonl_bytes"]
    by = {r["case"]: r for r in runs}  # the last run of a case wins

    def fig(case):
        r = by.get(case)
        if not r:
            return None
        w = r["wall_s"]
        return {
            "case": case,
            "ok": r["ok"],
            "wall_s": w,
            "docs_per_s": round(docs / w, 1),
            "jsonl_mb_per_s": round(jbytes / 1e6 / w, 2),
            # a case shorter than the sampler's 0.2 s has no tree sample: the
            # largest single process (from /usr/bin/time) is then the figure
            "peak_rss_tree_mb": max(r["peak_rss_tree_mb"], round(r.get("max_rss_single_mb", 0), 1)),
            "max_rss_single_mb": round(r.get("max_rss_single_mb", 0), 1),
            "cpu_percent": r.get("cpu_percent"),
            "cpu_s": r.get("cpu_s", round(r.get("user_s", 0) + r.get("sys_s", 0), 2)),
            "load1_after": r["load1_after"],
            "rows_out": (r.get("extra") or {}).get("rows_out"),
        }

    read_wall = {"cf": (by.get("cf_read") or {}).get("wall_s"), "dt": (by.get("dt_read") or {}).get("wall_s")}
    table = []
    for label, cf, dt, note in STAGES:
        c, d = fig(cf) if cf else None, fig(dt) if dt else None
        if not c and not d:
            continue
        row = {"stage": label, "note": note, "corpusforge": c, "datatrove": d}
        for key, f, rw in (("corpusforge", c, read_wall["cf"]), ("datatrove", d, read_wall["dt"])):
            if f and rw and f["case"] not in ("cf_read", "dt_read"):
                f["net_s"] = round(f["wall_s"] - rw, 2)
        if c and d and c["ok"] and d["ok"]:
            row["cf_over_peer_throughput"] = round(d["wall_s"] / c["wall_s"], 2)
            if c["cpu_s"] and d["cpu_s"]:
                row["cf_over_peer_cpu"] = round(d["cpu_s"] / c["cpu_s"], 2)
        table.append(row)

    # Per-stage rows from the stages' own timings (wall seconds): corpusforge's
    # build prints each stage's time, bench_datatrove.py times each executor run.
    def cf_stage(case, *names):
        r = by.get(case)
        st = ((r or {}).get("extra") or {}).get("stage_seconds") or {}
        if not r or not r.get("ok") or not all(n in st for n in names):
            return None
        return round(sum(st[n]["wall_s"] for n in names), 3)

    def dt_stage(case, *names):
        r = by.get(case)
        st = ((r or {}).get("extra") or {}).get("stage_seconds") or {}
        if not r or not r.get("ok") or not all(n in st for n in names):
            return None
        return round(sum(st[n] for n in names), 3)

    def net(case, minus):
        r, m = by.get(case), by.get(minus)
        if not r or not m or not r.get("ok") or not m.get("ok"):
            return None
        return round(r["wall_s"] - m["wall_s"], 3)

    stage_rows = [
        ("MinHash signatures (with read)", cf_stage("cf_minhash", "process"),
         dt_stage("dt_minhash", "1-signatures"),
         "cf: process stage of cf_minhash (read, NFC, word count, signatures, spill); dt: stage 1 (read, signatures)"),
        ("MinHash clustering", cf_stage("cf_minhash", "bands", "cluster"),
         dt_stage("dt_minhash", "2-buckets", "3-cluster"),
         "cf: bands + cluster stages; dt: stage 2 (buckets, 14 tasks) + stage 3 (cluster)"),
        ("Parquet write", cf_stage("cf_write", "write"), net("dt_write", "dt_read"),
         "cf: write stage of cf_write (read the spills, write Parquet); dt: dt_write minus dt_read"),
    ]
    stage_table = []
    for label, c, d, note in stage_rows:
        if c is None and d is None:
            continue
        row = {"stage": label, "note": note, "cf_wall_s": c, "dt_wall_s": d}
        if c and d and c > 0 and d > 0:
            row["cf_over_peer_throughput"] = round(d / c, 2)
        stage_table.append(row)

    ref = by.get("ref_zcat")
    reference = None
    if ref:
        reference = {
            "what": ref["cmd"][-1] if ref["cmd"] else "",
            "wall_s": ref["wall_s"],
            "jsonl_mb_per_s": round(jbytes / 1e6 / ref["wall_s"], 1),
            "load1_after": ref["load1_after"],
        }

    # End-to-end throughput as a share of the pure read rates (target >= 25%).
    share = {}
    full = by.get("cf_full")
    if full and full.get("ok"):
        for key, case in (("of_zcat", "ref_zcat"), ("of_cf_read", "cf_read")):
            r = by.get(case)
            if r and r.get("ok", True):
                share[key] = round(r["wall_s"] / full["wall_s"], 3)

    result = {
        "size": meta["params"]["size"],
        "input": {k: meta[k] for k in ("documents", "jsonl_bytes", "text_bytes", "compressed_bytes", "copies",
                                       "planted", "compression")} | {"files": len(meta["files"]),
                                                                    "params": meta["params"]},
        "env": env,
        "reference_read_decompress": reference,
        "full_share_of_read_rate": share,
        "table": table,
        "stage_table": stage_table,
        "runs": runs,
    }
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)

    # ---- print
    print()
    print(f"input: {docs} documents, {jbytes / 1e6:.1f} MB JSONL ({meta['text_bytes'] / 1e6:.1f} MB text), "
          f"{len(meta['files'])} files, {meta['compression']}, {meta['compressed_bytes'] / 1e6:.1f} MB on disk; "
          f"planted near-dups {meta['planted']['near']}")
    print(f"machine: {env.get('nproc')} cores, {env.get('cpu')}, corpusforge {env.get('corpusforge_version')} "
          f"(bin sha256 {str(env.get('corpusforge_sha256'))[:12]}), datatrove {env.get('datatrove_version')}; "
          f"both on 2 cores (--threads 2 / tasks=2 workers=2)")
    if reference:
        print(f"reference: {reference['what']}: {reference['wall_s']:.2f} s = {reference['jsonl_mb_per_s']} MB/s "
              f"of JSONL (load {reference['load1_after']})")
    hdr = (f"{'stage':30s} | {'tool':4s} {'wall s':>8s} {'net s':>7s} {'docs/s':>8s} {'MB/s':>7s} "
           f"{'RSS MB':>7s} {'CPU s':>7s} {'rows out':>8s} {'load':>5s} | {'cf/dt':>6s} {'cpu':>6s}")
    print()
    print(hdr)
    print("-" * len(hdr))
    for row in table:
        first = True
        for tool, key in (("cf", "corpusforge"), ("dt", "datatrove")):
            f = row[key]
            if not f:
                continue
            ratio = row.get("cf_over_peer_throughput")
            rtxt = f"{ratio:6.2f}" if (ratio and first) else ""
            cr = row.get("cf_over_peer_cpu")
            ctxt = f"{cr:6.2f}" if (cr and first) else ""
            fail = "" if f["ok"] else "  FAILED"
            net = f.get("net_s")
            print(f"{(row['stage'] if first else ''):30s} | {tool:4s} {f['wall_s']:8.1f} "
                  f"{(f'{net:7.1f}' if net is not None else ''):>7s} {f['docs_per_s']:8.0f} "
                  f"{f['jsonl_mb_per_s']:7.2f} {f['peak_rss_tree_mb']:7.0f} {f['cpu_s']:7.1f} "
                  f"{(str(f['rows_out']) if f['rows_out'] is not None else '-'):>8s} {f['load1_after']:5.1f} | "
                  f"{rtxt:>6s} {ctxt:>6s}{fail}")
            first = False
    if stage_table:
        print()
        print(f"{'stage (own timings)':30s} | {'cf wall s':>9s} {'dt wall s':>9s} | {'cf/dt':>6s}")
        for row in stage_table:
            c, d, r = row["cf_wall_s"], row["dt_wall_s"], row.get("cf_over_peer_throughput")
            print(f"{row['stage']:30s} | {(f'{c:9.2f}' if c is not None else '-'):>9s} "
                  f"{(f'{d:9.2f}' if d is not None else '-'):>9s} | {(f'{r:6.2f}' if r else ''):>6s}")
    print()
    if share:
        print("corpusforge FULL throughput as a share of the pure read rate: "
              + ", ".join(f"{v:.1%} of {'zcat' if k == 'of_zcat' else 'cf_read (bench-read)'}"
                          for k, v in share.items()))
    print("cf/dt = corpusforge throughput / datatrove throughput (datatrove wall / corpusforge wall);")
    print("cpu = the same ratio in CPU seconds (user+sys of the whole process tree), less sensitive to load.")
    print("net s = wall minus the same tool's read-only case. RSS = peak of the summed process tree "
          "(or of the largest process, if larger).")
    print("load = 1-minute load average at the end of the case (2 cores; other jobs share the machine).")
    print(f"JSON: {a.out}")


if __name__ == "__main__":
    main()
