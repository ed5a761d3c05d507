//! Incoming registration and routing in the store: arrival numbers under concurrency,
//! rollback giving numbers back, routing rules, stale versions.

use super::*;
use chrono::NaiveDate;
use vanphong_core::document::kind::{DocumentKind, Urgency};
use vanphong_core::document::routing::AssignmentRole;
use vanphong_core::document::NumberAndSymbol;
use vanphong_store::documents::incoming::{self, NewIncoming, Sender};
use vanphong_store::documents::routing::{self, RoutingPart, Step};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn incoming(number: &str, arrival: &str) -> NewIncoming {
    NewIncoming {
        kind: DocumentKind::Ordinary,
        type_code: "cong_van".into(),
        number_symbol: NumberAndSymbol::parse(number).unwrap(),
        document_date: None,
        subject: format!("Văn bản {number}"),
        pages: Some(2),
        urgency: Urgency::Normal,
        secrecy: Secrecy::Normal,
        signer_name: String::new(),
        sender: Sender::Named("Sở Nông nghiệp và Môi trường tỉnh Lào Cai".into()),
        arrival_date: day(arrival),
        receiving_unit: None,
        due_date: None,
        petition_source: None,
        deputy_name: String::new(),
        notes: String::new(),
        attachments: Vec::new(),
    }
}

