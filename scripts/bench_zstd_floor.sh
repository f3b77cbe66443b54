#!/usr/bin/env bash
# The floor of the "Parquet write" stage of scripts/bench.sh: how long zstd
# level 1 alone takes to compress the text of the benchmark input, which
# every Parquet writer with that codec and level (datatrove's pyarrow
# writer and ours) has to do, whatever else it does.
#
#   scripts/bench_zstd_floor.sh [256MiB|1GiB|4GiB]
#
# Extracts the `text` fields of target/bench/input-<size> (made by
# scripts/bench.sh) into target/bench/texts-<size>.bin, then runs the zstd
# command-line tool's benchmark on it: level 1, 1 MiB blocks (about a
# Parquet data page), one core. Prints the rate and the seconds it implies
# on one and on two cores. Needs `zstd` (Debian package zstd).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-256MiB}
IN=target/bench/input-$SIZE
OUT=target/bench/texts-$SIZE.bin
[ -d "$IN" ] || { echo "no $IN: run scripts/bench.sh --size $SIZE first" >&2; exit 2; }
command -v zstd > /dev/null || { echo "zstd not found (apt-get install zstd)" >&2; exit 2; }
if [ ! -s "$OUT" ]; then
    python3 - "$IN" "$OUT" <<'EOF'
import glob, gzip, json, sys
src, dst = sys.argv[1:3]
with open(dst + ".partial", "wb") as out:
    for path in sorted(glob.glob(src + "/*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                t = json.loads(line).get("text")
                if isinstance(t, str):
                    out.write(t.encode("utf-8"))
import os
os.replace(dst + ".partial", dst)
EOF
fi
BYTES=$(stat -c %s "$OUT")
LINE=$(zstd -b1 -e1 -B1MiB -i3 "$OUT" 2>&1 | tr '\r' '\n' | grep -E 'MB/s' | tail -1)
RATE=$(echo "$LINE" | grep -oE '[0-9.]+ MB/s' | head -1 | cut -d' ' -f1)
python3 - "$BYTES" "$RATE" "$LINE" <<'EOF'
import sys
n, rate, line = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
s = n / 1e6 / rate
print(f"zstd -1, 1 MiB blocks, text of the input ({n / 1e6:.1f} MB): {rate:.0f} MB/s on one core")
print(f"  = {s:.2f} s on one core, {s / 2:.2f} s on two: no writer of this text at this level is faster")
print(f"  (zstd: {line.strip()})")
EOF
