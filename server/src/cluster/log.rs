//! The event log on NATS JetStream: one stream, partitioned by LIVE with the server's subject
//! mapping, so one LIVE's entries keep their order on one partition.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use highlights_api::{IngestBatch, IngestResult};
use highlights_engine::LiveEvent;
use sha2::{Digest, Sha256};

use futures_util::StreamExt;

use crate::store::{Idempotency, LoggedBatch, LoggedEntry, encode_entry};

/// The stream's name.
const STREAM: &str = "LIVE_EVENTS";
/// Subjects the API servers publish to: `events.in.<LIVE token>`.
const INBOUND: &str = "events.in";
/// How long JetStream remembers message ids: a batch re-sent within it is stored once by the
/// log itself (later, the store's idempotency keys still catch it).
const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);
/// Longest a worker reads a LIVE's history back before giving up (and retrying its entries).
const HISTORY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a history read waits for the next entry before taking what it has as all there is.
const HISTORY_IDLE: Duration = Duration::from_secs(2);
/// How long entries stay in the log unless told otherwise (`--log-retention-hours`): long enough
/// to rebuild from it after a bad deploy. The disk it takes scales with it (docs/sizing.md).
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// Why the log could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// NATS or JetStream refused or failed.
    #[error("{context}: {source}")]
    Nats {
        /// What was being done.
        context: &'static str,
        /// The client's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The stream exists with another partitioning than asked for.
    #[error("the event log exists with another partitioning ({found}); every process must use the same --partitions")]
    Partitions {
        /// The mapping the stream has.
        found: String,
    },
}

fn nats(context: &'static str) -> impl FnOnce(Box<dyn std::error::Error + Send + Sync>) -> LogError {
    move |source| LogError::Nats { context, source }
}

/// The subject token of a LIVE: LIVE ids may hold dots and spaces, which subjects cannot.
pub fn live_token(live_id: &str) -> String {
    crate::store::hex(&Sha256::digest(live_id.as_bytes())[..8])
}

/// A connection to the event log.
#[derive(Clone)]
pub struct EventLog {
    client: async_nats::Client,
    js: jetstream::Context,
    stream: stream::Stream,
    partitions: u32,
    json: bool,
}

impl EventLog {
    /// Connects to NATS at `url` and makes sure the stream exists with `partitions` partitions.
    /// With HIGHLIGHTS_NATS_CA_FILE set, TLS is required and the servers' certificates are
    /// checked against that CA; a `tls://` URL alone uses the system's roots.
    pub async fn connect(url: &str, partitions: u32) -> Result<Self, LogError> {
        let ca = crate::tls::ca_file_from_env(crate::tls::NATS_CA_ENV);
        Self::connect_verified_by(url, partitions, ca.as_deref()).await
    }

    /// Like [`connect`](Self::connect), with TLS required and verified against `ca_file` if given.
    pub async fn connect_verified_by(
        url: &str,
        partitions: u32,
        ca_file: Option<&std::path::Path>,
    ) -> Result<Self, LogError> {
        let mut options = async_nats::ConnectOptions::new().name("highlights-server").retry_on_initial_connect();
        if let Some(ca) = ca_file {
            let config = crate::tls::client_config(Some(ca)).map_err(|e| nats("setting up TLS to NATS")(e.into()))?;
            options = options.tls_client_config(config).require_tls(true);
        }
        let client = options.connect(url).await.map_err(|e| nats("connecting to NATS")(e.into()))?;
        let js = jetstream::new(client.clone());
        let mapping = format!("events.{{{{partition({partitions},1)}}}}.{{{{wildcard(1)}}}}");
        let stream = js
            .get_or_create_stream(stream::Config {
                name: STREAM.into(),
                subjects: vec![format!("{INBOUND}.*")],
                subject_transform: Some(stream::SubjectTransform {
                    source: format!("{INBOUND}.*"),
                    destination: mapping.clone(),
                }),
                storage: stream::StorageType::File,
                duplicate_window: DUPLICATE_WINDOW,
                max_age: DEFAULT_RETENTION,
                ..Default::default()
            })
            .await
            .map_err(|e| nats("creating the event log stream")(e.into()))?;
        let found = stream.cached_info().config.subject_transform.as_ref().map(|t| t.destination.clone());
        if found.as_deref() != Some(mapping.as_str()) {
            return Err(LogError::Partitions { found: found.unwrap_or_else(|| "none".into()) });
        }
        Ok(Self { client, js, stream, partitions, json: false })
    }

