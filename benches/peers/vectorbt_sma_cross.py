"""The sma_cross 10/30 backtest in vectorbt, on the same bars gauntlet's benchmark uses.

Conventions as in tests/reference/sma_cross_sp500: SMA(10) and SMA(30) of the close, strict
crosses at the close, long-only, fill at the next bar's open, all cash in, no fees.

Usage: python vectorbt_sma_cross.py BARS.parquet [repeats]
Prints one line: bars, median seconds, bars per second, final equity, trades.
"""

import statistics
import sys
import time

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import vectorbt as vbt


def run(close: pd.Series, open_: pd.Series):
    fast = close.rolling(10).mean()
    slow = close.rolling(30).mean()
    entries = (fast > slow) & (fast.shift(1) < slow.shift(1))
    exits = (fast < slow) & (fast.shift(1) > slow.shift(1))
    # Decided at the close of bar t, filled at the open of bar t+1.
    pf = vbt.Portfolio.from_signals(
        close,
        entries.shift(1, fill_value=False),
        exits.shift(1, fill_value=False),
        price=open_,
        init_cash=100_000.0,
        fees=0.0,
        freq="1min",
    )
    return pf


def main() -> None:
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    table = pq.read_table(path).to_pandas()
    close = pd.Series(table["close"].to_numpy(), index=pd.RangeIndex(len(table)))
    open_ = pd.Series(table["open"].to_numpy(), index=close.index)
    run(close.iloc[:1000], open_.iloc[:1000])  # compile numba functions outside the timing
    times = []
    pf = None
    for _ in range(repeats):
        start = time.perf_counter()
        pf = run(close, open_)
        final = float(pf.final_value())
        trades = int(pf.trades.count())
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(
        f"vectorbt {vbt.__version__}: {len(close)} bars, median {median:.3f} s over {repeats}, "
        f"{len(close) / median / 1e6:.2f} M bars/s, final equity {final:.6f}, trades {trades}"
    )


if __name__ == "__main__":
    main()
