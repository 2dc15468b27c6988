#!/usr/bin/env bash
# Instructions executed by each in-process phase of gen-mesh (`phases`), counted by callgrind:
# unlike wall time, the count does not move with the load of a shared machine.
# usage: bench/scripts/callgrind-phases.sh [N...]   (default 1000 10000)
# Needs target/release/phases (cargo build --release -p connectum-mesh-bench --bins), or
# PHASES=path/to/phases (say, a copy built from an earlier commit), and valgrind. Prints one line
# per N: the inclusive instruction count of phase_check, phase_yaml_only, phase_pipeline and
# phase_json_only (one run each) and pipeline / yaml-only, then the same pair on the documents
# fitted to the benchmark topology (phase_topology_*; a `phases` built before stop 20 has only
# that pair, under the plain names, and prints no topology line).
# The callgrind files stay in ${OUT:-/tmp/connectum-mesh-callgrind} for callgrind_annotate.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${OUT:-/tmp/connectum-mesh-callgrind}"
PHASES="${PHASES:-$ROOT/target/release/phases}"
mkdir -p "$OUT"
for n in ${@:-1000 10000}; do
  file="$OUT/phases-$n.out"
  valgrind --tool=callgrind --callgrind-out-file="$file" "$PHASES" "$n" 1 \
    >/dev/null 2>"$OUT/phases-$n.log"
  ir() { # the inclusive Ir of the function whose name ends in $1
    callgrind_annotate --inclusive=yes --threshold=100 "$file" 2>/dev/null |
      grep -E "phases::$1( |\$)" | head -1 | awk '{gsub(",", "", $1); print $1}'
  }
  c=$(ir phase_check) y=$(ir phase_yaml_only) p=$(ir phase_pipeline) j=$(ir phase_json_only)
  printf 'n=%s check=%s yaml-only=%s check+render+yaml=%s json-only=%s Ir; ratio=%s\n' \
    "$n" "$c" "$y" "$p" "$j" "$(echo "scale=3; $p / $y" | bc)"
  ty=$(ir phase_topology_yaml_only) tp=$(ir phase_topology_pipeline)
  if [ -n "$ty" ] && [ -n "$tp" ]; then
    printf 'n=%s topology: yaml-only=%s check+render+yaml=%s Ir; ratio=%s\n' \
      "$n" "$ty" "$tp" "$(echo "scale=3; $tp / $ty" | bc)"
  fi
done