    /// The same log, its entries written as JSON when `json` (during an upgrade, while workers of
    /// a version without the compact encoding still read it) instead of compactly.
    pub fn writing_json(self, json: bool) -> Self {
        Self { json, ..self }
    }

    /// Keeps entries for at least `retention` (the stream's age limit), raising it if the stream
    /// kept them for less. A lower limit is left as it is, with a warning: it deletes entries a
    /// lagging worker may still need, so it is an admin's decision (`nats stream edit`), not the
    /// side effect of one process starting with another flag.
    pub async fn keeping(mut self, retention: Duration) -> Result<Self, LogError> {
        let mut config = self.stream.cached_info().config.clone();
        if retention < config.max_age {
            tracing::warn!(
                kept_hours = config.max_age.as_secs() / 3600,
                asked_hours = retention.as_secs() / 3600,
                "the event log keeps entries longer than asked; lowering it is left to an admin"
            );
        }
        if retention > config.max_age {
            config.max_age = retention;
            self.js.update_stream(&config).await.map_err(|e| nats("setting the event log's retention")(e.into()))?;
            self.stream =
                self.js.get_stream(STREAM).await.map_err(|e| nats("reading the event log stream")(e.into()))?;
            tracing::info!(hours = retention.as_secs() / 3600, "event log retention set");
        }
        Ok(self)
    }

    /// How long the log keeps entries.
    pub fn retention(&self) -> Duration {
        self.stream.cached_info().config.max_age
    }

    /// Number of partitions.
    pub fn partitions(&self) -> u32 {
        self.partitions
    }

    /// Splits a batch by LIVE and appends each LIVE's share; returns once JetStream stored all
    /// of them. Events that are not LIVE events are counted as skipped here, as the embedded
    /// store would; events on another seller's LIVE are skipped by the worker.
    pub async fn publish(&self, batch: IngestBatch, key: Option<Idempotency>) -> Result<IngestResult, LogError> {
        let mut skipped = 0u64;
        let mut by_live: Vec<(String, Vec<LiveEvent>)> = Vec::new();
        for raw in &batch.events {
            let Ok(e) = LiveEvent::from_ref(raw) else {
                skipped += 1;
                continue;
            };
            match by_live.iter_mut().find(|(id, _)| *id == e.live_id) {
                Some((_, events)) => events.push(e),
                None => by_live.push((e.live_id.clone(), vec![e])),
            }
        }
        let accepted = by_live.iter().map(|(_, e)| e.len() as u64).sum();
        let mut acks = Vec::with_capacity(by_live.len());
        for (live_id, events) in by_live {
            let key = key.as_ref().map(|k| Idempotency {
                scope: k.scope,
                key: format!("{}#{live_id}", k.key),
                fingerprint: format!("{}#{}", k.fingerprint, live_token(&live_id)),
            });
            let mut headers = async_nats::HeaderMap::new();
            if let Some(k) = &key {
                headers.insert("Nats-Msg-Id", crate::store::token_hash(&k.key).as_str());
            }
            let subject = format!("{INBOUND}.{}", live_token(&live_id));
            // The events as checked here, compactly: workers decode them once, with no JSON.
            let payload = if self.json {
                let events = events.iter().map(LiveEvent::to_json).collect();
                let entry =
                    LoggedBatch { live_id, batch: IngestBatch { seller_id: batch.seller_id.clone(), events }, key };
                serde_json::to_vec(&entry).map_err(|e| nats("encoding an entry")(e.into()))?
            } else {
                encode_entry(&live_id, &batch.seller_id, &events, key)
                    .map_err(|e| nats("encoding an entry")(e.into()))?
            };
            let ack = self
                .js
                .publish_with_headers(subject, headers, payload.into())
                .await
                .map_err(|e| nats("publishing to the event log")(e.into()))?;
            acks.push(ack);
        }
        // The client buffers what is published until its flusher runs; the sender waits for the
        // acks, so the entries go now.
        self.client.flush().await.map_err(|e| nats("sending entries to the event log")(e.into()))?;
        for ack in acks {
            ack.await.map_err(|e| nats("waiting for JetStream to store a batch")(e.into()))?;
        }
        Ok(IngestResult { accepted, skipped, out_of_window: 0 })
    }

