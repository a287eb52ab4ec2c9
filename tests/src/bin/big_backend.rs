//! The sync benchmarks' backend as a process, for suites outside Rust (the Kotlin sync bench over
//! the phone's transport): 1,000 recordings and 20,000 highlights of `seller-a`.
//!
//! Usage: big_backend. Prints `serving on URL token TOKEN` once filled, and serves until stdin closes.

use std::io::{BufRead, Write};

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let (backend, token) = rt.block_on(highlights_e2e::big_backend());
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "serving on {} token {token}", backend.url());
    let _ = out.flush();
    for line in std::io::stdin().lock().lines() {
        if line.is_err() {
            break;
        }
    }
    drop(backend);
}
