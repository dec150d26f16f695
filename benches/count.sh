#!/usr/bin/env bash
# Instructions and branch misses per bar, counted by valgrind (deterministic, unlike the clock
# of a shared machine): each workload of `benches/examples/replay.rs` under callgrind, collecting
# only inside the backtest (for the sweep: inside its runs and their metrics), setup excluded.
#
# Usage: benches/count.sh [WORKLOAD...]   (default: every strategy, then the sweep)
#        BARS=200000 by default; the sweep runs 100 sets over BARS / 2 bars.
# Needs: valgrind (Debian: apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
BARS="${BARS:-200000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gauntlet/target}"
cargo build --release --quiet -p gauntlet-benches --example replay
replay="$CARGO_TARGET_DIR/release/examples/replay"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(sma_cross vwap momentum rsi_divergence volume_breakout mean_reversion pairs sweep)
printf "%-16s %12s %12s  %s\n" workload "instr/bar" "misses/bar" "result (to compare builds)"
for w in "${workloads[@]}"; do
  if [ "$w" = sweep ]; then
    bars=$((BARS / 2)); steps=$((bars * 100))
    toggles=(--toggle-collect='*Runner::run_reusing*' --toggle-collect='*Performance::with_pass*'
             --toggle-collect='*TradeStats::of_trades*')
  else
    bars=$BARS; steps=$bars
    toggles=(--toggle-collect='*run_backtest*')
  fi
  result=$(valgrind --tool=callgrind --branch-sim=yes "${toggles[@]}" \
    --callgrind-out-file="$out/$w.out" "$replay" "$w" "$bars" 2>/dev/null)
  # The totals line holds Ir Bc Bcm Bi Bim of what was collected; misses are the conditional
  # branches' (Bcm), as a simple predictor model counts them.
  read -r ir _ bcm _ < <(grep -E "^(summary|totals):" "$out/$w.out" | tail -1 | cut -d: -f2)
  awk -v w="$w" -v ir="$ir" -v m="$bcm" -v n="$steps" -v r="$result" \
    'BEGIN { printf "%-16s %12.1f %12.3f  %s\n", w, ir / n, m / n, r }'
done
