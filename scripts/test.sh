#!/usr/bin/env bash
# Runs every test of corpusforge on a fresh machine:
#  1. a Python venv (.venv/) with the packages of tests/python/requirements.txt;
#  2. `cargo test --release` (release profile, so the build is shared with
#     the main job and the benchmarks: the dependency tree compiles once),
#     with the features dev-tools and testkit;
#  3. bounded fuzzing (scripts/fuzz.sh: each of the 7 targets 60 s, four at
#     a time, so two rounds on 2 cores; skipped, saying why, without a
#     nightly toolchain);
#  4. a build of the sample (configs/default.toml -> out/sample/),
#     `corpusforge verify` on it, and the Python release tests against it
#     (pyarrow, polars, pandas, DuckDB, Hugging Face `datasets` offline, and
#     a headless Chromium screenshot of report.html);
#  4. with CI set or CORPUSFORGE_SLURM_TESTS=1: scripts/test_slurm.sh, the
#     build through a real single-node Slurm (installs and starts slurmctld,
#     slurmd and munged on this machine, stops them at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${CORPUSFORGE_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt

# The report test renders report.html with headless Chromium; a fresh
# machine does not have it.
if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM:-}" ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi

# With the developer subcommands (feature dev-tools, for the scripts in
# scripts/) and the test helpers (testkit, which the tests turn on anyway):
# one set of features for both commands compiles the crate once, and leaves
# in target/release/ a binary every script can use. Users build without them.
FEATURES=dev-tools,testkit
cargo build --release --locked --features $FEATURES
cargo test --release --locked --features $FEATURES
# Four at a time: the fuzz build (about 9.5 CPU-minutes cold) dominates,
# and two rounds of 60 s keep the step near 8 minutes on a fresh 2-core
# machine; each target then gets about half a core.
CORPUSFORGE_FUZZ_JOBS=${CORPUSFORGE_FUZZ_JOBS:-4} bash scripts/fuzz.sh

target/release/corpusforge build --config configs/default.toml --quiet
target/release/corpusforge verify out/sample
CORPUSFORGE_RELEASE=out/sample CORPUSFORGE_REQUIRE_CHROMIUM=1 CORPUSFORGE_SCREENSHOT=out/report-screenshot.png \
    "$VENV/bin/python" -m pytest -q tests/python

# The fastText runtime is exact: small models trained here with the PyPI
# `fasttext` package (.bin and .ftz; softmax, hierarchical softmax,
# one-vs-all) and the published lid.176.ftz give the same top-k labels as
# Python fastText, probabilities within 1e-4 (own venv under .cache/).
if [ -d ../shared/corpora ]; then
    python3 scripts/fasttext_parity.py --n-test 2000 --bench-reps 1
else
    echo "skipped fastText parity: ../shared/corpora is absent"
fi

# Slurm: on by default in CI only, since it installs packages and starts
# daemons on this machine.
if [ -n "${CI:-}" ] || [ "${CORPUSFORGE_SLURM_TESTS:-}" = 1 ]; then
    scripts/test_slurm.sh
else
    echo "skipped the Slurm tests (scripts/test_slurm.sh): they install and start slurmctld, slurmd and munged on this machine; set CORPUSFORGE_SLURM_TESTS=1 to run them (CI always does)"
fi
