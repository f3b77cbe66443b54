#!/usr/bin/env bash
# Peak RSS, wall and CPU seconds of each stage of one build, run a stage at
# a time (`corpusforge stage NAME`, one task each) under /usr/bin/time, so
# the stage that sets a build's peak shows. BENCHMARKS.md's per-stage memory
# table comes from it.
#
#   scripts/bench_stage_memory.sh CONFIG INPUT_DIR [key=VALUE ...]
#
# CONFIG is a build config, e.g. target/bench/configs/equiv.toml (written by
# scripts/bench.sh) or configs/default.toml; INPUT_DIR replaces its input
# paths (e.g. target/bench/input-1GiB); key=VALUE pairs change other keys
# (e.g. dedup.near.memory_budget_mb=256), as in scripts/bench_variant.py.
# The config copy, work directory and release go to
# target/bench/stage-memory/ and are removed at the end. Uses
# target/release/corpusforge (built if missing) and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
    sed -n 2,15p "$0" >&2
    exit 2
fi
CONFIG=$1
INPUT=$2
shift 2
[ -x /usr/bin/time ] || { echo "GNU time not found (apt-get install time)" >&2; exit 2; }
BIN=target/release/corpusforge
[ -x "$BIN" ] || cargo build --release --locked
W=target/bench/stage-memory
rm -rf "$W"
mkdir -p "$W"
python3 scripts/bench_variant.py "$CONFIG" "$W/config.toml" \
    "input.paths=[\"$INPUT\"]" "output.dir=\"$W/out\"" output.overwrite=true "$@"
echo "config: $CONFIG, input: $INPUT${*:+, $*}; $($BIN --version)"
printf '%-9s %9s %9s %9s\n' stage "wall s" "CPU s" "RSS MB"
for stage in lines process bands cluster write finalize; do
    /usr/bin/time -o "$W/time" -f '%e %U %S %M' \
        "$BIN" stage "$stage" --workdir "$W/work" --config "$W/config.toml"
    read -r wall user sys rss < "$W/time"
    awk -v s="$stage" -v w="$wall" -v u="$user" -v y="$sys" -v r="$rss" \
        'BEGIN { printf "%-9s %9.2f %9.2f %9.0f\n", s, w, u + y, r / 1024 }'
done
rm -rf "$W"
