//! A real server on a loopback port with a temporary data directory, and a small HTTP client.
#![allow(dead_code)]

use highlights_server::serve::{RunningServer, ServeOptions, start_with};
use std::sync::Arc;

use highlights_server::Store;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub struct TestServer {
    pub server: RunningServer,
    pub dir: Dir,
    pub http: reqwest::Client,
    pub service_token: String,
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

    pub async fn start_with(options: ServeOptions) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = start_with("127.0.0.1:0".parse().unwrap(), dir.path(), options).await.unwrap();
        let service_token = server.state.store.service_token().await.unwrap();
        Self { server, dir: Dir::Owned(dir), http: client(), service_token }
    }

    /// Wraps a server started on `dir` by the test itself.
    pub async fn adopt(server: RunningServer, dir: &tempfile::TempDir) -> Self {
        let service_token = server.state.store.service_token().await.unwrap();
        Self { server, dir: Dir::Borrowed(dir.path().to_path_buf()), http: client(), service_token }
    }

    pub async fn seller(&self, id: &str) -> String {
        self.server.state.store.create_seller(id.to_string(), "Test seller".into()).await.unwrap()
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

    /// A plain connection to the server's file, for tests that look at what is stored.
    pub fn sql(&self) -> rusqlite::Connection {
        let c = rusqlite::Connection::open(highlights_server::serve::db_path(self.dir.path())).unwrap();
        c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        c
    }
}

/// Asserts an error answer: the status and a JSON `{code, message}` body.
pub fn assert_error(got: &(StatusCode, Value), status: StatusCode) {
    assert_eq!(got.0, status, "body: {}", got.1);
    assert!(got.1["code"].is_string() && got.1["message"].is_string(), "not a JSON error: {}", got.1);
}
