//! Procedures and dossiers in the store: versions kept per dossier, daily codes under
//! concurrency, the stopped clock, timeliness, refusals that leave nothing behind, and the
//! statistics.

use super::*;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use vanphong_core::calendar::WorkingCalendar;
use vanphong_core::dossier::procedure::ProcedureInput;
use vanphong_core::dossier::{Channel, DossierStatus, ProcedureContent};
use vanphong_store::dossiers::lists::{self, DossierFilter, DossierScope, GroupBy};
use vanphong_store::dossiers::procedures::{self, Decision, ImportRow};
use vanphong_store::dossiers::{self, NewDossier, NewStep, Reception};

pub(crate) fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub(crate) fn calendar() -> WorkingCalendar {
    WorkingCalendar::for_years(2024..=2028, &BTreeMap::new()).unwrap()
}

pub fn content(days: &str) -> ProcedureContent {
    ProcedureContent::parse(&ProcedureInput {
        name: "Cấp giấy phép môi trường",
        field: "Môi trường",
        level: "central",
        steps: "Tiếp nhận\nThẩm định\nCấp phép",
        components: "Văn bản đề nghị cấp giấy phép | Mẫu số 01\nBáo cáo đề xuất cấp giấy phép | Mẫu số 02\n*Bản sao quyết định phê duyệt ĐTM",
        processing_days: days,
        applicants: "Tổ chức, cá nhân",
        implementing_agency: "Bộ Nông nghiệp và Môi trường",
        result: "Giấy phép môi trường",
        fee: "0",
        fee_note: "",
    })
    .unwrap()
}

pub(crate) fn decision(number: &str, date: &str) -> Decision {
    Decision {
        number: number.into(),
        date: day(date),
    }
}

pub(crate) async fn setup(t: &TestDb) -> (UnitId, UnitId) {
    let origin = Origin::system();
    org::save_agency(
        &t.db,
        &origin,
        &AgencySettings {
            code: AgencyCode::parse("000.00.16.H49").unwrap(),
            name: "Tổng cục Môi trường".into(),
            name_en: "Vietnam Environment Administration".into(),
            abbreviation: Abbreviation::parse("TCMT").unwrap(),
            parent_abbreviation: None,
            address: String::new(),
            place_name: "Hà Nội".into(),
        },
    )
    .await
    .unwrap();
    let desk = org::create_unit(&t.db, &origin, &unit_input("Bộ phận Một cửa", "MC", None))
        .await
        .unwrap()
        .id;
    let handling = org::create_unit(
        &t.db,
        &origin,
        &unit_input(
            "Cục Thẩm định và Đánh giá tác động môi trường",
            "TĐĐG",
            None,
        ),
    )
    .await
    .unwrap()
    .id;
    (desk, handling)
}

pub(crate) fn at_counter(procedure_id: i64, desk: UnitId, on: &str) -> NewDossier {
    NewDossier {
        procedure_id,
        channel: Channel::Counter,
        applicant_name: "Công ty TNHH Giấy Sài Gòn".into(),
        applicant_id_number: "0301234567".into(),
        applicant_phone: "0912 345 678".into(),
        applicant_email: String::new(),
        applicant_address: "Khu công nghiệp Mỹ Xuân, Bà Rịa - Vũng Tàu".into(),
        subject: "Nhà máy giấy Mỹ Xuân".into(),
        submitted_on: day(on),
        provided: vec![0, 1],
        files: Vec::new(),
        reception: Some(Reception {
            unit: desk,
            user: None,
            on: day(on),
        }),
    }
}

