//! The rate limits (`crate::rate`) applied before any handler runs; over a limit: 429 with
//! `Retry-After`.
//!
//! A token is looked up once here and the answer handed to the extractors, so a flood of bad
//! tokens costs one lookup each until its address runs out, and then none: the address waits in a
//! penalty box, answered without touching the store.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use highlights_api::ErrorBody;

use super::auth::{Checked, bearer};
use super::state::AppState;
use crate::client::{Peer, bucket};
use crate::store::{StoreError, token_hash};

/// The 429 answer, saying when to retry (whole seconds, at least one).
fn too_many(wait: Duration) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let body = ErrorBody { code: "rate_limited".into(), message: format!("too many requests; retry in {seconds} s") };
    let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// The middleware: charges the request to its token or its client address, then runs it.
pub async fn limit(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    // A router driven without our listener (in-process calls) has no peer and no limits.
    let Some(Peer(peer)) = req.extensions().get::<Peer>().copied() else {
        return next.run(req).await;
    };
    let t = &s.throttle;
    let client = bucket(t.proxies().client(peer.ip(), req.headers()));
    if let Some(wait) = t.penalty(client) {
        return too_many(wait);
    }
    let charged = if req.headers().contains_key(header::AUTHORIZATION) {
        let found = match bearer(req.headers()) {
            Ok(token) => {
                let hash = token_hash(&token);
                match s.store.caller(hash.clone()).await {
                    Ok(caller) => Some((caller, hash)),
                    Err(StoreError::UnknownToken) => None,
                    // The store is failing: charge the address, so a flood that exhausts the
                    // store's connections is still limited, and let the handler answer.
                    Err(_) => {
                        return match t.charge_client(client) {
                            Ok(()) => next.run(req).await,
                            Err(wait) => too_many(wait),
                        };
                    }
                }
            }
            Err(_) => None,
        };
        let charged = match &found {
            Some((caller, hash)) => t.charge_token(caller, hash),
            None => t.charge_client(client),
        };
        req.extensions_mut().insert(Checked(found.map(|(caller, _)| caller)));
        charged
    } else {
        t.charge_client(client)
    };
    match charged {
        Ok(()) => next.run(req).await,
        Err(wait) => too_many(wait),
    }
}
