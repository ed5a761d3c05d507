//! Work files and their handover to the agency archive, and news articles, in the store:
//! every use case, the permission refusals, refusals that write nothing, and the two
//! figures of the year-end review on a known dataset (period boundaries included).

use super::*;
use chrono::{DateTime, NaiveDate, Utc};
use vanphong_core::document::kind::{DocumentKind, Urgency};
use vanphong_core::document::NumberAndSymbol;
use vanphong_core::news::{NewsCategory, Slug};
use vanphong_core::permission::Actor;
use vanphong_core::work_file::{FileCode, FileStatus, Retention};
use vanphong_store::documents::incoming::{self, NewIncoming, Sender};
use vanphong_store::news::{self, ArticleInput, ArticleStatus, NewsFilter};
use vanphong_store::work_files::{self, NewHandover, NewWorkFile, WorkFileFilter, WorkFileScope};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct Agency {
    office: UnitId,
    legal: UnitId,
    specialist: Actor,
    other_specialist: Actor,
    clerk: Actor,
    editor: Actor,
    leader: Actor,
}

async fn agency(t: &TestDb) -> Agency {
    let origin = Origin::system();
    let office = org::create_unit(&t.db, &origin, &unit_input("Văn phòng", "VP", None))
        .await
        .unwrap()
        .id;
    let legal = org::create_unit(&t.db, &origin, &unit_input("Vụ Pháp chế", "PC", None))
        .await
        .unwrap()
        .id;
    let mut actors = Vec::new();
    for (name, role, unit) in [
        ("chuyenvien", Role::Specialist, office),
        ("phapche", Role::Specialist, legal),
        ("vanthu", Role::RecordsClerk, office),
        ("bientap", Role::Editor, office),
        ("lanhdao", Role::AgencyLeader, office),
    ] {
        let user = users::create(&t.db, &origin, new_user(name, vec![role], Some(unit)))
            .await
            .unwrap();
        actors.push(user.actor());
    }
    let mut actors = actors.into_iter();
    let mut next = || actors.next().unwrap();
    Agency {
        office,
        legal,
        specialist: next(),
        other_specialist: next(),
        clerk: next(),
        editor: next(),
        leader: next(),
    }
}

fn new_file(code: &str, unit: UnitId, retention: Retention) -> NewWorkFile {
    NewWorkFile {
        code: FileCode::parse(code).unwrap(),
        title: format!("Hồ sơ {code} về công tác văn thư, lưu trữ năm 2020"),
        year: 2020,
        unit,
        retention,
        keeper: None,
        opened_on: day("2020-01-06"),
        notes: String::new(),
    }
}

