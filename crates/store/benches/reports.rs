//! The year review and the leader dashboard over 1,000,000 documents (with a lead
//! assignment for every incoming one), 100,000 dossiers and 100,000 hotline cases and
//! reports, on SQLite and PostgreSQL, beside a bare `COUNT(*)` over the documents measured
//! in the same run. Targets (issue 7): the review ≤ 1 s on SQLite, ≤ 2 s on PostgreSQL; the
//! dashboard ≤ 100 ms.
//!
//! The rows are written by `INSERT … SELECT` over a generated sequence (not timed): two
//! years (2019 and 2020), so the review of 2020 and its comparison with 2019 read every
//! document. Run: `cargo bench -p vanphong-store --bench reports`.
//! `VANPHONG_BENCH_DOCUMENTS`, `VANPHONG_BENCH_DOSSIERS`, `VANPHONG_BENCH_HOTLINE` set the
//! volumes, `VANPHONG_BENCH_BACKENDS=sqlite` runs one backend, `VANPHONG_BENCH_RUNS` the
//! number of timed runs (5). For tuning: `VANPHONG_BENCH_KEEP=/tmp/r.db` keeps a copy of
//! the filled SQLite database and stops (open it with `sqlite3` and `.timer on`).

use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use vanphong_core::auth::Secrecy;
use vanphong_core::calendar::WorkingCalendar;
use vanphong_core::hotline::HotlineAccess;
use vanphong_core::ids::{UnitId, UserId};
use vanphong_core::org::Abbreviation;
use vanphong_core::permission::ReadScope;
use vanphong_core::report::Period;
use vanphong_store::audit::Origin;
use vanphong_store::dossiers::lists::DossierScope;
use vanphong_store::org::{self, UnitInput};
use vanphong_store::reports::{self, dashboard, ReportScope};
use vanphong_store::testing::TestDb;
use vanphong_store::{Backend, Db};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

async fn exec(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(pool) => {
            sqlx::query(sql).execute(pool).await.unwrap();
        }
        Db::Postgres(pool) => {
            sqlx::query(sql).execute(pool).await.unwrap();
        }
    }
}

/// A sequence 0..n as a common table expression named `n(i)`.
fn sequence(n: usize) -> String {
    format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {}) ",
        n.max(1) - 1
    )
}

/// Day `offset` after 2019-01-01, in each backend's SQL.
fn day(backend: Backend, offset: &str) -> String {
    match backend {
        Backend::Sqlite => format!("date('2019-01-01', '+' || ({offset}) || ' days')"),
        Backend::Postgres => format!("(DATE '2019-01-01' + CAST({offset} AS INTEGER))"),
    }
}

/// A moment `offset` days (and 3 hours) after 2019-01-01 UTC, in each backend's SQL.
fn moment(backend: Backend, offset: &str) -> String {
    match backend {
        Backend::Sqlite => format!(
            "strftime('%Y-%m-%dT%H:%M:%S+00:00', '2019-01-01 03:00:00', '+' || ({offset}) || ' days')"
        ),
        Backend::Postgres => format!(
            "(TIMESTAMPTZ '2019-01-01 03:00:00+00' + CAST({offset} AS INTEGER) * INTERVAL '1 day')"
        ),
    }
}

