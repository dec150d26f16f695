//! Loading real-world file layouts: aliases, date-times, Adj Close, Parquet dtypes.

use std::path::Path;

use gauntlet_data::timestamp::DAY_MS;
use gauntlet_data::{DataError, LoadOptions, ProblemKind, load_bars};

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

// 2020-01-02 is day 18263 since 1970-01-01.
const D: i64 = 18_263 * DAY_MS;

#[test]
fn yahoo_layout_with_iso_date_times_and_adj_close_ignored_unless_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "yahoo.csv",
        "Datetime,Open,High,Low,Close,Adj Close,Volume\n\
         2020-01-02T14:30:00Z,10,12,9,11,5.5,100\n\
         2020-01-02 15:30:00,11,11.5,10,10,5,200\n\
         2020-01-02T11:30:00-05:00,10,10,8,9,4.5,50\n",
    );
    let bars = load_bars(&path, &LoadOptions::default()).expect("valid");
    assert_eq!(bars.symbol(), "yahoo");
    let hour = 3_600_000;
    let half = hour / 2;
    assert_eq!(
        bars.ts(),
        &[
            D + 14 * hour + half,
            D + 15 * hour + half,
            D + 16 * hour + half
        ]
    );
    assert_eq!(bars.close(), &[11.0, 10.0, 9.0]);

    let adjusted = load_bars(
        &path,
        &LoadOptions {
            adjusted_close: true,
            ..LoadOptions::default()
        },
    )
    .expect("valid");
    // Factor 0.5 on every row: the bar keeps its shape at half the price.
    assert_eq!(adjusted.close(), &[5.5, 5.0, 4.5]);
    assert_eq!(adjusted.open(), &[5.0, 5.5, 5.0]);
    assert_eq!(adjusted.high(), &[6.0, 5.75, 5.0]);
    assert_eq!(adjusted.low(), &[4.5, 5.0, 4.0]);
}

#[test]
fn adjusted_close_requested_but_absent_is_a_missing_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "plain.csv",
        "ts,open,high,low,close,volume\n2020-01-02,1,1,1,1,1\n",
    );
    let err = load_bars(
        &path,
        &LoadOptions {
            adjusted_close: true,
            ..LoadOptions::default()
        },
    )
    .expect_err("no adj close");
    match err {
        DataError::Invalid { problems, .. } => {
            assert!(matches!(
                problems[0].kind,
                ProblemKind::MissingColumn { .. }
            ));
            assert_eq!(problems[0].column.as_deref(), Some("adj close"));
        }
        other => panic!("{other}"),
    }
}

#[test]
fn short_aliases_in_any_case_and_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "short.csv",
        "V,C,L,H,O,TIMESTAMP\n10,2,1,3,2,2020-01-02\n20,3,2,4,2,2020-01-03\n",
    );
    let bars = load_bars(&path, &LoadOptions::default()).expect("valid");
    assert_eq!(bars.ts(), &[D, D + DAY_MS]);
    assert_eq!(bars.high(), &[3.0, 4.0]);
    assert_eq!(bars.volume(), &[10.0, 20.0]);
}

#[test]
fn every_problem_is_counted_and_the_list_is_capped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("ts,open,high,low,close,volume\n");
    for i in 0..500 {
        text.push_str(&format!(
            "2020-01-02,1,1,1,{},1\n",
            if i % 2 == 0 { "x" } else { "1" }
        ));
    }
    let path = write(dir.path(), "many.csv", &text);
    let err = load_bars(
        &path,
        &LoadOptions {
            max_problems: 10,
            ..LoadOptions::default()
        },
    )
    .expect_err("invalid");
    // 250 unparsable closes, and 499 duplicate timestamps.
    match &err {
        DataError::Invalid {
            problems, total, ..
        } => {
            assert_eq!(*total, 250 + 499);
            assert_eq!(problems.len(), 10);
        }
        other => panic!("{other}"),
    }
    assert!(
        err.to_string()
            .contains("... and 739 more (first 10 shown)")
    );
}

/// Writes a Parquet file of date, open, high, low, close, volume columns.
fn write_parquet(dir: &Path, name: &str, columns: [&[f64]; 5]) -> std::path::PathBuf {
    write_parquet_groups(dir, name, columns, None)
}

/// [`write_parquet`] with row groups of `group_rows` rows.
fn write_parquet_groups(
    dir: &Path,
    name: &str,
    columns: [&[f64]; 5],
    group_rows: Option<usize>,
) -> std::path::PathBuf {
    use polars::prelude::*;
    let days_len = columns[0].len();
    let days: Vec<i32> = (0..days_len as i32).map(|i| 18_263 + i).collect();
    let names = ["open", "high", "low", "close", "volume"];
    let mut frame: Vec<Column> = vec![
        Series::new("date".into(), days)
            .cast(&DataType::Date)
            .expect("date")
            .into(),
    ];
    for (name, values) in names.iter().zip(columns) {
        frame.push(Series::new((*name).into(), values).into());
    }
    let mut frame = DataFrame::new(days_len, frame).expect("frame");
    let path = dir.join(name);
    let file = std::fs::File::create(&path).expect("create");
    ParquetWriter::new(file)
        .with_row_group_size(group_rows)
        .finish(&mut frame)
        .expect("write");
    path
}

