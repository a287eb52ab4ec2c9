//! `cargo run -p uniffi-bindgen -- generate --library <lib> --language kotlin|swift --out-dir <dir>`
//!
//! uniffi's own bindgen, then, for Kotlin, one rewrite of the generated call helpers (see
//! `kotlin_call_status`), so every build of the bindings (tests, Gradle, packaging) gets it.

mod kotlin_call_status;

use std::path::{Path, PathBuf};

fn main() -> std::process::ExitCode {
    uniffi::uniffi_bindgen_main();
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1));
    let kotlin = args.get(1).is_some_and(|c| c == "generate") && value("--language").is_some_and(|l| l == "kotlin");
    match (kotlin, value("--out-dir")) {
        (true, Some(dir)) => match rewrite_dir(Path::new(dir)) {
            Ok(0) => {
                eprintln!("uniffi-bindgen: no generated Kotlin with call helpers under {dir}");
                std::process::ExitCode::FAILURE
            }
            Ok(_) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("uniffi-bindgen: {e}");
                std::process::ExitCode::FAILURE
            }
        },
        _ => std::process::ExitCode::SUCCESS,
    }
}

/// Rewrites every generated `.kt` file under `dir`; returns how many had call helpers.
fn rewrite_dir(dir: &Path) -> Result<usize, Box<dyn std::error::Error>> {
    let mut rewritten = 0;
    for path in kotlin_files(dir)? {
        let source = std::fs::read_to_string(&path)?;
        match kotlin_call_status::rewrite(&source) {
            Ok(Some(out)) => {
                std::fs::write(&path, out)?;
                rewritten += 1;
            }
            Ok(None) => {}
            Err(e) => return Err(format!("{}: {e}", path.display()).into()),
        }
    }
    Ok(rewritten)
}

fn kotlin_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            found.extend(kotlin_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "kt") {
            found.push(path);
        }
    }
    Ok(found)
}
