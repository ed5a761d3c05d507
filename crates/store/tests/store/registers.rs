//! The registers of Decree 30/2020 in the store: the rows of a period in arrival or issue
//! order, inside the reader's scope and clearance; the follow-up book's due dates,
//! progress and replies; the outgoing register's recipients and dispatch dates.

use super::*;
use chrono::NaiveDate;
use vanphong_core::document::kind::{DocumentKind, Urgency};
use vanphong_core::document::outgoing::SigningAuthority;
use vanphong_core::document::routing::AssignmentRole;
use vanphong_core::document::NumberAndSymbol;
use vanphong_core::ids::OrganisationId;
use vanphong_core::permission::ReadScope;
use vanphong_store::blobs::StoredBlob;
use vanphong_store::documents::incoming::{self, NewIncoming, Sender};
use vanphong_store::documents::outgoing::{
    self, DraftFile, IssueInput, NewDraft, Recipients, Signer,
};
use vanphong_store::documents::registers::{self, Register, RegisterFilter};
use vanphong_store::documents::routing::{self, RoutingPart, Step};
use vanphong_store::Db;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn november(unit: Option<UnitId>) -> RegisterFilter {
    RegisterFilter {
        from: day("2026-11-01"),
        to: day("2026-11-30"),
        unit,
    }
}

fn everything(clearance: Secrecy) -> ReadScope {
    ReadScope {
        units: None,
        max_secrecy: clearance,
    }
}

fn units(list: &[UnitId]) -> ReadScope {
    ReadScope {
        units: Some(list.to_vec()),
        max_secrecy: Secrecy::Normal,
    }
}

/// The office, two departments, their people and a sending organisation.
struct Agency {
    office: UnitId,
    pollution: UnitId,
    water: UnitId,
    clerk: UserId,
    handler: UserId,
    pollution_leader: UserId,
    water_leader: UserId,
    ministry: OrganisationId,
}

async fn agency(db: &Db) -> Agency {
    let origin = Origin::system();
    let unit = |name: &'static str, abbreviation: &'static str| async move {
        org::create_unit(db, &Origin::system(), &unit_input(name, abbreviation, None))
            .await
            .unwrap()
            .id
    };
    let office = unit("Văn phòng", "VP").await;
    let pollution = unit("Phòng Kiểm soát ô nhiễm", "KSON").await;
    let water = unit("Phòng Quản lý tài nguyên nước", "QLN").await;
    let clerk = users::create(
        db,
        &origin,
        new_user("vanthu", vec![Role::RecordsClerk], Some(office)),
    )
    .await
    .unwrap()
    .id;
    let mut handler = new_user("chuyenvien", vec![Role::Specialist], Some(pollution));
    handler.full_name = "Trần Thị Hằng".into();
    let handler = users::create(db, &origin, handler).await.unwrap().id;
    let leader = |name: &str, unit: UnitId| new_user(name, vec![Role::UnitLeader], Some(unit));
    let pollution_leader = users::create(db, &origin, leader("truongphong", pollution))
        .await
        .unwrap()
        .id;
    let water_leader = users::create(db, &origin, leader("truongphongnuoc", water))
        .await
        .unwrap()
        .id;
    let ministry = org::create_organisation(
        db,
        &origin,
        &OrganisationInput {
            name: "Bộ Nông nghiệp và Môi trường".into(),
            abbreviation: None,
            agency_code: None,
            kind: OrganisationKind::Ministry,
            province_id: None,
            email: String::new(),
            address: String::new(),
        },
    )
    .await
    .unwrap()
    .id;
    Agency {
        office,
        pollution,
        water,
        clerk,
        handler,
        pollution_leader,
        water_leader,
        ministry,
    }
}

fn new_incoming(a: &Agency, number: &str, arrival: &str, subject: &str) -> NewIncoming {
    NewIncoming {
        kind: DocumentKind::Ordinary,
        type_code: "quyet_dinh".into(),
        number_symbol: NumberAndSymbol::parse(number).unwrap(),
        document_date: Some(day(arrival).pred_opt().unwrap()),
        subject: subject.into(),
        pages: Some(2),
        urgency: Urgency::Normal,
        secrecy: Secrecy::Normal,
        signer_name: String::new(),
        sender: Sender::Organisation(a.ministry),
        arrival_date: day(arrival),
        receiving_unit: Some(a.office),
        due_date: None,
        petition_source: None,
        deputy_name: String::new(),
        notes: String::new(),
        attachments: Vec::new(),
    }
}