async fn table_count(db: &vanphong_store::Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match db {
        vanphong_store::Db::Sqlite(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap(),
        vanphong_store::Db::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap(),
    }
}

/// Opens, closes and hands over `n` permanent files of `unit`, handed over on `handed_on`.
async fn handed_over_files(
    t: &TestDb,
    actor: &Actor,
    unit: UnitId,
    prefix: u32,
    n: u32,
    handed_on: &str,
) -> i64 {
    let origin = Origin::system();
    let mut ids = Vec::new();
    for i in 0..n {
        let mut new = new_file(&format!("{}.TH", prefix + i), unit, Retention::Permanent);
        new.year = 2019;
        new.opened_on = day("2019-01-02");
        let file = work_files::open(&t.db, &origin, actor, &new).await.unwrap();
        let file = work_files::close(
            &t.db,
            &origin,
            actor,
            file.id,
            file.version,
            day("2019-06-30"),
        )
        .await
        .unwrap();
        ids.push(file.id);
    }
    work_files::hand_over(
        &t.db,
        &origin,
        actor,
        &NewHandover {
            unit,
            handed_on: day(handed_on),
            file_ids: ids,
            notes: String::new(),
        },
    )
    .await
    .unwrap()
    .id
}

async fn a_work_file_is_opened_filled_closed_handed_over_and_received(backend: Backend) {
    let t = TestDb::new(backend).await;
    let a = agency(&t).await;
    let origin = Origin::system();

    let file = work_files::open(
        &t.db,
        &origin,
        &a.specialist,
        &new_file("01.VP", a.office, Retention::Years(10)),
    )
    .await
    .unwrap();
    assert_eq!(file.status, FileStatus::Open);
    assert_eq!(file.code, "01.VP");
    assert_eq!(file.unit_name, "Văn phòng");

    // A document of the office, and one of another unit the specialist may not read.
    let mut doc = NewIncoming {
        kind: DocumentKind::Ordinary,
        type_code: "cong_van".into(),
        number_symbol: NumberAndSymbol::parse("12/UBND-KT").unwrap(),
        document_date: Some(day("2020-02-01")),
        subject: "Về việc nộp lưu hồ sơ".into(),
        pages: Some(1),
        urgency: Urgency::Normal,
        secrecy: Secrecy::Normal,
        signer_name: String::new(),
        sender: Sender::Named("UBND tỉnh Lào Cai".into()),
        arrival_date: day("2020-02-03"),
        receiving_unit: Some(a.office),
        due_date: None,
        petition_source: None,
        deputy_name: String::new(),
        notes: String::new(),
        attachments: Vec::new(),
    };
    let ours = incoming::register(&t.db, &origin, &doc, false)
        .await
        .unwrap();
    doc.number_symbol = NumberAndSymbol::parse("13/UBND-KT").unwrap();
    doc.receiving_unit = Some(a.legal);
    let theirs = incoming::register(&t.db, &origin, &doc, false)
        .await
        .unwrap();

    let file = work_files::add_document(&t.db, &origin, &a.specialist, file.id, ours.id)
        .await
        .unwrap();
    assert_eq!(file.document_count, 1);
    let error = work_files::add_document(&t.db, &origin, &a.specialist, file.id, theirs.id)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::Invalid(c) if c == "unknown_document"),
        "{error:?}"
    );
    let error = work_files::add_document(&t.db, &origin, &a.specialist, file.id, ours.id)
        .await
        .unwrap_err();
    assert!(matches!(&error, StoreError::Invalid(c) if c == "work_file_document_already"));
    let listed = work_files::file_documents(&t.db, &a.specialist, file.id)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].subject, "Về việc nộp lưu hồ sơ");

    // A stale form is refused; closing before opening is refused.
    let error = work_files::close(
        &t.db,
        &origin,
        &a.specialist,
        file.id,
        file.version - 1,
        day("2020-12-01"),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, StoreError::Stale));
    let error = work_files::close(
        &t.db,
        &origin,
        &a.specialist,
        file.id,
        file.version,
        day("2019-12-01"),
    )
    .await
    .unwrap_err();
    assert!(matches!(&error, StoreError::Invalid(c) if c == "work_file_closed_before_opened"));
    let file = work_files::close(
        &t.db,
        &origin,
        &a.specialist,
        file.id,
        file.version,
        day("2020-12-01"),
    )
    .await
    .unwrap();
    assert_eq!(file.status, FileStatus::Closed);
    // No documents go into a closed file.
    let error = work_files::add_document(&t.db, &origin, &a.specialist, file.id, ours.id)
        .await
        .unwrap_err();
    assert!(matches!(&error, StoreError::Invalid(c) if c == "work_file_transition"));

    let record = work_files::hand_over(
        &t.db,
        &origin,
        &a.specialist,
        &NewHandover {
            unit: a.office,
            handed_on: day("2021-03-01"),
            file_ids: vec![file.id],
            notes: "Giao nộp hồ sơ năm 2020".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(record.file_count, 1);
    assert_eq!(record.received_on, None);
    assert_eq!(
        work_files::get(&t.db, file.id).await.unwrap().status,
        FileStatus::HandedOver
    );

    // The specialist cannot receive; the clerk cannot receive before it was handed over.
    let error = work_files::receive(&t.db, &origin, &a.specialist, record.id, day("2021-03-02"))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Forbidden));
    let error = work_files::receive(&t.db, &origin, &a.clerk, record.id, day("2021-02-28"))
        .await
        .unwrap_err();
    assert!(matches!(&error, StoreError::Invalid(c) if c == "received_before_handed"));
    let record = work_files::receive(&t.db, &origin, &a.clerk, record.id, day("2021-03-02"))
        .await
        .unwrap();
    assert_eq!(record.received_on, Some(day("2021-03-02")));
    assert_eq!(record.received_by, Some(a.clerk.user_id.0));
    let file = work_files::get(&t.db, file.id).await.unwrap();
    assert_eq!(file.status, FileStatus::Received);
    assert_eq!(file.received_on, Some(day("2021-03-02")));
    let error = work_files::receive(&t.db, &origin, &a.clerk, record.id, day("2021-03-03"))
        .await
        .unwrap_err();
    assert!(matches!(&error, StoreError::Invalid(c) if c == "handover_already_received"));

    let actions: Vec<String> = audit::history(&t.db, "work_file", &file.id.to_string())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "work_file.open",
            "work_file.add_document",
            "work_file.close"
        ]
    );
    assert_eq!(
        audit::history(&t.db, "archive_handover", &record.id.to_string())
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(audit::verify(&t.db, |_| {}).await.unwrap().is_intact());
}

