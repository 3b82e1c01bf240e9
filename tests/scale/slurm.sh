#!/bin/sh
# The Slurm recipe of docs/scale.md (contrib/slurm/) on a real single-node
# Slurm started here from Debian's packages (munged, slurmctld, slurmd, on
# 127.0.0.1, ports the kernel gives, everything under a scratch folder):
# the case's manifest as a job array plus a dependent merge job; the merged
# case must be the one a single 'remtrail analyze' gives. When Slurm cannot
# be started here, the test says why and skips (77). Bounded: 60 s for the
# daemons to come up, 240 s for the jobs; the daemons are stopped on exit.
. "${srcdir:-.}/tests/scale/common.sh"
for p in munged slurmctld slurmd sbatch scontrol sinfo python3; do
	command -v "$p" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
	command -v "$p" >/dev/null 2>&1 ||
		skip "'$p' is not installed (Debian packages munge, slurmctld, slurmd, slurm-client, python3)"
done

S=$T/slurm
mkdir -p "$S/run" "$S/state" "$S/spool"
chmod 755 "$S" "$S/run"
pids=
cleanup_more='for p in $pids; do kill "$p" 2>/dev/null || :; done; sleep 1; for p in $pids; do kill -9 "$p" 2>/dev/null || :; done'

# Why Slurm did not come up, from its logs, then skip.
no_slurm() {
	for f in "$S"/*.log; do
		[ -s "$f" ] && { echo "--- $f"; tail -5 "$f"; }
	done
	skip "Slurm could not be started on this machine: $*"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

head -c 1024 /dev/urandom >"$S/munge.key"
chmod 400 "$S/munge.key"
munged -F -f --key-file="$S/munge.key" --socket="$S/run/munge.sock" --pid-file="$S/run/munged.pid" \
	--log-file="$S/munged.log" --seed-file="$S/munged.seed" 2>>"$S/munged.log" &
pids="$pids $!"

ctlport=$(free_port)
dport=$(free_port)
user=$(id -un)
host=$(hostname -s 2>/dev/null || hostname)
cat >"$S/slurm.conf" <<CONF
ClusterName=remtrailtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$ctlport
SlurmdPort=$dport
AuthType=auth/munge
AuthInfo=socket=$S/run/munge.sock
CredType=cred/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/run/slurmctld.pid
SlurmdPidFile=$S/run/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=sched_interval=2
MpiDefault=none
ReturnToService=2
NodeName=rtnode NodeAddr=127.0.0.1 NodeHostname=$host CPUs=2 State=UNKNOWN
PartitionName=remtrail Nodes=rtnode Default=YES MaxTime=10 State=UP
CONF
SLURM_CONF=$S/slurm.conf
export SLURM_CONF

i=0
until [ -S "$S/run/munge.sock" ]; do
	i=$((i + 1))
	[ $i -le 100 ] || no_slurm "munged did not create its socket in 10 s"
	sleep 0.1
done
slurmctld -D -c -i -f "$SLURM_CONF" 2>>"$S/slurmctld.log" &
pids="$pids $!"
slurmd -D -N rtnode -f "$SLURM_CONF" 2>>"$S/slurmd.log" &
pids="$pids $!"
i=0
until [ "$(sinfo -h -n rtnode -o %t 2>/dev/null)" = idle ]; do
	i=$((i + 1))
	[ $i -le 60 ] || no_slurm "the node did not become idle in 60 s (state: '$(sinfo -h -o %t 2>&1)')"
	for p in $pids; do
		kill -0 "$p" 2>/dev/null || no_slurm "a daemon exited (pid $p)"
	done
	sleep 1
done

make_case
cd "$T"
RT_SBATCH_OPTS="--cpus-per-task=1 --time=5" RT_TASKS=3 \
	"$contrib/slurm/remtrail-submit" "$T/case.manifest" "$T/out" >"$T/jobs" 2>"$T/submit.log" ||
	fail "remtrail-submit: $(cat "$T/submit.log")"
read -r array merge <"$T/jobs"

state() {
	scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1
}
i=0
while :; do
	s=$(state "$merge")
	case $s in
	COMPLETED) break ;;
	PENDING | RUNNING | CONFIGURING | COMPLETING | "") ;;
	*)
		for f in "$T"/remtrail-*.log; do echo "--- $f"; cat "$f"; done
		fail "the merge job $merge ended $s" ;;
	esac
	i=$((i + 1))
	[ $i -le 240 ] || fail "the jobs did not finish in 240 s (merge job: $s; array: $(state "$array"))"
	sleep 1
done
n=$(ls "$T"/remtrail-"$array"_*.log | wc -l)
[ "$n" -eq 3 ] || fail "want 3 array task logs, found $n"
same_as_whole "$T/out"
echo "slurm: array of 3 tasks + dependent merge on a local Slurm, merged = single process (${i} s)"