async fn register(db: &Db, new: &NewIncoming) -> i64 {
    incoming::register(db, &Origin::system(), new, false)
        .await
        .unwrap()
        .id
}

async fn route_to(db: &Db, document: i64, unit: UnitId, due: Option<&str>) -> routing::Assignment {
    let current = vanphong_store::documents::get(db, document).await.unwrap();
    routing::route(
        db,
        &Origin::system(),
        document,
        current.version,
        "Giao phòng chủ trì xử lý",
        &[RoutingPart {
            unit,
            role: AssignmentRole::Lead,
            due_date: due.map(day),
        }],
    )
    .await
    .unwrap();
    routing::assignments(db, document).await.unwrap().remove(0)
}

async fn step(
    db: &Db,
    assignment: &routing::Assignment,
    user: UserId,
    step: Step,
) -> routing::Assignment {
    let origin = Origin {
        user_id: Some(user),
        label: "test".into(),
        address: "127.0.0.1".into(),
    };
    routing::apply(db, &origin, assignment.id, assignment.version, step)
        .await
        .unwrap()
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// An issued outgoing document written directly, as the numbering step leaves it.
struct Issued<'a> {
    number: i64,
    symbol: &'a str,
    issued_on: &'a str,
    subject: &'a str,
    unit: UnitId,
    secrecy: i64,
    status: &'a str,
    recipients: &'a str,
}

async fn insert_issued(db: &Db, o: &Issued<'_>) -> i64 {
    scalar(
        db,
        &format!(
            "INSERT INTO documents (direction, type_code, number, symbol, number_symbol, document_date, subject, secrecy, \
             signer_name, signer_position, signing_authority, status, owner_unit_id, series_id, issue_year, issued_on, \
             recipients_text, copies, created_at, updated_at) \
             VALUES ('outgoing', 'cong_van', {number}, '{symbol}', '{number:02}/{symbol}', '{date}', '{subject}', {secrecy}, \
             'Nguyễn Văn Tâm', 'Phó Chánh Văn phòng', 'kt', '{status}', {unit}, {series}, 2026, '{date}', '{recipients}', 2, \
             '2026-11-01T01:00:00+00:00', '2026-11-01T01:00:00+00:00') RETURNING id",
            number = o.number,
            symbol = o.symbol,
            date = o.issued_on,
            subject = o.subject,
            secrecy = o.secrecy,
            status = o.status,
            unit = o.unit.0,
            series = if o.secrecy > 0 { 3 } else { 1 },
            recipients = o.recipients,
        ),
    )
    .await
}