async fn work_file_refusals_write_nothing(backend: Backend) {
    let t = TestDb::new(backend).await;
    let a = agency(&t).await;
    let origin = Origin::system();
    let events = audit::head(&t.db).await.unwrap();

    // Another unit's specialist, a clerk and an editor may not open the office's files.
    for actor in [&a.other_specialist, &a.clerk, &a.editor] {
        let error = work_files::open(
            &t.db,
            &origin,
            actor,
            &new_file("01.VP", a.office, Retention::Permanent),
        )
        .await
        .unwrap_err();
        assert!(matches!(error, StoreError::Forbidden), "{error:?}");
    }
    let error = work_files::open(
        &t.db,
        &origin,
        &a.specialist,
        &new_file("01.VP", UnitId(9999), Retention::Permanent),
    )
    .await
    .unwrap_err();
    assert!(matches!(&error, StoreError::Invalid(c) if c == "unknown_unit"));
    assert_eq!(table_count(&t.db, "work_files").await, 0);
    assert_eq!(audit::head(&t.db).await.unwrap(), events);

    // A code is unique in a unit and a year.
    let short = work_files::open(
        &t.db,
        &origin,
        &a.specialist,
        &new_file("01.VP", a.office, Retention::Years(2)),
    )
    .await
    .unwrap();
    let error = work_files::open(
        &t.db,
        &origin,
        &a.specialist,
        &new_file("01.vp", a.office, Retention::Permanent),
    )
    .await
    .unwrap_err();
    assert!(error.is_conflict_on("code"), "{error:?}");
    let long = work_files::open(
        &t.db,
        &origin,
        &a.specialist,
        &new_file("02.VP", a.office, Retention::Permanent),
    )
    .await
    .unwrap();

    // Someone else's file is not found for them, and they cannot close it.
    let error = work_files::close(
        &t.db,
        &origin,
        &a.other_specialist,
        long.id,
        long.version,
        day("2020-12-01"),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, StoreError::NotFound), "{error:?}");

    // An open file, and a file kept 2 years, are not handed over; nothing changes.
    let short = work_files::close(
        &t.db,
        &origin,
        &a.specialist,
        short.id,
        short.version,
        day("2020-12-01"),
    )
    .await
    .unwrap();
    for (ids, code) in [
        (vec![long.id], "work_file_transition"),
        (vec![short.id], "work_file_retention_too_short"),
        (vec![], "handover_no_files"),
        (vec![987_654], "unknown_work_file"),
    ] {
        let error = work_files::hand_over(
            &t.db,
            &origin,
            &a.specialist,
            &NewHandover {
                unit: a.office,
                handed_on: day("2021-03-01"),
                file_ids: ids,
                notes: String::new(),
            },
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&error, StoreError::Invalid(c) if c == code),
            "{code}: {error:?}"
        );
    }
    // The legal department cannot hand over the office's files.
    let long = work_files::close(
        &t.db,
        &origin,
        &a.specialist,
        long.id,
        long.version,
        day("2020-12-01"),
    )
    .await
    .unwrap();
    let error = work_files::hand_over(
        &t.db,
        &origin,
        &a.other_specialist,
        &NewHandover {
            unit: a.office,
            handed_on: day("2021-03-01"),
            file_ids: vec![long.id],
            notes: String::new(),
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(error, StoreError::Forbidden), "{error:?}");
    assert_eq!(table_count(&t.db, "archive_handovers").await, 0);
    assert_eq!(
        work_files::get(&t.db, long.id).await.unwrap().status,
        FileStatus::Closed
    );

    // Scopes: the legal specialist sees none of the office's files; the clerk all.
    let legal = work_files::scope_of(&t.db, &a.other_specialist)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        work_files::count(&t.db, &legal, &WorkFileFilter::default())
            .await
            .unwrap(),
        0
    );
    let clerk = work_files::scope_of(&t.db, &a.clerk)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(clerk, WorkFileScope::ALL);
    assert_eq!(
        work_files::count(&t.db, &clerk, &WorkFileFilter::default())
            .await
            .unwrap(),
        2
    );
    assert!(work_files::scope_of(&t.db, &a.editor)
        .await
        .unwrap()
        .is_none());
}

