//! The embedded SQLite backend: one file, a small connection pool, every write in one IMMEDIATE
//! transaction. Each table group's statements and rules live in their own module.

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

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use deadpool_sqlite::{Config, Hook, HookError, Runtime};
use highlights_api::{
    Changes, CreateVideo, Experiments, Feed, Highlight, HighlightList, IngestBatch, IngestResult, Live, LivePage,
    RecordingReport, RemoteConfig, RemovedCount, SegmentReceipt, Settings, SettingsPatch, VideoState, ViewerEventBatch,
};
use highlights_engine::EngineSettings;
use rusqlite::{Connection, TransactionBehavior};

use crate::store::contract::{
    Caller, ExperimentReport, Idempotency, LiveQuery, LogPosition, Logged, LoggedBatch, NewHighlight, Scorer, Store,
    StoreError,
};
use crate::store::media_contract::{
    MediaRef, RenderMaterial, RenderOutcome, RenderTask, Retired, RetryPolicy, SegmentProbe, SegmentStoryboard,
    SpeechOutcome, SpeechTask, StoredStoryboard, VideoJob,
};
use crate::store::quota::RenderQuota;
use crate::store::tokens::{TokenInfo, TokenLifetime};

fn setup(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// The store in one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    pool: deadpool_sqlite::Pool,
    /// Whether a highlight posts only with a ready video (the default), or without one.
    videos: bool,
    retry: RetryPolicy,
    quota: RenderQuota,
}

