#!/usr/bin/env bash
# Remote fan-out against a 20-host loopback SSH testbed (real sshd per host on 127.0.0.2..), every run from a cold
# start (no open connections), whole process from the command line: (a) one command on 20 hosts; (b) 50 commands
# per host, in order on each host; (c) ship 200 files of 1 KB and one of 50 MB to 20 hosts, then again with nothing
# changed. Orchestrate (bench/Orchestrate.FleetBench `run`, published self-contained with a composite ReadyToRun image
# (PUBLISH=r2r: framework-dependent ReadyToRun), a fresh process per run, the
# testbed's hosts read from a generated Ansible YAML inventory) against parallel-ssh, clush, Ansible (`raw`, a
# playbook of 50 `raw` tasks, `ansible.posix.synchronize`), one multiplexed ssh per command, a plain tar stream
# over ssh and rsync. Prints per scenario the medians and ratios, sshd authentications per host, and one verdict
# line per target. Needs root (the testbed runs sshd and creates a user); installs pssh, clustershell,
# ansible-core (+ ansible for ansible.posix), openssh-server and rsync with apt-get when missing.
# Usage: bench/remote.sh     (REPS=3 runs per tool for (a) and (b); C_REPS=1 for (c); SKIP_ANSIBLE_B=1 skips
#                             Ansible's 50-task playbook (~2 min); SKIP_ANSIBLE_C=1 skips Ansible's synchronize;
#                             NO_BUILD=1 reuses the last publish; WORK=dir keeps logs there, default a temp dir)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REPS="${REPS:-3}"
C_REPS="${C_REPS:-1}"
PUBLISH="${PUBLISH:-composite}"
R2R=bench/Orchestrate.FleetBench/bin/publish-$PUBLISH
out="$(mktemp)"
work="${WORK:-$(mktemp -d /tmp/fleetbench.XXXXXX)}"
keep=0
trap 'rm -f "$out"; if [[ -z "${WORK:-}" && $keep == 0 ]]; then rm -rf "$work"; fi' EXIT

need=()
command -v parallel-ssh >/dev/null || need+=(pssh)
command -v clush >/dev/null || need+=(clustershell)
command -v ansible-playbook >/dev/null || need+=(ansible-core)
ansible-doc ansible.posix.synchronize >/dev/null 2>&1 || need+=(ansible)
command -v sshd >/dev/null || [[ -x /usr/sbin/sshd ]] || need+=(openssh-server)
command -v rsync >/dev/null || need+=(rsync)
if ((${#need[@]})); then
  echo "== installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >"$out" 2>&1 ||
    { apt-get update >"$out" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >"$out" 2>&1; } ||
    { tail -5 "$out" >&2; echo "could not install ${need[*]} with apt-get" >&2; exit 1; }
fi

publish() {
  if [[ "$PUBLISH" == composite ]]; then
    # Self-contained, one composite ReadyToRun image (README, "Fast start"), in intermediate and output directories of its own: a
    # composite publish's ReadyToRun files must not be taken up by another kind of publish.
    dotnet publish bench/Orchestrate.FleetBench -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true \
      -p:PublishReadyToRunComposite=true -p:IntermediateOutputPath=obj/composite/ -p:OutputPath=bin/composite/ -o "$R2R" -v quiet -nologo
  else
    dotnet publish bench/Orchestrate.FleetBench -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
      -o "$R2R" -v quiet -nologo
  fi
}
if [[ "${NO_BUILD:-0}" == 1 ]]; then
  echo "== NO_BUILD=1: using the last publish"
elif echo "== publishing Orchestrate.FleetBench (Release, linux-x64, $PUBLISH)" && ! publish >"$out" 2>&1; then
  grep -E 'error' "$out" | sort -u >&2 || cat "$out" >&2
  echo "publish failed (NO_BUILD=1 runs the last one)" >&2
  exit 1
fi

skip=()
[[ "${SKIP_ANSIBLE_B:-0}" == 1 ]] && skip+=(ansible-b)
[[ "${SKIP_ANSIBLE_C:-0}" == 1 ]] && skip+=(ansible-c)
skipArg=()
((${#skip[@]})) && skipArg=(--skip "$(IFS=,; echo "${skip[*]}")")
echo "== $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores; $(parallel-ssh --version 2>&1 | sed 's/^/pssh /'), $(clush --version), $(ansible --version | head -1), $(ssh -V 2>&1), $(rsync --version | head -1 | cut -d' ' -f1-4)"
if ! "$R2R/Orchestrate.FleetBench" bench --work "$work" --hosts 20 --reps "$REPS" --c-reps "$C_REPS" "${skipArg[@]}" | grep --line-buffered -v '^RESULT'; then
  keep=1
  echo "== a run failed or produced unexpected output: logs kept in $work/logs" >&2
  exit 1
fi