async fn incoming_register_lists_the_period_in_arrival_order_inside_the_scope(backend: Backend) {
    let t = TestDb::new(backend).await;
    let db = &t.db;
    let a = agency(db).await;
    register(
        db,
        &new_incoming(&a, "01/QĐ-BNNMT", "2026-10-31", "Tháng trước"),
    )
    .await;
    let first = register(
        db,
        &new_incoming(
            &a,
            "1756/QĐ-BNNMT",
            "2026-11-01",
            "Quyết định công bố thủ tục hành chính",
        ),
    )
    .await;
    let second = register(
        db,
        &new_incoming(
            &a,
            "27/KH-BNNMT",
            "2026-11-15",
            "Kế hoạch kiểm tra môi trường",
        ),
    )
    .await;
    let mut secret = new_incoming(&a, "05/QĐ-BNNMT", "2026-11-30", "Văn bản mật");
    secret.secrecy = Secrecy::Confidential;
    secret.urgency = Urgency::Urgent;
    let secret = register(db, &secret).await;
    register(
        db,
        &new_incoming(&a, "90/QĐ-BNNMT", "2026-12-01", "Tháng sau"),
    )
    .await;
    let assignment = route_to(db, second, a.pollution, Some("2026-11-25")).await;
    step(
        db,
        &assignment,
        a.clerk,
        Step::NameHandler { handler: a.handler },
    )
    .await;

    // A records clerk with normal clearance: the month, in arrival order, without the secret one.
    let rows = registers::incoming(
        db,
        &everything(Secrecy::Normal),
        a.clerk,
        &november(None),
        0,
        100,
    )
    .await
    .unwrap();
    let ids: Vec<i64> = rows.iter().map(|r| r.document_id).collect();
    assert_eq!(ids, vec![first, second]);
    assert_eq!(
        rows.iter().map(|r| r.arrival_number).collect::<Vec<_>>(),
        vec![Some(2), Some(3)]
    );
    assert_eq!(rows[0].sender, "Bộ Nông nghiệp và Môi trường");
    assert_eq!(rows[0].number_symbol.as_deref(), Some("1756/QĐ-BNNMT"));
    assert_eq!(rows[0].document_date, Some(day("2026-10-31")));
    assert!(rows[0].lead_unit.is_none() && rows[0].passed_on.is_none());
    assert_eq!(
        rows[1].lead_unit.as_deref(),
        Some("Phòng Kiểm soát ô nhiễm")
    );
    assert_eq!(rows[1].handler.as_deref(), Some("Trần Thị Hằng"));
    assert!(rows[1].passed_on.is_some());
    let count = registers::count(
        db,
        &everything(Secrecy::Normal),
        a.clerk,
        Register::Incoming,
        &november(None),
    )
    .await;
    assert_eq!(count.unwrap(), 2);

    // Cleared for secret documents, the same reader sees the third one.
    let cleared = registers::incoming(
        db,
        &everything(Secrecy::Confidential),
        a.clerk,
        &november(None),
        0,
        100,
    )
    .await
    .unwrap();
    assert_eq!(
        cleared.iter().map(|r| r.document_id).collect::<Vec<_>>(),
        vec![first, second, secret]
    );
    assert_eq!(cleared[2].urgency, 1);

    // The leader of the department sees what was assigned to it; another department nothing.
    let pollution = registers::incoming(
        db,
        &units(&[a.pollution]),
        a.pollution_leader,
        &november(None),
        0,
        100,
    )
    .await
    .unwrap();
    assert_eq!(
        pollution.iter().map(|r| r.document_id).collect::<Vec<_>>(),
        vec![second]
    );
    let water = registers::incoming(
        db,
        &units(&[a.water]),
        a.water_leader,
        &november(None),
        0,
        100,
    )
    .await
    .unwrap();
    assert!(water.is_empty());
    assert_eq!(
        registers::count(
            db,
            &units(&[a.water]),
            a.water_leader,
            Register::FollowUp,
            &november(None)
        )
        .await
        .unwrap(),
        0
    );

    // The unit filter narrows an agency-wide scope; pages follow the same order.
    let filtered = registers::incoming(
        db,
        &everything(Secrecy::Normal),
        a.clerk,
        &november(Some(a.pollution)),
        0,
        100,
    )
    .await
    .unwrap();
    assert_eq!(
        filtered.iter().map(|r| r.document_id).collect::<Vec<_>>(),
        vec![second]
    );
    let page_two = registers::incoming(
        db,
        &everything(Secrecy::Normal),
        a.clerk,
        &november(None),
        1,
        1,
    )
    .await
    .unwrap();
    assert_eq!(
        page_two.iter().map(|r| r.document_id).collect::<Vec<_>>(),
        vec![second]
    );

    // An empty period is an empty register.
    let empty = RegisterFilter {
        from: day("2025-01-01"),
        to: day("2025-12-31"),
        unit: None,
    };
    assert!(
        registers::incoming(db, &everything(Secrecy::TopSecret), a.clerk, &empty, 0, 100)
            .await
            .unwrap()
            .is_empty()
    );
    // A single day is a period too.
    let one_day = RegisterFilter {
        from: day("2026-11-15"),
        to: day("2026-11-15"),
        unit: None,
    };
    let rows = registers::incoming(db, &everything(Secrecy::Normal), a.clerk, &one_day, 0, 100)
        .await
        .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.document_id).collect::<Vec<_>>(),
        vec![second]
    );
}

