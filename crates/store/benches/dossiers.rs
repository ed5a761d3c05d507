//! Dossier lists at scale: 100,000 dossiers stored (five years of a busy desk), then the
//! queries behind the dossier list page (a page of 50 and its capped count) measured on
//! SQLite and PostgreSQL, p50 and p95 over repeated runs, for the whole agency, for one
//! officer's desk, with filters, with a word search and deep in the list; the statistics
//! of a year beside them (by procedure, unit and month; whole agency and one department). The baseline, measured in the same run on the same table, is the
//! bare `SELECT … ORDER BY id DESC LIMIT 50` every list is built on. The target is a p95
//! at or under 50 ms for every list.
//!
//! Run: `cargo bench -p vanphong-store --bench dossiers` (PostgreSQL at
//! `VANPHONG_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`).
//! `VANPHONG_BENCH_DOSSIERS=20000` stores fewer dossiers for a quick look;
//! `VANPHONG_BENCH_RUNS` (200) sets the repetitions of each query;
//! `VANPHONG_BENCH_WITHOUT_STATISTICS_INDEX=1` measures the statistics without their index.

use chrono::NaiveDate;
use std::time::{Duration, Instant};
use vanphong_core::dossier::procedure::ProcedureInput;
use vanphong_core::dossier::ProcedureContent;
use vanphong_core::ids::UnitId;
use vanphong_core::org::{Abbreviation, AgencyCode};
use vanphong_store::audit::Origin;
use vanphong_store::dossiers::lists::{self, DossierFilter, DossierScope, GroupBy};
use vanphong_store::dossiers::procedures::{self, Decision};
use vanphong_store::org::{self, AgencySettings, UnitInput};
use vanphong_store::testing::TestDb;
use vanphong_store::{Backend, Db};

const PAGE: i64 = 50;
const COUNT_CAP: i64 = 2_000;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

async fn setup(db: &Db) -> (Vec<UnitId>, Vec<(i64, i64)>) {
    let origin = Origin::system();
    org::save_agency(
        db,
        &origin,
        &AgencySettings {
            code: AgencyCode::parse("000.00.16.H49").unwrap(),
            name: "Tổng cục Môi trường".into(),
            name_en: String::new(),
            abbreviation: Abbreviation::parse("TCMT").unwrap(),
            parent_abbreviation: None,
            address: String::new(),
            place_name: "Hà Nội".into(),
        },
    )
    .await
    .unwrap();
    let mut units = Vec::new();
    for (name, abbreviation) in [
        ("Bộ phận Một cửa", "MC"),
        ("Cục Kiểm soát ô nhiễm môi trường", "KSONMT"),
        ("Cục Thẩm định và Đánh giá tác động môi trường", "TDDG"),
        ("Cục Quản lý chất thải", "QLCT"),
    ] {
        let input = UnitInput {
            parent_id: None,
            name: name.into(),
            abbreviation: Abbreviation::parse(abbreviation).unwrap(),
            sort_order: 0,
            active: true,
        };
        units.push(org::create_unit(db, &origin, &input).await.unwrap().id);
    }
    let mut procedures_made = Vec::new();
    for i in 0..10 {
        let content = ProcedureContent::parse(&ProcedureInput {
            name: &format!("Thủ tục môi trường số {i}"),
            field: "Môi trường",
            level: "central",
            components: "Văn bản đề nghị | Mẫu số 01\nBáo cáo",
            processing_days: "20",
            ..Default::default()
        })
        .unwrap();
        let decision = Decision {
            number: "1756/QĐ-BTNMT".into(),
            date: NaiveDate::from_ymd_opt(2020, 12, 17).unwrap(),
        };
        let p = procedures::announce(
            db,
            &origin,
            &format!("1.0107{i:02}"),
            Some(units[1 + i % 3]),
            &content,
            &decision,
        )
        .await
        .unwrap();
        procedures_made.push((p.id, p.current_version_id));
    }
    (units, procedures_made)
}

