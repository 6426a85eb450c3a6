#!/usr/bin/env bash
# A single-node Slurm for test/slurm.test.ts: installs Debian's slurmctld, slurmd,
# slurm-client and munge, writes a one-node configuration and starts the daemons by hand
# (CI machines have no systemd). It never fails CI: when apt or the daemons are not
# available it says so, and the Slurm tests skip with a line naming what is missing.
# Re-running it is harmless: a cluster that already answers `scontrol ping` is kept.
set -uo pipefail

say() { echo "slurm-up: $*"; }
# the controller answers and the node takes jobs (exit codes of scontrol say little: read its words)
ready() {
  scontrol ping 2>/dev/null | grep -q 'is UP' && sinfo -h -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'
}

if [ "$(id -u)" != 0 ]; then
  say "not root: no single-node Slurm (the Slurm tests will be skipped)"
  exit 0
fi
if command -v scontrol >/dev/null && ready; then
  say "a single-node Slurm already answers; kept"
  exit 0
fi
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  if ! command -v apt-get >/dev/null; then
    say "no apt-get: Slurm not installed (the Slurm tests will be skipped)"
    exit 0
  fi
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null) ||
    {
      say "apt-get could not install slurmctld slurmd slurm-client munge (the Slurm tests will be skipped)"
      exit 0
    }
fi

# munge: its key (the package makes one), its run folder, the daemon as the munge user
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
chmod 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
fi
if ! pgrep -u munge -x munged >/dev/null; then
  runuser -u munge -- /usr/sbin/munged || {
    say "munged did not start (the Slurm tests will be skipped)"
    exit 0
  }
fi

CPUS=$(nproc)
# what slurmd may hand out: the memory less 1 GiB for the system, in MiB
MEM=$(awk '/MemTotal/ { m = int($2 / 1024) - 1024; print (m > 512 ? m : 512) }' /proc/meminfo)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat >/etc/slurm/slurm.conf <<EOF
# written by .ci/slurm-up.sh: one node, this machine, everything as root
ClusterName=omnifold-ci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
# start batch jobs at the next scheduling pass (about 1 s) rather than after the default 3 s
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MaxArraySize=1001
MinJobAge=600
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld -c || true
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd -N localhost || true
for _ in $(seq 1 50); do
  if ready; then
    say "single-node Slurm up ($(sinfo -h -o '%P %D nodes, %c CPUs, %m MiB, %T' | head -1))"
    exit 0
  fi
  sleep 0.2
done
say "Slurm did not come up within 10 s (the Slurm tests will be skipped); the end of its logs:"
tail -n 5 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log 2>/dev/null
exit 0
