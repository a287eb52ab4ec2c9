//! The PostgreSQL backend, for the distributed mode: any number of API servers and workers share
//! it. Every operation is one transaction (READ COMMITTED, with the row locks each rule needs;
//! reads that must agree with each other use one REPEATABLE READ snapshot); a transaction that
//! lost a deadlock to another is run again. Each table group's statements live in their module,
//! in the same shape as the SQLite backend's.

/// `$body`'s answer, computed once per idempotency key (in its scope, for `$seller`) inside the
/// transaction `$tx`: a retry with the same key gets the stored answer and changes nothing (see
/// [`idempotency`]).
macro_rules! once {
    ($tx:expr, $seller:expr, $key:expr, $body:expr) => {
        match idempotency::replay($tx, $seller, $key).await? {
            Some(done) => done,
            None => {
                let answer = $body;
                idempotency::remember($tx, $seller, $key, &answer).await?;
                answer
            }
        }
    };
}

mod changes;
mod config;
mod event_log;
mod garbage;
mod highlights;
mod idempotency;
mod ingest;
mod learning;
mod lives;
mod quota;
mod recordings;
mod report;
mod results;
mod schema;
mod sellers;
mod settings;
mod shared;
mod speech;
mod videos;

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use highlights_api::{
    Changes, CreateVideo, Experiments, Feed, Highlight, HighlightList, IngestBatch, IngestResult, Live, LivePage,
    RecordingReport, RemoteConfig, RemovedCount, SegmentReceipt, Settings, SettingsPatch, VideoState, ViewerEventBatch,
};
use highlights_engine::EngineSettings;
use tokio_postgres::error::SqlState;
use tokio_postgres::{IsolationLevel, NoTls};

use crate::store::contract::{
    Caller, ExperimentReport, Idempotency, LiveQuery, LogHistory, LogPosition, Logged, LoggedBatch, LoggedEntry,
    NewHighlight, Scorer, Store, StoreError,
};
use crate::store::media_contract::{
    MediaRef, RenderMaterial, RenderOutcome, RenderTask, Retired, RetryPolicy, SegmentProbe, SegmentStoryboard,
    SpeechOutcome, SpeechTask, StoredStoryboard, VideoJob,
};
use crate::store::quota::RenderQuota;
use crate::store::tokens::{TokenInfo, TokenLifetime};

/// The store in a PostgreSQL database.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    /// Whether a highlight posts only with a ready video (the default), or without one.
    videos: bool,
    retry: RetryPolicy,
    quota: RenderQuota,
}

/// Whether a failed transaction may simply be run again: it lost a deadlock or a serialization
/// conflict to another, and nothing of it was kept.
fn retryable(e: &StoreError) -> bool {
    let StoreError::Backend { source, .. } = e else { return false };
    source
        .downcast_ref::<tokio_postgres::Error>()
        .and_then(|e| e.code())
        .is_some_and(|c| *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE)
}

/// Runs `$body` (which uses the transaction `$tx`) in one READ COMMITTED transaction, committed
/// if it succeeds; run again, a few times, when it lost a deadlock.
macro_rules! write {
    ($store:expr, |$tx:ident| $body:expr) => {{
        let mut attempt = 0u32;
        loop {
            let result: Result<_, StoreError> = async {
                let mut client = $store.client().await?;
                let $tx = client.transaction().await?;
                let r = $body;
                $tx.commit().await?;
                Ok(r)
            }
            .await;
            match result {
                Err(e) if attempt < 3 && retryable(&e) => attempt += 1,
                r => break r,
            }
        }
    }};
}

