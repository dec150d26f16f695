//! `gauntlet validate` and `gauntlet splits`, end to end: the same report on any number of
//! threads, the plan of the shipped spec, and bad specs refused with every problem named and
//! nothing written.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The data line of the shipped spec, whose path is relative to the spec's folder.
const DATA_LINE: &str = r#"files = ["../../data/sp500_daily.csv"]"#;

/// The shipped sma_cross spec, its data file named by an absolute path so that the text can be
/// written to any folder.
fn sma_cross_spec() -> String {
    let text = std::fs::read_to_string(root().join(SPEC)).expect("the shipped spec");
    assert!(
        text.contains(DATA_LINE),
        "the shipped spec changed:\n{text}"
    );
    let data = root()
        .join("data/sp500_daily.csv")
        .canonicalize()
        .expect("the shipped data");
    text.replace(
        DATA_LINE,
        &format!("files = [{:?}]", data.to_str().expect("utf-8")),
    )
}

/// `text` with the line starting `prefix` replaced by `line` (exactly one such line).
fn with_line(text: &str, prefix: &str, line: &str) -> String {
    assert_eq!(
        text.lines().filter(|l| l.starts_with(prefix)).count(),
        1,
        "one line starting {prefix:?} in:\n{text}"
    );
    text.lines()
        .map(|l| if l.starts_with(prefix) { line } else { l })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Runs `gauntlet validate SPECS --out OUT` with OUT an empty folder made beforehand; the run
/// must exit 2 and leave OUT empty. Returns standard error.
fn refused(dir: &Path, specs: &[PathBuf]) -> String {
    let out = dir.join("out");
    std::fs::create_dir(&out).expect("out folder");
    let mut args = vec!["validate"];
    args.extend(specs.iter().map(|s| path_str(s)));
    args.extend(["--threads", "1", "--quiet", "--out", path_str(&out)]);
    let run = gauntlet(&args);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        !err.contains("internal error"),
        "a bad spec must not panic: {err}"
    );
    let written: Vec<_> = std::fs::read_dir(&out)
        .expect("out folder")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(
        written.is_empty(),
        "a refused run wrote {written:?}\nstderr: {err}"
    );
    assert!(
        !stdout(&run).contains("verdict"),
        "no verdict table for a refused run: {}",
        stdout(&run)
    );
    err
}

/// Writes `text` as `dir/name` and returns the path.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn report_is_byte_identical_on_one_and_two_threads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut reports = Vec::new();
    for (threads, out) in [("1", "A"), ("2", "B"), ("2", "C")] {
        let out = dir.path().join(out);
        let run = gauntlet(&[
            "validate",
            SPEC,
            "--threads",
            threads,
            "--out",
            path_str(&out),
        ]);
        let (text, err) = (stdout(&run), stderr(&run));
        // Every shipped spec fails its gate today: exit 1, not an error.
        assert_eq!(run.status.code(), Some(1), "{text}\n{err}");
        assert!(
            err.contains("FAILED: 1 of 1 spec failed the gate: sma_cross"),
            "{err}"
        );
        let header = text.lines().next().expect("a header");
        assert!(
            header.starts_with("spec") && header.ends_with("verdict"),
            "{text}"
        );
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| l.split_whitespace().next() == Some("sma_cross"))
            .collect();
        assert_eq!(rows.len(), 1, "one verdict row for sma_cross:\n{text}");
        assert!(rows[0].contains("FAIL ("), "{text}");
        let report = out.join("sma_cross/report.json");
        let bytes = std::fs::read(&report).unwrap_or_else(|e| panic!("{}: {e}", report.display()));
        reports.push(bytes);
    }
    assert!(
        reports[0] == reports[1],
        "--threads 1 and --threads 2 wrote different reports"
    );
    assert!(
        reports[1] == reports[2],
        "two runs on --threads 2 wrote different reports"
    );
    let report: serde_json::Value = serde_json::from_slice(&reports[0]).expect("JSON");
    assert_eq!(report["schema_version"], 2);
    assert_eq!(report["validation"]["spec"], "sma_cross");
    assert_eq!(report["gate"]["pass"], false, "{}", report["gate"]);
}

