//! `gauntlet live`: load the approval, refuse what does not match it, restore the checkpoint
//! and replay the log after it, then trade the feed until it ends or a signal stops the run.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use gauntlet_engine::{Engine, EngineConfig};
use gauntlet_registry::chain::GENESIS;
use gauntlet_registry::{Approval, Manifest, ManifestError};
use gauntlet_risk::{ExternalCause, RiskConfig};
use gauntlet_strategies::{CatalogStrategy, StrategyVisitor};
use serde_json::json;

use crate::audit::{AuditError, AuditLog, Durability};
use crate::checkpoint::{self, Checkpoint, CheckpointError};
use crate::control::{self, Request};
use crate::feed::{self, FeedItem, FeedSource};
use crate::paper::PaperBroker;
use crate::session::{Counts, Session};
use crate::window::BarWindow;

/// How a live run is set up.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// The approvals manifest.
    pub approvals: PathBuf,
    /// The strategy to run (needed when several are approved).
    pub strategy: Option<String>,
    /// Where bars come from.
    pub feed: FeedSource,
    /// The state folder (checkpoint, status, operator requests).
    pub state: PathBuf,
    /// The audit log.
    pub audit: PathBuf,
    /// Replay a file at this multiple of bar time (`None`: as fast as possible).
    pub speed: Option<f64>,
    /// Halt new risk when no bar arrives for this long.
    pub stall_after: Option<Duration>,
    /// When the audit log reaches the disk.
    pub durability: Durability,
    /// Checkpoint every this many steps.
    pub checkpoint_every: u64,
    /// Halt after this many rejected feed lines in a row.
    pub max_rejections: u32,
    /// Parameters the operator expects (`name=value`): refused unless the approval's.
    pub params: Vec<String>,
    /// The risk file the operator expects: refused unless it is the approval's config.
    pub risk: Option<PathBuf>,
}

/// Why a run stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The feed ended.
    EndOfFeed,
    /// SIGINT or SIGTERM.
    Signal,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSummary {
    /// The strategy.
    pub strategy: String,
    /// Its approval's seq.
    pub approval: u64,
    /// Counts of this run (the replay after a restart not included).
    pub counts: Counts,
    /// Steps replayed from the log after the checkpoint on a restart.
    pub replayed: Option<u64>,
    /// fsync calls on the audit log.
    pub fsyncs: u64,
    /// The audit log's last seq.
    pub audit_seq: u64,
    /// Why it stopped.
    pub stop: Stop,
}

/// Why a run could not start or carry on.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The approval does not allow this run.
    #[error("refused: {0}")]
    Refused(String),
    /// The manifest cannot be read.
    #[error(transparent)]
    Manifest(ManifestError),
    /// The audit log cannot be used.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// The checkpoint cannot be used.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// Anything else a user can fix (a flag, a file).
    #[error("{0}")]
    Setup(String),
}

/// Runs the approved strategy on the feed until it ends or a signal stops it.
pub fn run(config: &LiveConfig) -> Result<LiveSummary, LiveError> {
    let manifest = Manifest::open(&config.approvals).map_err(|e| match e {
        ManifestError::Broken { .. } => LiveError::Refused(e.to_string()),
        other => LiveError::Manifest(other),
    })?;
    let (seq, approval) = manifest
        .active(config.strategy.as_deref())
        .map_err(|e| match e {
            ManifestError::NoEntry { .. } => LiveError::Refused(e.to_string()),
            other => LiveError::Manifest(other),
        })?;
    let approval_sha256 = manifest
        .entry(seq)
        .map(|e| e.sha256.clone())
        .unwrap_or_default();
    check_approval(approval, config)?;
    let params = approval.params().map_err(LiveError::Refused)?;
    let risk = approval.risk_config().map_err(LiveError::Refused)?;
    let info = gauntlet_strategies::info(&approval.strategy.name)
        .map_err(|e| LiveError::Refused(e.to_string()))?;
    let symbols: Vec<String> = approval
        .data
        .iter()
        .take(info.symbols)
        .map(|d| d.symbol.clone())
        .collect();
    let setup = Setup {
        config,
        approval,
        seq,
        approval_sha256,
        risk,
        symbols,
    };
    gauntlet_strategies::build(&approval.strategy.name, &params, setup)
        .map_err(|e| LiveError::Refused(e.to_string()))?
}

