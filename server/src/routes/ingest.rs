//! LIVE event ingestion from the streaming service.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use highlights_api::{ErrorBody, IngestBatch, IngestResult, ViewerEventBatch, paths};

use super::error::HttpError;
use super::extract::{JsonBody, Service, idempotency_key, known_id};
use super::state::AppState;
use crate::store::Idempotency;

/// Most events in one batch.
pub const MAX_BATCH: usize = 10_000;

/// Takes a batch of LIVE events from the streaming service (service token). Malformed events,
/// unknown types and times too far from the server's clock are counted as skipped; the rest are
/// stored and scored. With an `Idempotency-Key`, a batch re-sent after a lost answer is stored once
/// and answered the same.
#[utoipa::path(post, path = paths::INGEST_EVENTS, tag = "ingest", request_body = IngestBatch,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a re-sent batch count once", min_length = 1, max_length = 128)),
    responses((status = 200, body = IngestResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn ingest_events(
    State(s): State<AppState>,
    _service: Service,
    headers: HeaderMap,
    JsonBody(mut batch): JsonBody<IngestBatch>,
) -> Result<Json<IngestResult>, HttpError> {
    if batch.events.len() > MAX_BATCH {
        return Err(HttpError::BadRequest(format!("at most {MAX_BATCH} events per batch")));
    }
    known_id("seller", &batch.seller_id)?;
    // The `ingest:` prefix keeps keys stored before scopes existed matching their batches.
    let key = idempotency_key(&headers)?
        .map(|k| Idempotency::service(format!("ingest:{k}"), "POST /v1/ingest/events", &batch));
    // After the key's fingerprint: a re-sent batch is the same request whatever the clock says.
    let out_of_window = s.window.drop_outside((s.clock)(), &mut batch.events);
    let mut answer = match &s.log {
        Some(log) => {
            // The workers look the seller up too, but an unknown one must be a 404 now, not a
            // batch skipped later.
            s.store.settings(batch.seller_id.clone()).await?;
            log.publish(batch, key).await?
        }
        None => s.store.ingest(batch, key, Arc::new(s.engine.clone())).await?,
    };
    if out_of_window > 0 {
        tracing::warn!(out_of_window, "events outside the ingest window skipped");
    }
    answer.skipped += out_of_window;
    answer.out_of_window = out_of_window;
    Ok(Json(answer))
}

/// Takes a batch of viewer events on posted videos from the platform (service token): views with
/// their watch time, entries into the LIVE room through LIVE now, product clicks and attributed
/// orders. They add to each highlight's results; bad events, and events on videos never posted,
/// are counted as skipped. With an `Idempotency-Key`, a re-sent batch counts once.
#[utoipa::path(post, path = paths::INGEST_VIEWER_EVENTS, tag = "ingest", request_body = ViewerEventBatch,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a re-sent batch count once", min_length = 1, max_length = 128)),
    responses((status = 200, body = IngestResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn ingest_viewer_events(
    State(s): State<AppState>,
    _service: Service,
    headers: HeaderMap,
    JsonBody(batch): JsonBody<ViewerEventBatch>,
) -> Result<Json<IngestResult>, HttpError> {
    if batch.events.len() > MAX_BATCH {
        return Err(HttpError::BadRequest(format!("at most {MAX_BATCH} events per batch")));
    }
    let key = idempotency_key(&headers)?
        .map(|k| Idempotency::service(format!("viewer:{k}"), "POST /v1/ingest/viewer-events", &batch));
    Ok(Json(s.store.ingest_viewer_events(batch, key).await?))
}
