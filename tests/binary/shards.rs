//! Sharded validation end to end: the shipped `sma_cross` spec run whole, then as 3 shards in 3
//! separate processes (out of order, one of them killed and run again), merged into a report
//! byte for byte the same as the single run's; and every way a set of shards can be wrong,
//! refused by merge with exit 2 and a message naming the problem.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Runs shard `index` of `count` of `spec` into `out`; it must succeed.
fn shard(spec: &str, index: usize, count: usize, out: &Path) -> PathBuf {
    let run = gauntlet(&[
        "validate",
        spec,
        "--shard",
        &format!("{index}/{count}"),
        "--threads",
        "1",
        "--quiet",
        "--out",
        path_str(out),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(
        stdout(&run).contains(&format!("shard {index} of {count}")),
        "{}",
        stdout(&run)
    );
    out.join(format!("sma_cross/shard-{index}-of-{count}.gshard"))
}

/// Writes the shipped spec to `copy`, reading its bars from `data`; returns its text.
fn spec_copy(copy: &Path, data: &Path) -> String {
    let text = std::fs::read_to_string(root().join(SPEC))
        .expect("spec")
        .replace(
            r#"files = ["../../data/sp500_daily.csv"]"#,
            &format!("files = [{:?}]", path_str(data)),
        );
    std::fs::write(copy, &text).expect("write spec");
    text
}

/// `gauntlet merge DIRS --out OUT`; returns (exit code, stderr).
fn merge(dirs: &[&Path], out: &Path) -> (Option<i32>, String) {
    let mut args = vec!["merge"];
    args.extend(dirs.iter().map(|d| path_str(d)));
    args.extend(["--out", path_str(out)]);
    let run = gauntlet(&args);
    (run.status.code(), stderr(&run))
}

/// A merge that must be refused: exit 2, an error (not a panic) containing every one of
/// `needles`, and no report written.
fn refused(dirs: &[&Path], needles: &[&str]) {
    let out = tempfile::tempdir().expect("tempdir");
    let (code, err) = merge(dirs, out.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} not in: {err}");
    }
    assert!(
        !out.path().join("sma_cross").exists(),
        "a refused merge wrote a report"
    );
}

#[test]
fn three_shards_out_of_order_merge_to_the_single_runs_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shards = dir.path().join("shards");
    for index in [3, 1, 2] {
        shard(SPEC, index, 3, &shards);
    }
    let out = dir.path().join("merged");
    let (code, err) = merge(&[&shards], &out);
    // Merged, the spec is judged by its gate like a single run: it fails (exit 1).
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("FAILED: 1 of 1 spec failed the gate: sma_cross"),
        "{err}"
    );
    let merged = std::fs::read(out.join("sma_cross/report.json")).expect("merged report.json");
    assert!(
        merged == single_sma_cross_report(),
        "the merged report.json differs from the single run's"
    );
    for file in ["run.json", "report.md", "report.html", "trials.parquet"] {
        assert!(out.join("sma_cross").join(file).exists(), "{file}");
    }
    // On one thread: the same report, and run.json says one thread.
    let one = dir.path().join("merged_one");
    let run = gauntlet(&[
        "merge",
        path_str(&shards),
        "--threads",
        "1",
        "--out",
        path_str(&one),
    ]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let report = std::fs::read(one.join("sma_cross/report.json")).expect("report.json");
    assert!(
        report == merged,
        "--threads 1 merged a different report.json"
    );
    let run_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("sma_cross/run.json")).expect("run.json"))
            .expect("JSON");
    assert_eq!(run_json["threads"], 1, "{run_json}");
}

