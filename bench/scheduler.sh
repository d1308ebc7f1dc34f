#!/usr/bin/env bash
# Scheduler overhead: 100,000 empty tasks (wide, chain, wide + one join) through TaskGraph + Scheduler + the real
# TaskExecutor, and doit (python3-doit) on 10,000 no-op tasks of the same shapes, measured in the same run.
# NO_BUILD=1 skips the build and runs the last Release build.
# Usage: bench/scheduler.sh            (REPS=7 DOIT_REPS=3 to change repetitions)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REPS="${REPS:-7}"
DOIT_REPS="${DOIT_REPS:-3}"
BIG=100000
PEER=10000
SHAPES=wide,chain,wide-join
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

source bench/build-bench.sh

echo "== Orchestrate: $BIG and $PEER tasks, shapes $SHAPES"
bench/Orchestrate.Bench/bin/Release/net10.0/Orchestrate.Bench scheduler \
  --tasks "$BIG,$PEER" --shapes "$SHAPES" --warmup 2 --reps "$REPS" | tee -a "$out" | grep -v '^RESULT'

# doit runs on the system Python (the default python3 may be a pyenv one without the Debian package).
PY=/usr/bin/python3
if ! "$PY" -c 'import doit' 2>/dev/null; then
  echo "== installing python3-doit"
  if ! { apt-get install -y python3-doit >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y python3-doit >/dev/null 2>&1; }; }; then
    echo "RESULT-ERROR doit.all could not install python3-doit with apt-get" >>"$out"
  fi
fi
if "$PY" -c 'import doit' 2>/dev/null; then
  echo "== doit: $PEER tasks, shapes $SHAPES"
  "$PY" bench/doit_peer.py --tasks "$PEER" --shapes "$SHAPES" --warmup 1 --reps "$DOIT_REPS" --backend json \
    | tee -a "$out" | grep -v '^RESULT'
fi

echo "== summary (median us per task; ratio = doit / Orchestrate total at the same $PEER tasks)"
awk -v big="$BIG" -v peer="$PEER" -v shapes="$SHAPES" '
  $1 == "RESULT" { v[$2] = $3 }
  $1 == "RESULT-ERROR" { e = $3; for (i = 4; i <= NF; i++) e = e " " $i; err[$2] = e }
  END {
    n = split(shapes, s, ",")
    for (i = 1; i <= n; i++) {
      k = "scheduler." s[i] "." big
      printf "scheduler %s: build+plan %.2f us/task, scheduling+execution %.2f us/task (scheduler alone %.2f)\n", s[i], v[k ".build.us_per_task"], v[k ".run.us_per_task"], v[k ".raw.us_per_task"]
      total = v[k ".total.us_per_task"]; small = v["scheduler." s[i] "." peer ".total.us_per_task"]
      d = "doit." s[i] "." peer
      if ((d ".us_per_task") in v)
        peerText = sprintf("doit %.1f us/task at %d tasks, ratio %.0fx (Orchestrate at %d: %.2f us/task)", v[d ".us_per_task"], peer, v[d ".us_per_task"] / small, peer, small)
      else if (d in err) peerText = "doit could not run it: " err[d]
      else if ("doit.all" in err) peerText = "doit: " err["doit.all"]
      else peerText = "doit: no figure"
      printf "scheduler %s: %.2f us/task total at %d tasks (target <= 5, %s), %s\n", s[i], total, big, (total <= 5 ? "met" : "MISSED"), peerText
    }
  }' "$out"
