//! The runner's state on disk: written atomically (temporary file, fsync, rename) every N bars
//! and at shutdown, in CBOR so that every number comes back exactly. Beside it, `status.json`
//! says the same for people (positions, cash, halt, last bar, audit seq).

use std::path::{Path, PathBuf};

use gauntlet_engine::EngineState;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::window::BarWindow;

/// Layout version of the checkpoint file.
pub const CHECKPOINT_VERSION: u32 = 1;
/// The checkpoint's file name in the state folder.
pub const CHECKPOINT_FILE: &str = "checkpoint.cbor";
/// The people's summary's file name in the state folder.
pub const STATUS_FILE: &str = "status.json";

/// Everything a restarted runner needs to carry on where it stopped.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint<S> {
    /// [`CHECKPOINT_VERSION`].
    pub version: u32,
    /// The approval run: its seq and hash in the manifest.
    pub approval_seq: u64,
    /// Its hash.
    pub approval_sha256: String,
    /// Strategy, risk manager, account, orders.
    pub engine: EngineState<S>,
    /// The bars held.
    pub window: BarWindow,
    /// Rejected feed lines in a row.
    pub rejected_in_row: u32,
    /// The last audit entry covered by this state.
    pub audit_seq: u64,
    /// Its hash.
    pub audit_sha256: String,
}

/// Why a checkpoint cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct CheckpointError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
    /// The state is sound but belongs to another approval (a refusal, not a broken file).
    pub other_approval: bool,
}

/// The approval a checkpoint's state belongs to.
#[derive(Deserialize)]
struct Owner {
    approval_seq: u64,
    approval_sha256: String,
}

/// The checkpoint in `dir`, if there is one, provided it belongs to approval `seq` with hash
/// `sha256`; the state of another approval (another strategy, perhaps) is refused before it
/// is read as this one's.
pub fn load<S: DeserializeOwned>(
    dir: &Path,
    seq: u64,
    sha256: &str,
) -> Result<Option<Checkpoint<S>>, CheckpointError> {
    let path = dir.join(CHECKPOINT_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CheckpointError {
                path,
                message: e.to_string(),
                other_approval: false,
            });
        }
    };
    let not_ours = |e: ciborium::de::Error<std::io::Error>| CheckpointError {
        path: path.clone(),
        message: format!("not a checkpoint of this gauntlet: {e}"),
        other_approval: false,
    };
    let owner: Owner = ciborium::from_reader(&bytes[..]).map_err(not_ours)?;
    if owner.approval_seq != seq || owner.approval_sha256 != sha256 {
        return Err(CheckpointError {
            path,
            message: format!(
                "this state belongs to approval {}, not to approval {seq}: start with a fresh --state",
                owner.approval_seq
            ),
            other_approval: true,
        });
    }
    let checkpoint: Checkpoint<S> =
        ciborium::from_reader(&bytes[..]).map_err(|e| CheckpointError {
            path: path.clone(),
            message: format!("not a checkpoint of this gauntlet: {e}"),
            other_approval: false,
        })?;
    if checkpoint.version != CHECKPOINT_VERSION {
        return Err(CheckpointError {
            path,
            message: format!(
                "checkpoint version {}, this gauntlet reads {CHECKPOINT_VERSION}",
                checkpoint.version
            ),
            other_approval: false,
        });
    }
    Ok(Some(checkpoint))
}

/// Writes `checkpoint` and `status` into `dir`, each atomically.
pub fn save<S: Serialize>(
    dir: &Path,
    checkpoint: &Checkpoint<S>,
    status: &serde_json::Value,
) -> Result<(), CheckpointError> {
    let path = dir.join(CHECKPOINT_FILE);
    let fail = |path: &Path, e: std::io::Error| CheckpointError {
        path: path.to_path_buf(),
        message: format!(
            "cannot write the state: {e}. The runner stops here: the audit log holds every step taken, and a restart replays them once the state can be written"
        ),
        other_approval: false,
    };
    gauntlet_data::atomic::write_file(&path, |out| {
        ciborium::into_writer(checkpoint, out).map_err(std::io::Error::other)
    })
    .map_err(|e| fail(&path, e))?;
    let status_path = dir.join(STATUS_FILE);
    gauntlet_data::atomic::write_file(&status_path, |out| {
        serde_json::to_writer_pretty(&mut *out, status)?;
        std::io::Write::write_all(out, b"\n")
    })
    .map_err(|e| fail(&status_path, e))
}
