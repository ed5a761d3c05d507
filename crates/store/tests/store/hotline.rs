//! The hotline in storage: reports forming cases, routing, the status flow and its
//! counters, merging, duplicate suggestions, the protected reporter, Open311 reads.

use chrono::{Duration, NaiveDate, Utc};
use vanphong_core::hotline::attributes::ReportDetails;
use vanphong_core::hotline::duplicates::Candidate;
use vanphong_core::hotline::{
    CaseStatus, Channel, CompetentLevel, Coordinates, Location, Onset, PollutionKind,
};
use vanphong_core::ids::{AreaId, CaseId};
use vanphong_core::org::AreaLevel;
use vanphong_store::audit::{self, Origin};
use vanphong_store::hotline::lists::{self, CaseFilter};
use vanphong_store::hotline::open311::{self, RequestFilter};
use vanphong_store::hotline::{self, NewReport, Reporter};
use vanphong_store::org::{self, AreaInput};
use vanphong_store::testing::TestDb;
use vanphong_store::{on_both_backends, Backend, Db, StoreError};

pub struct Places {
    pub dong_nai: AreaId,
    pub ha_noi: AreaId,
    pub tran_bien: AreaId,
}

pub async fn places(db: &Db) -> Places {
    let day = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
    let area = |code: &str, name: &str, level, parent: Option<&str>| AreaInput {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        valid_from: day,
        valid_to: None,
        successor_code: None,
    };
    org::import_areas(
        db,
        &Origin::system(),
        &[
            area("75", "Đồng Nai", AreaLevel::Province, None),
            area("01", "Hà Nội", AreaLevel::Province, None),
            area("26734", "Phường Trấn Biên", AreaLevel::Commune, Some("75")),
        ],
    )
    .await
    .unwrap();
    let provinces = org::areas(db, AreaLevel::Province, None).await.unwrap();
    let communes = org::areas(db, AreaLevel::Commune, None).await.unwrap();
    let find = |list: &[org::Area], code: &str| list.iter().find(|a| a.code == code).unwrap().id;
    Places {
        dong_nai: find(&provinces, "75"),
        ha_noi: find(&provinces, "01"),
        tran_bien: find(&communes, "26734"),
    }
}

