#!/usr/bin/env bash
# Bounded fuzzing (cargo-fuzz + libFuzzer, targets in fuzz/): the readers
# (JSON Lines, CSV/TSV, text, Parquet), normalize, clean and a whole build.
#
# Each target (all, or those named in CORPUSFORGE_FUZZ_TARGETS) runs for
# CORPUSFORGE_FUZZ_SECONDS seconds (default 60), CORPUSFORGE_FUZZ_JOBS
# targets at a time (default 2), each one libFuzzer
# process on one core. They start from tests/fuzz_corpus/<target>/ (kept in
# git, read only here) and add what they find to fuzz/corpus/<target>/
# (ignored by git). A crash fails the script; its input is left in
# fuzz/artifacts/<target>/ and the command to replay it is printed.
#
# Needs a nightly toolchain (libFuzzer's instrumentation); without one the
# script says so and exits 0: the property tests and the replay of
# tests/fuzz_corpus/ still run in `cargo test`.
#
# Built without AddressSanitizer (`-s none`): the code fuzzed is safe Rust,
# and the build and the runs are much faster; debug assertions and overflow
# checks stay on (cargo-fuzz's default).
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${CORPUSFORGE_FUZZ_SECONDS:-60}
jobs=${CORPUSFORGE_FUZZ_JOBS:-2}
if [ "$secs" = 0 ]; then
    echo "skipped fuzzing: CORPUSFORGE_FUZZ_SECONDS=0"
    exit 0
fi
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "skipped fuzzing: no nightly toolchain ('cargo +nightly --version' failed;" \
        "libFuzzer needs nightly). The property tests and the replay of" \
        "tests/fuzz_corpus/ ran in cargo test."
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install --locked cargo-fuzz
fi

t0=$(date +%s)
flags=(-s none --codegen-units 16)
(cd fuzz && cargo +nightly fuzz build "${flags[@]}")
t1=$(date +%s)

mkdir -p fuzz/logs
targets=${CORPUSFORGE_FUZZ_TARGETS:-$(cd fuzz && cargo +nightly fuzz list)}
export secs
# shellcheck disable=SC2016 # expanded by the inner shell
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c '
    t={}
    mkdir -p fuzz/corpus/$t
    cd fuzz
    rc=0
    cargo +nightly fuzz run -s none --codegen-units 16 "$t" "corpus/$t" "../tests/fuzz_corpus/$t" -- \
        -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
        > "logs/$t.log" 2>&1 || rc=$?
    echo "$rc" > "logs/$t.rc"
'
t2=$(date +%s)

failed=0
printf '%-14s %8s %10s %8s  %s\n' target seconds executions corpus result
for t in $targets; do
    rc=$(cat "fuzz/logs/$t.rc")
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "fuzz/logs/$t.log" | grep -o '[0-9]*$' || echo "?")
    corpus=$(find "fuzz/corpus/$t" "tests/fuzz_corpus/$t" -type f 2>/dev/null | wc -l)
    if [ "$rc" = 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc)"
        failed=1
    fi
    printf '%-14s %8s %10s %8s  %s\n' "$t" "$secs" "$execs" "$corpus" "$result"
done
echo "fuzzing: build $((t1 - t0)) s, runs $((t2 - t1)) s ($jobs at a time)"
if [ "$failed" = 1 ]; then
    for t in $targets; do
        [ "$(cat "fuzz/logs/$t.rc")" = 0 ] && continue
        echo "---- $t (fuzz/logs/$t.log, last lines)"
        tail -n 40 "fuzz/logs/$t.log"
        for a in fuzz/artifacts/"$t"/*; do
            [ -f "$a" ] || continue
            echo "replay: (cd fuzz && cargo +nightly fuzz run -s none $t ${a#fuzz/});" \
                "then add it to tests/fuzz_corpus/$t/ as a regression case"
        done
    done
    exit 1
fi