/// Stores `count` dossiers over five years in multi-row inserts, as a migration from the
/// previous system would.
async fn fill(db: &Db, count: usize, units: &[UnitId], procedures: &[(i64, i64)]) {
    const COMPANIES: [&str; 6] = [
        "Công ty Cổ phần Giấy Sài Gòn",
        "Công ty TNHH Thép Hòa Phát",
        "Công ty Cổ phần Xi măng Bỉm Sơn",
        "Tổng công ty Khoáng sản TKV",
        "Công ty TNHH Môi trường xanh Đồng Nai",
        "Công ty Cổ phần Cảng Hải Phòng",
    ];
    let start = NaiveDate::from_ymd_opt(2021, 1, 4).unwrap();
    let mut done = 0;
    while done < count {
        let batch = (count - done).min(1000);
        let mut values = Vec::with_capacity(batch);
        for i in done..done + batch {
            let day = start + chrono::Duration::days((i * 1826 / count) as i64);
            let (procedure, version) = procedures[i % procedures.len()];
            let handling = units[1 + (i % 3)].0;
            let finished = i + 500 < count;
            let status = if finished {
                10
            } else if i % 7 == 0 {
                5
            } else {
                4
            };
            let due = day + chrono::Duration::days(28);
            let finished_on = day + chrono::Duration::days(20 + (i % 12) as i64);
            let timeliness = if !finished {
                "NULL".to_owned()
            } else if finished_on < due {
                "'early'".into()
            } else if finished_on == due {
                "'on_time'".into()
            } else {
                "'late'".into()
            };
            let company = COMPANIES[i % COMPANIES.len()];
            let online = if i % 4 == 0 { "online" } else { "counter" };
            let phone = format!("09{:08}", (i * 7919) % 100_000_000);
            let code = format!(
                "000.00.16.H49-{}-{:04}",
                day.format("%y%m%d"),
                i % 10_000 + 1
            );
            let code = format!("{code}-{i}");
            let search =
                vanphong_core::text::fold(&format!("{code} {company} nha may so {i} {phone}"));
            values.push(format!(
                "('{code}', {procedure}, {version}, '{online}', {status}, '{company}', '{phone}', '{tail}', 'Nhà máy số {i}', '{day}', '{day}', {desk}, {handling}, '{due}', {finished_on}, {timeliness}, '{search}', '2026-01-01T08:00:00+00:00', '2026-01-01T08:00:00+00:00')",
                tail = &phone[phone.len() - 4..],
                desk = units[0].0,
                finished_on = if finished { format!("'{finished_on}'") } else { "NULL".into() },
            ));
        }
        let sql = format!(
            "INSERT INTO dossiers (code, procedure_id, procedure_version_id, channel, status, applicant_name, applicant_phone, phone_tail, \
             subject, submitted_on, received_on, received_unit_id, handling_unit_id, due_date, finished_on, timeliness, search_text, \
             created_at, updated_at) VALUES {}",
            values.join(", ")
        );
        match db {
            Db::Sqlite(pool) => {
                sqlx::query(&sql).execute(pool).await.unwrap();
            }
            Db::Postgres(pool) => {
                sqlx::query(&sql).execute(pool).await.unwrap();
            }
        }
        done += batch;
    }
    match db {
        Db::Sqlite(pool) => {
            sqlx::query("ANALYZE").execute(pool).await.unwrap();
        }
        Db::Postgres(pool) => {
            sqlx::query("ANALYZE").execute(pool).await.unwrap();
        }
    }
}