async fn a_dossier_keeps_the_procedure_version_it_was_received_under(backend: Backend) {
    let t = TestDb::new(backend).await;
    let (desk, handling) = setup(&t).await;
    let origin = Origin::system();
    let cal = calendar();
    let p = procedures::announce(
        &t.db,
        &origin,
        "1.010727",
        Some(handling),
        &content("20"),
        &decision("2736/QĐ-BTNMT", "2024-10-01"),
    )
    .await
    .unwrap();
    let first = dossiers::submit(&t.db, &origin, &cal, &at_counter(p.id, desk, "2026-03-02"))
        .await
        .unwrap();
    assert_eq!(first.code, "000.00.16.H49-260302-0001");
    assert_eq!(first.status(), DossierStatus::Accepted);
    assert_eq!(
        first.due_date,
        Some(cal.add_working_days(day("2026-03-02"), 20).unwrap())
    );
    assert_eq!(first.handling_unit_id, Some(handling.0));

    let amended = procedures::amend(
        &t.db,
        &origin,
        p.id,
        p.version,
        Some(handling),
        &content("15"),
        &decision("1756/QĐ-BTNMT", "2025-12-17"),
    )
    .await
    .unwrap();
    assert_ne!(amended.current_version_id, p.current_version_id);
    let second = dossiers::submit(&t.db, &origin, &cal, &at_counter(p.id, desk, "2026-03-02"))
        .await
        .unwrap();
    assert_eq!(second.code, "000.00.16.H49-260302-0002");
    assert_eq!(
        second.due_date,
        Some(cal.add_working_days(day("2026-03-02"), 15).unwrap())
    );
    let first_again = dossiers::get(&t.db, first.id).await.unwrap();
    assert_eq!(first_again.procedure_version_id, p.current_version_id);

    // A stale form is refused; an older decision cannot amend a newer one.
    assert!(matches!(
        procedures::amend(
            &t.db,
            &origin,
            p.id,
            p.version,
            None,
            &content("10"),
            &decision("1/QĐ-BTNMT", "2026-01-01")
        )
        .await,
        Err(StoreError::Stale)
    ));
    let abolished = procedures::abolish(
        &t.db,
        &origin,
        p.id,
        amended.version,
        &decision("99/QĐ-BTNMT", "2026-06-01"),
    )
    .await
    .unwrap();
    assert!(abolished.abolished);
    let versions = procedures::versions(&t.db, p.id).await.unwrap();
    let changes: Vec<_> = versions.iter().map(|v| v.change.as_str()).collect();
    assert_eq!(changes, ["announced", "amended", "abolished"]);
    match dossiers::submit(&t.db, &origin, &cal, &at_counter(p.id, desk, "2026-06-02")).await {
        Err(StoreError::Invalid(code)) => assert_eq!(code, "procedure_abolished"),
        other => panic!("{other:?}"),
    }
    match dossiers::submit(
        &t.db,
        &origin,
        &cal,
        &at_counter(p.id + 1000, desk, "2026-06-02"),
    )
    .await
    {
        Err(StoreError::Invalid(code)) => assert_eq!(code, "unknown_procedure"),
        other => panic!("{other:?}"),
    }
    assert!(procedures::list(&t.db, false).await.unwrap().is_empty());
    assert_eq!(procedures::list(&t.db, true).await.unwrap().len(), 1);
    let history = audit::history(&t.db, "procedure", &p.id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 3);
}

async fn concurrent_submissions_get_every_daily_sequence_once(backend: Backend) {
    let t = TestDb::new(backend).await;
    let (desk, handling) = setup(&t).await;
    let p = procedures::announce(
        &t.db,
        &Origin::system(),
        "1.010727",
        Some(handling),
        &content("20"),
        &decision("1756/QĐ-BTNMT", "2020-12-17"),
    )
    .await
    .unwrap();
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move {
            let cal = calendar();
            let mut codes = Vec::new();
            for i in 0..6 {
                let mut new = at_counter(p.id, desk, "2026-03-03");
                if (worker + i) % 3 == 0 {
                    // Online submissions share the day's sequence.
                    new.channel = Channel::Online;
                    new.reception = None;
                }
                codes.push(
                    dossiers::submit(&db, &Origin::system(), &cal, &new)
                        .await
                        .unwrap()
                        .code,
                );
            }
            codes
        }));
    }
    let mut codes = Vec::new();
    for task in tasks {
        codes.extend(task.await.unwrap());
    }
    codes.sort();
    let expected: Vec<String> = (1..=48)
        .map(|n| format!("000.00.16.H49-260303-{n:04}"))
        .collect();
    assert_eq!(codes, expected);
    let next_day = dossiers::submit(
        &t.db,
        &Origin::system(),
        &calendar(),
        &at_counter(p.id, desk, "2026-03-04"),
    )
    .await
    .unwrap();
    assert!(next_day.code.ends_with("-260304-0001"), "{}", next_day.code);
}

