//! `highlights-demo`: the whole system on one machine (`demo`), the backend alone (`serve`), and the
//! demo's sample LIVE as JSONL for `highlights-server replay` (`export-sample`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use highlights_demo::{DemoOptions, run, sample};

#[derive(Parser)]
#[command(name = "highlights-demo", version, about = "Auto LIVE Highlights, end to end on one machine")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// A seller's LIVE, its highlights found and posted, the app showing them; exits 0 if every check holds.
    Demo {
        /// Stream seconds per wall second (the LIVE is 45 minutes).
        #[arg(long, default_value_t = 60.0)]
        speed: f64,
        /// Run as fast as the machine allows (speed 1500), for tests.
        #[arg(long)]
        fast: bool,
        /// Keep the data (server SQLite, app SQLite) in this directory instead of a temporary one.
        #[arg(long)]
        keep_data: Option<PathBuf>,
    },
    /// Run the backend alone, for the real shells.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Data directory.
        #[arg(long, default_value = "./highlights-data")]
        data: PathBuf,
    },
    /// Write the demo's sample LIVE as JSONL (for `highlights-server replay --events FILE`).
    ExportSample {
        /// Output file, `-` for stdout.
        #[arg(long, default_value = "-")]
        out: PathBuf,
        /// Start of the LIVE (epoch ms).
        #[arg(long, default_value_t = 1_793_491_200_000)]
        start_ms: i64,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result: Result<bool, highlights_demo::DemoError> = rt.block_on(async {
        match cli.command {
            Command::Demo { speed, fast, keep_data } => {
                let options = DemoOptions { speed: if fast { 1_500.0 } else { speed }, data_dir: keep_data };
                let summary = run(options, &mut std::io::stdout()).await?;
                Ok(summary.ok())
            }
            Command::Serve { addr, data } => {
                let server = highlights_server::serve::start(addr, &data).await?;
                println!("Backend on {} (data in {}). Create a seller with:", server.url(), data.display());
                println!(
                    "  cargo run --release -p highlights-server -- admin --data {} create-seller seller-1",
                    data.display()
                );
                tokio::signal::ctrl_c().await?;
                server.stop().await?;
                Ok(true)
            }
            Command::ExportSample { out, start_ms } => {
                let text = sample::jsonl(start_ms);
                if out.as_os_str() == "-" {
                    print!("{text}");
                } else {
                    std::fs::write(&out, text)?;
                    eprintln!("wrote {}", out.display());
                }
                Ok(true)
            }
        }
    });
    match result {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("demo: some checks failed (see the summary)");
            std::process::ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
