//! The whole system on one machine: the reference backend in-process, a seller, the app core, and a
//! sample shoppable LIVE replayed at accelerated speed through the ingestion endpoint, narrated.

pub mod results;
pub mod sample;
pub mod steering;
mod story;
pub mod summary;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use highlights_core::{HighlightsCore, SyncConfig, Syncer, TokenProvider};
use highlights_server::clock::now_ms;
use highlights_server::media::Ffmpeg;
use highlights_server::media::test_pattern::{self, PatternSegment};
use highlights_server::serve::{IngestWindow, RunningServer, ServeOptions, Videos, start_with};
use highlights_server::store::{RetryPolicy, TokenLifetime};

pub use summary::Summary;

/// How the demo runs.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Stream seconds per wall second (60: the 45-minute LIVE takes 45 s).
    pub speed: f64,
    /// Keep the server's and the app's data here instead of a temporary directory.
    pub data_dir: Option<PathBuf>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self { speed: 60.0, data_dir: None }
    }
}

/// Any failure of the demo, in words.
pub type DemoError = Box<dyn std::error::Error + Send + Sync>;

struct Token(String);

impl TokenProvider for Token {
    fn token(&self) -> Result<String, String> {
        Ok(self.0.clone())
    }
}

/// Everything the story needs: the running pieces and the accelerated clock they share.
pub(crate) struct World {
    pub server: RunningServer,
    pub core: Arc<HighlightsCore>,
    pub syncer: Syncer,
    pub service_token: String,
    pub seller_token: String,
    pub http: reqwest::Client,
    /// The demo's time (epoch ms): it moves only as fast as the LIVE is replayed, so a slow machine
    /// slows the story down instead of letting posts fall due before their moments were ingested.
    pub clock: Arc<AtomicI64>,
    pub live_start_ms: i64,
    pub speed: f64,
    /// The recorder's stand-in: the LIVE's recording, generated while the seller sets up.
    pub recording: Option<tokio::task::JoinHandle<Result<Vec<PatternSegment>, DemoError>>>,
    /// Where the server keeps rendered videos.
    pub videos_dir: PathBuf,
    /// Whether the server renders videos (ffmpeg was found).
    pub rendering: bool,
}

/// Frame rate of the demo's recording: low, so 45 minutes generate in seconds; renders are 25 fps.
const RECORDING_FPS: u32 = 5;
/// Segment length the demo's recorder sends.
const SEGMENT_S: u32 = 6;

/// Runs the demo, narrating to `out`; returns the summary (its `ok()` says whether every check held).
pub async fn run(options: DemoOptions, out: &mut (dyn std::io::Write + Send)) -> Result<Summary, DemoError> {
    let (dir, _temp) = match &options.data_dir {
        Some(d) => (d.clone(), None),
        None => {
            let t = tempfile::tempdir()?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let speed = options.speed.max(1.0);
    let clock = Arc::new(AtomicI64::new(now_ms()));
    let server_clock = clock.clone();
    let ffmpeg = Ffmpeg::find().map(|mut ff| {
        // The demo replays 45 minutes in under one: the fastest x264 preset keeps renders up.
        ff.preset = "ultrafast".into();
        ff
    });
    let videos = match &ffmpeg {
        Some(ff) => Videos::RenderWith(ff.clone()),
        None => {
            writeln!(
                out,
                "ffmpeg not found: highlights post without videos (sudo apt-get install ffmpeg to render them)"
            )?;
            Videos::PostWithout
        }
    };
    let serve = ServeOptions {
        clock: Arc::new(move || server_clock.load(Ordering::SeqCst)),
        videos,
        render_workers: 2,
        retry: RetryPolicy { first_backoff_ms: 1_000, ..RetryPolicy::default() },
        // The story sends its later LIVEs whole, up to about an hour ahead of its clock; the rate
        // limits stay as shipped.
        window: IngestWindow { future: std::time::Duration::from_secs(2 * 3600), ..IngestWindow::default() },
        ..ServeOptions::default()
    };
    let server = start_with("127.0.0.1:0".parse()?, &dir.join("server"), serve).await?;
    writeln!(out, "Backend listening on {} (SQLite in {})", server.url(), dir.display())?;
    let rendering = ffmpeg.is_some();
    let recording = ffmpeg.map(|ff| {
        let recorder_dir = dir.join("recorder");
        tokio::spawn(async move {
            std::fs::create_dir_all(&recorder_dir)?;
            let seconds = (crate::sample::spec(0).duration_s) as u32;
            Ok(test_pattern::generate(&ff, &recorder_dir, seconds, SEGMENT_S, RECORDING_FPS).await?)
        })
    });
    let seller = "demo-seller";
    let store = server.state.store.clone();
    let seller_token = store.create_seller(seller.into(), "Demo seller".into(), TokenLifetime::SELLER).await?;
    let format = highlights_api::FormatVariant::ClickNowEndCard.as_str();
    store.pin_experiments(seller.into(), Some(true), Some(format.into())).await?;
    let service_token = store.service_token(TokenLifetime::SERVICE).await?;
    std::fs::create_dir_all(dir.join("app"))?;
    let core = Arc::new(HighlightsCore::open(&dir.join("app").join("highlights.db"), seller)?);
    let syncer = Syncer::new(core.clone(), SyncConfig::new(&server.url()), Arc::new(Token(seller_token.clone())))?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let videos_dir = dir.join("server").join("media").join("videos");
    let world = World {
        server,
        core,
        syncer,
        service_token,
        seller_token,
        http,
        clock,
        live_start_ms: 0,
        speed,
        recording,
        videos_dir,
        rendering,
    };
    let result = story::tell(world, out).await;
    if let Some(d) = &options.data_dir {
        writeln!(out, "Data kept in {}", d.display())?;
    }
    result
}
