//! Running the server: bound to an address, with a data directory, stoppable cleanly.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::cluster::EventLog;
use crate::engine_host::EngineHost;
pub use crate::listen::ConnectionLimits;
pub use crate::media::snap::Snapping;
use crate::media::{Cleaner, Ffmpeg, LocalMediaStore, MediaStore, RenderWorker, Retention, SpeechWorker};
use crate::rate::Throttle;
pub use crate::rate::{Rate, RateLimits};
use crate::routes::{AppState, router};
use crate::store::{PostgresStore, RenderQuota, RetryPolicy, SqliteStore, Store, StoreError};
pub use crate::window::IngestWindow;

/// File name of the store inside the data directory.
pub const DB_FILE: &str = "highlights-server.db";

/// Path of the store inside `data_dir`.
pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DB_FILE)
}

/// Opens the store: PostgreSQL at `database_url` when given, else SQLite in `data_dir`. Highlights
/// post only with a ready video when `videos`; failed renders are retried by `retry`.
pub async fn open_store(
    data_dir: &Path,
    database_url: Option<&str>,
    videos: bool,
    retry: RetryPolicy,
) -> Result<Arc<dyn Store>, StoreError> {
    open_store_with(data_dir, database_url, videos, retry, RenderQuota::default()).await
}

/// Like [`open_store`], limiting seller-made videos by `quota`.
pub async fn open_store_with(
    data_dir: &Path,
    database_url: Option<&str>,
    videos: bool,
    retry: RetryPolicy,
    quota: RenderQuota,
) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match database_url {
        Some(url) => {
            let pg = PostgresStore::open(url).await?.with_retry(retry).with_render_quota(quota);
            Arc::new(if videos { pg } else { pg.posting_without_videos() })
        }
        None => {
            let sqlite = SqliteStore::open(&db_path(data_dir)).await?.with_retry(retry).with_render_quota(quota);
            Arc::new(if videos { sqlite } else { sqlite.posting_without_videos() })
        }
    })
}

/// A server running in this process.
pub struct RunningServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state, for in-process admin work.
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Base URL, e.g. `http://127.0.0.1:8080`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, finishes in-flight requests, and waits for the server to end.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.task.await.unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// How often due highlights are posted.
const SCHEDULER_TICK: std::time::Duration = std::time::Duration::from_millis(250);

pub use crate::clock::Clock;

/// How highlights get their videos.
#[derive(Clone)]
pub enum Videos {
    /// Rendered here with ffmpeg from the PATH; without it, highlights wait for render.
    Render,
    /// Rendered here with these programs.
    RenderWith(Ffmpeg),
    /// Posted without videos: for suites and deployments that exercise the posting rules with
    /// no recordings at all.
    PostWithout,
}

/// Whether and how the server turns LIVEs' sound into captions (docs/backend.md).
#[derive(Clone, Default)]
pub enum Speech {
    /// None: captions come from the platform only (the default of embedded suites and replays).
    #[default]
    Off,
    /// PocketSphinx when it is installed; without it one line says so and clips render without
    /// automatic subtitles.
    Installed,
    /// PocketSphinx at its speed settings: about twice the LIVEs per core, more words wrong.
    InstalledFast,
    /// This recogniser: a deployment's own (a Whisper server, a cloud API), or a test's.
    With(Arc<dyn crate::media::Recognizer>),
}