async fn concurrent_registrations_get_every_arrival_number_once(backend: Backend) {
    let t = TestDb::new(backend).await;
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..8 {
                let doc = incoming(&format!("{}/UBND-KT", worker * 100 + i + 1), "2026-03-02");
                incoming::register(&db, &Origin::system(), &doc, false)
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let numbers: Vec<i64> = match &t.db {
        vanphong_store::Db::Sqlite(p) => {
            sqlx::query_scalar("SELECT arrival_number FROM documents ORDER BY arrival_number")
                .fetch_all(p)
                .await
                .unwrap()
        }
        vanphong_store::Db::Postgres(p) => {
            sqlx::query_scalar("SELECT arrival_number FROM documents ORDER BY arrival_number")
                .fetch_all(p)
                .await
                .unwrap()
        }
    };
    assert_eq!(numbers, (1..=128).collect::<Vec<i64>>());
    assert!(audit::verify(&t.db, |_| {}).await.unwrap().is_intact());
}

async fn a_refused_registration_gives_its_number_back_and_years_restart(backend: Backend) {
    let t = TestDb::new(backend).await;
    let first = incoming::register(
        &t.db,
        &Origin::system(),
        &incoming("1/UBND-KT", "2026-12-31"),
        false,
    )
    .await
    .unwrap();
    let mut bad = incoming("2/UBND-KT", "2026-12-31");
    bad.due_date = Some(day("2026-12-01"));
    assert!(matches!(
        incoming::register(&t.db, &Origin::system(), &bad, false).await,
        Err(StoreError::Invalid(_))
    ));
    let next = incoming::register(
        &t.db,
        &Origin::system(),
        &incoming("3/UBND-KT", "2026-12-31"),
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        (first.arrival_number, next.arrival_number),
        (Some(1), Some(2)),
        "no gap after the refusal"
    );
    let new_year = incoming::register(
        &t.db,
        &Origin::system(),
        &incoming("4/UBND-KT", "2027-01-04"),
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        (new_year.arrival_year, new_year.arrival_number),
        (Some(2027), Some(1))
    );
    let duplicate = incoming::register(
        &t.db,
        &Origin::system(),
        &incoming("01/ubnd-kt", "2027-01-04"),
        false,
    )
    .await;
    assert!(matches!(duplicate, Err(StoreError::Invalid(ref c)) if c == "duplicate_registration"));
}

async fn routing_refuses_bad_parts_and_stale_versions(backend: Backend) {
    let t = TestDb::new(backend).await;
    let origin = Origin::system();
    let unit = org::create_unit(
        &t.db,
        &origin,
        &unit_input("Cục Kiểm soát ô nhiễm", "KSONMT", None),
    )
    .await
    .unwrap();
    let other = org::create_unit(&t.db, &origin, &unit_input("Vụ Pháp chế", "PC", None))
        .await
        .unwrap();
    let doc = incoming::register(&t.db, &origin, &incoming("5/UBND-KT", "2026-03-02"), false)
        .await
        .unwrap();
    let lead = |u: UnitId| RoutingPart {
        unit: u,
        role: AssignmentRole::Lead,
        due_date: Some(day("2026-03-10")),
    };
    let two_leads = routing::route(
        &t.db,
        &origin,
        doc.id,
        doc.version,
        "x",
        &[lead(unit.id), lead(other.id)],
    )
    .await;
    assert!(matches!(two_leads, Err(StoreError::Invalid(_))));
    let early = RoutingPart {
        unit: unit.id,
        role: AssignmentRole::Lead,
        due_date: Some(day("2026-03-01")),
    };
    assert!(
        matches!(routing::route(&t.db, &origin, doc.id, doc.version, "x", &[early]).await, Err(StoreError::Invalid(ref c)) if c == "due_before_arrival")
    );
    let routed = routing::route(
        &t.db,
        &origin,
        doc.id,
        doc.version,
        "Chủ trì xử lý",
        &[lead(unit.id)],
    )
    .await
    .unwrap();
    assert_eq!(routed.status, "in_progress");
    assert!(matches!(
        routing::route(
            &t.db,
            &origin,
            doc.id,
            doc.version,
            "again",
            &[lead(other.id)]
        )
        .await,
        Err(StoreError::Stale)
    ));
    let assignment = routing::assignments(&t.db, doc.id).await.unwrap().remove(0);
    let finish_early = routing::apply(
        &t.db,
        &origin,
        assignment.id,
        assignment.version,
        Step::Finish {
            result: "x".into(),
            reply_document_id: None,
        },
    )
    .await;
    assert!(
        matches!(finish_early, Err(StoreError::Invalid(ref c)) if c == "invalid_step"),
        "a handler must be named first"
    );
    let no_reason = routing::apply(
        &t.db,
        &origin,
        assignment.id,
        assignment.version,
        Step::Return { reason: " ".into() },
    )
    .await;
    assert!(matches!(no_reason, Err(StoreError::Invalid(ref c)) if c == "reason_required"));
    let returned = routing::apply(
        &t.db,
        &origin,
        assignment.id,
        assignment.version,
        Step::Return {
            reason: "Không thuộc thẩm quyền".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(returned.status, "returned");
    let doc = vanphong_store::documents::get(&t.db, doc.id).await.unwrap();
    assert_eq!(
        doc.status, "awaiting_instruction",
        "a returned document waits for a new instruction"
    );
}

async fn reminders_go_out_once_a_day_even_from_several_nodes(backend: Backend) {
    let t = TestDb::new(backend).await;
    let origin = Origin::system();
    let unit = org::create_unit(
        &t.db,
        &origin,
        &unit_input("Cục Kiểm soát ô nhiễm", "KSONMT", None),
    )
    .await
    .unwrap();
    let leader = users::create(
        &t.db,
        &origin,
        new_user("truongphong", vec![Role::UnitLeader], Some(unit.id)),
    )
    .await
    .unwrap();
    let handler = users::create(
        &t.db,
        &origin,
        new_user("chuyenvien", vec![Role::Specialist], Some(unit.id)),
    )
    .await
    .unwrap();
    let calendar =
        vanphong_core::calendar::WorkingCalendar::for_years(2025..=2027, &Default::default())
            .unwrap();
    // Today is Wednesday 25 November 2026.
    let today = day("2026-11-25");
    let mut ids = Vec::new();
    for (n, due) in [
        ("1/UBND-KT", "2026-11-20"),
        ("2/UBND-KT", "2026-11-26"),
        ("3/UBND-KT", "2026-12-20"),
    ] {
        let doc = incoming::register(&t.db, &origin, &incoming(n, "2026-11-02"), false)
            .await
            .unwrap();
        let part = RoutingPart {
            unit: unit.id,
            role: AssignmentRole::Lead,
            due_date: Some(day(due)),
        };
        routing::route(&t.db, &origin, doc.id, doc.version, "Xử lý", &[part])
            .await
            .unwrap();
        ids.push(doc.id);
    }
    // The first has a handler; the others still wait for one, so their unit leader hears.
    let first = routing::assignments(&t.db, ids[0]).await.unwrap().remove(0);
    routing::apply(
        &t.db,
        &origin,
        first.id,
        first.version,
        Step::NameHandler {
            handler: handler.id,
        },
    )
    .await
    .unwrap();
    let before_handler = vanphong_store::notifications::unread_count(&t.db, handler.id)
        .await
        .unwrap();
    let before_leader = vanphong_store::notifications::unread_count(&t.db, leader.id)
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        vanphong_store::documents::reminders::run_daily(&t.db, today, &calendar, 2),
        vanphong_store::documents::reminders::run_daily(&t.db, today, &calendar, 2),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        u8::from(a.claimed) + u8::from(b.claimed),
        1,
        "one node runs today's job"
    );
    assert_eq!(
        a.reminders_sent + b.reminders_sent,
        2,
        "the overdue one and the one due tomorrow"
    );
    assert_eq!(
        vanphong_store::notifications::unread_count(&t.db, handler.id)
            .await
            .unwrap(),
        before_handler + 1
    );
    assert_eq!(
        vanphong_store::notifications::unread_count(&t.db, leader.id)
            .await
            .unwrap(),
        before_leader + 1
    );
    let again = vanphong_store::documents::reminders::run_daily(&t.db, today, &calendar, 2)
        .await
        .unwrap();
    assert!(!again.claimed);
    let tomorrow =
        vanphong_store::documents::reminders::run_daily(&t.db, day("2026-11-26"), &calendar, 2)
            .await
            .unwrap();
    assert!(tomorrow.claimed && tomorrow.reminders_sent == 2);
}

async fn conclusion_notices_carry_tasks(backend: Backend) {
    let t = TestDb::new(backend).await;
    let origin = Origin::system();
    let unit = org::create_unit(&t.db, &origin, &unit_input("Văn phòng", "VP", None))
        .await
        .unwrap();
    let mut notice = incoming("12/TB-TCMT", "2026-11-02");
    notice.kind = DocumentKind::ConclusionNotice;
    let notice = incoming::register(&t.db, &origin, &notice, false)
        .await
        .unwrap();
    let ordinary = incoming::register(&t.db, &origin, &incoming("13/TB-TCMT", "2026-11-02"), false)
        .await
        .unwrap();
    let task = vanphong_store::documents::tasks::add(
        &t.db,
        &origin,
        notice.id,
        "Rà soát quy chế",
        Some(unit.id),
        Some(day("2026-12-01")),
    )
    .await
    .unwrap();
    assert!(
        vanphong_store::documents::tasks::add(&t.db, &origin, ordinary.id, "x", None, None)
            .await
            .is_err()
    );
    assert!(vanphong_store::documents::tasks::add(
        &t.db,
        &origin,
        notice.id,
        "x",
        Some(UnitId(9999)),
        None
    )
    .await
    .is_err());
    vanphong_store::documents::tasks::complete(&t.db, &origin, task)
        .await
        .unwrap();
    assert!(
        vanphong_store::documents::tasks::complete(&t.db, &origin, task)
            .await
            .is_err(),
        "once"
    );
    let tasks = vanphong_store::documents::tasks::list(&t.db, notice.id)
        .await
        .unwrap();
    assert_eq!(tasks.len(), 1);
    assert!(tasks[0].done_at.is_some());
}

on_both_backends!(
    reminders_go_out_once_a_day_even_from_several_nodes,
    conclusion_notices_carry_tasks,
    concurrent_registrations_get_every_arrival_number_once,
    a_refused_registration_gives_its_number_back_and_years_restart,
    routing_refuses_bad_parts_and_stale_versions,
);
