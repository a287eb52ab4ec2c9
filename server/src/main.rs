//! `highlights-server`: serve the API, administer sellers and config, replay LIVE streams, measure
//! the engine on labelled streams.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use highlights_engine::EngineSettings;
use highlights_server::cluster::EventLog;
use highlights_server::cluster::worker::WorkerOptions;
use highlights_server::serve;
use highlights_server::store::{
    SELLER_TOKEN_DAYS, SERVICE_TOKEN_DAYS, TokenLifetime, check_config, engine_settings_in_force,
};

#[derive(Parser)]
#[command(name = "highlights-server", version, about = "Reference backend of Auto LIVE Highlights")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// `serve --speech`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum SpeechArg {
    /// PocketSphinx when installed.
    Installed,
    /// PocketSphinx at its speed settings.
    Fast,
    /// No speech recognition.
    Off,
}

// Parsed once per run: the size of the largest subcommand's flags costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run the REST API (embedded SQLite in --data).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Data directory holding the SQLite store.
        #[arg(long, default_value = "./highlights-data")]
        data: PathBuf,
        /// Post highlights without rendering videos (no recordings needed): for UI tests and
        /// backends whose videos are made elsewhere.
        #[arg(long)]
        without_videos: bool,
        /// Distributed mode: append LIVE events to the NATS JetStream log at this URL (read by
        /// `worker` processes) instead of storing and scoring them in this process.
        #[arg(long)]
        nats: Option<String>,
        /// Partitions of the event log; every process of a deployment must use the same number.
        #[arg(long, default_value_t = 8)]
        partitions: u32,
        /// How entries are written to the event log: `compact` (decoded once by workers of this
        /// version and later), or `json` while older workers still read the log.
        #[arg(long, value_enum, default_value_t = LogEntriesArg::Compact)]
        log_entries: LogEntriesArg,
        /// Hours the event log keeps entries at least (the same on every process; its disk scales
        /// with it): a longer one raises the stream's, a shorter one is left to an admin.
        #[arg(long, default_value_t = LOG_RETENTION_HOURS)]
        log_retention_hours: u64,
        #[command(flatten)]
        database: Database,
        #[command(flatten)]
        limits: EdgeLimits,
        #[command(flatten)]
        snapping: SnapArgs,
        #[command(flatten)]
        media: MediaArgs,
        /// Speech recognition of LIVEs' sound, for subtitles and for ending clips between
        /// sentences: `installed` uses PocketSphinx when it is there, `fast` the same at its
        /// speed settings (about twice the LIVEs per core, more words wrong), `off` never listens.
        #[arg(long, value_enum, default_value_t = SpeechArg::Installed)]
        speech: SpeechArg,
        /// Days a LIVE's recording is kept once the LIVE went quiet (new videos can be cut of it
        /// until then); the cleanup job deletes it after.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
        recordings_kept_days: u64,
        /// Minutes the video of a removed highlight stays before the cleanup job deletes it (its
        /// seller's apps, which may not have synced since, still find it).
        #[arg(long, default_value_t = 60)]
        removed_videos_kept_minutes: u64,
    },
    /// Distributed mode: lease partitions of the event log and apply their LIVE events to the
    /// store (engine, highlights, caps), resuming exactly where the previous holder stopped.
    Worker {
        /// Data directory holding the SQLite store (the one the API servers use).
        #[arg(long, default_value = "./highlights-data")]
        data: PathBuf,
        /// NATS URL of the event log.
        #[arg(long)]
        nats: String,
        /// Partitions of the event log (as given to `serve`).
        #[arg(long, default_value_t = 8)]
        partitions: u32,
        /// This worker's name, unique among running workers (default: host and process id).
        #[arg(long)]
        name: Option<String>,
        /// Seconds a lease lasts unrenewed: how soon a dead worker's partitions move.
        #[arg(long, default_value_t = 10)]
        lease_s: u64,
        /// As for `serve`: highlights post without videos (must match the API servers).
        #[arg(long)]
        without_videos: bool,
        /// As for `serve`: hours the event log keeps entries at least.
        #[arg(long, default_value_t = LOG_RETENTION_HOURS)]
        log_retention_hours: u64,
        #[command(flatten)]
        database: Database,
    },
    /// Run a recorded JSONL event stream through the highlight engine as if live; prints one JSON
    /// object per auto-posted highlight, in posting order. Diagnostics go to stderr.
    Replay {
        /// JSONL file, or `-` for stdin.
        #[arg(long)]
        events: PathBuf,
        /// Most auto-posts per LIVE (default: remote-config default, 20).
        #[arg(long)]
        max_per_live: Option<u32>,
        /// Most auto-posts per pinned product (default 3).
        #[arg(long)]
        max_per_product: Option<u32>,
        /// Seconds between identification and posting (default 300).
        #[arg(long)]
        post_delay_s: Option<u32>,
        /// Also print the moments that became recommendations; each line then has a `kind`.
        #[arg(long)]
        all: bool,
        /// Engine settings as JSON (any subset of `admin show-engine-settings`; default: built in).
        #[arg(long)]
        settings: Option<PathBuf>,
    },
    /// Measure the engine on human-labelled streams, next to the naive chat-rate baseline: prints
    /// start-precision at 1, 5 and 10 and the precision of what is auto-posted, per stream and in all.
    Eval {
        /// A dataset in the Lightor layout: `chat/<stream> <offset_ms>.csv` and `labels/<stream>.csv`;
        /// repeat it to measure several together (e.g. the Dota2 and LoL training splits).
        #[arg(long, required = true)]
        lightor: Vec<PathBuf>,
        /// Also cross-validate the settings chat can inform, leaving one stream out at a time, and
        /// print that figure beside the in-sample one.
        #[arg(long)]
        cv: bool,
        /// Auto-posts per stream for the posted precision (per LIVE and per product alike).
        #[arg(long, default_value_t = 10)]
        cap: u32,
        /// Engine settings as JSON (any subset of `admin show-engine-settings`; default: built in).
        #[arg(long)]
        settings: Option<PathBuf>,
    },
    /// Learn the chat weights from human-labelled streams (a logistic model of which seconds are a
    /// highlight's reaction, replayed online); prints the engine settings JSON (`{"weights": …}`)
    /// that `admin set-engine-settings` takes.
    Train {
        /// A dataset in the Lightor layout, as for `eval`; repeat it to learn from several.
        #[arg(long, required = true)]
        lightor: Vec<PathBuf>,
        /// Also write the settings JSON to this file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Engine settings to replay with and start from, as JSON (default: built in).
        #[arg(long)]
        settings: Option<PathBuf>,
        /// Auto-posts per stream when choosing the span and penalty by what the engine finds.
        #[arg(long, default_value_t = 10)]
        cap: u32,
    },
    /// Administer sellers, tokens, remote config and experiment pins.
    Admin {
        /// Data directory holding the SQLite store.
        #[arg(long, default_value = "./highlights-data")]
        data: PathBuf,
        #[command(flatten)]
        database: Database,
        #[command(subcommand)]
        action: AdminAction,
    },
}