/// How to run the server.
#[derive(Clone)]
pub struct ServeOptions {
    /// Clock that decides when scheduled highlights are due.
    pub clock: Clock,
    /// Limits on connections and requests.
    pub limits: ConnectionLimits,
    /// Request rate limits per client address and per token.
    pub rate_limits: RateLimits,
    /// How far from `clock` ingested events and segments may be.
    pub window: IngestWindow,
    /// How highlights get their videos.
    pub videos: Videos,
    /// Where recordings and videos are kept (`media/` in the data directory when absent).
    pub media: Option<Arc<dyn MediaStore>>,
    /// Render workers; each keeps about one core busy. 0: none in this process (another one
    /// renders from the same store, or a test drives a [`RenderWorker`] itself).
    pub render_workers: usize,
    /// When failed renders are retried.
    pub retry: RetryPolicy,
    /// How far an engine's clip's edges may move to natural breaks at render time, and how long
    /// a render waits for the recording and captions after the clip to find one (4 s and 10 s by
    /// default; a waiting job goes back to the store, no worker is held).
    pub snapping: Snapping,
    /// How many videos a seller may have made (see [`RenderQuota`]'s default for why).
    pub render_quota: RenderQuota,
    /// Speech recognition of received segments.
    pub speech: Speech,
    /// Speech workers; each keeps about one core busy while LIVEs talk (PocketSphinx hears
    /// several LIVEs in real time on one). 0: none in this process.
    pub speech_workers: usize,
    /// Distributed mode: ingestion appends to this event log instead of storing and scoring here.
    pub log: Option<EventLog>,
    /// The shared PostgreSQL store at this URL instead of SQLite in the data directory (which
    /// then holds only media and scratch files).
    pub database_url: Option<String>,
    /// How long idempotency keys are kept (7 days by default). Keep it long: the app core's
    /// outbox retries an action with its key after days offline, and a key pruned before that
    /// retry would let the action apply twice.
    pub idempotency_keep: std::time::Duration,
    /// How long media is kept; every process runs the cleanup job (leases keep them apart).
    pub retention: Retention,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            clock: Arc::new(crate::clock::now_ms),
            limits: ConnectionLimits::default(),
            rate_limits: RateLimits::default(),
            window: IngestWindow::default(),
            videos: Videos::Render,
            media: None,
            render_workers: 1,
            retry: RetryPolicy::default(),
            snapping: Snapping::default(),
            render_quota: RenderQuota::default(),
            speech: Speech::Off,
            speech_workers: 1,
            log: None,
            database_url: None,
            idempotency_keep: std::time::Duration::from_secs(7 * 86_400),
            retention: Retention::default(),
        }
    }
}

impl ServeOptions {
    /// The defaults, posting without videos (see [`Videos::PostWithout`]).
    pub fn posting_without_videos() -> Self {
        Self { videos: Videos::PostWithout, ..Self::default() }
    }

    /// These options with no rate limits and the widest ingest window: for suites and replays
    /// that send LIVEs recorded at fixed dates as fast as they can.
    pub fn replaying(self) -> Self {
        Self { rate_limits: RateLimits::unlimited(), window: IngestWindow::widest(), ..self }
    }
}

/// How often idempotency keys past `ServeOptions::idempotency_keep` are deleted: rarely, since
/// each pass is a write and nothing depends on keys going at once.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Posts due highlights (and clears LIVE-now links of silent LIVEs), and deletes idempotency keys
/// older than `keep`, until told to stop.
async fn schedule(
    store: Arc<dyn Store>,
    clock: Clock,
    keep: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(SCHEDULER_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut next_prune = tokio::time::Instant::now();
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        match store.post_due(clock()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(posted = n, "highlights posted"),
            Err(e) => tracing::warn!(error = %e, "posting due highlights failed; retrying"),
        }
        if tokio::time::Instant::now() >= next_prune {
            next_prune = tokio::time::Instant::now() + PRUNE_EVERY;
            // Keys are stamped with the wall clock, not the (possibly sped-up) posting clock.
            let keep_ms = i64::try_from(keep.as_millis()).unwrap_or(i64::MAX);
            match store.prune_idempotency(crate::clock::now_ms().saturating_sub(keep_ms)).await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(pruned = n, "old idempotency keys deleted");
                    if n >= crate::store::PRUNE_BATCH {
                        // A backlog: the next batch on the next tick, posting in between.
                        next_prune = tokio::time::Instant::now();
                    }
                }
                Err(e) => tracing::warn!(error = %e, "deleting old idempotency keys failed; retrying later"),
            }
        }
    }
}

/// Keeps the rate limiters' tables as small as the set of recent clients.
async fn prune_limits(throttle: Arc<Throttle>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = tick.tick() => throttle.prune(),
            _ = stop.changed() => return,
        }
    }
}

/// Starts the server on `addr` (port 0 picks a free one) with its store in `data_dir`.
pub async fn start(
    addr: SocketAddr,
    data_dir: &Path,
) -> Result<RunningServer, Box<dyn std::error::Error + Send + Sync>> {
    start_with(addr, data_dir, ServeOptions::default()).await
}

