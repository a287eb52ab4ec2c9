//! Request rate limits and what they have counted: per token for callers that prove who they are
//! (the ingestion service's token far higher than a seller's), per client address for everyone
//! else and for tokens that prove nothing. The HTTP middleware that applies them is
//! `routes/throttle.rs`.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::client::TrustedProxies;
use crate::store::Caller;

/// A sustained rate with a burst on top, for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests per second, sustained.
    pub per_second: u32,
    /// Requests that may come at once after a quiet spell.
    pub burst: u32,
}

impl Rate {
    fn quota(self) -> Option<Quota> {
        let rate = NonZeroU32::new(self.per_second)?;
        Some(Quota::per_second(rate).allow_burst(NonZeroU32::new(self.burst).unwrap_or(rate)))
    }
}

/// The API's request rate limits (`None`: unlimited).
#[derive(Debug, Clone)]
pub struct RateLimits {
    /// Per client address: requests without a token (feeds, public videos) and with a token
    /// that proves nothing.
    pub per_client: Option<Rate>,
    /// Per seller token: the app syncs and acts for one seller.
    pub per_seller: Option<Rate>,
    /// Per service token: event ingestion and recording, from few addresses at high rates.
    pub per_service: Option<Rate>,
    /// Load balancers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            // A player asks for a video in ranges and a feed page for its thumbnails: a few
            // viewers behind one address stay well under this.
            per_client: Some(Rate { per_second: 50, burst: 200 }),
            // The app sends one request per seller action and pages changes on sync.
            per_seller: Some(Rate { per_second: 20, burst: 100 }),
            // Batches of up to 10,000 events: 2,000 a second is 20 M events/s, more than a
            // platform's peak, so ingestion is never the one throttled.
            per_service: Some(Rate { per_second: 2_000, burst: 10_000 }),
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

impl RateLimits {
    /// No limits at all: for suites that measure throughput or replay at full speed.
    pub fn unlimited() -> Self {
        Self { per_client: None, per_seller: None, per_service: None, trusted_proxies: TrustedProxies::default() }
    }
}

/// One keyed limiter; `None` when its rate is unlimited.
struct Limiter<K: Hash + Eq + Clone>(Option<DefaultKeyedRateLimiter<K>>);

impl<K: Hash + Eq + Clone> Limiter<K> {
    fn new(rate: Option<Rate>) -> Self {
        Self(rate.and_then(Rate::quota).map(RateLimiter::keyed))
    }

    /// Counts one request for `key`; how long to wait when it is over its rate.
    fn check(&self, key: &K) -> Result<(), Duration> {
        let Some(limiter) = &self.0 else { return Ok(()) };
        limiter.check_key(key).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    fn prune(&self) {
        if let Some(limiter) = &self.0 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// The limiters of one server.
pub struct Throttle {
    clients: Limiter<IpAddr>,
    sellers: Limiter<String>,
    services: Limiter<String>,
    /// Addresses that ran out, and until when they are answered 429 without a lookup.
    penalised: Mutex<HashMap<IpAddr, Instant>>,
    proxies: TrustedProxies,
}

impl Throttle {
    /// Limiters for `limits`.
    pub fn new(limits: &RateLimits) -> Self {
        Self {
            clients: Limiter::new(limits.per_client),
            sellers: Limiter::new(limits.per_seller),
            services: Limiter::new(limits.per_service),
            penalised: Mutex::new(HashMap::new()),
            proxies: limits.trusted_proxies.clone(),
        }
    }

    /// The proxies whose forwarded addresses are believed (also exempt from connection caps).
    pub fn proxies(&self) -> &TrustedProxies {
        &self.proxies
    }

    /// How long `client` still waits in the penalty box, if it is in it.
    pub fn penalty(&self, client: IpAddr) -> Option<Duration> {
        let penalised = self.penalised.lock().unwrap_or_else(|e| e.into_inner());
        penalised.get(&client).and_then(|until| until.checked_duration_since(Instant::now()))
    }

    /// Counts one request for a client address; puts it in the penalty box when it runs out.
    pub fn charge_client(&self, client: IpAddr) -> Result<(), Duration> {
        self.clients.check(&client).inspect_err(|wait| {
            let mut penalised = self.penalised.lock().unwrap_or_else(|e| e.into_inner());
            penalised.insert(client, Instant::now() + *wait);
        })
    }

    /// Counts one request for the token with this hash, at its caller's rate.
    pub fn charge_token(&self, caller: &Caller, hash: &str) -> Result<(), Duration> {
        match caller {
            Caller::Seller(_) => self.sellers.check(&hash.to_string()),
            Caller::Service => self.services.check(&hash.to_string()),
        }
    }

    /// Forgets keys that are back to a full burst and penalties that ran out, so the tables stay
    /// as small as the set of recent clients.
    pub fn prune(&self) {
        self.clients.prune();
        self.sellers.prune();
        self.services.prune();
        let now = Instant::now();
        self.penalised.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, until| *until > now);
    }
}
