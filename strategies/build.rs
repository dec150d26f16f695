//! Computes every strategy's code fingerprint: the SHA-256 of its module's source, its rule
//! (`NAME.md`) and the shared book-keeping module, so that any change to what a strategy does
//! changes its fingerprint, and an approval of the old code no longer matches.

use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

/// Files every strategy's behaviour depends on besides its own module.
const SHARED: &[&str] = &["book.rs"];

fn main() {
    let src = Path::new("src");
    println!("cargo::rerun-if-changed=src");
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
        let mut files = vec![format!("{name}.rs"), format!("{name}.md")];
        files.extend(SHARED.iter().map(|s| s.to_string()));
        for file in files {
            let path = src.join(&file);
            if let Ok(bytes) = std::fs::read(&path) {
                // The name goes in too, so moving code between files changes the hash.
                hasher.update(file.as_bytes());
                hasher.update((bytes.len() as u64).to_le_bytes());
                hasher.update(&bytes);
            }
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