#[derive(Subcommand)]
enum AdminAction {
    /// Create a seller; prints its token.
    CreateSeller {
        /// Seller id.
        id: String,
        /// Display name.
        #[arg(long, default_value = "")]
        name: String,
        /// Days until the token expires; 0 = never.
        #[arg(long, default_value_t = SELLER_TOKEN_DAYS)]
        expires_in_days: u32,
    },
    /// Issue another token for a seller; prints it.
    SellerToken {
        /// Seller id.
        id: String,
        /// Days until the token expires; 0 = never.
        #[arg(long, default_value_t = SELLER_TOKEN_DAYS)]
        expires_in_days: u32,
    },
    /// Issue a token for the streaming service (event ingestion); prints it.
    ServiceToken {
        /// Days until the token expires; 0 = never.
        #[arg(long, default_value_t = SERVICE_TOKEN_DAYS)]
        expires_in_days: u32,
    },
    /// List every token, one line each: its id, kind, seller, when it was issued, expires and was
    /// revoked. Never the token itself.
    ListTokens,
    /// Revoke a token by the id list-tokens prints, or every token of a seller; refused at once.
    RevokeToken {
        /// The token's id, as list-tokens prints it.
        #[arg(required_unless_present = "seller", conflicts_with = "seller")]
        token_id: Option<String>,
        /// Revoke every token of this seller instead.
        #[arg(long)]
        seller: Option<String>,
    },
    /// Print the remote config as JSON.
    ShowConfig,
    /// Print the engine's settings (bars, weights, lead-in, clip bounds…) as JSON.
    ShowEngineSettings,
    /// Replace the engine's settings with the JSON in FILE (`-` for stdin); missing fields keep
    /// their defaults.
    SetEngineSettings {
        /// JSON file.
        file: PathBuf,
    },
    /// Replace the remote config with the JSON in FILE (`-` for stdin).
    SetConfig {
        /// JSON file.
        file: PathBuf,
    },
    /// Print the experiments report: per pop-up arm, exposure and turn-on rate; per learning arm
    /// (control: the hash and pins; learning: the bandit) and video-format variant, sellers, the
    /// variant's share of next clips, videos posted, views, LIVE-room entries, orders and GMV.
    ExperimentReport,
    /// Pin a seller into experiment arms.
    PinExperiments {
        /// Seller id.
        id: String,
        /// Show the pre-LIVE pop-up (true/false).
        #[arg(long)]
        popup: Option<bool>,
        /// Format variant: control, auto_subtitles, arrow_to_live, click_now_end_card, background_music.
        #[arg(long)]
        format: Option<String>,
    },
}

