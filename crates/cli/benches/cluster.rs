//! The cluster under load: two release `vanphong serve` nodes on one PostgreSQL database
//! and one S3 bucket (a moto server), the demo office loaded, and `wrk` (Debian's HTTP load
//! generator) driving 200 connections, half at each node, through the document pages
//! (incoming list, a filtered list, the inbox, the home page, a document page) as three
//! different signed-in people. Reports errors, latency percentiles, throughput and the
//! highest memory (RSS) of each node, beside `/healthz` loaded the same way in the same run.
//!
//! Run: `cargo bench -p vanphong --bench cluster` (10 minutes of load by default; needs
//! PostgreSQL at 127.0.0.1:5432, `wrk` (`apt-get install wrk`) and moto (scripts/test-services)).
//! `VANPHONG_BENCH_SECONDS=60` shortens the load; `VANPHONG_BENCH_CLIENTS` changes the 200.
//!
//! A client is a person at a browser: after each page it waits a think time drawn
//! uniformly from 0.5 to 1.5 times `VANPHONG_BENCH_THINK_MS` (default 2,000 ms) before the
//! next. `VANPHONG_BENCH_THINK_MS=0` makes every connection ask again at once, which
//! measures the saturation throughput instead.
//!
//! For tuning: `VANPHONG_BENCH_KEEP=1` leaves the loaded PostgreSQL database in place and
//! prints its URL; `VANPHONG_BENCH_REUSE=<that URL>` then skips the demo load (about nine
//! minutes). Before the load, every (person, page) pair is timed alone on the idle cluster,
//! so a page that is slow by itself shows apart from queueing under load.

use std::io::Write;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use vanphong_store::testing::s3::S3Server;
use vanphong_store::testing::TestDb;
use vanphong_store::Backend;

const BINARY: &str = env!("CARGO_BIN_EXE_vanphong");
const BUCKET: &str = "vanphong-bench";

