//! Orders to a running runner from outside: `gauntlet live halt|resume --state DIR` leave a
//! request file in the state folder, which the runner picks up within a fraction of a second
//! (or when it next starts). SIGUSR1 halts too.

use std::path::Path;

/// The request file for an emergency halt.
pub const HALT_REQUEST: &str = "halt.request";
/// The request file for a resume.
pub const RESUME_REQUEST: &str = "resume.request";

/// What an operator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Halt: cancel waiting orders, refuse new risk.
    Halt(String),
    /// Resume taking risk.
    Resume(String),
}

/// Leaves a request for the runner of `state` (written atomically).
pub fn request(state: &Path, request: &Request) -> std::io::Result<()> {
    let (file, reason) = match request {
        Request::Halt(r) => (HALT_REQUEST, r),
        Request::Resume(r) => (RESUME_REQUEST, r),
    };
    std::fs::create_dir_all(state)?;
    gauntlet_data::atomic::write_file(&state.join(file), |out| {
        std::io::Write::write_all(out, reason.as_bytes())
    })
}

/// Takes the requests waiting in `state` (a halt before a resume), removing their files.
pub fn take(state: &Path) -> Vec<Request> {
    let mut out = Vec::new();
    for (file, make) in [
        (HALT_REQUEST, Request::Halt as fn(String) -> Request),
        (RESUME_REQUEST, Request::Resume as fn(String) -> Request),
    ] {
        let path = state.join(file);
        if let Ok(reason) = std::fs::read_to_string(&path) {
            let _ = std::fs::remove_file(&path);
            out.push(make(reason.trim().to_string()));
        }
    }
    out
}
