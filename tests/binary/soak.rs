//! Soak test of the live runner under faults, on the shipped data (`data/sp500_daily.csv`) with
//! the approved `sma_cross` (validated and promoted as `live.rs` does):
//!
//! - SIGKILL at many random points (`GAUNTLET_SOAK_KILLS`, default 100), each time restarted on
//!   its state: the fills, orders and bars of the log equal an uninterrupted run's;
//! - garbage mixed at random into the bars on standard input (malformed CSV and JSON lines,
//!   bytes that are not UTF-8, NaN prices, bars out of order, duplicated bars, bars from the
//!   future): each is logged as rejected, none is traded on, and the bad-line halt trips at
//!   its threshold and not before;
//! - an audit or state folder that cannot be written (at the start, and the state in the middle
//!   of a run), and a full disk (a file-size limit on the process): the runner stops with a
//!   clear message, its log holds whole steps only and nothing traded that it does not hold,
//!   and a restart carries on to the uninterrupted run's fills;
//! - a stalled feed: the stall halt fires within its configured time;
//! - SIGTERM at random points while the runner writes its log and checkpoints: state and log
//!   agree after every stop, and the restarts carry on.
//!
//! Every random choice comes from one seed: `GAUNTLET_SOAK_SEED` (default: from the clock),
//! which each test prints, so that a failure can be replayed. The CI setting (100 kills) runs
//! in well under a minute on a debug build; `GAUNTLET_SOAK_KILLS=1000 cargo test -p gauntlet
//! --test soak --release` is the longer one (the paced run lasts a tenth of a second per kill).

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use common::*;
use gauntlet_data::{LoadOptions, Panel, load_bars};
use gauntlet_engine::{EngineConfig, SimulatedBroker, run_backtest};
use gauntlet_registry::{Approval, Manifest};
use gauntlet_strategies::SmaCross;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Randomness

/// SplitMix64: small, and the same sequence on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform in lo..=hi.
    fn int(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.next() as usize % items.len()]
    }
}

/// The run's seed: `GAUNTLET_SOAK_SEED`, or one from the clock.
fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| match std::env::var("GAUNTLET_SOAK_SEED") {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("GAUNTLET_SOAK_SEED={text:?}: expected a whole number")),
        Err(_) => SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
    })
}

/// The generator of test `name`: its own stream of the run's seed, printed for a replay.
fn rng(name: &str) -> Rng {
    let seed = seed();
    println!("{name}: GAUNTLET_SOAK_SEED={seed} replays this run");
    let mut rng = Rng(seed);
    for b in name.bytes() {
        rng.0 ^= u64::from(b);
        rng.next();
    }
    rng
}

/// How many times the runner is killed: `GAUNTLET_SOAK_KILLS`, 100 by default.
fn kills() -> usize {
    match std::env::var("GAUNTLET_SOAK_KILLS") {
        Ok(text) => text
            .trim()
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .unwrap_or_else(|| panic!("GAUNTLET_SOAK_KILLS={text:?}: expected a number above 0")),
        Err(_) => 100,
    }
}

// ---------------------------------------------------------------------------------------------
// The approval, the shipped bars, the uninterrupted run

/// A scratch folder of this test binary.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("soak")
        .join(name);
    if dir.exists() {
        // A folder a previous run left read-only.
        let _ = make_writable(&dir);
        let _ = std::fs::remove_dir_all(&dir);
    }
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn make_writable(dir: &Path) -> std::io::Result<()> {
    for entry in walk(dir) {
        if entry.is_dir() {
            std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o755))?;
        }
    }
    Ok(())
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                out.extend(walk(&entry.path()));
            }
        }
    }
    out
}

fn s(path: &Path) -> &str {
    path_str(path)
}

/// The manifest approving sma_cross (validated once per test binary).
fn manifest() -> &'static PathBuf {
    static MANIFEST: OnceLock<PathBuf> = OnceLock::new();
    MANIFEST.get_or_init(|| {
        let dir = scratch("approved");
        let policy = dir.join("loose.toml");
        std::fs::write(&policy, LOOSE).expect("policy");
        let reports = dir.join("reports");
        let run = gauntlet(&[
            "validate",
            SPEC,
            "--quiet",
            "--policy",
            s(&policy),
            "--out",
            s(&reports),
        ]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        let manifest = dir.join("approvals.json");
        promote(&reports.join("sma_cross/report.json"), &manifest);
        manifest
    })
}

fn approval() -> Approval {
    Manifest::open(manifest())
        .expect("manifest")
        .active(Some("sma_cross"))
        .expect("approved")
        .1
        .clone()
}

const DATA: &str = "data/sp500_daily.csv";

/// One line of the shipped file: its text and its bar.
#[derive(Debug, Clone)]
struct ShippedBar {
    text: String,
    ts: i64,
    fields: [f64; 5],
}

/// The shipped file's header and bars, read here (not through the code under test).
fn shipped() -> &'static (String, Vec<ShippedBar>) {
    static SHIPPED: OnceLock<(String, Vec<ShippedBar>)> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        let text = std::fs::read_to_string(root().join(DATA)).expect("shipped data");
        let mut lines = text.lines();
        let header = lines.next().expect("header").to_string();
        assert_eq!(header, "ts,open,high,low,close,volume");
        let bars = lines
            .map(|line| {
                let cells: Vec<&str> = line.split(',').collect();
                let date = chrono::NaiveDate::parse_from_str(cells[0], "%Y-%m-%d").expect("date");
                let ts = date
                    .and_hms_opt(0, 0, 0)
                    .expect("midnight")
                    .and_utc()
                    .timestamp_millis();
                let mut fields = [0.0; 5];
                for (k, cell) in cells[1..].iter().enumerate() {
                    fields[k] = cell.parse().expect("number");
                }
                ShippedBar {
                    text: line.to_string(),
                    ts,
                    fields,
                }
            })
            .collect::<Vec<_>>();
        assert_eq!(bars.len(), 5031, "data/PROVENANCE.md");
        (header, bars)
    })
}

fn bars() -> &'static [ShippedBar] {
    &shipped().1
}

