#!/usr/bin/env bash
# Runs every test of corpusforge on a fresh machine:
#  1. a Python venv (.venv/) with the packages of tests/python/requirements.txt;
#  2. `cargo test --release` (release profile, so the build is shared with
#     the main job and the benchmarks: the dependency tree compiles once);
#  3. a build of the sample (configs/default.toml -> out/sample/) and the
#     Python release tests (pyarrow, polars, pandas) against it.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${CORPUSFORGE_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt

cargo build --release --locked
cargo test --release --locked

target/release/corpusforge build --config configs/default.toml --quiet
CORPUSFORGE_RELEASE=out/sample "$VENV/bin/python" -m pytest -q tests/python
