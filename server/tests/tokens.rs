//! Tokens as an operator handles them with the admin command line against a running server: listed
//! without their secrets, revoked one at a time or per seller with effect on the next request, and
//! refused once expired.

mod common;

use std::process::{Command, Output};
use std::time::Duration;

use common::*;
use highlights_server::store::{TokenLifetime, token_hash};
use reqwest::StatusCode;

/// Runs `highlights-server admin` on the test server's store (its SQLite file or its database).
fn admin(s: &TestServer, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_highlights-server"));
    cmd.args(["admin", "--data"]).arg(s.dir.path()).args(args);
    match &s.database_url {
        Some(url) => cmd.env("HIGHLIGHTS_DATABASE_URL", url),
        None => cmd.env_remove("HIGHLIGHTS_DATABASE_URL"),
    };
    cmd.output().unwrap()
}

/// What the admin command printed, checking it succeeded.
fn printed(out: Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn refused(out: Output) -> String {
    assert!(!out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

// The admin commands block this thread while the server keeps serving on the others.
#[tokio::test(flavor = "multi_thread")]
async fn admin_lists_tokens_without_secrets_and_a_revoked_one_is_refused_at_once() {
    let s = TestServer::start().await;
    let first = printed(admin(&s, &["create-seller", "seller-1"])).trim().to_string();
    let second = printed(admin(&s, &["seller-token", "seller-1", "--expires-in-days", "0"])).trim().to_string();
    let other = printed(admin(&s, &["create-seller", "seller-2", "--expires-in-days", "3"])).trim().to_string();
    for t in [&first, &second, &other] {
        assert_eq!(s.get("/v1/settings", t).await.0, StatusCode::OK);
    }

    let listed = printed(admin(&s, &["list-tokens"]));
    assert_eq!(listed.lines().count(), 4, "the service's and three sellers': {listed}");
    for t in [&first, &second, &other, &s.service_token] {
        let hash = token_hash(t);
        assert!(!listed.contains(t.as_str()) && !listed.contains(&hash), "no secret, no full hash:\n{listed}");
        assert!(listed.contains(&format!("id={} ", &hash[..12])), "{listed}");
    }
    let line = |t: &str| listed.lines().find(|l| l.contains(&token_hash(t)[..12])).unwrap().to_string();
    assert!(line(&first).contains("kind=seller seller=seller-1") && line(&first).contains("revoked=-"));
    assert!(!line(&first).contains("expires=never"), "90 days by default: {}", line(&first));
    assert!(line(&second).contains("expires=never"), "{}", line(&second));
    assert!(line(&s.service_token).contains("kind=service seller=-"), "{}", line(&s.service_token));

    let id = &token_hash(&first)[..12];
    assert!(printed(admin(&s, &["revoke-token", &id.to_ascii_uppercase()])).contains(&format!("id={id} ")));
    let refused_now = s.get("/v1/settings", &first).await;
    assert_error(&refused_now, StatusCode::UNAUTHORIZED);
    assert_eq!(s.get("/v1/settings", &second).await.0, StatusCode::OK, "the seller's other token still works");
    assert!(!printed(admin(&s, &["list-tokens"])).lines().any(|l| l.contains(id) && l.contains("revoked=-")));

    assert!(refused(admin(&s, &["revoke-token", "000000000000"])).contains("token not found"));
    assert!(refused(admin(&s, &["revoke-token", "abc"])).contains("12 hex characters"));
    assert!(refused(admin(&s, &["revoke-token", "--seller", "nobody"])).contains("seller not found"));
    assert!(!admin(&s, &["revoke-token"]).status.success(), "a token id or --seller is required");

    let all = printed(admin(&s, &["revoke-token", "--seller", "seller-1"]));
    assert!(all.contains("revoked 1 token(s) of seller seller-1"), "the one not revoked yet: {all}");
    assert_error(&s.get("/v1/settings", &second).await, StatusCode::UNAUTHORIZED);
    assert_eq!(s.get("/v1/settings", &other).await.0, StatusCode::OK, "other sellers are untouched");
}

#[test]
fn the_help_says_how_long_tokens_last() {
    for (command, days) in [("create-seller", "90"), ("seller-token", "90"), ("service-token", "365")] {
        let out = Command::new(env!("CARGO_BIN_EXE_highlights-server")).args(["admin", command, "--help"]).output();
        let help = String::from_utf8(out.unwrap().stdout).unwrap();
        assert!(help.contains("--expires-in-days") && help.contains("0 = never"), "{help}");
        assert!(help.contains(&format!("[default: {days}]")), "{help}");
    }
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let s = TestServer::start().await;
    s.seller("seller-1").await;
    let store = s.store();
    let brief = TokenLifetime::For(Duration::from_millis(1));
    let seller = store.seller_token("seller-1".into(), brief).await.unwrap();
    let lasting = store.seller_token("seller-1".into(), TokenLifetime::days(1)).await.unwrap();
    let service = store.service_token(brief).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_error(&s.get("/v1/settings", &seller).await, StatusCode::UNAUTHORIZED);
    let batch = serde_json::json!({"seller_id": "seller-1", "events": []});
    let ingest = s.call(reqwest::Method::POST, "/v1/ingest/events", Some(&service), Some(batch)).await;
    assert_error(&ingest, StatusCode::UNAUTHORIZED);
    assert_eq!(s.get("/v1/settings", &lasting).await.0, StatusCode::OK);
    let expired = store.tokens().await.unwrap().into_iter().find(|t| token_hash(&seller).starts_with(&t.id)).unwrap();
    assert_eq!(expired.revoked_at_ms, None, "expired, not revoked");
    assert!(expired.expires_at_ms.unwrap() <= highlights_server::clock::now_ms());
}

#[test]
fn an_id_two_tokens_share_is_refused_rather_than_revoking_either() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_highlights-server"));
        cmd.args(["admin", "--data"]).arg(dir.path()).args(args).env_remove("HIGHLIGHTS_DATABASE_URL").output().unwrap()
    };
    printed(run(&["create-seller", "seller-1"]));
    // Two hashes alike in their first 12 characters: 1 in 2^48 by chance, so planted here.
    let db = rusqlite::Connection::open(highlights_server::serve::db_path(dir.path())).unwrap();
    db.execute_batch(
        "INSERT INTO tokens (hash, seller_id, kind, created_at_ms) VALUES
             ('abcdefabcdef01', 'seller-1', 'seller', 0), ('abcdefabcdef02', 'seller-1', 'seller', 0);",
    )
    .unwrap();
    assert!(refused(run(&["revoke-token", "abcdefabcdef"])).contains("2 tokens have the id abcdefabcdef"));
    assert!(!printed(run(&["list-tokens"])).lines().any(|l| !l.contains("revoked=-")), "none revoked");
}