async fn files_received_into_the_archive_are_counted_by_received_date(backend: Backend) {
    let t = TestDb::new(backend).await;
    let a = agency(&t).await;
    let origin = Origin::system();
    let legal_actor = a.other_specialist.clone();

    // Received on the first and the last day of 2020, inside it, the day before and the
    // day after; one handover never received; and the legal department's.
    let mut received = Vec::new();
    for (prefix, n, handed, on) in [
        (10, 3, "2019-12-20", Some("2019-12-31")),
        (20, 2, "2019-12-30", Some("2020-01-01")),
        (30, 4, "2020-06-01", Some("2020-06-15")),
        (40, 1, "2020-12-30", Some("2020-12-31")),
        (50, 5, "2020-12-31", Some("2021-01-01")),
        (60, 2, "2020-10-01", None),
    ] {
        let id = handed_over_files(&t, &a.specialist, a.office, prefix, n, handed).await;
        if let Some(on) = on {
            work_files::receive(&t.db, &origin, &a.clerk, id, day(on))
                .await
                .unwrap();
        }
        received.push(id);
    }
    let legal = handed_over_files(&t, &legal_actor, a.legal, 70, 6, "2020-05-01").await;
    work_files::receive(&t.db, &origin, &a.clerk, legal, day("2020-05-04"))
        .await
        .unwrap();

    let (from, to) = (day("2020-01-01"), day("2020-12-31"));
    let all = WorkFileScope::ALL;
    assert_eq!(
        work_files::archive_received_count(&t.db, from, to, &all)
            .await
            .unwrap(),
        2 + 4 + 1 + 6
    );
    let office = WorkFileScope {
        units: Some(vec![a.office]),
    };
    assert_eq!(
        work_files::archive_received_count(&t.db, from, to, &office)
            .await
            .unwrap(),
        7
    );
    let one_day =
        work_files::archive_received_count(&t.db, day("2020-12-31"), day("2020-12-31"), &all)
            .await
            .unwrap();
    assert_eq!(one_day, 1);
    let nobody = WorkFileScope {
        units: Some(vec![]),
    };
    assert_eq!(
        work_files::archive_received_count(&t.db, from, to, &nobody)
            .await
            .unwrap(),
        0
    );

    // The list is exactly what was counted, page by page.
    let page1 = work_files::archive_received_list(&t.db, from, to, &all, 0, 10)
        .await
        .unwrap();
    let page2 = work_files::archive_received_list(&t.db, from, to, &all, 10, 10)
        .await
        .unwrap();
    assert_eq!(page1.len() + page2.len(), 13);
    for file in page1.iter().chain(&page2) {
        let on = file.received_on.unwrap();
        assert!(on >= from && on <= to, "{on}");
        assert_eq!(file.status, FileStatus::Received);
    }
    let listed: std::collections::BTreeSet<i64> =
        page1.iter().chain(&page2).map(|f| f.id).collect();
    assert_eq!(listed.len(), 13);

    // The handovers waiting for the archive.
    let waiting = work_files::handovers(&t.db, &all, true, 0, 50)
        .await
        .unwrap();
    assert_eq!(
        waiting.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![received[5]]
    );
    assert_eq!(
        work_files::handover_files(&t.db, received[5])
            .await
            .unwrap()
            .len(),
        2
    );
}

