//! Computes every strategy's code fingerprint: the SHA-256 of its module's source and its rule
//! (`NAME.md`), of the modules every strategy shares (the catalog in `lib.rs`, the book-keeping
//! in `book.rs`) and of the `gauntlet-strategy` crate (the indicators and the strategy
//! contract), so that a change to any of them changes the fingerprint and an approval of the
//! old code no longer matches. The engine and the risk manager are not included: they are the
//! tool's, not the strategy's, and the report records the tool's version.

use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

/// Files of this crate every strategy's behaviour depends on besides its own module.
const SHARED: &[&str] = &["lib.rs", "book.rs"];

/// The strategy contract and the indicators.
const STRATEGY_CRATE: &str = "../crates/strategy/src";

/// Every `.rs` file under `dir`, sorted, as `(path relative to dir, bytes)`.
fn sources(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let entries =
            std::fs::read_dir(&folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let bytes =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let name = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned();
                found.push((name, bytes));
            }
        }
    }
    found.sort();
    found
}

fn main() {
    let src = Path::new("src");
    println!("cargo::rerun-if-changed=src");
    println!("cargo::rerun-if-changed={STRATEGY_CRATE}");
    let contract = sources(Path::new(STRATEGY_CRATE));
    let mut names: Vec<String> = std::fs::read_dir(src)
        .expect("strategies/src is readable")
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|f| f.strip_suffix(".rs").map(str::to_string))
        .filter(|n| n != "lib" && !SHARED.contains(&format!("{n}.rs").as_str()))
        .collect();
    names.sort();
    let mut table = String::from(
        "/// `(strategy module, SHA-256 of its source, rule and shared modules)`, written by build.rs.\n\
         pub(crate) const FINGERPRINTS: &[(&str, &str)] = &[\n",
    );
    for name in &names {
        let mut hasher = Sha256::new();
        let mut add = |file: &str, bytes: &[u8]| {
            // The name and length go in too, so moving code between files changes the hash.
            hasher.update(file.as_bytes());
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        let mut files = vec![format!("{name}.rs"), format!("{name}.md")];
        files.extend(SHARED.iter().map(|s| s.to_string()));
        for file in files {
            let path = src.join(&file);
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            add(&file, &bytes);
        }
        for (file, bytes) in &contract {
            add(&format!("gauntlet-strategy/{file}"), bytes);
        }
        let hex = hasher.finalize().iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        table.push_str(&format!("    (\"{name}\", \"{hex}\"),\n"));
    }
    table.push_str("];\n");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("fingerprints.rs"), table).expect("OUT_DIR is writable");
}
