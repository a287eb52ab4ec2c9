//! Harness for end-to-end tests: a real server on loopback, real SQLite files, real app cores, and a
//! fault-injecting proxy to put between them.

pub mod cluster;
pub mod proxy;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use highlights_core::{HighlightsCore, SyncConfig, Syncer, TokenProvider};
use highlights_server::Store;
use highlights_server::serve::{RunningServer, ServeOptions, start_with};
use highlights_server::store::TokenLifetime;

/// The end-to-end suites test the loop's data, not media: highlights post without videos (the
/// server's media suite renders real ones).
fn start(
    addr: std::net::SocketAddr,
    dir: &std::path::Path,
) -> impl std::future::Future<Output = Result<RunningServer, Box<dyn std::error::Error + Send + Sync>>> + '_ {
    start_with(addr, dir, ServeOptions::posting_without_videos().replaying())
}

/// A token provider whose token the test can swap, like an app refreshing its session.
#[derive(Default)]
pub struct Tokens(pub Mutex<String>);

impl TokenProvider for Tokens {
    fn token(&self) -> Result<String, String> {
        let t = self.0.lock().unwrap().clone();
        if t.is_empty() { Err("signed out".into()) } else { Ok(t) }
    }
}

/// The backend, with its data directory kept across restarts.
pub struct Backend {
    /// The running server (None while stopped).
    pub server: Option<RunningServer>,
    /// Its data directory.
    pub dir: tempfile::TempDir,
    /// Token of the streaming service.
    pub service_token: String,
    /// The port, kept across restarts so clients need not know.
    pub addr: std::net::SocketAddr,
}

impl Backend {
    /// Starts a backend on a free loopback port.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = start("127.0.0.1:0".parse().unwrap(), dir.path()).await.unwrap();
        let service_token = server.state.store.service_token(TokenLifetime::SERVICE).await.unwrap();
        let addr = server.addr;
        Self { server: Some(server), dir, service_token, addr }
    }

    /// Starts a backend that renders real videos with `options` (a restart posts without them).
    pub async fn start_with(options: ServeOptions) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = start_with("127.0.0.1:0".parse().unwrap(), dir.path(), options.replaying()).await.unwrap();
        let service_token = server.state.store.service_token(TokenLifetime::SERVICE).await.unwrap();
        let addr = server.addr;
        Self { server: Some(server), dir, service_token, addr }
    }

    /// Base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The running server.
    pub fn running(&self) -> &RunningServer {
        self.server.as_ref().expect("server running")
    }

    /// The running server's store, for admin work and seeding.
    pub fn store(&self) -> Arc<dyn Store> {
        self.running().state.store.clone()
    }

    /// Creates a seller and returns a token for it.
    pub async fn seller(&self, id: &str) -> String {
        self.store().create_seller(id.to_string(), "Seller".into(), TokenLifetime::SELLER).await.unwrap()
    }

    /// Another token for an existing seller (a second device).
    pub async fn token(&self, id: &str) -> String {
        self.store().seller_token(id.to_string(), TokenLifetime::SELLER).await.unwrap()
    }

    /// Stops the server (data kept).
    pub async fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await.unwrap();
        }
    }

    /// Starts it again on the same port and data.
    pub async fn restart(&mut self) {
        self.stop().await;
        let mut tries = 0;
        loop {
            match start(self.addr, self.dir.path()).await {
                Ok(s) => {
                    self.server = Some(s);
                    return;
                }
                Err(_) if tries < 50 => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("restart failed: {e}"),
            }
        }
    }

    /// GETs `path` as the seller with `token` and returns the JSON answer.
    pub async fn get_json(&self, path: &str, token: &str) -> serde_json::Value {
        client().get(format!("{}{path}", self.url())).bearer_auth(token).send().await.unwrap().json().await.unwrap()
    }

    /// The highlights of a LIVE as the server has them.
    pub async fn highlights(&self, token: &str, live: &str) -> Vec<serde_json::Value> {
        self.get_json(&format!("/v1/lives/{live}/highlights"), token).await["highlights"].as_array().unwrap().clone()
    }

    /// Posts a batch of LIVE events as the streaming service.
    pub async fn ingest(&self, seller: &str, events: Vec<serde_json::Value>) {
        let http = client();
        for chunk in events.chunks(2_000) {
            let body = serde_json::json!({ "seller_id": seller, "events": chunk });
            let resp = http
                .post(format!("{}/v1/ingest/events", self.url()))
                .bearer_auth(&self.service_token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(resp.status().is_success(), "ingest: {}", resp.status());
        }
    }

    /// Sends the platform's viewer count for `live` every 10 s until the guard drops, as a LIVE
    /// that is on does: a test that waits minutes for renders on a slow machine would otherwise
    /// see its LIVE go silent (`live_silence_s`) and its videos lose LIVE now.
    pub fn keep_live_on(&self, seller: &str, live: &str) -> KeepLiveOn {
        let (url, token) = (format!("{}/v1/ingest/events", self.url()), self.service_token.clone());
        let (seller, live) = (seller.to_string(), live.to_string());
        let task = tokio::spawn(async move {
            let http = client();
            loop {
                let event = serde_json::json!({ "ts_ms": highlights_server::clock::now_ms(), "live_id": live,
                    "type": "viewer_count", "count": 800 });
                let body = serde_json::json!({ "seller_id": seller, "events": [event] });
                // A missed beat is fine: the next one is 10 s later, well within the silence limit.
                let _ = http.post(&url).bearer_auth(&token).json(&body).send().await;
                tokio::time::sleep(std::time::Duration::from_secs(10)).await;
            }
        });
        KeepLiveOn(task)
    }

    /// Posts viewer events on posted videos as the platform; returns how many were accepted.
    pub async fn viewer_events(&self, events: Vec<serde_json::Value>) -> u64 {
        let resp = client()
            .post(format!("{}{}", self.url(), highlights_api::paths::INGEST_VIEWER_EVENTS))
            .bearer_auth(&self.service_token)
            .json(&serde_json::json!({ "events": events }))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "viewer events: {}", resp.status());
        resp.json::<highlights_api::IngestResult>().await.unwrap().accepted
    }
}

