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

on_both_backends!(
    concurrent_registrations_get_every_arrival_number_once,
    a_refused_registration_gives_its_number_back_and_years_restart,
    routing_refuses_bad_parts_and_stale_versions,
);
