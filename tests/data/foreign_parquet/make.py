"""Writes the Parquet files of this folder with pyarrow, a writer other than polars.

They are the first 300 bars of data/sp500_daily.csv in layouts polars never writes (v2 data
pages, many small pages, other encodings), so that the checks gauntlet runs on a Parquet file
before decoding it are tried on files it did not write. Run from the repository root:
    python3 tests/data/foreign_parquet/make.py
"""
import csv
import datetime as dt
import pathlib

import pyarrow as pa
import pyarrow.parquet as pq

HERE = pathlib.Path(__file__).parent
ROWS = 300

with open(HERE / "../../../data/sp500_daily.csv", newline="") as f:
    rows = list(csv.DictReader(f))[:ROWS]

dates = [dt.date.fromisoformat(r["ts"]) for r in rows]
prices = {k: pa.array([float(r[k]) for r in rows], pa.float64()) for k in ("open", "high", "low", "close")}
volume = pa.array([int(r["volume"]) for r in rows], pa.int64())


def table(ts):
    return pa.table({"ts": ts, **prices, "volume": volume})


by_date = table(pa.array(dates, pa.date32()))
by_ms = table(pa.array([dt.datetime(d.year, d.month, d.day) for d in dates], pa.timestamp("ms")))

pq.write_table(by_date, HERE / "pyarrow-v2-dictionary-zstd.parquet", data_page_version="2.0",
               use_dictionary=True, compression="zstd", data_page_size=1024, row_group_size=100)
pq.write_table(by_ms, HERE / "pyarrow-v1-plain-snappy-timestamp-ms.parquet", data_page_version="1.0",
               use_dictionary=False, compression="snappy", row_group_size=128)
pq.write_table(by_date, HERE / "pyarrow-v2-split-delta-gzip.parquet", data_page_version="2.0",
               use_dictionary=False, compression="gzip", data_page_size=512,
               column_encoding={"open": "BYTE_STREAM_SPLIT", "high": "BYTE_STREAM_SPLIT",
                                "low": "BYTE_STREAM_SPLIT", "close": "BYTE_STREAM_SPLIT",
                                "volume": "DELTA_BINARY_PACKED", "ts": "DELTA_BINARY_PACKED"})
