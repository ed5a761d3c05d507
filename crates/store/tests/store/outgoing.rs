//! Outgoing documents in the store: the life of a draft, numbering at issue under heavy
//! concurrency on several nodes, series and yearly reset, dispatch to our units and to
//! organisations, recall and replacement, and refusals that leave nothing behind.

use super::*;
use chrono::NaiveDate;
use std::sync::Arc;
use vanphong_core::document::kind::Urgency;
use vanphong_core::document::outgoing::SigningAuthority;
use vanphong_core::ids::OrganisationId;
use vanphong_store::blobs::StoredBlob;
use vanphong_store::db::PoolSettings;
use vanphong_store::documents::outgoing::{
    self, DraftFile, IssueInput, NewDraft, Recipients, SeriesInput, Signer,
};
use vanphong_store::documents::{self, Document};
use vanphong_store::Db;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The agency with two units, the people of the outgoing flow and one organisation.
struct Office {
    office: UnitId,
    pollution: UnitId,
    drafter: UserId,
    leader: UserId,
    clerk: UserId,
    pollution_leader: UserId,
    province: OrganisationId,
}

async fn office(db: &Db) -> Office {
    let origin = Origin::system();
    org::save_agency(
        db,
        &origin,
        &AgencySettings {
            code: AgencyCode::parse("000.00.16.H49").unwrap(),
            name: "Tổng cục Môi trường".into(),
            name_en: String::new(),
            abbreviation: Abbreviation::parse("TCMT").unwrap(),
            parent_abbreviation: Some(Abbreviation::parse("BTNMT").unwrap()),
            address: String::new(),
            place_name: "Hà Nội".into(),
        },
    )
    .await
    .unwrap();
    let office = org::create_unit(db, &origin, &unit_input("Văn phòng", "VP", None))
        .await
        .unwrap()
        .id;
    let pollution = org::create_unit(
        db,
        &origin,
        &unit_input("Cục Kiểm soát ô nhiễm", "KSON", None),
    )
    .await
    .unwrap()
    .id;
    let user = |name: &str, roles: Vec<Role>, unit: UnitId| {
        let mut new = new_user(name, roles, Some(unit));
        new.clearance = Secrecy::TopSecret;
        new
    };
    let drafter = users::create(
        db,
        &origin,
        user("chuyenvien", vec![Role::Specialist], office),
    )
    .await
    .unwrap()
    .id;
    let leader = users::create(
        db,
        &origin,
        user("lanhdao", vec![Role::AgencyLeader], office),
    )
    .await
    .unwrap()
    .id;
    let clerk = users::create(
        db,
        &origin,
        user("vanthu", vec![Role::RecordsClerk], office),
    )
    .await
    .unwrap()
    .id;
    let pollution_leader = users::create(
        db,
        &origin,
        user("truongcuc", vec![Role::UnitLeader], pollution),
    )
    .await
    .unwrap()
    .id;
    let province = org::create_organisation(
        db,
        &origin,
        &OrganisationInput {
            name: "Sở Nông nghiệp và Môi trường thành phố Hà Nội".into(),
            abbreviation: None,
            agency_code: None,
            kind: OrganisationKind::ProvincialEnvironmentDepartment,
            province_id: None,
            email: String::new(),
            address: String::new(),
        },
    )
    .await
    .unwrap()
    .id;
    Office {
        office,
        pollution,
        drafter,
        leader,
        clerk,
        pollution_leader,
        province,
    }
}

fn as_user(user: UserId) -> Origin {
    Origin {
        user_id: Some(user),
        label: format!("user {user}"),
        address: "127.0.0.1".into(),
    }
}

/// A file "in the blob store": only its row matters to the store's use cases.
fn file(seed: u64) -> DraftFile {
    DraftFile {
        blob: StoredBlob {
            sha256: format!("{seed:064x}"),
            size: 1000 + seed as i64,
            content_type: "application/pdf".into(),
        },
        file_name: format!("Dự thảo {seed}.pdf"),
    }
}

fn draft(o: &Office, type_code: &str, subject: &str) -> NewDraft {
    NewDraft {
        type_code: type_code.into(),
        subject: subject.into(),
        drafting_unit: o.office,
        drafter: o.drafter,
        urgency: Urgency::Normal,
        secrecy: Secrecy::Normal,
        signer: Signer {
            name: "Nguyễn Văn Tâm".into(),
            position: "Tổng cục trưởng".into(),
            authority: SigningAuthority::Own,
        },
        recipients: Recipients::default(),
        copies: Some(3),
        reply_to: None,
        first_version: Some(file(1)),
    }
}

