#!/usr/bin/env bash
# Starts a single-node Slurm on this machine for the tests: munged,
# slurmctld and slurmd, with every file they write under DIR (config, state,
# spool, logs, pid files, munge socket) and ports of their own, so nothing
# outside DIR is touched and a second copy can run beside it. Installs
# Debian's packages (slurmctld slurmd slurm-client munge) when missing.
# Waits until the node is idle. Afterwards
#     export SLURM_CONF=DIR/etc/slurm.conf
# points sbatch, squeue, scontrol and scancel at it; scripts/slurm/down.sh DIR
# stops it. On failure it stops whatever it started.
#
# usage: scripts/slurm/up.sh DIR
# env:   SLURM_TEST_MAX_ARRAY_SIZE  the cluster's MaxArraySize (default 1001,
#                                   Slurm's own default)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
D=${1:?usage: scripts/slurm/up.sh DIR}
mkdir -p "$D"
D=$(cd "$D" && pwd)
case "$D" in
*[[:space:]]*) echo "up.sh: $D: a path with spaces does not fit in slurm.conf" >&2; exit 2 ;;
esac

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

missing=()
for want in slurmctld:/usr/sbin/slurmctld slurmd:/usr/sbin/slurmd \
    slurm-client:/usr/bin/sbatch munge:/usr/sbin/munged; do
    [ -x "${want#*:}" ] || missing+=("${want%%:*}")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "up.sh: installing ${missing[*]}" >&2
    $SUDO apt-get update -qq
    # The packages start no services themselves (no systemd here); munge's
    # postinst creates /etc/munge/munge.key.
    $SUDO env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
if ! $SUDO test -f /etc/munge/munge.key; then
    $SUDO mungekey --create --keyfile=/etc/munge/munge.key
    $SUDO chown munge:munge /etc/munge/munge.key
fi

trap '"$here/down.sh" "$D"' ERR

# A port nobody listens on, from $1 upwards.
free_port() {
    local p=$1
    while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
    echo "$p"
}

# munged refuses a socket folder others may write to, and runs as `munge`:
# DIR must be traversable, DIR/munge owned by munge.
chmod 0755 "$D"
if ! $SUDO runuser -u munge -- test -x "$D"; then
    echo "up.sh: the munge user cannot enter $D: make its parent folders traversable (chmod o+x)" >&2
    false
fi
mkdir -p "$D/etc" "$D/state" "$D/spool" "$D/log"
$SUDO install -d -o munge -g munge -m 0755 "$D/munge"
$SUDO runuser -u munge -- /usr/sbin/munged \
    --socket="$D/munge/munge.socket" --pid-file="$D/munge/munged.pid" \
    --log-file="$D/munge/munged.log" --seed-file="$D/munge/munged.seed"
munge -S "$D/munge/munge.socket" -n | unmunge -S "$D/munge/munge.socket" >/dev/null

# NodeName must be this host's short name and RealMemory at most what slurmd
# detects; leave 2 GiB to the system.
hw=$(slurmd -C | head -1)
node=$(sed -n 's/.*NodeName=\([^ ]*\).*/\1/p' <<<"$hw")
cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$hw")
mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")
mem=$((mem > 3072 ? mem - 2048 : mem / 2))
ctld_port=$(free_port 6817)
slurmd_port=$(free_port $((ctld_port + 1)))
sed -e "s|@DIR@|$D|g" -e "s|@NODE@|$node|" -e "s|@CPUS@|$cpus|" \
    -e "s|@MEMORY_MB@|$mem|" -e "s|@CTLD_PORT@|$ctld_port|" \
    -e "s|@SLURMD_PORT@|$slurmd_port|" -e "s|@SLURM_USER@|root|" \
    -e "s|@MAX_ARRAY_SIZE@|${SLURM_TEST_MAX_ARRAY_SIZE:-1001}|" \
    "$here/slurm.conf.in" >"$D/etc/slurm.conf"
export SLURM_CONF=$D/etc/slurm.conf

$SUDO env SLURM_CONF="$SLURM_CONF" slurmctld -f "$SLURM_CONF"
$SUDO env SLURM_CONF="$SLURM_CONF" slurmd -f "$SLURM_CONF"
for _ in $(seq 1 300); do
    state=$(sinfo -h -o %t 2>/dev/null || true)
    if [ "$state" = "idle" ]; then
        echo "up.sh: Slurm is up (node $node, $cpus CPUs, $mem MB; ports $ctld_port/$slurmd_port): export SLURM_CONF=$SLURM_CONF" >&2
        exit 0
    fi
    sleep 0.1
done
echo "up.sh: the node did not become idle in 30 s (state '${state:-}'); logs in $D/log" >&2
tail -n 20 "$D/log/slurmctld.log" "$D/log/slurmd.log" >&2 || true
false
