#!/usr/bin/env bash
# Stops the single-node Slurm that scripts/slurm/up.sh DIR started: cancels
# its jobs, then ends slurmd, slurmctld and munged by the pids in their pid
# files under DIR (and nothing else). Safe to run twice or after a failed
# up.sh.
#
# usage: scripts/slurm/down.sh DIR
set -uo pipefail
D=${1:?usage: scripts/slurm/down.sh DIR}
[ -d "$D" ] || exit 0
D=$(cd "$D" && pwd)
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

alive() { [ -n "$1" ] && $SUDO kill -0 "$1" 2>/dev/null; }
pid_of() { [ -f "$1" ] && cat "$1" 2>/dev/null; }

# Jobs still in this cluster's queue: cancel them while slurmd is there to
# end their processes.
if [ -f "$D/etc/slurm.conf" ] && alive "$(pid_of "$D/slurmctld.pid")"; then
    export SLURM_CONF=$D/etc/slurm.conf
    jobs=$(squeue -h -o %A 2>/dev/null | sort -u)
    if [ -n "$jobs" ]; then
        # shellcheck disable=SC2086
        scancel $jobs 2>/dev/null || true
        for _ in $(seq 1 100); do
            [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break
            sleep 0.1
        done
    fi
fi

for f in slurmd.pid slurmctld.pid munge/munged.pid; do
    pid=$(pid_of "$D/$f" || true)
    alive "$pid" || continue
    $SUDO kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        echo "down.sh: pid $pid ($f) ignored SIGTERM; killing it" >&2
        $SUDO kill -9 "$pid" 2>/dev/null
    fi
done
exit 0
