#!/usr/bin/env bash
# Whole-process timings of gen-mesh and of the peer generators, side by side in one run.
# usage: bench/scripts/side-by-side.sh PEERS_DIR [RUNS]
#   PEERS_DIR: a writable copy of shared/bench/peers on which setup.sh has run.
#   RUNS: runs per (generator, N), default 3; the best (least wall time) is reported.
# Needs target/release/gen-mesh (cargo build --release --bin gen-mesh). Outputs and /usr/bin/time
# reports go to ${OUT:-/tmp/connectum-mesh-side-by-side}. Each N's outputs are checked equal as
# data with the peers' compare.py before any number is printed.
set -euo pipefail
PEERS="$(cd "${1:?usage: side-by-side.sh PEERS_DIR [RUNS]}" && pwd)"
RUNS="${2:-3}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
GEN="$ROOT/target/release/gen-mesh"
OUT="${OUT:-/tmp/connectum-mesh-side-by-side}"
mkdir -p "$OUT"
PY="$PEERS/.venv/bin/python"

run() { # generator N → "wall user sys maxrss_kib" of the best run
  local g="$1" n="$2" best="" line
  for _ in $(seq "$RUNS"); do
    case $g in
      gen-mesh) cmd=("$GEN" "$n" "$OUT/$g-$n.yaml");;
      cdk8s) cmd=(node "$PEERS/cdk8s/gen.js" "$n" "$OUT/$g-$n.yaml");;
      kcl) cmd=("$PY" "$PEERS/kcl/gen.py" "$n" "$OUT/$g-$n.yaml");;
      python-libyaml) cmd=("$PY" "$PEERS/python/gen.py" "$n" "$OUT/$g-$n.yaml" --libyaml);;
    esac
    # A fresh file each run: rewriting an existing one makes ext4 (auto_da_alloc) flush it to
    # disk when it is closed, and the process would wait for the device, not for its own work.
    rm -f "$OUT/$g-$n.yaml"
    /usr/bin/time -f '%e %U %S %M' -o "$OUT/$g-$n.time" "${cmd[@]}"
    line=$(tail -1 "$OUT/$g-$n.time")
    if [ -z "$best" ] || [ "$(echo "${line%% *} < ${best%% *}" | bc)" = 1 ]; then best=$line; fi
  done
  echo "$best"
}

echo "load before: $(uptime)"
printf '| generator | N | bytes | best wall s | user s | sys s | max RSS MiB |\n|---|---:|---:|---:|---:|---:|---:|\n'
declare -A wall
for n in ${NS:-1000 10000}; do
  gens=(gen-mesh)
  [ "$n" -le "${PEERS_MAX_N:-1000}" ] && gens+=(cdk8s kcl python-libyaml)
  for g in "${gens[@]}"; do
    read -r w u s m <<<"$(run "$g" "$n")"
    wall[$g-$n]=$w
    printf '| %s | %s | %s | %s | %s | %s | %.0f |\n' "$g" "$n" "$(stat -c %s "$OUT/$g-$n.yaml")" "$w" "$u" "$s" "$(echo "$m / 1024" | bc -l)"
  done
  if [ ${#gens[@]} -gt 1 ]; then
    "$PY" "$PEERS/compare.py" "$OUT/gen-mesh-$n.yaml" "$OUT/cdk8s-$n.yaml" "$OUT/kcl-$n.yaml" "$OUT/python-libyaml-$n.yaml" >&2
  fi
done
echo "load after: $(uptime)"
if [ -n "${wall[gen-mesh-1000]:-}" ] && [ -n "${wall[gen-mesh-10000]:-}" ]; then
  echo "t(10000)/t(1000) = $(echo "scale=2; ${wall[gen-mesh-10000]} / ${wall[gen-mesh-1000]}" | bc)"
fi
for g in cdk8s kcl python-libyaml; do
  [ -n "${wall[$g-1000]:-}" ] && echo "$g / gen-mesh at 1000 = $(echo "scale=1; ${wall[$g-1000]} / ${wall[gen-mesh-1000]}" | bc)"
done
