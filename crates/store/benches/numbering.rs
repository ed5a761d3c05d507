//! Numbering outgoing documents under load: 64 clerks on four nodes (four connection
//! pools on one database) each issue 100 approved documents in one series at the same
//! moment, on SQLite and on PostgreSQL. Prints the time, the rate and the latency of an
//! issue, and whether the series came out as exactly 1..=6400 with no gap and no
//! duplicate (the process fails if it did not).
//!
//! Run: `cargo bench -p vanphong-store --bench numbering` (PostgreSQL at
//! `VANPHONG_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`).
//! `VANPHONG_BENCH_EACH=20` issues fewer documents per clerk for a quick look;
//! `VANPHONG_BENCH_NODES` (4) and `VANPHONG_BENCH_CONNECTIONS` (8 per node) change the
//! cluster's shape.

use chrono::NaiveDate;
use std::sync::Arc;
use std::time::{Duration, Instant};
use vanphong_core::auth::{NewPassword, Role, Secrecy, Username};
use vanphong_core::document::kind::Urgency;
use vanphong_core::document::outgoing::SigningAuthority;
use vanphong_core::ids::{UnitId, UserId};
use vanphong_core::org::{Abbreviation, AgencyCode};
use vanphong_store::audit::Origin;
use vanphong_store::blobs::StoredBlob;
use vanphong_store::db::PoolSettings;
use vanphong_store::documents::outgoing::{
    self, DraftFile, IssueInput, NewDraft, Recipients, Signer,
};
use vanphong_store::org::{self, AgencySettings, UnitInput};
use vanphong_store::testing::TestDb;
use vanphong_store::users::{self, NewUser};
use vanphong_store::{Backend, Db};

const ISSUERS: usize = 64;

struct People {
    unit: UnitId,
    drafter: UserId,
    leader: UserId,
    clerk: UserId,
}

fn origin(user: UserId) -> Origin {
    Origin {
        user_id: Some(user),
        label: "bench".into(),
        address: "127.0.0.1".into(),
    }
}

async fn user(db: &Db, name: &str, role: Role, unit: UnitId) -> UserId {
    users::create(
        db,
        &Origin::system(),
        NewUser {
            username: Username::parse(name).unwrap(),
            full_name: name.into(),
            email: String::new(),
            phone: String::new(),
            unit_id: Some(unit),
            position_id: None,
            clearance: Secrecy::Normal,
            roles: vec![role],
            password: NewPassword::parse("mật khẩu thử nghiệm").unwrap(),
        },
    )
    .await
    .unwrap()
    .id
}

