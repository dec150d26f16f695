#!/usr/bin/env bash
# Side by side, in one run, on the same 10M bars: gauntlet's criterion benchmark of the
# sma_cross 10/30 backtest, and the same backtest in vectorbt; then gauntlet's peak memory on
# the Parquet file. Results go in benches/README.md.
#
# Needs: a Python with vectorbt and pyarrow (PYTHON=..., default python3), and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gauntlet/target}"
work="${WORK:-$CARGO_TARGET_DIR/compare}"
mkdir -p "$work"
bars="$work/bars10m.parquet"

cargo build --release --quiet
gauntlet="$CARGO_TARGET_DIR/release/gauntlet"
[ -f "$bars" ] || "$gauntlet" synth --bars 10000000 --seed 42 --interval minute --out "$bars"

echo "== gauntlet (criterion, one thread, in memory)"
cargo bench --quiet -p gauntlet-benches --bench backtest -- "unlimited" 2>&1 | grep -E "time:|thrpt:"
estimate="$CARGO_TARGET_DIR/criterion/sma_cross_10_30/10M bars, unlimited, no costs/new/estimates.json"
ours=$("$PYTHON" -c "import json,sys; print(json.load(open(sys.argv[1]))['median']['point_estimate']/1e9)" "$estimate")

echo "== vectorbt"
theirs_line=$("$PYTHON" benches/peers/vectorbt_sma_cross.py "$bars" 5)
echo "$theirs_line"
theirs=$(echo "$theirs_line" | sed -E 's/.*median ([0-9.]+) s.*/\1/')

"$PYTHON" -c "import sys; o,t=float(sys.argv[1]),float(sys.argv[2]); print(f'gauntlet {1e7/o/1e6:.1f} M bars/s, vectorbt {1e7/t/1e6:.1f} M bars/s: gauntlet is {t/o:.1f}x faster')" "$ours" "$theirs"

echo "== gauntlet backtest on the Parquet file: peak memory"
/usr/bin/time -v "$gauntlet" backtest --data "$bars" --out "$work/run" 2>&1 \
  | grep -E "final equity|trades  |Maximum resident|Elapsed"