fn signer() -> Signer {
    Signer {
        name: "Trần Thị Hoa".into(),
        position: "Phó Tổng cục trưởng".into(),
        authority: SigningAuthority::Deputy,
    }
}

/// Creates a draft and takes it through review to approval.
async fn approved(db: &Db, o: &Office, new: &NewDraft) -> Document {
    let created = outgoing::create_draft(db, &as_user(o.drafter), new)
        .await
        .unwrap();
    let submitted = outgoing::submit_for_review(
        db,
        &as_user(o.drafter),
        created.id,
        created.version,
        Some(o.leader),
    )
    .await
    .unwrap();
    outgoing::approve(
        db,
        &as_user(o.leader),
        submitted.id,
        submitted.version,
        o.leader,
        &signer(),
    )
    .await
    .unwrap()
}

async fn issue_on(db: &Db, o: &Office, document: &Document, date: &str) -> Document {
    outgoing::issue(
        db,
        &as_user(o.clerk),
        document.id,
        document.version,
        &IssueInput {
            issued_on: day(date),
            signed_files: Vec::new(),
        },
    )
    .await
    .unwrap()
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn numbers(db: &Db, sql: &str) -> Vec<i64> {
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    }
}

fn invalid(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(StoreError::Invalid(code)) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The ids `lists::list` gives for a person's own section (`leader` or `drafter` set in
/// `filter`) to a reader of `units` (every unit when `None`).
async fn own_section(
    db: &Db,
    units: Option<Vec<UnitId>>,
    filter: documents::lists::DocumentFilter,
) -> Vec<i64> {
    let scope = vanphong_core::permission::ReadScope {
        units,
        max_secrecy: Secrecy::TopSecret,
    };
    documents::lists::list(
        db,
        &scope,
        UserId(1),
        &filter,
        documents::lists::Sort::Oldest,
        0,
        200,
    )
    .await
    .unwrap()
    .into_iter()
    .map(|d| d.id)
    .collect()
}

async fn a_letter_is_drafted_reviewed_returned_approved_and_issued(backend: Backend) {
    let t = TestDb::new(backend).await;
    let o = office(&t.db).await;
    let created = outgoing::create_draft(
        &t.db,
        &as_user(o.drafter),
        &draft(
            &o,
            "cong_van",
            "Về việc báo cáo công tác bảo vệ môi trường năm 2024",
        ),
    )
    .await
    .unwrap();
    assert_eq!(created.status, "draft");
    assert_eq!(created.number_symbol, None);
    assert_eq!(
        outgoing::versions(&t.db, created.id).await.unwrap().len(),
        1
    );

    let submitted = outgoing::submit_for_review(
        &t.db,
        &as_user(o.drafter),
        created.id,
        created.version,
        Some(o.leader),
    )
    .await
    .unwrap();
    assert_eq!(submitted.status, "in_review");
    assert_eq!(submitted.leader_user_id, Some(o.leader.0));
    // In the reviewer's inbox, and nobody else's; inside the office's scope only.
    let before = |leader: UserId| documents::lists::DocumentFilter {
        direction: Some("outgoing".into()),
        status: Some("in_review".into()),
        leader: Some(leader),
        ..Default::default()
    };
    assert_eq!(
        own_section(&t.db, None, before(o.leader)).await,
        vec![created.id]
    );
    assert_eq!(
        own_section(&t.db, Some(vec![o.office]), before(o.leader)).await,
        vec![created.id]
    );
    assert!(
        own_section(&t.db, Some(vec![o.pollution]), before(o.leader))
            .await
            .is_empty()
    );
    assert!(own_section(&t.db, None, before(o.drafter)).await.is_empty());
    // A new version is refused while the draft is with the reviewer.
    assert_eq!(
        invalid(
            outgoing::add_version(
                &t.db,
                &as_user(o.drafter),
                created.id,
                submitted.version,
                &file(2)
            )
            .await
        ),
        "invalid_transition"
    );
    let commented = outgoing::comment(
        &t.db,
        &as_user(o.leader),
        submitted.id,
        submitted.version,
        o.leader,
        "Bổ sung số liệu quan trắc quý IV.",
    )
    .await
    .unwrap();
    assert_eq!(commented.draft_version, Some(1));
    assert_eq!(
        invalid(
            outgoing::return_for_changes(
                &t.db,
                &as_user(o.leader),
                submitted.id,
                submitted.version,
                o.leader,
                "  "
            )
            .await
        ),
        "comment_required"
    );
    let returned = outgoing::return_for_changes(
        &t.db,
        &as_user(o.leader),
        submitted.id,
        submitted.version,
        o.leader,
        "Sửa trích yếu cho gọn.",
    )
    .await
    .unwrap();
    assert_eq!(returned.status, "returned");
    // Back in the drafter's inbox, and nobody else's.
    let sent_back = |drafter: UserId| documents::lists::DocumentFilter {
        direction: Some("outgoing".into()),
        status: Some("returned".into()),
        drafter: Some(drafter),
        ..Default::default()
    };
    assert_eq!(
        own_section(&t.db, Some(vec![o.office]), sent_back(o.drafter)).await,
        vec![created.id]
    );
    assert!(own_section(&t.db, None, sent_back(o.leader))
        .await
        .is_empty());
    assert!(own_section(&t.db, None, before(o.leader)).await.is_empty());
    let revised = outgoing::add_version(
        &t.db,
        &as_user(o.drafter),
        returned.id,
        returned.version,
        &file(2),
    )
    .await
    .unwrap();
    let versions = outgoing::versions(&t.db, revised.id).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.draft_version).collect::<Vec<_>>(),
        vec![Some(1), Some(2)]
    );
    let resubmitted = outgoing::submit_for_review(
        &t.db,
        &as_user(o.drafter),
        revised.id,
        revised.version,
        None,
    )
    .await
    .unwrap();
    let signed = outgoing::approve(
        &t.db,
        &as_user(o.leader),
        resubmitted.id,
        resubmitted.version,
        o.leader,
        &signer(),
    )
    .await
    .unwrap();
    assert_eq!(signed.status, "approved");
    assert_eq!(
        (
            signed.signer_name.as_str(),
            signed.signing_authority.as_str()
        ),
        ("Trần Thị Hoa", "kt")
    );
    let issued = issue_on(&t.db, &o, &signed, "2025-03-14").await;
    assert_eq!(issued.status, "issued");
    assert_eq!(issued.number_symbol.as_deref(), Some("01/TCMT-VP"));
    assert_eq!(issued.symbol.as_deref(), Some("TCMT-VP"));
    assert_eq!((issued.number, issued.issue_year), (Some(1), Some(2025)));
    assert_eq!(issued.issued_on, Some(day("2025-03-14")));
    assert_eq!(
        issued.series_id,
        Some(1),
        "the shared administrative series"
    );
    let comments = outgoing::comments(&t.db, issued.id).await.unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[1].comment, "Sửa trích yếu cho gọn.");
    // Comments end at issue.
    assert_eq!(
        invalid(
            outgoing::comment(
                &t.db,
                &as_user(o.leader),
                issued.id,
                issued.version,
                o.leader,
                "Muộn"
            )
            .await
        ),
        "invalid_transition"
    );
    let history = audit::history(&t.db, "document", &issued.id.to_string())
        .await
        .unwrap();
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    for expected in [
        "document.create_draft",
        "document.submit_for_review",
        "document.comment",
        "document.return_for_changes",
        "document.add_version",
        "document.approve",
        "document.issue",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    // The reviewer, the drafter and the clerk were told at each step.
    assert_eq!(
        notifications::unread_count(&t.db, o.leader).await.unwrap(),
        1
    );
    assert!(notifications::unread_count(&t.db, o.drafter).await.unwrap() >= 2);
    assert_eq!(
        notifications::unread_count(&t.db, o.clerk).await.unwrap(),
        1
    );
    assert!(audit::verify(&t.db, |_| {}).await.unwrap().is_intact());
}