/// Where the PostgreSQL store is. Its URL carries a password, so it comes from the environment or
/// a file, never the command line, which every user of the machine can read in `ps`.
#[derive(clap::Args)]
struct Database {
    /// File holding the URL (`postgres://user:password@host:port/db`) of the PostgreSQL database
    /// shared by every API server and worker; HIGHLIGHTS_DATABASE_URL in the environment does the
    /// same. Without either, the data is kept in SQLite in --data.
    #[arg(long)]
    database_url_file: Option<PathBuf>,
}

impl Database {
    fn url(&self) -> Result<Option<String>, Box<dyn std::error::Error + Send + Sync>> {
        if let Some(file) = &self.database_url_file {
            let url = std::fs::read_to_string(file)
                .map_err(|e| format!("reading --database-url-file {}: {e}", file.display()))?;
            return Ok(Some(url.trim().to_string()));
        }
        Ok(std::env::var("HIGHLIGHTS_DATABASE_URL").ok().filter(|u| !u.trim().is_empty()))
    }
}

/// Where media is kept when not in --data: an S3-compatible object store, so API servers and
/// render workers on several machines share it. Its keys come from the environment, never the
/// command line.
#[derive(clap::Args)]
struct MediaArgs {
    /// Endpoint of an S3-compatible object store (e.g. `https://s3.eu-west-1.amazonaws.com`, or
    /// a MinIO/Ceph/s3s server's URL) holding recordings and videos instead of --data/media; keys
    /// in HIGHLIGHTS_MEDIA_S3_ACCESS_KEY and HIGHLIGHTS_MEDIA_S3_SECRET_KEY (or AWS_ACCESS_KEY_ID
    /// and AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN for temporary ones), a CA file for its
    /// certificate in HIGHLIGHTS_MEDIA_CA_FILE.
    #[arg(long)]
    media_s3_endpoint: Option<String>,
    /// Bucket of the object store (created at start when missing).
    #[arg(long, default_value = "highlights-media")]
    media_s3_bucket: String,
    /// Region the object store's signatures name.
    #[arg(long, default_value = "us-east-1")]
    media_s3_region: String,
    /// Virtual-host style URLs (`bucket.endpoint/key`, AWS's preference) instead of path style
    /// (`endpoint/bucket/key`, which most S3-compatible servers need).
    #[arg(long)]
    media_s3_virtual_host: bool,
}