pub fn report(province: Option<AreaId>, description: &str) -> NewReport {
    NewReport {
        channel: Channel::Phone,
        kind: PollutionKind::WasteWater,
        description: description.into(),
        details: ReportDetails {
            onset: Some(Onset::Sudden),
            ..Default::default()
        },
        other_information: String::new(),
        location: Location::new(
            province,
            None,
            "Khu công nghiệp Biên Hòa 1".into(),
            Coordinates::new(10.93, 106.85).ok(),
        )
        .unwrap(),
        inter_provincial: false,
        reporter: Reporter {
            name: "Trần Thị Bí Mật".into(),
            phone: "0912 345 678".into(),
            email: String::new(),
            address: "12 Nguyễn Ái Quốc".into(),
        },
        evidence: Vec::new(),
        source_url: String::new(),
        outlet: String::new(),
        published_on: None,
        api_key_id: None,
        received_by: None,
        received_at: vanphong_store::now(),
        due_date: NaiveDate::from_ymd_opt(2026, 12, 14).unwrap(),
        join_case: None,
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    match db {
        Db::Sqlite(pool) => sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

async fn a_report_opens_a_case_routed_to_its_province_and_keeps_the_reporter_apart(
    backend: Backend,
) {
    let t = TestDb::new(backend).await;
    let p = places(&t.db).await;
    let origin = Origin::system();
    let submitted = hotline::submit(
        &t.db,
        &origin,
        &report(Some(p.dong_nai), "Nước thải màu đen chảy ra suối Linh"),
    )
    .await
    .unwrap();
    assert!(submitted.tracking_code.as_str().starts_with("PA"));
    let case = hotline::case(&t.db, submitted.case_id).await.unwrap();
    assert_eq!(case.status, CaseStatus::Received);
    assert_eq!(case.routed_to, CompetentLevel::Province(p.dong_nai));
    assert_eq!(case.routed_name.as_deref(), Some("Đồng Nai"));
    assert_eq!(case.report_count, 1);
    let steps = hotline::steps(&t.db, case.id).await.unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].to_status, "received");

    let reporter = hotline::reporter(&t.db, submitted.report_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reporter.name, "Trần Thị Bí Mật");
    // The audit trail of the report does not repeat who reported.
    let events = audit::history(&t.db, "hotline_report", &submitted.report_id.to_string())
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert!(
        !events[0].details.contains("Bí Mật"),
        "{}",
        events[0].details
    );
    assert!(!events[0].details.contains("0912"));

    // An inter-provincial case stays central.
    let mut wide = report(Some(p.dong_nai), "Sông Đồng Nai đổi màu qua ba tỉnh");
    wide.inter_provincial = true;
    let central = hotline::submit(&t.db, &origin, &wide).await.unwrap();
    assert_eq!(
        hotline::case(&t.db, central.case_id)
            .await
            .unwrap()
            .routed_to,
        CompetentLevel::Central
    );
    // Found again by its tracking code.
    let found = hotline::report_by_tracking_code(&t.db, &submitted.tracking_code)
        .await
        .unwrap();
    assert_eq!(found.id, submitted.report_id);
}

async fn the_status_flow_records_every_step_and_feeds_the_three_counters(backend: Backend) {
    let t = TestDb::new(backend).await;
    let p = places(&t.db).await;
    let origin = Origin::system();
    let since = Utc::now() - Duration::hours(1);
    let s = hotline::submit(&t.db, &origin, &report(Some(p.dong_nai), "Mùi hôi"))
        .await
        .unwrap();
    let mut case = hotline::case(&t.db, s.case_id).await.unwrap();
    // A step that skips the flow, or without a note, is refused and changes nothing.
    let error = hotline::step(
        &t.db,
        &origin,
        case.id,
        case.version,
        CaseStatus::Handled,
        "x",
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, StoreError::Invalid(ref c) if c == "hotline_transition"),
        "{error:?}"
    );
    let error = hotline::step(
        &t.db,
        &origin,
        case.id,
        case.version,
        CaseStatus::Verifying,
        " ",
    )
    .await
    .unwrap_err();
    assert!(matches!(error, StoreError::Invalid(ref c) if c == "hotline_note_missing"));
    for to in [
        CaseStatus::Verifying,
        CaseStatus::Verified,
        CaseStatus::Handling,
        CaseStatus::Handled,
        CaseStatus::Responded,
        CaseStatus::Closed,
    ] {
        case = hotline::step(&t.db, &origin, case.id, case.version, to, "Đã làm")
            .await
            .unwrap();
        assert_eq!(case.status, to);
    }
    // A stale version is refused.
    let stale = hotline::step(
        &t.db,
        &origin,
        case.id,
        case.version - 1,
        CaseStatus::Closed,
        "x",
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, StoreError::Stale));
    assert!(case.verified_at.is_some() && case.handled_at.is_some());
    assert!(case.responded_at.is_some() && case.closed_at.is_some());
    assert_eq!(hotline::steps(&t.db, case.id).await.unwrap().len(), 7);
    let counters = lists::counters(&t.db, since, Utc::now() + Duration::hours(1), None)
        .await
        .unwrap();
    assert_eq!(
        (
            counters.received,
            counters.verified,
            counters.handled,
            counters.responded
        ),
        (1, 1, 1, 1)
    );
    // Routed elsewhere: the province's counters do not see it.
    let other = lists::counters(&t.db, since, Utc::now(), Some(p.ha_noi))
        .await
        .unwrap();
    assert_eq!(other, lists::Counters::default());
    assert_eq!(
        audit::history(&t.db, "hotline_case", &case.id.to_string())
            .await
            .unwrap()
            .len(),
        6
    );
}

