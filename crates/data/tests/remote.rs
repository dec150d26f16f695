//! Bar files read through object storage URLs (the `object-store` feature), with `file://`
//! URLs standing in for a bucket: the same bars as the file read directly, and errors that name
//! the URL.

#![cfg(feature = "object-store")]

use std::path::{Path, PathBuf};

use gauntlet_data::remote::load_bars_anywhere;
use gauntlet_data::{DataError, LoadOptions, load_bars};

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/sp500_daily.csv")
        .canonicalize()
        .expect("the shipped data")
}

#[test]
fn a_file_url_gives_the_files_bars() {
    let options = LoadOptions::default();
    let local = load_bars(&shipped(), &options).expect("local");
    let url = format!("file://{}", shipped().display());
    let remote = load_bars_anywhere(Path::new(&url), &options).expect("by URL");
    assert_eq!(remote.symbol(), "sp500_daily");
    assert_eq!(remote.fingerprint(), local.fingerprint());
    assert_eq!(remote.len(), local.len());
}

#[test]
fn a_missing_object_is_named_by_its_url() {
    let url = format!(
        "file://{}",
        shipped().with_file_name("no_such_file.csv").display()
    );
    let error =
        load_bars_anywhere(Path::new(&url), &LoadOptions::default()).expect_err("no such object");
    assert!(matches!(error, DataError::Remote { .. }), "{error}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("{url}: cannot read")),
        "{error}"
    );
}