impl SqliteStore {
    /// Opens (creating and migrating) the store at `path`; the one way the server opens its data,
    /// for serving and for admin commands alike.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        crate::private::file(path).map_err(|e| StoreError::backend("making the store private", e))?;
        {
            let mut conn = Connection::open(path)?;
            setup(&conn)?;
            schema::migrations().to_latest(&mut conn).map_err(|e| StoreError::backend("migrating the store", e))?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            config::store_default_once(&tx)?;
            tx.commit()?;
        }
        let pool = Config::new(path)
            .builder(Runtime::Tokio1)
            .map_err(|e| StoreError::backend("building the pool", e))?
            .max_size(8)
            .post_create(Hook::async_fn(|conn, _| {
                Box::pin(async move {
                    conn.interact(|c| setup(c))
                        .await
                        .map_err(|e| HookError::message(e.to_string()))?
                        .map_err(HookError::Backend)
                })
            }))
            .build()
            .map_err(|e| StoreError::backend("building the pool", e))?;
        Ok(Self { pool, videos: true, retry: RetryPolicy::default(), quota: RenderQuota::default() })
    }

    /// This store posts highlights without making videos: for deployments (and suites) that
    /// exercise the posting rules with no recordings at all.
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

    /// Runs `f` on a pooled connection off the async threads.
    async fn call<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let conn = self.pool.get().await.map_err(|e| StoreError::backend("taking a pooled connection", e))?;
        conn.interact(f).await.map_err(|e| StoreError::backend("running on a pooled connection", e.to_string()))?
    }

    /// Runs `f` inside one IMMEDIATE transaction, committed only if `f` succeeds.
    async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        self.call(move |c| {
            // IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading.
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let r = f(&tx)?;
            tx.commit()?;
            Ok(r)
        })
        .await
    }

    /// Runs `f` inside one read transaction: every row it reads comes from the same snapshot.
    async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        self.call(move |c| {
            let tx = c.transaction()?;
            f(&tx)
        })
        .await
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn caller(&self, token_hash: String) -> Result<Caller, StoreError> {
        self.call(move |c| sellers::caller(c, &token_hash)).await
    }

    async fn settings(&self, seller_id: String) -> Result<Settings, StoreError> {
        self.call(move |c| settings::load(c, &seller_id).map(|(s, _)| s)).await
    }

    async fn patch_settings(
        &self,
        seller_id: String,
        patch: SettingsPatch,
        key: Option<Idempotency>,
    ) -> Result<Settings, StoreError> {
        self.write(move |tx| {
            idempotency::once(tx, &seller_id, key.as_ref(), |tx| settings::patch(tx, &seller_id, &patch))
        })
        .await
    }

    async fn config(&self) -> Result<RemoteConfig, StoreError> {
        self.call(|c| config::load(c).map(|(cfg, _)| cfg)).await
    }

    async fn experiments(&self, seller_id: String) -> Result<Experiments, StoreError> {
        self.call(move |c| config::experiments_of(c, &seller_id).map(|(e, _)| e)).await
    }

    async fn lives(&self, seller_id: String, query: LiveQuery) -> Result<LivePage, StoreError> {
        self.read(move |c| lives::list(c, &seller_id, &query)).await
    }

    async fn live(&self, seller_id: String, live_id: String) -> Result<Live, StoreError> {
        self.read(move |c| lives::load(c, &seller_id, &live_id)).await
    }

    async fn set_live_highlights(&self, seller_id: String, live_id: String, on: bool) -> Result<Live, StoreError> {
        self.write(move |tx| highlights::set_live_highlights(tx, &seller_id, &live_id, on)).await
    }

    async fn highlights(&self, seller_id: String, live_id: String) -> Result<HighlightList, StoreError> {
        self.read(move |c| highlights::of_live(c, &seller_id, &live_id)).await
    }

    async fn add_highlights(&self, new: Vec<NewHighlight>) -> Result<Vec<Highlight>, StoreError> {
        self.write(move |tx| new.iter().map(|h| highlights::insert(tx, h)).collect()).await
    }

    async fn post_highlight(
        &self,
        seller_id: String,
        highlight_id: String,
        key: Option<Idempotency>,
    ) -> Result<Highlight, StoreError> {
        let videos = self.videos;
        self.write(move |tx| {
            idempotency::once(tx, &seller_id, key.as_ref(), |tx| {
                highlights::post(tx, &seller_id, &highlight_id, videos)
            })
        })
        .await
    }

    async fn approve_highlight(&self, seller_id: String, highlight_id: String) -> Result<Highlight, StoreError> {
        self.write(move |tx| highlights::approve(tx, &seller_id, &highlight_id)).await
    }

    async fn remove_highlight(&self, seller_id: String, highlight_id: String) -> Result<Highlight, StoreError> {
        self.write(move |tx| highlights::remove(tx, &seller_id, &highlight_id)).await
    }

    async fn remove_auto_highlights(
        &self,
        seller_id: String,
        live_id: Option<String>,
    ) -> Result<RemovedCount, StoreError> {
        self.write(move |tx| highlights::remove_auto(tx, &seller_id, live_id.as_deref())).await
    }

    async fn create_video(
        &self,
        seller_id: String,
        video: CreateVideo,
        key: Idempotency,
    ) -> Result<Highlight, StoreError> {
        let (videos, quota) = (self.videos, self.quota);
        self.write(move |tx| {
            idempotency::once(tx, &seller_id, Some(&key), |tx| {
                highlights::create_video(tx, &seller_id, &video, videos, &quota)
            })
        })
        .await
    }

    async fn changes(&self, seller_id: String, since: i64, limit: u32) -> Result<Changes, StoreError> {
        // One read transaction: the cursor and the rows come from the same snapshot, so no change
        // committed meanwhile can fall between them.
        self.read(move |c| changes::page(c, &seller_id, since, limit)).await
    }

    async fn ingest(
        &self,
        batch: IngestBatch,
        key: Option<Idempotency>,
        scorer: Arc<dyn Scorer>,
    ) -> Result<IngestResult, StoreError> {
        let videos = self.videos;
        self.write(move |tx| {
            let seller = batch.seller_id.clone();
            idempotency::once(tx, &seller, key.as_ref(), |tx| ingest::ingest(tx, batch, scorer.as_ref(), videos))
        })
        .await
    }

    async fn lease_partitions(&self, worker: String, partitions: u32, lease_ms: i64) -> Result<Vec<u32>, StoreError> {
        self.write(move |tx| event_log::lease(tx, &worker, partitions, crate::clock::now_ms(), lease_ms)).await
    }

    async fn release_partitions(&self, worker: String) -> Result<(), StoreError> {
        self.write(move |tx| event_log::release(tx, &worker)).await
    }

    async fn log_position(&self, partition: u32) -> Result<u64, StoreError> {
        self.call(move |c| event_log::position(c, partition)).await
    }

    async fn apply_logged(
        &self,
        entry: LoggedBatch,
        at: LogPosition,
        scorer: Arc<dyn Scorer>,
    ) -> Result<Logged, StoreError> {
        let videos = self.videos;
        self.write(move |tx| event_log::apply(tx, entry, &at, scorer.as_ref(), videos, crate::clock::now_ms())).await
    }

    async fn ingest_viewer_events(
        &self,
        batch: ViewerEventBatch,
        key: Option<Idempotency>,
    ) -> Result<IngestResult, StoreError> {
        // The platform's keys, one scope for all sellers (no seller id is empty).
        self.write(move |tx| idempotency::once(tx, "", key.as_ref(), |tx| results::ingest(tx, batch))).await
    }

    async fn post_due(&self, now_ms: i64) -> Result<u32, StoreError> {
        let wall = crate::clock::now_ms();
        // Reads first, so an idle server never takes the write lock.
        let (scheduled, silent) =
            self.call(move |c| Ok((highlights::any_scheduled(c)?, videos::any_silent(c, wall)?))).await?;
        if !scheduled && !silent {
            return Ok(0);
        }
        let videos = self.videos;
        self.write(move |tx| {
            if silent {
                videos::clear_silent(tx, wall)?;
            }
            if scheduled { highlights::post_due(tx, now_ms, videos) } else { Ok(0) }
        })
        .await
    }

    async fn add_segment(
        &self,
        live_id: String,
        start_ms: i64,
        probe: SegmentProbe,
        media_key: String,
    ) -> Result<SegmentReceipt, StoreError> {
        self.write(move |tx| recordings::add(tx, &live_id, start_ms, probe, &media_key)).await
    }

    async fn recording(&self, live_id: String) -> Result<RecordingReport, StoreError> {
        self.read(move |c| recordings::report(c, &live_id)).await
    }

    async fn set_segment_storyboard(
        &self,
        live_id: String,
        start_ms: i64,
        duration_ms: i64,
        storyboard: StoredStoryboard,
    ) -> Result<(), StoreError> {
        self.write(move |tx| recordings::set_storyboard(tx, &live_id, start_ms, duration_ms, &storyboard)).await
    }

    async fn recording_storyboard(
        &self,
        seller_id: String,
        live_id: String,
    ) -> Result<Vec<SegmentStoryboard>, StoreError> {
        self.read(move |c| recordings::storyboard(c, &seller_id, &live_id)).await
    }

    async fn segment_storyboard(
        &self,
        seller_id: String,
        live_id: String,
        start_ms: i64,
    ) -> Result<SegmentStoryboard, StoreError> {
        self.read(move |c| recordings::segment_storyboard(c, &seller_id, &live_id, start_ms)).await
    }

    async fn release_render_leases(&self) -> Result<u32, StoreError> {
        self.write(videos::release_leases).await
    }

    async fn claim_render(&self, now_ms: i64) -> Result<Option<RenderTask>, StoreError> {
        let retry = self.retry;
        self.write(move |tx| videos::claim(tx, now_ms, &retry)).await
    }

    async fn render_material(&self, live_id: String, from_ms: i64, to_ms: i64) -> Result<RenderMaterial, StoreError> {
        self.read(move |c| recordings::material(c, &live_id, from_ms, to_ms)).await
    }

    async fn finish_render(
        &self,
        highlight_id: String,
        output: String,
        outcome: RenderOutcome,
        now_ms: i64,
    ) -> Result<VideoState, StoreError> {
        let retry = self.retry;
        self.write(move |tx| videos::finish(tx, &highlight_id, &output, &outcome, now_ms, &retry)).await
    }

    async fn retire_media(
        &self,
        removed_before_ms: i64,
        recorded_before_ms: i64,
        now_ms: i64,
    ) -> Result<Retired, StoreError> {
        self.write(move |tx| garbage::retire(tx, removed_before_ms, recorded_before_ms, now_ms)).await
    }

    async fn claim_garbage(&self, now_ms: i64, lease_ms: i64) -> Result<Vec<String>, StoreError> {
        self.write(move |tx| garbage::claim(tx, now_ms, lease_ms)).await
    }

    async fn forget_garbage(&self, keys: Vec<String>, claimed_until_ms: i64) -> Result<(), StoreError> {
        self.write(move |tx| garbage::forget(tx, &keys, claimed_until_ms)).await
    }

    async fn discard_media(&self, keys: Vec<String>) -> Result<(), StoreError> {
        self.write(move |tx| garbage::push(tx, &keys, crate::clock::now_ms())).await
    }

    async fn queue_speech(&self, live_id: String, start_ms: i64, now_ms: i64) -> Result<(), StoreError> {
        self.write(move |tx| speech::queue(tx, &live_id, start_ms, now_ms)).await
    }

    async fn claim_speech(&self, now_ms: i64) -> Result<Option<SpeechTask>, StoreError> {
        let retry = self.retry;
        self.write(move |tx| speech::claim(tx, now_ms, &retry)).await
    }

    async fn finish_speech(&self, task: SpeechTask, outcome: SpeechOutcome, now_ms: i64) -> Result<(), StoreError> {
        let retry = self.retry;
        self.write(move |tx| speech::finish(tx, &task, &outcome, now_ms, &retry)).await
    }

    async fn video_job(&self, highlight_id: String) -> Result<Option<VideoJob>, StoreError> {
        self.call(move |c| videos::job(c, &highlight_id)).await
    }

    async fn media(&self, highlight_id: String, viewer: Option<String>) -> Result<MediaRef, StoreError> {
        self.call(move |c| videos::media(c, &highlight_id, viewer.as_deref())).await
    }

    async fn feed(&self, seller_id: String, limit: u32) -> Result<Feed, StoreError> {
        self.read(move |c| videos::feed(c, &seller_id, limit)).await
    }

    async fn create_seller(
        &self,
        seller_id: String,
        name: String,
        lifetime: TokenLifetime,
    ) -> Result<String, StoreError> {
        self.write(move |tx| sellers::create(tx, &seller_id, &name, lifetime)).await
    }

    async fn seller_token(&self, seller_id: String, lifetime: TokenLifetime) -> Result<String, StoreError> {
        self.write(move |tx| sellers::token(tx, &seller_id, lifetime)).await
    }

    async fn service_token(&self, lifetime: TokenLifetime) -> Result<String, StoreError> {
        self.write(move |tx| sellers::service_token(tx, lifetime)).await
    }

    async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.read(sellers::list).await
    }

    async fn revoke_token(&self, token_id: String) -> Result<TokenInfo, StoreError> {
        self.write(move |tx| sellers::revoke(tx, &token_id)).await
    }

    async fn revoke_seller_tokens(&self, seller_id: String) -> Result<u32, StoreError> {
        self.write(move |tx| sellers::revoke_seller(tx, &seller_id)).await
    }

    async fn prune_idempotency(&self, older_than_ms: i64) -> Result<u64, StoreError> {
        self.write(move |tx| idempotency::prune(tx, older_than_ms)).await
    }

    async fn set_config(&self, config: RemoteConfig) -> Result<(), StoreError> {
        self.write(move |tx| config::save(tx, &config)).await
    }

    async fn experiment_report(&self) -> Result<ExperimentReport, StoreError> {
        self.read(report::experiments).await
    }

    async fn pin_experiments(
        &self,
        seller_id: String,
        popup: Option<bool>,
        format: Option<String>,
    ) -> Result<(), StoreError> {
        self.write(move |tx| sellers::pin_experiments(tx, &seller_id, popup, format.as_deref())).await
    }

    async fn engine_settings(&self) -> Result<EngineSettings, StoreError> {
        self.call(|c| config::engine_settings(c)).await
    }

    async fn set_engine_settings(&self, settings: EngineSettings) -> Result<(), StoreError> {
        self.write(move |tx| config::save_engine_settings(tx, &settings)).await
    }
}