/// With more than one thread, a spec's report is written while the next spec validates: the
/// reports must be those of one thread, the verdict rows in the order the specs were given,
/// and a report that cannot be written must stop the run with its path named.
#[test]
fn several_specs_on_two_threads_write_what_one_thread_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = write(dir.path(), "first.toml", &sma_cross_spec());
    let text = with_line(&sma_cross_spec(), "fast =", "fast = [10, 20]");
    let second = write(dir.path(), "second.toml", &text);
    let mut outputs = Vec::new();
    for (threads, out) in [("1", "A"), ("2", "B")] {
        let out = dir.path().join(out);
        let run = gauntlet(&[
            "validate",
            path_str(&second),
            path_str(&first),
            "--threads",
            threads,
            "--quiet",
            "--out",
            path_str(&out),
        ]);
        let text = stdout(&run);
        assert_eq!(run.status.code(), Some(1), "{text}\n{}", stderr(&run));
        let order: Vec<&str> = text
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|name| ["first", "second"].contains(name))
            .collect();
        assert_eq!(order, ["second", "first"], "{text}");
        let read = |name: &str| {
            let path = out.join(name).join("report.json");
            std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        outputs.push((read("first"), read("second")));
    }
    assert!(
        outputs[0] == outputs[1],
        "one thread and two wrote different reports"
    );

    // The second spec's report folder is taken by a file: its report cannot be written.
    let out = dir.path().join("C");
    std::fs::create_dir(&out).expect("out folder");
    std::fs::write(out.join("second"), "in the way").expect("write");
    let run = gauntlet(&[
        "validate",
        path_str(&first),
        path_str(&second),
        "--threads",
        "2",
        "--quiet",
        "--out",
        path_str(&out),
    ]);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(
        err.contains("second"),
        "the error names the report's path: {err}"
    );
    assert!(
        !stdout(&run).contains("verdict"),
        "no verdict table when a report failed: {}",
        stdout(&run)
    );
}

#[test]
fn splits_prints_the_first_fold_with_its_dates() {
    let run = gauntlet(&["splits", SPEC]);
    let text = stdout(&run);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    // 3 years in, 1 year out, at 252 bars a year (the shipped data is daily).
    assert!(text.contains("252 bars a year"), "{text}");
    let bars = read_csv(&root().join("data/sp500_daily.csv"));
    let date = |bar: usize| bars[bar]["ts"].clone();
    assert_eq!(date(0), "1999-01-04");
    assert_eq!(date(756), "2002-01-08");
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.split_whitespace().take(2).eq(["fold", "0"]))
        .unwrap_or_else(|| panic!("no fold 0:\n{text}"));
    let train = lines[at];
    let test = lines.get(at + 1).expect("fold 0's test line");
    assert!(
        train.contains(&format!(
            "train 0..756 ({} .. {}, 756 bars)",
            date(0),
            date(755)
        )),
        "{text}"
    );
    assert!(
        test.trim_start().starts_with(&format!(
            "test  756..1008 ({} .. {}, 252 bars)",
            date(756),
            date(1007)
        )),
        "{text}"
    );
    assert!(test.contains("2002-01-08"), "{text}");
}

#[test]
fn unknown_keys_are_all_named_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = with_line(
        &sma_cross_spec(),
        "out_of_sample =",
        "out_of_sample = \"1y\"\nwindow = 3",
    );
    // A top-level key must come before the first table.
    let spec = write(
        dir.path(),
        "typos.toml",
        &format!("colour = \"blue\"\n{text}"),
    );
    let err = refused(dir.path(), &[spec]);
    assert!(err.contains("typos.toml: 2 problems in the spec"), "{err}");
    assert!(err.contains("key 'colour': unknown key"), "{err}");
    assert!(err.contains("key 'split.window': unknown key"), "{err}");
}

#[test]
fn pbo_blocks_beyond_the_limit_are_refused() {
    // C(26, 13) = 10,400,600 splits: refused by name, with the range, before anything runs.
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!("{}\n[pbo]\nblocks = 26\n", sma_cross_spec());
    let spec = write(dir.path(), "many_blocks.toml", &text);
    let err = refused(dir.path(), &[spec]);
    assert!(
        err.contains("many_blocks.toml: 1 problem in the spec"),
        "{err}"
    );
    assert!(
        err.contains("key 'pbo.blocks': expected an even number from 2 to 24"),
        "{err}"
    );
}

#[test]
fn a_grid_with_no_valid_set_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = with_line(&sma_cross_spec(), "fast =", "fast = [50]");
    let text = with_line(&text, "slow =", "slow = [20]");
    let spec = write(dir.path(), "empty_grid.toml", &text);
    let err = refused(dir.path(), &[spec]);
    assert!(err.contains("empty_grid.toml"), "{err}");
    assert!(err.contains("'strategy.grid'"), "{err}");
    assert!(err.contains("fast must be below slow"), "{err}");
}

#[test]
fn a_value_listed_twice_in_the_grid_is_refused() {
    // Three values of which two are one: counted as three trials, the repeat would deflate the
    // Sharpe ratio (DSR) and weigh in the PBO as a configuration of its own.
    let dir = tempfile::tempdir().expect("tempdir");
    let text = with_line(&sma_cross_spec(), "fast =", "fast = [5, 10, 5]");
    let spec = write(dir.path(), "repeat.toml", &text);
    let err = refused(dir.path(), &[spec]);
    assert!(err.contains("repeat.toml: 1 problem in the spec"), "{err}");
    assert!(
        err.contains("key 'strategy.grid.fast[2]': 5 repeats strategy.grid.fast[0]"),
        "{err}"
    );
}