async fn follow_up_book_shows_due_dates_progress_and_replies(backend: Backend) {
    let t = TestDb::new(backend).await;
    let db = &t.db;
    let a = agency(db).await;
    let answered = register(
        db,
        &new_incoming(
            &a,
            "11/CV-BNNMT",
            "2026-11-02",
            "Đề nghị báo cáo chất thải rắn",
        ),
    )
    .await;
    let linked = register(
        db,
        &new_incoming(&a, "12/CV-BNNMT", "2026-11-03", "Đề nghị góp ý dự thảo"),
    )
    .await;
    let mut waiting = new_incoming(&a, "13/CV-BNNMT", "2026-11-04", "Đề nghị cung cấp số liệu");
    waiting.due_date = Some(day("2026-11-20"));
    let waiting = register(db, &waiting).await;
    let secret_reply_for = register(
        db,
        &new_incoming(&a, "14/CV-BNNMT", "2026-11-05", "Đề nghị phối hợp"),
    )
    .await;

    // The first is routed, handled with progress, and finished with a reply.
    let reply = insert_issued(
        db,
        &Issued {
            number: 15,
            symbol: "TCMT-KSON",
            issued_on: "2026-11-18",
            subject: "Báo cáo chất thải rắn",
            unit: a.pollution,
            secrecy: 0,
            status: "issued",
            recipients: "Bộ Nông nghiệp và Môi trường",
        },
    )
    .await;
    let assignment = route_to(db, answered, a.pollution, Some("2026-11-16")).await;
    let assignment = step(
        db,
        &assignment,
        a.clerk,
        Step::NameHandler { handler: a.handler },
    )
    .await;
    let assignment = step(
        db,
        &assignment,
        a.handler,
        Step::ReportProgress {
            note: "Đã dự thảo báo cáo".into(),
            percent: Some(60),
        },
    )
    .await;
    step(
        db,
        &assignment,
        a.handler,
        Step::Finish {
            result: "Đã trả lời".into(),
            reply_document_id: Some(reply),
        },
    )
    .await;
    // The second was answered by an outgoing document linked to it, not through routing.
    let other_reply = insert_issued(
        db,
        &Issued {
            number: 16,
            symbol: "TCMT-VP",
            issued_on: "2026-11-19",
            subject: "Góp ý dự thảo",
            unit: a.office,
            secrecy: 0,
            status: "issued",
            recipients: "",
        },
    )
    .await;
    let secret_reply = insert_issued(
        db,
        &Issued {
            number: 1,
            symbol: "TCMT-M",
            issued_on: "2026-11-19",
            subject: "Trả lời mật",
            unit: a.office,
            secrecy: 1,
            status: "issued",
            recipients: "",
        },
    )
    .await;
    for (from, to) in [(other_reply, linked), (secret_reply, secret_reply_for)] {
        on_pool_exec(
            db,
            &format!(
                "INSERT INTO document_links (document_id, related_id, kind, created_at) \
                 VALUES ({from}, {to}, 'reply_to', '2026-11-19T02:00:00+00:00')"
            ),
        )
        .await
        .unwrap();
    }

    let rows = registers::follow_up(
        db,
        &everything(Secrecy::Normal),
        a.clerk,
        &november(None),
        0,
        100,
    )
    .await
    .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.document_id).collect::<Vec<_>>(),
        vec![answered, linked, waiting, secret_reply_for]
    );
    let first = &rows[0];
    assert_eq!(first.due_date, Some(day("2026-11-16")));
    assert_eq!(first.lead_status.as_deref(), Some("done"));
    assert_eq!(first.status, "done");
    assert!(first.finished_at.is_some());
    assert_eq!(first.last_note.as_deref(), Some("Đã dự thảo báo cáo"));
    assert_eq!(first.last_note_percent, Some(60));
    assert_eq!(first.reply_number_symbol.as_deref(), Some("15/TCMT-KSON"));
    assert_eq!(first.handler.as_deref(), Some("Trần Thị Hằng"));
    assert_eq!(rows[1].reply_number_symbol.as_deref(), Some("16/TCMT-VP"));
    assert!(rows[1].lead_status.is_none());
    // Not routed yet: the deadline the sender set, and no progress.
    assert_eq!(rows[2].due_date, Some(day("2026-11-20")));
    assert_eq!(rows[2].status, "registered");
    assert!(rows[2].last_note.is_none() && rows[2].reply_number_symbol.is_none());
    // A reply above the reader's clearance is not named; a cleared reader sees it.
    assert!(rows[3].reply_number_symbol.is_none());
    let cleared = registers::follow_up(
        db,
        &everything(Secrecy::Confidential),
        a.clerk,
        &november(None),
        0,
        100,
    )
    .await
    .unwrap();
    assert_eq!(cleared[3].reply_number_symbol.as_deref(), Some("01/TCMT-M"));
}