async fn the_clock_stops_for_supplementation_and_the_result_is_classified(backend: Backend) {
    let t = TestDb::new(backend).await;
    let (desk, handling) = setup(&t).await;
    let origin = Origin::system();
    let cal = calendar();
    let p = procedures::announce(
        &t.db,
        &origin,
        "1.010727",
        Some(handling),
        &content("10"),
        &decision("1756/QĐ-BTNMT", "2020-12-17"),
    )
    .await
    .unwrap();
    let d = dossiers::submit(&t.db, &origin, &cal, &at_counter(p.id, desk, "2026-03-02"))
        .await
        .unwrap();
    assert_eq!(d.due_date, Some(day("2026-03-16")));
    let steps = [
        NewStep {
            name: "Thẩm định hồ sơ".into(),
            unit: Some(handling),
            days: 6,
        },
        NewStep {
            name: "Trình lãnh đạo ký".into(),
            unit: Some(handling),
            days: 4,
        },
    ];
    let d = dossiers::route(
        &t.db,
        &origin,
        &cal,
        d.id,
        d.version,
        handling,
        &steps,
        day("2026-03-02"),
    )
    .await
    .unwrap();
    assert_eq!(d.status(), DossierStatus::InProgress);
    let before: Vec<_> = dossiers::steps(&t.db, d.id)
        .await
        .unwrap()
        .iter()
        .map(|s| s.due_date)
        .collect();
    assert_eq!(before, [day("2026-03-10"), day("2026-03-16")]);

    let d = dossiers::request_supplementation(
        &t.db,
        &origin,
        d.id,
        d.version,
        "Bổ sung bản vẽ mặt bằng",
        day("2026-03-04"),
    )
    .await
    .unwrap();
    assert_eq!(d.status(), DossierStatus::SupplementationRequested);
    // A stale version is refused and changes nothing.
    assert!(matches!(
        dossiers::refuse(&t.db, &origin, d.id, d.version - 1, "x", day("2026-03-05")).await,
        Err(StoreError::Stale)
    ));
    let d = dossiers::resubmit(
        &t.db,
        &origin,
        &cal,
        d.id,
        Some(d.version),
        &[],
        "",
        day("2026-03-09"),
    )
    .await
    .unwrap();
    assert_eq!(d.status(), DossierStatus::InProgress);
    assert_eq!(d.due_date, Some(day("2026-03-19")));
    assert_eq!(d.original_due_date, Some(day("2026-03-16")));
    let after: Vec<_> = dossiers::steps(&t.db, d.id)
        .await
        .unwrap()
        .iter()
        .map(|s| s.due_date)
        .collect();
    assert_eq!(after, [day("2026-03-13"), day("2026-03-19")]);

    // An apology slip needs a later working day.
    match dossiers::apologise(
        &t.db,
        &origin,
        &cal,
        d.id,
        d.version,
        day("2026-04-30"),
        "Cần lấy ý kiến",
        day("2026-03-18"),
    )
    .await
    {
        Err(StoreError::Invalid(code)) => assert_eq!(code, "not_working_day"),
        other => panic!("{other:?}"),
    }
    match dossiers::apologise(
        &t.db,
        &origin,
        &cal,
        d.id,
        d.version,
        day("2026-03-18"),
        "Cần lấy ý kiến",
        day("2026-03-18"),
    )
    .await
    {
        Err(StoreError::Invalid(code)) => assert_eq!(code, "apology_not_later"),
        other => panic!("{other:?}"),
    }
    let d = dossiers::apologise(
        &t.db,
        &origin,
        &cal,
        d.id,
        d.version,
        day("2026-03-24"),
        "Cần lấy ý kiến",
        day("2026-03-18"),
    )
    .await
    .unwrap();
    assert_eq!(d.apology_date, Some(day("2026-03-24")));

    let d = dossiers::finish(&t.db, &origin, d.id, d.version, &[], "", day("2026-03-23"))
        .await
        .unwrap();
    assert_eq!(d.status(), DossierStatus::Processed);
    assert_eq!(d.timeliness.as_deref(), Some("late"));
    let d = dossiers::return_result(&t.db, &origin, d.id, d.version, day("2026-03-24"))
        .await
        .unwrap();
    assert_eq!(d.status(), DossierStatus::ResultReturned);
    let d = dossiers::rate(&t.db, &origin, d.id, 4, "Hài lòng", day("2026-03-24"))
        .await
        .unwrap();
    assert_eq!(d.rating, Some(4));
    assert!(
        dossiers::rate(&t.db, &origin, d.id, 5, "", day("2026-03-24"))
            .await
            .is_err()
    );

    let events: Vec<_> = dossiers::events(&t.db, d.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        events,
        [
            "receive",
            "route",
            "request_supplementation",
            "resubmit",
            "apologise",
            "finish",
            "return_result",
            "rate"
        ]
    );
    let history = audit::history(&t.db, "dossier", &d.id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), events.len());
    assert!(audit::verify(&t.db, |_| {}).await.unwrap().is_intact());
}