impl MediaArgs {
    /// The object store, if one is named, with its bucket made sure of.
    async fn store(
        &self,
    ) -> Result<
        Option<std::sync::Arc<dyn highlights_server::media::MediaStore>>,
        Box<dyn std::error::Error + Send + Sync>,
    > {
        let Some(endpoint) = &self.media_s3_endpoint else { return Ok(None) };
        let key = |ours: &str, aws: &str| {
            std::env::var(ours)
                .or_else(|_| std::env::var(aws))
                .ok()
                .filter(|k| !k.is_empty())
                .ok_or_else(|| format!("--media-s3-endpoint needs {ours} (or {aws}) in the environment"))
        };
        let config = highlights_server::media::S3Config {
            endpoint: endpoint.clone(),
            bucket: self.media_s3_bucket.clone(),
            region: self.media_s3_region.clone(),
            access_key: key("HIGHLIGHTS_MEDIA_S3_ACCESS_KEY", "AWS_ACCESS_KEY_ID")?,
            secret_key: key("HIGHLIGHTS_MEDIA_S3_SECRET_KEY", "AWS_SECRET_ACCESS_KEY")?,
            session_token: std::env::var("HIGHLIGHTS_MEDIA_S3_SESSION_TOKEN")
                .or_else(|_| std::env::var("AWS_SESSION_TOKEN"))
                .ok()
                .filter(|t| !t.is_empty()),
            path_style: !self.media_s3_virtual_host,
        };
        let store = tokio::task::spawn_blocking(move || {
            let store = highlights_server::media::S3MediaStore::new(&config)?;
            store.ensure_bucket()?;
            Ok::<_, highlights_server::media::MediaError>(store)
        })
        .await?
        .map_err(|e| format!("media store at {endpoint}: {}", highlights_server::error_chain(&e)))?;
        Ok(Some(std::sync::Arc::new(store)))
    }
}

/// A rate on the command line: `PER_SECOND/BURST`, or `0` for unlimited (`None`).
#[derive(Clone, Copy)]
struct RateArg(Option<serve::Rate>);

fn rate(text: &str) -> Result<RateArg, String> {
    if text == "0" {
        return Ok(RateArg(None));
    }
    let (per_second, burst) = text.split_once('/').ok_or("expected PER_SECOND/BURST, e.g. 20/100, or 0")?;
    let number = |n: &str| n.parse::<u32>().ok().filter(|n| *n > 0).ok_or(format!("{n:?} is not a count above 0"));
    Ok(RateArg(Some(serve::Rate { per_second: number(per_second)?, burst: number(burst)? })))
}

/// A seller's render quota as `--render-quota`'s value.
#[derive(Clone, Copy)]
struct QuotaArg(highlights_server::store::RenderQuota);

fn quota(text: &str) -> Result<QuotaArg, String> {
    let (queued, per_day) = text.split_once('/').ok_or("expected QUEUED/PER_DAY, e.g. 5/100")?;
    let number = |n: &str| n.parse::<u32>().ok().filter(|n| *n > 0).ok_or(format!("{n:?} is not a count above 0"));
    Ok(QuotaArg(highlights_server::store::RenderQuota { max_queued: number(queued)?, max_per_day: number(per_day)? }))
}