/// 64 clerks on four nodes issue 4 documents each at the same moment: the series gives
/// exactly 1..=256, no number twice, none skipped.
async fn concurrent_issuers_on_several_nodes_get_every_number_once(backend: Backend) {
    const ISSUERS: usize = 64;
    const EACH: usize = 4;
    let t = TestDb::new(backend).await;
    let o = Arc::new(office(&t.db).await);
    let settings = PoolSettings {
        max_connections: 4,
        ..PoolSettings::default()
    };
    let mut nodes = Vec::new();
    for _ in 0..4 {
        nodes.push(Db::connect(&t.url, &settings).await.unwrap());
    }
    // Every clerk prepares their approved documents first, then all issue at once.
    let barrier = Arc::new(tokio::sync::Barrier::new(ISSUERS));
    let mut tasks = Vec::new();
    for issuer in 0..ISSUERS {
        let db = nodes[issuer % nodes.len()].clone();
        let o = o.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let mut ready = Vec::new();
            for i in 0..EACH {
                let new = draft(&o, "cong_van", &format!("Công văn {issuer}-{i}"));
                ready.push(approved(&db, &o, &new).await);
            }
            barrier.wait().await;
            let mut given = Vec::new();
            for document in ready {
                let issued = issue_on(&db, &o, &document, "2025-06-02").await;
                given.push(issued.number.unwrap());
            }
            given
        }));
    }
    let mut given = Vec::new();
    for task in tasks {
        given.extend(task.await.unwrap());
    }
    given.sort();
    let expected: Vec<i64> = (1..=(ISSUERS * EACH) as i64).collect();
    assert_eq!(given, expected);
    assert_eq!(
        numbers(
            &t.db,
            "SELECT number FROM documents WHERE direction = 'outgoing' ORDER BY number"
        )
        .await,
        expected
    );
    assert_eq!(
        scalar(
            &t.db,
            "SELECT last_value FROM counters WHERE name = 'series:1' AND year = 2025"
        )
        .await,
        (ISSUERS * EACH) as i64
    );
    let counters = outgoing::series_counters(&t.db, 2025).await.unwrap();
    assert_eq!(counters[0].last_number, Some(256));
    assert_eq!(counters[0].issued, 256);
    for node in &nodes {
        node.close().await;
    }
    assert!(audit::verify(&t.db, |_| {}).await.unwrap().is_intact());
}

