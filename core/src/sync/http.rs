//! HTTP to the backend: bearer token from the host app on every request, bounded bodies, typed errors.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use highlights_api::{CreateVideo, IDEMPOTENCY_KEY_HEADER, SettingsPatch};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::transport::{HttpHeader, HttpRequest, HttpTransport, Method, Received, Wire};
use crate::CoreError;

/// Supplies the current access token; implemented by the host app, asked before every request so
/// a refreshed token is picked up at once. The core never stores, logs or echoes it.
pub trait TokenProvider: Send + Sync {
    /// The token to send now, or why there is none (signed out, refresh failed).
    fn token(&self) -> Result<String, String>;
}

/// Where and how the core talks to the backend.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// Base URL of the backend, e.g. `https://api.example.com` or `http://127.0.0.1:8080`.
    pub base_url: String,
    /// Longest wait for connecting.
    pub connect_timeout: Duration,
    /// Longest wait for a whole request.
    pub request_timeout: Duration,
    /// Larger answers are refused as bad data (a broken proxy must not exhaust the phone's memory).
    pub max_response_bytes: usize,
    /// LIVEs plus highlights asked for per page of changes.
    pub page_limit: u32,
    /// First retry delay of a failed delivery; doubles per attempt.
    pub backoff_base: Duration,
    /// Longest retry delay.
    pub backoff_max: Duration,
}

impl SyncConfig {
    /// Defaults suited to a phone, for the backend at `base_url`.
    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            max_response_bytes: 16 * 1024 * 1024,
            page_limit: 1000,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
        }
    }
}

/// A request body the core sends: one of the contract's request types.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub(crate) enum Body {
    /// A settings change.
    Settings(SettingsPatch),
    /// A seller-made video.
    Video(CreateVideo),
    /// The seller's choice for one LIVE.
    Live(highlights_api::LivePatch),
}

/// A complete answer, body read within the size limit.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub retry_after: Option<Duration>,
}

impl Answer {
    /// Decodes a JSON body; anything else is bad data from the server.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, CoreError> {
        serde_json::from_slice(&self.body)
            .map_err(|e| CoreError::BadServerData { message: format!("undecodable answer: {e}") })
    }

    /// The `message` of a JSON error body, or a generic text.
    pub fn error_message(&self) -> String {
        self.error().message
    }

    /// The JSON error body, or one with no code and a generic text.
    pub fn error(&self) -> highlights_api::ErrorBody {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| highlights_api::ErrorBody {
            code: String::new(),
            message: format!("the server answered {}", self.status),
        })
    }

    pub fn success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The error for a non-2xx answer outside outbox delivery.
pub(crate) fn failure(answer: &Answer) -> CoreError {
    match answer.status {
        401 | 403 => CoreError::Unauthorized { message: "the server refused the token".into() },
        status => CoreError::Server { status, message: answer.error_message() },
    }
}

/// The HTTP side of sync.
pub(crate) struct Http {
    wire: Wire,
    config: SyncConfig,
    tokens: Arc<dyn TokenProvider>,
    /// Server clock minus device clock (ms), from the last `Date` header.
    clock_offset_ms: AtomicI64,
}

fn header(name: &str, value: impl Into<String>) -> HttpHeader {
    HttpHeader { name: name.to_string(), value: value.into() }
}

impl Http {
    /// Talks through the shell's `transport`, or the built-in stack when none is given.
    pub fn new(
        config: SyncConfig,
        tokens: Arc<dyn TokenProvider>,
        transport: Option<Arc<dyn HttpTransport>>,
    ) -> Result<Self, CoreError> {
        let wire = Wire::new(transport, config.connect_timeout)?;
        Ok(Self { wire, config, tokens, clock_offset_ms: AtomicI64::new(0) })
    }

    pub fn config(&self) -> &SyncConfig {
        &self.config
    }

    /// Estimated server time for a device time.
    pub fn to_server_time(&self, device_ms: i64) -> i64 {
        device_ms + self.clock_offset_ms.load(Ordering::Relaxed)
    }