/// What the server lets one client, token or event do (defaults in `docs/deployment.md`).
#[derive(clap::Args)]
struct EdgeLimits {
    /// Requests per client address without a valid token, as PER_SECOND/BURST (0: unlimited).
    #[arg(long, value_parser = rate)]
    rate_per_client: Option<RateArg>,
    /// Requests per seller token, as PER_SECOND/BURST (0: unlimited).
    #[arg(long, value_parser = rate)]
    rate_per_seller: Option<RateArg>,
    /// Requests per service token, as PER_SECOND/BURST (0: unlimited).
    #[arg(long, value_parser = rate)]
    rate_per_service: Option<RateArg>,
    /// A load balancer's address range (CIDR) whose X-Forwarded-For names the client; repeatable.
    #[arg(long)]
    trusted_proxy: Vec<ipnet::IpNet>,
    /// Connections one client address may hold at once.
    #[arg(long)]
    max_connections_per_client: Option<usize>,
    /// How many seconds before the server's clock an ingested event or segment may be.
    #[arg(long)]
    event_past_s: Option<u64>,
    /// How many seconds after the server's clock an ingested event or segment may be.
    #[arg(long)]
    event_future_s: Option<u64>,
    /// Seller-made videos in the making at once / created per rolling 24 h, as QUEUED/PER_DAY.
    #[arg(long, value_parser = quota)]
    render_quota: Option<QuotaArg>,
    /// Replay LIVEs recorded at fixed dates at full speed: no rate limits and the widest event
    /// window (for test suites and replays, never a public deployment).
    #[arg(long)]
    replaying: bool,
}

impl EdgeLimits {
    fn apply(self, options: &mut serve::ServeOptions) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if self.replaying {
            *options = std::mem::take(options).replaying();
        }
        if let Some(q) = self.render_quota {
            options.render_quota = q.0;
        }
        let r = &mut options.rate_limits;
        r.per_client = self.rate_per_client.map_or(r.per_client, |a| a.0);
        r.per_seller = self.rate_per_seller.map_or(r.per_seller, |a| a.0);
        r.per_service = self.rate_per_service.map_or(r.per_service, |a| a.0);
        if !self.trusted_proxy.is_empty() {
            r.trusted_proxies = highlights_server::client::TrustedProxies::new(self.trusted_proxy);
        }
        if let Some(n) = self.max_connections_per_client {
            if n == 0 {
                return Err("--max-connections-per-client must be at least 1".into());
            }
            options.limits.max_connections_per_client = n;
        }
        let side = |s: u64| std::time::Duration::from_secs(s).min(serve::IngestWindow::MAX_SIDE);
        options.window.past = self.event_past_s.map_or(options.window.past, side);
        options.window.future = self.event_future_s.map_or(options.window.future, side);
        Ok(())
    }
}

/// How far an engine's clip's edges may move to natural breaks when it is rendered.
#[derive(clap::Args)]
struct SnapArgs {
    /// Seconds either edge may move to the end of a sentence, a pause or a scene cut (0: clips
    /// are cut exactly as found; at most 15).
    #[arg(long, default_value_t = 4)]
    snap_window_s: u64,
    /// Seconds, from when its job is due, a render of a LIVE still on waits for the recording and
    /// captions after the clip's end (the job put back, no worker held) before it snaps with what
    /// it has (at most 120).
    #[arg(long, default_value_t = 10)]
    snap_wait_s: u64,
}