fn article(slug: &str, title: &str) -> ArticleInput {
    ArticleInput {
        slug: Slug::parse(slug).unwrap(),
        title: title.into(),
        summary: "Tóm tắt <script>alert(1)</script>".into(),
        body: "Đoạn một.\n\nĐoạn hai https://monre.gov.vn.".into(),
        category: NewsCategory::Activities,
        cover: None,
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn news_articles_are_drafted_published_and_unpublished_by_editors(backend: Backend) {
    let t = TestDb::new(backend).await;
    let a = agency(&t).await;
    let origin = Origin::system();

    // Only editors write.
    for actor in [&a.specialist, &a.clerk, &a.leader] {
        let error = news::create(&t.db, &origin, actor, &article("hoi-nghi", "Hội nghị"))
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Forbidden), "{error:?}");
    }
    assert_eq!(table_count(&t.db, "news_articles").await, 0);

    let draft = news::create(
        &t.db,
        &origin,
        &a.editor,
        &article("hoi-nghi", "Hội nghị tổng kết"),
    )
    .await
    .unwrap();
    assert_eq!(draft.status, ArticleStatus::Draft);
    assert_eq!(draft.summary, "Tóm tắt <script>alert(1)</script>");
    // A draft is not public, by slug or id.
    assert!(matches!(
        news::published(&t.db, "hoi-nghi").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        news::published(&t.db, &draft.id.to_string()).await,
        Err(StoreError::NotFound)
    ));

    let error = news::create(&t.db, &origin, &a.editor, &article("hoi-nghi", "Khác"))
        .await
        .unwrap_err();
    assert!(error.is_conflict_on("slug"), "{error:?}");

    let mut edited = article("hoi-nghi-tong-ket", "Hội nghị tổng kết năm 2020");
    edited.category = NewsCategory::Policy;
    let draft = news::update(&t.db, &origin, &a.editor, draft.id, draft.version, &edited)
        .await
        .unwrap();
    assert_eq!(draft.slug, "hoi-nghi-tong-ket");
    let error = news::update(
        &t.db,
        &origin,
        &a.editor,
        draft.id,
        draft.version - 1,
        &edited,
    )
    .await
    .unwrap_err();
    assert!(matches!(error, StoreError::Stale));

    let error = news::publish(
        &t.db,
        &origin,
        &a.specialist,
        draft.id,
        draft.version,
        at("2020-12-30T08:00:00+07:00"),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, StoreError::Forbidden));
    let published = news::publish(
        &t.db,
        &origin,
        &a.editor,
        draft.id,
        draft.version,
        at("2020-12-30T08:00:00+07:00"),
    )
    .await
    .unwrap();
    assert_eq!(published.status, ArticleStatus::Published);
    assert_eq!(
        news::published(&t.db, "hoi-nghi-tong-ket")
            .await
            .unwrap()
            .id,
        draft.id
    );
    assert_eq!(
        news::published(&t.db, &draft.id.to_string())
            .await
            .unwrap()
            .id,
        draft.id
    );
    let error = news::publish(
        &t.db,
        &origin,
        &a.editor,
        draft.id,
        published.version,
        at("2020-12-31T08:00:00+07:00"),
    )
    .await
    .unwrap_err();
    assert!(matches!(&error, StoreError::Invalid(c) if c == "news_already_published"));

    let back = news::unpublish(&t.db, &origin, &a.editor, draft.id, published.version)
        .await
        .unwrap();
    assert_eq!(back.status, ArticleStatus::Draft);
    assert_eq!(back.published_at, None);
    assert!(matches!(
        news::published(&t.db, "hoi-nghi-tong-ket").await,
        Err(StoreError::NotFound)
    ));

    let actions: Vec<String> = audit::history(&t.db, "news_article", &draft.id.to_string())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "news.create",
            "news.update",
            "news.publish",
            "news.unpublish"
        ]
    );
    assert!(audit::verify(&t.db, |_| {}).await.unwrap().is_intact());
}

