//! Feeds: where live bars come from. A CSV or JSON-lines file replayed, a Parquet file, or
//! CSV / JSON lines on standard input, so that any data source can pipe bars in.
//!
//! A reader thread turns the source into batches of [`FeedItem`]s on a bounded channel; the
//! runner takes them with a timeout, which is how it notices a stalled feed and signals while
//! no bar arrives.
//!
//! CSV: a header line naming `ts` (or `date`, `time`, `timestamp`), `open`, `high`, `low`,
//! `close`, `volume`, and `symbol` when several symbols share the feed. JSON lines: one object
//! per line with those keys; `ts` is a date or ISO date-time string, or milliseconds since the
//! epoch. Every line is checked ([`check_bar`]); a line that fails is rejected, never traded on.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use gauntlet_data::{Bar, LoadOptions, load_bars, parquet_row_count};
use serde::Deserialize;
use serde_json::Value;

/// Where the bars come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedSource {
    /// A file: `.parquet` is read with the data loader, anything else line by line.
    File(PathBuf),
    /// Standard input, line by line.
    Stdin,
}

impl FeedSource {
    /// `-` for standard input, otherwise a file.
    pub fn parse(text: &str) -> FeedSource {
        if text == "-" {
            FeedSource::Stdin
        } else {
            FeedSource::File(PathBuf::from(text))
        }
    }
}

/// One bar from the feed, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedBar {
    /// The symbol, when the line names one.
    pub symbol: Option<String>,
    /// The bar.
    pub bar: Bar,
}

/// What the reader hands the runner.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedItem {
    /// A bar that passed the checks, from line `line`.
    Bar {
        /// Line (or row) number, from 1.
        line: u64,
        /// The bar.
        bar: FeedBar,
    },
    /// A line that did not.
    Rejected {
        /// Line number, from 1.
        line: u64,
        /// Why.
        reason: String,
        /// The line (cut to 200 characters).
        text: String,
    },
    /// The source cannot be read any further (an I/O error): the feed ends.
    Failed(String),
}

/// Bars a batch holds at most: enough to amortize the channel, small enough to keep memory flat.
const BATCH: usize = 1024;

/// Starts reading `source` on its own thread.
pub fn spawn(source: FeedSource) -> Receiver<Vec<FeedItem>> {
    let (tx, rx) = sync_channel(16);
    std::thread::spawn(move || {
        let result = match &source {
            FeedSource::Stdin => {
                read_lines(BufReader::with_capacity(1 << 16, std::io::stdin()), &tx)
            }
            FeedSource::File(path) if is_parquet(path) => read_parquet(path, &tx),
            FeedSource::File(path) => match std::fs::File::open(path) {
                Ok(file) => read_lines(BufReader::with_capacity(1 << 16, file), &tx),
                Err(e) => Err(format!("{}: {e}", path.display())),
            },
        };
        if let Err(message) = result {
            let _ = tx.send(vec![FeedItem::Failed(message)]);
        }
    });
    rx
}

fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// Rows of a Parquet feed read and checked at a time: memory stays flat however long the file.
const PARQUET_PART: usize = 65_536;

fn read_parquet(path: &Path, tx: &SyncSender<Vec<FeedItem>>) -> Result<(), String> {
    let rows = parquet_row_count(path).map_err(|e| e.to_string())?;
    let mut start = 0;
    while start < rows {
        // Each part gets the checks of a bar file (and reports all of its problems) before
        // any of its bars is handed on; that a part follows the one before is checked as for
        // any feed (an older bar is rejected). A bar file holds one symbol and names none: its
        // bars feed a one-symbol run, as the lines of a CSV feed without a symbol column do.
        let options = LoadOptions {
            parquet_rows: Some((start, PARQUET_PART)),
            ..LoadOptions::default()
        };
        let series = load_bars(path, &options).map_err(|e| e.to_string())?;
        let mut batch = Vec::with_capacity(BATCH);
        for i in 0..series.len() {
            batch.push(FeedItem::Bar {
                line: (start + i) as u64 + 1,
                bar: FeedBar {
                    symbol: None,
                    bar: series.bar(i),
                },
            });
            if batch.len() == BATCH && tx.send(std::mem::take(&mut batch)).is_err() {
                return Ok(());
            }
        }
        if !batch.is_empty() && tx.send(batch).is_err() {
            return Ok(());
        }
        start += series.len().max(1);
    }
    Ok(())
}

