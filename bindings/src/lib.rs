//! uniffi bindings of the Auto LIVE Highlights app core: a thin adapter with no logic of its own.
//!
//! Kotlin and Swift get one object, [`HighlightsApp`], plus the core's event and view-state types.
//! Shells implement [`StateObserver`] (render) and [`TokenProvider`] (auth).

uniffi::setup_scaffolding!("highlights_ffi");

mod account;
mod error;
mod transport;

use std::path::Path;
use std::sync::{Arc, Mutex};

use highlights_core::api::RecordingStoryboard;
use highlights_core::{BackgroundSync, Event, HighlightsCore, SyncConfig, SyncReport, Syncer, ViewState};

pub use account::sign_in;
pub use error::{HighlightsError, InputProblem, ShellError};
pub use transport::{HttpTransport, TransportError};

/// Renders state; implemented by the shell. Called on a background thread after every change.
#[uniffi::export(with_foreign)]
pub trait StateObserver: Send + Sync {
    /// The whole new state.
    fn on_state(&self, state: ViewState) -> Result<(), ShellError>;
}

/// Supplies the access token before every request; implemented by the host app.
#[uniffi::export(with_foreign)]
pub trait TokenProvider: Send + Sync {
    /// The current token; fail when signed out or the refresh failed.
    fn token(&self) -> Result<String, ShellError>;
}

struct Observer(Arc<dyn StateObserver>);

impl highlights_core::StateObserver for Observer {
    fn on_state(&self, state: &ViewState) {
        if let Err(e) = self.0.on_state(state.clone()) {
            tracing::warn!(error = %e, "state observer failed");
        }
    }
}

struct Tokens(Arc<dyn TokenProvider>);

impl highlights_core::TokenProvider for Tokens {
    fn token(&self) -> Result<String, String> {
        self.0.token().map_err(|e| e.to_string())
    }
}

/// Aborts a spawned task when the caller stops waiting (a cancelled coroutine or Swift Task).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The Highlights feature for one signed-in seller.
#[derive(uniffi::Object)]
pub struct HighlightsApp {
    core: Arc<HighlightsCore>,
    syncer: Arc<Syncer>,
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    background: Mutex<Option<BackgroundSync>>,
}

impl HighlightsApp {
    fn handle(&self) -> Result<tokio::runtime::Handle, HighlightsError> {
        let rt = self.runtime.lock().unwrap_or_else(|e| e.into_inner());
        rt.as_ref().map(|r| r.handle().clone()).ok_or(HighlightsError::Cancelled)
    }

    /// Runs `work` on the sync runtime, aborted when the caller stops waiting. A panic inside never
    /// crosses the FFI: it is logged and the call ends as cancelled.
    async fn run<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = Result<T, highlights_core::CoreError>> + Send + 'static,
    ) -> Result<T, HighlightsError> {
        let mut task = AbortOnDrop(self.handle()?.spawn(work));
        match (&mut task.0).await {
            Ok(result) => Ok(result?),
            Err(e) => {
                if e.is_panic() {
                    tracing::error!("a core task panicked; the call ends as cancelled");
                }
                Err(HighlightsError::Cancelled)
            }
        }
    }
}

#[uniffi::export]
impl HighlightsApp {
    /// Opens the seller's cache at `db_path` and prepares sync with the backend at `base_url`,
    /// through the platform's `transport` (a phone's), or the core's own stack when none is given
    /// (the PC app; a phone's library has none).
    #[uniffi::constructor(default(transport = None))]
    pub fn new(
        db_path: String,
        seller_id: String,
        base_url: String,
        tokens: Arc<dyn TokenProvider>,
        transport: Option<Arc<dyn HttpTransport>>,
    ) -> Result<Arc<Self>, HighlightsError> {
        let core = Arc::new(HighlightsCore::open(Path::new(&db_path), &seller_id)?);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("highlights-sync")
            .enable_all()
            .build()
            .map_err(|e| HighlightsError::Storage { reason: format!("cannot start the sync runtime: {e}") })?;
        let syncer = Arc::new(Syncer::with_transport(
            core.clone(),
            SyncConfig::new(&base_url),
            Arc::new(Tokens(tokens)),
            transport::core_transport(transport),
        )?);
        Ok(Arc::new(Self { core, syncer, runtime: Mutex::new(Some(runtime)), background: Mutex::new(None) }))
    }

    /// Forwards a seller event; on error nothing changed.
    pub fn dispatch(&self, event: Event) -> Result<(), HighlightsError> {
        Ok(self.core.dispatch(event)?)
    }

    /// The current state of every screen.
    pub fn view(&self) -> Result<ViewState, HighlightsError> {
        Ok(self.core.view()?)
    }

    /// Registers an observer; it gets the current state at once, then every change.
    pub fn subscribe(&self, observer: Arc<dyn StateObserver>) -> Result<u64, HighlightsError> {
        Ok(self.core.subscribe(Arc::new(Observer(observer)))?)
    }

    /// Ends a subscription.
    pub fn unsubscribe(&self, subscription: u64) {
        self.core.unsubscribe(subscription)
    }

    /// Pushes queued actions and pulls changes now; cancelling the caller cancels the sync.
    pub async fn sync(&self) -> Result<SyncReport, HighlightsError> {
        let syncer = self.syncer.clone();
        self.run(async move { syncer.sync().await }).await
    }

    /// The bytes of a media URL from the view (thumbnail, storyboard, video); the seller's token
    /// goes only to the API's own host. Cancelling the caller cancels the download.
    pub async fn media(&self, url: String) -> Result<Vec<u8>, HighlightsError> {
        let syncer = self.syncer.clone();
        self.run(async move { syncer.media(&url).await }).await
    }

    /// A recording's storyboard strips so far, for the clip editor's timeline.
    pub async fn recording_storyboard(&self, recording_id: String) -> Result<RecordingStoryboard, HighlightsError> {
        let syncer = self.syncer.clone();
        self.run(async move { syncer.recording_storyboard(&recording_id).await }).await
    }

    /// Keeps the cache fresh while a screen is open (interval from remote config).
    pub fn start_background_sync(&self) -> Result<(), HighlightsError> {
        let handle = self.handle()?;
        let mut bg = self.background.lock().unwrap_or_else(|e| e.into_inner());
        if bg.is_none() {
            *bg = Some(BackgroundSync::start(self.syncer.clone(), &handle));
        }
        Ok(())
    }

    /// Pull-to-refresh.
    pub fn refresh_now(&self) {
        if let Some(bg) = self.background.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            bg.refresh_now();
        }
    }

    /// Abandons the background sync in flight.
    pub fn cancel_sync(&self) {
        if let Some(bg) = self.background.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            bg.cancel_in_flight();
        }
    }

    /// Stops background sync and releases the runtime; call when the screen's lifecycle ends.
    /// (Not `close`: generated Kotlin objects are `AutoCloseable` already.)
    pub async fn shutdown(&self) {
        let bg = self.background.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(bg) = bg {
            bg.shutdown().await;
        }
        let rt = self.runtime.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(rt) = rt {
            rt.shutdown_background();
        }
    }
}

impl Drop for HighlightsApp {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.lock().unwrap_or_else(|e| e.into_inner()).take() {
            // Never blocks, so dropping from any thread (a UI thread, an async task) is safe.
            rt.shutdown_background();
        }
    }
}