async fn numbers_restart_on_the_first_of_january(backend: Backend) {
    let t = TestDb::new(backend).await;
    let o = office(&t.db).await;
    let mut issued = Vec::new();
    for date in ["2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02"] {
        let document = approved(&t.db, &o, &draft(&o, "cong_van", "Công văn cuối năm")).await;
        issued.push(issue_on(&t.db, &o, &document, date).await);
    }
    let got: Vec<(Option<i64>, Option<i64>, Option<String>)> = issued
        .iter()
        .map(|d| (d.issue_year, d.number, d.number_symbol.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(2024), Some(1), Some("01/TCMT-VP".into())),
            (Some(2024), Some(2), Some("02/TCMT-VP".into())),
            (Some(2025), Some(1), Some("01/TCMT-VP".into())),
            (Some(2025), Some(2), Some("02/TCMT-VP".into())),
        ]
    );
}

async fn decisions_and_secret_documents_have_their_own_series(backend: Backend) {
    let t = TestDb::new(backend).await;
    let o = office(&t.db).await;
    let letter = approved(&t.db, &o, &draft(&o, "cong_van", "Công văn thường")).await;
    let letter = issue_on(&t.db, &o, &letter, "2025-05-05").await;
    let decision = approved(
        &t.db,
        &o,
        &draft(&o, "quyet_dinh", "Quyết định ban hành quy chế"),
    )
    .await;
    let decision = issue_on(&t.db, &o, &decision, "2025-05-05").await;
    let mut secret = draft(&o, "cong_van", "Công văn mật");
    secret.secrecy = Secrecy::Confidential;
    let secret = approved(&t.db, &o, &secret).await;
    let secret = issue_on(&t.db, &o, &secret, "2025-05-05").await;
    let report = approved(&t.db, &o, &draft(&o, "bao_cao", "Báo cáo tổng kết")).await;
    let report = issue_on(&t.db, &o, &report, "2025-05-05").await;
    assert_eq!(letter.number_symbol.as_deref(), Some("01/TCMT-VP"));
    assert_eq!(decision.number_symbol.as_deref(), Some("01/QĐ-TCMT"));
    assert_eq!(decision.series_id, Some(2));
    assert_eq!(
        (secret.series_id, secret.number),
        (Some(3), Some(1)),
        "secret documents use the secret series"
    );
    assert_eq!(
        (report.series_id, report.number_symbol.as_deref()),
        (Some(1), Some("02/BC-TCMT")),
        "the shared series continues across types"
    );
}