async fn outgoing_register_lists_issued_documents_by_number(backend: Backend) {
    let t = TestDb::new(backend).await;
    let db = &t.db;
    let a = agency(db).await;
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
    let issued = |number, issued_on, subject, unit, secrecy, status| Issued {
        number,
        symbol: "TCMT-VP",
        issued_on,
        subject,
        unit,
        secrecy,
        status,
        recipients: "Như trên",
    };
    let third = insert_issued(
        db,
        &issued(3, "2026-11-10", "Thứ ba", a.office, 0, "issued"),
    )
    .await;
    let first = insert_issued(
        db,
        &issued(1, "2026-11-02", "Thứ nhất", a.pollution, 0, "issued"),
    )
    .await;
    let second = insert_issued(
        db,
        &issued(2, "2026-11-05", "Thứ hai", a.office, 0, "recalled"),
    )
    .await;
    insert_issued(
        db,
        &issued(2, "2026-11-06", "Văn bản mật", a.office, 1, "issued"),
    )
    .await;
    insert_issued(
        db,
        &issued(4, "2026-12-01", "Tháng sau", a.office, 0, "issued"),
    )
    .await;
    // A draft has no number and is not in the register.
    on_pool_exec(
        db,
        "INSERT INTO documents (direction, type_code, subject, status, owner_unit_id, created_at, updated_at) \
         VALUES ('outgoing', 'cong_van', 'Dự thảo', 'draft', 1, '2026-11-03T01:00:00+00:00', '2026-11-03T01:00:00+00:00')",
    )
    .await
    .unwrap();
    // Sent to the ministry twice (the earliest dispatch is the date sent); a planned
    // recipient of a draft does not count.
    on_pool_exec(
        db,
        &format!("UPDATE documents SET recipients_text = '' WHERE id = {third}"),
    )
    .await
    .unwrap();
    for (sent_at, method) in [
        ("2026-11-11T03:00:00+00:00", "electronic"),
        ("2026-11-10T20:30:00+00:00", "post"),
        ("2026-11-09T01:00:00+00:00", "planned"),
    ] {
        on_pool_exec(
            db,
            &format!(
                "INSERT INTO dispatches (document_id, recipient_organisation_id, sent_at, method) \
                 VALUES ({third}, {}, '{sent_at}', '{method}')",
                a.ministry.0
            ),
        )
        .await
        .unwrap();
    }

    let rows = registers::outgoing(
        db,
        &everything(Secrecy::Normal),
        a.clerk,
        &november(None),
        0,
        100,
    )
    .await
    .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.document_id).collect::<Vec<_>>(),
        vec![first, second, third]
    );
    assert_eq!(rows[0].number_symbol.as_deref(), Some("01/TCMT-VP"));
    assert_eq!(
        rows[0].file_unit.as_deref(),
        Some("Phòng Kiểm soát ô nhiễm")
    );
    assert_eq!(rows[0].recipients_text, "Như trên");
    assert_eq!(rows[1].status, "recalled");
    let sent = rows[2].sent_at.unwrap();
    assert_eq!(sent.to_rfc3339(), "2026-11-10T20:30:00+00:00");
    assert_eq!(
        rows[2].dispatched_to,
        vec![
            "Bộ Nông nghiệp và Môi trường",
            "Bộ Nông nghiệp và Môi trường"
        ]
    );
    assert_eq!(rows[2].signer_name, "Nguyễn Văn Tâm");
    assert_eq!(rows[2].signing_authority, "kt");
    assert_eq!(rows[2].copies, Some(2));
    let cleared = registers::outgoing(
        db,
        &everything(Secrecy::Confidential),
        a.clerk,
        &november(None),
        0,
        100,
    )
    .await
    .unwrap();
    assert_eq!(cleared.len(), 4);
    assert_eq!(
        registers::count(
            db,
            &everything(Secrecy::Normal),
            a.clerk,
            Register::Outgoing,
            &november(None)
        )
        .await
        .unwrap(),
        3
    );
    // A department sees what it drafted; the unit filter does the same for the clerk.
    let pollution = registers::outgoing(
        db,
        &units(&[a.pollution]),
        a.pollution_leader,
        &november(None),
        0,
        100,
    )
    .await
    .unwrap();
    assert_eq!(
        pollution.iter().map(|r| r.document_id).collect::<Vec<_>>(),
        vec![first]
    );
    let filtered = registers::outgoing(
        db,
        &everything(Secrecy::Normal),
        a.clerk,
        &november(Some(a.office)),
        0,
        100,
    )
    .await
    .unwrap();
    assert_eq!(
        filtered.iter().map(|r| r.document_id).collect::<Vec<_>>(),
        vec![second, third]
    );
}

