//! Open311 under load, measured on the release binary with 100,000 hotline reports stored
//! (spread over the last year, so the default 90-day window holds about a quarter):
//! - `GET /healthz`, the baseline: the same server doing almost nothing;
//! - `GET /open311/v2/requests.json` with the default window and page;
//! - `POST /open311/v2/requests.json`, form-encoded with an API key.
//!
//! Each runs for a few seconds with 64 concurrent clients on the same machine.
//!
//! Run: `cargo bench -p vanphong --bench hotline`. `VANPHONG_BENCH_REPORTS` changes the
//! number stored, `VANPHONG_BENCH_CLIENTS` the clients, `VANPHONG_BENCH_SECONDS` the time
//! of each measurement.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vanphong_core::auth::{NewPassword, Secrecy, Username};
use vanphong_store::audit::Origin;

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
            "100000000",
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

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Creates the schema, a user with an API key, a province, and `total` reports in bulk.
async fn prepare(data_dir: &std::path::Path, total: usize) -> String {
    std::fs::create_dir_all(data_dir).unwrap();
    let url = format!("sqlite://{}", data_dir.join("vanphong.db").display());
    let db = vanphong_store::Db::open(&url, &Default::default())
        .await
        .unwrap();
    let origin = Origin::system();
    let user = vanphong_store::users::create(
        &db,
        &origin,
        vanphong_store::users::NewUser {
            username: Username::parse("ung.dung").unwrap(),
            full_name: "Ứng dụng phản ánh".into(),
            email: String::new(),
            phone: String::new(),
            unit_id: None,
            position_id: None,
            clearance: Secrecy::Normal,
            roles: Vec::new(),
            password: NewPassword::parse("mật khẩu thử nghiệm").unwrap(),
        },
    )
    .await
    .unwrap();
    let (_, key) = vanphong_store::api_keys::create(&db, &origin, "benchmark", user.id)
        .await
        .unwrap();
    let vanphong_store::Db::Sqlite(pool) = &db else {
        unreachable!()
    };
    let now = chrono::Utc::now();
    let kinds = [
        "waste_water",
        "emissions",
        "solid_waste",
        "noise",
        "environmental_quality",
        "other",
    ];
    let statuses = [
        "closed",
        "closed",
        "responded",
        "handling",
        "verifying",
        "received",
    ];
    let batch = 10_000;
    let mut done = 0;
    while done < total {
        let mut tx = pool.begin().await.unwrap();
        for i in done..(done + batch).min(total) {
            // Spread over the last 365 days, newest last.
            let received =
                now - chrono::Duration::seconds((365 * 86_400 * (total - i) / total) as i64);
            let kind = kinds[i % kinds.len()];
            let status = statuses[i % statuses.len()];
            let description = format!(
                "Nước thải màu đen xả ra kênh gần khu công nghiệp số {}, mùi hôi nồng nặc",
                i % 97
            );
            let case_id: i64 = sqlx::query_scalar(
                "INSERT INTO hotline_cases (kind, status, title, latitude, longitude, due_date, received_at, updated_at, last_note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 'Đã chuyển Sở kiểm tra') RETURNING id",
            )
            .bind(kind)
            .bind(status)
            .bind(&description)
            .bind(10.9 + (i % 100) as f64 / 1000.0)
            .bind(106.8 + (i % 77) as f64 / 1000.0)
            .bind((received + chrono::Duration::days(14)).date_naive())
            .bind(received)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO hotline_reports (case_id, tracking_code, channel, kind, description, search_key, onset, \
                 latitude, longitude, received_at) VALUES ($1, $2, $3, $4, $5, $6, 'continuous', $7, $8, $9)",
            )
            .bind(case_id)
            .bind(format!("PB{i:08}"))
            .bind(if i % 3 == 0 { "open311" } else { "phone" })
            .bind(kind)
            .bind(&description)
            .bind(vanphong_core::text::fold(&description))
            .bind(10.9 + (i % 100) as f64 / 1000.0)
            .bind(106.8 + (i % 77) as f64 / 1000.0)
            .bind(received)
            .execute(&mut *tx)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO hotline_steps (case_id, from_status, to_status, note, actor_label, at) \
                 VALUES ($1, NULL, 'received', 'channel:phone', 'benchmark', $2)",
            )
            .bind(case_id)
            .bind(received)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        done = (done + batch).min(total);
        eprint!("\rfilling: {done}/{total}");
    }
    eprintln!();
    // In an office every case is indexed for search when its report arrives; rows written
    // directly are indexed here, or the server would do it at start, during the load (a
    // catch-up of 100,000 cases holding SQLite's write lock cut POST from 668 to 171/s).
    vanphong_store::search::catch_up(&db).await.unwrap();
    sqlx::query("ANALYZE").execute(pool).await.unwrap();
    db.close().await;
    key
}

