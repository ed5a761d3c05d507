//! The platform's own figures, measured on the release binary with the demo data:
//! start-up of `serve` on an existing database, idle resident memory, and the server time
//! of an authenticated page, each beside a baseline from the same run.
//!
//! Run: `cargo bench -p vanphong --bench foundation`

use std::io::Read;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_vanphong");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` and returns it with the time until `/healthz` first answered.
fn start(data_dir: &std::path::Path) -> (Server, Duration) {
    let port = free_port();
    let started = Instant::now();
    let child = Command::new(BINARY)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(data_dir)
        .env("VANPHONG_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting vanphong serve");
    let base = format!("http://127.0.0.1:{port}");
    let server = Server { child, base };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Write;
            let _ =
                stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                return (server, started.elapsed());
            }
        }
        assert!(
            Instant::now() < deadline,
            "vanphong did not start within 20 s"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[values.len() / 2]
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

fn server_time_ms(response: &reqwest::blocking::Response) -> f64 {
    response
        .headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("dur=").nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let status = Command::new(BINARY)
        .args(["demo", "--no-serve", "--data-dir"])
        .arg(&data_dir)
        .env("VANPHONG_LOG", "warn")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "loading the demo data failed");

    // Baseline for start-up: the same binary doing nothing but printing its version.
    let mut bare = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        Command::new(BINARY)
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .unwrap();
        bare.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut startups = Vec::new();
    for _ in 0..10 {
        let (server, took) = start(&data_dir);
        startups.push(took.as_secs_f64() * 1000.0);
        drop(server);
    }
    let bare_ms = median(&mut bare);
    let startup_ms = median(&mut startups);

    let (server, _) = start(&data_dir);
    let client = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client
        .get(format!("{}/login", server.base))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let token = login
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let signed = client
        .post(format!("{}/login", server.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "admin"),
            ("password", "demo-vanphong"),
        ])
        .send()
        .unwrap();
    assert_eq!(signed.status(), 303, "signing in as the demo admin");

    // Idle memory: after start-up and a few requests, then a quiet second.
    for _ in 0..20 {
        client.get(format!("{}/", server.base)).send().unwrap();
    }
    std::thread::sleep(Duration::from_secs(1));
    let pid = server.child.id();
    let idle_rss = rss_kib(pid, "VmRSS:");
    // What the resident memory is made of: the process's own (anonymous) pages, and pages
    // of files it maps (the binary itself, and the SQLite database, which is memory-mapped):
    // the latter are the kernel's page cache, shared and given back under pressure.
    let idle_anon = rss_kib(pid, "RssAnon:");
    let idle_file = rss_kib(pid, "RssFile:");
    let bare_rss = {
        let mut child = Command::new(BINARY)
            .args(["calendar", "2026"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut peak = 0;
        while child.try_wait().unwrap().is_none() {
            peak = peak.max(rss_kib(child.id(), "VmRSS:"));
        }
        peak
    };

    let mut page_server = Vec::new();
    let mut page_client = Vec::new();
    let mut health_server = Vec::new();
    let mut health_client = Vec::new();
    for _ in 0..500 {
        let t = Instant::now();
        let r = client.get(format!("{}/", server.base)).send().unwrap();
        page_client.push(t.elapsed().as_secs_f64() * 1000.0);
        page_server.push(server_time_ms(&r));
        let _ = r.bytes();
        let t = Instant::now();
        let r = client
            .get(format!("{}/healthz", server.base))
            .send()
            .unwrap();
        health_client.push(t.elapsed().as_secs_f64() * 1000.0);
        health_server.push(server_time_ms(&r));
        let _ = r.bytes();
    }
    let users_page = {
        let mut times = Vec::new();
        for _ in 0..200 {
            let r = client
                .get(format!("{}/admin/users", server.base))
                .send()
                .unwrap();
            times.push(server_time_ms(&r));
            let _ = r.bytes();
        }
        median(&mut times)
    };

    println!("vanphong foundation benchmark (release build, demo data: 39 users, 113 organisations, 110 area versions)");
    println!();
    println!("| figure | target | measured | baseline (same run) | ratio |");
    println!("|---|---|---|---|---|");
    println!(
        "| start-up of `serve` until /healthz answers (median of 10) | ≤ 300 ms | {startup_ms:.1} ms | `vanphong --version`: {bare_ms:.1} ms | {:.1}× |",
        startup_ms / bare_ms
    );
    println!(
        "| idle resident memory of `serve` (of it: {:.1} MB its own, {:.1} MB pages of the binary and the memory-mapped database) | ≤ 50 MB | {:.1} MB | `vanphong calendar 2026` peak: {:.1} MB | {:.1}× |",
        idle_anon as f64 / 1024.0,
        idle_file as f64 / 1024.0,
        idle_rss as f64 / 1024.0,
        bare_rss as f64 / 1024.0,
        idle_rss as f64 / bare_rss.max(1) as f64
    );
    println!(
        "| authenticated home page, server time, median of 500 | ≤ 2 ms | {:.3} ms (p95 {:.3}) | /healthz: {:.3} ms | {:.1}× |",
        median(&mut page_server.clone()),
        percentile(&mut page_server, 0.95),
        median(&mut health_server),
        median(&mut page_server.clone()) / median(&mut health_server.clone()).max(0.001)
    );
    println!(
        "| authenticated home page, client round trip, median | — | {:.3} ms | /healthz: {:.3} ms | {:.1}× |",
        median(&mut page_client),
        median(&mut health_client),
        median(&mut page_client.clone()) / median(&mut health_client.clone()).max(0.001)
    );
    println!("| user list page (/admin/users), server time, median of 200 | — | {users_page:.3} ms | | |");
}