    fn bearer(&self) -> Result<HttpHeader, CoreError> {
        let token = self.tokens.token().map_err(|why| CoreError::Unauthorized { message: why })?;
        Ok(header("authorization", format!("Bearer {token}")))
    }

    fn request(&self, method: Method, url: String, headers: Vec<HttpHeader>, timeout: Duration) -> HttpRequest {
        HttpRequest {
            method: method.as_str().to_string(),
            url,
            headers,
            body: None,
            connect_timeout_ms: self.config.connect_timeout.as_millis() as u64,
            timeout_ms: timeout.as_millis() as u64,
        }
    }

    /// Sends one request and reads the whole answer (up to the size limit).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        idempotency_key: Option<&str>,
        body: Option<&Body>,
    ) -> Result<Answer, CoreError> {
        let mut headers = vec![self.bearer()?];
        if let Some(k) = idempotency_key {
            headers.push(header(IDEMPOTENCY_KEY_HEADER, k));
        }
        let url = format!("{}{}", self.config.base_url, path);
        let mut request = self.request(method, url, headers, self.config.request_timeout);
        if let Some(b) = body {
            let json = serde_json::to_vec(b)
                .map_err(|e| CoreError::BadServerData { message: format!("cannot write the request: {e}") })?;
            request.headers.push(header("content-type", "application/json"));
            request.body = Some(json);
        }
        let received = self.wire.exchange(request, self.config.max_response_bytes).await?;
        if let Some(server) = received.header("date").and_then(|d| httpdate::parse_http_date(d).ok())
            && let Ok(server) = server.duration_since(std::time::UNIX_EPOCH)
        {
            let device = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0);
            self.clock_offset_ms.store(server.as_millis() as i64 - device, Ordering::Relaxed);
        }
        let retry_after = received
            .header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s.min(3600)));
        let Received { status, body, .. } = received;
        Ok(Answer { status, body, retry_after })
    }
}

/// Most bytes of one media file (a clip's MP4 is a few MB; a storyboard or thumbnail far less).
const MAX_MEDIA_BYTES: usize = 64 * 1024 * 1024;
/// Longest wait for one media file: a clip's MP4 over a weak phone link takes far longer than an
/// API answer.
const MEDIA_TIMEOUT: Duration = Duration::from_secs(120);

/// Whether `url` is on the API at `base` (scheme, host and port alike, then a path): only there
/// does the seller's token go. A lookalike host (`base.evil`, `base@evil`) is another host.
fn on_api_host(base: &str, url: &str) -> bool {
    url.strip_prefix(base).is_some_and(|rest| rest.starts_with('/'))
}

impl Http {
    /// The bytes of a media URL from the view (thumbnail, storyboard, video). The seller's token
    /// goes only to the API's own host: a CDN's URL is fetched without it.
    pub async fn media(&self, url: &str) -> Result<Vec<u8>, CoreError> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(CoreError::NotAllowed { reason: "a media URL must be http(s)".into() });
        }
        let headers = if on_api_host(&self.config.base_url, url) { vec![self.bearer()?] } else { vec![] };
        let request = self.request(Method::GET, url.to_string(), headers, MEDIA_TIMEOUT);
        let received = self.wire.exchange(request, MAX_MEDIA_BYTES).await?;
        let answer = Answer { status: received.status, body: received.body, retry_after: None };
        match answer.status {
            200..=299 => Ok(answer.body),
            _ => Err(failure(&answer)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::on_api_host;

    #[test]
    fn the_token_goes_only_to_the_apis_own_host() {
        let base = "https://api.example.com";
        assert!(on_api_host(base, "https://api.example.com/v1/media/h/thumbnail.jpg"));
        for other in [
            "https://api.example.com.evil/v1/media/h/thumbnail.jpg",
            "https://api.example.com@evil.example/v1/media/h/thumbnail.jpg",
            "https://api.example.com:444/v1/media/h/thumbnail.jpg",
            "http://api.example.com/v1/media/h/thumbnail.jpg",
            "https://cdn.example.com/v1/media/h/thumbnail.jpg",
            "https://api.example.com",
        ] {
            assert!(!on_api_host(base, other), "{other}");
        }
    }
}
