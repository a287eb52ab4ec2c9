//! The distributed mode as separate processes on loopback: a NATS JetStream server, API servers
//! and workers of the real `highlights-server` binary, each killable with SIGKILL and restartable.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where the programs are: `NATS_SERVER` and `HIGHLIGHTS_SERVER`, else `nats-server` from the
/// PATH (or the one `scripts/cluster-test.sh` installs) and the workspace's debug build.
pub fn programs() -> Result<(PathBuf, PathBuf), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new(".")).to_path_buf();
    let nats = std::env::var_os("NATS_SERVER").map(PathBuf::from).or_else(|| {
        let installed = root.join("target/tools/nats/bin/nats-server");
        if installed.exists() { Some(installed) } else { which("nats-server") }
    });
    let server = std::env::var_os("HIGHLIGHTS_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/debug/highlights-server"));
    match nats {
        None => Err("nats-server not found (set NATS_SERVER, or run scripts/cluster-test.sh)".into()),
        Some(_) if !server.exists() => {
            Err(format!("{} not built (cargo build -p highlights-server)", server.display()))
        }
        Some(n) => Ok((n, server)),
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(program)).find(|p| p.exists())
}

/// A free loopback port (bound and released: the process started next binds it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

/// Waits until something listens on `port`.
pub fn wait_listening(port: u16, timeout: Duration) -> bool {
    let until = Instant::now() + timeout;
    while Instant::now() < until {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// One process of the cluster, killed when dropped.
pub struct Proc {
    /// Its name in logs ("api-1", "worker-2").
    pub name: String,
    child: Option<Child>,
    args: Vec<String>,
    program: PathBuf,
    log: PathBuf,
}

impl Proc {
    /// Starts `program args…`, its output appended to `logs/<name>.log`.
    pub fn start(name: &str, program: &Path, args: Vec<String>, logs: &Path) -> std::io::Result<Self> {
        let log = logs.join(format!("{name}.log"));
        let mut p = Self { name: name.into(), child: None, args, program: program.to_path_buf(), log };
        p.spawn()?;
        Ok(p)
    }

    fn spawn(&mut self) -> std::io::Result<()> {
        let out = std::fs::OpenOptions::new().create(true).append(true).open(&self.log)?;
        let child = Command::new(&self.program)
            .args(&self.args)
            .env("RUST_LOG", "warn,highlights_server::cluster=info,highlights_server::store::rules=info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()?;
        self.child = Some(child);
        Ok(())
    }

    /// SIGKILL: no clean shutdown, no lease released, whatever was in flight is cut.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again with the same arguments.
    pub fn restart(&mut self) -> std::io::Result<()> {
        self.kill();
        self.spawn()
    }

    /// Its process id while it runs.
    pub fn pid(&mut self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether it is still running (a crash shows here).
    pub fn running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Lines of its log containing `needle`.
    pub fn log_lines(&self, needle: &str) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines().filter(|l| l.contains(needle)).map(String::from).collect()
    }

    /// Its log so far, for a failed assertion's message.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A NATS server with JetStream on a free loopback port, its data in `dir`.
pub fn start_nats(program: &Path, dir: &Path) -> std::io::Result<(Proc, String)> {
    let port = free_port();
    let args = ["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd", &dir.join("jetstream").to_string_lossy()]
        .map(String::from)
        .to_vec();
    let p = Proc::start("nats", program, args, dir)?;
    if !wait_listening(port, Duration::from_secs(10)) {
        return Err(std::io::Error::other(format!("nats-server did not start:\n{}", p.log_tail())));
    }
    Ok((p, format!("nats://127.0.0.1:{port}")))
}

/// A fresh database on the PostgreSQL server `HIGHLIGHTS_TEST_POSTGRES` names (a URL without a
/// database, as `scripts/cluster-test.sh` sets it).
pub async fn fresh_database() -> Result<String, String> {
    let base = std::env::var("HIGHLIGHTS_TEST_POSTGRES")
        .map_err(|_| "HIGHLIGHTS_TEST_POSTGRES is not set (run scripts/cluster-test.sh)".to_string())?;
    let client = connect(&format!("{base}/postgres")).await?;
    let name = format!("cluster_{}_{}", std::process::id(), free_port());
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.map_err(|e| e.to_string())?;
    Ok(format!("{base}/{name}"))
}

/// A connection to the database at `url`.
pub async fn connect(url: &str) -> Result<tokio_postgres::Client, String> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    Ok(client)
}