/// A result file "in the blob store": only its row matters to the store's use cases.
fn result_file(seed: u64) -> dossiers::NewFile {
    dossiers::NewFile {
        blob: vanphong_store::blobs::StoredBlob {
            sha256: format!("{seed:064x}"),
            size: 1000 + seed as i64,
            content_type: "application/pdf".into(),
        },
        file_name: format!("Giấy phép {seed}.pdf"),
        component: None,
    }
}

async fn fee_payment_and_a_stop_pause_the_clock_and_resume(backend: Backend) {
    let t = TestDb::new(backend).await;
    let (desk, handling) = setup(&t).await;
    let origin = Origin::system();
    let cal = calendar();
    let p = procedures::announce(
        &t.db,
        &origin,
        "1.010727",
        Some(handling),
        &content("10"),
        &decision("1756/QĐ-BTNMT", "2020-12-17"),
    )
    .await
    .unwrap();
    // Received Monday 2 March 2026: due Monday 16 March.
    let d = dossiers::submit(&t.db, &origin, &cal, &at_counter(p.id, desk, "2026-03-02"))
        .await
        .unwrap();
    assert_eq!(d.due_date, Some(day("2026-03-16")));

    // Payment requested on Wednesday 4 March (eight working days left), paid on Monday 9.
    let d = dossiers::request_fee_payment(
        &t.db,
        &origin,
        d.id,
        d.version,
        Some(1_500_000),
        "Nộp phí thẩm định",
        day("2026-03-04"),
    )
    .await
    .unwrap();
    assert_eq!(d.status(), DossierStatus::FeePaymentRequested);
    assert_eq!((d.fee, d.fee_paid), (1_500_000, false));
    assert_eq!(d.paused_on, Some(day("2026-03-04")));
    // While waiting for the payment the dossier is not overdue, whatever the day.
    let overdue = DossierFilter {
        overdue_on: Some(day("2026-06-01")),
        ..Default::default()
    };
    assert_eq!(
        lists::count_up_to(&t.db, &DossierScope::ALL, &overdue, 10)
            .await
            .unwrap(),
        0
    );
    // It cannot be finished, stopped or asked again while it waits.
    for refused in [
        dossiers::finish(&t.db, &origin, d.id, d.version, &[], "", day("2026-03-05")).await,
        dossiers::stop(&t.db, &origin, d.id, d.version, "x", day("2026-03-05")).await,
        dossiers::request_fee_payment(&t.db, &origin, d.id, d.version, None, "", day("2026-03-05"))
            .await,
    ] {
        match refused {
            Err(StoreError::Invalid(code)) => assert_eq!(code, "dossier_transition"),
            other => panic!("{other:?}"),
        }
    }
    // A stale version is refused and changes nothing.
    assert!(matches!(
        dossiers::confirm_fee_payment(
            &t.db,
            &origin,
            &cal,
            d.id,
            d.version - 1,
            "",
            day("2026-03-09")
        )
        .await,
        Err(StoreError::Stale)
    ));
    let d = dossiers::confirm_fee_payment(
        &t.db,
        &origin,
        &cal,
        d.id,
        d.version,
        "Biên lai 0012345",
        day("2026-03-09"),
    )
    .await
    .unwrap();
    assert_eq!(d.status(), DossierStatus::Accepted);
    assert!(d.fee_paid);
    assert_eq!(d.paused_on, None);
    assert_eq!(d.due_date, Some(day("2026-03-19")));

    let d = dossiers::route(
        &t.db,
        &origin,
        &cal,
        d.id,
        d.version,
        handling,
        &[NewStep {
            name: "Thẩm định hồ sơ".into(),
            unit: Some(handling),
            days: 5,
        }],
        day("2026-03-10"),
    )
    .await
    .unwrap();
    assert_eq!(d.status(), DossierStatus::InProgress);
    assert_eq!(
        dossiers::steps(&t.db, d.id).await.unwrap()[0].due_date,
        day("2026-03-17")
    );

    // Stopped on Thursday 12 March (five working days left of the appointment, three of the
    // step), resumed on Monday 23 March.
    let d = dossiers::stop(
        &t.db,
        &origin,
        d.id,
        d.version,
        "Tạm dừng theo yêu cầu của cơ quan thanh tra",
        day("2026-03-12"),
    )
    .await
    .unwrap();
    assert_eq!(d.status(), DossierStatus::Stopped);
    assert_eq!(d.resume_status, Some(DossierStatus::InProgress.number()));
    assert!(
        dossiers::finish(&t.db, &origin, d.id, d.version, &[], "", day("2026-03-13"))
            .await
            .is_err()
    );
    let d = dossiers::resume(&t.db, &origin, &cal, d.id, d.version, "", day("2026-03-23"))
        .await
        .unwrap();
    assert_eq!(d.status(), DossierStatus::InProgress);
    assert_eq!(d.due_date, Some(day("2026-03-30")));
    assert_eq!(d.original_due_date, Some(day("2026-03-16")));
    assert_eq!(
        dossiers::steps(&t.db, d.id).await.unwrap()[0].due_date,
        day("2026-03-26")
    );

    // Finished on the moved date: on time.
    let d = dossiers::finish(&t.db, &origin, d.id, d.version, &[], "", day("2026-03-30"))
        .await
        .unwrap();
    assert_eq!(d.timeliness.as_deref(), Some("on_time"));
    // Result files can be added while the result waits at the desk, not after it is returned.
    assert!(matches!(
        dossiers::attach_result(&t.db, &origin, d.id, d.version, &[], "", day("2026-03-30")).await,
        Err(StoreError::Invalid(code)) if code == "result_files_missing"
    ));
    let d = dossiers::attach_result(
        &t.db,
        &origin,
        d.id,
        d.version,
        &[result_file(1)],
        "Bản chụp giấy phép đã ký",
        day("2026-03-30"),
    )
    .await
    .unwrap();
    assert_eq!(d.status(), DossierStatus::Processed);
    let files = dossiers::files(&t.db, d.id).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].stage, "result");
    let d = dossiers::return_result(&t.db, &origin, d.id, d.version, day("2026-03-31"))
        .await
        .unwrap();
    assert!(matches!(
        dossiers::attach_result(&t.db, &origin, d.id, d.version, &[result_file(2)], "", day("2026-03-31")).await,
        Err(StoreError::Invalid(code)) if code == "dossier_transition"
    ));
    assert_eq!(dossiers::files(&t.db, d.id).await.unwrap().len(), 1);

    let events: Vec<_> = dossiers::events(&t.db, d.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.status))
        .collect();
    assert_eq!(
        events,
        [
            ("receive".to_owned(), 2),
            ("request_fee_payment".to_owned(), 6),
            ("confirm_fee_payment".to_owned(), 2),
            ("route".to_owned(), 4),
            ("stop".to_owned(), 8),
            ("resume".to_owned(), 4),
            ("finish".to_owned(), 9),
            ("attach_result".to_owned(), 9),
            ("return_result".to_owned(), 10),
        ]
    );
    let history = audit::history(&t.db, "dossier", &d.id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), events.len());
    assert!(audit::verify(&t.db, |_| {}).await.unwrap().is_intact());

    // Withdrawn while stopped: allowed, and nothing resumes it.
    let other = dossiers::submit(&t.db, &origin, &cal, &at_counter(p.id, desk, "2026-03-02"))
        .await
        .unwrap();
    let other = dossiers::stop(
        &t.db,
        &origin,
        other.id,
        other.version,
        "Tranh chấp",
        day("2026-03-03"),
    )
    .await
    .unwrap();
    let other = dossiers::withdraw(
        &t.db,
        &origin,
        other.id,
        other.version,
        "",
        day("2026-03-04"),
    )
    .await
    .unwrap();
    assert_eq!(other.status(), DossierStatus::Withdrawn);
    assert!(dossiers::resume(
        &t.db,
        &origin,
        &cal,
        other.id,
        other.version,
        "",
        day("2026-03-05")
    )
    .await
    .is_err());
}

