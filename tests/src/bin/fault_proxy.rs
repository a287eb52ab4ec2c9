//! The fault-injecting proxy as a process, for suites outside Rust (the Kotlin JVM tests run their
//! transport through it): the same faults as the Rust suites', planned over stdin.
//!
//! Usage: fault_proxy UPSTREAM_URL. Prints `listening on http://127.0.0.1:PORT`, then takes one
//! command a line and answers each with one line: a fault to queue for the next request
//! (`pass`, `status N`, `forward-then-status N`, `too-many SECS`, `delay-ms MS`, `reset`,
//! `truncate`, `invalid-json`, `huge BYTES`, `wrong-content-type`, `slow-drip`; answer `queued N`,
//! the faults now waiting), `requests` (answer `requests N`, the requests seen so far) or `bytes`
//! (answer `bytes IN OUT`, the bytes received from clients and sent to them so far).

use std::io::{BufRead, Write};
use std::time::Duration;

use highlights_e2e::proxy::{Fault, FaultProxy};

fn fault(line: &str) -> Option<Fault> {
    let mut words = line.split_whitespace();
    let name = words.next()?;
    let mut number = || words.next().and_then(|w| w.parse::<u64>().ok());
    Some(match name {
        "pass" => Fault::Pass,
        "status" => Fault::Status(u16::try_from(number()?).ok()?),
        "forward-then-status" => Fault::ForwardThenStatus(u16::try_from(number()?).ok()?),
        "too-many" => Fault::TooMany(number()?),
        "delay-ms" => Fault::Delay(Duration::from_millis(number()?)),
        "reset" => Fault::Reset,
        "truncate" => Fault::Truncate,
        "invalid-json" => Fault::InvalidJson,
        "huge" => Fault::Huge(usize::try_from(number()?).ok()?),
        "wrong-content-type" => Fault::WrongContentType,
        "slow-drip" => Fault::SlowDrip,
        _ => return None,
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, upstream] = &args[..] else {
        eprintln!("usage: fault_proxy UPSTREAM_URL");
        std::process::exit(2);
    };
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let proxy = rt.block_on(FaultProxy::start(upstream.clone()));
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {}", proxy.url());
    let _ = out.flush();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let answer = match line.trim() {
            "requests" => format!("requests {}", proxy.requests.load(std::sync::atomic::Ordering::SeqCst)),
            "bytes" => format!(
                "bytes {} {}",
                proxy.bytes_in.load(std::sync::atomic::Ordering::SeqCst),
                proxy.bytes_out.load(std::sync::atomic::Ordering::SeqCst)
            ),
            command => match fault(command) {
                Some(f) => {
                    proxy.plan([f]);
                    format!("queued {}", proxy.queued())
                }
                None => format!("unknown command: {command}"),
            },
        };
        let _ = writeln!(out, "{answer}");
        let _ = out.flush();
    }
    // stdin closed: the test is done with it.
    drop(proxy);
}