async fn duplicates_are_suggested_and_merging_moves_the_reports(backend: Backend) {
    let t = TestDb::new(backend).await;
    let p = places(&t.db).await;
    let origin = Origin::system();
    let first = hotline::submit(
        &t.db,
        &origin,
        &report(
            Some(p.dong_nai),
            "Nước thải màu đen xả ra suối Linh, cá chết nổi trắng",
        ),
    )
    .await
    .unwrap();
    let second_report = report(
        Some(p.dong_nai),
        "Cá chết nổi trắng suối Linh do nước thải đen",
    );
    let candidate = Candidate {
        kind: second_report.kind,
        province: Some(p.dong_nai),
        commune: None,
        coordinates: second_report.location.coordinates,
        received_at: Utc::now(),
        text: &second_report.description,
    };
    let suggestions = hotline::suggest_duplicates(&t.db, &candidate, None, 5)
        .await
        .unwrap();
    assert_eq!(suggestions.len(), 1);
    assert_eq!(suggestions[0].case_id, first.case_id);
    let mut noise = report(
        Some(p.dong_nai),
        "Cá chết nổi trắng suối Linh do nước thải đen",
    );
    noise.kind = PollutionKind::Noise;
    let noise_candidate = Candidate {
        kind: PollutionKind::Noise,
        ..candidate.clone()
    };
    assert!(
        hotline::suggest_duplicates(&t.db, &noise_candidate, None, 5)
            .await
            .unwrap()
            .is_empty()
    );

    let second = hotline::submit(&t.db, &origin, &second_report)
        .await
        .unwrap();
    let merged = hotline::merge(
        &t.db,
        &origin,
        second.case_id,
        first.case_id,
        "Cùng vụ việc",
    )
    .await
    .unwrap();
    assert_eq!(merged.report_count, 2);
    let old = hotline::case(&t.db, second.case_id).await.unwrap();
    assert_eq!(old.status, CaseStatus::Duplicate);
    assert_eq!(old.merged_into, Some(first.case_id));
    assert_eq!(old.report_count, 0);
    // Merging again, or into itself, is refused.
    assert!(
        hotline::merge(&t.db, &origin, second.case_id, first.case_id, "x")
            .await
            .is_err()
    );
    assert!(
        hotline::merge(&t.db, &origin, first.case_id, first.case_id, "x")
            .await
            .is_err()
    );

    // A report may join a case at intake; never a closed one, and then nothing is stored.
    let mut joining = report(Some(p.dong_nai), "Lại xả thải");
    joining.join_case = Some(first.case_id);
    let joined = hotline::submit(&t.db, &origin, &joining).await.unwrap();
    assert_eq!(joined.case_id, first.case_id);
    let reports_before = count(&t.db, "hotline_reports").await;
    let reporters_before = count(&t.db, "hotline_reporters").await;
    joining.join_case = Some(second.case_id);
    let error = hotline::submit(&t.db, &origin, &joining).await.unwrap_err();
    assert!(matches!(error, StoreError::Invalid(ref c) if c == "hotline_case_final"));
    joining.join_case = Some(CaseId(999_999));
    assert!(matches!(
        hotline::submit(&t.db, &origin, &joining).await.unwrap_err(),
        StoreError::NotFound
    ));
    assert_eq!(count(&t.db, "hotline_reports").await, reports_before);
    assert_eq!(count(&t.db, "hotline_reporters").await, reporters_before);
}

async fn lists_filter_and_officers_are_scoped_to_their_province(backend: Backend) {
    let t = TestDb::new(backend).await;
    let p = places(&t.db).await;
    let origin = Origin::system();
    hotline::submit(
        &t.db,
        &origin,
        &report(Some(p.dong_nai), "Khói đen nhà máy"),
    )
    .await
    .unwrap();
    let mut hanoi = report(Some(p.ha_noi), "Tiếng ồn công trình ban đêm");
    hanoi.kind = PollutionKind::Noise;
    hanoi.channel = Channel::Web;
    hotline::submit(&t.db, &origin, &hanoi).await.unwrap();

    let all = lists::cases(&t.db, &CaseFilter::default(), 0, 50)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let scoped = CaseFilter {
        routed_to: Some(p.ha_noi),
        ..Default::default()
    };
    let theirs = lists::cases(&t.db, &scoped, 0, 50).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].kind, PollutionKind::Noise);
    for filter in [
        CaseFilter {
            kind: Some(PollutionKind::Noise),
            ..Default::default()
        },
        CaseFilter {
            channel: Some(Channel::Web),
            ..Default::default()
        },
        CaseFilter {
            text: Some("tieng on".into()),
            ..Default::default()
        },
        CaseFilter {
            province: Some(p.ha_noi),
            ..Default::default()
        },
    ] {
        assert_eq!(lists::count(&t.db, &filter).await.unwrap(), 1, "{filter:?}");
        assert_eq!(
            lists::count_up_to(&t.db, &filter, 5).await.unwrap(),
            1,
            "{filter:?}"
        );
    }
    // A capped count stops at its cap, and counts what it finds below it.
    let everything = CaseFilter::default();
    assert_eq!(lists::count(&t.db, &everything).await.unwrap(), 2);
    assert_eq!(lists::count_up_to(&t.db, &everything, 1).await.unwrap(), 1);
    assert_eq!(lists::count_up_to(&t.db, &everything, 2).await.unwrap(), 2);
    assert_eq!(lists::count_up_to(&t.db, &everything, 3).await.unwrap(), 2);
    let user =
        vanphong_store::users::create(&t.db, &origin, super::new_user("so.hanoi", vec![], None))
            .await
            .unwrap();
    assert_eq!(
        hotline::officer_province(&t.db, user.id).await.unwrap(),
        None
    );
    hotline::set_officer(&t.db, &origin, user.id, Some(p.ha_noi))
        .await
        .unwrap();
    assert_eq!(
        hotline::officer_province(&t.db, user.id).await.unwrap(),
        Some(p.ha_noi)
    );
    assert_eq!(hotline::officers(&t.db).await.unwrap().len(), 1);
}