impl SnapArgs {
    fn snapping(&self) -> Result<serve::Snapping, Box<dyn std::error::Error + Send + Sync>> {
        let (window, wait) =
            (std::time::Duration::from_secs(self.snap_window_s), std::time::Duration::from_secs(self.snap_wait_s));
        if window > serve::Snapping::MAX_WINDOW || wait > serve::Snapping::MAX_WAIT {
            return Err("--snap-window-s must be at most 15 and --snap-wait-s at most 120".into());
        }
        Ok(serve::Snapping { window, wait })
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
}

fn admin(
    data: PathBuf,
    database_url: Option<String>,
    action: AdminAction,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    highlights_server::private::dir(&data)?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async move {
        let store = serve::open_store(&data, database_url.as_deref(), true, Default::default()).await?;
        match action {
            AdminAction::CreateSeller { id, name, expires_in_days: days } => {
                println!("{}", store.create_seller(id, name, TokenLifetime::days(days)).await?)
            }
            AdminAction::SellerToken { id, expires_in_days: days } => {
                println!("{}", store.seller_token(id, TokenLifetime::days(days)).await?)
            }
            AdminAction::ServiceToken { expires_in_days: days } => {
                println!("{}", store.service_token(TokenLifetime::days(days)).await?)
            }
            AdminAction::ListTokens => store.tokens().await?.iter().for_each(|t| println!("{}", t.line())),
            AdminAction::RevokeToken { token_id: Some(id), .. } => {
                println!("revoked {}", store.revoke_token(id).await?.line())
            }
            AdminAction::RevokeToken { seller: Some(seller), .. } => {
                let n = store.revoke_seller_tokens(seller.clone()).await?;
                println!("revoked {n} token(s) of seller {seller}")
            }
            AdminAction::RevokeToken { .. } => return Err("give a token id or --seller".into()),
            AdminAction::ShowConfig => println!("{}", serde_json::to_string_pretty(&store.config().await?)?),
            AdminAction::SetConfig { file } => store.set_config(serde_json::from_str(&read_input(&file)?)?).await?,
            AdminAction::ShowEngineSettings => {
                println!("{}", serde_json::to_string_pretty(&store.engine_settings().await?)?)
            }
            AdminAction::SetEngineSettings { file } => {
                store.set_engine_settings(serde_json::from_str(&read_input(&file)?)?).await?
            }
            AdminAction::ExperimentReport => print!("{}", store.experiment_report().await?.table()),
            AdminAction::PinExperiments { id, popup, format } => store.pin_experiments(id, popup, format).await?,
        }
        Ok(())
    })
}

/// A file's text, or standard input for `-`.
fn read_input(file: &std::path::Path) -> std::io::Result<String> {
    if file.as_os_str() == "-" { std::io::read_to_string(std::io::stdin()) } else { std::fs::read_to_string(file) }
}

/// Engine settings from a JSON file (missing fields default), validated; the defaults without one.
fn engine_settings(file: Option<&std::path::Path>) -> Result<EngineSettings, Box<dyn std::error::Error + Send + Sync>> {
    let settings: EngineSettings = match file {
        Some(f) => serde_json::from_str(&read_input(f)?)?,
        None => EngineSettings::default(),
    };
    settings.validate()?;
    Ok(settings)
}

/// What `replay` is asked to do.
struct ReplayArgs {
    events: PathBuf,
    max_per_live: Option<u32>,
    max_per_product: Option<u32>,
    post_delay_s: Option<u32>,
    all: bool,
    settings: Option<PathBuf>,
}

fn replay(args: ReplayArgs) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let ReplayArgs { events, max_per_live, max_per_product, post_delay_s, all, settings } = args;
    let mut cfg = highlights_api::RemoteConfig::default();
    cfg.max_posts_per_live = max_per_live.unwrap_or(cfg.max_posts_per_live);
    cfg.max_posts_per_product = max_per_product.unwrap_or(cfg.max_posts_per_product);
    cfg.post_delay_s = post_delay_s.unwrap_or(cfg.post_delay_s);
    check_config(&cfg)?;
    let input: Box<dyn std::io::BufRead> = if events.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(&events)?))
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let settings = engine_settings_in_force(engine_settings(settings.as_deref())?, &cfg);
    highlights_engine::replay::replay(
        input,
        &mut out,
        &mut std::io::stderr(),
        settings,
        &highlights_engine::Policy::from_config(&cfg),
        all,
    )?;
    std::io::Write::flush(&mut out)?;
    Ok(())
}

/// The labelled streams of the `--lightor` folders and the settings they are replayed with, for
/// `eval` and `train` alike.
fn labelled(
    lightor: &[PathBuf],
    cap: u32,
    settings: Option<PathBuf>,
) -> Result<
    (Vec<highlights_engine::eval::lightor::LabelledStream>, highlights_engine::EngineSettings),
    Box<dyn std::error::Error + Send + Sync>,
