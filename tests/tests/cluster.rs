//! Past one machine: two API servers and three workers over a NATS JetStream event log and a
//! shared PostgreSQL store, 50 LIVEs replayed concurrently, a worker and an API server SIGKILLed
//! mid-LIVE and restarted. Nothing is lost or counted twice, and the highlights are the ones a
//! single process (embedded SQLite) finds.
//!
//! Needs `nats-server`, a PostgreSQL server and the server binary; `scripts/cluster-test.sh`
//! provides them and runs it (`cargo test -p highlights-e2e --test cluster -- --ignored`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use highlights_e2e::cluster::{Proc, connect, free_port, fresh_database, programs, start_nats, wait_listening};
use highlights_e2e::{Backend, client};
use highlights_engine::sim::{StreamSpec, generate};
use serde_json::{Value, json};

/// In 2030, so posting follows the stream clock, not the wall clock.
const T0: i64 = 1_900_000_000_000;
const SELLERS: usize = 5;
const LIVES_PER_SELLER: usize = 10;
const STREAM_S: i64 = 10 * 60;
/// Stream seconds per batch: the streaming service sends each seller's events every 2 s.
const BATCH_S: i64 = 2;
const PARTITIONS: u32 = 8;

/// One batch as the streaming service sends it.
struct Batch {
    key: String,
    body: Value,
}

/// What is replayed: each seller's batches in order, and the valid events each LIVE should hold.
struct Workload {
    sellers: Vec<String>,
    batches: Vec<Vec<Batch>>,
    events_per_live: BTreeMap<String, i64>,
}

fn workload() -> Workload {
    let mut batches = Vec::new();
    let mut events_per_live = BTreeMap::new();
    let sellers: Vec<String> = (0..SELLERS).map(|s| format!("seller-{s}")).collect();
    for (s, seller) in sellers.iter().enumerate() {
        let mut events = Vec::new();
        for l in 0..LIVES_PER_SELLER {
            // Dots and spaces: LIVE ids are not subject tokens.
            let live_id = format!("s{s}.live {l}");
            let mut spec = StreamSpec::new(&live_id, T0 + l as i64 * 7_000, (s * 100 + l) as u64);
            spec.viewers = [60.0, 150.0, 400.0, 1_000.0, 2_500.0][l % 5];
            spec.duration_s = STREAM_S;
            let live = generate(&spec.plant_random(5));
            events_per_live.insert(live_id, live.len() as i64);
            events.extend(live);
        }
        events.sort_by_key(|e| e.ts_ms);
        let mut mine = Vec::new();
        for (i, chunk) in
            events.chunk_by(|a, b| (a.ts_ms - T0) / (BATCH_S * 1000) == (b.ts_ms - T0) / (BATCH_S * 1000)).enumerate()
        {
            let mut raw: Vec<Value> = chunk.iter().map(|e| e.to_json()).collect();
            if i % 50 == 7 {
                raw.push(json!({ "type": "not_an_event", "live_id": "s0.live 0" }));
            }
            mine.push(Batch { key: format!("{seller}-{i}"), body: json!({ "seller_id": seller, "events": raw }) });
        }
        batches.push(mine);
    }
    Workload { sellers, batches, events_per_live }
}