struct Node {
    child: Child,
    base: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(
    args: &[&str],
    database_url: &str,
    data_dir: &std::path::Path,
    s3: &S3Server,
) -> Command {
    let mut command = Command::new(BINARY);
    command
        .args(args)
        .arg("--database-url")
        .arg(database_url)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--blob-store")
        .arg(format!("s3://{BUCKET}"))
        .env("VANPHONG_LOG", "warn")
        .env("AWS_ENDPOINT_URL", s3.endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ALLOW_HTTP", "true");
    command
}

fn start(database_url: &str, data_dir: &std::path::Path, s3: &S3Server) -> Node {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = command(
        &[
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--public-rate-per-minute",
            "1000000",
        ],
        database_url,
        data_dir,
        s3,
    )
    .stdout(Stdio::null())
    .spawn()
    .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !reqwest::blocking::get(format!("{base}/healthz"))
        .map(|r| r.status().is_success())
        .unwrap_or(false)
    {
        assert!(Instant::now() < deadline, "the node did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Node { child, base }
}

fn cookie<'a>(response: &'a reqwest::blocking::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
}

/// Signs in through the form and returns the session cookie's value.
fn session(base: &str, username: &str) -> String {
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client.get(format!("{base}/login")).send().unwrap();
    let csrf = cookie(&login, "vp_csrf").unwrap().to_owned();
    let html = login.text().unwrap();
    let token = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let response = client
        .post(format!("{base}/login"))
        .header("cookie", format!("vp_csrf={csrf}"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", username),
            ("password", "demo-vanphong"),
        ])
        .send()
        .unwrap();
    assert_eq!(response.status(), 303, "signing in as {username}");
    cookie(&response, "vp_session").unwrap().to_owned()
}

/// The wrk script: each request takes the next (person, page) pair in turn.
fn script(
    requests: &[(String, String)],
    think_ms: u64,
    dir: &std::path::Path,
    name: &str,
) -> std::path::PathBuf {
    let sessions = requests
        .iter()
        .map(|(s, _)| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let paths = requests
        .iter()
        .map(|(_, p)| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let lua = format!(
        r#"local sessions = {{ {} }}
local paths = {{ {} }}
local n = 0
local think = {}
delay = function()
  if think == 0 then return 0 end
  return math.random(math.floor(think / 2), math.floor(think * 3 / 2))
end
request = function()
  n = n + 1
  local i = (n % #paths) + 1
  local headers = {{}}
  headers["Cookie"] = "vp_session=" .. sessions[i]
  return wrk.format("GET", paths[i], headers)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d non2xx=%d errors=%d p50=%.3f p95=%.3f p99=%.3f max=%.3f rps=%.1f\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6)))
end
"#,
        sessions, paths, think_ms
    );
    let path = dir.join(format!("{name}.lua"));
    std::fs::File::create(&path)
        .unwrap()
        .write_all(lua.as_bytes())
        .unwrap();
    path
}

/// A document `session` may read: the newest of its incoming list, through the API.
fn readable_document(base: &str, session: &str) -> i64 {
    let body: serde_json::Value = reqwest::blocking::Client::new()
        .get(format!(
            "{base}/api/v1/documents?direction=incoming&limit=1"
        ))
        .header("cookie", format!("vp_session={session}"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    body["items"][0]["id"]
        .as_i64()
        .or_else(|| body[0]["id"].as_i64())
        .unwrap_or_else(|| panic!("no readable document: {body}"))
}

#[derive(Debug, Default, Clone, Copy)]
struct WrkResult {
    requests: f64,
    non2xx: f64,
    errors: f64,
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
    rps: f64,
}

fn parse(output: &str) -> WrkResult {
    let line = output
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .unwrap_or_else(|| panic!("wrk printed no result:\n{output}"));
    let mut r = WrkResult::default();
    for field in line.trim_start_matches("RESULT ").split_whitespace() {
        let (k, v) = field.split_once('=').unwrap();
        let v: f64 = v.parse().unwrap();
        match k {
            "requests" => r.requests = v,
            "non2xx" => r.non2xx = v,
            "errors" => r.errors = v,
            "p50" => r.p50 = v,
            "p95" => r.p95 = v,
            "p99" => r.p99 = v,
            "max" => r.max = v,
            "rps" => r.rps = v,
            _ => {}
        }
    }
    r
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Runs one wrk per node at once, `clients` connections split between them, and samples
/// the nodes' memory meanwhile. Returns the two results and each node's highest RSS (MiB).
fn load(
    nodes: &[&Node],
    script: &std::path::Path,
    clients: usize,
    seconds: u64,
) -> (Vec<WrkResult>, Vec<f64>) {
    let children: Vec<Child> = nodes
        .iter()
        .map(|node| {
            Command::new("wrk")
                .args([
                    "-t",
                    "1",
                    "-c",
                    &(clients / nodes.len()).to_string(),
                    "-d",
                    &format!("{seconds}s"),
                    "--timeout",
                    "10s",
                    "-s",
                ])
                .arg(script)
                .arg(&node.base)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("wrk is installed (apt-get install wrk)")
        })
        .collect();
    let mut peak = vec![0u64; nodes.len()];
    let end = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < end {
        for (i, node) in nodes.iter().enumerate() {
            peak[i] = peak[i].max(rss_kib(node.child.id()));
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let results = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            parse(&String::from_utf8_lossy(&out.stdout))
        })
        .collect();
    (results, peak.iter().map(|k| *k as f64 / 1024.0).collect())
}

/// Times each (session, page) pair by itself on the idle cluster: the median of five.
fn alone(base: &str, requests: &[(String, String)]) {
    let client = reqwest::blocking::Client::new();
    println!("each page alone on the idle cluster (median of 5):");
    for (i, (session, page)) in requests.iter().enumerate() {
        let mut times: Vec<f64> = (0..5)
            .map(|_| {
                let started = Instant::now();
                let response = client
                    .get(format!("{base}{page}"))
                    .header("cookie", format!("vp_session={session}"))
                    .send()
                    .unwrap();
                assert!(
                    response.status().is_success(),
                    "{page}: {}",
                    response.status()
                );
                response.bytes().unwrap();
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("  person {} {page}: {:.1} ms", i / 5, times[2]);
    }
}

fn combine(results: &[WrkResult]) -> WrkResult {
    let mut c = WrkResult::default();
    for r in results {
        c.requests += r.requests;
        c.non2xx += r.non2xx;
        c.errors += r.errors;
        c.rps += r.rps;
        // Percentiles of the two halves: the worse of the two bounds the whole.
        c.p50 = c.p50.max(r.p50);
        c.p95 = c.p95.max(r.p95);
        c.p99 = c.p99.max(r.p99);
        c.max = c.max.max(r.max);
    }
    c
}

fn main() {
    let setting = |name: &str, default: u64| -> u64 {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let seconds = setting("VANPHONG_BENCH_SECONDS", 600);
    let clients = setting("VANPHONG_BENCH_CLIENTS", 200) as usize;
    let think_ms = setting("VANPHONG_BENCH_THINK_MS", 2_000);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let s3 = runtime.block_on(S3Server::start());
    runtime.block_on(s3.create_bucket(BUCKET));
    let dir = tempfile::tempdir().unwrap();
    let (database, url) = match std::env::var("VANPHONG_BENCH_REUSE") {
        Ok(url) => (None, url),
        Err(_) => {
            let database = runtime.block_on(TestDb::new(Backend::Postgres));
            let status = command(
                &["demo", "--no-serve"],
                &database.url,
                &dir.path().join("a"),
                &s3,
            )
            .stdout(Stdio::null())
            .status()
            .unwrap();
            assert!(status.success(), "loading the demo office");
            let url = database.url.clone();
            (Some(database), url)
        }
    };
    if std::env::var("VANPHONG_BENCH_KEEP").is_ok() {
        // Not dropped: the database stays for VANPHONG_BENCH_REUSE.
        println!("kept the database: {url}");
        std::mem::forget(database);
    }
    let a = start(&url, &dir.path().join("a"), &s3);
    let b = start(&url, &dir.path().join("b"), &s3);
    let sessions: Vec<String> = ["vanthu", "truongphong", "chuyenvien"]
        .iter()
        .enumerate()
        .map(|(i, user)| session(if i % 2 == 0 { &a.base } else { &b.base }, user))
        .collect();
    // Every page as every person; each reads a document of their own reach.
    let mut requests = Vec::new();
    for session in &sessions {
        let document = readable_document(&a.base, session);
        for page in [
            "/documents/incoming".to_owned(),
            "/documents/incoming?status=in_progress".to_owned(),
            "/inbox".to_owned(),
            "/".to_owned(),
            format!("/documents/{document}"),
        ] {
            requests.push((session.clone(), page));
        }
    }
    alone(&a.base, &requests);
    let pages_script = script(&requests, think_ms, dir.path(), "pages");
    let health_script = script(
        &[(sessions[0].clone(), "/healthz".to_owned())],
        think_ms,
        dir.path(),
        "health",
    );

    let baseline_seconds = (seconds / 10).clamp(5, 60);
    let (health, _) = load(&[&a, &b], &health_script, clients, baseline_seconds);
    let health = combine(&health);
    let (results, peaks) = load(&[&a, &b], &pages_script, clients, seconds);
    let pages = combine(&results);

    println!("vanphong cluster benchmark (release build, two nodes, PostgreSQL + S3, wrk)");
    println!();
    println!("| figure | target | measured | baseline (same run) | ratio |");
    println!("|---|---|---|---|---|");
    println!(
        "| {clients} clients (think time {think_ms} ms) for {seconds} s across two nodes: failed requests | 0 | {} of {:.0} ({:.0} req/s) | /healthz: {} of {:.0} ({:.0} req/s) | |",
        pages.errors + pages.non2xx,
        pages.requests,
        pages.rps,
        health.errors + health.non2xx,
        health.requests,
        health.rps
    );
    println!(
        "| {clients} clients across two nodes: document pages p99 (p50 {:.1} ms, p95 {:.1} ms) | p99 ≤ 250 ms | {:.1} ms | /healthz p99 {:.1} ms | {:.1}× |",
        pages.p50, pages.p95, pages.p99, health.p99, pages.p99 / health.p99.max(0.001)
    );
    println!(
        "| memory per node under that load (highest RSS) | ≤ 300 MB | {:.0} MB and {:.0} MB | | |",
        peaks[0], peaks[1]
    );
}
