#!/usr/bin/env bash
# The build through Slurm, on a real single-node Slurm started here
# (scripts/slurm/up.sh: installs Debian's slurmctld, slurmd, slurm-client and
# munge when missing; stopped again at the end, also on failure):
#
#  1. the sample (configs/default.toml) and all of news_articles
#     (configs/slurm-news.toml) built locally with `corpusforge build` and
#     through `corpusforge slurm submit` with $TASKS tasks per stage; the
#     releases must be byte-identical, every file;
#  2. news_articles again in a fresh work directory: one array element of
#     `process` is cancelled with scancel while it runs, `slurm status` must
#     report it, a second `submit` resubmits the unfinished tasks only, and
#     the release must again be byte-identical to the local one.
#
# Work directories and releases go under out/ (the jobs and the local build
# see the same paths); Slurm's own files under a temporary folder.
#
# env: CORPUSFORGE_SLURM_TASKS   tasks per stage (default 4)
#      CORPUSFORGE_SLURM_KEEP=1  keep the temporary folder and work dirs
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

TASKS=${CORPUSFORGE_SLURM_TASKS:-4}
NEWS=../shared/corpora/news_articles
BIN=target/release/corpusforge
OUT=out/slurm-test
TMP=$(mktemp -d "${TMPDIR:-/tmp}/corpusforge-slurm.XXXXXX")
chmod 0755 "$TMP" # munged runs as `munge` and must reach its socket inside

cleanup() {
    local rc=$?
    scripts/slurm/down.sh "$TMP/slurm" || true
    if [ "${CORPUSFORGE_SLURM_KEEP:-}" = 1 ]; then
        echo "kept $TMP and $OUT" >&2
    else
        rm -rf "$TMP" "$OUT"
    fi
    echo "test_slurm.sh: $([ $rc -eq 0 ] && echo passed || echo FAILED) in $((SECONDS - start)) s" >&2
    exit $rc
}
trap cleanup EXIT

# The features scripts/test.sh builds with, so that after it this is a
# no-op (no second compile of the crate in CI); the Slurm path does not
# depend on them.
cargo build --release --locked --quiet --features dev-tools,testkit
rm -rf "$OUT"
mkdir -p "$OUT"
scripts/slurm/up.sh "$TMP/slurm"
export SLURM_CONF=$TMP/slurm/etc/slurm.conf

say() { echo "== $*" >&2; }

# Compare two release folders file by file; print the first difference.
compare() {
    local a=$1 b=$2 what=$3 f
    if ! diff <(cd "$a" && find . -type f | sort) <(cd "$b" && find . -type f | sort) >"$TMP/files.diff"; then
        echo "FAIL: $what: the file lists of $a and $b differ:" >&2
        head -n 20 "$TMP/files.diff" >&2
        return 1
    fi
    local n=0
    while read -r f; do
        n=$((n + 1))
        if ! cmp -s "$a/$f" "$b/$f"; then
            echo "FAIL: $what: $f differs: $(cmp "$a/$f" "$b/$f" 2>&1 | head -n 1)" >&2
            case "$f" in
            *.json | *.md | *.html) diff "$a/$f" "$b/$f" | head -n 10 >&2 ;;
            esac
            return 1
        fi
    done < <(cd "$a" && find . -type f | sort)
    echo "ok: $what: $n files byte-identical" >&2
}