> {
    if cap == 0 {
        return Err("--cap must be at least 1".into());
    }
    let settings = engine_settings(settings.as_deref())?;
    let mut streams = Vec::new();
    for dir in lightor {
        streams.extend(highlights_engine::eval::lightor::load(dir)?);
    }
    Ok((streams, settings))
}

fn eval(
    lightor: &[PathBuf],
    cap: u32,
    settings: Option<PathBuf>,
    cv: bool,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (streams, settings) = labelled(lightor, cap, settings)?;
    let report = highlights_engine::eval::evaluate(&streams, &settings, cap);
    print!("{}", report.table());
    if cv {
        use highlights_engine::eval::cv::{ChatWeights, cross_validate};
        // Both ways of choosing the chat weights, so the learned ones are judged against the hand-set.
        for chat in [ChatWeights::Searched, ChatWeights::Learned] {
            print!("{}", cross_validate(&streams, &settings, cap, chat).table());
        }
    }
    Ok(())
}

fn train(
    lightor: &[PathBuf],
    out: Option<PathBuf>,
    settings: Option<PathBuf>,
    cap: u32,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (streams, settings) = labelled(lightor, cap, settings)?;
    if streams.is_empty() {
        return Err("no labelled streams in the --lightor folders".into());
    }
    let learned = highlights_engine::eval::train::learn(&streams, &settings, cap);
    if learned.positives == 0 {
        return Err("no second of these streams falls in a labelled highlight's reaction: nothing to learn".into());
    }
    for (hyper, objective) in &learned.tried {
        eprintln!("leaving one stream out: {hyper:?} scores {objective:.3} (P@5 + posted precision)");
    }
    let f = &learned.fit;
    eprintln!(
        "chose {:?}; {} streams, {} scored seconds, {} in a highlight's reaction; coefficients {:?} (intercept {:.3}, {} Newton steps); ranking of seconds (ROC AUC, in-sample): learned {:.3}, starting weights {:.3}",
        learned.hyper,
        streams.len(),
        learned.rows,
        learned.positives,
        f.coef.map(|c| (c * 1000.0).round() / 1000.0),
        f.intercept,
        f.iterations,
        learned.auc,
        learned.base_auc
    );
    let json = highlights_engine::eval::train::settings_json(&settings, &learned.weights)?;
    println!("{json}");
    if let Some(path) = out {
        std::fs::write(&path, format!("{json}\n")).map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    Ok(())
}

/// How an API server writes entries to the event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogEntriesArg {
    /// Version 1 of the compact encoding.
    Compact,
    /// JSON, which every worker version reads.
    Json,
}

/// What `worker` is asked to do.
struct WorkerArgs {
    data: PathBuf,
    nats: String,
    partitions: u32,
    name: Option<String>,
    lease_s: u64,
    without_videos: bool,
    retention: std::time::Duration,
    database_url: Option<String>,
}

/// The event log's default retention, in hours.
const LOG_RETENTION_HOURS: u64 = highlights_server::cluster::DEFAULT_RETENTION.as_secs() / 3600;

/// `--log-retention-hours` as a duration; at least an hour.
fn log_retention(hours: u64) -> Result<std::time::Duration, Box<dyn std::error::Error + Send + Sync>> {
    if hours == 0 {
        return Err("--log-retention-hours must be at least 1".into());
    }
    Ok(std::time::Duration::from_secs(hours.saturating_mul(3600)))
}

/// Waits for Ctrl-C or SIGTERM (how deployments stop a process), so both stop cleanly: in-flight
/// requests finish, a worker hands its partitions over at once.
async fn stopped_by_signal() -> std::io::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}

fn check_partitions(partitions: u32) -> Result<u32, Box<dyn std::error::Error + Send + Sync>> {
    if (1..=1024).contains(&partitions) { Ok(partitions) } else { Err("--partitions must be 1 to 1024".into()) }
}