#[test]
fn an_empty_grid_table_is_refused_not_read_as_the_defaults() {
    // Left out, [strategy.grid] means the declared space; written empty, it would otherwise
    // mean one set (the defaults): refused so the two cannot be confused.
    let dir = tempfile::tempdir().expect("tempdir");
    let text = sma_cross_spec();
    let start = text.find("[strategy.grid]").expect("a grid table");
    let end = text[start..]
        .find("\n[")
        .map_or(text.len(), |i| start + i + 1);
    let text = format!("{}[strategy.grid]\n{}", &text[..start], &text[end..]);
    let spec = write(dir.path(), "empty_table.toml", &text);
    let err = refused(dir.path(), &[spec]);
    assert!(err.contains("key 'strategy.grid': an empty table"), "{err}");
}

#[test]
fn two_specs_of_one_name_or_one_spec_twice_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("other")).expect("folder");
    let first = write(dir.path(), "same.toml", &sma_cross_spec());
    let second = write(&dir.path().join("other"), "same.toml", &sma_cross_spec());
    // Both reports would go to OUT/same/: the second would overwrite the first.
    let err = refused(dir.path(), &[first.clone(), second.clone()]);
    assert!(
        err.contains(&format!(
            "{}: its name 'same' is also the name of {}",
            path_str(&second),
            path_str(&first)
        )),
        "{err}"
    );
    let again = dir.path().join("other/../same.toml");
    let run_dir = tempfile::tempdir().expect("tempdir");
    let err = refused(run_dir.path(), &[first, again.clone()]);
    assert!(
        err.contains(&format!("{}: given twice", path_str(&again))),
        "{err}"
    );
}

#[test]
fn a_training_window_longer_than_the_data_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = with_line(&sma_cross_spec(), "in_sample =", "in_sample = \"30y\"");
    let spec = write(dir.path(), "too_long.toml", &text);
    let err = refused(dir.path(), &[spec]);
    assert!(err.contains("too_long.toml"), "{err}");
    assert!(err.contains("'split'"), "{err}");
    // 30 years of 252 bars against the 5031 bars shipped.
    assert!(err.contains("7560"), "{err}");
    assert!(err.contains("5031"), "{err}");
}

#[test]
fn a_bad_row_in_the_data_names_the_file_and_the_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = std::fs::read_to_string(root().join("data/sp500_daily.csv")).expect("data");
    // Line 21 of the file (the header is line 1): its close is no longer a number.
    let mut lines: Vec<String> = csv.lines().take(40).map(String::from).collect();
    let mut fields: Vec<&str> = lines[20].split(',').collect();
    assert_eq!(fields.len(), 6, "{}", lines[20]);
    fields[4] = "1273.0x";
    lines[20] = fields.join(",");
    write(dir.path(), "broken.csv", &(lines.join("\n") + "\n"));
    // The data path is relative: it resolves against the spec's folder, not the working
    // directory (the repository root).
    let text = with_line(&sma_cross_spec(), "files =", r#"files = ["broken.csv"]"#);
    let spec = write(dir.path(), "broken.toml", &text);
    let err = refused(dir.path(), &[spec]);
    let file = dir.path().join("broken.csv");
    assert!(err.contains(path_str(&file)), "{err}");
    assert!(err.contains("line 21"), "{err}");
    assert!(err.contains("'close'"), "{err}");
    assert!(err.contains("1273.0x"), "{err}");
}

#[test]
fn an_unknown_strategy_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = with_line(&sma_cross_spec(), "name =", r#"name = "sma_crossover""#);
    let spec = write(dir.path(), "unknown_strategy.toml", &text);
    let err = refused(dir.path(), &[spec]);
    assert!(
        err.contains("key 'strategy.name': unknown strategy 'sma_crossover'"),
        "{err}"
    );
}

/// "Every spec and its data are checked before anything runs": a bad spec after a good one
/// must stop the run before the good one writes its report.
#[test]
fn a_bad_spec_after_a_good_one_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(dir.path(), "good.toml", &sma_cross_spec());
    let text = with_line(&sma_cross_spec(), "fast =", "fast = [50]");
    let text = with_line(&text, "slow =", "slow = [20]");
    let bad_grid = write(dir.path(), "bad_grid.toml", &text);
    let err = refused(dir.path(), &[good.clone(), bad_grid]);
    assert!(err.contains("'strategy.grid'"), "{err}");
    let text = with_line(&sma_cross_spec(), "in_sample =", "in_sample = \"30y\"");
    let too_long = write(dir.path(), "too_long.toml", &text);
    std::fs::remove_dir(dir.path().join("out")).expect("empty out folder");
    let err = refused(dir.path(), &[good, too_long]);
    assert!(err.contains("'split'"), "{err}");
}