# Wait until no task of a work dir is queued or running; require success.
wait_done() {
    local work=$1 rc=0
    "$BIN" slurm status "$work" --wait --interval 1 >"$TMP/status.txt" || rc=$?
    cat "$TMP/status.txt" >&2
    if [ $rc -ne 0 ]; then
        echo "FAIL: $work: slurm status exited $rc; the logs of failed tasks:" >&2
        for log in "$work"/slurm/logs/*.err; do
            [ -s "$log" ] && { echo "--- $log" >&2; tail -n 5 "$log" >&2; }
        done
        return 1
    fi
}

# The release directory a config names (output.dir), which resolves against
# the config file's folder when relative.
release_of() {
    local dir
    dir=$(sed -n 's/^dir *= *"\([^"]*\)".*/\1/p' "$1" | head -n 1)
    case "$dir" in
    /*) echo "$dir" ;;
    *) echo "$(dirname "$1")/$dir" ;;
    esac
}

# Build a config locally and through Slurm; compare.
through_slurm() {
    local name=$1 config=$2 t0=$SECONDS
    local release
    release=$(release_of "$config")
    say "$name: local build of $config"
    nice "$BIN" build --config "$config" --output "$OUT/$name-local" --quiet
    say "$name: through slurm submit, $TASKS tasks per stage"
    rm -rf "$release"
    "$BIN" slurm submit --config "$config" --workdir "$OUT/$name-work" --tasks "$TASKS"
    wait_done "$OUT/$name-work"
    compare "$OUT/$name-local" "$release" "$name: local build vs Slurm"
    # Everything done: a second submit has nothing to do.
    "$BIN" slurm submit --config "$config" --workdir "$OUT/$name-work" | grep -q "nothing to submit"
    echo "ok: $name in $((SECONDS - t0)) s" >&2
}

# Slurm's state of array element $1 (e.g. 12_0), from squeue or scontrol.
element_state() {
    local s
    s=$(squeue -h -j "$1" -o %T 2>/dev/null | head -n 1)
    [ -n "$s" ] || s=$(scontrol -o show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1)
    echo "${s:-UNKNOWN}"
}

through_slurm sample configs/default.toml

if [ -d "$NEWS" ]; then
    through_slurm news configs/slurm-news.toml

    say "news: cancel one running element of process, status, resubmit"
    t0=$SECONDS
    work=$OUT/news-cancel-work
    release=$(release_of configs/slurm-news.toml)
    rm -rf "$release"
    "$BIN" slurm submit --config configs/slurm-news.toml --workdir "$work" --tasks "$TASKS" | tee "$TMP/submit.txt"
    job=$(awk '$1 == "process" { print $3 }' "$TMP/submit.txt")
    # Task 0 reads the largest input file: it runs for seconds, and the
    # cancel lands mid-run once Slurm reports it RUNNING.
    victim=${job}_0
    for _ in $(seq 1 600); do
        [ "$(element_state "$victim")" = RUNNING ] && break
        sleep 0.5
    done
    [ "$(element_state "$victim")" = RUNNING ] || { echo "FAIL: $victim never ran" >&2; exit 1; }
    sleep 1
    scancel "$victim"
    say "cancelled $victim while it ran"
    rc=0
    "$BIN" slurm status "$work" --wait --interval 1 >"$TMP/status.txt" || rc=$?
    cat "$TMP/status.txt" >&2
    [ $rc -eq 7 ] || { echo "FAIL: status exited $rc, not 7 (stopped unfinished)" >&2; exit 1; }
    grep -q "^failed: process task 0: CANCELLED (job ${victim})" "$TMP/status.txt" ||
        { echo "FAIL: status does not report $victim as cancelled" >&2; exit 1; }
    if [ -e "$work/process/task-00000-of-$(printf %05d "$TASKS").done" ]; then
        echo "FAIL: $victim finished before the cancel reached it" >&2
        exit 1
    fi
    [ ! -e "$release" ] || { echo "FAIL: a release appeared although process failed" >&2; exit 1; }

    "$BIN" slurm submit --config configs/slurm-news.toml --workdir "$work" | tee "$TMP/resubmit.txt"
    awk '$1 == "process" && $5 != "0" { bad = 1 } $1 == "lines" { bad = 1 } END { exit bad }' \
        "$TMP/resubmit.txt" ||
        { echo "FAIL: the resubmit should hold process task 0 and the later stages only" >&2; exit 1; }
    wait_done "$work"
    compare "$OUT/news-local" "$release" "news: local build vs Slurm after scancel + resubmit"
    echo "ok: cancel and resubmit in $((SECONDS - t0)) s" >&2
else
    echo "skipped news_articles and the cancel case: $NEWS is absent" >&2
fi