async fn fill(db: &Db, units: &[UnitId], documents: usize, dossiers: usize, hotline: usize) {
    let backend = db.backend();
    let now = match backend {
        Backend::Sqlite => "'2021-01-05T00:00:00+00:00'",
        Backend::Postgres => "TIMESTAMPTZ '2021-01-05 00:00:00+00'",
    };
    let first = units[0].0;
    let count = units.len();
    let started = Instant::now();
    // Documents: 70 % incoming, 30 % outgoing; a few deputy questions and petitions; three
    // signing authorities; ten units; days spread over 2019–2020. As in an office that keeps
    // up (the seed year processed what it received), work that arrived in the last 60 days
    // of 2020 is 40 % still in progress, and 1 % of the older work is still open (overdue);
    // the rest is done.
    let chunk = 100_000;
    let mut done = 0;
    while done < documents {
        let size = chunk.min(documents - done);
        let d = day(backend, &format!("(i + {done}) % 731"));
        exec(
            db,
            &format!(
                "{}INSERT INTO documents (direction, kind, type_code, subject, status, signing_authority, petition_source, \
                 arrival_date, issued_on, owner_unit_id, secrecy, created_at, updated_at) \
                 SELECT CASE WHEN (i + {done}) % 10 < 7 THEN 'incoming' ELSE 'outgoing' END, \
                 CASE WHEN (i + {done}) % 997 = 0 THEN 'deputy_question' WHEN (i + {done}) % 499 = 0 THEN 'voter_petition' ELSE 'ordinary' END, \
                 CASE WHEN (i + {done}) % 13 = 0 THEN 'bao_cao' ELSE 'cong_van' END, \
                 'Văn bản thử nghiệm', \
                 CASE WHEN (i + {done}) % 10 >= 7 THEN 'issued' \
                 WHEN ((i + {done}) % 731 >= 671 AND (i + {done}) % 5 < 2) OR (i + {done}) % 100 = 1 THEN 'in_progress' ELSE 'done' END, \
                 CASE (i + {done}) % 3 WHEN 0 THEN 'own' WHEN 1 THEN 'kt' ELSE 'tl' END, \
                 CASE WHEN (i + {done}) % 499 = 0 THEN 'petitions_committee' END, \
                 CASE WHEN (i + {done}) % 10 < 7 THEN {d} END, CASE WHEN (i + {done}) % 10 >= 7 THEN {d} END, \
                 {first} + (i + {done}) % {count}, 0, {now}, {now} FROM n",
                sequence(size)
            ),
        )
        .await;
        done += size;
        eprint!("\r  documents: {done}/{documents}");
    }
    eprintln!(" ({:.0} s)", started.elapsed().as_secs_f64());
    let finished = match backend {
        Backend::Sqlite => "strftime('%Y-%m-%dT%H:%M:%S+00:00', d.arrival_date, '+' || (d.id % 15) || ' days', '+3 hours')",
        Backend::Postgres => "(CAST(d.arrival_date AS TIMESTAMP) + CAST(d.id % 15 AS INTEGER) * INTERVAL '1 day' + INTERVAL '3 hours') AT TIME ZONE 'UTC'",
    };
    let due = match backend {
        Backend::Sqlite => "date(d.arrival_date, '+10 days')",
        Backend::Postgres => "(d.arrival_date + 10)",
    };
    exec(
        db,
        &format!(
            "INSERT INTO assignments (document_id, unit_id, role, status, due_date, assigned_at, finished_at, last_progress_at) \
             SELECT d.id, d.owner_unit_id, 'lead', CASE WHEN d.status = 'done' THEN 'done' ELSE 'in_progress' END, {due}, \
             {now}, CASE WHEN d.status = 'done' THEN {finished} END, {now} FROM documents d WHERE d.direction = 'incoming'"
        ),
    )
    .await;
    eprintln!("  assignments ({:.0} s)", started.elapsed().as_secs_f64());

    // One procedure, then the dossiers.
    exec(db, &format!("INSERT INTO procedures (code, handling_unit_id, created_at, updated_at) VALUES ('1.010727', {first}, {now}, {now})")).await;
    exec(
        db,
        &format!(
            "INSERT INTO procedure_versions (procedure_id, seq, change, decision, decision_date, name, field, level, steps, components, \
             processing_days, applicants, implementing_agency, result, created_at) SELECT id, 1, 'announced', '1756/QĐ-BTNMT', {}, \
             'Cấp giấy phép môi trường', 'Môi trường', 'central', 'Tiếp nhận', '[]', 10, 'Tổ chức', 'Bộ', 'Giấy phép', {now} FROM procedures",
            day(backend, "0")
        ),
    )
    .await;
    exec(
        db,
        "UPDATE procedures SET current_version_id = (SELECT MAX(id) FROM procedure_versions)",
    )
    .await;
    let submitted = day(backend, "i % 731");
    let due = day(backend, "i % 731 + 14");
    let finished = day(backend, "i % 731 + 10 + i % 7");
    exec(
        db,
        &format!(
            "{}INSERT INTO dossiers (code, procedure_id, procedure_version_id, channel, status, applicant_name, applicant_phone, \
             phone_tail, submitted_on, received_on, received_unit_id, handling_unit_id, due_date, finished_on, timeliness, \
             created_at, updated_at) SELECT 'BENCH-' || CAST(i AS TEXT), (SELECT MAX(id) FROM procedures), \
             (SELECT MAX(id) FROM procedure_versions), CASE WHEN i % 3 = 0 THEN 'online' ELSE 'counter' END, \
             CASE WHEN i % 10 = 0 THEN 4 ELSE 10 END, 'Công ty thử nghiệm', '0912345678', '5678', {submitted}, {submitted}, \
             {first}, {first} + i % {count}, {due}, CASE WHEN i % 10 <> 0 THEN {finished} END, \
             CASE WHEN i % 10 = 0 THEN NULL WHEN i % 7 > 4 THEN 'late' ELSE 'on_time' END, {now}, {now} FROM n",
            sequence(dossiers)
        ),
    )
    .await;
    eprintln!("  dossiers ({:.0} s)", started.elapsed().as_secs_f64());

    let received = moment(backend, "i % 731");
    let due = day(backend, "i % 731 + 14");
    exec(
        db,
        &format!(
            "{}INSERT INTO hotline_cases (kind, status, title, due_date, received_at, updated_at) \
             SELECT CASE i % 4 WHEN 0 THEN 'waste_water' WHEN 1 THEN 'emissions' WHEN 2 THEN 'noise' ELSE 'solid_waste' END, \
             CASE WHEN i % 3 = 0 THEN 'verifying' ELSE 'closed' END, 'Vụ việc thử nghiệm', {due}, {received}, {now} FROM n",
            sequence(hotline)
        ),
    )
    .await;
    exec(
        db,
        "INSERT INTO hotline_reports (case_id, tracking_code, channel, kind, description, received_at) \
         SELECT c.id, 'PA' || CAST(c.id AS TEXT), CASE WHEN c.id % 4 = 0 THEN 'press' ELSE 'phone' END, c.kind, \
         'Phản ánh thử nghiệm', c.received_at FROM hotline_cases c",
    )
    .await;
    if backend == Backend::Postgres {
        exec(db, "ANALYZE").await;
    }
    eprintln!("  hotline ({:.0} s)", started.elapsed().as_secs_f64());
}

