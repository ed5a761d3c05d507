//! Documents at office scale, measured on the release binary:
//! - registering incoming documents through the HTTP API on SQLite, against a bare insert of
//!   the same rows in the same run;
//! - the list, inbox and document pages with 1,000,000 documents in the database (p50/p95).
//!
//! Run: `cargo bench -p vanphong --bench documents` (about two minutes; needs 2 GB of disk).
//! `VANPHONG_BENCH_DOCUMENTS=200000` makes the large database smaller for a quick look;
//! `VANPHONG_BENCH_ONLY=register` measures only the registrations;
//! `VANPHONG_BENCH_KEEP=1` keeps the data directory (its path is printed) for a closer look
//! (`vanphong serve --data <path>`, or `sqlite3 <path>/vanphong.db`).

use serde_json::json;
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

fn start(data_dir: &std::path::Path) -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(BINARY)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--public-rate-per-minute",
            "1000000",
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .env("VANPHONG_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !reqwest::blocking::get(format!("{base}/healthz"))
        .map(|r| r.status().is_success())
        .unwrap_or(false)
    {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(5));
    }
    Server { child, base }
}

fn run(args: &[&str], data_dir: &std::path::Path) -> String {
    let out = Command::new(BINARY)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("VANPHONG_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn subject(i: usize) -> String {
    const TOPICS: [&str; 8] = [
        "quan trắc nước thải khu công nghiệp",
        "thu gom, xử lý chất thải rắn sinh hoạt",
        "cấp giấy phép môi trường",
        "đánh giá tác động môi trường dự án",
        "kiểm soát ô nhiễm không khí",
        "bảo tồn đa dạng sinh học",
        "báo cáo công tác bảo vệ môi trường",
        "thanh tra, kiểm tra việc chấp hành pháp luật",
    ];
    const PROVINCES: [&str; 6] = [
        "Đồng Nai",
        "Hà Nội",
        "Quảng Ninh",
        "Cần Thơ",
        "Lào Cai",
        "Đà Nẵng",
    ];
    format!(
        "Về việc {} tỉnh {} (đợt {})",
        TOPICS[i % 8],
        PROVINCES[i % 6],
        i / 48 + 1
    )
}

async fn register_over_http(base: &str, key: &str, count: usize, concurrency: usize) -> Duration {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let client = client.clone();
        let base = base.to_owned();
        let key = key.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut i = worker;
            while i < count {
                let body = json!({
                    "type_code": "cong_van", "number_symbol": format!("{}/SNNMT-CCBVMT", i + 1),
                    "subject": subject(i), "sender_name": "Sở Nông nghiệp và Môi trường tỉnh Đồng Nai",
                    "arrival_date": "2026-11-25", "urgency": "normal"
                });
                let response = client.post(format!("{base}/api/v1/documents/incoming")).bearer_auth(&key).json(&body).send().await.unwrap();
                assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
                i += concurrency;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    started.elapsed()
}

/// Waits (up to three minutes) until the three start-up periodic reports are made.
async fn wait_for_start_up_reports(data_dir: &std::path::Path) {
    let url = format!("sqlite://{}", data_dir.join("vanphong.db").display());
    let db = vanphong_store::Db::open(&url, &Default::default())
        .await
        .unwrap();
    let vanphong_store::Db::Sqlite(pool) = &db else {
        unreachable!()
    };
    let started = Instant::now();
    loop {
        let made: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM job_runs WHERE job LIKE 'report.%' AND finished_at IS NOT NULL",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if made >= 3 || started.elapsed() > Duration::from_secs(180) {
            eprintln!(
                "start-up reports made: {made} ({:.1} s)",
                started.elapsed().as_secs_f64()
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The baseline: the same rows inserted straight into a fresh SQLite database, each in its
/// own transaction, with the same durability settings (WAL, synchronous=NORMAL).
async fn bare_inserts(dir: &std::path::Path, count: usize) -> Duration {
    let url = format!("sqlite://{}", dir.join("bare.db").display());
    let db = vanphong_store::Db::open(&url, &Default::default())
        .await
        .unwrap();
    let vanphong_store::Db::Sqlite(pool) = &db else {
        unreachable!()
    };
    let started = Instant::now();
    for i in 0..count {
        let mut tx = pool.begin().await.unwrap();
        sqlx::query(
            "INSERT INTO documents (direction, type_code, number, symbol, number_symbol, subject, sender_name, arrival_year, \
             arrival_number, arrival_date, status, created_at, updated_at) VALUES ('incoming', 'cong_van', $1, 'SNNMT-CCBVMT', $2, $3, \
             'Sở Nông nghiệp và Môi trường tỉnh Đồng Nai', 2026, $1, '2026-11-25', 'registered', $4, $4)",
        )
        .bind(i as i64 + 1)
        .bind(format!("{}/SNNMT-CCBVMT", i + 1))
        .bind(subject(i))
        .bind(chrono::Utc::now())
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    started.elapsed()
}

/// Fills the database with `total` incoming documents in bulk (generated, not timed as a
/// figure): statuses, units, due dates and assignments spread like a real office's.
async fn fill(data_dir: &std::path::Path, total: usize) {
    let url = format!("sqlite://{}", data_dir.join("vanphong.db").display());
    let db = vanphong_store::Db::open(&url, &Default::default())
        .await
        .unwrap();
    let vanphong_store::Db::Sqlite(pool) = &db else {
        unreachable!()
    };
    let units: Vec<i64> = sqlx::query_scalar("SELECT id FROM units")
        .fetch_all(pool)
        .await
        .unwrap();
    let handlers: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, unit_id FROM users WHERE unit_id IS NOT NULL")
            .fetch_all(pool)
            .await
            .unwrap();
    let start_number: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(arrival_number), 0) FROM documents WHERE arrival_year = 2025",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let now = chrono::Utc::now();
    let batch = 20_000;
    let mut done = 0;
    while done < total {
        let mut tx = pool.begin().await.unwrap();
        for i in done..(done + batch).min(total) {
            let unit = units[i % units.len()];
            let status = [
                "done",
                "done",
                "done",
                "in_progress",
                "registered",
                "awaiting_instruction",
            ][i % 6];
            let arrival = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
                + chrono::Duration::days((i % 365) as i64);
            let due = arrival + chrono::Duration::days(10);
            let s = subject(i);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO documents (direction, type_code, number, symbol, number_symbol, duplicate_key, subject, sender_name, \
                 arrival_year, arrival_number, arrival_date, status, owner_unit_id, due_date, search_text, created_at, updated_at) \
                 VALUES ('incoming', 'cong_van', $1, 'UBND-KT', $2, $3, $4, 'Ủy ban nhân dân tỉnh', 2025, $5, $6, $7, $8, $9, $10, $11, $11) \
                 RETURNING id",
            )
            .bind(i as i64 + 1)
            .bind(format!("{}/UBND-KT", i + 1))
            .bind(format!("{}/UBND-KT", i + 1))
            .bind(&s)
            .bind(start_number + i as i64 + 1)
            .bind(arrival)
            .bind(status)
            .bind(unit)
            .bind(due)
            .bind(vanphong_core::text::fold(&format!("{s} {} ubnd kt", i + 1)))
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            if status != "registered" && status != "awaiting_instruction" {
                let (handler, handler_unit) = handlers[i % handlers.len()];
                sqlx::query(
                    "INSERT INTO assignments (document_id, unit_id, role, status, due_date, handler_user_id, assigned_at) \
                     VALUES ($1, $2, 'lead', $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(handler_unit)
                .bind(if status == "done" { "done" } else { "in_progress" })
                .bind(due)
                .bind(handler)
                .bind(now)
                .execute(&mut *tx)
                .await
                .unwrap();
            }
        }
        tx.commit().await.unwrap();
        done = (done + batch).min(total);
        eprint!("\rfilling: {done}/{total}");
    }
    eprintln!();
    // Registered documents are indexed for search as they are registered; rows written
    // directly are indexed here, or the server would index them at start, in the
    // background, during the measurement (as the hotline benchmark found).
    vanphong_store::search::catch_up(&db).await.unwrap();
    sqlx::query("ANALYZE").execute(pool).await.unwrap();
    db.close().await;
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    if std::env::var("VANPHONG_BENCH_KEEP").is_ok() {
        eprintln!("keeping the data directory: {}", data.display());
    }
    run(&["demo", "--no-serve"], &data);
    let key_line = run(
        &[
            "api-key",
            "create",
            "--user",
            "vanthu",
            "--name",
            "benchmark",
        ],
        &data,
    );
    let key = key_line
        .split("Key (shown once): ")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();

    // Registration through the HTTP API.
    let count = 5_000;
    let server = start(&data);
    let clients: usize = std::env::var("VANPHONG_BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    // At start the server makes last week's, month's and quarter's reports from the demo
    // year; registering is measured once that is done, not while it competes for the CPU.
    runtime.block_on(wait_for_start_up_reports(&data));
    let took = runtime.block_on(register_over_http(&server.base, &key, count, clients));
    drop(server);
    let api_rate = count as f64 / took.as_secs_f64();
    let bare = runtime.block_on(bare_inserts(dir.path(), count));
    let bare_rate = count as f64 / bare.as_secs_f64();
    if std::env::var("VANPHONG_BENCH_ONLY").as_deref() == Ok("register") {
        println!(
            "registering incoming documents through the HTTP API ({count}, {clients} clients): {api_rate:.0}/s; bare insert: {bare_rate:.0}/s ({:.2}x)",
            api_rate / bare_rate
        );
        return;
    }

    // Lists with a large database.
    let total: usize = std::env::var("VANPHONG_BENCH_DOCUMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    runtime.block_on(fill(&data, total));
    let server = start(&data);
    let clerk = signed_in(&server.base, "vanthu");
    let leader = signed_in(&server.base, "truongphong");
    let specialist = signed_in(&server.base, "chuyenvien");
    let health = reqwest::blocking::Client::new();
    let pages: Vec<(&str, &reqwest::blocking::Client, String)> = vec![
        (
            "/healthz (baseline)",
            &health,
            format!("{}/healthz", server.base),
        ),
        (
            "incoming list, clerk, first page",
            &clerk,
            format!("{}/documents/incoming", server.base),
        ),
        (
            "incoming list, clerk, page 200",
            &clerk,
            format!("{}/documents/incoming?page=200", server.base),
        ),
        (
            "incoming list, clerk, status filter",
            &clerk,
            format!("{}/documents/incoming?status=in_progress", server.base),
        ),
        (
            "incoming list, clerk, by due date",
            &clerk,
            format!("{}/documents/incoming?sort=due", server.base),
        ),
        (
            "incoming list, unit leader (scoped)",
            &leader,
            format!("{}/documents/incoming", server.base),
        ),
        (
            "inbox, specialist",
            &specialist,
            format!("{}/inbox", server.base),
        ),
        (
            "home page, specialist",
            &specialist,
            format!("{}/", server.base),
        ),
        (
            "document page",
            &clerk,
            format!("{}/documents/{}", server.base, total / 2),
        ),
        (
            "API list, clerk",
            &clerk,
            format!("{}/api/v1/documents?direction=incoming", server.base),
        ),
    ];
    let mut rows = Vec::new();
    for (name, client, url) in &pages {
        let _ = measure(client, url, 3);
        rows.push((name.to_string(), measure(client, url, 60)));
    }
    println!("vanphong documents benchmark (release build, SQLite)");
    println!();
    println!("| figure | target | measured | baseline (same run) | ratio |");
    println!("|---|---|---|---|---|");
    println!(
        "| registering incoming documents through the HTTP API ({count}, {clients} clients) | ≥ 1,000/s | {api_rate:.0}/s | bare insert, one transaction each: {bare_rate:.0}/s | {:.2}× of bare |",
        api_rate / bare_rate
    );
    let baseline = rows[0].1 .1;
    for (name, (p50, p95)) in rows.iter().skip(1) {
        println!("| {name}, {total} documents (p50 {p50:.1} ms) | p95 ≤ 50 ms | p95 {p95:.1} ms | /healthz p95 {baseline:.2} ms | {:.0}× |", p95 / baseline);
    }
    if std::env::var("VANPHONG_BENCH_KEEP").is_ok() {
        let _ = dir.keep();
    }
}
