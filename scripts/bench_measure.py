#!/usr/bin/env python3
"""Run one benchmark case and append its measurements to a JSON-lines file.

    bench_measure.py --results R.jsonl --case NAME --tool TOOL [--stage S]
                     [--extra-json FILE] -- COMMAND ...

The command runs under `/usr/bin/time -v` (user/system CPU, and the maximum
RSS of the *largest single* process). Every 0.2 s a psutil sampler sums the
RSS of the whole process tree (datatrove forks one worker per task, so the
single-process maximum underestimates its footprint); its peak is
`peak_rss_tree_mb`. Pages shared between forked workers are counted once per
process, as `ps` would. The 1-minute load average is recorded before and
after, because the machine is shared with other jobs.

Exit status: the command's. A failed case is still recorded (`ok: false`).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import psutil


def tree_rss(proc, cpu_seen):
    """Summed RSS and process count of the tree; records each process's CPU seconds in cpu_seen."""
    total = 0
    n = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0, 0
    for p in procs:
        try:
            with p.oneshot():
                total += p.memory_info().rss
                t = p.cpu_times()
            cpu_seen[(p.pid, p.create_time())] = t.user + t.system
            n += 1
        except psutil.Error:
            pass
    return total, n


def parse_time_v(path):
    out = {}
    try:
        text = open(path).read()
    except OSError:
        return out
    pats = {
        "user_s": r"User time \(seconds\): ([\d.]+)",
        "sys_s": r"System time \(seconds\): ([\d.]+)",
        "cpu_percent": r"Percent of CPU this job got: (\d+)%",
        "max_rss_single_mb": r"Maximum resident set size \(kbytes\): (\d+)",
    }
    for k, pat in pats.items():
        m = re.search(pat, text)
        if m:
            v = float(m.group(1))
            out[k] = v / 1024 if k == "max_rss_single_mb" else v
    # "h:mm:ss" or "m:ss.ss": the command's own wall time, to 0.01 s.
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
    if m:
        secs = 0.0
        for part in m.group(1).split(":"):
            secs = secs * 60 + float(part)
        out["wall_s_time"] = round(secs, 2)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--case", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--stage", default="")
    ap.add_argument("--log", help="file for the command's stdout+stderr")
    ap.add_argument("--extra-json", help="JSON file the command writes (merged into the record)")
    ap.add_argument("--cf-manifest", help="corpusforge manifest.json: its counts go into the record")
    ap.add_argument("--json-log", action="store_true",
                    help="the log's last line is a JSON object (corpusforge bench-read): it goes into the "
                         "record, its `documents` as rows_out")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        sys.exit("no command")

    tfile = tempfile.NamedTemporaryFile(prefix="bench-time-", suffix=".txt", delete=False).name
    log = open(a.log, "w") if a.log else subprocess.DEVNULL
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    p = subprocess.Popen(["/usr/bin/time", "-v", "-o", tfile] + cmd, stdout=log, stderr=subprocess.STDOUT)
    ps = psutil.Process(p.pid)
    peak, peak_n = 0, 0
    cpu_seen = {}
    while True:
        rss, n = tree_rss(ps, cpu_seen)
        if rss > peak:
            peak, peak_n = rss, n
        # Wait at most 0.2 s for the next sample, but no longer than the
        # command runs: a sleep here would round every wall time up to the
        # sampling period, which costs a 0.3 s run a third of its speed.
        try:
            p.wait(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            pass
    wall = time.perf_counter() - t0
    load_after = os.getloadavg()
    rec = {
        "case": a.case,
        "tool": a.tool,
        "stage": a.stage,
        "cmd": cmd,
        "ok": p.returncode == 0,
        "returncode": p.returncode,
        "wall_s": round(wall, 3),
        "peak_rss_tree_mb": round(peak / 2**20, 1),
        "peak_rss_tree_procs": peak_n,
        "load1_before": round(load_before[0], 2),
        "load1_after": round(load_after[0], 2),
        "load5_after": round(load_after[1], 2),
    }
    rec.update(parse_time_v(tfile))
    # The wall time is the command's, as /usr/bin/time measured it (to
    # 0.01 s); this script's own clock, which also counts starting `time`
    # and noticing the exit, is kept beside it.
    rec["wall_s_harness"] = rec["wall_s"]
    if "wall_s_time" in rec:
        rec["wall_s"] = rec["wall_s_time"]
    # CPU seconds: /usr/bin/time counts only the processes its child reaped; the sampler sees every
    # process of the tree but misses each one's last < 0.2 s. The larger of the two is kept.
    rec["cpu_s_time"] = round(rec.get("user_s", 0) + rec.get("sys_s", 0), 2)
    rec["cpu_s_sampled"] = round(sum(cpu_seen.values()), 2)
    rec["cpu_s"] = max(rec["cpu_s_time"], rec["cpu_s_sampled"])
    os.remove(tfile)
    if a.extra_json and os.path.exists(a.extra_json):
        with open(a.extra_json) as f:
            rec["extra"] = json.load(f)
    if a.cf_manifest and os.path.exists(a.cf_manifest):
        with open(a.cf_manifest) as f:
            m = json.load(f)
        rec.setdefault("extra", {}).update(
            {"counts": m.get("counts"), "rows_out": (m.get("counts") or {}).get("kept")})
    if a.cf_manifest and a.log and os.path.exists(a.log):
        # `build` prints "stage seconds (wall/CPU): lines 0.12/0.20, process 9.81/19.20, ..."
        for line in open(a.log, errors="replace"):
            if line.startswith("stage seconds (wall/CPU):"):
                stages = {}
                for part in line.split(":", 1)[1].split(","):
                    name, _, fig = part.strip().partition(" ")
                    st_wall, _, st_cpu = fig.partition("/")
                    stages[name] = {"wall_s": float(st_wall),
                                    "cpu_s": None if st_cpu in ("", "-") else float(st_cpu)}
                rec.setdefault("extra", {})["stage_seconds"] = stages
    if a.json_log and a.log:
        try:
            last = [l for l in open(a.log) if l.strip()][-1]
            out = json.loads(last)
            rec["extra"] = {"bench_read": out, "rows_out": out.get("documents")}
        except (OSError, IndexError, ValueError):
            pass
    with open(a.results, "a") as f:
        f.write(json.dumps(rec) + "\n")
    status = "ok" if rec["ok"] else f"FAILED rc={p.returncode}"
    print(
        f"  {a.tool:12s} {a.case:22s} {rec['wall_s']:8.2f} s  tree RSS {rec['peak_rss_tree_mb']:7.0f} MB  "
        f"load {load_before[0]:.1f}->{load_after[0]:.1f}  {status}",
        flush=True,
    )
    sys.exit(p.returncode)


if __name__ == "__main__":
    main()