    /// The events `owner` sent for `live_id` in the entries before log sequence `before` (an
    /// entry stored at `published_ms`), the last `window_ms` of stream time of them; a batch sent
    /// twice counts once. Read from three windows of wall time before that entry: while a LIVE is
    /// on, stream time runs with the wall clock (a replay, published faster, holds more). An entry
    /// gone from the log (past its retention) ends the read with what there is.
    pub async fn recent(
        &self,
        partition: u32,
        live_id: &str,
        before: u64,
        published_ms: i64,
        owner: &str,
        window_ms: i64,
    ) -> Result<Vec<LiveEvent>, LogError> {
        let start_ms = if published_ms > 0 { published_ms - 3 * window_ms } else { 0 };
        let start_time = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(start_ms.max(0)) * 1_000_000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let consumer = self
            .stream
            .create_consumer(consumer::pull::OrderedConfig {
                filter_subject: format!("events.{partition}.{}", live_token(live_id)),
                deliver_policy: consumer::DeliverPolicy::ByStartTime { start_time },
                ..Default::default()
            })
            .await
            .map_err(|e| nats("creating a history reader")(e.into()))?;
        let mut messages = consumer.messages().await.map_err(|e| nats("reading a LIVE's history")(e.into()))?;
        let mut window: std::collections::VecDeque<LiveEvent> = std::collections::VecDeque::new();
        let mut keys = std::collections::HashSet::new();
        let read = async {
            // Nothing for a while means nothing more: the entry itself may be gone from the log.
            while let Ok(Some(m)) = tokio::time::timeout(HISTORY_IDLE, messages.next()).await {
                let m = m.map_err(|e| nats("reading a LIVE's history")(e.into()))?;
                let info = m.info().map_err(|e| nats("reading a LIVE's history")(e.to_string().into()))?;
                if info.stream_sequence >= before {
                    break;
                }
                let pending = info.pending;
                if let Ok(earlier) = LoggedEntry::decode(info.stream_sequence, &m.payload)
                    && earlier.live_id == live_id
                    && earlier.seller_id == owner
                    && earlier.key.as_ref().is_none_or(|k| keys.insert((k.scope.as_str(), k.key.clone())))
                {
                    window.extend(earlier.events);
                    let newest = window.back().map_or(0, |e| e.ts_ms);
                    while window.front().is_some_and(|e| e.ts_ms < newest - window_ms) {
                        window.pop_front();
                    }
                }
                if pending == 0 {
                    break;
                }
            }
            Ok::<_, LogError>(())
        };
        tokio::time::timeout(HISTORY_TIMEOUT, read)
            .await
            .map_err(|_| nats("reading a LIVE's history")("timed out".into()))??;
        Ok(window.into())
    }

    /// The oldest sequence the log still holds (entries before it are past its retention).
    pub async fn first_sequence(&self) -> Result<u64, LogError> {
        let mut stream = self.stream.clone();
        let info = stream.info().await.map_err(|e| nats("reading the event log's state")(e.into()))?;
        Ok(info.state.first_sequence)
    }

    /// The entries of `partition` from sequence `from` on, in order; the reader recreates itself
    /// when it misses one, so none is skipped.
    pub async fn read(&self, partition: u32, from: u64) -> Result<consumer::pull::Ordered, LogError> {
        let consumer = self
            .stream
            .create_consumer(consumer::pull::OrderedConfig {
                filter_subject: format!("events.{partition}.*"),
                deliver_policy: consumer::DeliverPolicy::ByStartSequence { start_sequence: from.max(1) },
                ..Default::default()
            })
            .await
            .map_err(|e| nats("creating a partition reader")(e.into()))?;
        consumer.messages().await.map_err(|e| nats("reading a partition")(e.into()))
    }
}