async fn issuing_twice_and_stale_versions_are_refused(backend: Backend) {
    let t = TestDb::new(backend).await;
    let o = office(&t.db).await;
    let document = approved(&t.db, &o, &draft(&o, "cong_van", "Công văn")).await;
    let issued = issue_on(&t.db, &o, &document, "2025-02-03").await;
    // The same page submitted again: its version is gone.
    let again = outgoing::issue(
        &t.db,
        &as_user(o.clerk),
        document.id,
        document.version,
        &IssueInput {
            issued_on: day("2025-02-03"),
            signed_files: Vec::new(),
        },
    )
    .await;
    assert!(matches!(again, Err(StoreError::Stale)), "{again:?}");
    // Even with the current version, an issued document gets no second number.
    let twice = outgoing::issue(
        &t.db,
        &as_user(o.clerk),
        issued.id,
        issued.version,
        &IssueInput {
            issued_on: day("2025-02-03"),
            signed_files: Vec::new(),
        },
    )
    .await;
    assert_eq!(invalid(twice), "invalid_transition");
    assert_eq!(
        scalar(
            &t.db,
            "SELECT last_value FROM counters WHERE name = 'series:1'"
        )
        .await,
        1,
        "no number was consumed by the refusals"
    );
    // Two reviewers acting on the same version: the second is refused.
    let created =
        outgoing::create_draft(&t.db, &as_user(o.drafter), &draft(&o, "cong_van", "Khác"))
            .await
            .unwrap();
    let submitted = outgoing::submit_for_review(
        &t.db,
        &as_user(o.drafter),
        created.id,
        created.version,
        None,
    )
    .await
    .unwrap();
    outgoing::approve(
        &t.db,
        &as_user(o.leader),
        submitted.id,
        submitted.version,
        o.leader,
        &signer(),
    )
    .await
    .unwrap();
    let late = outgoing::return_for_changes(
        &t.db,
        &as_user(o.leader),
        submitted.id,
        submitted.version,
        o.leader,
        "Chưa đạt",
    )
    .await;
    assert!(matches!(late, Err(StoreError::Stale)), "{late:?}");
    let late_comment = outgoing::comment(
        &t.db,
        &as_user(o.leader),
        submitted.id,
        submitted.version,
        o.leader,
        "x",
    )
    .await;
    assert!(
        matches!(late_comment, Err(StoreError::Stale)),
        "{late_comment:?}"
    );
}

async fn dispatch_delivers_to_our_units_as_incoming_and_records_organisations(backend: Backend) {
    let t = TestDb::new(backend).await;
    let o = office(&t.db).await;
    let mut new = draft(&o, "cong_van", "Đề nghị cung cấp số liệu quan trắc");
    new.recipients = Recipients {
        units: vec![o.pollution, o.pollution],
        organisations: vec![o.province],
        note: "Lưu: VT, VP.".into(),
    };
    new.urgency = Urgency::Urgent;
    let document = approved(&t.db, &o, &new).await;
    assert_eq!(
        document.recipients_text,
        "Cục Kiểm soát ô nhiễm; Sở Nông nghiệp và Môi trường thành phố Hà Nội; Lưu: VT, VP."
    );
    let planned = outgoing::dispatches(&t.db, document.id).await.unwrap();
    assert_eq!(planned.len(), 2, "a unit named twice is one recipient");
    assert!(planned.iter().all(|d| d.is_planned()));
    let issued = outgoing::issue(
        &t.db,
        &as_user(o.clerk),
        document.id,
        document.version,
        &IssueInput {
            issued_on: day("2025-04-01"),
            signed_files: vec![file(9)],
        },
    )
    .await
    .unwrap();
    let sent = outgoing::dispatches(&t.db, issued.id).await.unwrap();
    let to_unit = sent.iter().find(|d| d.recipient_unit_id.is_some()).unwrap();
    let to_province = sent
        .iter()
        .find(|d| d.recipient_organisation_id.is_some())
        .unwrap();
    assert_eq!(to_unit.method, outgoing::ELECTRONIC);
    assert_eq!(to_province.method, outgoing::EXTERNAL);
    assert_eq!(to_province.incoming_document_id, None);
    assert_eq!(to_unit.arrival_number, Some(1));
    let received = documents::get(&t.db, to_unit.incoming_document_id.unwrap())
        .await
        .unwrap();
    assert!(received.is_incoming());
    assert_eq!(received.owner_unit_id, Some(o.pollution.0));
    assert_eq!(received.sender_unit_id, Some(o.office.0));
    assert_eq!(received.number_symbol, issued.number_symbol);
    assert_eq!(received.subject, issued.subject);
    assert_eq!(received.urgency, Urgency::Urgent.rank());
    assert_eq!(
        (
            received.arrival_year,
            received.arrival_number,
            received.arrival_date
        ),
        (Some(2025), Some(1), Some(day("2025-04-01")))
    );
    assert_eq!(received.status, "registered");
    let files = documents::attachments(&t.db, received.id).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(
        files[0].sha256,
        file(9).blob.sha256,
        "the signed file is sent"
    );
    assert_eq!(
        notifications::unread_count(&t.db, o.pollution_leader)
            .await
            .unwrap(),
        1,
        "the receiving unit's leader is told at once"
    );
    assert!(audit::verify(&t.db, |_| {}).await.unwrap().is_intact());
}