async fn published_articles_are_counted_by_vietnamese_day(backend: Backend) {
    let t = TestDb::new(backend).await;
    let a = agency(&t).await;
    let origin = Origin::system();
    // Times in Vietnam: 00:00 on 1 January 2020 is 17:00 UTC on 31 December 2019.
    let times = [
        ("truoc-ky", "2019-12-31T23:59:59+07:00", true),
        ("dau-ky", "2020-01-01T00:00:00+07:00", true),
        ("giua-ky", "2020-07-15T10:00:00+07:00", true),
        ("cuoi-ky", "2020-12-31T23:59:59+07:00", true),
        ("sau-ky", "2021-01-01T00:00:00+07:00", true),
        ("go-xuong", "2020-05-05T09:00:00+07:00", false),
    ];
    for (slug, when, stays) in times {
        let draft = news::create(&t.db, &origin, &a.editor, &article(slug, slug))
            .await
            .unwrap();
        let published = news::publish(&t.db, &origin, &a.editor, draft.id, draft.version, at(when))
            .await
            .unwrap();
        if !stays {
            news::unpublish(&t.db, &origin, &a.editor, draft.id, published.version)
                .await
                .unwrap();
        }
    }
    news::create(&t.db, &origin, &a.editor, &article("ban-nhap", "Bản nháp"))
        .await
        .unwrap();

    let (from, to) = (day("2020-01-01"), day("2020-12-31"));
    assert_eq!(news::published_count(&t.db, from, to).await.unwrap(), 3);
    let listed: Vec<String> = news::published_list(&t.db, from, to, 0, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.slug)
        .collect();
    assert_eq!(listed, ["cuoi-ky", "giua-ky", "dau-ky"]);
    assert_eq!(
        news::published_count(&t.db, day("2019-12-31"), day("2019-12-31"))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        news::published_count(&t.db, day("2021-01-01"), day("2021-01-01"))
            .await
            .unwrap(),
        1
    );
    // Every published article, newest first, for the public list.
    let public = NewsFilter {
        status: Some(ArticleStatus::Published),
        ..NewsFilter::default()
    };
    assert_eq!(news::count(&t.db, &public).await.unwrap(), 5);
    assert_eq!(
        news::list(&t.db, &public, 0, 1).await.unwrap()[0].slug,
        "sau-ky"
    );
    assert_eq!(news::count(&t.db, &NewsFilter::default()).await.unwrap(), 7);
}

on_both_backends!(
    a_work_file_is_opened_filled_closed_handed_over_and_received,
    work_file_refusals_write_nothing,
    files_received_into_the_archive_are_counted_by_received_date,
    news_articles_are_drafted_published_and_unpublished_by_editors,
    published_articles_are_counted_by_vietnamese_day,
);
