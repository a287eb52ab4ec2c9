//! The event log keeps entries as long as its processes are told (`--log-retention-hours`): one
//! given a longer retention raises the stream's, and the next one connecting finds it changed; a
//! shorter one leaves it, since lowering it deletes what a lagging worker may need.
//! Needs nats-server (`NATS_SERVER`, which `scripts/cluster-test.sh` provides and runs it with).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use highlights_server::cluster::{DEFAULT_RETENTION, EventLog};

/// A nats-server with JetStream in a temporary directory, stopped when dropped.
struct Nats(Child, #[allow(dead_code)] tempfile::TempDir);

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_logs_retention_is_the_one_its_processes_are_given() {
    let Some(program) = std::env::var_os("NATS_SERVER") else {
        eprintln!("SKIPPED event log retention: no nats-server (scripts/cluster-test.sh provides one)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(program)
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _nats = Nats(child, dir);
    let url = format!("nats://127.0.0.1:{port}");
    let connect = || async { tokio::time::timeout(Duration::from_secs(10), EventLog::connect(&url, 2)).await };

    let log = connect().await.expect("connected in time").unwrap();
    assert_eq!(log.retention(), DEFAULT_RETENTION, "a new log keeps entries for the default");
    let month = Duration::from_secs(30 * 24 * 3600);
    let log = log.keeping(month).await.unwrap();
    assert_eq!(log.retention(), month);
    let again = connect().await.expect("connected in time").unwrap();
    assert_eq!(again.retention(), month, "the stream itself keeps entries a month now");
    // A process started with a shorter retention does not delete what others may still need.
    let again = again.keeping(Duration::from_secs(3600)).await.unwrap();
    assert_eq!(again.retention(), month, "lowering is an admin's decision");
}
