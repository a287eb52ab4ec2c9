//! `highlights-server`: serve the API, administer sellers and config, replay LIVE streams.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use highlights_server::{admin, serve};

#[derive(Parser)]
#[command(
    name = "highlights-server",
    version,
    about = "Reference backend of Auto LIVE Highlights"
)]
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
    },
    /// Administer sellers, tokens, remote config and experiment pins.
    Admin {
        /// Data directory holding the SQLite store.
        #[arg(long, default_value = "./highlights-data")]
        data: PathBuf,
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
    /// Replace the remote config with the JSON in FILE (`-` for stdin).
    SetConfig {
        /// JSON file.
        file: PathBuf,
    },
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
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
}

fn admin(
    data: PathBuf,
    action: AdminAction,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    std::fs::create_dir_all(&data)?;
    let mut conn = rusqlite::Connection::open(serve::db_path(&data))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    highlights_server::db::migrations().to_latest(&mut conn)?;
    let tx = conn.transaction()?;
    match action {
        AdminAction::CreateSeller { id, name } => {
            println!("{}", admin::create_seller(&tx, &id, &name)?)
        }
        AdminAction::SellerToken { id } => println!("{}", admin::seller_token(&tx, &id)?),
        AdminAction::ServiceToken => println!("{}", admin::service_token(&tx)?),
        AdminAction::ShowConfig => {
            let (cfg, _) = highlights_server::routes::config::load(&tx)?;
            println!("{}", serde_json::to_string_pretty(&cfg)?);
        }
        AdminAction::SetConfig { file } => {
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())?
            } else {
                std::fs::read_to_string(&file)?
            };
            admin::set_config(&tx, &serde_json::from_str(&text)?)?;
        }
        AdminAction::PinExperiments { id, popup, format } => {
            admin::pin_experiments(&tx, &id, popup, format.as_deref())?
        }
    }
    tx.commit()?;
    Ok(())
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let result = match cli.command {
        Command::Serve { addr, data } => tokio::runtime::Runtime::new()
            .map_err(Into::into)
            .and_then(|rt| {
                rt.block_on(async {
                    let server = serve::start(addr, &data).await?;
                    eprintln!(
                        "serving on {} (data in {}); Ctrl-C to stop",
                        server.url(),
                        data.display()
                    );
                    tokio::signal::ctrl_c().await?;
                    server.stop().await?;
                    Ok(())
                })
            }),
        Command::Admin { data, action } => admin(data, action),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
