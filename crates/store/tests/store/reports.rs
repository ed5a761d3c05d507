//! The review and the dashboard over a dataset whose counts the test knows, made through
//! the store's use cases: every figure, each figure's records (their count is the figure),
//! the period before, a reader of one unit, an empty year, the chart data, and the
//! dashboard numbers with their lists.

use super::*;
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use std::collections::BTreeMap;
use vanphong_core::calendar::WorkingCalendar;
use vanphong_core::document::kind::{DocumentKind, PetitionSource, Urgency};
use vanphong_core::document::outgoing::SigningAuthority;
use vanphong_core::document::routing::AssignmentRole;
use vanphong_core::document::NumberAndSymbol;
use vanphong_core::dossier::Channel as DossierChannel;
use vanphong_core::hotline::{CaseStatus, Channel, HotlineAccess, PollutionKind};
use vanphong_core::permission::{Actor, ReadScope};
use vanphong_core::report::{Label, Period, Review, Value};
use vanphong_store::blobs::StoredBlob;
use vanphong_store::documents::incoming::{self, NewIncoming, Sender};
use vanphong_store::documents::outgoing::{
    self, DraftFile, IssueInput, NewDraft, Recipients, Signer,
};
use vanphong_store::documents::routing::{self, RoutingPart, Step};
use vanphong_store::dossiers::procedures::{self, Decision};
use vanphong_store::dossiers::{self, NewDossier, Reception};
use vanphong_store::hotline;
use vanphong_store::reports::dashboard::{self, CaseAge, DashboardList};
use vanphong_store::reports::{self, PageRequest, ReportScope};
use vanphong_store::Db;