async fn refused_submissions_leave_nothing_behind(backend: Backend) {
    let t = TestDb::new(backend).await;
    let (desk, handling) = setup(&t).await;
    let origin = Origin::system();
    let cal = calendar();
    let p = procedures::announce(
        &t.db,
        &origin,
        "1.010727",
        Some(handling),
        &content("10"),
        &decision("1756/QĐ-BTNMT", "2020-12-17"),
    )
    .await
    .unwrap();
    let mut missing = at_counter(p.id, desk, "2026-03-02");
    missing.provided = vec![0];
    match dossiers::submit(&t.db, &origin, &cal, &missing).await {
        Err(StoreError::Invalid(code)) => assert_eq!(code, "missing_component"),
        other => panic!("{other:?}"),
    }
    match dossiers::submit(&t.db, &origin, &cal, &at_counter(p.id, desk, "2026-09-02")).await {
        Err(StoreError::Invalid(code)) => assert_eq!(code, "not_working_day"),
        other => panic!("{other:?}"),
    }
    let all = lists::list(&t.db, &DossierScope::ALL, &DossierFilter::default(), 0, 50)
        .await
        .unwrap();
    assert!(all.is_empty());
    // The refused submission gave its sequence back.
    let d = dossiers::submit(&t.db, &origin, &cal, &at_counter(p.id, desk, "2026-03-02"))
        .await
        .unwrap();
    assert!(d.code.ends_with("-0001"), "{}", d.code);

    let d = dossiers::request_supplementation(
        &t.db,
        &origin,
        d.id,
        d.version,
        "Thiếu bản vẽ",
        day("2026-03-03"),
    )
    .await
    .unwrap();
    let d = dossiers::withdraw(
        &t.db,
        &origin,
        d.id,
        d.version,
        "Rút hồ sơ",
        day("2026-03-04"),
    )
    .await
    .unwrap();
    match dossiers::resubmit(&t.db, &origin, &cal, d.id, None, &[], "", day("2026-03-05")).await {
        Err(StoreError::Invalid(code)) => assert_eq!(code, "dossier_withdrawn"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        dossiers::get(&t.db, d.id).await.unwrap().status(),
        DossierStatus::Withdrawn
    );
}

async fn lists_and_statistics_stay_in_scope(backend: Backend) {
    let t = TestDb::new(backend).await;
    let (desk, handling) = setup(&t).await;
    let other = org::create_unit(
        &t.db,
        &Origin::system(),
        &unit_input("Cục Kiểm soát ô nhiễm", "KSON", None),
    )
    .await
    .unwrap()
    .id;
    let origin = Origin::system();
    let cal = calendar();
    let p = procedures::announce(
        &t.db,
        &origin,
        "1.010727",
        Some(handling),
        &content("10"),
        &decision("1756/QĐ-BTNMT", "2020-12-17"),
    )
    .await
    .unwrap();
    let q = procedures::announce(
        &t.db,
        &origin,
        "1.004249",
        Some(other),
        &content("5"),
        &decision("1756/QĐ-BTNMT", "2020-12-17"),
    )
    .await
    .unwrap();
    // Early, on time and late under p; one open under q; one online not yet accepted.
    for (finish_on, procedure) in [
        ("2026-03-10", p.id),
        ("2026-03-16", p.id),
        ("2026-03-18", p.id),
    ] {
        let d = dossiers::submit(
            &t.db,
            &origin,
            &cal,
            &at_counter(procedure, desk, "2026-03-02"),
        )
        .await
        .unwrap();
        let d = dossiers::route(
            &t.db,
            &origin,
            &cal,
            d.id,
            d.version,
            handling,
            &[],
            day("2026-03-02"),
        )
        .await
        .unwrap();
        dossiers::finish(&t.db, &origin, d.id, d.version, &[], "", day(finish_on))
            .await
            .unwrap();
    }
    let open = dossiers::submit(&t.db, &origin, &cal, &at_counter(q.id, desk, "2026-04-01"))
        .await
        .unwrap();
    dossiers::route(
        &t.db,
        &origin,
        &cal,
        open.id,
        open.version,
        other,
        &[],
        day("2026-04-01"),
    )
    .await
    .unwrap();
    let mut online = at_counter(q.id, desk, "2026-04-04");
    online.channel = Channel::Online;
    online.reception = None;
    let online = dossiers::submit(&t.db, &origin, &cal, &online)
        .await
        .unwrap();
    assert!(online.received_unit_id.is_none());

    let handlers = DossierScope {
        units: Some(vec![handling]),
        unreceived: false,
    };
    let seen = lists::list(&t.db, &handlers, &DossierFilter::default(), 0, 50)
        .await
        .unwrap();
    assert_eq!(seen.len(), 3);
    let officers = DossierScope {
        units: Some(vec![desk]),
        unreceived: true,
    };
    assert_eq!(
        lists::count_up_to(&t.db, &officers, &DossierFilter::default(), 100)
            .await
            .unwrap(),
        5
    );
    let late = DossierFilter {
        timeliness: Some("late".into()),
        ..Default::default()
    };
    assert_eq!(
        lists::count_up_to(&t.db, &DossierScope::ALL, &late, 100)
            .await
            .unwrap(),
        1
    );
    let by_text = DossierFilter {
        text: Some("giay my xuan".into()),
        ..Default::default()
    };
    assert_eq!(
        lists::count_up_to(&t.db, &DossierScope::ALL, &by_text, 100)
            .await
            .unwrap(),
        5
    );
    let overdue = DossierFilter {
        overdue_on: Some(day("2026-05-01")),
        ..Default::default()
    };
    assert_eq!(
        lists::list(&t.db, &DossierScope::ALL, &overdue, 0, 50)
            .await
            .unwrap()[0]
            .id,
        open.id
    );

    let stats = lists::statistics(
        &t.db,
        &DossierScope::ALL,
        day("2026-01-01"),
        day("2026-12-31"),
        GroupBy::Procedure,
    )
    .await
    .unwrap();
    let by_key: std::collections::HashMap<_, _> =
        stats.iter().map(|r| (r.key.as_str(), r)).collect();
    let row = by_key["1.010727"];
    assert_eq!(
        (
            row.submitted,
            row.finished,
            row.early,
            row.on_time,
            row.late
        ),
        (3, 3, 1, 1, 1)
    );
    assert_eq!(by_key["1.004249"].open, 2);
    assert_eq!(by_key["1.004249"].online, 1);
    assert_eq!(by_key["total"].submitted, 5);
    let months = lists::statistics(
        &t.db,
        &DossierScope::ALL,
        day("2026-01-01"),
        day("2026-12-31"),
        GroupBy::Month,
    )
    .await
    .unwrap();
    let keys: Vec<_> = months.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["2026-03", "2026-04", "total"]);
    let units = lists::statistics(
        &t.db,
        &handlers,
        day("2026-01-01"),
        day("2026-12-31"),
        GroupBy::Unit,
    )
    .await
    .unwrap();
    assert_eq!(
        units[0].label,
        "Cục Thẩm định và Đánh giá tác động môi trường"
    );
    assert_eq!(units.last().unwrap().submitted, 3);
}