async fn recall_marks_dispatches_and_tells_the_receivers(backend: Backend) {
    let t = TestDb::new(backend).await;
    let o = office(&t.db).await;
    let mut new = draft(&o, "thong_bao", "Thông báo lịch họp");
    new.recipients.units = vec![o.pollution];
    new.recipients.organisations = vec![o.province];
    let issued = issue_on(&t.db, &o, &approved(&t.db, &o, &new).await, "2025-04-02").await;
    assert_eq!(issued.number_symbol.as_deref(), Some("01/TB-TCMT"));
    assert_eq!(
        invalid(outgoing::recall(&t.db, &as_user(o.clerk), issued.id, issued.version, "").await),
        "recall_reason_required"
    );
    let recalled = outgoing::recall(
        &t.db,
        &as_user(o.clerk),
        issued.id,
        issued.version,
        "Sai thời gian họp.",
    )
    .await
    .unwrap();
    assert_eq!(recalled.status, "recalled");
    assert!(recalled.notes.contains("Sai thời gian họp."));
    let sent = outgoing::dispatches(&t.db, issued.id).await.unwrap();
    assert!(sent.iter().all(|d| d.recalled_at.is_some()));
    let copy = documents::get(
        &t.db,
        sent.iter().find_map(|d| d.incoming_document_id).unwrap(),
    )
    .await
    .unwrap();
    assert!(copy.notes.contains("thu hồi"), "{}", copy.notes);
    assert_eq!(
        notifications::unread_count(&t.db, o.pollution_leader)
            .await
            .unwrap(),
        2,
        "told of the arrival, then of the recall"
    );
    // A recalled document is not recalled again.
    assert_eq!(
        invalid(
            outgoing::recall(
                &t.db,
                &as_user(o.clerk),
                recalled.id,
                recalled.version,
                "Lần nữa"
            )
            .await
        ),
        "invalid_transition"
    );
    assert!(audit::verify(&t.db, |_| {}).await.unwrap().is_intact());
}

async fn a_replacement_is_a_new_draft_that_marks_the_old_document_when_issued(backend: Backend) {
    let t = TestDb::new(backend).await;
    let o = office(&t.db).await;
    let mut new = draft(&o, "quyet_dinh", "Quyết định thành lập đoàn kiểm tra");
    new.recipients.units = vec![o.pollution];
    let old = issue_on(&t.db, &o, &approved(&t.db, &o, &new).await, "2025-07-01").await;
    // Only issued (or recalled) documents are replaced.
    let draft_only =
        outgoing::create_draft(&t.db, &as_user(o.drafter), &draft(&o, "cong_van", "x"))
            .await
            .unwrap();
    assert_eq!(
        invalid(
            outgoing::replace(
                &t.db,
                &as_user(o.drafter),
                draft_only.id,
                draft_only.version,
                o.drafter
            )
            .await
        ),
        "invalid_transition"
    );
    let replacement = outgoing::replace(&t.db, &as_user(o.drafter), old.id, old.version, o.drafter)
        .await
        .unwrap();
    assert_eq!(replacement.status, "draft");
    assert_eq!(replacement.type_code, "quyet_dinh");
    assert_eq!(replacement.number_symbol, None);
    let links = documents::links(&t.db, replacement.id).await.unwrap();
    assert!(links.iter().any(|l| l.document_id == replacement.id
        && l.related_id == old.id
        && l.kind == "replaces"));
    let planned = outgoing::dispatches(&t.db, replacement.id).await.unwrap();
    assert_eq!(planned.len(), 1);
    assert!(planned[0].is_planned());
    // A second click on the old page is stale.
    assert!(matches!(
        outgoing::replace(&t.db, &as_user(o.drafter), old.id, old.version, o.drafter).await,
        Err(StoreError::Stale)
    ));
    let with_file = outgoing::add_version(
        &t.db,
        &as_user(o.drafter),
        replacement.id,
        replacement.version,
        &file(5),
    )
    .await
    .unwrap();
    let submitted = outgoing::submit_for_review(
        &t.db,
        &as_user(o.drafter),
        with_file.id,
        with_file.version,
        None,
    )
    .await
    .unwrap();
    let signed = outgoing::approve(
        &t.db,
        &as_user(o.leader),
        submitted.id,
        submitted.version,
        o.leader,
        &signer(),
    )
    .await
    .unwrap();
    let issued = issue_on(&t.db, &o, &signed, "2025-07-03").await;
    assert_eq!(issued.number_symbol.as_deref(), Some("02/QĐ-TCMT"));
    let old_now = documents::get(&t.db, old.id).await.unwrap();
    assert!(
        old_now.notes.contains("02/QĐ-TCMT"),
        "the old document names its replacement: {}",
        old_now.notes
    );
    assert!(audit::verify(&t.db, |_| {}).await.unwrap().is_intact());
}

