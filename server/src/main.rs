//! `highlights-server`: serve the API, administer sellers and config, replay LIVE streams, measure
//! the engine on labelled streams.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use highlights_engine::EngineSettings;
use highlights_server::cluster::EventLog;
use highlights_server::cluster::worker::WorkerOptions;
use highlights_server::serve;
use highlights_server::store::{check_config, engine_settings_in_force};

#[derive(Parser)]
#[command(name = "highlights-server", version, about = "Reference backend of Auto LIVE Highlights")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

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
        /// Keep the data in this PostgreSQL database (`postgres://user@host:port/db`), shared by
        /// every API server and worker, instead of SQLite in --data.
        #[arg(long)]
        database_url: Option<String>,
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
        /// The PostgreSQL database the API servers use (as for `serve`).
        #[arg(long)]
        database_url: Option<String>,
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
        /// A dataset in the Lightor layout: `chat/<stream> <offset_ms>.csv` and `labels/<stream>.csv`.
        #[arg(long)]
        lightor: PathBuf,
        /// Auto-posts per stream for the posted precision (per LIVE and per product alike).
        #[arg(long, default_value_t = 10)]
        cap: u32,
        /// Engine settings as JSON (any subset of `admin show-engine-settings`; default: built in).
        #[arg(long)]
        settings: Option<PathBuf>,
    },
    /// Administer sellers, tokens, remote config and experiment pins.
    Admin {
        /// Data directory holding the SQLite store.
        #[arg(long, default_value = "./highlights-data")]
        data: PathBuf,
        /// Administer the PostgreSQL store at this URL instead (as given to `serve`).
        #[arg(long)]
        database_url: Option<String>,
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
    },
    /// Issue another token for a seller; prints it.
    SellerToken {
        /// Seller id.
        id: String,
    },
    /// Issue a token for the streaming service (event ingestion); prints it.
    ServiceToken,
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
    /// Print the experiments report: per pop-up arm, exposure and turn-on rate; per video-format
    /// variant, sellers and videos posted.
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
    std::fs::create_dir_all(&data)?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async move {
        let store = serve::open_store(&data, database_url.as_deref(), true, Default::default()).await?;
        match action {
            AdminAction::CreateSeller { id, name } => println!("{}", store.create_seller(id, name).await?),
            AdminAction::SellerToken { id } => println!("{}", store.seller_token(id).await?),
            AdminAction::ServiceToken => println!("{}", store.service_token().await?),
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

fn eval(lightor: PathBuf, cap: u32, settings: Option<PathBuf>) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    if cap == 0 {
        return Err("--cap must be at least 1".into());
    }
    let settings = engine_settings(settings.as_deref())?;
    let streams = highlights_engine::eval::lightor::load(&lightor)?;
    let report = highlights_engine::eval::evaluate(&streams, &settings, cap);
    print!("{}", report.table());
    Ok(())
}

/// What `worker` is asked to do.
struct WorkerArgs {
    data: PathBuf,
    nats: String,
    partitions: u32,
    name: Option<String>,
    lease_s: u64,
    without_videos: bool,
    database_url: Option<String>,
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
    std::fs::create_dir_all(&args.data)?;
    let name = args.name.unwrap_or_else(|| {
        let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
        format!("{}-{}", host.trim(), std::process::id())
    });
    tokio::runtime::Runtime::new()?.block_on(async move {
        let store =
            serve::open_store(&args.data, args.database_url.as_deref(), !args.without_videos, Default::default())
                .await?;
        let log = EventLog::connect(&args.nats, partitions).await?;
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
        Command::Serve { addr, data, without_videos, nats, partitions, database_url } => {
            tokio::runtime::Runtime::new().map_err(Into::into).and_then(|rt| {
                rt.block_on(async {
                    let mut options = if without_videos {
                        serve::ServeOptions::posting_without_videos()
                    } else {
                        serve::ServeOptions::default()
                    };
                    options.database_url = database_url;
                    if let Some(url) = nats {
                        options.log = Some(EventLog::connect(&url, check_partitions(partitions)?).await?);
                    }
                    let server = serve::start_with(addr, &data, options).await?;
                    eprintln!("serving on {} (data in {}); Ctrl-C to stop", server.url(), data.display());
                    stopped_by_signal().await?;
                    server.stop().await?;
                    Ok(())
                })
            })
        }
        Command::Worker { data, nats, partitions, name, lease_s, without_videos, database_url } => {
            worker(WorkerArgs { data, nats, partitions, name, lease_s, without_videos, database_url })
        }
        Command::Admin { data, database_url, action } => admin(data, database_url, action),
        Command::Replay { events, max_per_live, max_per_product, post_delay_s, all, settings } => {
            replay(ReplayArgs { events, max_per_live, max_per_product, post_delay_s, all, settings })
        }
        Command::Eval { lightor, cap, settings } => eval(lightor, cap, settings),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
