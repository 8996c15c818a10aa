#!/bin/bash
# Runs a sharded gyokaku batch on a throw-away one-node Slurm cluster on 127.0.0.1
# (Debian `slurm-wlm` + `munge`): starts munged, slurmctld and slurmd with a private
# config and state folder, submits the array and merge jobs with submit.sh, waits for the
# merge, prints the job logs and stops the daemons it started (by their pid files).
#
#   scripts/slurm/run_local.sh CONFIG.toml N OUT
#
# GYOKAKU names the gyokaku binary (default: `gyokaku` on PATH). Exits 0 when the merge
# job completed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
config=$(realpath "${1:?usage: run_local.sh CONFIG.toml N OUT}")
count=${2:?usage: run_local.sh CONFIG.toml N OUT}
out=$(realpath -m "${3:?usage: run_local.sh CONFIG.toml N OUT}")
export GYOKAKU=$(command -v "${GYOKAKU:-gyokaku}")

state=$(mktemp -d /tmp/gyokaku-slurm.XXXXXX)
chmod 711 "$state"
mkdir -p "$state/spool" "$state/ctld" "$state/munge"
user=$(id -un)
ctld_port=$((20000 + RANDOM % 20000))
cat > "$state/slurm.conf" <<CONF
ClusterName=gyokaku
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$ctld_port
SlurmdPort=$((ctld_port + 1))
AuthType=auth/munge
AuthInfo=socket=$state/munge/munge.socket
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
NodeName=gyokaku1 NodeAddr=127.0.0.1 CPUs=2 RealMemory=2000 State=UNKNOWN
PartitionName=local Nodes=gyokaku1 Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$state/slurm.conf

pids=()
stop() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap stop EXIT

# munge: a fresh key in the private folder, a socket nobody else uses.
dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$state/munge/munge.key"
chmod 711 "$state/munge"
munged --foreground --force --key-file="$state/munge/munge.key" \
    --socket="$state/munge/munge.socket" --pid-file="$state/munge/munged.pid" \
    --log-file="$state/munge/munged.log" --seed-file="$state/munge/munge.seed" \
    > "$state/munged.stdout" 2>&1 &
pids+=($!)
sleep 1
slurmctld -D -f "$state/slurm.conf" > "$state/slurmctld.stdout" 2>&1 &
pids+=($!)
slurmd -D -f "$state/slurm.conf" -N gyokaku1 > "$state/slurmd.stdout" 2>&1 &
pids+=($!)

for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed)'; then break; fi
    sleep 1
done
sinfo

cd "$(dirname "$config")"
read -r array merge < <("$here/submit.sh" "$config" "$count" "$out")
echo "array job $array, merge job $merge"
for _ in $(seq 1 600); do
    if ! squeue -h -j "$array,$merge" 2>/dev/null | grep -q .; then break; fi
    sleep 1
done
state_of_merge=$(scontrol show job "$merge" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
cat gyokaku-shard-"$array"_*.out gyokaku-merge-"$merge".out 2>/dev/null || true
echo "merge job state: ${state_of_merge:-unknown}"
if [ "$state_of_merge" = "COMPLETED" ]; then
    rm -rf "$state"
    exit 0
fi
echo "daemon logs kept in $state" >&2
exit 1