async fn bad_input_leaves_nothing_half_written(backend: Backend) {
    let t = TestDb::new(backend).await;
    let o = office(&t.db).await;
    let head = audit::head(&t.db).await.unwrap();
    let count = |db: Db| async move {
        (
            scalar(&db, "SELECT COUNT(*) FROM documents").await,
            scalar(&db, "SELECT COUNT(*) FROM dispatches").await,
            scalar(&db, "SELECT COUNT(*) FROM document_attachments").await,
            scalar(&db, "SELECT COUNT(*) FROM counters").await,
        )
    };
    let mut unknown_type = draft(&o, "cong_van", "Công văn");
    unknown_type.type_code = "thu_tinh".into();
    assert_eq!(
        invalid(outgoing::create_draft(&t.db, &as_user(o.drafter), &unknown_type).await),
        "unknown_type"
    );
    assert_eq!(
        invalid(
            outgoing::create_draft(
                &t.db,
                &as_user(o.drafter),
                &draft(&o, "cong_van", "  \u{3000} ")
            )
            .await
        ),
        "subject_required"
    );
    // A recipient that does not exist is noticed after the document row was written:
    // the whole draft is rolled back.
    let mut unknown_recipient = draft(&o, "cong_van", "Công văn");
    unknown_recipient.recipients.units = vec![o.pollution];
    unknown_recipient.recipients.organisations = vec![OrganisationId(9999)];
    assert_eq!(
        invalid(outgoing::create_draft(&t.db, &as_user(o.drafter), &unknown_recipient).await),
        "unknown_recipient"
    );
    let mut unknown_unit = draft(&o, "cong_van", "Công văn");
    unknown_unit.drafting_unit = UnitId(9999);
    assert_eq!(
        invalid(outgoing::create_draft(&t.db, &as_user(o.drafter), &unknown_unit).await),
        "unknown_unit"
    );
    assert_eq!(count(t.db.clone()).await, (0, 0, 0, 0));
    assert_eq!(audit::head(&t.db).await.unwrap(), head);

    // Issuing before approval: refused, no number consumed, nothing changed.
    let mut with_recipient = draft(&o, "cong_van", "Chưa duyệt");
    with_recipient.recipients.units = vec![o.pollution];
    let created = outgoing::create_draft(&t.db, &as_user(o.drafter), &with_recipient)
        .await
        .unwrap();
    let before = count(t.db.clone()).await;
    let head = audit::head(&t.db).await.unwrap();
    let early = outgoing::issue(
        &t.db,
        &as_user(o.clerk),
        created.id,
        created.version,
        &IssueInput {
            issued_on: day("2025-01-06"),
            signed_files: vec![file(7)],
        },
    )
    .await;
    assert_eq!(invalid(early), "invalid_transition");
    assert_eq!(count(t.db.clone()).await, before);
    assert_eq!(before.3, 0, "no counter was touched");
    assert_eq!(audit::head(&t.db).await.unwrap(), head);
    let unchanged = documents::get(&t.db, created.id).await.unwrap();
    assert_eq!(
        (unchanged.status.as_str(), unchanged.version),
        ("draft", created.version)
    );
    // Submitting a draft without any file is refused too.
    let mut no_file = draft(&o, "cong_van", "Không có tệp");
    no_file.first_version = None;
    let bare = outgoing::create_draft(&t.db, &as_user(o.drafter), &no_file)
        .await
        .unwrap();
    assert_eq!(
        invalid(
            outgoing::submit_for_review(&t.db, &as_user(o.drafter), bare.id, bare.version, None)
                .await
        ),
        "no_draft_version"
    );
    // Without an agency abbreviation there is no symbol: the issue is refused whole.
    match &t.db {
        Db::Sqlite(p) => {
            sqlx::query("DELETE FROM agency").execute(p).await.unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query("DELETE FROM agency").execute(p).await.unwrap();
        }
    }
    let ready = approved(&t.db, &o, &with_recipient).await;
    let before = count(t.db.clone()).await;
    assert_eq!(
        invalid(
            outgoing::issue(
                &t.db,
                &as_user(o.clerk),
                ready.id,
                ready.version,
                &IssueInput {
                    issued_on: day("2025-01-06"),
                    signed_files: vec![file(8)]
                }
            )
            .await
        ),
        "agency_not_configured"
    );
    assert_eq!(count(t.db.clone()).await, before);
}

