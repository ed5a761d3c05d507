//! The key pages and queries at national scale, on PostgreSQL (issue 8): a release
//! `vanphong serve` node on a database holding the demo agency plus `vanphong generate`'s
//! ministry and provinces (10,000,000 documents, 1,000,000 dossiers, 1,000,000 hotline
//! cases by default), measured page by page (p50/p95 of 40 requests each after 3 warm-up
//! ones) as a clerk, a unit leader, a specialist and the agency's leader, beside `/healthz`
//! measured the same way in the same run. Targets: inbox and list pages (documents,
//! dossiers, hotline cases, the dashboard's lists), the home page and search p95 ≤ 100 ms;
//! the dashboard itself is measured without one.
//!
//! Run: `cargo bench -p vanphong --bench national`. The database is
//! `VANPHONG_BENCH_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/vanphong_national`,
//! created when missing). An empty one is filled first with `vanphong demo --no-serve` and
//! `vanphong generate` at `VANPHONG_BENCH_DOCUMENTS`, `_DOSSIERS`, `_HOTLINE` (about an hour
//! at the full size on 2 cores, most of it indexing for search); a filled one is reused, so
//! later runs only measure. `VANPHONG_BENCH_DOCUMENTS=1000000 VANPHONG_BENCH_DOSSIERS=100000
//! VANPHONG_BENCH_HOTLINE=100000` with another database URL gives a first look in minutes.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/pages.rs"]
mod pages;
use pages::{measure, signed_in};

const BINARY: &str = env!("CARGO_BIN_EXE_vanphong");

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

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn run(args: &[&str], url: &str, data: &std::path::Path) {
    let status = Command::new(BINARY)
        .args(args)
        .arg("--database-url")
        .arg(url)
        .arg("--data-dir")
        .arg(data)
        .env("VANPHONG_LOG", "warn")
        .status()
        .unwrap();
    assert!(status.success(), "{args:?} failed");
}

fn start(url: &str, data: &std::path::Path) -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(BINARY)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--public-rate-per-minute", "1000000"])
        .arg("--database-url")
        .arg(url)
        .arg("--data-dir")
        .arg(data)
        .env("VANPHONG_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !reqwest::blocking::get(format!("{base}/readyz"))
        .map(|r| r.status().is_success())
        .unwrap_or(false)
    {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Server { child, base }
}

/// Creates the database when it is missing (an admin connection to `postgres`).
fn ensure_database(runtime: &tokio::runtime::Runtime, url: &str) {
    let (server, name) = url
        .rsplit_once('/')
        .expect("a database URL ends with its name");
    let name = name.split('?').next().unwrap_or(name).to_owned();
    runtime.block_on(async {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
            .await
            .expect("PostgreSQL answers");
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(&name)
                .fetch_one(&mut admin)
                .await
                .unwrap();
        if !exists {
            sqlx::query(&format!("CREATE DATABASE \"{}\"", name.replace('"', "")))
                .execute(&mut admin)
                .await
                .unwrap();
        }
    });
}

fn documents_in(runtime: &tokio::runtime::Runtime, url: &str) -> i64 {
    runtime.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_scalar::<_, i64>(
            "SELECT CASE WHEN to_regclass('documents') IS NULL THEN 0 ELSE (SELECT COUNT(*) FROM documents) END",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap_or(0)
    })
}

/// Waits until the node's start-up work is done (its search catch-up looks for records
/// without an entry: about 30 s of queries at 10M documents, which would otherwise be
/// measured with the first pages): no statement of another session running for two seconds.
fn wait_until_idle(runtime: &tokio::runtime::Runtime, url: &str) {
    runtime.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(600);
        let mut quiet = 0;
        while quiet < 4 && Instant::now() < deadline {
            let active: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND state = 'active' AND pid <> pg_backend_pid()",
            )
            .fetch_one(&mut conn)
            .await
            .unwrap();
            quiet = if active == 0 { quiet + 1 } else { 0 };
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
}