#[test]
fn a_killed_shard_run_again_merges_to_the_same_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shards = dir.path().join("shards");
    let first = shard(SPEC, 2, 3, &shards);
    let before = std::fs::read(&first).expect("shard 2");
    // Killed (SIGKILL) while it runs: whatever moment it died at, what it leaves is either no
    // new file or a whole one.
    let mut child = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args([
            "validate",
            SPEC,
            "--shard",
            "2/3",
            "--threads",
            "1",
            "--quiet",
        ])
        .arg("--out")
        .arg(&shards)
        .current_dir(root())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(150));
    child.kill().expect("kill");
    child.wait().expect("wait");
    // A shard killed in the middle of writing leaves its temporary file behind: merge must
    // not read it.
    std::fs::write(
        shards.join("sma_cross/.shard-2-of-3.gshard.a1b2c3.tmp"),
        &before[..before.len() / 2],
    )
    .expect("write a half-written temporary file");
    // Run again, the shard replaces its own earlier result with the same bytes.
    let again = shard(SPEC, 2, 3, &shards);
    assert_eq!(
        std::fs::read(&again).expect("shard 2 again"),
        before,
        "a re-run shard wrote different bytes"
    );
    shard(SPEC, 1, 3, &shards);
    shard(SPEC, 3, 3, &shards);
    let out = dir.path().join("merged");
    let (code, err) = merge(&[&shards], &out);
    assert_eq!(code, Some(1), "{err}");
    let merged = std::fs::read(out.join("sma_cross/report.json")).expect("merged report.json");
    assert!(
        merged == single_sma_cross_report(),
        "the merged report.json differs"
    );
}

/// Three shards of the shipped spec in `dir/shards`, made once per test that needs them.
fn three_shards(dir: &Path) -> [PathBuf; 3] {
    let shards = dir.join("shards");
    [1, 2, 3].map(|i| shard(SPEC, i, 3, &shards))
}

#[test]
fn merge_refuses_a_missing_or_duplicated_shard() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = three_shards(dir.path());
    let shards = dir.path().join("shards");

    // Missing: only shards 1 and 3 given.
    let partial = dir.path().join("partial");
    std::fs::create_dir(&partial).expect("mkdir");
    for i in [0, 2] {
        let name = files[i].file_name().expect("name");
        std::fs::copy(&files[i], partial.join(name)).expect("copy");
    }
    refused(&[&partial], &["missing shard 2 of 3"]);

    // Duplicated: shard 3 in a second folder as well.
    let extra = dir.path().join("extra");
    std::fs::create_dir(&extra).expect("mkdir");
    std::fs::copy(&files[2], extra.join("shard-3-of-3.gshard")).expect("copy");
    refused(
        &[&shards, &extra],
        &["shard 3 of 3 is given twice", "extra/shard-3-of-3.gshard"],
    );

    // No shards at all.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    refused(&[&empty], &["no shard files (*.gshard) found in", "empty"]);
}

#[test]
fn merge_refuses_a_truncated_or_altered_shard_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = three_shards(dir.path());
    let shards = dir.path().join("shards");
    let bytes = std::fs::read(&files[1]).expect("shard 2");

    std::fs::write(&files[1], &bytes[..bytes.len() - 1000]).expect("truncate");
    refused(&[&shards], &["shard-2-of-3.gshard", "truncated"]);

    let mut altered = bytes.clone();
    // A byte in the middle of the cells' results: a return changed by one bit.
    let middle = altered.len() / 2;
    altered[middle] ^= 0x01;
    std::fs::write(&files[1], &altered).expect("alter");
    refused(&[&shards], &["shard-2-of-3.gshard", "fails its checksum"]);

    std::fs::write(&files[1], b"ts,open,high,low,close,volume\n").expect("overwrite");
    refused(
        &[&shards],
        &["shard-2-of-3.gshard", "not a gauntlet shard file"],
    );
}

#[test]
fn merge_refuses_shards_of_two_plans_and_a_spec_changed_since() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A copy of the spec, under the same name, with one parameter set fewer.
    let copy = dir.path().join("specs/sma_cross.toml");
    std::fs::create_dir_all(copy.parent().expect("folder")).expect("mkdir");
    let data = root()
        .join("data/sp500_daily.csv")
        .canonicalize()
        .expect("data");
    let text = spec_copy(&copy, &data);
    let shards = dir.path().join("shards");
    shard(path_str(&copy), 1, 2, &shards);
    // Shard 2 of a different plan: the grid of the copy changed between the two shards.
    let narrower = text.replace(
        "fast = { from = 5, to = 50, step = 5 }",
        "fast = { from = 5, to = 45, step = 5 }",
    );
    assert_ne!(narrower, text, "the shipped spec's grid changed");
    std::fs::write(&copy, &narrower).expect("write spec");
    shard(path_str(&copy), 2, 2, &shards);
    refused(
        &[&shards],
        &[
            "shards of two different plans",
            "shard-1-of-2.gshard",
            "shard-2-of-2.gshard",
        ],
    );

    // Both shards of one plan, then the spec edited before the merge.
    shard(path_str(&copy), 1, 2, &shards);
    std::fs::write(&copy, format!("{narrower}\n# edited\n")).expect("edit spec");
    refused(
        &[&shards],
        &["sma_cross.toml", "the shards were run on another plan"],
    );
}