/// Sends every batch of `batches` in order, each to the next API server that takes it; a batch
/// whose answer was lost is re-sent with its key, and every 20th is sent twice on purpose.
async fn send_all(batches: &[Batch], urls: &[String], token: &str, acked: &AtomicUsize) {
    let http = client();
    for (i, b) in batches.iter().enumerate() {
        let copies = if i % 20 == 3 { 2 } else { 1 };
        for _ in 0..copies {
            let mut attempt = i;
            loop {
                let url = &urls[attempt % urls.len()];
                let sent = http
                    .post(format!("{url}/v1/ingest/events"))
                    .bearer_auth(token)
                    .header("Idempotency-Key", &b.key)
                    .timeout(Duration::from_secs(10))
                    .json(&b.body)
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().is_success() => break,
                    Ok(r) if r.status().is_client_error() => panic!("batch {} refused: {}", b.key, r.status()),
                    _ => {
                        attempt += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        }
        acked.fetch_add(1, Ordering::Relaxed);
    }
}

async fn toggle_on(url: &str, token: &str) {
    let r = client()
        .patch(format!("{url}/v1/settings"))
        .bearer_auth(token)
        .json(&json!({ "highlights_on": true, "onboarding_completed": true }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "turning highlights on: {}", r.status());
}

fn admin(server: &Path, database_url: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(server)
        .env("HIGHLIGHTS_DATABASE_URL", database_url)
        .args(["admin"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "admin {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Stored events per LIVE, in the cluster's PostgreSQL database.
/// Events applied per LIVE: the store's count, since in distributed mode the audience's events
/// stay in the log rather than row by row in the store.
async fn stored_events(db: &tokio_postgres::Client) -> BTreeMap<String, i64> {
    let rows = db.query("SELECT id, events_applied FROM lives", &[]).await.unwrap();
    rows.iter().map(|r| (r.get(0), r.get(1))).collect()
}

/// Highlight of a LIVE as compared across runs: kind, segment, product and score.
type Found = (String, i64, i64, Option<String>, String);

/// The engine's highlights per LIVE and how many were posted, from (LIVE, kind, start, end,
/// product, score, status) rows.
fn by_live(
    rows: impl Iterator<Item = (String, String, i64, i64, Option<String>, f64, String)>,
) -> (BTreeMap<String, Vec<Found>>, usize) {
    let mut out: BTreeMap<String, Vec<Found>> = BTreeMap::new();
    let mut posted = 0;
    for (live, kind, start, end, product, score, status) in rows {
        posted += usize::from(status == "posted");
        out.entry(live).or_default().push((kind, start, end, product, format!("{score:.9}")));
    }
    (out, posted)
}

const HIGHLIGHTS: &str =
    "SELECT live_id, kind, start_ms, end_ms, product_id, score, status FROM highlights ORDER BY live_id, start_ms";

/// The cluster's highlights (PostgreSQL).
async fn cluster_highlights(db: &tokio_postgres::Client) -> (BTreeMap<String, Vec<Found>>, usize) {
    let rows = db.query(HIGHLIGHTS, &[]).await.unwrap();
    by_live(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6))))
}

/// The single process's highlights (its embedded SQLite file).
fn embedded_highlights(file: &Path) -> BTreeMap<String, Vec<Found>> {
    let c = rusqlite::Connection::open(file).unwrap();
    let mut q = c.prepare(HIGHLIGHTS).unwrap();
    let rows = q
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect::<Vec<_>>();
    by_live(rows.into_iter()).0
}

/// The same batches through one embedded server, sequentially: the reference.
async fn single_process(w: &Workload) -> BTreeMap<String, Vec<Found>> {
    let b = Backend::start().await;
    for (seller, batches) in w.sellers.iter().zip(&w.batches) {
        let token = b.seller(seller).await;
        toggle_on(&b.url(), &token).await;
        let acked = AtomicUsize::new(0);
        send_all(batches, &[b.url()], &b.service_token, &acked).await;
    }
    embedded_highlights(&b.dir.path().join(highlights_server::serve::DB_FILE))
}

/// A running cluster: NATS, API servers and workers of the real binary over one fresh PostgreSQL
/// database, the sellers created and their highlights on.
struct Cluster {
    dir: tempfile::TempDir,
    _nats: Proc,
    apis: Vec<Proc>,
    workers: Vec<Proc>,
    ports: Vec<u16>,
    db: tokio_postgres::Client,
    service: String,
}

impl Cluster {
    async fn start(server: &Path, nats_program: &Path, sellers: &[String], apis: usize, workers: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let database_url = fresh_database().await.unwrap();
        let db = connect(&database_url).await.unwrap();
        // The URL reaches the processes in a file of the test's own, never on their command line.
        let url_file = dir.path().join("database-url");
        std::fs::write(&url_file, &database_url).unwrap();
        let service = admin(server, &database_url, &["service-token"]);
        let tokens: Vec<String> = sellers.iter().map(|s| admin(server, &database_url, &["create-seller", s])).collect();
        let (nats, nats_url) = start_nats(nats_program, dir.path()).unwrap();
        let ports: Vec<u16> = (0..apis).map(|_| free_port()).collect();
        let common = |extra: &[&str]| -> Vec<String> {
            let mut a: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
            a.extend(
                [
                    "--data",
                    &data.to_string_lossy(),
                    "--database-url-file",
                    &url_file.to_string_lossy(),
                    "--nats",
                    &nats_url,
                    "--partitions",
                    &PARTITIONS.to_string(),
                    "--without-videos",
                ]
                .map(String::from),
            );
            a
        };
        let apis: Vec<Proc> = ports
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let args = common(&["serve", "--addr", &format!("127.0.0.1:{p}"), "--replaying"]);
                Proc::start(&format!("api-{i}"), server, args, dir.path()).unwrap()
            })
            .collect();
        let workers: Vec<Proc> = (0..workers)
            .map(|i| {
                let name = format!("worker-{i}");
                Proc::start(&name, server, common(&["worker", "--name", &name, "--lease-s", "2"]), dir.path()).unwrap()
            })
            .collect();
        for (p, api) in ports.iter().zip(&apis) {
            assert!(wait_listening(*p, Duration::from_secs(30)), "{} did not start:\n{}", api.name, api.log_tail());
        }
        let cluster = Self { dir, _nats: nats, apis, workers, ports, db, service };
        for t in &tokens {
            toggle_on(&cluster.urls()[0], t).await;
        }
        cluster
    }

    /// Transactions committed and rows inserted or updated in the cluster's database so far.
    async fn database_writes(&self) -> (i64, i64) {
        let r = self
            .db
            .query_one(
                "SELECT xact_commit, tup_inserted + tup_updated FROM pg_stat_database WHERE datname = current_database()",
                &[],
            )
            .await
            .unwrap();
        (r.get(0), r.get(1))
    }

    /// Bytes the event log takes on disk (JetStream's store directory).
    fn log_bytes(&self) -> u64 {
        fn size(p: &Path) -> u64 {
            std::fs::read_dir(p).map_or(0, |d| {
                d.flatten()
                    .map(|e| match e.metadata() {
                        Ok(m) if m.is_dir() => size(&e.path()),
                        Ok(m) => m.len(),
                        Err(_) => 0,
                    })
                    .sum()
            })
        }
        size(&self.dir.path().join("jetstream"))
    }

    fn urls(&self) -> Vec<String> {
        self.ports.iter().map(|p| format!("http://127.0.0.1:{p}")).collect()
    }

    /// Waits until the store holds `total` events (or three minutes passed); the events per LIVE.
    async fn applied(&self, total: i64) -> BTreeMap<String, i64> {
        let until = Instant::now() + Duration::from_secs(180);
        let mut stored = stored_events(&self.db).await;
        while stored.values().sum::<i64>() < total && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(100)).await;
            stored = stored_events(&self.db).await;
        }
        stored
    }
}