/// A fill as the log records it: bar time, order id, side, quantity, price, fee.
type FillRow = (i64, u64, String, f64, f64, f64);

/// The uninterrupted run of the shipped file: its log, and what is compared with it.
struct Reference {
    entries: Vec<Value>,
    fills: Vec<FillRow>,
    orders: Vec<u64>,
    bytes: u64,
}

/// The uninterrupted run (once per test binary), checked against the backtest's fills.
fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let dir = scratch("reference");
        let live = Live::new(&dir);
        let run = live.run(DATA, &[]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        let entries = read_log(&live.audit);
        let fills = fills(&entries);
        // The run is itself checked against an independent computation: the backtest of the
        // same bars, parameters, costs and risk.
        let a = approval();
        let series = load_bars(&root().join(DATA), &LoadOptions::default()).expect("data");
        let backtest = run_backtest(
            &Panel::single(series),
            SmaCross::from_params(&a.params().expect("params")).expect("strategy"),
            SimulatedBroker {
                costs: a.costs,
                fractional: !a.whole_shares,
            },
            a.risk_config().expect("risk"),
            EngineConfig {
                initial_capital: a.capital,
                trade_from: 0,
            },
        );
        let expected: Vec<FillRow> = backtest
            .fills
            .iter()
            .map(|f| {
                let side = serde_json::to_value(f.side).expect("side");
                (
                    f.ts,
                    f.order_id,
                    side.as_str().expect("side").to_string(),
                    f.quantity,
                    f.price,
                    f.fee,
                )
            })
            .collect();
        assert!(expected.len() > 50, "{} fills", expected.len());
        assert_eq!(
            fills, expected,
            "the uninterrupted run makes the backtest's fills"
        );
        let orders = order_ids(&entries);
        assert_eq!(orders.len(), backtest.orders.len());
        let bytes = std::fs::metadata(&live.audit).expect("log").len();
        Reference {
            fills,
            orders,
            bytes,
            entries,
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Running the binary

/// A state folder and audit log, and the runs on them.
struct Live {
    state: PathBuf,
    audit: PathBuf,
}

impl Live {
    fn new(dir: &Path) -> Live {
        Live {
            state: dir.join("state"),
            audit: dir.join("audit.jsonl"),
        }
    }

    fn args(&self, feed: &str, extra: &[String]) -> Vec<String> {
        let mut args: Vec<String> = [
            "live",
            "--approvals",
            s(manifest()),
            "--feed",
            feed,
            "--state",
            s(&self.state),
            "--audit",
            s(&self.audit),
        ]
        .iter()
        .map(|a| a.to_string())
        .collect();
        args.extend_from_slice(extra);
        args
    }

    fn command(&self, feed: &str, extra: &[String]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gauntlet"));
        command.args(self.args(feed, extra)).current_dir(root());
        command
    }

    /// Runs to the end.
    fn run(&self, feed: &str, extra: &[String]) -> Output {
        self.command(feed, extra).output().expect("the binary runs")
    }

    /// Starts a run in the background, its standard error kept.
    fn spawn(&self, feed: &str, extra: &[String]) -> Child {
        self.command(feed, extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn")
    }

    /// `gauntlet audit verify LOG --state DIR`: must pass.
    fn verify(&self) {
        let run = gauntlet(&["audit", "verify", s(&self.audit), "--state", s(&self.state)]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        assert!(
            stdout(&run).contains("hash chain intact"),
            "{}",
            stdout(&run)
        );
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

/// Waits for `child` at most `limit`; its status and standard error.
fn wait(mut child: Child, limit: Duration) -> (ExitStatus, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = pipe.read_to_string(&mut err);
            }
            return (status, err);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the runner did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn sigterm(child: &Child) {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
}

/// `--speed` that replays the shipped file in about `seconds` of wall time.
fn speed_for(seconds: f64) -> String {
    let span_ms = bars()[bars().len() - 1].ts - bars()[0].ts;
    format!("{}", span_ms as f64 / 1000.0 / seconds)
}

// ---------------------------------------------------------------------------------------------
// Reading the log

/// Every entry of a log; each line must be whole JSON.
fn read_log(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{} line {}: {e}: {line}", path.display(), i + 1))
        })
        .collect()
}

fn events<'a>(entries: &'a [Value], event: &str) -> Vec<&'a Value> {
    entries.iter().filter(|e| e["event"] == event).collect()
}

fn fills(entries: &[Value]) -> Vec<FillRow> {
    events(entries, "fill")
        .iter()
        .map(|e| {
            let p = &e["payload"];
            (
                e["ts"].as_i64().expect("ts"),
                p["order"].as_u64().expect("order"),
                p["side"].as_str().expect("side").to_string(),
                p["quantity"].as_f64().expect("quantity"),
                p["price"].as_f64().expect("price"),
                p["fee"].as_f64().expect("fee"),
            )
        })
        .collect()
}

fn order_ids(entries: &[Value]) -> Vec<u64> {
    events(entries, "order")
        .iter()
        .map(|e| e["payload"]["id"].as_u64().expect("id"))
        .collect()
}

fn seq(entry: &Value) -> u64 {
    entry["seq"].as_u64().expect("seq")
}

/// Every fill's order was logged before it, once; every order is logged once.
fn assert_decisions_logged_before_fills(entries: &[Value]) {
    let mut ordered = HashSet::new();
    for e in entries {
        match e["event"].as_str() {
            Some("order") => {
                let id = e["payload"]["id"].as_u64().expect("id");
                assert!(ordered.insert(id), "order {id} logged twice: {e}");
            }
            Some("fill") => {
                let id = e["payload"]["order"].as_u64().expect("order");
                assert!(
                    ordered.contains(&id),
                    "a fill of order {id}, which the log never decided: {e}"
                );
            }
            _ => {}
        }
    }
}

/// The bars a log took, in order: each shipped bar exactly once, with the shipped values.
fn assert_every_bar_once(entries: &[Value]) {
    let logged: Vec<(i64, [f64; 4])> = events(entries, "bar")
        .iter()
        .map(|e| {
            let p = &e["payload"];
            let f = |k: &str| p[k].as_f64().expect("price");
            (
                e["ts"].as_i64().expect("ts"),
                [f("open"), f("high"), f("low"), f("close")],
            )
        })
        .collect();
    let shipped: Vec<(i64, [f64; 4])> = bars()
        .iter()
        .map(|b| (b.ts, [b.fields[0], b.fields[1], b.fields[2], b.fields[3]]))
        .collect();
    assert_eq!(logged.len(), shipped.len(), "each bar logged once");
    assert!(logged == shipped, "the log's bars are the shipped bars");
}

/// The time of the last whole bar entry in the log (reading its end only), if any.
fn last_bar_ts(path: &Path) -> Option<i64> {
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let start = len.saturating_sub(16_384);
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail).ok()?;
    let text = String::from_utf8_lossy(&tail);
    let whole = &text[..text.rfind('\n')? + 1];
    whole
        .lines()
        .rev()
        .filter(|l| l.starts_with("{\"event\":\"bar\""))
        .find_map(|l| serde_json::from_str::<Value>(l).ok()?["ts"].as_i64())
}

fn len_of(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// The entries of a step-by-step record that two runs of the same bars share: everything but
/// the sessions' own (start, shutdown), as (event, bar time, payload).
fn trading_record(entries: &[Value]) -> Vec<(String, i64, Value)> {
    entries
        .iter()
        .filter(|e| e["event"] != "start" && e["event"] != "shutdown")
        .map(|e| {
            (
                e["event"].as_str().expect("event").to_string(),
                e["ts"].as_i64().expect("ts"),
                e["payload"].clone(),
            )
        })
        .collect()
}

/// The log of a run stopped by a fault is the uninterrupted run's, cut at the end of a step:
/// nothing decided that the uninterrupted run did not decide, and no step logged in part.
fn assert_whole_step_prefix(entries: &[Value]) {
    let got = trading_record(entries);
    let want = trading_record(&reference().entries);
    assert!(got.len() <= want.len());
    if let Some(i) = (0..got.len()).find(|&i| got[i] != want[i]) {
        panic!(
            "entry {i} differs from the uninterrupted run's: {:?} against {:?}",
            got[i], want[i]
        );
    }
    if let Some(next) = want.get(got.len()) {
        assert_eq!(
            next.0, "bar",
            "the log ends inside a step: the uninterrupted run goes on with {next:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Interrupting a paced run at random points

/// When a life of the runner is interrupted.
#[derive(Debug, Clone, Copy)]
enum Point {
    /// At a random moment of its start (restore, log check, replay), before it writes.
    Startup,
    /// Soon after it has logged the bar of this time.
    Bar(i64),
}

/// The plan of `count` interruptions: a fifth of them during start-up, the rest at bar times
/// drawn one in each of as many equal slices of the run (so that they cover all of it), in
/// random order of kinds but with bar times increasing, and a bar point last.
fn plan(rng: &mut Rng, count: usize) -> Vec<Point> {
    let startups = count / 5;
    let at_bars = count - startups;
    let n = bars().len() as f64 * 0.97;
    let mut points: Vec<Point> = (0..at_bars)
        .map(|j| {
            let index = ((j as f64 + rng.unit()) * n / at_bars as f64) as usize;
            Point::Bar(bars()[index].ts)
        })
        .collect();
    for _ in 0..startups {
        // Never last: the final life before the last run is killed at a bar.
        let at = rng.next() as usize % points.len();
        points.insert(at, Point::Startup);
    }
    points
}

/// What one life did.
#[derive(Debug)]
struct Life {
    point: Point,
    durability: &'static str,
    /// The last bar logged before it started and when it was stopped.
    before: Option<i64>,
    after: Option<i64>,
    status: ExitStatus,
}

impl Life {
    /// It logged bars of its own: it was stopped in the middle of trading.
    fn mid_run(&self) -> bool {
        self.after > self.before
    }
}

/// Runs the shipped file paced to last `seconds`, stopping the runner at each point of `plan`
/// with `stop` and starting it again on the same state and log, each time with a random
/// durability and checkpoint interval; `after_each` looks at the state after each stop.
fn interrupted_lives(
    rng: &mut Rng,
    live: &Live,
    seconds: f64,
    plan: &[Point],
    stop: impl Fn(&mut Child),
    mut after_each: impl FnMut(&Life, &str),
) -> Vec<Life> {
    let speed = speed_for(seconds);
    let bar_period = Duration::from_secs_f64(seconds / bars().len() as f64);
    // Start-up lasts at least this long (the shortest seen so far).
    let mut startup = Duration::from_millis(150);
    let mut lives = Vec::new();
    for &point in plan {
        let durability = rng.pick(&["strict", "batch"]);
        let every = rng.pick(&["1", "10", "100", "1000"]).to_string();
        let extra = vec![
            "--speed".to_string(),
            speed.clone(),
            "--durability".into(),
            durability.into(),
            "--checkpoint-every".into(),
            every,
        ];
        let before = last_bar_ts(&live.audit);
        let len_before = len_of(&live.audit);
        let started = Instant::now();
        let mut child = live.spawn(DATA, &extra);
        match point {
            Point::Startup => {
                std::thread::sleep(startup.mul_f64(rng.range(0.0, 0.8)));
            }
            Point::Bar(ts) => {
                let mut wrote = false;
                loop {
                    if let Some(status) = child.try_wait().expect("wait") {
                        let (_, err) = wait(child, Duration::ZERO);
                        panic!("the runner stopped on its own ({status}) before {point:?}: {err}");
                    }
                    if !wrote && len_of(&live.audit) > len_before {
                        wrote = true;
                        startup = startup.min(started.elapsed());
                    }
                    if wrote && last_bar_ts(&live.audit).is_some_and(|last| last >= ts) {
                        break;
                    }
                    assert!(
                        started.elapsed() < Duration::from_secs_f64(seconds * 3.0 + 60.0),
                        "the runner never reached {point:?}"
                    );
                    std::thread::sleep(Duration::from_millis(1));
                }
                // A random moment within the next few bars.
                std::thread::sleep(bar_period.mul_f64(rng.range(0.0, 3.0)));
            }
        }
        stop(&mut child);
        let (status, err) = wait(child, Duration::from_secs(30));
        let life = Life {
            point,
            durability,
            before,
            after: last_bar_ts(&live.audit),
            status,
        };
        after_each(&life, &err);
        lives.push(life);
    }
    lives
}

// ---------------------------------------------------------------------------------------------
// The tests

/// Killed with SIGKILL at `GAUNTLET_SOAK_KILLS` random points of a paced run and restarted each
/// time on its state, the runner ends with exactly the uninterrupted run's fills and orders,
/// none duplicated, none lost, and logs each shipped bar exactly once.
#[test]
fn sigkill_at_random_points_loses_and_duplicates_nothing() {
    let mut rng = rng("sigkill");
    let reference = reference();
    let dir = scratch("sigkill");
    let live = Live::new(&dir);
    let count = kills();
    let plan = plan(&mut rng, count);
    // A tenth of a second of paced run per kill (10 s for 100 kills): the kill points are
    // some 60 bars, 0.1 s, apart.
    let seconds = (count as f64 * 0.1).max(8.0);
    let lives = interrupted_lives(
        &mut rng,
        &live,
        seconds,
        &plan,
        |child| {
            let _ = child.kill();
        },
        |life, err| {
            assert_eq!(
                life.status.signal(),
                Some(9),
                "killed, not stopped on its own ({:?}): {err}",
                life.status
            );
        },
    );
    let final_run = live.run(DATA, &strings(&["--durability", "strict"]));
    assert_eq!(final_run.status.code(), Some(0), "{}", stderr(&final_run));

    let mid_run: Vec<&Life> = lives.iter().filter(|l| l.mid_run()).collect();
    let in_startup = lives
        .iter()
        .filter(|l| matches!(l.point, Point::Startup) && !l.mid_run())
        .count();
    let at_bars = lives
        .iter()
        .filter(|l| matches!(l.point, Point::Bar(_)))
        .count();
    println!(
        "{} kills: {} in the middle of trading ({} strict), {} of {} planned during start-up before any bar",
        lives.len(),
        mid_run.len(),
        mid_run.iter().filter(|l| l.durability == "strict").count(),
        in_startup,
        lives.len() - at_bars
    );
    assert_eq!(lives.len(), count);
    assert!(
        mid_run.len() * 4 >= at_bars * 3,
        "only {} of {at_bars} kills at bar points landed while the runner traded: {lives:?}",
        mid_run.len()
    );
    // The kills covered the run: some in its first and some in its last tenth.
    let first = bars()[0].ts;
    let span = bars()[bars().len() - 1].ts - first;
    let at = |l: &&Life| (l.after.unwrap_or(first) - first) as f64 / span as f64;
    assert!(mid_run.iter().any(|l| at(l) < 0.1), "{lives:?}");
    assert!(mid_run.iter().any(|l| at(l) > 0.9), "{lives:?}");

    let log = read_log(&live.audit);
    assert_eq!(
        fills(&log),
        reference.fills,
        "the uninterrupted run's fills"
    );
    assert_eq!(
        order_ids(&log),
        reference.orders,
        "no order duplicated or lost"
    );
    assert_decisions_logged_before_fills(&log);
    assert_every_bar_once(&log);
    assert_eq!(
        trading_record(&log),
        trading_record(&reference.entries),
        "every decision logged once, as in the uninterrupted run"
    );
    live.verify();
}

/// A kind of bad line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Garbage {
    WrongFieldCount,
    NotANumber,
    BadDate,
    Junk,
    NotUtf8,
    BrokenJson,
    NanPrice,
    OutOfOrder,
    Duplicate,
    Future,
}

impl Garbage {
    const ALL: [Garbage; 10] = [
        Garbage::WrongFieldCount,
        Garbage::NotANumber,
        Garbage::BadDate,
        Garbage::Junk,
        Garbage::NotUtf8,
        Garbage::BrokenJson,
        Garbage::NanPrice,
        Garbage::OutOfOrder,
        Garbage::Duplicate,
        Garbage::Future,
    ];

    /// What the rejection must say.
    fn reason(self) -> &'static str {
        match self {
            Garbage::WrongFieldCount | Garbage::Junk => "comma-separated fields",
            Garbage::NotANumber => "expected a number",
            Garbage::BadDate => "ts: expected",
            Garbage::NotUtf8 => "not UTF-8",
            Garbage::BrokenJson => "JSON",
            Garbage::NanPrice => "expected a finite price above 0, found",
            Garbage::OutOfOrder | Garbage::Duplicate => "is not after the last bar",
            Garbage::Future => "a bar from the future",
        }
    }

    /// A line of this kind, made from the next bar `next` and the bars before it.
    fn line(self, rng: &mut Rng, before: &[ShippedBar], next: &ShippedBar) -> (Vec<u8>, i64) {
        let cells: Vec<&str> = next.text.split(',').collect();
        let with = |k: usize, value: &str| {
            let mut c: Vec<&str> = cells.clone();
            c[k] = value;
            c.join(",")
        };
        let json = |date: &str, f: &[f64; 5]| {
            format!(
                r#"{{"ts":"{date}","open":{},"high":{},"low":{},"close":{},"volume":{}}}"#,
                f[0], f[1], f[2], f[3], f[4]
            )
        };
        let as_json = |b: &ShippedBar| json(b.text.split(',').next().expect("date"), &b.fields);
        let text = match self {
            Garbage::WrongFieldCount => {
                if rng.chance(0.5) {
                    cells[..rng.int(1, 5) as usize].join(",")
                } else {
                    format!("{},{}", next.text, rng.int(0, 9))
                }
            }
            Garbage::NotANumber => with(
                rng.int(1, 5) as usize,
                rng.pick(&["abc", "", "1.2.3", "12e", "--4", "0x10"]),
            ),
            Garbage::BadDate => with(
                0,
                rng.pick(&["1999-13-45", "yesterday", "2001-02-30", "19990105", ""]),
            ),
            Garbage::Junk => rng
                .pick(&["not a bar", "%%%%", "ts;open;high", "<html>", "\t#"])
                .to_string(),
            Garbage::NotUtf8 => {
                let mut bytes = next.text.clone().into_bytes();
                let at = rng.int(0, bytes.len() as u64 - 1) as usize;
                bytes.insert(at, rng.pick(&[0xff, 0xfe, 0xc3, 0x80]));
                return (bytes, next.ts);
            }
            Garbage::BrokenJson => {
                let whole = as_json(next);
                match rng.int(0, 3) {
                    0 => whole[..rng.int(1, whole.len() as u64 - 2) as usize].to_string(),
                    1 => whole.replacen("\"open\":", "\"open\":\"", 1),
                    2 => whole.replacen('}', ",\"extra\":1}", 1),
                    _ => {
                        whole.replacen(&format!("\"close\":{}", next.fields[3]), "\"close\":NaN", 1)
                    }
                }
            }
            Garbage::NanPrice => with(
                rng.int(1, 4) as usize,
                rng.pick(&["NaN", "nan", "inf", "-inf", "-NaN"]),
            ),
            Garbage::OutOfOrder => {
                let old = &before[rng.int(0, before.len() as u64 - 2) as usize];
                return (
                    if rng.chance(0.5) {
                        old.text.clone()
                    } else {
                        as_json(old)
                    }
                    .into_bytes(),
                    old.ts,
                );
            }
            Garbage::Duplicate => {
                let last = &before[before.len() - 1];
                return (
                    if rng.chance(0.5) {
                        last.text.clone()
                    } else {
                        as_json(last)
                    }
                    .into_bytes(),
                    last.ts,
                );
            }
            Garbage::Future => {
                // From two days to a century after now, with the next bar's prices.
                let now = SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .expect("clock")
                    .as_millis() as i64;
                let ts = (now / 86_400_000 + rng.int(2, 36_500) as i64) * 86_400_000;
                let date = chrono::DateTime::from_timestamp_millis(ts)
                    .expect("date")
                    .format("%Y-%m-%d")
                    .to_string();
                let text = if rng.chance(0.5) {
                    with(0, &date)
                } else {
                    json(&date, &next.fields)
                };
                return (text.into_bytes(), ts);
            }
        };
        (text.into_bytes(), next.ts)
    }
}

/// Garbage mixed at random into the shipped bars on standard input: every bad line is logged
/// as rejected with its reason, none becomes a bar, nothing is traded on any of them (the fills
/// are the uninterrupted run's), and `--max-rejections M` halts new risk at the M-th bad line in
/// a row, not before.
#[test]
fn garbage_on_the_feed_is_logged_never_traded_and_halts_at_the_threshold() {
    let mut rng = rng("garbage");
    let reference = reference();
    let dir = scratch("garbage");
    let live = Live::new(&dir);
    let (header, shipped) = shipped();
    let max_rejections = rng.int(3, 8) as usize;
    // The burst of bad lines that must trip the halt, before a bar late in the run.
    let burst_at = rng.int(
        (shipped.len() as f64 * 0.75) as u64,
        (shipped.len() as f64 * 0.95) as u64,
    ) as usize;

    // The feed, line by line (line 1 is the header), and what each line is.
    let mut feed: Vec<Vec<u8>> = vec![header.clone().into_bytes()];
    let mut garbage: BTreeMap<u64, (Garbage, i64)> = BTreeMap::new();
    let mut real: BTreeMap<u64, usize> = BTreeMap::new();
    let mut burst_lines = Vec::new();
    for (i, bar) in shipped.iter().enumerate() {
        let run = if i == burst_at {
            max_rejections
        } else if rng.chance(0.06) {
            // Fewer than M in a row: the halt must not trip.
            rng.int(1, max_rejections as u64 - 1) as usize
        } else {
            0
        };
        for _ in 0..run {
            let kind = loop {
                let kind = rng.pick(&Garbage::ALL);
                // Out of order needs two bars before; a duplicate, one.
                let needs = match kind {
                    Garbage::OutOfOrder => 2,
                    Garbage::Duplicate => 1,
                    _ => 0,
                };
                if i >= needs {
                    break kind;
                }
            };
            let (line, ts) = kind.line(&mut rng, &shipped[..i], bar);
            feed.push(line);
            let number = feed.len() as u64;
            garbage.insert(number, (kind, ts));
            if i == burst_at {
                burst_lines.push(number);
            }
        }
        feed.push(bar.text.clone().into_bytes());
        real.insert(feed.len() as u64, i);
    }
    let kinds: HashSet<Garbage> = garbage.values().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds.len(),
        Garbage::ALL.len(),
        "every kind of garbage is fed"
    );

    let mut child = live
        .command(
            "-",
            &strings(&["--max-rejections", &max_rejections.to_string()]),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        // A runner that stops reading closes the pipe: its exit status then says why.
        let mut stdin = child.stdin.take().expect("stdin");
        for line in &feed {
            if stdin
                .write_all(line)
                .and_then(|()| stdin.write_all(b"\n"))
                .is_err()
            {
                break;
            }
        }
    }
    let (status, err) = wait(child, Duration::from_secs(120));
    assert_eq!(status.code(), Some(0), "{err}");
    let log = read_log(&live.audit);
    live.verify();

    // Each line is what it was: a real bar is logged as a bar with its values, a bad line as
    // a rejection with its reason.
    let mut bar_lines = HashMap::new();
    for e in events(&log, "bar") {
        let line = e["payload"]["line"].as_u64().expect("line");
        assert!(bar_lines.insert(line, e).is_none(), "line {line} twice");
    }
    let mut rejected_lines = HashMap::new();
    for e in events(&log, "bar_rejected") {
        let line = e["payload"]["line"].as_u64().expect("line");
        assert!(
            rejected_lines.insert(line, e).is_none(),
            "line {line} twice"
        );
    }
    assert_eq!(bar_lines.len(), shipped.len());
    for (line, &i) in &real {
        let e = bar_lines
            .get(line)
            .unwrap_or_else(|| panic!("line {line}, a real bar, was not taken"));
        assert_eq!(e["ts"].as_i64(), Some(shipped[i].ts));
        assert_eq!(e["payload"]["close"].as_f64(), Some(shipped[i].fields[3]));
    }
    assert_eq!(
        rejected_lines.len(),
        garbage.len(),
        "each bad line logged once"
    );
    for (line, (kind, _)) in &garbage {
        let e = rejected_lines
            .get(line)
            .unwrap_or_else(|| panic!("line {line} ({kind:?}) was not logged as rejected"));
        let reason = e["payload"]["reason"].as_str().expect("reason");
        assert!(
            reason.contains(kind.reason()),
            "line {line} ({kind:?}): {reason:?}"
        );
    }
    // Nothing is traded on a rejected line: no step follows a rejection before the next bar,
    // and no entry carries the time of a bar from the future.
    let mut after_rejection = false;
    for e in &log {
        match e["event"].as_str().expect("event") {
            "bar_rejected" => after_rejection = true,
            "bar" | "shutdown" => after_rejection = false,
            "halt" => {}
            other => assert!(!after_rejection, "{other} after a rejected line: {e}"),
        }
    }
    let future: HashSet<i64> = garbage
        .values()
        .filter(|(k, _)| *k == Garbage::Future)
        .map(|&(_, ts)| ts)
        .collect();
    assert!(
        log.iter()
            .all(|e| !future.contains(&e["ts"].as_i64().expect("ts")))
    );

    // The halt: once, at the M-th bad line of the burst, and not before.
    let halts = events(&log, "halt");
    assert_eq!(halts.len(), 1, "{halts:?}");
    let halt = halts[0];
    assert_eq!(halt["payload"]["reason"]["cause"], "bad_input");
    assert_eq!(
        halt["payload"]["why"],
        format!("{max_rejections} feed lines rejected in a row")
    );
    let last_of_burst = rejected_lines[burst_lines.last().expect("burst")];
    assert_eq!(seq(halt), seq(last_of_burst) + 1, "halted right after it");
    // Until the halt, the garbage changed nothing: the fills are the uninterrupted run's.
    let halted_at = halt["ts"].as_i64().expect("ts");
    let before: Vec<FillRow> = reference
        .fills
        .iter()
        .filter(|f| f.0 <= halted_at)
        .cloned()
        .collect();
    let made: Vec<FillRow> = fills(&log)
        .into_iter()
        .filter(|f| f.0 <= halted_at)
        .collect();
    assert_eq!(
        made, before,
        "the fills up to the halt are the uninterrupted run's"
    );
    assert_decisions_logged_before_fills(&log);
    // After it, no new risk: no entry is ordered, and an entry the uninterrupted run made is
    // refused as halted.
    let after = |e: &&Value| seq(e) > seq(halt);
    assert!(
        !events(&log, "order")
            .into_iter()
            .filter(after)
            .any(|e| e["payload"]["purpose"] == "entry"),
        "an entry ordered while halted"
    );
    let entries_after = events(&reference.entries, "order")
        .iter()
        .filter(|e| e["ts"].as_i64() > Some(halted_at) && e["payload"]["purpose"] == "entry")
        .count();
    if entries_after > 0 {
        assert!(
            events(&log, "risk")
                .into_iter()
                .filter(after)
                .any(|e| e["payload"]["reason"]
                    .as_str()
                    .is_some_and(|r| r.contains("halted"))),
            "the uninterrupted run entered {entries_after} times after the halt's bar; none was refused"
        );
    }
}

/// Does chmod stop this process from writing? Not for root (or CAP_DAC_OVERRIDE), which the
/// tests may run as: then a write is made to fail another way.
fn chmod_stops_writes(dir: &Path) -> bool {
    let probe = dir.join("probe");
    std::fs::create_dir_all(&probe).expect("probe");
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let stopped = std::fs::File::create(probe.join("file")).is_err();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let _ = std::fs::remove_dir_all(&probe);
    stopped
}

/// An audit or state folder that cannot be written: at the start the runner refuses before it
/// trades anything; when the state folder goes in the middle of a run, the runner stops with a
/// clear message, having logged every step it took (and logged why it stopped); restarted once
/// the folder is back, it ends with the uninterrupted run's fills.
#[test]
fn an_unwritable_audit_or_state_folder_stops_the_runner_before_it_trades_unlogged() {
    let mut rng = rng("unwritable");
    let reference = reference();
    let dir = scratch("unwritable");
    let chmod = chmod_stops_writes(&dir);
    println!(
        "chmod stops writes here: {chmod} (otherwise: a path under a regular file, a directory where the log goes)"
    );

    // The audit log's folder cannot be written: with chmod, a read-only folder; as root, the
    // log's path is a directory (root writes through any mode bits).
    let a = dir.join("audit_at_start");
    let live = if chmod {
        let logs = a.join("logs");
        std::fs::create_dir_all(&logs).expect("dir");
        std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        Live {
            state: a.join("state"),
            audit: logs.join("audit.jsonl"),
        }
    } else {
        let live = Live::new(&a);
        std::fs::create_dir_all(&live.audit).expect("dir");
        live
    };
    let run = live.run(DATA, &[]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(s(&live.audit)),
        "names the log: {}",
        stderr(&run)
    );
    assert!(!live.state.join("checkpoint.cbor").exists(), "nothing ran");
    if chmod {
        assert!(!live.audit.exists());
        make_writable(&a).expect("chmod");
    }

    // The state folder cannot be written: read-only, or (as root) a path under a regular file.
    let b = dir.join("state_at_start");
    std::fs::create_dir_all(&b).expect("dir");
    let live = if chmod {
        let live = Live::new(&b);
        std::fs::create_dir_all(&live.state).expect("dir");
        std::fs::set_permissions(&live.state, std::fs::Permissions::from_mode(0o555))
            .expect("chmod");
        live
    } else {
        std::fs::write(b.join("file"), "not a folder").expect("file");
        Live {
            state: b.join("file/state"),
            audit: b.join("audit.jsonl"),
        }
    };
    let run = live.run(DATA, &[]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(s(&live.state)),
        "names the state: {}",
        stderr(&run)
    );
    if live.audit.exists() {
        let log = read_log(&live.audit);
        assert!(events(&log, "bar").is_empty(), "no bar taken: {log:?}");
    }
    make_writable(&b).expect("chmod");

    // The state folder goes in the middle of a paced run (checkpoints as often as allowed).
    let c = dir.join("state_mid_run");
    let live = Live::new(&c);
    let mut child = live.spawn(
        DATA,
        &strings(&["--speed", &speed_for(4.0), "--checkpoint-every", "1"]),
    );
    let point = bars()[rng.int(500, 3000) as usize].ts;
    let started = Instant::now();
    while last_bar_ts(&live.audit).is_none_or(|t| t < point) {
        assert!(child.try_wait().expect("wait").is_none(), "ended early");
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never got there"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let away = c.join("state.away");
    if chmod {
        std::fs::set_permissions(&live.state, std::fs::Permissions::from_mode(0o555))
            .expect("chmod");
    } else {
        std::fs::rename(&live.state, &away).expect("move");
        std::fs::write(&live.state, "not a folder").expect("file");
    }
    let (status, err) = wait(child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write the state"), "{err}");
    assert!(err.contains(s(&live.state)), "{err}");
    let log = read_log(&live.audit);
    let last = log.last().expect("entries");
    assert_eq!(last["event"], "shutdown", "the log says why it ends");
    assert_eq!(last["payload"]["reason"], "error");
    assert!(
        last["payload"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("cannot write the state"))
    );
    assert!(
        last_bar_ts(&live.audit) < Some(bars()[bars().len() - 1].ts),
        "it stopped before the end of the feed"
    );
    assert_decisions_logged_before_fills(&log);
    assert_whole_step_prefix(&log);
    if chmod {
        make_writable(&live.state).expect("chmod");
    } else {
        std::fs::remove_file(&live.state).expect("file");
        std::fs::rename(&away, &live.state).expect("move back");
    }
    live.verify();
    let run = live.run(DATA, &[]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let log = read_log(&live.audit);
    assert_eq!(fills(&log), reference.fills);
    assert_eq!(order_ids(&log), reference.orders);
    assert_every_bar_once(&log);
    live.verify();
}

/// The runner under a file-size limit (the disk full, as `ulimit -f` makes it: writes past the
/// limit fail with EFBIG, SIGXFSZ being ignored): it stops with a clear message; its log is the
/// uninterrupted run's cut at the end of a step (nothing decided that is not logged, no step
/// half written); started again under the limit it stops again as cleanly; with room again,
/// it ends with the uninterrupted run's fills. Both durabilities.
#[test]
fn a_full_disk_stops_the_runner_cleanly_and_a_restart_carries_on() {
    let mut rng = rng("disk_full");
    let reference = reference();
    for durability in ["strict", "batch"] {
        let dir = scratch(&format!("disk_full_{durability}"));
        let live = Live::new(&dir);
        let limit = (reference.bytes as f64 * rng.range(0.1, 0.9)) as u64;
        let blocks = limit / 512;
        let limited = |live: &Live| {
            Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""
                ))
                .arg(env!("CARGO_BIN_EXE_gauntlet"))
                .args(live.args(DATA, &strings(&["--durability", durability])))
                .current_dir(root())
                .output()
                .expect("sh")
        };
        for attempt in ["first", "again"] {
            let run = limited(&live);
            let err = stderr(&run);
            assert_eq!(run.status.code(), Some(2), "{durability} {attempt}: {err}");
            assert!(
                err.contains(&format!("{}: cannot write the audit log", s(&live.audit))),
                "{durability} {attempt}: {err}"
            );
            assert!(err.contains("File too large"), "{err}");
            assert!(len_of(&live.audit) <= blocks * 512);
            let log = read_log(&live.audit);
            if durability == "strict" && attempt == "first" {
                // (A batch log hands its writer up to a quarter megabyte at a time: cut back
                // whole, the first one may take the log back to its start entry.)
                assert!(!events(&log, "bar").is_empty());
            }
            assert_decisions_logged_before_fills(&log);
            assert_whole_step_prefix(&log);
            live.verify();
        }
        let run = live.run(DATA, &strings(&["--durability", durability]));
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        let log = read_log(&live.audit);
        assert_eq!(fills(&log), reference.fills, "{durability}");
        assert_eq!(order_ids(&log), reference.orders, "{durability}");
        assert_eq!(
            trading_record(&log),
            trading_record(&reference.entries),
            "{durability}: every decision logged once"
        );
        live.verify();
    }
}

/// The feed stalls three times at random points (bars written to standard input, then none):
/// each time the stall halt fires no sooner than `--stall-after` after the last bar was
/// written and within a poll interval and some scheduling slack of it; no entry is ordered
/// while halted; an operator's resume lets the next stall halt again.
#[test]
fn a_stalled_feed_halts_within_the_configured_time() {
    let mut rng = rng("stall");
    let dir = scratch("stall");
    let live = Live::new(&dir);
    let stall_ms = rng.int(200, 600);
    let mut child = live
        .command(
            "-",
            &strings(&["--stall-after", &format!("{}", stall_ms as f64 / 1000.0)]),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let (header, shipped) = shipped();
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{header}").expect("write");
    let wall_ms = || {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .expect("clock")
            .as_millis() as i64
    };
    let halts_in = |path: &Path| {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("{\"event\":\"halt\""))
            .count()
    };
    let resumes_in = |path: &Path| {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("{\"event\":\"resume\""))
            .count()
    };
    let mut next = 0;
    // Per stall: when its last bar was written (wall ms), and that bar's line.
    let mut stalls = Vec::new();
    for k in 0..3 {
        let count = rng.int(20, 400) as usize;
        for bar in &shipped[next..next + count] {
            writeln!(stdin, "{}", bar.text).expect("write");
        }
        stdin.flush().expect("flush");
        stalls.push((wall_ms(), next + count));
        next += count;
        let quiet = Instant::now();
        while halts_in(&live.audit) <= k {
            assert!(
                quiet.elapsed() < Duration::from_secs(30),
                "no stall halt after {:?}",
                quiet.elapsed()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let resume = gauntlet(&[
            "live",
            "resume",
            "--state",
            s(&live.state),
            "--reason",
            "fed again",
        ]);
        assert_eq!(resume.status.code(), Some(0), "{}", stderr(&resume));
        while resumes_in(&live.audit) <= k {
            assert!(quiet.elapsed() < Duration::from_secs(30), "no resume");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    // More bars, then the end of the feed.
    for bar in &shipped[next..next + 50] {
        writeln!(stdin, "{}", bar.text).expect("write");
    }
    drop(stdin);
    let (status, err) = wait(child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(0), "{err}");

    let log = read_log(&live.audit);
    let halts = events(&log, "halt");
    assert_eq!(halts.len(), 3, "{halts:?}");
    // Detection polls every 50 ms; the rest is slack for a loaded machine.
    const SLACK_MS: i64 = 500;
    for (halt, &(written, bars_fed)) in halts.iter().zip(&stalls) {
        assert_eq!(halt["payload"]["reason"]["cause"], "feed_stalled");
        assert_eq!(halt["payload"]["why"], format!("no bar for {stall_ms} ms"));
        let at = halt["wall_ms"].as_i64().expect("wall_ms");
        let after = at - written;
        assert!(
            after >= stall_ms as i64 && after <= stall_ms as i64 + SLACK_MS,
            "halted {after} ms after the last bar was written, configured {stall_ms} ms"
        );
        // It is the last bar of the stalled stretch that the halt follows.
        let last_bar = log
            .iter()
            .rev()
            .find(|e| e["event"] == "bar" && seq(e) < seq(halt))
            .expect("a bar before");
        assert_eq!(last_bar["ts"].as_i64(), Some(shipped[bars_fed - 1].ts));
        // No entry ordered while halted.
        let resumed = events(&log, "resume")
            .into_iter()
            .find(|r| seq(r) > seq(halt))
            .expect("resumed");
        assert_eq!(resumed["payload"]["by"], "operator");
        assert!(!events(&log, "order").iter().any(|o| seq(o) > seq(halt)
            && seq(o) < seq(resumed)
            && o["payload"]["purpose"] == "entry"));
    }
    assert_eq!(events(&log, "bar").len(), next + 50);
    live.verify();
}

/// SIGTERM at random points of a paced run that writes its log every step and checkpoints as
/// often as it may: each time the runner stops with exit 0 (or, before it watches signals, is
/// ended by the signal), and its state agrees with its log (the checkpoint is the log's last
/// entry; the positions and cash in status.json are the sums of the logged fills); the
/// restarts carry on, taking each bar once and filling only orders the log decided and did not
/// cancel.
#[test]
fn sigterm_during_writes_leaves_state_and_log_consistent() {
    let mut rng = rng("sigterm");
    let reference = reference();
    let dir = scratch("sigterm");
    let live = Live::new(&dir);
    let count = (kills() / 10).max(10);
    let plan = plan(&mut rng, count);
    let capital = approval().capital;
    let seconds = (count as f64 * 0.4).max(4.0);
    let mut graceful = 0;
    let lives = interrupted_lives(
        &mut rng,
        &live,
        seconds,
        &plan,
        |child| sigterm(child),
        |life, err| {
            if life.status.signal() == Some(15) {
                // Before the runner watches signals: ended like a kill.
                return;
            }
            assert_eq!(life.status.code(), Some(0), "{err}");
            graceful += 1;
            let log = read_log(&live.audit);
            let last = log.last().expect("entries");
            assert_eq!(last["event"], "shutdown", "{last}");
            assert_eq!(last["payload"]["reason"], "signal");
            live.verify();
            let status: Value = serde_json::from_str(
                &std::fs::read_to_string(live.state.join("status.json")).expect("status"),
            )
            .expect("JSON");
            assert_eq!(status["audit_seq"].as_u64(), Some(seq(last)), "{status}");
            let (mut quantity, mut cash) = (0.0, capital);
            for (_, _, side, q, p, fee) in fills(&log) {
                let signed = if side == "buy" { q } else { -q };
                quantity += signed;
                cash -= signed * p + fee;
            }
            let held = status["positions"][0]["quantity"]
                .as_f64()
                .expect("quantity");
            assert!(close_rel(held, quantity, 1e-9) || (held - quantity).abs() < 1e-9);
            let state_cash = status["cash"].as_f64().expect("cash");
            assert!(
                close_rel(state_cash, cash, 1e-9),
                "{state_cash} against {cash}"
            );
        },
    );
    assert!(graceful > 0, "{lives:?}");
    let run = live.run(DATA, &[]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let log = read_log(&live.audit);
    live.verify();
    assert_every_bar_once(&log);
    assert_decisions_logged_before_fills(&log);
    // Orders cancelled at a shutdown never fill.
    let mut cancelled = HashSet::new();
    for e in &log {
        match e["event"].as_str() {
            Some("shutdown") => {
                for id in e["payload"]["cancelled"].as_array().expect("cancelled") {
                    cancelled.insert(id.as_u64().expect("id"));
                }
            }
            Some("fill") => {
                let id = e["payload"]["order"].as_u64().expect("order");
                assert!(
                    !cancelled.contains(&id),
                    "order {id} filled after it was cancelled"
                );
            }
            _ => {}
        }
    }
    // Up to the first stop by the signal, the fills are the uninterrupted run's.
    let first_stop = events(&log, "shutdown")
        .first()
        .map(|e| e["ts"].as_i64().expect("ts"))
        .expect("a shutdown");
    let made: Vec<FillRow> = fills(&log)
        .into_iter()
        .filter(|f| f.0 <= first_stop)
        .collect();
    let expected: Vec<FillRow> = reference
        .fills
        .iter()
        .filter(|f| f.0 <= first_stop)
        .cloned()
        .collect();
    assert_eq!(made, expected);
}