#[test]
fn row_groups_load_as_one_series_and_bad_rows_are_named_in_any_group() {
    let dir = tempfile::tempdir().expect("tempdir");
    let open = [1.0, 2.0, 3.0, 4.0, 5.0];
    let high = [1.5, 2.5, 3.5, 4.5, 5.5];
    let low = [0.5, 1.5, 2.5, 3.5, 4.5];
    let volume = [1.0; 5];
    // Groups of two rows: rows 1-2, 3-4 and 5.
    let clean = write_parquet_groups(
        dir.path(),
        "groups.parquet",
        [&open, &high, &low, &[1.0, 2.0, 3.0, 4.0, 5.0], &volume],
        Some(2),
    );
    let bars = load_bars(&clean, &LoadOptions::default()).expect("valid");
    assert_eq!(bars.close(), &[1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(bars.low(), &low);
    let days: Vec<i64> = (0..5).map(|d| D + d * DAY_MS).collect();
    assert_eq!(bars.ts(), days.as_slice());
    // A negative close in the last group, and a high below the low in the second.
    let bad = write_parquet_groups(
        dir.path(),
        "bad_groups.parquet",
        [
            &open,
            &[1.5, 2.5, 2.0, 4.5, 5.5],
            &low,
            &[1.0, 2.0, 2.2, 4.0, -5.0],
            &volume,
        ],
        Some(2),
    );
    let err = load_bars(&bad, &LoadOptions::default()).expect_err("invalid");
    let DataError::Invalid { problems, .. } = &err else {
        panic!("{err}");
    };
    let found: Vec<(String, Option<&str>)> = problems
        .iter()
        .map(|p| (p.location.to_string(), p.column.as_deref()))
        .collect();
    assert!(
        found.contains(&("row 5".to_string(), Some("close"))),
        "{err}"
    );
    assert!(
        found.contains(&("row 3".to_string(), Some("high"))),
        "{err}"
    );
}

#[test]
fn clean_parquet_columns_load_as_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    // -0.0 is a zero volume, which is allowed.
    let path = write_parquet(
        dir.path(),
        "clean.parquet",
        [
            &[1.0, 2.0],
            &[3.0, 4.0],
            &[0.5, 1.5],
            &[2.0, 3.0],
            &[-0.0, 20.0],
        ],
    );
    let bars = load_bars(&path, &LoadOptions::default()).expect("valid");
    assert_eq!(bars.close(), &[2.0, 3.0]);
    assert_eq!(bars.volume(), &[0.0, 20.0]);
    assert_eq!(bars.ts(), &[D, D + DAY_MS]);
}

#[test]
fn every_bad_parquet_value_is_named_by_row_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_parquet(
        dir.path(),
        "bad.parquet",
        [
            &[1.0, 1.0, 1.0, 1.0],
            &[2.0, f64::INFINITY, 2.0, 2.0],
            &[0.5, 0.5, 0.0, 0.5],
            &[1.5, 1.5, 1.5, f64::NAN],
            &[10.0, 10.0, 10.0, -1e-300],
        ],
    );
    let err = load_bars(&path, &LoadOptions::default()).expect_err("invalid");
    let DataError::Invalid { problems, .. } = &err else {
        panic!("{err}");
    };
    let found: Vec<(String, Option<&str>, &ProblemKind)> = problems
        .iter()
        .map(|p| (p.location.to_string(), p.column.as_deref(), &p.kind))
        .collect();
    let expect = |row: usize, column: &str, kind: &ProblemKind| {
        assert!(
            found
                .iter()
                .any(|(l, c, k)| *l == format!("row {row}") && *c == Some(column) && *k == kind),
            "row {row} {column} {kind:?} not in {found:?}"
        );
    };
    expect(2, "high", &ProblemKind::NotFinite);
    expect(3, "low", &ProblemKind::NonPositivePrice);
    expect(4, "close", &ProblemKind::NotFinite);
    expect(4, "volume", &ProblemKind::NegativeVolume);
}

#[test]
fn a_part_of_a_parquet_file_loads_alone_and_names_rows_of_the_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_parquet(
        dir.path(),
        "parts.parquet",
        [
            &[1.0, 2.0, 3.0, 4.0, 5.0],
            &[1.5, 2.5, 3.5, 4.5, 5.5],
            &[0.5, 1.5, 2.5, 3.5, 4.5],
            &[1.0, 2.0, f64::NAN, 4.0, 5.0],
            &[1.0; 5],
        ],
    );
    assert_eq!(gauntlet_data::parquet_row_count(&path).expect("rows"), 5);
    let part = |start, len| LoadOptions {
        parquet_rows: Some((start, len)),
        ..LoadOptions::default()
    };
    // Rows 4 and 5 (from 1), the second cut at the end of the file.
    let tail = load_bars(&path, &part(3, 10)).expect("a clean part");
    assert_eq!(tail.close(), &[4.0, 5.0]);
    assert_eq!(tail.ts(), &[D + 3 * DAY_MS, D + 4 * DAY_MS]);
    let err = load_bars(&path, &part(2, 2)).expect_err("row 3 has a NaN close");
    let DataError::Invalid { problems, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(problems[0].location.to_string(), "row 3", "{err}");
    assert_eq!(problems[0].column.as_deref(), Some("close"));
}
