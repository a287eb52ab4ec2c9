//! A real server on a loopback port with a temporary data directory, and a small HTTP client.
#![allow(dead_code)]

pub mod clips;

use highlights_server::serve::{RunningServer, ServeOptions, start_with};
use std::sync::Arc;

use highlights_server::Store;
use highlights_server::store::TokenLifetime;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub struct TestServer {
    pub server: RunningServer,
    pub dir: Dir,
    pub http: reqwest::Client,
    pub service_token: String,
    /// The PostgreSQL database the server uses, when the suites run against PostgreSQL.
    pub database_url: Option<String>,
}

/// With `HIGHLIGHTS_TEST_POSTGRES` set (a server URL without a database, as
/// `scripts/cluster-test.sh` sets it), every test server gets a fresh PostgreSQL database.
pub async fn fresh_database() -> Option<String> {
    let base = std::env::var("HIGHLIGHTS_TEST_POSTGRES").ok()?;
    let (client, connection) =
        tokio_postgres::connect(&format!("{base}/postgres"), tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    let name: String = std::iter::once("t_".to_string()).chain(b.iter().map(|x| format!("{x:02x}"))).collect();
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    Some(format!("{base}/{name}"))
}

pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}

/// The data directory: owned (deleted at the end) or borrowed from a test that restarts the server.
pub enum Dir {
    Owned(tempfile::TempDir),
    Borrowed(std::path::PathBuf),
}

impl Dir {
    pub fn path(&self) -> &std::path::Path {
        match self {
            Dir::Owned(d) => d.path(),
            Dir::Borrowed(p) => p,
        }
    }
}

impl TestServer {
    /// A server that posts without videos: these suites test the API and its rules, not media.
    pub async fn start() -> Self {
        Self::start_with(ServeOptions::posting_without_videos()).await
    }

    /// A server for suites that send LIVEs at fixed dates as fast as they can (no rate limits,
    /// the widest ingest window).
    pub async fn start_with(options: ServeOptions) -> Self {
        Self::start_exact(options.replaying()).await
    }

    /// A server with exactly these options: for suites of the limits themselves.
    pub async fn start_exact(mut options: ServeOptions) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database_url = fresh_database().await;
        options.database_url = database_url.clone();
        let server = start_with("127.0.0.1:0".parse().unwrap(), dir.path(), options).await.unwrap();
        let service_token = server.state.store.service_token(TokenLifetime::SERVICE).await.unwrap();
        Self { server, dir: Dir::Owned(dir), http: client(), service_token, database_url }
    }

    /// Wraps a server started on `dir` by the test itself (SQLite).
    pub async fn adopt(server: RunningServer, dir: &tempfile::TempDir) -> Self {
        let service_token = server.state.store.service_token(TokenLifetime::SERVICE).await.unwrap();
        Self { server, dir: Dir::Borrowed(dir.path().to_path_buf()), http: client(), service_token, database_url: None }
    }

    pub async fn seller(&self, id: &str) -> String {
        self.server
            .state
            .store
            .create_seller(id.to_string(), "Test seller".into(), TokenLifetime::SELLER)
            .await
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.url(), path)
    }

    /// Sends a request and returns status and JSON body (Null when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let bytes = resp.bytes().await.unwrap();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        (status, json)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn ingest(&self, seller: &str, events: Value) -> (StatusCode, Value) {
        let body = serde_json::json!({ "seller_id": seller, "events": events });
        self.call(Method::POST, "/v1/ingest/events", Some(&self.service_token.clone()), Some(body)).await
    }

    pub fn store(&self) -> Arc<dyn Store> {
        self.server.state.store.clone()
    }

    /// The numbers one column of a query returns, straight from the store, for tests that look
    /// at what is stored. `$1`, `$2`… are text parameters, in either backend.
    pub async fn numbers(&self, sql: &str, params: &[&str]) -> Vec<i64> {
        match &self.database_url {
            Some(url) => {
                let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
                tokio::spawn(connection);
                let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync)).collect();
                client.query(sql, &params).await.unwrap().iter().map(|r| r.get(0)).collect()
            }
            None => {
                let c = rusqlite::Connection::open(highlights_server::serve::db_path(self.dir.path())).unwrap();
                c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
                let mut q = c.prepare(sql).unwrap();
                q.query_map(rusqlite::params_from_iter(params), |r| r.get(0)).unwrap().map(Result::unwrap).collect()
            }
        }
    }
}

/// Asserts an error answer: the status and a JSON `{code, message}` body.
pub fn assert_error(got: &(StatusCode, Value), status: StatusCode) {
    assert_eq!(got.0, status, "body: {}", got.1);
    assert!(got.1["code"].is_string() && got.1["message"].is_string(), "not a JSON error: {}", got.1);
}

/// A stand-in for the engine: every comment is a moment of the product it names. What is under
/// test is how the store keeps moments, not how the engine finds them.
pub struct EveryComment;

impl highlights_server::store::Scorer for EveryComment {
    fn knows(&self, _: &str) -> bool {
        true
    }
    fn open(&self, _: &str, _: f64) {}

    fn warm_up(&self, _: &highlights_engine::EngineSettings, _: &str, _: f64, _: &[highlights_engine::LiveEvent]) {}
    fn score(
        &self,
        _: &highlights_engine::EngineSettings,
        events: &[highlights_engine::LiveEvent],
    ) -> Vec<highlights_engine::Moment> {
        events
            .iter()
            .filter_map(|e| match &e.kind {
                highlights_engine::EventKind::Comment { text, .. } => Some(highlights_engine::Moment {
                    live_id: e.live_id.clone(),
                    start_ms: e.ts_ms,
                    end_ms: e.ts_ms + 15_000,
                    peak_ms: e.ts_ms + 5_000,
                    identified_at_ms: e.ts_ms + 15_000,
                    product_id: Some(text.clone()),
                    score: 5.0,
                    above_bar: true,
                    reasons: vec![highlights_api::Reason::over_usual(highlights_api::Signal::Comments, 2.0, 20)],
                }),
                _ => None,
            })
            .collect()
    }
}

/// ffmpeg, or one clear line naming `suite` and `None` outside CI (CI installs it, so there it
/// must be found).
pub fn ffmpeg_for(suite: &str) -> Option<highlights_server::media::Ffmpeg> {
    match highlights_server::media::Ffmpeg::find() {
        Some(ff) => Some(ff),
        None if std::env::var_os("CI").is_some() => panic!("ffmpeg must be installed in CI (.ci/run installs it)"),
        None => {
            eprintln!("SKIPPED {suite}: ffmpeg not installed (apt-get install ffmpeg)");
            None
        }
    }
}