/// Runs `clients` loops for `seconds`, each sending the request `make` builds; returns
/// requests per second (every answer must have the expected status).
async fn load(
    clients: u64,
    seconds: u64,
    expected: u16,
    make: impl Fn(&reqwest::Client, u64) -> reqwest::RequestBuilder + Send + Sync + 'static,
) -> f64 {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients as usize)
        .build()
        .unwrap();
    let make = Arc::new(make);
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for worker in 0..clients {
        let (client, make, done) = (client.clone(), make.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = worker;
            while Instant::now() < deadline {
                let response = make(&client, i).send().await.unwrap();
                let status = response.status().as_u16();
                let body = response.bytes().await.unwrap();
                assert_eq!(status, expected, "{}", String::from_utf8_lossy(&body));
                done.fetch_add(1, Ordering::Relaxed);
                i += clients;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let total = setting("VANPHONG_BENCH_REPORTS", 100_000) as usize;
    let clients = setting("VANPHONG_BENCH_CLIENTS", 64);
    let seconds = setting("VANPHONG_BENCH_SECONDS", 10);
    let filling = Instant::now();
    let key = runtime.block_on(prepare(&data, total));
    eprintln!(
        "{total} reports stored in {:.1} s",
        filling.elapsed().as_secs_f64()
    );
    let server = start(&data);
    let base = server.base.clone();

    let health = {
        let base = base.clone();
        runtime.block_on(load(clients, seconds, 200, move |c, _| {
            c.get(format!("{base}/healthz"))
        }))
    };
    // Extra query parameters for the list (e.g. `page_size=1000`), to see what a page costs.
    let extra = std::env::var("VANPHONG_BENCH_QUERY").unwrap_or_default();
    let list = {
        let base = base.clone();
        let extra = extra.clone();
        runtime.block_on(load(clients, seconds, 200, move |c, _| {
            c.get(format!("{base}/open311/v2/requests.json?{extra}"))
        }))
    };
    let window_size = {
        let body =
            reqwest::blocking::get(format!("{base}/open311/v2/requests.json?page_size=1000"))
                .unwrap()
                .text()
                .unwrap();
        serde_json::from_str::<serde_json::Value>(&body)
            .unwrap()
            .as_array()
            .map(|a| a.len())
            .unwrap_or(0)
    };
    let post = {
        let base = base.clone();
        runtime.block_on(load(clients, seconds, 201, move |c, i| {
            c.post(format!("{base}/open311/v2/requests.json")).form(&[
                ("api_key", key.as_str()),
                ("service_code", "waste_water"),
                ("lat", "10.9421"),
                ("long", "106.8543"),
                (
                    "description",
                    &format!("Nước thải đen chảy ra suối Linh, lần {i}"),
                ),
                ("attribute[onset]", "sudden"),
                ("attribute[signs][]", "smell"),
            ])
        }))
    };
    drop(server);

    println!("\nOpen311 with {total} reports stored, {clients} concurrent clients, {seconds} s each (SQLite):");
    println!("  GET /healthz (baseline)                 {health:>8.0} req/s");
    println!(
        "  GET requests.json{} {list:>8.0} req/s  (target ≥ 3,000; {:.0} % of the baseline)",
        if extra.is_empty() {
            format!(
                " (90 days, page of {})",
                vanphong_web::open311::DEFAULT_PAGE_SIZE
            )
        } else {
            format!("?{extra}")
        },
        100.0 * list / health
    );
    println!(
        "  POST requests.json                      {post:>8.0} req/s  (target ≥ 500; {:.0} % of the baseline)",
        100.0 * post / health
    );
    println!("  (a page of 1000 from the default window returned {window_size} requests)");
    println!(
        "| Open311 GET requests.json (default window), {total} reports, {clients} clients | ≥ 3,000/s | {list:.0}/s | /healthz: {health:.0}/s | {:.2}× |",
        list / health
    );
    println!(
        "| Open311 POST requests.json, {total} reports stored, {clients} clients | ≥ 500/s | {post:.0}/s | /healthz: {health:.0}/s | {:.2}× |",
        post / health
    );
}
