//! Reports over HTTP: the review page and its records, the API with a bad period (422),
//! the page's error beside the field, a reader of one unit told what is left out, the
//! dashboard and its click-through lists, and who may see reports at all.

use super::*;
use chrono::NaiveDate;
use serde_json::Value;
use vanphong_core::document::kind::{DocumentKind, Urgency};
use vanphong_core::document::routing::AssignmentRole;
use vanphong_core::document::NumberAndSymbol;
use vanphong_store::documents::incoming::{self, NewIncoming, Sender};
use vanphong_store::documents::routing::{self, RoutingPart};
use vanphong_store::on_both_backends;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn document(n: usize, arrival: &str, unit: UnitId) -> NewIncoming {
    NewIncoming {
        kind: DocumentKind::Ordinary,
        type_code: "cong_van".into(),
        number_symbol: NumberAndSymbol::parse(&format!("{n}/UBND-KT")).unwrap(),
        document_date: None,
        subject: format!("Văn bản đến số {n} về nước thải"),
        pages: Some(1),
        urgency: Urgency::Normal,
        secrecy: Secrecy::Normal,
        signer_name: String::new(),
        sender: Sender::Named("Ủy ban nhân dân tỉnh Lào Cai".into()),
        arrival_date: day(arrival),
        receiving_unit: Some(unit),
        due_date: None,
        petition_source: None,
        deputy_name: String::new(),
        notes: String::new(),
        attachments: Vec::new(),
    }
}

/// Two units; 2020: two documents for the office, one for the pollution unit (routed to
/// it, open and overdue); 2019: one for the office.
async fn setup(app: &TestApp) -> (UnitId, UnitId, Vec<i64>) {
    let office = app.create_unit("Văn phòng", "VP", None).await;
    let pollution = app.create_unit("Cục Kiểm soát ô nhiễm", "KSON", None).await;
    let origin = Origin::system();
    let mut ids = Vec::new();
    for (n, arrival, unit) in [
        (1, "2020-03-02", office),
        (2, "2020-11-20", office),
        (3, "2020-06-01", pollution),
        (4, "2019-05-05", office),
    ] {
        let doc = incoming::register(&app.db.db, &origin, &document(n, arrival, unit), false)
            .await
            .unwrap();
        ids.push(doc.id);
        if unit == pollution {
            routing::route(
                &app.db.db,
                &origin,
                doc.id,
                doc.version,
                "Chủ trì xử lý",
                &[RoutingPart {
                    unit: pollution,
                    role: AssignmentRole::Lead,
                    due_date: Some(day("2020-06-15")),
                }],
            )
            .await
            .unwrap();
        }
    }
    (office, pollution, ids)
}

async fn json(client: &Client, url: String) -> (StatusCode, Value) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn figure<'a>(review: &'a Value, key: &str) -> &'a Value {
    review["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["figures"].as_array().unwrap())
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no figure {key} in {review}"))
}