/// The current year in Vietnam: finished work is stamped with the present moment.
fn this_year() -> i32 {
    (Utc::now() + Duration::hours(7)).year()
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

pub fn calendar() -> WorkingCalendar {
    let year = this_year();
    WorkingCalendar::for_years(year - 6..=year + 1, &BTreeMap::new()).unwrap()
}

/// The first working day on or after `day`.
fn working_day(cal: &WorkingCalendar, mut day: NaiveDate) -> NaiveDate {
    while !cal.is_working_day(day).unwrap() {
        day += Duration::days(1);
    }
    day
}

pub struct Dataset {
    pub year: i32,
    pub office: UnitId,
    pub pollution: UnitId,
    pub leader: UserId,
    pub pollution_leader: UserId,
    pub handler: UserId,
    /// The open dossier's appointment date.
    pub open_dossier_due: NaiveDate,
}

fn origin_of(user: UserId) -> Origin {
    Origin {
        user_id: Some(user),
        label: format!("user {user}"),
        address: "127.0.0.1".into(),
    }
}

fn incoming_document(
    n: usize,
    arrival: NaiveDate,
    unit: UnitId,
    kind: DocumentKind,
) -> NewIncoming {
    NewIncoming {
        kind,
        type_code: "cong_van".into(),
        number_symbol: NumberAndSymbol::parse(&format!("{n}/UBND-KT")).unwrap(),
        document_date: None,
        subject: format!("Văn bản đến số {n}"),
        pages: Some(1),
        urgency: Urgency::Normal,
        secrecy: Secrecy::Normal,
        signer_name: String::new(),
        sender: Sender::Named("Ủy ban nhân dân tỉnh Lào Cai".into()),
        arrival_date: arrival,
        receiving_unit: Some(unit),
        due_date: None,
        petition_source: None,
        deputy_name: String::new(),
        notes: String::new(),
        attachments: Vec::new(),
    }
}

/// Drafts, approves (signed with `authority`) and issues an outgoing document on `issued_on`.
#[allow(clippy::too_many_arguments)]
async fn issue(
    db: &Db,
    d: &Dataset,
    clerk: UserId,
    unit: UnitId,
    type_code: &str,
    authority: SigningAuthority,
    issued_on: NaiveDate,
    seed: u64,
) {
    let draft = outgoing::create_draft(
        db,
        &origin_of(d.handler),
        &NewDraft {
            type_code: type_code.into(),
            subject: format!("Văn bản đi {seed}"),
            drafting_unit: unit,
            drafter: d.handler,
            urgency: Urgency::Normal,
            secrecy: Secrecy::Normal,
            signer: Signer {
                name: "Nguyễn Văn Tâm".into(),
                position: "Tổng cục trưởng".into(),
                authority,
            },
            recipients: Recipients::default(),
            copies: Some(2),
            reply_to: None,
            first_version: Some(DraftFile {
                blob: StoredBlob {
                    sha256: format!("{seed:064x}"),
                    size: 100,
                    content_type: "application/pdf".into(),
                },
                file_name: format!("Dự thảo {seed}.pdf"),
            }),
        },
    )
    .await
    .unwrap();
    let submitted = outgoing::submit_for_review(
        db,
        &origin_of(d.handler),
        draft.id,
        draft.version,
        Some(d.leader),
    )
    .await
    .unwrap();
    let approved = outgoing::approve(
        db,
        &origin_of(d.leader),
        submitted.id,
        submitted.version,
        d.leader,
        &Signer {
            name: "Nguyễn Văn Tâm".into(),
            position: "Tổng cục trưởng".into(),
            authority,
        },
    )
    .await
    .unwrap();
    outgoing::issue(
        db,
        &origin_of(clerk),
        approved.id,
        approved.version,
        &IssueInput {
            issued_on,
            signed_files: Vec::new(),
        },
    )
    .await
    .unwrap();
}

/// The known dataset. In the year (Y) and the year before (Y-1):
/// - incoming: Y 8 (office 3 ordinary + 1 deputy question; pollution 2 ordinary + petitions
///   from the petitions committee and the Fatherland Front), Y-1 2; one of the pollution
///   unit's documents is finished (on time), one is open and overdue;
/// - outgoing: Y 3 (agency level 2, of which 1 report; office level 1 by the pollution
///   unit), Y-1 1 at agency level;
/// - dossiers: Y 3 (early, late, open), Y-1 1 (on time);
/// - hotline: Y 3 phone reports and 1 press report, 4 cases, 1 handled; Y-1 1 report.
pub async fn dataset(t: &TestDb) -> Dataset {
    let db = &t.db;
    let origin = Origin::system();
    let year = this_year();
    let cal = calendar();
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
    let desk = org::create_unit(db, &origin, &unit_input("Bộ phận Một cửa", "MC", None))
        .await
        .unwrap()
        .id;
    let person = |name: &str, roles: Vec<Role>, unit: UnitId| {
        let mut new = new_user(name, roles, Some(unit));
        new.clearance = Secrecy::TopSecret;
        new
    };
    let leader = users::create(
        db,
        &origin,
        person("lanhdao", vec![Role::AgencyLeader], office),
    )
    .await
    .unwrap()
    .id;
    let pollution_leader = users::create(
        db,
        &origin,
        person("truongcuc", vec![Role::UnitLeader], pollution),
    )
    .await
    .unwrap()
    .id;
    let handler = users::create(
        db,
        &origin,
        person("chuyenvien", vec![Role::Specialist], pollution),
    )
    .await
    .unwrap()
    .id;
    let clerk = users::create(
        db,
        &origin,
        person("vanthu", vec![Role::RecordsClerk], office),
    )
    .await
    .unwrap()
    .id;
    let mut data = Dataset {
        year,
        office,
        pollution,
        leader,
        pollution_leader,
        handler,
        open_dossier_due: date(year, 1, 1),
    };

    // Incoming documents.
    let jan = date(year, 1, 2);
    let mut n = 0;
    let mut register =
        |arrival: NaiveDate, unit: UnitId, kind: DocumentKind, source: Option<PetitionSource>| {
            n += 1;
            let mut new = incoming_document(n, arrival, unit, kind);
            new.petition_source = source;
            new
        };
    let mut pollution_documents = Vec::new();
    for new in [
        register(jan, office, DocumentKind::Ordinary, None),
        register(date(year, 2, 3), office, DocumentKind::Ordinary, None),
        register(date(year, 2, 4), office, DocumentKind::Ordinary, None),
        register(date(year, 3, 5), office, DocumentKind::DeputyQuestion, None),
        register(date(year - 1, 5, 6), office, DocumentKind::Ordinary, None),
        register(date(year - 1, 12, 31), office, DocumentKind::Ordinary, None),
    ] {
        incoming::register(db, &origin, &new, false).await.unwrap();
    }
    for new in [
        register(jan, pollution, DocumentKind::Ordinary, None),
        register(jan, pollution, DocumentKind::Ordinary, None),
        register(
            date(year, 3, 9),
            pollution,
            DocumentKind::VoterPetition,
            Some(PetitionSource::PetitionsCommittee),
        ),
        register(
            date(year, 3, 10),
            pollution,
            DocumentKind::VoterPetition,
            Some(PetitionSource::FatherlandFront),
        ),
    ] {
        pollution_documents.push(incoming::register(db, &origin, &new, false).await.unwrap());
    }
    // Two of the pollution unit's documents go to it as lead: one finished on time (due
    // next year), one still open and overdue (due the day after it arrived).
    let today = (Utc::now() + Duration::hours(7)).date_naive();
    for (index, due) in [(0, date(year + 1, 1, 31)), (1, jan + Duration::days(1))] {
        let doc = &pollution_documents[index];
        let routed = routing::route(
            db,
            &origin_of(leader),
            doc.id,
            doc.version,
            "Chủ trì xử lý",
            &[RoutingPart {
                unit: pollution,
                role: AssignmentRole::Lead,
                due_date: Some(due),
            }],
        )
        .await
        .unwrap();
        let assignment = routing::assignments(db, routed.id).await.unwrap().remove(0);
        let named = routing::apply(
            db,
            &origin_of(pollution_leader),
            assignment.id,
            assignment.version,
            Step::NameHandler { handler },
        )
        .await
        .unwrap();
        if index == 0 {
            routing::apply(
                db,
                &origin_of(handler),
                named.id,
                named.version,
                Step::Finish {
                    result: "Đã trả lời".into(),
                    reply_document_id: None,
                },
            )
            .await
            .unwrap();
        }
    }
    assert!(
        today > jan + Duration::days(1),
        "the dataset needs a day in the year after 3 January"
    );

    // Outgoing documents.
    issue(
        db,
        &data,
        clerk,
        office,
        "cong_van",
        SigningAuthority::Own,
        date(year, 1, 15),
        1,
    )
    .await;
    issue(
        db,
        &data,
        clerk,
        office,
        "bao_cao",
        SigningAuthority::Deputy,
        date(year, 2, 15),
        2,
    )
    .await;
    issue(
        db,
        &data,
        clerk,
        pollution,
        "cong_van",
        SigningAuthority::ByOrder,
        date(year, 2, 16),
        3,
    )
    .await;
    issue(
        db,
        &data,
        clerk,
        office,
        "cong_van",
        SigningAuthority::Own,
        date(year - 1, 6, 1),
        4,
    )
    .await;

    // Dossiers: one procedure of 10 working days handled by the pollution unit.
    let procedure = procedures::announce(
        db,
        &origin,
        "1.010727",
        Some(pollution),
        &super::dossiers::content("10"),
        &Decision {
            number: "1756/QĐ-BTNMT".into(),
            date: date(year - 6, 8, 11),
        },
    )
    .await
    .unwrap();
    let submit = |on: NaiveDate| NewDossier {
        procedure_id: procedure.id,
        channel: DossierChannel::Counter,
        applicant_name: "Công ty TNHH Giấy Sài Gòn".into(),
        applicant_id_number: String::new(),
        applicant_phone: "0912 345 678".into(),
        applicant_email: String::new(),
        applicant_address: String::new(),
        subject: "Nhà máy giấy".into(),
        submitted_on: on,
        provided: vec![0, 1],
        files: Vec::new(),
        reception: Some(Reception {
            unit: desk,
            user: None,
            on,
        }),
    };
    let march = working_day(&cal, date(year, 3, 2));
    let last_year = working_day(&cal, date(year - 1, 3, 2));
    // (submitted, finished: None open, Some(offset from the appointment in days))
    for (on, finish) in [
        (march, Some(-3)),
        (march, Some(3)),
        (march, None),
        (last_year, Some(0)),
    ] {
        let d = dossiers::submit(db, &origin, &cal, &submit(on))
            .await
            .unwrap();
        let d = dossiers::route(db, &origin, &cal, d.id, d.version, pollution, &[], on)
            .await
            .unwrap();
        let due = d.due_date.unwrap();
        match finish {
            Some(offset) => {
                dossiers::finish(
                    db,
                    &origin,
                    d.id,
                    d.version,
                    &[],
                    "",
                    due + Duration::days(offset),
                )
                .await
                .unwrap();
            }
            None => data.open_dossier_due = due,
        }
    }

    // The hotline: three calls in Hà Nội (one handled), one press report in Đồng Nai, and
    // one call of the year before.
    let places = super::hotline::places(db).await;
    let at = |day: NaiveDate| Utc.from_utc_datetime(&day.and_hms_opt(3, 0, 0).unwrap());
    let mut reports = Vec::new();
    for (channel, province, kind, day) in [
        (
            Channel::Phone,
            places.ha_noi,
            PollutionKind::WasteWater,
            date(year, 4, 1),
        ),
        (
            Channel::Phone,
            places.ha_noi,
            PollutionKind::Emissions,
            date(year, 4, 2),
        ),
        (
            Channel::Phone,
            places.ha_noi,
            PollutionKind::WasteWater,
            date(year, 5, 3),
        ),
        (
            Channel::Press,
            places.dong_nai,
            PollutionKind::SolidWaste,
            date(year, 5, 4),
        ),
        (
            Channel::Phone,
            places.dong_nai,
            PollutionKind::Noise,
            date(year - 1, 7, 1),
        ),
    ] {
        let mut new = super::hotline::report(Some(province), "Nước thải xả ra sông, có mùi hôi");
        new.channel = channel;
        new.kind = kind;
        new.received_at = at(day);
        new.due_date = day + Duration::days(14);
        if channel == Channel::Press {
            new.source_url = "https://baomoi.example/bai-viet".into();
            new.outlet = "Báo Tài nguyên và Môi trường".into();
            new.published_on = Some(day);
        }
        reports.push(hotline::submit(db, &origin, &new).await.unwrap());
    }
    let case_id = reports[0].case_id;
    let mut case = hotline::case(db, case_id).await.unwrap();
    for (step, status) in [
        CaseStatus::Verifying,
        CaseStatus::Verified,
        CaseStatus::Handling,
        CaseStatus::Handled,
    ]
    .into_iter()
    .enumerate()
    {
        case = hotline::step_at(
            db,
            &origin,
            case_id,
            case.version,
            status,
            "Đã xử lý",
            at(date(year, 4, 10 + step as u32)),
        )
        .await
        .unwrap();
    }
    data
}

fn leader_scope(d: &Dataset) -> ReportScope {
    ReportScope::agency(d.leader, Secrecy::TopSecret)
}

async fn unit_scope(db: &Db, d: &Dataset) -> ReportScope {
    let actor = Actor {
        user_id: d.pollution_leader,
        roles: vec![Role::UnitLeader],
        unit: Some(d.pollution),
        clearance: Secrecy::TopSecret,
    };
    ReportScope::of(db, &actor, None).await.unwrap().unwrap()
}

fn count(review: &Review, key: &str) -> (i64, i64) {
    let figure = review
        .figure(key)
        .unwrap_or_else(|| panic!("no figure {key}"));
    match (figure.value, figure.previous) {
        (Value::Count(now), Value::Count(before)) => (now, before),
        other => panic!("{key} is not a count: {other:?}"),
    }
}

fn rate(review: &Review, key: &str) -> (Option<f64>, Option<f64>) {
    let figure = review.figure(key).unwrap();
    match (figure.value, figure.previous) {
        (Value::Percent(now), Value::Percent(before)) => (now, before),
        other => panic!("{key} is not a rate: {other:?}"),
    }
}

/// Every counted figure's records: the list's total is the figure, and a page holds them.
async fn records_agree(db: &Db, review: &Review, scope: &ReportScope) {
    for figure in review.sections.iter().flat_map(|s| &s.figures) {
        if !figure.has_records {
            continue;
        }
        let Value::Count(value) = figure.value else {
            panic!("{} has records but is not a count", figure.key)
        };
        let page = reports::figure_records(
            db,
            figure.key,
            review.period,
            scope,
            PageRequest::first(100),
        )
        .await
        .unwrap();
        assert_eq!(page.total, value, "records of {}", figure.key);
        assert_eq!(page.rows.len() as i64, value, "rows of {}", figure.key);
        let Value::Count(previous) = figure.previous else {
            unreachable!()
        };
        let before = reports::figure_records(
            db,
            figure.key,
            review.previous,
            scope,
            PageRequest::first(100),
        )
        .await
        .unwrap();
        assert_eq!(before.total, previous, "records of {} before", figure.key);
    }
}

fn chart_data(review: &Review, key: &str) -> String {
    let chart = review
        .charts()
        .find(|c| c.key == key)
        .unwrap_or_else(|| panic!("no chart {key}"));
    let label = |l: &Label| match l {
        Label::Key(k) => k.to_string(),
        Label::Text(t) => t.clone(),
    };
    let mut out = chart
        .categories
        .iter()
        .map(label)
        .collect::<Vec<_>>()
        .join(" | ");
    for series in &chart.series {
        out.push_str(&format!(
            "\n{}: {}",
            label(&series.label),
            series
                .values
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    out
}

async fn the_review_counts_every_figure_and_its_records_agree(backend: Backend) {
    let t = TestDb::new(backend).await;
    let d = dataset(&t).await;
    let scope = leader_scope(&d);
    let period = Period::year(d.year).unwrap();
    let review = reports::review(&t.db, period, &scope).await.unwrap();
    assert_eq!(review.previous, Period::year(d.year - 1).unwrap());
    assert!(review.hidden_units.is_empty());
    let expected: &[(&str, (i64, i64))] = &[
        ("incoming_received", (8, 2)),
        ("incoming_processed", (1, 0)),
        ("outgoing_issued", (3, 1)),
        ("outgoing_agency_level", (2, 1)),
        ("outgoing_office_level", (1, 0)),
        ("work_finished", (1, 0)),
        ("work_finished_on_time", (1, 0)),
        ("archive_files_received", (0, 0)),
        ("deputy_questions", (1, 0)),
        ("voter_petitions", (2, 0)),
        ("petitions_petitions_committee", (1, 0)),
        ("petitions_government_office", (0, 0)),
        ("petitions_fatherland_front", (1, 0)),
        ("petitions_provincial_delegation", (0, 0)),
        ("petitions_other", (0, 0)),
        ("reports_prepared", (1, 0)),
        ("dossiers_received", (3, 1)),
        ("dossiers_finished", (2, 1)),
        ("dossiers_on_time", (1, 1)),
        ("dossiers_late", (1, 0)),
        ("dossiers_open", (1, 0)),
        ("hotline_reports_received", (3, 1)),
        ("hotline_press_reports", (1, 0)),
        ("hotline_cases", (4, 1)),
        ("hotline_cases_resolved", (1, 0)),
        ("hotline_cases_verifying", (3, 1)),
        ("news_articles_published", (0, 0)),
    ];
    for (key, counts) in expected {
        assert_eq!(count(&review, key), *counts, "{key}");
    }
    let counted = review
        .sections
        .iter()
        .flat_map(|s| &s.figures)
        .filter(|f| f.has_records)
        .count();
    assert_eq!(counted, expected.len(), "every counted figure is checked");
    assert_eq!(rate(&review, "work_on_time_rate"), (Some(100.0), None));
    assert_eq!(
        rate(&review, "dossiers_on_time_rate"),
        (Some(50.0), Some(100.0))
    );
    assert_eq!(
        rate(&review, "hotline_resolved_rate"),
        (Some(25.0), Some(0.0))
    );
    records_agree(&t.db, &review, &scope).await;

    // A quarter compares with the quarter before, across the new year.
    let q1 = reports::review(&t.db, Period::quarter(d.year, 1).unwrap(), &scope)
        .await
        .unwrap();
    assert_eq!(count(&q1, "incoming_received"), (8, 1));
    assert_eq!(count(&q1, "dossiers_received"), (3, 0));
    records_agree(&t.db, &q1, &scope).await;

    // The chart data.
    assert_eq!(
        chart_data(&review, "monthly_volumes"),
        "01/Y | 02/Y | 03/Y | 04/Y | 05/Y | 06/Y | 07/Y | 08/Y | 09/Y | 10/Y | 11/Y | 12/Y\n\
         report.series.incoming: 3 2 3 0 0 0 0 0 0 0 0 0\n\
         report.series.outgoing: 1 2 0 0 0 0 0 0 0 0 0 0"
            .replace('Y', &d.year.to_string())
    );
    assert_eq!(
        chart_data(&review, "hotline_by_kind"),
        "hotline.kind.waste_water | hotline.kind.emissions | hotline.kind.solid_waste\nreport.series.cases: 2 1 1"
    );
    assert_eq!(
        chart_data(&review, "hotline_by_province"),
        "Hà Nội | Đồng Nai\nreport.series.cases: 3 1"
    );
    assert_eq!(
        chart_data(&review, "hotline_by_status"),
        "hotline.status.received | hotline.status.handled\nreport.series.cases: 3 1"
    );
    assert_eq!(
        chart_data(&review, "dossiers_by_procedure"),
        "Cấp giấy phép môi trường\nreport.series.dossiers_received: 3\nreport.series.dossiers_on_time_count: 1"
    );
    assert_eq!(
        chart_data(&review, "overdue_by_unit"),
        "Cục Kiểm soát ô nhiễm\nreport.series.finished_late: 0\nreport.series.open_overdue: 1"
    );
    let on_time = chart_data(&review, "on_time_rates");
    let this_month = (Utc::now() + Duration::hours(7)).month() as usize;
    let mut work = ["0"; 12];
    work[this_month - 1] = "100";
    let mut dossier_rates = ["0"; 12];
    dossier_rates[2] = "50";
    assert!(
        on_time.ends_with(&format!(
            "report.series.work_on_time: {}\nreport.series.dossiers_on_time: {}",
            work.join(" "),
            dossier_rates.join(" ")
        )),
        "{on_time}"
    );
}

async fn a_reader_of_one_unit_sees_its_records_and_is_told_what_is_left_out(backend: Backend) {
    let t = TestDb::new(backend).await;
    let d = dataset(&t).await;
    let scope = unit_scope(&t.db, &d).await;
    assert_eq!(scope.hotline, HotlineAccess::None);
    let period = Period::year(d.year).unwrap();
    let review = reports::review(&t.db, period, &scope).await.unwrap();
    assert_eq!(review.hidden_units, ["Văn phòng", "Bộ phận Một cửa"]);
    assert!(
        review.sections.iter().all(|s| s.key != "hotline"),
        "no hotline section for a reader with no part in it"
    );
    for (key, counts) in [
        ("incoming_received", (4, 0)),
        ("incoming_processed", (1, 0)),
        ("deputy_questions", (0, 0)),
        ("voter_petitions", (2, 0)),
        ("outgoing_issued", (1, 0)),
        ("outgoing_office_level", (1, 0)),
        ("outgoing_agency_level", (0, 0)),
        ("work_finished", (1, 0)),
        ("dossiers_received", (3, 1)),
    ] {
        assert_eq!(count(&review, key), counts, "{key}");
    }
    records_agree(&t.db, &review, &scope).await;
    // A hotline list is empty for them, not an error.
    let page = reports::figure_records(
        &t.db,
        "hotline_cases",
        period,
        &scope,
        PageRequest::first(10),
    )
    .await
    .unwrap();
    assert_eq!(page.total, 0);
    assert!(matches!(
        reports::figure_records(
            &t.db,
            "no_such_figure",
            period,
            &scope,
            PageRequest::first(10)
        )
        .await,
        Err(StoreError::NotFound)
    ));
}

async fn an_empty_year_gives_zeros(backend: Backend) {
    let t = TestDb::new(backend).await;
    let d = dataset(&t).await;
    let review = reports::review(&t.db, Period::year(d.year - 4).unwrap(), &leader_scope(&d))
        .await
        .unwrap();
    for figure in review.sections.iter().flat_map(|s| &s.figures) {
        match figure.value {
            Value::Count(n) => assert_eq!(n, 0, "{}", figure.key),
            Value::Percent(p) => assert_eq!(p, None, "{}", figure.key),
        }
    }
    let volumes = review
        .charts()
        .find(|c| c.key == "monthly_volumes")
        .unwrap();
    assert_eq!(volumes.categories.len(), 12);
    assert!(volumes
        .series
        .iter()
        .all(|s| s.values.iter().all(|v| *v == 0.0)));
    // Even a database with nothing at all.
    let empty = TestDb::new(backend).await;
    let review = reports::review(
        &empty.db,
        Period::month(2020, 2).unwrap(),
        &ReportScope::agency(UserId(1), Secrecy::Normal),
    )
    .await
    .unwrap();
    assert_eq!(count(&review, "incoming_received"), (0, 0));
    assert_eq!(
        review
            .charts()
            .find(|c| c.key == "monthly_volumes")
            .unwrap()
            .categories
            .len(),
        29
    );
}

async fn dashboard_numbers_click_through_to_their_records(backend: Backend) {
    let t = TestDb::new(backend).await;
    let d = dataset(&t).await;
    let cal = calendar();
    let scope = leader_scope(&d);
    // Eight days on, the open assignment's handler has written nothing for a week.
    let today = (Utc::now() + Duration::hours(7)).date_naive() + Duration::days(8);
    let board = dashboard::dashboard(&t.db, today, &cal, &scope)
        .await
        .unwrap();
    assert_eq!(
        (
            board.pending,
            board.overdue,
            board.due_this_week,
            board.stale
        ),
        (1, 1, 0, 1)
    );
    assert_eq!(board.units.len(), 1);
    assert_eq!(board.units[0].name, "Cục Kiểm soát ô nhiễm");
    assert_eq!(board.stale_units().count(), 1);
    assert_eq!(
        board.hotline_by_status.as_deref(),
        Some(&[("received".to_owned(), 4), ("handled".to_owned(), 1)][..]),
        "every open case, whenever it came in"
    );
    assert_eq!(board.dossiers_overdue, 1);
    let lists = [
        (DashboardList::Pending(None), board.pending),
        (
            DashboardList::Pending(Some(d.pollution)),
            board.units[0].pending,
        ),
        (DashboardList::Pending(Some(d.office)), 0),
        (DashboardList::Overdue(None), board.overdue),
        (
            DashboardList::Stale(Some(d.pollution)),
            board.units[0].stale,
        ),
        (DashboardList::DueThisWeek(None), board.due_this_week),
        (
            DashboardList::HotlineOpen {
                status: None,
                age: None,
            },
            5,
        ),
        (
            DashboardList::HotlineOpen {
                status: Some("received".into()),
                age: None,
            },
            4,
        ),
        (DashboardList::DossiersAtRisk, board.dossiers_at_risk),
        (DashboardList::DossiersOverdue, board.dossiers_overdue),
    ];
    for (list, expected) in lists {
        let page =
            dashboard::dashboard_records(&t.db, &list, today, &cal, &scope, PageRequest::first(50))
                .await
                .unwrap();
        assert_eq!(page.total, expected, "{list:?}");
        assert_eq!(page.rows.len() as i64, expected, "{list:?}");
    }
    let by_age = board.hotline_by_age.clone().unwrap();
    for (age, n) in &by_age {
        let list = DashboardList::HotlineOpen {
            status: None,
            age: Some(*age),
        };
        let page =
            dashboard::dashboard_records(&t.db, &list, today, &cal, &scope, PageRequest::first(50))
                .await
                .unwrap();
        assert_eq!(page.total, *n, "{age:?}");
    }
    assert_eq!(by_age.iter().map(|(_, n)| n).sum::<i64>(), 5);
    assert_eq!(
        by_age.iter().find(|(a, _)| *a == CaseAge::Older).unwrap().1,
        5
    );

    // The day before the open dossier's appointment, it is at risk rather than overdue.
    let eve = d.open_dossier_due - Duration::days(1);
    let board = dashboard::dashboard(&t.db, eve, &cal, &scope)
        .await
        .unwrap();
    assert_eq!((board.dossiers_at_risk, board.dossiers_overdue), (1, 0));
    let page = dashboard::dashboard_records(
        &t.db,
        &DashboardList::DossiersAtRisk,
        eve,
        &cal,
        &scope,
        PageRequest::first(5),
    )
    .await
    .unwrap();
    assert_eq!(page.total, 1);

    // A reader of another unit sees no pending work of the pollution unit and no hotline.
    let office_reader = ReportScope {
        user: d.leader,
        documents: ReadScope {
            units: Some(vec![d.office]),
            max_secrecy: Secrecy::TopSecret,
        },
        dossiers: vanphong_store::dossiers::lists::DossierScope {
            units: Some(vec![d.office]),
            unreceived: false,
        },
        hotline: HotlineAccess::None,
    };
    let board = dashboard::dashboard(&t.db, today, &cal, &office_reader)
        .await
        .unwrap();
    assert_eq!((board.pending, board.dossiers_overdue), (0, 0));
    assert!(board.hotline_by_status.is_none());
}

/// The done lead assignment of the dataset: its id and its document's id.
async fn done_lead_work(db: &Db) -> (i64, i64) {
    let sql = "SELECT id, document_id FROM assignments WHERE role = 'lead' AND status = 'done'";
    let rows: Vec<(i64, i64)> = match db {
        Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    };
    assert_eq!(rows.len(), 1, "the dataset finishes one piece of lead work");
    rows[0]
}

/// Sets when the assignment was due and finished, through the same encoder as the store.
async fn set_finished(db: &Db, id: i64, due: NaiveDate, finished: chrono::DateTime<Utc>) {
    let sql = "UPDATE assignments SET due_date = $1, finished_at = $2 WHERE id = $3";
    match db {
        Db::Sqlite(pool) => sqlx::query(sql)
            .bind(due)
            .bind(finished)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()),
        Db::Postgres(pool) => sqlx::query(sql)
            .bind(due)
            .bind(finished)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()),
    }
    .unwrap();
}

async fn set_secrecy(db: &Db, document: i64, rank: i64) {
    let sql = "UPDATE documents SET secrecy = $1 WHERE id = $2";
    match db {
        Db::Sqlite(pool) => sqlx::query(sql)
            .bind(rank)
            .bind(document)
            .execute(pool)
            .await
            .map(|_| ()),
        Db::Postgres(pool) => sqlx::query(sql)
            .bind(rank)
            .bind(document)
            .execute(pool)
            .await
            .map(|_| ()),
    }
    .unwrap();
}

/// Work is on time until the end of its due day in Vietnam (17:00 UTC), to the second; the
/// late-work chart and the figure's records agree; work on a document above the reader's
/// clearance is left out of the counts (which read the assignments without the documents).
async fn work_is_on_time_until_the_vietnamese_due_day_ends(backend: Backend) {
    let t = TestDb::new(backend).await;
    let d = dataset(&t).await;
    let scope = leader_scope(&d);
    let period = Period::year(d.year).unwrap();
    let (assignment, document) = done_lead_work(&t.db).await;
    let due = date(d.year, 1, 10);
    let evening = Utc.with_ymd_and_hms(d.year, 1, 10, 16, 59, 59).unwrap();
    set_finished(&t.db, assignment, due, evening).await;
    let review = reports::review(&t.db, period, &scope).await.unwrap();
    assert_eq!(count(&review, "work_finished"), (1, 0));
    assert_eq!(count(&review, "work_finished_on_time"), (1, 0));
    let late = chart_data(&review, "overdue_by_unit");
    assert!(!late.contains("finished_late: 1"), "{late}");
    records_agree(&t.db, &review, &scope).await;

    // Midnight in Vietnam: the next day, so late.
    set_finished(&t.db, assignment, due, evening + Duration::seconds(1)).await;
    let review = reports::review(&t.db, period, &scope).await.unwrap();
    assert_eq!(count(&review, "work_finished"), (1, 0));
    assert_eq!(count(&review, "work_finished_on_time"), (0, 0));
    assert_eq!(rate(&review, "work_on_time_rate"), (Some(0.0), None));
    let late = chart_data(&review, "overdue_by_unit");
    assert!(late.contains("report.series.finished_late: 1"), "{late}");
    records_agree(&t.db, &review, &scope).await;

    // The document made secret: a reader cleared only for confidential documents no longer
    // counts its work, nor lists it; a reader cleared for secret ones still does.
    set_secrecy(&t.db, document, i64::from(Secrecy::Secret.rank())).await;
    let confidential = ReportScope::agency(d.leader, Secrecy::Confidential);
    let review = reports::review(&t.db, period, &confidential).await.unwrap();
    assert_eq!(count(&review, "work_finished"), (0, 0));
    records_agree(&t.db, &review, &confidential).await;
    let secret = ReportScope::agency(d.leader, Secrecy::Secret);
    let review = reports::review(&t.db, period, &secret).await.unwrap();
    assert_eq!(count(&review, "work_finished"), (1, 0));
    records_agree(&t.db, &review, &secret).await;
}

on_both_backends!(
    the_review_counts_every_figure_and_its_records_agree,
    a_reader_of_one_unit_sees_its_records_and_is_told_what_is_left_out,
    an_empty_year_gives_zeros,
    dashboard_numbers_click_through_to_their_records,
    work_is_on_time_until_the_vietnamese_due_day_ends,
);
