//! Periodic reports and the report archive: the job on two racing nodes, a failed run
//! retried, the archive page with its filters, downloads and list exports, on-demand
//! generation (CSRF, bad input, audit) and refusals.

use crate::{location, TestApp};
use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use futures::future::BoxFuture;
use futures::FutureExt;
use reqwest::StatusCode;
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use vanphong_core::auth::Role;
use vanphong_core::report::{
    Chart, ChartKind, Figure, Label, Period, Review, Section, Series, Value,
};
use vanphong_store::blobs::BlobStore;
use vanphong_store::report_archive::{self, ArchiveFilter};
use vanphong_store::{on_both_backends, Backend};
use vanphong_web::report_export::periodic::{self, ReviewSource};
use vanphong_web::{AppState, WebConfig};

/// A review whose figures the tests know: the seed's 18,935 incoming documents, and the
/// period's start day as a figure so each report can be told apart.
fn fixed_review(period: Period) -> Review {
    let count = |key, value, previous| Figure {
        key,
        value: Value::Count(value),
        previous: Value::Count(previous),
        has_records: true,
    };
    Review {
        period,
        previous: period.previous(),
        hidden_units: Vec::new(),
        sections: vec![Section {
            key: "documents",
            figures: vec![
                count("incoming_received", 18_935, 17_020),
                count(
                    "period_start_day",
                    i64::from(chrono::Datelike::day(&period.start)),
                    0,
                ),
                Figure {
                    key: "incoming_on_time_rate",
                    value: Value::Percent(Some(84.2)),
                    previous: Value::Percent(None),
                    has_records: false,
                },
            ],
            charts: vec![Chart {
                key: "hotline_by_province",
                kind: ChartKind::Bars,
                categories: vec![Label::Text("Đồng Nai".into()), Label::Text("Hà Nội".into())],
                series: vec![Series {
                    label: Label::Text("Tiếp nhận".into()),
                    values: vec![41.0, 12.0],
                }],
                percent: false,
            }],
        }],
    }
}

/// A source that counts its calls, remembers the periods and can fail a number of times.
#[derive(Default)]
struct Source {
    calls: AtomicUsize,
    failures_left: AtomicUsize,
    periods: Mutex<Vec<Period>>,
}

impl ReviewSource for Source {
    fn review(&self, period: Period) -> BoxFuture<'_, anyhow::Result<Review>> {
        async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.periods.lock().unwrap().push(period);
            if self
                .failures_left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                anyhow::bail!("the review could not be computed");
            }
            Ok(fixed_review(period))
        }
        .boxed()
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A second node: its own state on the same database and blob store.
fn second_node(app: &TestApp) -> AppState {
    let blobs = BlobStore::open(
        app.db.dir.path().join("blobs").to_str().unwrap(),
        &app.db.dir.path().join("uploads-2"),
        10 * 1024 * 1024,
    )
    .unwrap();
    AppState::new(app.db.db.clone(), blobs, WebConfig::default())
}

async fn periodic_reports_are_generated_once_by_two_racing_nodes(backend: Backend) {
    let app = TestApp::start(backend).await;
    let other = second_node(&app);
    let source = Arc::new(Source::default());
    assert!(app.state.set_review_source(source.clone()));
    assert!(other.set_review_source(source.clone()));
    assert!(!other.set_review_source(source.clone()), "set once only");
    // Sunday 29 November 2026: the week of 16-22 November, October and the third
    // quarter have ended.
    let today = day(2026, 11, 29);
    let (a, b) = tokio::join!(
        periodic::run_due(&app.state, today),
        periodic::run_due(&other, today)
    );
    let runs: Vec<_> = a.unwrap().into_iter().chain(b.unwrap()).collect();
    assert_eq!(runs.len(), 6);
    let claimed: Vec<_> = runs.iter().filter(|r| r.claimed).collect();
    assert_eq!(claimed.len(), 3, "{runs:?}");
    assert!(claimed.iter().all(|r| r.report_id.is_some()));
    assert_eq!(
        source.calls.load(Ordering::SeqCst),
        3,
        "each review computed once"
    );
    let mut periods = source.periods.lock().unwrap().clone();
    periods.sort_by_key(|p| p.start);
    assert_eq!(
        periods,
        vec![
            Period::quarter(2026, 3).unwrap(),
            Period::month(2026, 10).unwrap(),
            Period::week_of(day(2026, 11, 16)),
        ]
    );
    // A later pass the same day, on either node, does nothing.
    let again = periodic::run_due(&other, today).await.unwrap();
    assert!(again.iter().all(|r| !r.claimed));
    let (reports, total) = report_archive::list(&app.db.db, &ArchiveFilter::default(), 50, 0)
        .await
        .unwrap();
    assert_eq!(total, 3);
    assert!(reports.iter().all(|r| r.generated_by.is_none()));
    let titles: Vec<&str> = reports.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Báo cáo tuần 47 năm 2026 (từ 16/11/2026 đến 22/11/2026)",
            "Báo cáo tháng 10 năm 2026",
            "Báo cáo quý III năm 2026",
        ]
    );
    // The files are in the blob store, readable through either node.
    let pdf = other.blobs.read_all(&reports[1].pdf_sha256).await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}