async fn measure<F, Fut>(runs: usize, mut f: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    // Warm the caches first, as a server that has been running would have them.
    for _ in 0..5 {
        f().await;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f().await;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    (percentile(&mut times, 0.5), percentile(&mut times, 0.95))
}

/// The dossier list page's two queries: a page of 50 and the count up to the cap.
async fn list_page(db: &Db, scope: &DossierScope, filter: &DossierFilter, page: i64) {
    let rows = lists::list(db, scope, filter, (page - 1) * PAGE, PAGE + 1)
        .await
        .unwrap();
    let count = lists::count_up_to(db, scope, filter, COUNT_CAP + 1)
        .await
        .unwrap();
    std::hint::black_box((rows, count));
}

async fn bench(backend: Backend, count: usize, runs: usize) -> bool {
    let t = TestDb::new(backend).await;
    let db = &t.db;
    let (units, procedures) = setup(db).await;
    let started = Instant::now();
    fill(db, count, &units, &procedures).await;
    println!(
        "\n{}: {count} dossiers stored in {:.1} s",
        backend.name(),
        started.elapsed().as_secs_f64()
    );

    let (b50, b95) = measure(runs, || async {
        let rows: Vec<(i64, String)> = match db {
            Db::Sqlite(pool) => {
                sqlx::query_as("SELECT id, code FROM dossiers ORDER BY id DESC LIMIT 50")
                    .fetch_all(pool)
                    .await
                    .unwrap()
            }
            Db::Postgres(pool) => {
                sqlx::query_as("SELECT id, code FROM dossiers ORDER BY id DESC LIMIT 50")
                    .fetch_all(pool)
                    .await
                    .unwrap()
            }
        };
        std::hint::black_box(rows);
    })
    .await;
    println!(
        "  {:<52} p50 {b50:>7.2} ms   p95 {b95:>7.2} ms",
        "baseline: bare SELECT … ORDER BY id DESC LIMIT 50"
    );

    let all = DossierScope::ALL;
    let desk = DossierScope {
        units: Some(vec![units[0]]),
        unreceived: true,
    };
    let department = DossierScope {
        units: Some(vec![units[2]]),
        unreceived: false,
    };
    let cases: Vec<(&str, DossierScope, DossierFilter, i64)> = vec![
        (
            "whole agency, first page",
            all.clone(),
            DossierFilter::default(),
            1,
        ),
        (
            "one-stop desk (officer's scope), first page",
            desk.clone(),
            DossierFilter::default(),
            1,
        ),
        (
            "one department (leader's scope), first page",
            department.clone(),
            DossierFilter::default(),
            1,
        ),
        (
            "status 'in progress' and one procedure",
            all.clone(),
            DossierFilter {
                status: Some(4),
                procedure_id: Some(procedures[2].0),
                ..Default::default()
            },
            1,
        ),
        (
            "late dossiers, one year",
            all.clone(),
            DossierFilter {
                timeliness: Some("late".into()),
                from: NaiveDate::from_ymd_opt(2024, 1, 1),
                to: NaiveDate::from_ymd_opt(2024, 12, 31),
                ..Default::default()
            },
            1,
        ),
        (
            "word search 'thep hoa phat'",
            all.clone(),
            DossierFilter {
                text: Some("thép Hòa Phát".into()),
                ..Default::default()
            },
            1,
        ),
        (
            "whole agency, page 20",
            all.clone(),
            DossierFilter::default(),
            20,
        ),
    ];
    let mut within = true;
    for (name, scope, filter, page) in &cases {
        let (p50, p95) = measure(runs, || list_page(db, scope, filter, *page)).await;
        let mark = if p95 <= 50.0 {
            "ok"
        } else {
            within = false;
            "OVER 50 ms"
        };
        println!("  {name:<52} p50 {p50:>7.2} ms   p95 {p95:>7.2} ms   {mark}");
        println!(
            "| dossier list with {count} dossiers, {name}, {} (p50 {p50:.1} ms) | p95 ≤ 50 ms | p95 {p95:.1} ms | bare ORDER BY id LIMIT 50: p95 {b95:.2} ms | {:.0}× |",
            backend.name(),
            p95 / b95.max(0.001)
        );
    }
    // The year statistics (not a list, so no 50 ms target): by procedure, unit and month,
    // for the whole agency and inside one department's scope. With
    // VANPHONG_BENCH_WITHOUT_STATISTICS_INDEX=1 the covering index of migration 0009 is
    // dropped first, to measure the statistics as they were before it.
    if std::env::var("VANPHONG_BENCH_WITHOUT_STATISTICS_INDEX").is_ok_and(|v| v == "1") {
        let drop = "DROP INDEX dossiers_statistics_idx";
        match db {
            Db::Sqlite(pool) => sqlx::query(drop).execute(pool).await.map(|_| ()),
            Db::Postgres(pool) => sqlx::query(drop).execute(pool).await.map(|_| ()),
        }
        .unwrap();
        println!("  (without the statistics index)");
    }
    for (scope_name, scope) in [("whole agency", &all), ("one department", &department)] {
        for group in [GroupBy::Procedure, GroupBy::Unit, GroupBy::Month] {
            let (s50, s95) = measure(runs.min(50), || async {
                let rows = lists::statistics(
                    db,
                    scope,
                    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                    NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
                    group,
                )
                .await
                .unwrap();
                std::hint::black_box(rows);
            })
            .await;
            let name = format!("statistics of 2024 by {}, {scope_name}", group.code());
            println!("  {name:<52} p50 {s50:>7.2} ms   p95 {s95:>7.2} ms");
            println!(
                "| dossier {name} with {count} dossiers, {} | (no target) | p50 {s50:.1} ms, p95 {s95:.1} ms | bare ORDER BY id LIMIT 50: p95 {b95:.2} ms | {:.0}× |",
                backend.name(),
                s95 / b95.max(0.001)
            );
        }
    }
    within
}

fn main() {
    let count = env("VANPHONG_BENCH_DOSSIERS", 100_000);
    let runs = env("VANPHONG_BENCH_RUNS", 200);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut within = true;
    for backend in [Backend::Sqlite, Backend::Postgres] {
        within &= runtime.block_on(bench(backend, count, runs));
    }
    let _ = Duration::from_secs(0);
    if !within {
        eprintln!("\nSome dossier list was over the 50 ms p95 target.");
        std::process::exit(1);
    }
    println!("\nEvery dossier list was within the 50 ms p95 target.");
}
