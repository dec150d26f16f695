//! The group commit of a batch log: a thread that fsyncs the log every few milliseconds while
//! the writer thread goes on sealing and writing.
//!
//! Each fsync waits for the disk (the data written since the last one, and the journal entry
//! for the file's new length). Done by the writer itself, that wait held up the writer, then
//! the trading thread behind it: about a third of a million-bar replay's time went to it. Here
//! the writer only tells the syncer that it wrote; the syncer fsyncs at most every `every`,
//! and a crash still loses at most the entries of the last few milliseconds.

use std::fs::File;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What the writer and the syncer share.
#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// Writes made so far (a count, not bytes: the syncer only needs to know there were more).
    writes: u64,
    /// The writer is done: the syncer stops.
    stop: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The handle the writer holds on its syncer.
#[derive(Debug)]
pub(super) struct Syncer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Syncer {
    /// Starts fsyncing `file` every `every` while it has unsynced writes; each fsync is counted
    /// in `fsyncs`, and the first failure is kept in `error`.
    pub(super) fn start(
        file: File,
        every: Duration,
        fsyncs: Arc<Mutex<u64>>,
        error: Arc<Mutex<Option<String>>>,
    ) -> Syncer {
        let shared = Arc::new(Shared::default());
        let theirs = Arc::clone(&shared);
        let thread = std::thread::spawn(move || run(&file, &theirs, every, &fsyncs, &error));
        Syncer {
            shared,
            thread: Some(thread),
        }
    }

    /// Tells the syncer that the writer wrote.
    pub(super) fn wrote(&self) {
        self.shared.lock().writes += 1;
        self.shared.wake.notify_one();
    }
}

impl Drop for Syncer {
    /// Stops the syncer without a last fsync: the writer makes its own when it stops.
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    file: &File,
    shared: &Shared,
    every: Duration,
    fsyncs: &Mutex<u64>,
    error: &Mutex<Option<String>>,
) {
    let mut synced = 0;
    let mut last_sync = Instant::now();
    loop {
        let writes = {
            let mut state = shared.lock();
            loop {
                if state.stop {
                    return;
                }
                let since = last_sync.elapsed();
                if state.writes > synced && since >= every {
                    break state.writes;
                }
                // Asleep until there is a write to sync, then until it is due.
                state = if state.writes > synced {
                    shared
                        .wake
                        .wait_timeout(state, every - since)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                } else {
                    shared.wake.wait(state).unwrap_or_else(|p| p.into_inner())
                };
            }
        };
        last_sync = Instant::now();
        match file.sync_data() {
            Ok(()) => {
                synced = writes;
                *fsyncs.lock().unwrap_or_else(|p| p.into_inner()) += 1;
            }
            Err(e) => {
                error
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert(e.to_string());
                return;
            }
        }
    }
}