async fn series_are_configured_without_ambiguity(backend: Backend) {
    let t = TestDb::new(backend).await;
    let o = office(&t.db).await;
    let admin = Origin::command_line();
    let input = |name: &str, secret: bool, types: &[&str]| SeriesInput {
        name: name.into(),
        secret,
        type_codes: types.iter().map(|s| s.to_string()).collect(),
        active: true,
    };
    let series = outgoing::all_series(&t.db).await.unwrap();
    assert_eq!(series.len(), 3);
    assert_eq!(series[1].type_codes, vec!["quyet_dinh".to_owned()]);
    assert!(series[2].secret);
    let cases = [
        (
            input("Thông báo", false, &["thong_bao", "quyet_dinh"]),
            "type_in_two_series",
        ),
        (input("Mật 2", true, &[]), "two_secret_series"),
        (input("Chung 2", false, &[]), "two_default_series"),
        (input("Lạ", false, &["khong_co"]), "unknown_type"),
        (
            input("Mật có loại", true, &["cong_van"]),
            "secret_series_with_types",
        ),
        (input(" ", false, &["thong_bao"]), "series_name_required"),
        (
            input("Quyết định", false, &["thong_bao"]),
            "series_name_taken",
        ),
    ];
    for (case, expected) in cases {
        assert_eq!(
            invalid(outgoing::create_series(&t.db, &admin, &case).await),
            expected,
            "{}",
            case.name
        );
    }
    // Notices get their own series; their numbers start at 1 while letters continue.
    let notices =
        outgoing::create_series(&t.db, &admin, &input("Thông báo", false, &["thong_bao"]))
            .await
            .unwrap();
    let letter = issue_on(
        &t.db,
        &o,
        &approved(&t.db, &o, &draft(&o, "cong_van", "Công văn")).await,
        "2025-08-01",
    )
    .await;
    let notice = issue_on(
        &t.db,
        &o,
        &approved(&t.db, &o, &draft(&o, "thong_bao", "Thông báo")).await,
        "2025-08-01",
    )
    .await;
    assert_eq!(letter.number_symbol.as_deref(), Some("01/TCMT-VP"));
    assert_eq!(
        (notice.series_id, notice.number),
        (Some(notices.id), Some(1))
    );
    // A deactivated series numbers nothing: notices fall back to the shared series.
    let mut off = input("Thông báo", false, &["thong_bao"]);
    off.active = false;
    outgoing::update_series(&t.db, &admin, notices.id, &off)
        .await
        .unwrap();
    let notice = issue_on(
        &t.db,
        &o,
        &approved(&t.db, &o, &draft(&o, "thong_bao", "Thông báo 2")).await,
        "2025-08-01",
    )
    .await;
    assert_eq!(
        (notice.series_id, notice.number_symbol.as_deref()),
        (Some(1), Some("02/TB-TCMT"))
    );
    let counters = outgoing::series_counters(&t.db, 2025).await.unwrap();
    let shared = counters.iter().find(|c| c.series.id == 1).unwrap();
    assert_eq!((shared.last_number, shared.issued), (Some(2), 2));
    assert!(
        !audit::history(&t.db, "numbering_series", &notices.id.to_string())
            .await
            .unwrap()
            .is_empty()
    );
}

on_both_backends!(
    a_letter_is_drafted_reviewed_returned_approved_and_issued,
    concurrent_issuers_on_several_nodes_get_every_number_once,
    numbers_restart_on_the_first_of_january,
    decisions_and_secret_documents_have_their_own_series,
    issuing_twice_and_stale_versions_are_refused,
    dispatch_delivers_to_our_units_as_incoming_and_records_organisations,
    recall_marks_dispatches_and_tells_the_receivers,
    a_replacement_is_a_new_draft_that_marks_the_old_document_when_issued,
    bad_input_leaves_nothing_half_written,
    series_are_configured_without_ambiguity,
);