async fn people(db: &Db) -> People {
    org::save_agency(
        db,
        &Origin::system(),
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
    let unit = org::create_unit(
        db,
        &Origin::system(),
        &UnitInput {
            parent_id: None,
            name: "Văn phòng".into(),
            abbreviation: Abbreviation::parse("VP").unwrap(),
            sort_order: 0,
            active: true,
        },
    )
    .await
    .unwrap()
    .id;
    People {
        unit,
        drafter: user(db, "chuyenvien", Role::Specialist, unit).await,
        leader: user(db, "lanhdao", Role::AgencyLeader, unit).await,
        clerk: user(db, "vanthu", Role::RecordsClerk, unit).await,
    }
}

/// Drafts, submits and approves one document; returns its id and version.
async fn approved(db: &Db, p: &People, i: usize) -> (i64, i64) {
    let draft = NewDraft {
        type_code: "cong_van".into(),
        subject: format!("Công văn số {i} về quan trắc môi trường"),
        drafting_unit: p.unit,
        drafter: p.drafter,
        urgency: Urgency::Normal,
        secrecy: Secrecy::Normal,
        signer: Signer {
            name: "Nguyễn Văn Tâm".into(),
            position: "Tổng cục trưởng".into(),
            authority: SigningAuthority::Own,
        },
        recipients: Recipients::default(),
        copies: None,
        reply_to: None,
        first_version: Some(DraftFile {
            blob: StoredBlob {
                sha256: format!("{:064x}", 1),
                size: 1000,
                content_type: "application/pdf".into(),
            },
            file_name: "du-thao.pdf".into(),
        }),
    };
    let d = outgoing::create_draft(db, &origin(p.drafter), &draft)
        .await
        .unwrap();
    let d = outgoing::submit_for_review(db, &origin(p.drafter), d.id, d.version, None)
        .await
        .unwrap();
    let signer = Signer {
        name: "Nguyễn Văn Tâm".into(),
        position: "Tổng cục trưởng".into(),
        authority: SigningAuthority::Own,
    };
    let d = outgoing::approve(db, &origin(p.leader), d.id, d.version, p.leader, &signer)
        .await
        .unwrap();
    (d.id, d.version)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Runs the whole measurement on one backend; returns whether the numbers were exact.
async fn run(backend: Backend, each: usize, nodes_wanted: usize, connections: u32) -> bool {
    let t = TestDb::new(backend).await;
    let p = Arc::new(people(&t.db).await);
    let settings = PoolSettings {
        max_connections: connections,
        ..PoolSettings::default()
    };
    let mut nodes = Vec::new();
    for _ in 0..nodes_wanted {
        nodes.push(Db::connect(&t.url, &settings).await.unwrap());
    }
    let prepared = Instant::now();
    let mut tasks = Vec::new();
    for issuer in 0..ISSUERS {
        let db = nodes[issuer % nodes.len()].clone();
        let p = p.clone();
        tasks.push(tokio::spawn(async move {
            let mut ready = Vec::with_capacity(each);
            for i in 0..each {
                ready.push(approved(&db, &p, issuer * each + i).await);
            }
            ready
        }));
    }
    let mut work = Vec::new();
    for task in tasks {
        work.push(task.await.unwrap());
    }
    let preparation = prepared.elapsed();

    let barrier = Arc::new(tokio::sync::Barrier::new(ISSUERS));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (issuer, ready) in work.into_iter().enumerate() {
        let db = nodes[issuer % nodes.len()].clone();
        let p = p.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut out = Vec::with_capacity(ready.len());
            let input = IssueInput {
                issued_on: NaiveDate::from_ymd_opt(2025, 6, 2).unwrap(),
                signed_files: Vec::new(),
            };
            let mut refused = Vec::new();
            for (id, version) in ready {
                // A refused issue (the database too busy) rolled back whole: the clerk
                // tries again, and the number it would have had is still free.
                loop {
                    let began = Instant::now();
                    match outgoing::issue(&db, &origin(p.clerk), id, version, &input).await {
                        Ok(issued) => {
                            out.push((issued.number.unwrap(), began.elapsed()));
                            break;
                        }
                        Err(e) => refused.push(e.to_string()),
                    }
                }
            }
            (out, refused)
        }));
    }
    let mut numbers = Vec::new();
    let mut latencies = Vec::new();
    let mut refused = Vec::new();
    for task in tasks {
        let (issued, errors) = task.await.unwrap();
        for (number, latency) in issued {
            numbers.push(number);
            latencies.push(latency);
        }
        refused.extend(errors);
    }
    let elapsed = started.elapsed();
    numbers.sort();
    latencies.sort();
    let total = ISSUERS * each;
    let expected: Vec<i64> = (1..=total as i64).collect();
    let duplicates = numbers.windows(2).filter(|w| w[0] == w[1]).count();
    let exact = numbers == expected;
    let counters = outgoing::series_counters(&t.db, 2025).await.unwrap();
    let shared = &counters[0];
    println!(
        "{:<8} {} clerks on {} nodes × {} = {} issues: {:.2} s ({:.0} issues/s); issue latency p50 {:.1} ms, \
         p99 {:.1} ms, max {:.1} ms; preparation (draft, submit, approve) {:.1} s",
        backend.name(),
        ISSUERS,
        nodes.len(),
        each,
        total,
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0,
        preparation.as_secs_f64(),
    );
    println!(
        "{:<8} numbers 1..={total} exactly: {} (lowest {}, highest {}, duplicates {duplicates}; \
         counter at {:?}, {} documents carry a number)",
        backend.name(),
        if exact { "yes" } else { "NO" },
        numbers.first().unwrap(),
        numbers.last().unwrap(),
        shared.last_number,
        shared.issued,
    );
    println!(
        "| outgoing numbering, {ISSUERS} clerks on {} nodes issuing at once, {} | every number once, none skipped | {}: 1..={total}, {duplicates} duplicates; {:.0} issues/s, p99 {:.1} ms | | |",
        nodes.len(),
        backend.name(),
        if exact { "exact" } else { "NOT EXACT" },
        total as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
    );
    if !refused.is_empty() {
        refused.sort();
        refused.dedup();
        println!(
            "{:<8} issues refused and retried: {:?}",
            backend.name(),
            refused
        );
    }
    for node in &nodes {
        node.close().await;
    }
    exact && shared.last_number == Some(total as i64) && shared.issued == total as i64
}

fn main() {
    let setting = |name: &str, default: usize| -> usize {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let each = setting("VANPHONG_BENCH_EACH", 100);
    let nodes = setting("VANPHONG_BENCH_NODES", 4);
    let connections = setting("VANPHONG_BENCH_CONNECTIONS", 8) as u32;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut all_exact = true;
    for backend in [Backend::Sqlite, Backend::Postgres] {
        all_exact &= runtime.block_on(run(backend, each, nodes, connections));
    }
    if !all_exact {
        eprintln!("numbering gave a gap or a duplicate");
        std::process::exit(1);
    }
}