async fn a_failed_run_is_given_back_and_the_next_pass_retries_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let source = Arc::new(Source::default());
    source.failures_left.store(1, Ordering::SeqCst);
    app.state.set_review_source(source.clone());
    let today = day(2026, 11, 29);
    let error = periodic::run_due(&app.state, today).await.unwrap_err();
    assert!(
        error.to_string().contains("could not be computed"),
        "{error}"
    );
    let (_, total) = report_archive::list(&app.db.db, &ArchiveFilter::default(), 50, 0)
        .await
        .unwrap();
    assert_eq!(total, 0, "nothing half-written");
    let runs = periodic::run_due(&app.state, today).await.unwrap();
    assert_eq!(runs.iter().filter(|r| r.report_id.is_some()).count(), 3);
}

pub(crate) use crate::registers::pdf_text;

pub(crate) fn docx_document(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    // Every run's text, in order.
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut text = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"w:t" => in_text = true,
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"w:t" => in_text = false,
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"w:p" => text.push('\n'),
            quick_xml::events::Event::Text(t) if in_text => text.push_str(&t.decode().unwrap()),
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    text
}

async fn the_archive_lists_filters_exports_and_downloads_reports(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.state.set_review_source(Arc::new(Source::default()));
    periodic::run_due(&app.state, day(2026, 11, 29))
        .await
        .unwrap();
    let leader = app.signed_in("lanhdao", &[Role::AgencyLeader], None).await;
    let page = leader
        .get(app.url("/reports/archive"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Lưu trữ báo cáo"));
    assert!(html.contains("Báo cáo tháng 10 năm 2026"));
    assert!(html.contains("Báo cáo quý III năm 2026"));
    assert!(html.contains("Có 3 báo cáo."));
    assert!(html.contains("Tự động theo lịch"));
    // Filters.
    let monthly = leader
        .get(app.url("/reports/archive?kind=month&year=2026"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(monthly.contains("Báo cáo tháng 10 năm 2026"));
    assert!(!monthly.contains("Báo cáo quý III năm 2026"));
    let none = leader
        .get(app.url("/reports/archive?year=2025"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(none.contains("Chưa có báo cáo nào."));
    let bad = leader
        .get(app.url("/reports/archive?year=hai-nghin"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("Năm không hợp lệ"));
    // The list as CSV and XLSX.
    let csv = leader
        .get(app.url("/reports/archive?kind=quarter&format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(csv.contains("Báo cáo quý III năm 2026") && csv.contains("01/07/2026"));
    assert!(!csv.contains("tháng 10"));
    let xlsx = leader
        .get(app.url("/reports/archive?format=xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.height(), 4, "a header and three reports");
    // Each report's three files, with their types and names.
    let (reports, _) = report_archive::list(
        &app.db.db,
        &ArchiveFilter {
            kind: Some(vanphong_core::report::PeriodKind::Month),
            year: None,
        },
        1,
        0,
    )
    .await
    .unwrap();
    let id = reports[0].id;
    assert!(html.contains(&format!("/reports/archive/{id}/docx")));
    let download = |file: &'static str| {
        let leader = leader.clone();
        let url = app.url(&format!("/reports/archive/{id}/{file}"));
        async move { leader.get(url).send().await.unwrap() }
    };
    let pdf = download("pdf").await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert_eq!(
        pdf.headers()["content-disposition"],
        "attachment; filename=\"bao-cao-month-20261001-20261031.pdf\""
    );
    let text = pdf_text(&pdf.bytes().await.unwrap());
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Kết quả công tác tháng 10 năm 2026",
        "18.935",
        "84,2%",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let docx = download("docx").await;
    assert_eq!(
        docx.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert!(docx.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .ends_with(".docx\""));
    let document = docx_document(&docx.bytes().await.unwrap());
    assert!(document.contains("Kết quả công tác tháng 10 năm 2026"));
    assert!(document.contains("18.935") && document.contains("tăng 11,3%"));
    let xlsx = download("xlsx").await;
    assert_eq!(
        xlsx.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes().await.unwrap())).unwrap();
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    assert!(summary
        .rows()
        .any(|row| row.get(2) == Some(&Data::Float(18_935.0))));
    assert_eq!(download("exe").await.status(), StatusCode::NOT_FOUND);
    let missing = leader
        .get(app.url("/reports/archive/999999/pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn reports_are_generated_on_demand_with_csrf_and_an_audit_event(backend: Backend) {
    let app = TestApp::start(backend).await;
    let source = Arc::new(Source::default());
    app.state.set_review_source(source.clone());
    let leader = app.signed_in("lanhdao", &[Role::AgencyLeader], None).await;
    // Without the form's token.
    let forged = leader
        .post(app.url("/reports/archive/generate"))
        .form(&[("period_kind", "month"), ("day", "15/03/2025")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "refused by the CSRF check"
    );
    // Bad input comes back beside its field.
    for (kind, typed, message) in [
        ("month", "31/02/2025", "Ngày không hợp lệ"),
        ("month", "", "Ngày không hợp lệ"),
        (
            "month",
            "01/01/2999",
            "Kỳ báo cáo phải bắt đầu không muộn hơn hôm nay",
        ),
        ("decade", "15/03/2025", "form.unknown_value"),
    ] {
        let response = app
            .post_form(
                &leader,
                "/reports/archive",
                "/reports/archive/generate",
                &[("period_kind", kind), ("day", typed)],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{typed}"
        );
        let html = response.text().await.unwrap();
        let expected = if message == "form.unknown_value" {
            vanphong_web::i18n::t(vanphong_web::i18n::Lang::Vi, message)
        } else {
            message
        };
        assert!(html.contains(expected), "{expected} for {typed}");
        assert!(
            html.contains(&format!("value=\"{typed}\"")),
            "the typed value is kept"
        );
    }
    assert_eq!(source.calls.load(Ordering::SeqCst), 0);
    let response = app
        .post_form(
            &leader,
            "/reports/archive",
            "/reports/archive/generate",
            &[("period_kind", "month"), ("day", "15/03/2025")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/reports/archive?kind=month");
    assert_eq!(
        source.periods.lock().unwrap().as_slice(),
        [Period::month(2025, 3).unwrap()]
    );
    let (reports, total) = report_archive::list(&app.db.db, &ArchiveFilter::default(), 50, 0)
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(reports[0].title, "Báo cáo tháng 3 năm 2025");
    assert_eq!(
        reports[0].generated_by_name.as_deref(),
        Some("Người dùng lanhdao")
    );
    let html = leader
        .get(app.url("/reports/archive"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Báo cáo tháng 3 năm 2025") && html.contains("Người dùng lanhdao"));
    // On demand twice is two reports (a person may regenerate after corrections).
    let again = app
        .post_form(
            &leader,
            "/reports/archive",
            "/reports/archive/generate",
            &[("period_kind", "month"), ("day", "2025-03-01")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    // Each generation is in the audit trail with its files.
    let events: Vec<(String, Option<i64>)> = match &app.db.db {
        vanphong_store::Db::Sqlite(pool) => sqlx::query_as(
            "SELECT object_id, actor_user_id FROM audit_events WHERE action = 'report.generate' ORDER BY seq",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        vanphong_store::Db::Postgres(pool) => sqlx::query_as(
            "SELECT object_id, actor_user_id FROM audit_events WHERE action = 'report.generate' ORDER BY seq",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|(_, user)| user.is_some()));
}

async fn only_agency_wide_report_readers_see_the_archive(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.state.set_review_source(Arc::new(Source::default()));
    periodic::run_due(&app.state, day(2026, 11, 29))
        .await
        .unwrap();
    let (reports, _) = report_archive::list(&app.db.db, &ArchiveFilter::default(), 1, 0)
        .await
        .unwrap();
    let id = reports[0].id;
    let unit = app.create_unit("Văn phòng", "VP", None).await;
    for (username, role) in [
        ("chuyenvien", Role::Specialist),
        ("truongphong", Role::UnitLeader),
        ("vanthu", Role::RecordsClerk),
        ("quantri", Role::Administrator),
    ] {
        let client = app.signed_in(username, &[role], Some(unit)).await;
        for path in [
            "/reports/archive".to_owned(),
            "/reports/archive?format=csv".to_owned(),
            format!("/reports/archive/{id}/pdf"),
        ] {
            let response = client.get(app.url(&path)).send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{username} {path}"
            );
        }
        let token = app.csrf(&client, "/").await;
        let response = client
            .post(app.url("/reports/archive/generate"))
            .form(&[
                ("_csrf", token.as_str()),
                ("period_kind", "month"),
                ("day", "15/03/2025"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{username} generate"
        );
    }
    let anonymous = TestApp::browser();
    let response = anonymous
        .get(app.url(&format!("/reports/archive/{id}/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login"));
    let (_, total) = report_archive::list(&app.db.db, &ArchiveFilter::default(), 50, 0)
        .await
        .unwrap();
    assert_eq!(total, 3, "no refused request generated anything");
}

on_both_backends!(
    periodic_reports_are_generated_once_by_two_racing_nodes,
    a_failed_run_is_given_back_and_the_next_pass_retries_it,
    the_archive_lists_filters_exports_and_downloads_reports,
    reports_are_generated_on_demand_with_csrf_and_an_audit_event,
    only_agency_wide_report_readers_see_the_archive,
);