/// Refuses a run whose approval no longer matches the binary, or whose expected parameters or
/// risk file differ from the approved ones.
fn check_approval(approval: &Approval, config: &LiveConfig) -> Result<(), LiveError> {
    let mut problems: Vec<String> = approval
        .mismatches()
        .into_iter()
        .map(|m| format!("{}: {}", m.field, m.detail))
        .collect();
    for assignment in &config.params {
        let (name, value) = assignment.split_once('=').unwrap_or((assignment, ""));
        let approved = approval
            .parameters
            .get(name.trim())
            .map(gauntlet_registry::parameter_text);
        if approved.as_deref() != Some(value.trim()) {
            problems.push(format!(
                "parameter {}={} differs from the approved {}",
                name.trim(),
                value.trim(),
                approved.map_or("(none)".to_string(), |a| format!("{}={a}", name.trim()))
            ));
        }
    }
    if let Some(path) = &config.risk {
        let expected = RiskConfig::load(path).map_err(|e| LiveError::Setup(e.to_string()))?;
        let expected = serde_json::to_value(expected).unwrap_or_default();
        if let (Some(want), Some(have)) = (expected.as_object(), approval.risk.config.as_object()) {
            for (key, value) in want {
                if have.get(key) != Some(value) {
                    problems.push(format!(
                        "risk config {key} = {value} in {} differs from the approved {}",
                        path.display(),
                        have.get(key).map_or("(none)".into(), |v| v.to_string())
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(LiveError::Refused(format!(
            "{} {} (approval by {} at {}) does not match: {}",
            approval.strategy.name,
            approval.strategy.version,
            approval.approved_by,
            approval.approved_at,
            problems.join("; ")
        )))
    }
}

struct Setup<'a> {
    config: &'a LiveConfig,
    approval: &'a Approval,
    seq: u64,
    approval_sha256: String,
    risk: RiskConfig,
    symbols: Vec<String>,
}

impl StrategyVisitor for Setup<'_> {
    type Output = Result<LiveSummary, LiveError>;

    fn visit<S: CatalogStrategy>(self, strategy: S) -> Self::Output {
        trade(self, strategy)
    }
}

/// Signals, as flags the loop reads.
struct Signals {
    stop: Arc<AtomicBool>,
    halt: Arc<AtomicBool>,
}

impl Signals {
    fn register() -> Result<Signals, LiveError> {
        use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1};
        let stop = Arc::new(AtomicBool::new(false));
        let halt = Arc::new(AtomicBool::new(false));
        for (signal, flag) in [(SIGINT, &stop), (SIGTERM, &stop), (SIGUSR1, &halt)] {
            signal_hook::flag::register(signal, Arc::clone(flag))
                .map_err(|e| LiveError::Setup(format!("cannot watch signal {signal}: {e}")))?;
        }
        Ok(Signals { stop, halt })
    }
}

/// How often the loop looks at signals and requests while the feed is quiet, and every how
/// many feed items while it is busy.
const POLL: Duration = Duration::from_millis(50);
const POLL_ITEMS: u32 = 512;

/// The least wall time between two checkpoints: a file replayed at full speed would otherwise
/// spend more time checkpointing than trading, and a restart replays at most this much of
/// the log on top of `--checkpoint-every` bars.
const CHECKPOINT_GAP: Duration = Duration::from_millis(250);

fn trade<S: CatalogStrategy>(setup: Setup<'_>, strategy: S) -> Result<LiveSummary, LiveError> {
    let config = setup.config;
    let signals = Signals::register()?;
    // The feed starts reading (a Parquet file loads and is checked whole) while the state is
    // restored and the log verified.
    let feed = feed::spawn(config.feed.clone());
    std::fs::create_dir_all(&config.state)
        .map_err(|e| LiveError::Setup(format!("{}: {e}", config.state.display())))?;
    let approval = setup.approval;
    let broker = PaperBroker {
        costs: approval.costs,
        fractional: !approval.whole_shares,
    };
    let restored = checkpoint::load::<S>(&config.state, setup.seq, &setup.approval_sha256)
        .map_err(|e| {
            if e.other_approval {
                LiveError::Refused(e.to_string())
            } else {
                LiveError::Checkpoint(e)
            }
        })?;
    let (engine, window, rejected_in_row, audit_seq, audit_sha256) = match restored {
        Some(c) => (
            Engine::restore(c.engine, broker),
            c.window,
            c.rejected_in_row,
            c.audit_seq,
            c.audit_sha256,
        ),
        None => {
            let keep = gauntlet_strategy::Strategy::history(&strategy);
            let engine_config = EngineConfig {
                initial_capital: approval.capital,
                trade_from: 0,
            };
            let n = setup.symbols.len();
            (
                Engine::new(strategy, broker, setup.risk, engine_config, n, 0),
                BarWindow::new(n, keep),
                0,
                0,
                GENESIS.to_string(),
            )
        }
    };
    let (log, after) =
        AuditLog::open(&config.audit, config.durability, (audit_seq, &audit_sha256))?;
    let mut session = Session::new(
        engine,
        window,
        log,
        setup.symbols.clone(),
        rejected_in_row,
        config.max_rejections,
    );
    let replayed = if audit_seq > 0 || !after.is_empty() {
        let steps_before = session.window.next_index();
        let (made, logged) = session.replay(&after).map_err(LiveError::Setup)?;
        if made != logged {
            return Err(LiveError::Refused(format!(
                "{}: replaying the {} entries after the checkpoint made {made} fills, the log holds {logged}: the log does not follow from its bars",
                config.audit.display(),
                after.len()
            )));
        }
        Some((session.window.next_index() - steps_before) as u64)
    } else {
        None
    };
    session.start(json!({
        "approval": setup.seq, "approval_sha256": setup.approval_sha256,
        "strategy": approval.strategy, "parameters": approval.parameters,
        "risk_sha256": approval.risk.sha256, "symbols": setup.symbols,
        "durability": format!("{:?}", config.durability).to_lowercase(),
        "checkpoint_every": config.checkpoint_every, "max_rejections": config.max_rejections,
        "stall_after_ms": config.stall_after.map(|d| d.as_millis() as u64),
        "resumed_at_step": replayed.map(|_| session.window.next_index()),
    }))?;
    let stopped = run_session(&mut session, &setup, &signals, &feed);
    let stop = match stopped {
        Ok(stop) => stop,
        Err(error) => {
            session.fail(&error.to_string());
            return Err(error);
        }
    };
    Ok(LiveSummary {
        strategy: approval.strategy.name.clone(),
        approval: setup.seq,
        counts: session.counts,
        replayed,
        fsyncs: session.log.fsyncs(),
        audit_seq: session.log.seq(),
        stop,
    })
}

/// The session from its first checkpoint to its last: the state is written once before the
/// first bar is traded, so that a state folder that cannot be written stops the run before it
/// takes any risk.
fn run_session<S: CatalogStrategy>(
    session: &mut Session<S>,
    setup: &Setup<'_>,
    signals: &Signals,
    feed: &Receiver<Vec<FeedItem>>,
) -> Result<Stop, LiveError> {
    save(session, setup)?;
    let stop = feed_loop(session, setup, signals, feed)?;
    let reason = match stop {
        Stop::EndOfFeed => "end of feed",
        Stop::Signal => "signal",
    };
    session.shutdown(reason, stop == Stop::Signal)?;
    save(session, setup)?;
    Ok(stop)
}

fn feed_loop<S: CatalogStrategy>(
    session: &mut Session<S>,
    setup: &Setup<'_>,
    signals: &Signals,
    rx: &Receiver<Vec<FeedItem>>,
) -> Result<Stop, LiveError> {
    let config = setup.config;
    let mut last_bar = Instant::now();
    let mut stalled = false;
    let mut pace: Option<(Instant, i64)> = None;
    let mut since_poll = 0u32;
    let mut since_checkpoint = 0u64;
    let mut last_checkpoint = Instant::now();
    loop {
        if poll(session, config, signals)? {
            return Ok(Stop::Signal);
        }
        let batch = match rx.recv_timeout(POLL) {
            Ok(batch) => batch,
            Err(RecvTimeoutError::Timeout) => {
                session.log.tick()?;
                if let Some(limit) = config.stall_after
                    && !stalled
                    && last_bar.elapsed() >= limit
                {
                    stalled = true;
                    let why = format!("no bar for {} ms", limit.as_millis());
                    session.halt(ExternalCause::FeedStalled, &why);
                    session.flush()?;
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return Ok(Stop::EndOfFeed),
        };
        session.log.tick()?;
        if batch
            .iter()
            .any(|item| matches!(item, FeedItem::Bar { .. }))
        {
            last_bar = Instant::now();
            stalled = false;
        }
        for item in batch {
            since_poll += 1;
            if since_poll >= POLL_ITEMS {
                since_poll = 0;
                if poll(session, config, signals)? {
                    return Ok(Stop::Signal);
                }
            }
            match item {
                FeedItem::Bar { line, bar } => {
                    // A bar processed before a restart is skipped at once, not paced again.
                    if let Some(speed) = config.speed
                        && !session.processed(bar.bar.ts)
                    {
                        let (start, first) = *pace.get_or_insert((Instant::now(), bar.bar.ts));
                        let due = Duration::from_secs_f64(
                            ((bar.bar.ts - first).max(0) as f64 / 1000.0) / speed,
                        );
                        // The clock moves between reading it and subtracting: a bar that
                        // fell due in between is simply due, not a negative wait.
                        while let Some(wait) = due.checked_sub(start.elapsed()) {
                            if wait.is_zero() {
                                break;
                            }
                            if poll(session, config, signals)? {
                                return Ok(Stop::Signal);
                            }
                            std::thread::sleep(due.saturating_sub(start.elapsed()).min(POLL));
                        }
                        // A paced bar arrives now, not when its batch did.
                        session.log.tick()?;
                        last_bar = Instant::now();
                    }
                    match session.symbol_index(bar.symbol.as_deref()) {
                        Ok(symbol) => {
                            let steps = session.counts.steps;
                            session.accept(symbol, bar.bar, line)?;
                            since_checkpoint += session.counts.steps - steps;
                        }
                        Err(reason) => session.reject(line, &reason, "")?,
                    }
                }
                FeedItem::Rejected { line, reason, text } => {
                    session.reject(line, &reason, &text)?;
                }
                FeedItem::Failed(message) => return Err(LiveError::Setup(message)),
            }
        }
        if since_checkpoint >= config.checkpoint_every
            && last_checkpoint.elapsed() >= CHECKPOINT_GAP
        {
            since_checkpoint = 0;
            save(session, setup)?;
            last_checkpoint = Instant::now();
        }
    }
}

/// Acts on signals and operator requests; true when the run must stop.
fn poll<S: CatalogStrategy>(
    session: &mut Session<S>,
    config: &LiveConfig,
    signals: &Signals,
) -> Result<bool, LiveError> {
    if signals.halt.swap(false, Ordering::Relaxed) {
        session.halt(ExternalCause::Operator, "SIGUSR1");
        session.flush()?;
    }
    for request in control::take(&config.state) {
        match request {
            Request::Halt(why) => session.halt(ExternalCause::Operator, &why),
            Request::Resume(why) => session.resume(&why),
        }
        session.flush()?;
    }
    Ok(signals.stop.load(Ordering::Relaxed))
}

/// Checkpoints the session: the log is synced first, so that the state is never ahead of the
/// log it recovers from.
fn save<S: CatalogStrategy>(session: &mut Session<S>, setup: &Setup<'_>) -> Result<(), LiveError> {
    let head = session.log.sync()?;
    let checkpoint = Checkpoint {
        version: checkpoint::CHECKPOINT_VERSION,
        approval_seq: setup.seq,
        approval_sha256: setup.approval_sha256.clone(),
        engine: session.engine.state(),
        window: session.window.clone(),
        rejected_in_row: session.rejected_in_row,
        audit_seq: head.seq,
        audit_sha256: head.sha256,
    };
    let portfolio = session.engine.portfolio();
    let status = json!({
        "strategy": setup.approval.strategy.name,
        "approval": setup.seq,
        "steps": session.window.next_index(),
        "last_bar_ts": session.window.last_ts(),
        "cash": portfolio.cash(),
        "positions": setup.symbols.iter().zip(portfolio.quantities())
            .map(|(s, q)| json!({ "symbol": s, "quantity": q })).collect::<Vec<_>>(),
        "pending_orders": session.engine.pending().len(),
        "halted": session.engine.risk().halted(),
        "audit_seq": checkpoint.audit_seq,
    });
    checkpoint::save(&setup.config.state, &checkpoint, &status)?;
    Ok(())
}