fn read_lines<R: Read>(
    mut reader: BufReader<R>,
    tx: &SyncSender<Vec<FeedItem>>,
) -> Result<(), String> {
    let mut parser = LineParser::default();
    let mut batch = Vec::with_capacity(BATCH);
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        let read = match reader.by_ref().take(1 << 20).read_until(b'\n', &mut bytes) {
            Ok(read) => read,
            Err(e) => {
                // The lines read before the error are handed on before the feed ends.
                if !batch.is_empty() {
                    let _ = tx.send(batch);
                }
                return Err(format!("reading the feed: {e}"));
            }
        };
        if read == 0 {
            break;
        }
        if let Some(item) = parse_bytes(&mut parser, &bytes) {
            batch.push(item);
        }
        // Hand over what there is when nothing more is buffered (a pipe that delivers a bar at
        // a time), or when the batch is full. Looking at the buffer never waits for the
        // source: a line that has arrived is handed over before the next one does.
        if (batch.len() >= BATCH || reader.buffer().is_empty())
            && !batch.is_empty()
            && tx.send(std::mem::take(&mut batch)).is_err()
        {
            return Ok(());
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
    Ok(())
}

/// The item of one line read as bytes: a line that is not UTF-8 text is rejected like any
/// other malformed line (and counted as a line), not taken for the end of the feed.
fn parse_bytes(parser: &mut LineParser, bytes: &[u8]) -> Option<FeedItem> {
    let (text, bad) = match std::str::from_utf8(bytes) {
        Ok(text) => (std::borrow::Cow::Borrowed(text), None),
        Err(e) => (String::from_utf8_lossy(bytes), Some(e.valid_up_to())),
    };
    let item = parser.parse(text.trim_end_matches(['\n', '\r']))?;
    match (bad, item) {
        (Some(at), FeedItem::Bar { line, .. } | FeedItem::Rejected { line, .. }) => {
            Some(FeedItem::Rejected {
                line,
                reason: format!("not UTF-8 text (an invalid byte after {at} bytes)"),
                text: text.trim().chars().take(200).collect(),
            })
        }
        (_, item) => Some(item),
    }
}

/// Column positions of a CSV feed.
#[derive(Debug, Clone, Copy)]
struct Columns {
    ts: usize,
    open: usize,
    high: usize,
    low: usize,
    close: usize,
    volume: usize,
    symbol: Option<usize>,
    count: usize,
}

/// Turns feed lines into checked bars.
#[derive(Debug, Default)]
pub struct LineParser {
    line: u64,
    header: Option<Columns>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonBar {
    ts: Value,
    open: f64,
    high: f64,
    low: f64,
    close: f64,
    volume: f64,
    symbol: Option<String>,
}

impl LineParser {
    /// The item of the next line; `None` for a blank line or a CSV header.
    pub fn parse(&mut self, text: &str) -> Option<FeedItem> {
        self.line += 1;
        let line = self.line;
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return None;
        }
        let parsed = if trimmed.starts_with('{') {
            parse_json(trimmed)
        } else {
            match self.header {
                None => match parse_header(trimmed) {
                    Ok(columns) => {
                        self.header = Some(columns);
                        return None;
                    }
                    Err(why) => Err(why),
                },
                Some(columns) => parse_csv(trimmed, &columns),
            }
        };
        Some(match parsed.and_then(|b| check_bar(&b.bar).map(|()| b)) {
            Ok(bar) => FeedItem::Bar { line, bar },
            Err(reason) => FeedItem::Rejected {
                line,
                reason,
                text: trimmed.chars().take(200).collect(),
            },
        })
    }
}

fn parse_header(text: &str) -> Result<Columns, String> {
    let names: Vec<String> = text
        .split(',')
        .map(|n| n.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let find = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
    let need = |wanted: &[&str]| {
        find(wanted).ok_or_else(|| {
            format!(
                "expected a CSV header naming ts, open, high, low, close, volume (and symbol), found '{text}' (no '{}' column)",
                wanted[0]
            )
        })
    };
    Ok(Columns {
        ts: need(&["ts", "date", "time", "timestamp"])?,
        open: need(&["open"])?,
        high: need(&["high"])?,
        low: need(&["low"])?,
        close: need(&["close"])?,
        volume: need(&["volume"])?,
        symbol: find(&["symbol"]),
        count: names.len(),
    })
}

fn parse_csv(text: &str, c: &Columns) -> Result<FeedBar, String> {
    // One pass over the cells, no allocation: a minute-bar replay is millions of lines. A wrong
    // field count is reported before a bad value, as it explains the bad value.
    const NAMES: [&str; 5] = ["open", "high", "low", "close", "volume"];
    let places = [c.open, c.high, c.low, c.close, c.volume];
    let mut values = [0.0; 5];
    let (mut ts, mut symbol, mut problem) = (0, None, None);
    let mut count = 0;
    for (i, cell) in text.split(',').enumerate() {
        count += 1;
        if problem.is_some() {
            continue;
        }
        let cell = cell.trim_matches(|c: char| c == '"' || c.is_ascii_whitespace());
        if i == c.ts {
            match parse_ts_text(cell) {
                Ok(t) => ts = t,
                Err(why) => problem = Some(why),
            }
        } else if Some(i) == c.symbol {
            symbol = Some(cell.to_string());
        } else if let Some(k) = places.iter().position(|&p| p == i) {
            match cell.parse::<f64>() {
                Ok(v) => values[k] = v,
                Err(_) => {
                    problem = Some(format!("{}: expected a number, found '{cell}'", NAMES[k]))
                }
            }
        }
    }
    if count != c.count {
        return Err(format!(
            "expected {} comma-separated fields as in the header, found {count}",
            c.count
        ));
    }
    if let Some(why) = problem {
        return Err(why);
    }
    let [open, high, low, close, volume] = values;
    Ok(FeedBar {
        symbol,
        bar: Bar {
            ts,
            open,
            high,
            low,
            close,
            volume,
        },
    })
}

fn parse_json(text: &str) -> Result<FeedBar, String> {
    let bar: JsonBar = serde_json::from_str(text).map_err(|e| format!("JSON: {e}"))?;
    let ts = match &bar.ts {
        Value::String(s) => parse_ts_text(s)?,
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| format!("ts: expected whole milliseconds, found {n}"))?,
        other => {
            return Err(format!(
                "ts: expected a date string or milliseconds, found {other}"
            ));
        }
    };
    Ok(FeedBar {
        symbol: bar.symbol,
        bar: Bar {
            ts,
            open: bar.open,
            high: bar.high,
            low: bar.low,
            close: bar.close,
            volume: bar.volume,
        },
    })
}

fn parse_ts_text(text: &str) -> Result<i64, String> {
    gauntlet_data::timestamp::parse_ts(text).ok_or_else(|| {
        format!(
            "ts: expected {}, found '{text}'",
            gauntlet_data::timestamp::EXPECTED
        )
    })
}

/// The checks a bar file's rows get (see gauntlet-data's validation), for one bar: prices
/// finite and above zero, volume finite and not negative, high at or above low and the body,
/// low at or below the body.
pub fn check_bar(bar: &Bar) -> Result<(), String> {
    for (name, price) in [
        ("open", bar.open),
        ("high", bar.high),
        ("low", bar.low),
        ("close", bar.close),
    ] {
        if !price.is_finite() || price <= 0.0 {
            return Err(format!(
                "{name}: expected a finite price above 0, found {price}"
            ));
        }
    }
    if !bar.volume.is_finite() || bar.volume < 0.0 {
        return Err(format!(
            "volume: expected a finite number, 0 or more, found {}",
            bar.volume
        ));
    }
    if bar.high < bar.low {
        return Err(format!("high {} is below low {}", bar.high, bar.low));
    }
    if bar.high < bar.open.max(bar.close) {
        return Err(format!(
            "high {} is below the body (open {}, close {})",
            bar.high, bar.open, bar.close
        ));
    }
    if bar.low > bar.open.min(bar.close) {
        return Err(format!(
            "low {} is above the body (open {}, close {})",
            bar.low, bar.open, bar.close
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(item: Option<FeedItem>) -> FeedBar {
        match item {
            Some(FeedItem::Bar { bar, .. }) => bar,
            other => panic!("expected a bar, got {other:?}"),
        }
    }

    fn rejected(item: Option<FeedItem>) -> String {
        match item {
            Some(FeedItem::Rejected { reason, .. }) => reason,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn csv_and_json_lines_give_the_same_bar() {
        let mut csv = LineParser::default();
        assert_eq!(csv.parse("date,open,high,low,close,volume"), None);
        let a = bar(csv.parse("2020-01-02,10,12,9,11,1000"));
        let mut json = LineParser::default();
        let b = bar(json
            .parse(r#"{"ts":"2020-01-02","open":10,"high":12,"low":9,"close":11,"volume":1000}"#));
        assert_eq!(a, b);
        // 2020-01-02T00:00:00Z in ms: 18263 days since the epoch times 86_400_000.
        assert_eq!(a.bar.ts, 18_263 * 86_400_000);
        let c = bar(json.parse(
            r#"{"ts":1577923200000,"open":10,"high":12,"low":9,"close":11,"volume":1000,"symbol":"x"}"#,
        ));
        assert_eq!(c.bar, a.bar);
        assert_eq!(c.symbol.as_deref(), Some("x"));
    }

    #[test]
    fn a_parquet_file_feeds_its_bars_in_order_by_parts_naming_no_symbol() {
        use gauntlet_data::synth::{SynthSpec, generate, write_bars};
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bars.parquet");
        let n = PARQUET_PART + 2500;
        let series = generate(&SynthSpec::daily(n, 3));
        write_bars(&series, &path).expect("write");
        let items: Vec<FeedItem> = spawn(FeedSource::File(path)).iter().flatten().collect();
        assert_eq!(items.len(), n, "every bar, over two parts");
        for (i, item) in items.iter().enumerate() {
            let FeedItem::Bar { line, bar } = item else {
                panic!("expected a bar, got {item:?}");
            };
            assert_eq!((*line, bar.symbol.as_deref()), (i as u64 + 1, None));
            assert_eq!(bar.bar, series.bar(i));
        }
    }

    #[test]
    fn bad_lines_are_rejected_with_the_reason() {
        let mut p = LineParser::default();
        p.parse("ts,open,high,low,close,volume");
        assert!(rejected(p.parse("2020-01-02,10,12,9,11")).contains("expected 6"));
        assert!(rejected(p.parse("2020-01-02,ten,12,9,11,5")).contains("open: expected a number"));
        assert!(rejected(p.parse("2020-13-02,10,12,9,11,5")).contains("ts: expected"));
        assert!(rejected(p.parse("2020-01-02,10,8,9,11,5")).contains("high 8 is below low 9"));
        assert!(rejected(p.parse("2020-01-02,10,12,9,11,-5")).contains("volume"));
        assert!(
            rejected(p.parse("2020-01-02,0,12,9,11,5")).contains("open: expected a finite price")
        );
        assert!(rejected(p.parse(r#"{"ts":"2020-01-02","open":1}"#)).contains("JSON"));
        assert!(
            rejected(LineParser::default().parse("nonsense")).contains("expected a CSV header")
        );
    }

    #[test]
    fn a_line_that_is_not_utf8_is_rejected_and_the_feed_goes_on() {
        let text = b"ts,open,high,low,close,volume\n2020-01-02,10,12,9,11,5\n2020-01-03,1\xff,12,9,11,5\n2020-01-06,10,12,9,11,5\n";
        let (tx, rx) = sync_channel(16);
        read_lines(BufReader::new(&text[..]), &tx).expect("read");
        drop(tx);
        let items: Vec<FeedItem> = rx.iter().flatten().collect();
        assert_eq!(items.len(), 3, "{items:?}");
        assert!(matches!(items[0], FeedItem::Bar { line: 2, .. }));
        match &items[1] {
            FeedItem::Rejected { line, reason, text } => {
                assert_eq!(*line, 3);
                assert!(reason.contains("not UTF-8"), "{reason}");
                assert!(text.starts_with("2020-01-03,1"), "{text}");
            }
            other => panic!("expected a rejection, got {other:?}"),
        }
        assert!(matches!(items[2], FeedItem::Bar { line: 4, .. }));
    }

    /// A source that delivers `first`, then waits until it is let go before it ends.
    struct Pipe {
        first: Option<Vec<u8>>,
        release: std::sync::mpsc::Receiver<()>,
    }

    impl Read for Pipe {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.first.take() {
                Some(data) => {
                    buf[..data.len()].copy_from_slice(&data);
                    Ok(data.len())
                }
                None => {
                    let _ = self.release.recv();
                    Ok(0)
                }
            }
        }
    }

    #[test]
    fn a_line_that_arrived_is_handed_over_before_the_next_one_arrives() {
        let (release, wait) = std::sync::mpsc::channel();
        let pipe = Pipe {
            first: Some(b"ts,open,high,low,close,volume\n2020-01-02,10,12,9,11,5\n".to_vec()),
            release: wait,
        };
        let (tx, rx) = sync_channel(16);
        let reader = std::thread::spawn(move || read_lines(BufReader::new(pipe), &tx));
        let batch = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the bar is handed over while the source is quiet");
        assert!(
            matches!(batch[..], [FeedItem::Bar { line: 2, .. }]),
            "{batch:?}"
        );
        release.send(()).expect("release");
        reader.join().expect("reader").expect("read");
    }
}