/// Runs `$body` on one REPEATABLE READ snapshot: every row it reads is from the same moment.
macro_rules! read {
    ($store:expr, |$tx:ident| $body:expr) => {{
        let result: Result<_, StoreError> = async {
            let mut client = $store.client().await?;
            let $tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            let r = $body;
            $tx.commit().await?;
            Ok(r)
        }
        .await;
        result
    }};
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`), creating and migrating
    /// the schema; the one way the server opens a shared store. The URL may hold a password: it
    /// is never logged. With `sslmode=require` in it, the connection is TLS, the server's
    /// certificate checked against the CA file HIGHLIGHTS_DATABASE_CA_FILE names, or else the
    /// system's roots.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let ca = crate::tls::ca_file_from_env(crate::tls::DATABASE_CA_ENV);
        Self::open_verified_by(url, ca.as_deref()).await
    }

    /// Like [`open`](Self::open), with TLS (when the URL asks for it) verified against `ca_file`.
    pub async fn open_verified_by(url: &str, ca_file: Option<&std::path::Path>) -> Result<Self, StoreError> {
        let pg: tokio_postgres::Config =
            url.parse().map_err(|_| StoreError::Invalid("the database URL is not a PostgreSQL URL".into()))?;
        let recycling = ManagerConfig { recycling_method: RecyclingMethod::Fast };
        // Without `sslmode=require`: plain, as libpq's `prefer` is with a server offering no TLS.
        let manager = if pg.get_ssl_mode() == tokio_postgres::config::SslMode::Require {
            let config = crate::tls::client_config(ca_file)
                .map_err(|e| StoreError::backend("setting up TLS to PostgreSQL", e))?;
            Manager::from_config(pg, tokio_postgres_rustls::MakeRustlsConnect::new(config), recycling)
        } else {
            Manager::from_config(pg, NoTls, recycling)
        };
        let pool =
            Pool::builder(manager).max_size(16).build().map_err(|e| StoreError::backend("building the pool", e))?;
        let store = Self { pool, videos: true, retry: RetryPolicy::default(), quota: RenderQuota::default() };
        let _: Result<(), StoreError> = write!(store, |tx| {
            schema::migrate(&tx).await?;
            config::store_default_once(&tx).await?
        });
        Ok(store)
    }

    /// This store posts highlights without making videos (see the SQLite store's).
    pub fn posting_without_videos(mut self) -> Self {
        self.videos = false;
        self
    }

    /// Retries failed renders by `policy`.
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Limits seller-made videos by `quota`.
    pub fn with_render_quota(mut self, quota: RenderQuota) -> Self {
        self.quota = quota;
        self
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(|e| StoreError::backend("taking a pooled connection", e))
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn caller(&self, token_hash: String) -> Result<Caller, StoreError> {
        read!(self, |tx| sellers::caller(&tx, &token_hash).await?)
    }

    async fn settings(&self, seller_id: String) -> Result<Settings, StoreError> {
        read!(self, |tx| settings::load(&tx, &seller_id).await?.0)
    }

    async fn patch_settings(
        &self,
        seller_id: String,
        patch: SettingsPatch,
        key: Option<Idempotency>,
    ) -> Result<Settings, StoreError> {
        write!(self, |tx| once!(&tx, &seller_id, key.as_ref(), settings::patch(&tx, &seller_id, &patch).await?))
    }

    async fn config(&self) -> Result<RemoteConfig, StoreError> {
        read!(self, |tx| config::load(&tx).await?.0)
    }

    async fn experiments(&self, seller_id: String) -> Result<Experiments, StoreError> {
        read!(self, |tx| config::experiments_of(&tx, &seller_id).await?.0)
    }

    async fn lives(&self, seller_id: String, query: LiveQuery) -> Result<LivePage, StoreError> {
        read!(self, |tx| lives::list(&tx, &seller_id, &query).await?)
    }

    async fn live(&self, seller_id: String, live_id: String) -> Result<Live, StoreError> {
        read!(self, |tx| lives::load(&tx, &seller_id, &live_id).await?)
    }

    async fn set_live_highlights(&self, seller_id: String, live_id: String, on: bool) -> Result<Live, StoreError> {
        write!(self, |tx| highlights::set_live_highlights(&tx, &seller_id, &live_id, on).await?)
    }

    async fn highlights(&self, seller_id: String, live_id: String) -> Result<HighlightList, StoreError> {
        read!(self, |tx| highlights::of_live(&tx, &seller_id, &live_id).await?)
    }

    async fn add_highlights(&self, new: Vec<NewHighlight>) -> Result<Vec<Highlight>, StoreError> {
        write!(self, |tx| {
            let mut out = Vec::with_capacity(new.len());
            for h in &new {
                out.push(highlights::insert(&tx, h).await?);
            }
            out
        })
    }

    async fn post_highlight(
        &self,
        seller_id: String,
        highlight_id: String,
        key: Option<Idempotency>,
    ) -> Result<Highlight, StoreError> {
        write!(self, |tx| once!(
            &tx,
            &seller_id,
            key.as_ref(),
            highlights::post(&tx, &seller_id, &highlight_id, self.videos).await?
        ))
    }

    async fn approve_highlight(&self, seller_id: String, highlight_id: String) -> Result<Highlight, StoreError> {
        write!(self, |tx| highlights::approve(&tx, &seller_id, &highlight_id).await?)
    }

    async fn remove_highlight(&self, seller_id: String, highlight_id: String) -> Result<Highlight, StoreError> {
        write!(self, |tx| highlights::remove(&tx, &seller_id, &highlight_id).await?)
    }

    async fn remove_auto_highlights(
        &self,
        seller_id: String,
        live_id: Option<String>,
    ) -> Result<RemovedCount, StoreError> {
        write!(self, |tx| highlights::remove_auto(&tx, &seller_id, live_id.as_deref()).await?)
    }

    async fn create_video(
        &self,
        seller_id: String,
        video: CreateVideo,
        key: Idempotency,
    ) -> Result<Highlight, StoreError> {
        write!(self, |tx| once!(
            &tx,
            &seller_id,
            Some(&key),
            highlights::create_video(&tx, &seller_id, &video, self.videos, &self.quota).await?
        ))
    }

    async fn changes(&self, seller_id: String, since: i64, limit: u32) -> Result<Changes, StoreError> {
        // One snapshot: the cursor and the rows agree, so no change committed meanwhile can fall
        // between them.
        read!(self, |tx| changes::page(&tx, &seller_id, since, limit).await?)
    }

    async fn ingest(
        &self,
        batch: IngestBatch,
        key: Option<Idempotency>,
        scorer: Arc<dyn Scorer>,
    ) -> Result<IngestResult, StoreError> {
        let lives: BTreeSet<String> =
            batch.events.iter().filter_map(|e| e.get("live_id").and_then(|v| v.as_str()).map(String::from)).collect();
        let seller_id = batch.seller_id.clone();
        let mut attempt = 0u32;
        loop {
            let batch = batch.clone();
            let result: Result<IngestResult, StoreError> = async {
                let mut client = self.client().await?;
                let tx = client.transaction().await?;
                let r = once!(
                    &tx,
                    &seller_id,
                    key.as_ref(),
                    ingest::ingest(&tx, batch, scorer.as_ref(), self.videos).await?
                );
                tx.commit().await?;
                Ok(r)
            }
            .await;
            match result {
                Ok(r) => return Ok(r),
                Err(e) => {
                    // Not committed: the detectors must not keep what they saw; they warm up
                    // again from what is stored, and a lost deadlock is simply run again.
                    lives.iter().for_each(|l| scorer.forget(l));
                    if attempt >= 3 || !retryable(&e) {
                        return Err(e);
                    }
                    attempt += 1;
                }
            }
        }
    }

    async fn lease_partitions(&self, worker: String, partitions: u32, lease_ms: i64) -> Result<Vec<u32>, StoreError> {
        write!(self, |tx| event_log::lease(&tx, &worker, partitions, crate::clock::now_ms(), lease_ms).await?)
    }

    async fn release_partitions(&self, worker: String) -> Result<(), StoreError> {
        write!(self, |tx| event_log::release(&tx, &worker).await?)
    }

    async fn log_position(&self, partition: u32) -> Result<u64, StoreError> {
        read!(self, |tx| event_log::position(&tx, partition).await?)
    }

    async fn apply_logged(
        &self,
        entry: LoggedBatch,
        at: LogPosition,
        scorer: Arc<dyn Scorer>,
    ) -> Result<Logged, StoreError> {
        let events =
            entry.batch.events.iter().map(|v| highlights_engine::Parsed(highlights_engine::LiveEvent::from_ref(v)));
        let entry = LoggedEntry {
            published_ms: 0,
            ..LoggedEntry::parsed(at.seq, entry.live_id, entry.batch.seller_id, events.collect(), entry.key)
        };
        match self.apply_logged_entries(at.partition, at.worker, &[entry], scorer, None).await?.pop() {
            Some(Logged::Refused(why)) => Err(StoreError::rule("refused", why)),
            done => Ok(done.unwrap_or(Logged::AlreadyApplied)),
        }
    }

    async fn apply_logged_entries(
        &self,
        partition: u32,
        worker: String,
        entries: &[LoggedEntry],
        scorer: Arc<dyn Scorer>,
        log: Option<Arc<dyn LogHistory>>,
    ) -> Result<Vec<Logged>, StoreError> {
        // Not run again here: the worker forgets the LIVEs' detectors and retries the entries.
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let now = crate::clock::now_ms();
        let applying = event_log::Applying { partition, worker: &worker, scorer: scorer.as_ref(), log: log.as_deref() };
        let done = event_log::apply(&tx, &applying, entries, self.videos, now).await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn ingest_viewer_events(
        &self,
        batch: ViewerEventBatch,
        key: Option<Idempotency>,
    ) -> Result<IngestResult, StoreError> {
        // The platform's keys, one scope for all sellers (no seller id is empty).
        write!(self, |tx| once!(&tx, "", key.as_ref(), results::ingest(&tx, batch.clone()).await?))
    }

    async fn post_due(&self, now_ms: i64) -> Result<u32, StoreError> {
        let wall = crate::clock::now_ms();
        let (scheduled, silent): (bool, bool) =
            read!(self, |tx| (highlights::any_scheduled(&tx).await?, videos::any_silent(&tx, wall).await?))?;
        if !scheduled && !silent {
            return Ok(0);
        }
        write!(self, |tx| {
            if silent {
                videos::clear_silent(&tx, wall).await?;
            }
            if scheduled { highlights::post_due(&tx, now_ms, self.videos).await? } else { 0 }
        })
    }

    async fn add_segment(
        &self,
        live_id: String,
        start_ms: i64,
        probe: SegmentProbe,
        media_key: String,
    ) -> Result<SegmentReceipt, StoreError> {
        write!(self, |tx| recordings::add(&tx, &live_id, start_ms, probe, &media_key).await?)
    }

    async fn recording(&self, live_id: String) -> Result<RecordingReport, StoreError> {
        read!(self, |tx| recordings::report(&tx, &live_id).await?)
    }

    async fn set_segment_storyboard(
        &self,
        live_id: String,
        start_ms: i64,
        duration_ms: i64,
        storyboard: StoredStoryboard,
    ) -> Result<(), StoreError> {
        write!(self, |tx| recordings::set_storyboard(&tx, &live_id, start_ms, duration_ms, &storyboard).await?)
    }

    async fn recording_storyboard(
        &self,
        seller_id: String,
        live_id: String,
    ) -> Result<Vec<SegmentStoryboard>, StoreError> {
        read!(self, |tx| recordings::storyboard(&tx, &seller_id, &live_id).await?)
    }

    async fn segment_storyboard(
        &self,
        seller_id: String,
        live_id: String,
        start_ms: i64,
    ) -> Result<SegmentStoryboard, StoreError> {
        read!(self, |tx| recordings::segment_storyboard(&tx, &seller_id, &live_id, start_ms).await?)
    }

    async fn release_render_leases(&self) -> Result<u32, StoreError> {
        write!(self, |tx| videos::release_leases(&tx).await?)
    }

    async fn claim_render(&self, now_ms: i64) -> Result<Option<RenderTask>, StoreError> {
        write!(self, |tx| videos::claim(&tx, now_ms, &self.retry).await?)
    }

    async fn render_material(&self, live_id: String, from_ms: i64, to_ms: i64) -> Result<RenderMaterial, StoreError> {
        read!(self, |tx| recordings::material(&tx, &live_id, from_ms, to_ms).await?)
    }

    async fn finish_render(
        &self,
        highlight_id: String,
        output: String,
        outcome: RenderOutcome,
        now_ms: i64,
    ) -> Result<VideoState, StoreError> {
        write!(self, |tx| videos::finish(&tx, &highlight_id, &output, &outcome, now_ms, &self.retry).await?)
    }

    async fn retire_media(
        &self,
        removed_before_ms: i64,
        recorded_before_ms: i64,
        now_ms: i64,
    ) -> Result<Retired, StoreError> {
        write!(self, |tx| garbage::retire(&tx, removed_before_ms, recorded_before_ms, now_ms).await?)
    }

    async fn claim_garbage(&self, now_ms: i64, lease_ms: i64) -> Result<Vec<String>, StoreError> {
        write!(self, |tx| garbage::claim(&tx, now_ms, lease_ms).await?)
    }

    async fn forget_garbage(&self, keys: Vec<String>, claimed_until_ms: i64) -> Result<(), StoreError> {
        write!(self, |tx| garbage::forget(&tx, &keys, claimed_until_ms).await?)
    }

    async fn discard_media(&self, keys: Vec<String>) -> Result<(), StoreError> {
        write!(self, |tx| garbage::push(&tx, &keys, crate::clock::now_ms()).await?)
    }

    async fn queue_speech(&self, live_id: String, start_ms: i64, now_ms: i64) -> Result<(), StoreError> {
        write!(self, |tx| speech::queue(&tx, &live_id, start_ms, now_ms).await?)
    }

    async fn claim_speech(&self, now_ms: i64) -> Result<Option<SpeechTask>, StoreError> {
        write!(self, |tx| speech::claim(&tx, now_ms, &self.retry).await?)
    }

    async fn finish_speech(&self, task: SpeechTask, outcome: SpeechOutcome, now_ms: i64) -> Result<(), StoreError> {
        write!(self, |tx| speech::finish(&tx, &task, &outcome, now_ms, &self.retry).await?)
    }

    async fn video_job(&self, highlight_id: String) -> Result<Option<VideoJob>, StoreError> {
        read!(self, |tx| videos::job(&tx, &highlight_id).await?)
    }

    async fn media(&self, highlight_id: String, viewer: Option<String>) -> Result<MediaRef, StoreError> {
        read!(self, |tx| videos::media(&tx, &highlight_id, viewer.as_deref()).await?)
    }

    async fn feed(&self, seller_id: String, limit: u32) -> Result<Feed, StoreError> {
        read!(self, |tx| videos::feed(&tx, &seller_id, limit).await?)
    }

    async fn create_seller(
        &self,
        seller_id: String,
        name: String,
        lifetime: TokenLifetime,
    ) -> Result<String, StoreError> {
        write!(self, |tx| sellers::create(&tx, &seller_id, &name, lifetime).await?)
    }

    async fn seller_token(&self, seller_id: String, lifetime: TokenLifetime) -> Result<String, StoreError> {
        write!(self, |tx| sellers::token(&tx, &seller_id, lifetime).await?)
    }

    async fn service_token(&self, lifetime: TokenLifetime) -> Result<String, StoreError> {
        write!(self, |tx| sellers::service_token(&tx, lifetime).await?)
    }

    async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        read!(self, |tx| sellers::list(&tx).await?)
    }

    async fn revoke_token(&self, token_id: String) -> Result<TokenInfo, StoreError> {
        write!(self, |tx| sellers::revoke(&tx, &token_id).await?)
    }

    async fn revoke_seller_tokens(&self, seller_id: String) -> Result<u32, StoreError> {
        write!(self, |tx| sellers::revoke_seller(&tx, &seller_id).await?)
    }

    async fn prune_idempotency(&self, older_than_ms: i64) -> Result<u64, StoreError> {
        write!(self, |tx| idempotency::prune(&tx, older_than_ms).await?)
    }

    async fn set_config(&self, config: RemoteConfig) -> Result<(), StoreError> {
        write!(self, |tx| config::save(&tx, &config).await?)
    }

    async fn experiment_report(&self) -> Result<ExperimentReport, StoreError> {
        read!(self, |tx| report::experiments(&tx).await?)
    }

    async fn pin_experiments(
        &self,
        seller_id: String,
        popup: Option<bool>,
        format: Option<String>,
    ) -> Result<(), StoreError> {
        write!(self, |tx| sellers::pin_experiments(&tx, &seller_id, popup, format.as_deref()).await?)
    }

    async fn engine_settings(&self) -> Result<EngineSettings, StoreError> {
        read!(self, |tx| config::engine_settings(&tx).await?)
    }

    async fn set_engine_settings(&self, settings: EngineSettings) -> Result<(), StoreError> {
        write!(self, |tx| config::save_engine_settings(&tx, &settings).await?)
    }
}