/// An HTTP client for test traffic.
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // Idle connections go before the server closes them (10 s): reusing one as it closes
    // fails the request with a reset (seen with the 10 s LIVE heartbeat).
    reqwest::Client::builder().pool_idle_timeout(std::time::Duration::from_secs(5)).build().unwrap()
}

/// One phone: its own SQLite file, core and syncer.
pub struct Device {
    /// Where its cache lives.
    pub dir: tempfile::TempDir,
    /// The core.
    pub core: Arc<HighlightsCore>,
    /// Its sync.
    pub syncer: Arc<Syncer>,
    /// Its token provider.
    pub tokens: Arc<Tokens>,
}

impl Device {
    /// A fresh device for `seller` talking to `base_url` with `token`.
    pub fn new(seller: &str, base_url: &str, token: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self::open(dir, seller, token, fast_config(base_url))
    }

    /// Opens (or reopens) a device whose cache is in `dir`.
    pub fn open(dir: tempfile::TempDir, seller: &str, token: &str, config: SyncConfig) -> Self {
        let core = Arc::new(HighlightsCore::open(&dir.path().join("highlights.db"), seller).unwrap());
        let tokens = Arc::new(Tokens(Mutex::new(token.to_string())));
        let syncer = Arc::new(Syncer::new(core.clone(), config, tokens.clone()).unwrap());
        Self { dir, core, syncer, tokens }
    }

    /// Path of its SQLite file.
    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("highlights.db")
    }

    /// Restarts the app: the core is dropped and reopened on the same file.
    pub fn restart(self, seller: &str, base_url: &str) -> Self {
        let token = self.tokens.0.lock().unwrap().clone();
        let Device { dir, core, syncer, .. } = self;
        drop(syncer);
        drop(core);
        Self::open(dir, seller, &token, fast_config(base_url))
    }
}

/// Sync settings for tests: short timeouts and retry delays.
pub fn fast_config(base_url: &str) -> SyncConfig {
    let mut c = SyncConfig::new(base_url);
    c.request_timeout = std::time::Duration::from_millis(1_500);
    c.connect_timeout = std::time::Duration::from_millis(500);
    c.backoff_base = std::time::Duration::from_millis(1);
    c.backoff_max = std::time::Duration::from_millis(5);
    c
}

/// Keeps a LIVE on for as long as it lives (see [`Backend::keep_live_on`]).
pub struct KeepLiveOn(tokio::task::JoinHandle<()>);

impl Drop for KeepLiveOn {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Start of the first of [`big_backend`]'s recordings (epoch ms).
const BIG_T0: i64 = 1_793_491_200_000;

/// A backend holding what the sync benchmarks sync: 1,000 ended recordings of `seller-a`, with
/// 20,000 highlights among them (a quarter recommendations), and that seller's token.
pub async fn big_backend() -> (Backend, String) {
    let b = Backend::start().await;
    let token = b.seller("seller-a").await;
    let mut events = Vec::new();
    for i in 0..1_000 {
        let id = format!("live-{i:04}");
        let start = BIG_T0 + i * 3_600_000;
        events.push(
            serde_json::json!({"ts_ms": start, "live_id": id, "type": "live_start", "title": format!("LIVE {i}")}),
        );
        events.push(serde_json::json!({"ts_ms": start + 1000, "live_id": id, "type": "product_pin", "product_id": "sku-1", "name": "Serum"}));
        events.push(serde_json::json!({"ts_ms": start + 1_800_000, "live_id": id, "type": "live_end"}));
    }
    b.ingest("seller-a", events).await;
    b.running()
        .state
        .store
        .add_highlights({
            let mut all = Vec::new();
            for i in 0..1_000i64 {
                for k in 0..20i64 {
                    let start = BIG_T0 + i * 3_600_000 + k * 60_000;
                    all.push(highlights_server::store::NewHighlight {
                        seller_id: "seller-a".into(),
                        live_id: format!("live-{i:04}"),
                        kind: if k % 4 == 0 {
                            highlights_api::HighlightKind::Recommendation
                        } else {
                            highlights_api::HighlightKind::Auto
                        },
                        status: if k % 4 == 0 {
                            highlights_api::HighlightStatus::Suggested
                        } else {
                            highlights_api::HighlightStatus::Posted
                        },
                        live_now: false,
                        start_ms: start,
                        end_ms: start + 30_000,
                        peak_ms: Some(start + 20_000),
                        product_id: Some("sku-1".into()),
                        score: 9.5,
                        reasons: vec![
                            highlights_api::Reason::over_usual(highlights_api::Signal::Comments, 4.1, 20),
                            highlights_api::Reason::counted(highlights_api::Signal::Orders, 12, 30),
                        ],
                        identified_at_ms: Some(start + 32_000),
                        post_at_ms: Some(start + 332_000),
                        posted_at_ms: Some(start + 332_000),
                        format: highlights_api::FormatSpec::default(),
                    });
                }
            }
            all
        })
        .await
        .unwrap();
    (b, token)
}