fn main() {
    let url = std::env::var("VANPHONG_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/vanphong_national".to_owned());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    ensure_database(&runtime, &url);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let documents = env_number("VANPHONG_BENCH_DOCUMENTS", 10_000_000);
    let dossiers = env_number("VANPHONG_BENCH_DOSSIERS", 1_000_000);
    let hotline = env_number("VANPHONG_BENCH_HOTLINE", 1_000_000);
    if documents_in(&runtime, &url) < documents as i64 / 2 {
        eprintln!("Filling {url}: the demo agency, then {documents} documents, {dossiers} dossiers, {hotline} hotline cases");
        let started = Instant::now();
        run(&["demo", "--no-serve"], &url, &data);
        run(
            &[
                "generate",
                "--documents",
                &documents.to_string(),
                "--dossiers",
                &dossiers.to_string(),
                "--hotline",
                &hotline.to_string(),
            ],
            &url,
            &data,
        );
        eprintln!("filled in {:.0} s", started.elapsed().as_secs_f64());
    }
    let total = documents_in(&runtime, &url);
    let server = start(&url, &data);
    let started = Instant::now();
    wait_until_idle(&runtime, &url);
    eprintln!(
        "the node's start-up work took {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let clerk = signed_in(&server.base, "vanthu");
    let unit_leader = signed_in(&server.base, "chanhvanphong");
    let specialist = signed_in(&server.base, "chuyenvien");
    let leader = signed_in(&server.base, "tongcuctruong");
    let health = reqwest::blocking::Client::new();
    let b = &server.base;
    let pages: Vec<(&str, &str, &reqwest::blocking::Client, String)> = vec![
        ("/healthz (baseline)", "", &health, format!("{b}/healthz")),
        ("incoming list, clerk, first page", "p95 ≤ 100 ms", &clerk, format!("{b}/documents/incoming")),
        ("incoming list, clerk, page 200", "p95 ≤ 100 ms", &clerk, format!("{b}/documents/incoming?page=200")),
        ("incoming list, clerk, in progress", "p95 ≤ 100 ms", &clerk, format!("{b}/documents/incoming?status=in_progress")),
        ("outgoing list, clerk", "p95 ≤ 100 ms", &clerk, format!("{b}/documents/outgoing")),
        ("incoming list, unit leader (scoped)", "p95 ≤ 100 ms", &unit_leader, format!("{b}/documents/incoming")),
        ("incoming list, specialist, overdue", "p95 ≤ 100 ms", &specialist, format!("{b}/documents/incoming?overdue=1")),
        ("home page, agency leader", "p95 ≤ 100 ms", &leader, format!("{b}/")),
        ("inbox, specialist", "p95 ≤ 100 ms", &specialist, format!("{b}/inbox")),
        ("inbox, agency leader", "p95 ≤ 100 ms", &leader, format!("{b}/inbox")),
        ("search 'khu công nghiệp', clerk", "p95 ≤ 100 ms", &clerk, format!("{b}/search?q=khu+c%C3%B4ng+nghi%E1%BB%87p")),
        ("search 'xa thai' (no diacritics), clerk", "p95 ≤ 100 ms", &clerk, format!("{b}/search?q=xa+thai")),
        ("search '\"quan trắc chất lượng nước\"' (phrase), clerk", "p95 ≤ 100 ms", &clerk, format!("{b}/search?q=%22quan+tr%E1%BA%AFc+ch%E1%BA%A5t+l%C6%B0%E1%BB%A3ng+n%C6%B0%E1%BB%9Bc%22")),
        ("search '1200/UBND-KT' (symbol), clerk", "p95 ≤ 100 ms", &clerk, format!("{b}/search?q=1200%2FUBND-KT")),
        ("search 'Gia Lai', unit leader (scoped)", "p95 ≤ 100 ms", &unit_leader, format!("{b}/search?q=Gia+Lai")),
        ("leader dashboard, agency leader", "—", &leader, format!("{b}/reports/dashboard")),
        ("dashboard's open work list, agency leader", "p95 ≤ 100 ms", &leader, format!("{b}/reports/dashboard/records/pending")),
        ("dossier list, agency leader", "p95 ≤ 100 ms", &leader, format!("{b}/dossiers")),
        ("hotline cases, agency leader", "p95 ≤ 100 ms", &leader, format!("{b}/hotline")),
    ];
    let mut rows = Vec::new();
    for (name, target, client, url) in &pages {
        let _ = measure(client, url, 3);
        rows.push((name.to_string(), *target, measure(client, url, 40)));
        eprintln!(
            "  {name}: p50 {:.1} ms, p95 {:.1} ms",
            rows.last().unwrap().2 .0,
            rows.last().unwrap().2 .1
        );
    }
    println!("vanphong national-scale benchmark (release build, PostgreSQL, {total} documents)");
    println!();
    println!("| figure | target | measured | baseline (same run) | ratio |");
    println!("|---|---|---|---|---|");
    let baseline = rows[0].2 .1;
    for (name, target, (p50, p95)) in rows.iter().skip(1) {
        println!(
            "| {name}, PostgreSQL, {total} documents (p50 {p50:.1} ms) | {target} | p95 {p95:.1} ms | /healthz p95 {baseline:.2} ms | {:.0}× |",
            p95 / baseline.max(0.001)
        );
    }
}