#[test]
fn merge_refuses_shards_whose_data_changed_since() {
    // The merge runs each fold's chosen set again on the data: if the data had changed since
    // the shards ran, those runs would not be the ones the shards summarized. A copy of the
    // shipped bars with one close moved by a cent must make another plan.
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("sp500_daily.csv");
    let bars = std::fs::read_to_string(root().join("data/sp500_daily.csv")).expect("data");
    std::fs::write(&data, &bars).expect("copy data");
    let copy = dir.path().join("sma_cross.toml");
    spec_copy(&copy, &data);
    let shards = dir.path().join("shards");
    shard(path_str(&copy), 1, 2, &shards);
    shard(path_str(&copy), 2, 2, &shards);
    // The last row's close, one cent higher (still within its high, which moves with it).
    let mut lines: Vec<String> = bars.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (close, high) = (
        column("close").expect("close"),
        column("high").expect("high"),
    );
    let last = lines.len() - 1;
    let mut cells: Vec<String> = lines[last].split(',').map(str::to_string).collect();
    let moved = cells[close].parse::<f64>().expect("a close") + 0.01;
    let top = cells[high].parse::<f64>().expect("a high").max(moved);
    cells[close] = format!("{moved:.2}");
    cells[high] = format!("{top:.2}");
    lines[last] = cells.join(",");
    std::fs::write(&data, lines.join("\n") + "\n").expect("edit data");
    refused(
        &[&shards],
        &["sma_cross.toml", "the shards were run on another plan"],
    );
}

#[test]
fn plan_deals_every_cell_once_by_cost() {
    let run = gauntlet(&["plan", SPEC, "--shards", "4"]);
    let text = stdout(&run);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    // The shipped spec: 90 sets (fast 5..50 by 5 under slow 20..200 by 20, fast < slow) on
    // 17 rolling folds; one training and one test cell per set and fold.
    assert!(
        text.starts_with("sma_cross: 3060 cells (1530 training, 1530 test"),
        "{text}"
    );
    let shard_rows: Vec<(u64, u64)> = text
        .lines()
        .filter_map(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            (fields.len() == 4 && fields[0].ends_with("/4")).then(|| {
                (
                    fields[1].parse().expect("cells"),
                    fields[2].parse().expect("cost"),
                )
            })
        })
        .collect();
    assert_eq!(shard_rows.len(), 4, "{text}");
    assert_eq!(shard_rows.iter().map(|r| r.0).sum::<u64>(), 3060);
    let total: u64 = text
        .lines()
        .next()
        .and_then(|l| l.split(", ").last())
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("total cost on the first line");
    assert_eq!(shard_rows.iter().map(|r| r.1).sum::<u64>(), total);
    // Dealt by cost: no shard more than 1% above a quarter of the whole.
    for (_, cost) in &shard_rows {
        assert!(*cost as f64 <= total as f64 / 4.0 * 1.01, "{text}");
    }
    // Every shard lists its cells under its own heading.
    for i in 1..=4 {
        assert!(text.contains(&format!("\nshard {i}/4:\n")), "{text}");
    }
}

#[cfg(not(feature = "object-store"))]
#[test]
fn a_data_url_asks_for_the_object_store_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("remote.toml");
    let text = std::fs::read_to_string(root().join(SPEC))
        .expect("spec")
        .replace(
            r#"files = ["../../data/sp500_daily.csv"]"#,
            r#"files = ["s3://market-data/sp500_daily.csv"]"#,
        );
    std::fs::write(&spec, text).expect("spec");
    let out = dir.path().join("out");
    let run = gauntlet(&[
        "validate",
        path_str(&spec),
        "--shard",
        "1/2",
        "--out",
        path_str(&out),
    ]);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "s3://market-data/sp500_daily.csv: this gauntlet was built without object storage"
        ) && err.contains("--features object-store"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}
