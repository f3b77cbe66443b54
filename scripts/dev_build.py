"""Shared by the scripts that call corpusforge's hidden developer
subcommands (`filter-check`, `near-dup`, `bench-read`: the `dev-tools`
feature)."""

import os
import shlex
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build_dev_tools(*cmds):
    """When a command runs this repository's release binary, (re)build it
    with the `dev-tools` feature first (a no-op when it is up to date), since
    a plain `cargo build --release` leaves a binary without the developer
    subcommands at the same path. CARGO_TARGET_DIR is ignored: the command
    runs the binary in ./target."""
    if any(shlex.split(c)[:1] == ["target/release/corpusforge"] for c in cmds if c):
        subprocess.check_call(
            ["cargo", "build", "--release", "--locked", "--quiet", "--features", "dev-tools"],
            cwd=REPO,
            env={k: v for k, v in os.environ.items() if k != "CARGO_TARGET_DIR"},
        )
