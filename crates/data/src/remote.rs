//! Bar files named by an object storage URL (`s3://`, `gs://`, `az://`, `abfs://`, `file://`…),
//! read through the `object_store` crate when gauntlet is built with the `object-store` feature.
//!
//! The object is copied whole into a temporary folder under its own file name and loaded from
//! there like any local file, with the same checks; the folder is removed once the bars are in
//! memory. Credentials come from the usual variables of each service (`AWS_ACCESS_KEY_ID`,
//! `AWS_REGION`, `GOOGLE_SERVICE_ACCOUNT`, `AZURE_STORAGE_ACCOUNT_NAME`…), which `object_store`
//! reads under their lower-case names.

use std::path::Path;

use crate::error::DataError;
use crate::{BarSeries, LoadOptions, load_bars};

/// True when `text` names an object by URL rather than a file by path.
pub fn is_url(text: &str) -> bool {
    text.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// Loads the bars at `location`: a local path, or an object URL (see the module docs).
pub fn load_bars_anywhere(location: &Path, options: &LoadOptions) -> Result<BarSeries, DataError> {
    match location.to_str().filter(|t| is_url(t)) {
        Some(url) => fetch_and_load(url, options),
        None => load_bars(location, options),
    }
}

#[cfg(not(feature = "object-store"))]
fn fetch_and_load(url: &str, _options: &LoadOptions) -> Result<BarSeries, DataError> {
    Err(DataError::Remote {
        url: url.to_string(),
        message: "this gauntlet was built without object storage; build it with \
                  `cargo build --release --features object-store` to read URLs"
            .to_string(),
    })
}

#[cfg(feature = "object-store")]
fn fetch_and_load(url: &str, options: &LoadOptions) -> Result<BarSeries, DataError> {
    use object_store::ObjectStoreExt;

    let fail = |message: String| DataError::Remote {
        url: url.to_string(),
        message,
    };
    let parsed = url::Url::parse(url).map_err(|e| fail(format!("not a URL: {e}")))?;
    let variables = std::env::vars().map(|(k, v)| (k.to_ascii_lowercase(), v));
    let (store, path) =
        object_store::parse_url_opts(&parsed, variables).map_err(|e| fail(e.to_string()))?;
    let name = path
        .filename()
        .map(str::to_string)
        .ok_or_else(|| fail("the URL names no object".into()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(format!("cannot start the I/O runtime: {e}")))?;
    let bytes = runtime
        .block_on(async { store.get(&path).await?.bytes().await })
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    let folder = tempfile::tempdir().map_err(|e| fail(format!("no temporary folder: {e}")))?;
    let local: std::path::PathBuf = folder.path().join(name);
    std::fs::write(&local, &bytes).map_err(|e| fail(format!("cannot keep a copy: {e}")))?;
    load_bars(&local, options).map_err(|e| fail(format!("{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths() {
        for url in [
            "s3://bucket/bars/sp500_daily.parquet",
            "gs://b/x.csv",
            "az://container/x.csv",
            "file:///data/x.csv",
        ] {
            assert!(is_url(url), "{url}");
        }
        for path in [
            "data/sp500_daily.csv",
            "/abs/x.csv",
            "../x://y.csv",
            "://x.csv",
        ] {
            assert!(!is_url(path), "{path}");
        }
    }
}
