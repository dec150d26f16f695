//! Panics of third-party decoders, contained.
//!
//! polars' Parquet reader trusts the file it reads: a damaged footer or page makes it panic
//! (fuzzing found a thrift field of the wrong type and a column chunk placed past the end of
//! the file; see `fuzz/README.md`). A damaged file must be an error that names it, not a crash,
//! and gauntlet cannot check every invariant polars assumes before handing it the bytes. So
//! every call into the Parquet decoder runs inside [`contain`], which turns its panic into
//! [`DataError::Unreadable`].
//!
//! A panic hook still runs before the panic is caught. A process that prints panics as bugs
//! (the CLI) or aborts on them (a fuzz target) asks [`containing`] first and stays quiet while
//! a contained call is under way: that panic is reported as an error about the file instead.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::DataError;

/// Contained calls under way, on any thread (polars decodes on its own thread pool, so the
/// panic may come from a thread other than the caller's).
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// True while a contained decoder call is under way: a panic now is most likely that
/// decoder's, and will be reported as an error about its file.
pub fn containing() -> bool {
    ACTIVE.load(Ordering::SeqCst) > 0
}

/// Runs `decode` on the file at `path`; a panic inside it becomes [`DataError::Unreadable`].
pub(crate) fn contain<T>(
    path: &Path,
    decode: impl FnOnce() -> Result<T, DataError>,
) -> Result<T, DataError> {
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    let outcome = catch_unwind(AssertUnwindSafe(decode));
    ACTIVE.fetch_sub(1, Ordering::SeqCst);
    outcome.unwrap_or_else(|payload| {
        Err(DataError::Unreadable {
            path: path.to_path_buf(),
            message: format!(
                "the Parquet decoder gave up on it ({}): the file is damaged or is not Parquet",
                panic_text(payload.as_ref())
            ),
        })
    })
}

fn panic_text(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_naming_the_file() {
        let path = Path::new("damaged.parquet");
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let result: Result<(), DataError> = contain(path, || panic!("thrift bool field"));
        std::panic::set_hook(quiet);
        let message = result.expect_err("contained").to_string();
        assert!(message.starts_with("damaged.parquet: "), "{message}");
        assert!(message.contains("thrift bool field"), "{message}");
        assert!(!containing());
        assert_eq!(contain(path, || Ok(7)).expect("no panic"), 7);
    }
}