async fn open311_reads_filter_by_id_service_status_and_window(backend: Backend) {
    let t = TestDb::new(backend).await;
    let p = places(&t.db).await;
    let origin = Origin::system();
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut r = report(Some(p.dong_nai), &format!("Phản ánh số {i}"));
        if i % 2 == 1 {
            r.kind = PollutionKind::Noise;
        }
        r.received_at = vanphong_store::now() - Duration::days(i * 40);
        ids.push(hotline::submit(&t.db, &origin, &r).await.unwrap());
    }
    let all = RequestFilter {
        limit: 1000,
        ..Default::default()
    };
    assert_eq!(open311::requests(&t.db, &all).await.unwrap().len(), 5);
    let window = RequestFilter {
        from: Some(Utc::now() - Duration::days(90)),
        ..all.clone()
    };
    assert_eq!(open311::requests(&t.db, &window).await.unwrap().len(), 3);
    let noise = RequestFilter {
        kinds: vec![PollutionKind::Noise],
        ..all.clone()
    };
    assert_eq!(open311::requests(&t.db, &noise).await.unwrap().len(), 2);
    let closed = RequestFilter {
        statuses: Some(CaseStatus::with_openness(false)),
        ..all.clone()
    };
    assert!(open311::requests(&t.db, &closed).await.unwrap().is_empty());
    // A list of ids overrides every other filter.
    let by_id = RequestFilter {
        ids: Some(vec![ids[4].report_id.0, ids[0].report_id.0]),
        ..closed.clone()
    };
    assert_eq!(open311::requests(&t.db, &by_id).await.unwrap().len(), 2);
    let page = RequestFilter {
        offset: 4,
        limit: 2,
        ..all.clone()
    };
    let last = open311::requests(&t.db, &page).await.unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].id, ids[4].report_id.0);
    assert_eq!(
        open311::request_for_token(&t.db, ids[0].tracking_code.as_str())
            .await
            .unwrap(),
        Some(ids[0].report_id.0)
    );
    let one = open311::request(&t.db, ids[0].report_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(one.routed_name.as_deref(), Some("Đồng Nai"));
    assert_eq!(one.last_note, "channel:phone");
    let updates = open311::updates(&t.db, Some(ids[0].report_id.0), None, None, 100)
        .await
        .unwrap();
    assert_eq!(updates.len(), 1);
    let _ = p.tran_bien;
}

async fn due_days_are_set_per_kind_and_audited(backend: Backend) {
    use vanphong_core::hotline::{DueDays, DUE_WORKING_DAYS};
    use vanphong_store::hotline::due_days;
    let t = TestDb::new(backend).await;
    // Nothing set: the built-in figure for every kind.
    let days = due_days::load(&t.db).await.unwrap();
    assert_eq!(days, DueDays::default());
    assert_eq!(days.for_kind(PollutionKind::Noise), DUE_WORKING_DAYS);

    let mut set = DueDays {
        default: 7,
        ..Default::default()
    };
    set.per_kind.insert(PollutionKind::Noise, 3);
    set.per_kind.insert(PollutionKind::WasteWater, 15);
    due_days::save(&t.db, &Origin::system(), &set)
        .await
        .unwrap();
    let days = due_days::load(&t.db).await.unwrap();
    assert_eq!(days, set);
    assert_eq!(days.for_kind(PollutionKind::Emissions), 7);
    assert_eq!(days.for_kind(PollutionKind::Noise), 3);

    // A kind's own figure removed: it follows the common one again.
    set.per_kind.remove(&PollutionKind::Noise);
    due_days::save(&t.db, &Origin::system(), &set)
        .await
        .unwrap();
    assert_eq!(
        due_days::load(&t.db)
            .await
            .unwrap()
            .for_kind(PollutionKind::Noise),
        7
    );
    // Out of range: the table refuses it and the figures stay as they were.
    let bad = DueDays {
        default: 0,
        ..Default::default()
    };
    assert!(due_days::save(&t.db, &Origin::system(), &bad)
        .await
        .is_err());
    assert_eq!(due_days::load(&t.db).await.unwrap(), set);

    let history = audit::history(&t.db, "hotline_settings", "due_days")
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert!(audit::verify(&t.db, |_| {}).await.unwrap().is_intact());
}

on_both_backends!(
    due_days_are_set_per_kind_and_audited,
    a_report_opens_a_case_routed_to_its_province_and_keeps_the_reporter_apart,
    the_status_flow_records_every_step_and_feeds_the_three_counters,
    duplicates_are_suggested_and_merging_moves_the_reports,
    lists_filter_and_officers_are_scoped_to_their_province,
    open311_reads_filter_by_id_service_status_and_window,
);