/// The numbering step of the outgoing flow leaves what the register reads: the number,
/// the issue date, the planned recipients, the dispatch.
async fn a_document_issued_through_the_outgoing_flow_appears_in_the_register(backend: Backend) {
    let t = TestDb::new(backend).await;
    let db = &t.db;
    let a = agency(db).await;
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
    let origin = Origin::system();
    let mut leader = new_user("lanhdao", vec![Role::AgencyLeader], Some(a.office));
    leader.full_name = "Nguyễn Văn Tâm".into();
    let leader = users::create(db, &origin, leader).await.unwrap().id;
    let signer = Signer {
        name: "Nguyễn Văn Tâm".into(),
        position: "Tổng cục trưởng".into(),
        authority: SigningAuthority::Own,
    };
    let draft = outgoing::create_draft(
        db,
        &origin,
        &NewDraft {
            type_code: "quyet_dinh".into(),
            subject: "Quyết định ban hành quy chế văn thư".into(),
            drafting_unit: a.office,
            drafter: a.clerk,
            urgency: Urgency::Normal,
            secrecy: Secrecy::Normal,
            signer: signer.clone(),
            recipients: Recipients {
                units: Vec::new(),
                organisations: vec![a.ministry],
                note: String::new(),
            },
            copies: Some(5),
            reply_to: None,
            first_version: Some(DraftFile {
                blob: StoredBlob {
                    sha256: format!("{:064x}", 7),
                    size: 1000,
                    content_type: "application/pdf".into(),
                },
                file_name: "Dự thảo.pdf".into(),
            }),
        },
    )
    .await
    .unwrap();
    let submitted = outgoing::submit_for_review(db, &origin, draft.id, draft.version, Some(leader))
        .await
        .unwrap();
    let approved = outgoing::approve(
        db,
        &origin,
        submitted.id,
        submitted.version,
        leader,
        &signer,
    )
    .await
    .unwrap();
    outgoing::issue(
        db,
        &origin,
        approved.id,
        approved.version,
        &IssueInput {
            issued_on: day("2026-11-12"),
            signed_files: Vec::new(),
        },
    )
    .await
    .unwrap();
    let rows = registers::outgoing(
        db,
        &everything(Secrecy::Normal),
        a.clerk,
        &november(None),
        0,
        100,
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.document_id, draft.id);
    assert_eq!(row.number, Some(1));
    assert!(
        row.number_symbol.as_deref().unwrap().starts_with("01/QĐ-"),
        "{row:?}"
    );
    assert_eq!(row.issued_on, Some(day("2026-11-12")));
    assert_eq!(row.copies, Some(5));
    assert!(row.sent_at.is_some(), "{row:?}");
    let recipients = format!("{} {}", row.recipients_text, row.dispatched_to.join(" "));
    assert!(
        recipients.contains("Bộ Nông nghiệp và Môi trường"),
        "{row:?}"
    );
}

on_both_backends!(
    incoming_register_lists_the_period_in_arrival_order_inside_the_scope,
    follow_up_book_shows_due_dates_progress_and_replies,
    outgoing_register_lists_issued_documents_by_number,
    a_document_issued_through_the_outgoing_flow_appears_in_the_register,
);