/// Runs `f` `runs` times after one warm-up run: (median, max).
async fn measure<F, Fut>(runs: usize, mut f: F) -> (Duration, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f().await;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f().await;
        times.push(started.elapsed());
    }
    times.sort();
    (times[times.len() / 2], times[times.len() - 1])
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

async fn bench(backend: Backend, documents: usize, dossiers: usize, hotline: usize, runs: usize) {
    let t = TestDb::new(backend).await;
    let db = &t.db;
    let mut units = Vec::new();
    for i in 0..10 {
        units.push(
            org::create_unit(
                db,
                &Origin::system(),
                &UnitInput {
                    parent_id: None,
                    name: format!("Đơn vị {i}"),
                    abbreviation: Abbreviation::parse(&format!("DV{i}")).unwrap(),
                    sort_order: i,
                    active: true,
                },
            )
            .await
            .unwrap()
            .id,
        );
    }
    eprintln!("{backend:?}: filling");
    fill(db, &units, documents, dossiers, hotline).await;
    if let (Backend::Sqlite, Ok(keep)) = (backend, std::env::var("VANPHONG_BENCH_KEEP")) {
        let _ = std::fs::remove_file(&keep);
        exec(db, &format!("VACUUM INTO '{}'", keep.replace('\'', "''"))).await;
        eprintln!("kept the filled SQLite database in {keep}");
        return;
    }
    let year = Period::year(2020).unwrap();
    let agency = ReportScope::agency(UserId(1), Secrecy::TopSecret);
    let one_unit = ReportScope {
        user: UserId(1),
        documents: ReadScope {
            units: Some(vec![units[3]]),
            max_secrecy: Secrecy::TopSecret,
        },
        dossiers: DossierScope {
            units: Some(vec![units[3]]),
            unreceived: false,
        },
        hotline: HotlineAccess::None,
    };
    let calendar = WorkingCalendar::for_years(2019..=2021, &BTreeMap::new()).unwrap();
    let today = NaiveDate::from_ymd_opt(2020, 12, 17).unwrap();

    let (baseline, baseline_max) = measure(runs, || async {
        match db {
            Db::Sqlite(pool) => {
                let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM documents")
                    .fetch_one(pool)
                    .await
                    .unwrap();
            }
            Db::Postgres(pool) => {
                let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM documents")
                    .fetch_one(pool)
                    .await
                    .unwrap();
            }
        }
    })
    .await;
    let review = reports::review(db, year, &agency).await.unwrap();
    let received = review.figure("incoming_received").map(|f| f.value);
    let (whole, whole_max) = measure(runs, || async {
        reports::review(db, year, &agency).await.unwrap();
    })
    .await;
    let (unit, unit_max) = measure(runs, || async {
        reports::review(db, year, &one_unit).await.unwrap();
    })
    .await;
    let (board, board_max) = measure(runs.max(20), || async {
        dashboard::dashboard(db, today, &calendar, &agency)
            .await
            .unwrap();
    })
    .await;
    let (unit_board, unit_board_max) = measure(runs.max(20), || async {
        dashboard::dashboard(db, today, &calendar, &one_unit)
            .await
            .unwrap();
    })
    .await;
    let data = format!("{documents} documents, {dossiers} dossiers, {hotline} hotline cases");
    let review_target = match backend {
        Backend::Sqlite => "≤ 1 s",
        Backend::Postgres => "≤ 2 s",
    };
    let base = format!("`SELECT COUNT(*) FROM documents`: {} ms", ms(baseline));
    let ratio = |d: Duration| {
        let r = d.as_secs_f64() / baseline.as_secs_f64().max(1e-6);
        if r < 10.0 {
            format!("{r:.2}×")
        } else {
            format!("{r:.0}×")
        }
    };
    let name = backend.name();
    eprintln!(
        "{name}: baseline median {} ms (max {} ms)",
        ms(baseline),
        ms(baseline_max)
    );
    for (figure, target, median, max) in [
        (
            format!("year review 2020 vs 2019, whole agency ({received:?} incoming in 2020)"),
            review_target,
            whole,
            whole_max,
        ),
        (
            "year review, a reader of one unit".to_owned(),
            review_target,
            unit,
            unit_max,
        ),
        (
            "dashboard, whole agency".to_owned(),
            "≤ 100 ms",
            board,
            board_max,
        ),
        (
            "dashboard, a reader of one unit".to_owned(),
            "≤ 100 ms",
            unit_board,
            unit_board_max,
        ),
    ] {
        println!(
            "| {figure}, {name}, {data} | {target} | median {} ms (max {} ms) | {base} | {} |",
            ms(median),
            ms(max),
            ratio(median)
        );
    }
}

fn main() {
    let documents = env("VANPHONG_BENCH_DOCUMENTS", 1_000_000);
    let dossiers = env("VANPHONG_BENCH_DOSSIERS", 100_000);
    let hotline = env("VANPHONG_BENCH_HOTLINE", 100_000);
    let runs = env("VANPHONG_BENCH_RUNS", 5);
    let backends =
        std::env::var("VANPHONG_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("| figure | target | measured | baseline (same run) | ratio |");
    println!("|---|---|---|---|---|");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let name = match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        if backends.split(',').any(|b| b.trim() == name) {
            runtime.block_on(bench(backend, documents, dossiers, hotline, runs));
        }
    }
}