/// Like [`start`], with options.
pub async fn start_with(
    addr: SocketAddr,
    data_dir: &Path,
    options: ServeOptions,
) -> Result<RunningServer, Box<dyn std::error::Error + Send + Sync>> {
    crate::private::dir(data_dir)?;
    let ffmpeg = match &options.videos {
        Videos::Render | Videos::PostWithout => Ffmpeg::find(),
        Videos::RenderWith(ff) => Some(ff.clone()),
    };
    let with_videos = !matches!(options.videos, Videos::PostWithout);
    let store =
        open_store_with(data_dir, options.database_url.as_deref(), with_videos, options.retry, options.render_quota)
            .await?;
    let media = options.media.clone().unwrap_or_else(|| Arc::new(LocalMediaStore::new(data_dir.join("media"))));
    let scratch = data_dir.join("scratch");
    let throttle = Arc::new(Throttle::new(&options.rate_limits));
    // Words come from a segment's sound, which only ffmpeg reads out.
    let speech: Option<Arc<dyn crate::media::Recognizer>> = match (&options.speech, with_videos && ffmpeg.is_some()) {
        (Speech::Off, _) | (_, false) => None,
        (Speech::With(r), true) => Some(r.clone()),
        (Speech::Installed | Speech::InstalledFast, true) => match crate::media::PocketSphinx::find() {
            Some(p) if matches!(options.speech, Speech::InstalledFast) => Some(Arc::new(p.fast())),
            Some(p) => Some(Arc::new(p)),
            None => {
                eprintln!(
                    "speech recognition not found: clips get subtitles only from the platform's captions (apt-get install pocketsphinx pocketsphinx-en-us)"
                );
                None
            }
        },
    };
    let state = AppState {
        store,
        engine: EngineHost::default(),
        media,
        ffmpeg: ffmpeg.clone(),
        scratch,
        speech: speech.clone(),
        log: options.log,
        throttle: throttle.clone(),
        clock: options.clock.clone(),
        window: options.window,
    };
    let (app, _) = router(state.clone());
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let (stop_background, background_stopped) = tokio::sync::watch::channel(false);
    let mut background = vec![
        tokio::spawn(schedule(
            state.store.clone(),
            options.clock,
            options.idempotency_keep,
            background_stopped.clone(),
        )),
        tokio::spawn(prune_limits(throttle.clone(), background_stopped.clone())),
        tokio::spawn(
            Cleaner::new(state.store.clone(), state.media.clone(), options.retention).run(background_stopped.clone()),
        ),
    ];
    match (&options.videos, ffmpeg) {
        (Videos::PostWithout, _) => {}
        (_, None) => {
            eprintln!("ffmpeg not found: highlights wait for render until it is installed (apt-get install ffmpeg)")
        }
        (_, Some(ff)) => {
            // The embedded store has one renderer, this process: jobs a killed predecessor had
            // claimed are taken up again now, not when their lease runs out. A shared store's
            // leases may be other processes' renders in flight: they lapse on their own.
            if options.database_url.is_none() {
                match state.store.release_render_leases().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(jobs = n, "render jobs of an earlier run taken up again"),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not free earlier render leases; they lapse on their own")
                    }
                }
            }
            let worker = RenderWorker::new(state.store.clone(), state.media.clone(), ff.clone(), state.scratch.clone())
                .with_snapping(options.snapping)
                .with_speech(speech.is_some());
            for _ in 0..options.render_workers {
                background.push(tokio::spawn(worker.clone().run(background_stopped.clone())));
            }
            if let Some(recognizer) = &speech {
                tracing::info!(recognizer = %recognizer.name(), workers = options.speech_workers, "speech recognition on");
                let listener = SpeechWorker::new(
                    state.store.clone(),
                    state.media.clone(),
                    ff,
                    recognizer.clone(),
                    state.scratch.clone(),
                );
                for _ in 0..options.speech_workers {
                    background.push(tokio::spawn(listener.clone().run(background_stopped.clone())));
                }
            }
        }
    }
    let limits = options.limits;
    let proxies = throttle.proxies().clone();
    let task = tokio::spawn(async move {
        crate::listen::serve(listener, app, limits, proxies, stopped).await;
        let _ = stop_background.send(true);
        for t in background {
            let _ = t.await;
        }
        Ok(())
    });
    tracing::info!(%addr, data_dir = %data_dir.display(), "highlights server listening");
    Ok(RunningServer { addr, state, stop: Some(stop), task })
}