/// Sends every seller's batches at once, each seller's in order.
fn send_concurrently(
    batches: Vec<Vec<Batch>>,
    urls: Vec<String>,
    service: &str,
    acked: &Arc<AtomicUsize>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let urls = Arc::new(urls);
    batches
        .into_iter()
        .map(|batches| {
            let (urls, acked, service) = (urls.clone(), acked.clone(), service.to_string());
            tokio::spawn(async move { send_all(&batches, &urls, &service, &acked).await })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts nats-server, PostgreSQL and highlights-server processes: run scripts/cluster-test.sh"]
async fn two_api_servers_and_three_workers_lose_nothing_when_one_of_each_is_killed_mid_live() {
    let (nats_program, server) = programs().unwrap();
    let w = workload();
    let total_batches: usize = w.batches.iter().map(Vec::len).sum();
    let total_events: i64 = w.events_per_live.values().sum();

    let started = Instant::now();
    let reference = single_process(&w).await;
    println!("single process: {} LIVEs, {total_events} events in {:.1?}", w.events_per_live.len(), started.elapsed());
    assert!(reference.values().map(Vec::len).sum::<usize>() >= 50, "the reference run found moments: {reference:?}");

    let mut c = Cluster::start(&server, &nats_program, &w.sellers, 2, 3).await;
    let started = Instant::now();
    let acked = Arc::new(AtomicUsize::new(0));
    let senders = send_concurrently(w.batches, c.urls(), &c.service, &acked);
    while acked.load(Ordering::Relaxed) < total_batches * 2 / 5 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    c.workers[1].kill();
    c.apis[0].kill();
    println!("killed worker-1 and api-0 (SIGKILL) after {} of {total_batches} batches", acked.load(Ordering::Relaxed));
    tokio::time::sleep(Duration::from_secs(3)).await;
    c.workers[1].restart().unwrap();
    c.apis[0].restart().unwrap();
    assert!(wait_listening(c.ports[0], Duration::from_secs(30)), "api-0 did not come back");
    for s in senders {
        s.await.unwrap();
    }
    let sent = started.elapsed();
    c.applied(total_events).await;
    let applied = started.elapsed();
    // Anything stored twice would show now or never: give redeliveries a moment to misbehave.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let stored = stored_events(&c.db).await;
    for p in c.apis.iter_mut().chain(c.workers.iter_mut()) {
        assert!(p.running(), "{} died:\n{}", p.name, p.log_tail());
    }
    println!(
        "cluster: {total_events} events in {total_batches} batches sent in {sent:.1?}, all applied after {applied:.1?} ({:.0} events/s)",
        total_events as f64 / applied.as_secs_f64()
    );
    assert_eq!(stored, w.events_per_live, "every acknowledged event applied exactly once, per LIVE");
    // The log is the log: the store keeps row by row only what is read back (starts, ends, pins,
    // captions, orders), not the audience's events.
    let rows: i64 = c.db.query_one("SELECT count(*) FROM events", &[]).await.unwrap().get(0);
    assert!(rows > 0 && rows < total_events / 20, "{rows} event rows for {total_events} events");

    let (found, posted) = cluster_highlights(&c.db).await;
    assert!(posted > 0, "the API servers' schedulers posted highlights");
    let cfg = highlights_api::RemoteConfig::default();
    for (live, hs) in &found {
        let auto: Vec<_> = hs.iter().filter(|h| h.0 == "auto").collect();
        assert!(auto.len() <= cfg.max_posts_per_live as usize, "{live}: {} auto-posts", auto.len());
        let mut per_product: BTreeMap<&Option<String>, usize> = BTreeMap::new();
        for h in &auto {
            *per_product.entry(&h.3).or_default() += 1;
        }
        assert!(per_product.values().all(|n| *n <= cfg.max_posts_per_product as usize), "{live}: {per_product:?}");
        let mut segments: Vec<_> = hs.iter().map(|h| (h.1, h.2)).collect();
        segments.dedup();
        assert_eq!(segments.len(), hs.len(), "{live}: no highlight stored twice");
    }
    assert_eq!(found, reference, "the cluster's highlights are the single process's");
    // The kill did move partitions: other workers took them over, resuming LIVEs mid-stream
    // from their checkpoints (not rebuilt from history).
    let taken_over = c.workers.iter().map(|p| p.log_lines("reading partition").len()).sum::<usize>();
    let resumed: usize = c.workers.iter().map(|p| p.log_lines("detector resumed from its checkpoint").len()).sum();
    assert!(taken_over > PARTITIONS as usize, "partitions changed hands ({taken_over} reader starts)");
    assert!(resumed > 0, "LIVEs resumed from checkpoints after the takeover");
    println!(
        "takeover: {taken_over} partition reader starts for {PARTITIONS} partitions, {resumed} LIVEs resumed from checkpoints"
    );
    println!(
        "highlights: {} in {} LIVEs, {posted} posted; equal to the single-process run",
        found.values().map(Vec::len).sum::<usize>(),
        found.len()
    );
}

/// CPU seconds a process used so far (user and system), from `/proc`.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// The machine's busy CPU seconds so far, every process included, from `/proc/stat`.
fn machine_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let cpu: Vec<f64> =
        stat.lines().next().unwrap_or("").split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    let idle = cpu.get(3).copied().unwrap_or(0.0) + cpu.get(4).copied().unwrap_or(0.0);
    (cpu.iter().take(8).sum::<f64>() - idle) / 100.0
}

/// Events per second end to end (sent to the API until stored and scored, highlights included),
/// with one and with two workers, CPU time per event, and how many LIVEs one worker keeps up with
/// in real time. `scripts/cluster-bench.sh` runs it on a release build; not part of CI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run scripts/cluster-bench.sh"]
async fn cluster_throughput() {
    let (nats_program, server) = programs().unwrap();
    let w = workload();
    let total_events: i64 = w.events_per_live.values().sum();
    let live_rate = total_events as f64 / (w.events_per_live.len() as f64 * STREAM_S as f64);
    println!(
        "workload: {} LIVEs x {} stream-minutes, {total_events} events ({live_rate:.0} events/s per LIVE), {} batches",
        w.events_per_live.len(),
        STREAM_S / 60,
        w.batches.iter().map(Vec::len).sum::<usize>()
    );
    // The ceiling: the engine alone, one thread, on the same events in the same batches.
    let batches: Vec<Vec<highlights_engine::LiveEvent>> = w
        .batches
        .iter()
        .flatten()
        .map(|b| {
            b.body["events"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|v| highlights_engine::LiveEvent::from_ref(v).ok())
                .collect()
        })
        .collect();
    let mut engine = highlights_engine::Engine::default();
    let (e0, t0) = (cpu_seconds(std::process::id()), Instant::now());
    let moments: usize = batches.iter().map(|b| engine.push_all(b).len()).sum();
    let engine_cpu = (cpu_seconds(std::process::id()) - e0).max(t0.elapsed().as_secs_f64().min(0.01));
    println!("engine alone: {:.0} events per CPU-second ({moments} moments)", total_events as f64 / engine_cpu);
    drop(batches);
    println!(
        "workers  events/s  worker CPU-s  API CPU-s  machine CPU-s  events per worker CPU-s  LIVEs in real time per worker"
    );
    // A profiled run (scripts/cluster-profile.sh) needs only the 1-worker case.
    // 0 workers: the API server alone, putting the events into the log (what API servers are
    // sized by). A profiled run (scripts/cluster-profile.sh) needs only the 1-worker case.
    let runs: &[usize] = if profile_dir().is_some() { &[1] } else { &[0, 1, 2] };
    for &workers in runs {
        let w = workload();
        let mut c = Cluster::start(&server, &nats_program, &w.sellers, 1, workers).await;
        let pids: Vec<u32> = c.workers.iter_mut().filter_map(|p| p.pid()).collect();
        let api_pid = c.apis[0].pid().unwrap_or(0);
        let me = std::process::id();
        let (w0, a0, m0, s0) = (
            pids.iter().map(|p| cpu_seconds(*p)).sum::<f64>(),
            cpu_seconds(api_pid),
            machine_cpu_seconds(),
            cpu_seconds(me),
        );
        let profiles = profile_dir().filter(|_| workers == 1).map(|dir| {
            [("worker", pids[0]), ("api", api_pid)]
                .map(|(name, pid)| perf_record(&dir.join(format!("{name}.data")), pid))
        });
        let started = Instant::now();
        let acked = Arc::new(AtomicUsize::new(0));
        for s in send_concurrently(w.batches, c.urls(), &c.service, &acked) {
            s.await.unwrap();
        }
        if workers == 0 {
            let (secs, api_cpu) = (started.elapsed().as_secs_f64(), cpu_seconds(api_pid) - a0);
            println!(
                "  API server alone: {:.0} events/s into the log, {api_cpu:.1} API CPU-s ({:.0} events per API CPU-second)",
                total_events as f64 / secs,
                total_events as f64 / api_cpu.max(1e-9)
            );
            continue;
        }
        let stored = c.applied(total_events).await;
        let secs = started.elapsed().as_secs_f64();
        for perf in profiles.into_iter().flatten() {
            stop_perf(perf);
        }
        assert_eq!(stored.values().sum::<i64>(), total_events, "every event applied");
        let worker_cpu = pids.iter().map(|p| cpu_seconds(*p)).sum::<f64>() - w0;
        let api_cpu = cpu_seconds(api_pid) - a0;
        let machine = machine_cpu_seconds() - m0;
        let sender = cpu_seconds(me) - s0;
        // What a deployment is sized by: PostgreSQL's writes and the log's disk per event.
        tokio::time::sleep(Duration::from_secs(2)).await; // backends report their counters within 1 s
        let (commits, written) = c.database_writes().await;
        let per_million = |n: i64| n as f64 / (total_events as f64 / 1e6);
        let per_worker_cpu = total_events as f64 / worker_cpu.max(1e-9);
        println!(
            "{workers:>7}  {:>8.0}  {worker_cpu:>12.1}  {api_cpu:>9.1}  {machine:>13.1}  {per_worker_cpu:>23.0}  {:>29.0}",
            total_events as f64 / secs,
            total_events as f64 / secs / workers as f64 / live_rate,
        );
        // The sender (this process: HTTP clients for 5 sellers) is load, not the system.
        println!(
            "  {workers} worker(s): load sender {sender:.1} CPU-s; machine less sender {:.1} CPU-s per million events",
            (machine - sender) / (total_events as f64 / 1e6)
        );
        println!(
            "  {workers} worker(s): postgres {:.0} commits and {:.0} rows written per million events; log {:.0} bytes on disk per event",
            per_million(commits),
            per_million(written),
            c.log_bytes() as f64 / total_events as f64
        );
    }
}

/// Where `scripts/cluster-profile.sh` wants CPU profiles of the 1-worker run (unset: none taken).
fn profile_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("HIGHLIGHTS_PROFILE_DIR").map(Into::into)
}

/// Samples `pid`'s stacks into `out` with perf until [`stop_perf`]. The profiler costs CPU of its
/// own, so a profiled run's figures are not the published ones.
fn perf_record(out: &Path, pid: u32) -> std::process::Child {
    let child = std::process::Command::new("perf")
        .args(["record", "-q", "-F", "499", "--call-graph", "dwarf,16384", "-o"])
        .arg(out)
        .args(["-p", &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("perf (Debian's linux-perf) for a profiled run");
    std::thread::sleep(Duration::from_millis(500)); // attached before the load starts
    child
}

/// Stops a [`perf_record`] the way it finishes its file: SIGINT, then waits.
fn stop_perf(mut perf: std::process::Child) {
    let _ = std::process::Command::new("kill").args(["-INT", &perf.id().to_string()]).status();
    let _ = perf.wait();
}

/// Valid events in `batches` (each 50th batch carries one that is not an event).
fn valid_events(batches: &[Batch]) -> i64 {
    let valid = |e: &&Value| e["type"] != "not_an_event";
    batches.iter().map(|b| b.body["events"].as_array().unwrap().iter().filter(valid).count() as i64).sum()
}

/// In distributed mode the audience's events are only in the log: a worker whose LIVEs'
/// checkpoints it cannot read (as after an engine upgrade) rebuilds their detectors from the last
/// ten minutes read back from the log, not from the few rows the store keeps.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts nats-server, PostgreSQL and highlights-server processes: run scripts/cluster-test.sh"]
async fn detectors_whose_checkpoints_cannot_be_read_are_rebuilt_from_the_log() {
    let (nats_program, server) = programs().unwrap();
    let w = workload();
    let batches = &w.batches[0];
    let half = batches.len() / 2;
    let mut c = Cluster::start(&server, &nats_program, &w.sellers[..1], 1, 1).await;
    let acked = AtomicUsize::new(0);
    send_all(&batches[..half], &c.urls(), &c.service, &acked).await;
    let first = valid_events(&batches[..half]);
    assert_eq!(c.applied(first).await.values().sum::<i64>(), first, "the first half applied");
    c.workers[0].kill();
    let spoiled =
        c.db.execute("UPDATE live_checkpoints SET state = '\\x01'::bytea WHERE state IS NOT NULL", &[]).await.unwrap();
    assert!(spoiled >= 5, "LIVEs on with checkpoints: {spoiled}");
    c.workers[0].restart().unwrap();
    send_all(&batches[half..], &c.urls(), &c.service, &acked).await;
    let all = valid_events(batches);
    assert_eq!(c.applied(all).await.values().sum::<i64>(), all, "every event applied once");
    let rebuilt = c.workers[0].log_lines("detector rebuilt from the event log");
    let read_back: Vec<i64> =
        rebuilt.iter().filter_map(|l| l.split("events=").nth(1)?.split_whitespace().next()?.parse().ok()).collect();
    println!("rebuilt {} detectors from the log, events read back: {read_back:?}", read_back.len());
    assert!(read_back.len() as u64 >= spoiled, "every spoiled LIVE rebuilt from the log: {rebuilt:?}");
    // The LIVEs are five minutes in, inside the ten-minute window: each read back every event it
    // had, where the store's rows would give a handful.
    let mut expected: BTreeMap<&str, i64> = BTreeMap::new();
    for e in batches[..half].iter().flat_map(|b| b.body["events"].as_array().unwrap()) {
        if e["type"] != "not_an_event" {
            *expected.entry(e["live_id"].as_str().unwrap()).or_default() += 1;
        }
    }
    let (mut expected, mut read_back) = (expected.into_values().collect::<Vec<_>>(), read_back);
    expected.sort_unstable();
    read_back.sort_unstable();
    assert_eq!(read_back, expected, "events read back per LIVE");
}