fn worker(args: WorkerArgs) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    if args.lease_s == 0 {
        return Err("--lease-s must be at least 1".into());
    }
    let partitions = check_partitions(args.partitions)?;
    highlights_server::private::dir(&args.data)?;
    let name = args.name.unwrap_or_else(|| {
        let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
        format!("{}-{}", host.trim(), std::process::id())
    });
    tokio::runtime::Runtime::new()?.block_on(async move {
        let store =
            serve::open_store(&args.data, args.database_url.as_deref(), !args.without_videos, Default::default())
                .await?;
        let log = EventLog::connect(&args.nats, partitions).await?.keeping(args.retention).await?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let options = WorkerOptions { name: name.clone(), lease: std::time::Duration::from_secs(args.lease_s) };
        let running = tokio::spawn(highlights_server::cluster::worker::run(store, log, options, stopped));
        eprintln!("worker {name} reading the event log at {} ({partitions} partitions); Ctrl-C to stop", args.nats);
        stopped_by_signal().await?;
        let _ = stop.send(true);
        running.await??;
        Ok(())
    })
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let result = match cli.command {
        Command::Serve {
            addr,
            data,
            without_videos,
            nats,
            partitions,
            log_entries,
            log_retention_hours,
            database,
            limits,
            snapping,
            media,
            speech,
            recordings_kept_days,
            removed_videos_kept_minutes,
        } => tokio::runtime::Runtime::new().map_err(Into::into).and_then(|rt| {
            rt.block_on(async {
                let mut options = if without_videos {
                    serve::ServeOptions::posting_without_videos()
                } else {
                    serve::ServeOptions::default()
                };
                options.database_url = database.url()?;
                if limits.replaying && !addr.ip().is_loopback() {
                    return Err("--replaying lifts every rate limit: only on a loopback address".into());
                }
                limits.apply(&mut options)?;
                options.snapping = snapping.snapping()?;
                options.speech = match speech {
                    SpeechArg::Installed => serve::Speech::Installed,
                    SpeechArg::Fast => serve::Speech::InstalledFast,
                    SpeechArg::Off => serve::Speech::Off,
                };
                options.media = media.store().await?;
                options.retention.recordings =
                    std::time::Duration::from_secs(recordings_kept_days.saturating_mul(86_400));
                options.retention.removed_videos =
                    std::time::Duration::from_secs(removed_videos_kept_minutes.saturating_mul(60));
                if let Some(url) = nats {
                    let log = EventLog::connect(&url, check_partitions(partitions)?)
                        .await?
                        .keeping(log_retention(log_retention_hours)?)
                        .await?;
                    options.log = Some(log.writing_json(log_entries == LogEntriesArg::Json));
                }
                let server = serve::start_with(addr, &data, options).await?;
                eprintln!("serving on {} (data in {}); Ctrl-C to stop", server.url(), data.display());
                stopped_by_signal().await?;
                server.stop().await?;
                Ok(())
            })
        }),
        Command::Worker { data, nats, partitions, name, lease_s, without_videos, log_retention_hours, database } => {
            log_retention(log_retention_hours).and_then(|retention| {
                database.url().and_then(|database_url| {
                    worker(WorkerArgs {
                        data,
                        nats,
                        partitions,
                        name,
                        lease_s,
                        without_videos,
                        retention,
                        database_url,
                    })
                })
            })
        }
        Command::Admin { data, database, action } => database.url().and_then(|url| admin(data, url, action)),
        Command::Replay { events, max_per_live, max_per_product, post_delay_s, all, settings } => {
            replay(ReplayArgs { events, max_per_live, max_per_product, post_delay_s, all, settings })
        }
        Command::Eval { lightor, cap, settings, cv } => eval(&lightor, cap, settings, cv),
        Command::Train { lightor, out, settings, cap } => train(&lightor, out, settings, cap),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
