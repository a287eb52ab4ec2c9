//! TLS to PostgreSQL and NATS against real servers offering it with a test CA's certificate
//! (`scripts/cluster-test.sh` makes them; elsewhere this suite says it is skipped): a store and an
//! event log that trust the CA connect over TLS, and ones that trust another CA are refused.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use highlights_server::cluster::EventLog;
use highlights_server::store::{PostgresStore, Store, TokenLifetime};

/// The test CA's folder and the PostgreSQL server, when the cluster environment made them.
fn environment() -> Option<(PathBuf, String)> {
    let tls = std::env::var_os("HIGHLIGHTS_TEST_TLS").map(PathBuf::from);
    let pg = std::env::var("HIGHLIGHTS_TEST_POSTGRES").ok();
    match (tls, pg) {
        (Some(tls), Some(pg)) => Some((tls, pg)),
        _ => {
            eprintln!("SKIPPED TLS suite: no TLS test servers (scripts/cluster-test.sh makes them)");
            None
        }
    }
}

#[tokio::test]
async fn postgresql_over_tls_trusts_the_named_ca_only() {
    let Some((tls, base)) = environment() else { return };
    let url = format!("{}?sslmode=require", common::fresh_database().await.unwrap());
    let store = PostgresStore::open_verified_by(&url, Some(&tls.join("ca.pem"))).await.unwrap();
    let token = store.create_seller("tls-seller".into(), "TLS".into(), TokenLifetime::SELLER).await.unwrap();
    assert!(token.starts_with("hlt"), "a round trip over TLS");

    let (admin, connection) =
        tokio_postgres::connect(&format!("{base}/postgres"), tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let encrypted: i64 = admin.query_one("SELECT count(*) FROM pg_stat_ssl WHERE ssl", &[]).await.unwrap().get(0);
    assert!(encrypted > 0, "the store's connections are encrypted");

    // Trusting the server's own certificate instead of its CA: refused, never let through.
    let refused = match PostgresStore::open_verified_by(&url, Some(&tls.join("server.pem"))).await {
        Ok(store) => store.config().await.err(),
        Err(e) => Some(e),
    };
    let e = refused.expect("a certificate the named CA did not sign is refused");
    println!("another CA: {e:?}");
    assert!(format!("{e:?}").contains("UnknownIssuer"), "refused for its certificate: {e:?}");
}

/// A NATS server with JetStream, offering TLS with the test CA's certificate; its store folder
/// lives as long as it does.
struct Nats(Child, #[allow(dead_code)] tempfile::TempDir);

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn nats_over_tls_trusts_the_named_ca_only() {
    let Some((tls, _)) = environment() else { return };
    let program = std::env::var_os("NATS_SERVER").expect("the cluster environment names nats-server");
    let (dir, port) = (tempfile::tempdir().unwrap(), free_port());
    let child = Command::new(program)
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(dir.path())
        .arg("--tls")
        .arg("--tlscert")
        .arg(tls.join("server.pem"))
        .arg("--tlskey")
        .arg(tls.join("server.key"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _nats = Nats(child, dir);
    let url = format!("tls://127.0.0.1:{port}");
    let connect = |ca: PathBuf| {
        let url = url.clone();
        async move { tokio::time::timeout(Duration::from_secs(10), EventLog::connect_verified_by(&url, 2, Some(&ca))).await }
    };
    let log = connect(tls.join("ca.pem")).await.expect("connected in time").expect("connected over TLS");
    drop(log);
    // Another CA: the handshake fails on every try, so it never connects.
    let refused = connect(tls.join("server.pem")).await;
    assert!(!matches!(refused, Ok(Ok(_))), "a certificate the named CA did not sign is refused");
}
