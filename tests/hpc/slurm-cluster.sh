#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine, from Debian's slurm-wlm and munge
# packages, for the tests in tests/hpc.rs and for trying examples/slurm by hand.
#
#   tests/hpc/slurm-cluster.sh up       start munged, slurmctld and slurmd; wait until the node is idle
#   tests/hpc/slurm-cluster.sh down     stop the daemons that `up` started (by their pid files)
#   tests/hpc/slurm-cluster.sh status   say what runs and what sinfo shows
#
# `up` is idempotent: a cluster that already answers is reused (a node left down or drained
# is resumed), stale pid files are removed, and slurmctld starts with its saved state
# cleared (-c), so jobs or node states left by an earlier run that was killed cannot get in
# the way. Its last line on standard output is `started` (it started a daemon) or `reused`.
# It needs root.
# On failure it prints the daemons' logs and exits 1.
#
# slurm.conf: /etc/slurm/slurm.conf is written only when absent or written by this script
# (its first line says so); any other slurm.conf is left alone and `up` refuses to start.
# The node is this host (`hostname`) with its CPU count (nproc) and memory (/proc/meminfo,
# 95 % of it), one partition `debug`. No accounting database: sbatch, arrays and
# dependencies work; sacct does not.
set -euo pipefail

CONF=/etc/slurm/slurm.conf
MARK="# Written by surfrender tests/hpc/slurm-cluster.sh; rewritten by it on each 'up'."
STATE=/run/surfrender-slurm     # which daemons `up` started, for `down`
LOCK=/run/surfrender-slurm.lock # one `up` or `down` at a time
TIMEOUT=${SLURM_CLUSTER_TIMEOUT:-60}
HOST=$(hostname)

say() { echo "slurm-cluster: $*" >&2; }
die() { say "$*"; exit 1; }

# The pid in FILE when that process is alive and is NAME, else nothing; a stale file is removed.
live_pid() {
    local file=$1 name=$2 pid
    [[ -s $file ]] || return 0
    pid=$(tr -dc 0-9 <"$file")
    # Alive, not a zombie (state Z), and the daemon named (not a process that reused the pid).
    if [[ -n $pid ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]] &&
        [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]]; then
        echo "$pid"
    else
        say "removing stale pid file $file"
        rm -f "$file"
    fi
}

munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
ctld_ok() { [[ $(scontrol ping 2>/dev/null) == *"is UP"* ]]; }
# The node's state as sinfo prints it (idle, down*, drained, ...); nothing when sinfo fails.
node_state() { sinfo -h -N -n "$HOST" -o %T 2>/dev/null | head -n1 || true; }

logs() {
    local f
    for f in /var/log/munge/munged.log /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log; do
        [[ -f $f ]] && { echo "----- last lines of $f"; tail -n 40 "$f"; }
    done >&2
    echo "----- sinfo" >&2
    sinfo -N -l >&2 2>&1 || true
}

fail() { say "$*"; logs; exit 1; }

# Waits up to TIMEOUT seconds for the command "$@" to succeed.
wait_for() {
    local what=$1 t=0
    shift
    until "$@"; do
        ((t++ < TIMEOUT * 2)) || fail "timed out after ${TIMEOUT}s waiting for $what"
        sleep 0.5
    done
}

write_conf() {
    local cpus mem_kb mem_mb want
    cpus=$(nproc)
    mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
    mem_mb=$((mem_kb / 1024 * 95 / 100))
    want=$(cat <<CONF
$MARK
ClusterName=local
SlurmctldHost=$HOST
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$HOST CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
)
    if [[ -f $CONF ]] && [[ $(head -n1 "$CONF") != "$MARK" ]]; then
        die "$CONF exists and was not written by this script; not touching it"
    fi
    mkdir -p /etc/slurm
    if [[ ! -f $CONF ]] || [[ $(cat "$CONF") != "$want" ]]; then
        printf '%s\n' "$want" >"$CONF"
        say "wrote $CONF (NodeName=$HOST CPUs=$cpus RealMemory=$mem_mb)"
    fi
}

