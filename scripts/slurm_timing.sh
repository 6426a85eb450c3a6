#!/usr/bin/env bash
# Measures what Slurm adds to a batch plan on the single-node cluster of .ci/slurm-up.sh
# (numbers quoted in docs/cluster.md):
# 1. Slurm's own cost per task: a job array of N empty tasks (1 CPU each) from sbatch to
#    the last task's end, times the concurrency, over N;
# 2. the engine's fixed cost per task: `omnifold run-task` of a task already done (Node
#    start, plan.json, the replicas' checksums) and of a task of one binned replica;
# 3. one plan both ways: `omnifold unfold --threads 2` against plan --slurm + submit.sh
#    (tasks of 1 CPU, two at once on two cores) up to the merge job's end, with
#    weights.arrow compared byte for byte.
# Usage: scripts/slurm_timing.sh [N_EMPTY_TASKS] [unfold options…]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-40}
shift || true
OPTIONS=("$@")
if [ ${#OPTIONS[@]} -eq 0 ]; then
  OPTIONS=(--toy gauss --events 20000 --epochs 5 --iterations 3 --data-bootstraps 7)
fi
BIN="$PWD/bin/omnifold.js"
WORK=$(mktemp -d /tmp/omnifold-slurm-timing-XXXXXX)
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }

# the state of a job from scontrol, until it has ended
wait_job() {
  while scontrol show job "$1" 2>/dev/null | grep -Eq 'JobState=(PENDING|RUNNING|CONFIGURING|COMPLETING)'; do sleep 0.1; done
  scontrol show job "$1" | grep -o 'JobState=[A-Z]*'
}

cat >"$WORK/empty.sbatch" <<EOF
#!/bin/bash
#SBATCH --output=/dev/null
#SBATCH --cpus-per-task=1
date +%s.%N > $WORK/empty-\$SLURM_ARRAY_TASK_ID.start
EOF
CPUS=$(sinfo -h -o %c | head -1)
t0=$(now)
array=$(sbatch --parsable --array=0-$((N - 1)) "$WORK/empty.sbatch")
for i in $(seq 0 $((N - 1))); do wait_job "${array}_$i" >/dev/null; done
t1=$(now)
makespan=$(elapsed "$t0" "$t1")
echo "1. $N empty tasks on $CPUS CPUs: $makespan s from sbatch to the last end;" \
  "$(echo "scale=2; $makespan * $CPUS / $N" | bc) s of a CPU per task"

(cd "$WORK" && node "$BIN" plan --toy gauss --events 3000 --classifier binned --bins x=-3:3:12 \
  --data-bootstraps 1 --emit tasks.txt --tasks 2 --out fixed --quiet >/dev/null)
t0=$(now)
node "$BIN" run-task "$WORK/fixed" --task 1 --quiet >/dev/null
t1=$(now)
node "$BIN" run-task "$WORK/fixed" --task 1 --quiet >/dev/null
t2=$(now)
echo "2. run-task of one binned replica (3000 events): $(elapsed "$t0" "$t1") s; the same task again (nothing to do): $(elapsed "$t1" "$t2") s"

cd "$WORK"
t0=$(now)
node "$BIN" unfold "${OPTIONS[@]}" --threads 2 --out local --quiet >/dev/null
t1=$(now)
node "$BIN" plan "${OPTIONS[@]}" --slurm --cpus-per-task 1 --out plan --quiet >/dev/null
t2=$(now)
ids=$(./plan/submit.sh | sed -n 's/.*job array \([0-9]*\) and the merge as job \([0-9]*\)/\1 \2/p')
merge=${ids#* }
state=$(wait_job "$merge")
t3=$(now)
tasks=$(node -e "console.log(require('./plan/plan.json').tasks.length)")
same=$(cmp -s local/weights.arrow plan/weights.arrow && echo "byte-identical" || echo "DIFFERENT")
echo "3. ${OPTIONS[*]}:"
echo "   local unfold --threads 2: $(elapsed "$t0" "$t1") s"
echo "   plan: $(elapsed "$t1" "$t2") s; submit to the merge's end ($tasks tasks of 1 CPU, $state): $(elapsed "$t2" "$t3") s"
echo "   weights.arrow: $same (sha256 $(sha256sum plan/weights.arrow | cut -c1-16)…)"
echo "work folder: $WORK"