async fn a_catalogue_import_announces_amends_and_keeps(backend: Backend) {
    let t = TestDb::new(backend).await;
    let (_, handling) = setup(&t).await;
    let origin = Origin::system();
    let rows = vec![
        ImportRow {
            code: "1.010727".into(),
            handling_unit: Some(handling),
            content: content("20"),
            decision: decision("1756/QĐ-BTNMT", "2020-12-17"),
        },
        ImportRow {
            code: "1.004249".into(),
            handling_unit: None,
            content: content("30"),
            decision: decision("1756/QĐ-BTNMT", "2020-12-17"),
        },
    ];
    let s = procedures::import(&t.db, &origin, &rows).await.unwrap();
    assert_eq!((s.announced, s.amended, s.unchanged), (2, 0, 0));
    let mut again = rows.clone();
    again[1].content = content("25");
    again[1].decision = decision("12/QĐ-BNNMT", "2025-07-01");
    let s = procedures::import(&t.db, &origin, &again).await.unwrap();
    assert_eq!((s.announced, s.amended, s.unchanged), (0, 1, 1));
    // A row with a decision older than the current version refuses the whole file.
    let mut bad = again.clone();
    bad[0].content = content("7");
    bad[0].decision = decision("1/QĐ-BTNMT", "2019-01-01");
    bad.push(ImportRow {
        code: "2.000001".into(),
        handling_unit: None,
        content: content("3"),
        decision: decision("1/QĐ-BTNMT", "2026-01-01"),
    });
    assert!(procedures::import(&t.db, &origin, &bad).await.is_err());
    assert_eq!(procedures::list(&t.db, true).await.unwrap().len(), 2);
}

on_both_backends!(
    a_dossier_keeps_the_procedure_version_it_was_received_under,
    concurrent_submissions_get_every_daily_sequence_once,
    the_clock_stops_for_supplementation_and_the_result_is_classified,
    fee_payment_and_a_stop_pause_the_clock_and_resume,
    refused_submissions_leave_nothing_behind,
    lists_and_statistics_stay_in_scope,
    a_catalogue_import_announces_amends_and_keeps,
);