start_munge() {
    if munge_ok; then return; fi
    if [[ ! -s /etc/munge/munge.key ]]; then
        mkdir -p /etc/munge
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
        say "created /etc/munge/munge.key"
    fi
    chown munge:munge /etc/munge /etc/munge/munge.key
    chmod 700 /etc/munge
    chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    local pid
    pid=$(live_pid /run/munge/munged.pid munged)
    [[ -z $pid ]] || fail "munged (pid $pid) runs but does not answer"
    # --force: start even when an earlier munged left its socket behind.
    su -s /bin/sh munge -c '/usr/sbin/munged --force' 9>&- || fail "munged did not start"
    echo munged >>"$STATE/started"
    STARTED=1
    wait_for "munge" munge_ok
}

start_slurm() {
    mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
    if ! ctld_ok; then
        [[ -z $(live_pid /run/slurmctld.pid slurmctld) ]] ||
            fail "slurmctld (pid $(live_pid /run/slurmctld.pid slurmctld)) runs but does not answer"
        # -c: start with no saved jobs or node states.
        /usr/sbin/slurmctld -c 9>&- || fail "slurmctld did not start"
        echo slurmctld >>"$STATE/started"
        STARTED=1
        wait_for "slurmctld to answer" ctld_ok
    fi
    if [[ -z $(live_pid /run/slurmd.pid slurmd) ]]; then
        /usr/sbin/slurmd 9>&- || fail "slurmd did not start"
        echo slurmd >>"$STATE/started"
        STARTED=1
    fi
}

# Waits for the node to take jobs (a state without a flag such as * for "not
# responding"); resumes it when it is down or drained.
wait_idle() {
    local t=0 st
    while :; do
        st=$(node_state)
        case $st in
        idle | mixed | allocated | completing) return ;;
        down* | drain* | fail*)
            say "node $HOST is $st; resuming it"
            scontrol update nodename="$HOST" state=resume || true
            ;;
        esac
        ((t++ < TIMEOUT * 2)) || fail "timed out after ${TIMEOUT}s: node $HOST is '${st:-not listed}', not idle"
        sleep 0.5
    done
}

up() {
    local b
    for b in munged munge unmunge slurmctld slurmd sinfo scontrol sbatch; do
        command -v "$b" >/dev/null || [[ -x /usr/sbin/$b ]] ||
            die "$b not found: apt-get install slurm-wlm munge"
    done
    mkdir -p "$STATE"
    STARTED=0
    # A controller that answers keeps its configuration; else this script's is written.
    munge_ok && ctld_ok || write_conf
    start_munge
    start_slurm
    wait_idle
    say "node $HOST is $(node_state)"
    if ((STARTED)); then echo started; else echo reused; fi
}

# Stops the daemons that `up` started, newest first.
down() {
    local name pid file
    [[ -s $STATE/started ]] || { say "nothing started by this script runs"; return; }
    for name in slurmd slurmctld munged; do
        grep -qx "$name" "$STATE/started" || continue
        case $name in
        munged) file=/run/munge/munged.pid ;;
        *) file=/run/$name.pid ;;
        esac
        pid=$(live_pid "$file" "$name")
        [[ -n $pid ]] || continue
        kill "$pid"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && say "$name (pid $pid) still runs" || say "stopped $name (pid $pid)"
    done
    rm -f "$STATE/started"
}

status() {
    local name file pid
    for name in munged slurmctld slurmd; do
        case $name in
        munged) file=/run/munge/munged.pid ;;
        *) file=/run/$name.pid ;;
        esac
        pid=$(live_pid "$file" "$name")
        if [[ -n $pid ]]; then echo "$name: running, pid $pid"; else echo "$name: not running"; fi
    done
    if ctld_ok; then sinfo -N -l; else echo "slurmctld does not answer"; fi
}

cmd=${1:-}
case $cmd in
up | down)
    [[ $(id -u) == 0 ]] || die "needs root (it starts and stops munged, slurmctld and slurmd)"
    # The daemons are started with `9>&-`: they must not inherit the lock's descriptor.
    mkdir -p "$(dirname "$LOCK")"
    exec 9>"$LOCK"
    flock -w "$TIMEOUT" 9 || die "another up or down holds $LOCK"
    "$cmd"
    ;;
status) status ;;
*) die "usage: $0 up|down|status" ;;
esac