async fn the_review_page_its_records_and_the_api_agree(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (office, _, ids) = setup(&app).await;
    let leader = app
        .signed_in("lanhdao", &[Role::AgencyLeader], Some(office))
        .await;

    // The navigation offers reports; the page defaults to this year and renders.
    let home = leader
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("href=\"/reports\""), "{home}");
    let page = leader.get(app.url("/reports")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    let page = leader
        .get(app.url("/reports?kind=year&year=2020"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Báo cáo tổng kết: Năm 2020"), "{page}");
    assert!(page.contains("Văn bản đến đã tiếp nhận"));
    assert!(
        page.contains(
            "href=\"/reports/records/incoming_received?from=2020-01-01&amp;to=2020-12-31\""
        ),
        "{page}"
    );
    assert!(page.contains("<svg"), "the charts are inline SVG");
    assert!(
        page.contains("id=\"report-exports\""),
        "the place for the exports"
    );
    assert!(
        !page.contains("report.figure."),
        "every figure has its title"
    );

    // The records behind the figure: three documents, each linked to its page.
    let records = leader
        .get(app.url("/reports/records/incoming_received?from=2020-01-01&to=2020-12-31"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for id in &ids[..3] {
        assert!(
            records.contains(&format!("href=\"/documents/{id}\"")),
            "{records}"
        );
    }
    assert!(!records.contains(&format!("href=\"/documents/{}\"", ids[3])));
    let csv = leader
        .get(app.url("/reports/records/incoming_received?from=2020-01-01&to=2020-12-31&format=csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 4, "a header and three rows: {csv}");
    assert!(csv.contains("1/UBND-KT"));
    let xlsx = leader
        .get(
            app.url("/reports/records/incoming_received?from=2020-01-01&to=2020-12-31&format=xlsx"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let unknown = leader
        .get(app.url("/reports/records/no_such_figure"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    // The API gives the same figures, with the period before.
    let (status, review) = json(
        &leader,
        app.url("/api/v1/reports/review?from=2020-01-01&to=2020-12-31"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{review}");
    assert_eq!(review["period"]["kind"], "year");
    assert_eq!(review["previous"]["from"], "2019-01-01");
    let received = figure(&review, "incoming_received");
    assert_eq!(
        (received["value"].as_f64(), received["previous"].as_f64()),
        (Some(3.0), Some(1.0))
    );
    assert_eq!(received["label"], "Văn bản đến đã tiếp nhận");
    assert_eq!(
        figure(&review, "incoming_processed")["value"].as_f64(),
        Some(0.0)
    );
    assert!(figure(&review, "work_on_time_rate")["value"].is_null());
    let volumes = review["sections"][0]["charts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "monthly_volumes")
        .unwrap();
    assert_eq!(
        volumes["series"][0]["values"],
        serde_json::json!([0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0])
    );
    assert!(review["hidden_units"].as_array().unwrap().is_empty());
}

async fn a_bad_period_is_refused_beside_its_field(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (office, _, _) = setup(&app).await;
    let leader = app
        .signed_in("lanhdao", &[Role::AgencyLeader], Some(office))
        .await;

    let (status, body) = json(
        &leader,
        app.url("/api/v1/reports/review?from=2020-03-10&to=2020-03-01"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "invalid_period");
    assert!(
        body["error"]["fields"]["to"]
            .as_str()
            .unwrap()
            .contains("Ngày kết thúc"),
        "{body}"
    );
    let (status, body) = json(
        &leader,
        app.url("/api/v1/reports/review?from=2020-02-30&to=2020-03-01"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["from"].is_string(), "{body}");
    let (status, body) = json(&leader, app.url("/api/v1/reports/review?from=2020-01-01")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["to"].is_string(), "{body}");

    let response = leader
        .get(app.url("/reports?kind=custom&from=2020-03-10&to=2020-03-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    let beside = html
        .split("id=\"f-to\"")
        .nth(1)
        .unwrap_or_else(|| panic!("{html}"));
    assert!(
        beside
            .split("</div>")
            .next()
            .unwrap()
            .contains("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."),
        "the message is beside the field: {html}"
    );
    let response = leader
        .get(app.url("/reports?kind=custom&from=ngay-mai&to=2020-03-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"e-from\""), "{html}");
    let response = leader
        .get(app.url("/reports?kind=month&year=2020&month=13"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_unit_leader_sees_their_unit_and_is_told_what_is_left_out(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (office, pollution, ids) = setup(&app).await;
    let unit_leader = app
        .signed_in("truongcuc", &[Role::UnitLeader], Some(pollution))
        .await;
    let (status, review) = json(
        &unit_leader,
        app.url("/api/v1/reports/review?from=2020-01-01&to=2020-12-31"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{review}");
    assert_eq!(
        figure(&review, "incoming_received")["value"].as_f64(),
        Some(1.0)
    );
    assert_eq!(review["hidden_units"], serde_json::json!(["Văn phòng"]));
    assert!(review["sections"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["key"] != "hotline"));
    let page = unit_leader
        .get(app.url("/reports?year=2020"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("không được xem: Văn phòng"), "{page}");
    let records = unit_leader
        .get(app.url("/reports/records/incoming_received?from=2020-01-01&to=2020-12-31"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(records.contains(&format!("href=\"/documents/{}\"", ids[2])));
    assert!(
        !records.contains(&format!("href=\"/documents/{}\"", ids[0])),
        "the office's documents are left out"
    );

    // Specialists and clerks see no reports, and no link to them.
    let specialist = app
        .signed_in("chuyenvien", &[Role::Specialist], Some(office))
        .await;
    assert_eq!(
        specialist
            .get(app.url("/reports"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let (status, _) = json(&specialist, app.url("/api/v1/reports/dashboard")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let home = specialist
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!home.contains("href=\"/reports\""));
    let anonymous = TestApp::browser();
    let (status, _) = json(&anonymous, app.url("/api/v1/reports/review")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn the_dashboard_numbers_open_their_records(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (office, _, ids) = setup(&app).await;
    let leader = app
        .signed_in("lanhdao", &[Role::AgencyLeader], Some(office))
        .await;
    let (status, board) = json(&leader, app.url("/api/v1/reports/dashboard")).await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(board["pending"]["count"], 1);
    assert_eq!(board["overdue"]["count"], 1);
    assert_eq!(board["units"][0]["unit"], "Cục Kiểm soát ô nhiễm");
    let url = board["units"][0]["overdue"]["records_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = leader
        .get(app.url(&url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains(&format!("href=\"/documents/{}\"", ids[2])),
        "{list}"
    );
    let page = leader
        .get(app.url("/reports/dashboard"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("href=\"{}\"", url.replace('&', "&amp;"))),
        "{html}"
    );
    assert!(
        html.contains("Vụ việc đường dây nóng chưa kết thúc"),
        "leaders see the hotline part"
    );
    let missing = leader
        .get(app.url("/reports/dashboard/records/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

/// The review the page shows downloads as PDF, DOCX and XLSX with the same figures; a bad
/// period is refused and a reader without reports gets nothing.
async fn the_review_downloads_as_pdf_docx_and_xlsx(backend: Backend) {
    use calamine::{Data, Reader, Xlsx};
    let app = TestApp::start(backend).await;
    let (office, _, _) = setup(&app).await;
    let leader = app
        .signed_in("lanhdao", &[Role::AgencyLeader], Some(office))
        .await;
    let page = leader
        .get(app.url("/reports?kind=year&year=2020"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("href=\"/reports/review.pdf?from=2020-01-01&amp;to=2020-12-31\""));
    let download = |format: &str| {
        leader
            .get(app.url(&format!(
                "/reports/review.{format}?from=2020-01-01&to=2020-12-31"
            )))
            .send()
    };
    let pdf = download("pdf").await.unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("bao-cao-20200101-20201231.pdf"));
    let text = super::report_archive::pdf_text(&pdf.bytes().await.unwrap());
    assert!(text.contains("BÁO CÁO"), "{text}");
    assert!(text.contains("2020"), "{text}");
    let docx = download("docx").await.unwrap();
    assert_eq!(docx.status(), StatusCode::OK);
    let text = super::report_archive::docx_document(&docx.bytes().await.unwrap());
    assert!(text.contains("BÁO CÁO") && text.contains("2020"), "{text}");
    let xlsx = download("xlsx").await.unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = xlsx.bytes().await.unwrap();
    let mut workbook = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let first = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&first).unwrap();
    // Three documents arrived in 2020, one in 2019: both figures are in the summary.
    let received_row = range
        .rows()
        .find(|row| {
            row.iter().any(
                |cell| matches!(cell, Data::String(s) if s.contains("Văn bản đến đã tiếp nhận")),
            )
        })
        .expect("the incoming figure's row");
    let numbers: Vec<f64> = received_row
        .iter()
        .filter_map(|cell| match cell {
            Data::Float(f) => Some(*f),
            Data::Int(i) => Some(*i as f64),
            _ => None,
        })
        .collect();
    assert_eq!(&numbers[..2], &[3.0, 1.0], "{received_row:?}");

    let unknown = download("exe").await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let bad = leader
        .get(app.url("/reports/review.pdf?from=2020-12-31&to=2020-01-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let clerk = app
        .signed_in("vanthu", &[Role::RecordsClerk], Some(office))
        .await;
    let refused = clerk
        .get(app.url("/reports/review.pdf?kind=year&year=2020"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

on_both_backends!(
    the_review_downloads_as_pdf_docx_and_xlsx,
    the_review_page_its_records_and_the_api_agree,
    a_bad_period_is_refused_beside_its_field,
    a_unit_leader_sees_their_unit_and_is_told_what_is_left_out,
    the_dashboard_numbers_open_their_records,
);
