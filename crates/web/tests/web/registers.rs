//! The registers of Decree 30/2020 as a clerk uses them: the period's rows in order on
//! screen, the same rows in XLSX, PDF (read back as text) and CSV, scope and clearance,
//! bad periods refused beside their field, empty periods, screen pages of 200 rows.

use super::*;
use chrono::NaiveDate;
use std::io::Read;
use vanphong_core::document::kind::{DocumentKind, Urgency};
use vanphong_core::document::routing::AssignmentRole;
use vanphong_core::document::NumberAndSymbol;
use vanphong_core::org::AgencyCode;
use vanphong_store::documents::incoming::{self, NewIncoming, Sender};
use vanphong_store::documents::routing::{self, RoutingPart, Step};
use vanphong_store::{on_both_backends, Db};

const AGENCY: &str = "Sở Nông nghiệp và Môi trường tỉnh Đồng Nai";
const DECISION: &str = "Quyết định công bố thủ tục hành chính lĩnh vực môi trường";
const PLAN: &str = "Kế hoạch kiểm tra cơ sở xả thải";
const SECRET: &str = "Báo cáo sự cố tràn dầu";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The agency, its units and people, and the November documents of the tests.
struct Office {
    pollution: UnitId,
    clerk: Client,
    decision: i64,
    plan: i64,
}

async fn signed(app: &TestApp, username: &str) -> Client {
    let client = TestApp::browser();
    assert_eq!(
        app.sign_in(&client, username, PASSWORD).await.status(),
        StatusCode::SEE_OTHER,
        "{username}"
    );
    client
}

fn new_incoming(type_code: &str, number: &str, arrival: &str, subject: &str) -> NewIncoming {
    NewIncoming {
        kind: DocumentKind::Ordinary,
        type_code: type_code.into(),
        number_symbol: NumberAndSymbol::parse(number).unwrap(),
        document_date: Some(day(arrival).pred_opt().unwrap()),
        subject: subject.into(),
        pages: Some(1),
        urgency: Urgency::Normal,
        secrecy: Secrecy::Normal,
        signer_name: String::new(),
        sender: Sender::Named("Bộ Nông nghiệp và Môi trường".into()),
        arrival_date: day(arrival),
        receiving_unit: None,
        due_date: None,
        petition_source: None,
        deputy_name: String::new(),
        notes: String::new(),
        attachments: Vec::new(),
    }
}

async fn register(app: &TestApp, new: &NewIncoming) -> i64 {
    incoming::register(&app.db.db, &Origin::system(), new, false)
        .await
        .unwrap()
        .id
}

async fn office(app: &TestApp) -> Office {
    org::save_agency(
        &app.db.db,
        &Origin::system(),
        &org::AgencySettings {
            code: AgencyCode::parse("000.00.22.H19").unwrap(),
            name: AGENCY.into(),
            name_en: String::new(),
            abbreviation: Abbreviation::parse("SNNMT").unwrap(),
            parent_abbreviation: None,
            address: String::new(),
            place_name: "Đồng Nai".into(),
        },
    )
    .await
    .unwrap();
    let office = app.create_unit("Văn phòng", "VP", None).await;
    let pollution = app
        .create_unit("Phòng Kiểm soát ô nhiễm", "KSON", None)
        .await;
    let water = app.create_unit("Phòng Tài nguyên nước", "TNN", None).await;
    app.create_user(
        "vanthu",
        &[Role::RecordsClerk],
        Some(office),
        Secrecy::Normal,
    )
    .await;
    app.create_user(
        "vanthumat",
        &[Role::RecordsClerk],
        Some(office),
        Secrecy::Secret,
    )
    .await;
    app.create_user(
        "truongphong",
        &[Role::UnitLeader],
        Some(pollution),
        Secrecy::Normal,
    )
    .await;
    app.create_user(
        "truongphongnuoc",
        &[Role::UnitLeader],
        Some(water),
        Secrecy::Normal,
    )
    .await;
    app.create_user("quantri", &[Role::Administrator], None, Secrecy::TopSecret)
        .await;
    register(
        app,
        &new_incoming(
            "quyet_dinh",
            "09/QĐ-BNNMT",
            "2026-10-31",
            "Văn bản tháng trước",
        ),
    )
    .await;
    let decision = register(
        app,
        &new_incoming("quyet_dinh", "1756/QĐ-BNNMT", "2026-11-02", DECISION),
    )
    .await;
    let plan = register(
        app,
        &new_incoming("ke_hoach", "27/KH-BNNMT", "2026-11-10", PLAN),
    )
    .await;
    let mut secret = new_incoming("bao_cao", "05/BC-BNNMT", "2026-11-20", SECRET);
    secret.secrecy = Secrecy::Confidential;
    register(app, &secret).await;
    register(
        app,
        &new_incoming(
            "cong_van",
            "300/BNNMT-VP",
            "2026-12-01",
            "Văn bản tháng sau",
        ),
    )
    .await;
    let document = vanphong_store::documents::get(&app.db.db, plan)
        .await
        .unwrap();
    routing::route(
        &app.db.db,
        &Origin::system(),
        plan,
        document.version,
        "Phòng Kiểm soát ô nhiễm chủ trì",
        &[RoutingPart {
            unit: pollution,
            role: AssignmentRole::Lead,
            due_date: Some(day("2026-11-20")),
        }],
    )
    .await
    .unwrap();
    Office {
        pollution,
        clerk: signed(app, "vanthu").await,
        decision,
        plan,
    }
}

async fn get(client: &Client, app: &TestApp, path: &str) -> Response {
    client.get(app.url(path)).send().await.unwrap()
}

async fn html(client: &Client, app: &TestApp, path: &str) -> String {
    let response = get(client, app, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

async fn bytes(client: &Client, app: &TestApp, path: &str, content_type: &str) -> Vec<u8> {
    let response = get(client, app, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let header = response
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(header.starts_with(content_type), "{path}: {header}");
    let disposition = response
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"so-"),
        "{disposition}"
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    // For looking at the files (pdftoppm, a spreadsheet): VANPHONG_TEST_ARTIFACTS=/some/dir.
    if let Ok(dir) = std::env::var("VANPHONG_TEST_ARTIFACTS") {
        let name = disposition.split('"').nth(1).unwrap_or("register");
        std::fs::write(std::path::Path::new(&dir).join(name), &bytes).unwrap();
    }
    bytes
}

/// The text of every page of a PDF, as a reader's copy and paste would give it.
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"));
    let document = lopdf::Document::load_mem(bytes).expect("the PDF parses");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    document.extract_text(&pages).expect("the PDF's text")
}

/// The data records of a CSV download (cells may hold line breaks).
fn csv_records(bytes: &[u8]) -> usize {
    csv::Reader::from_reader(bytes)
        .records()
        .collect::<Result<Vec<_>, _>>()
        .expect("the CSV parses")
        .len()
}

fn pdf_pages(bytes: &[u8]) -> usize {
    lopdf::Document::load_mem(bytes).unwrap().get_pages().len()
}

/// The strings and the first sheet of an XLSX file.
fn xlsx_text(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the XLSX is a zip");
    let mut text = String::new();
    for name in ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"] {
        archive
            .by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the XLSX"))
            .read_to_string(&mut text)
            .unwrap();
    }
    text
}

/// The rows of the register table on a page: one link to the document per row.
fn row_links(html: &str) -> Vec<i64> {
    let table = html
        .split("<table class=\"list register\"")
        .nth(1)
        .unwrap_or("");
    table
        .match_indices("href=\"/documents/")
        .map(|(at, m)| {
            table[at + m.len()..]
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect()
}

const NOVEMBER: &str = "from=2026-11-01&to=2026-11-30";

async fn incoming_register_shows_the_period_and_downloads_the_same_rows(backend: Backend) {
    let app = TestApp::start(backend).await;
    let o = office(&app).await;
    let page = html(&o.clerk, &app, &format!("/registers/incoming?{NOVEMBER}")).await;
    assert_eq!(row_links(&page), vec![o.decision, o.plan], "{page}");
    assert!(page.contains("<strong>2</strong>"), "the count");
    assert!(page.contains("1756/QĐ-BNNMT") && page.contains(DECISION));
    assert!(
        page.contains("Phòng Kiểm soát ô nhiễm"),
        "the receiving unit"
    );
    assert!(!page.contains(SECRET) && !page.contains("tháng trước") && !page.contains("tháng sau"));
    for format in ["xlsx", "pdf", "csv"] {
        let link =
            format!("/registers/incoming?from=2026-11-01&amp;to=2026-11-30&amp;format={format}");
        assert!(page.contains(&link), "{link}");
    }

    let xlsx = bytes(
        &o.clerk,
        &app,
        &format!("/registers/incoming?{NOVEMBER}&format=xlsx"),
        "application/vnd.openxmlformats",
    )
    .await;
    let sheet = xlsx_text(&xlsx);
    for expected in [
        "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
        DECISION,
        PLAN,
        "1756/QĐ-BNNMT",
        "Ngày đến",
        "Ký nhận",
        "Từ ngày 01/11/2026 đến ngày 30/11/2026",
    ] {
        assert!(sheet.contains(expected), "{expected} in the XLSX");
    }
    assert!(!sheet.contains(SECRET));

    let pdf = bytes(
        &o.clerk,
        &app,
        &format!("/registers/incoming?{NOVEMBER}&format=pdf"),
        "application/pdf",
    )
    .await;
    let text = pdf_text(&pdf);
    for expected in [
        "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG TỈNH ĐỒNG NAI",
        "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
        "Từ ngày 01/11/2026 đến ngày 30/11/2026",
        "Quyết định",
        "Kế hoạch",
        "1756/QĐ-BNNMT",
        "27/KH-BNNMT",
        "02/11/2026",
        "Trang 1/1",
    ] {
        assert!(text.contains(expected), "{expected} in the PDF: {text}");
    }
    assert!(!text.contains("tràn dầu"));

    let csv = bytes(
        &o.clerk,
        &app,
        &format!("/registers/incoming?{NOVEMBER}&format=csv"),
        "text/csv",
    )
    .await;
    assert_eq!(csv_records(&csv), 2);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.find("1756/QĐ-BNNMT").unwrap() < csv.find("27/KH-BNNMT").unwrap());

    // The English interface writes the same book in English.
    o.clerk
        .get(app.url("/lang/en?next=/"))
        .send()
        .await
        .unwrap();
    let pdf = bytes(
        &o.clerk,
        &app,
        &format!("/registers/incoming?{NOVEMBER}&format=pdf"),
        "application/pdf",
    )
    .await;
    let text = pdf_text(&pdf);
    assert!(
        text.contains("INCOMING REGISTER")
            && text.contains("Decision")
            && text.contains("Page 1 of 1"),
        "{text}"
    );
}

async fn registers_apply_the_readers_scope_and_clearance(backend: Backend) {
    let app = TestApp::start(backend).await;
    let o = office(&app).await;
    // Cleared for secret documents.
    let cleared = signed(&app, "vanthumat").await;
    let page = html(&cleared, &app, &format!("/registers/incoming?{NOVEMBER}")).await;
    assert_eq!(row_links(&page).len(), 3);
    let pdf = bytes(
        &cleared,
        &app,
        &format!("/registers/incoming?{NOVEMBER}&format=pdf"),
        "application/pdf",
    )
    .await;
    assert!(pdf_text(&pdf).contains("05/BC-BNNMT"));

    // The leader of the department that handles the plan sees the plan only, also in the
    // unit select; the leader of another department sees an empty book.
    let leader = signed(&app, "truongphong").await;
    let page = html(&leader, &app, &format!("/registers/follow-up?{NOVEMBER}")).await;
    assert_eq!(row_links(&page), vec![o.plan]);
    assert!(page.contains(&format!("value=\"{}\"", o.pollution.0)));
    assert!(
        !page.contains("Phòng Tài nguyên nước"),
        "units outside the scope are not offered"
    );
    let other = signed(&app, "truongphongnuoc").await;
    for register in ["incoming", "follow-up", "outgoing"] {
        let page = html(&other, &app, &format!("/registers/{register}?{NOVEMBER}")).await;
        assert!(row_links(&page).is_empty(), "{register}");
        assert!(page.contains("Không có văn bản nào trong khoảng thời gian này."));
        let pdf = bytes(
            &other,
            &app,
            &format!("/registers/{register}?{NOVEMBER}&format=pdf"),
            "application/pdf",
        )
        .await;
        let text = pdf_text(&pdf);
        assert!(
            !text.contains("BNNMT") && text.contains("Không có văn bản nào"),
            "{text}"
        );
        let xlsx = bytes(
            &other,
            &app,
            &format!("/registers/{register}?{NOVEMBER}&format=xlsx"),
            "application/vnd.openxmlformats",
        )
        .await;
        assert!(!xlsx_text(&xlsx).contains("BNNMT"));
    }
    // The unit filter of a clerk narrows the book to the department's documents.
    let page = html(
        &o.clerk,
        &app,
        &format!("/registers/incoming?{NOVEMBER}&unit_id={}", o.pollution.0),
    )
    .await;
    assert_eq!(row_links(&page), vec![o.plan]);
    let xlsx = bytes(
        &o.clerk,
        &app,
        &format!(
            "/registers/incoming?{NOVEMBER}&unit_id={}&format=xlsx",
            o.pollution.0
        ),
        "application/vnd.openxmlformats",
    )
    .await;
    let sheet = xlsx_text(&xlsx);
    assert!(
        sheet.contains(PLAN)
            && !sheet.contains(DECISION)
            && sheet.contains("Đơn vị: Phòng Kiểm soát ô nhiễm")
    );

    // An administrator administers and reads no records; a visitor must sign in.
    let admin = signed(&app, "quantri").await;
    assert_eq!(
        get(&admin, &app, "/registers/incoming").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&admin, &app, "/registers/outgoing?format=pdf")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let visitor = TestApp::browser();
    let response = get(&visitor, &app, "/registers/incoming?format=xlsx").await;
    assert_ne!(response.status(), StatusCode::OK);
    assert!(
        location(&response).starts_with("/login"),
        "{}",
        location(&response)
    );
}

async fn bad_periods_are_refused_beside_their_field(backend: Backend) {
    let app = TestApp::start(backend).await;
    let o = office(&app).await;
    let reversed = get(
        &o.clerk,
        &app,
        "/registers/incoming?from=2026-11-30&to=2026-11-01",
    )
    .await;
    assert_eq!(reversed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = reversed.text().await.unwrap();
    let field = page.split("id=\"f-to\"").nth(1).expect("the end field");
    let message = "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu.";
    assert!(
        field.split("</div>").next().unwrap().contains(message),
        "{page}"
    );
    assert!(
        page.contains("value=\"2026-11-30\""),
        "what was typed is kept"
    );
    assert!(row_links(&page).is_empty());

    let malformed = get(
        &o.clerk,
        &app,
        "/registers/outgoing?from=2026-13-45&to=2026-11-30&format=pdf",
    )
    .await;
    assert_eq!(malformed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = malformed.text().await.unwrap();
    let field = page.split("id=\"f-from\"").nth(1).expect("the start field");
    assert!(
        field
            .split("</div>")
            .next()
            .unwrap()
            .contains("Ngày không hợp lệ"),
        "{page}"
    );
    let unit = get(&o.clerk, &app, "/registers/follow-up?unit_id=abc").await;
    assert_eq!(unit.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // An empty period is an empty register, on screen and in every download.
    let empty = "/registers/incoming?from=2025-01-01&to=2025-12-31";
    let page = html(&o.clerk, &app, empty).await;
    assert!(page.contains("Không có văn bản nào trong khoảng thời gian này."));
    let pdf = bytes(
        &o.clerk,
        &app,
        &format!("{empty}&format=pdf"),
        "application/pdf",
    )
    .await;
    assert_eq!(pdf_pages(&pdf), 1);
    assert!(pdf_text(&pdf).contains("Không có văn bản nào"));
    let xlsx = bytes(
        &o.clerk,
        &app,
        &format!("{empty}&format=xlsx"),
        "application/vnd.openxmlformats",
    )
    .await;
    assert!(xlsx_text(&xlsx).contains("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"));
    // A huge period is fine; a missing one is the current month.
    let huge = html(
        &o.clerk,
        &app,
        "/registers/incoming?from=1900-01-01&to=9999-12-31",
    )
    .await;
    assert_eq!(row_links(&huge).len(), 4);
    let default = html(&o.clerk, &app, "/registers/incoming").await;
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .date_naive();
    assert!(
        default.contains(&format!("value=\"{}\"", today.format("%Y-%m-01"))),
        "{default}"
    );
}

async fn execute(db: &Db, sql: &str) -> i64 {
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// An issued outgoing document as the numbering step leaves it.
async fn issued(
    app: &TestApp,
    number: i64,
    symbol: &str,
    issued_on: &str,
    type_code: &str,
    subject: &str,
) -> i64 {
    execute(
        &app.db.db,
        &format!(
            "INSERT INTO documents (direction, type_code, number, symbol, number_symbol, document_date, subject, \
             signer_name, signer_position, signing_authority, status, series_id, issue_year, issued_on, recipients_text, \
             copies, created_at, updated_at) VALUES ('outgoing', '{type_code}', {number}, '{symbol}', '{number:02}/{symbol}', \
             '{issued_on}', '{subject}', 'Lê Văn Minh', 'Giám đốc', 'own', 'issued', 1, 2026, '{issued_on}', \
             'Bộ Nông nghiệp và Môi trường; UBND tỉnh Đồng Nai', 3, '2026-11-01T01:00:00+00:00', \
             '2026-11-01T01:00:00+00:00') RETURNING id"
        ),
    )
    .await
}

async fn outgoing_and_follow_up_registers_in_the_decree_layout(backend: Backend) {
    let app = TestApp::start(backend).await;
    let o = office(&app).await;
    let second = issued(
        &app,
        2,
        "QĐ-SNNMT",
        "2026-11-12",
        "quyet_dinh",
        "Quyết định phê duyệt phương án bảo vệ môi trường",
    )
    .await;
    let first = issued(
        &app,
        1,
        "SNNMT-KSON",
        "2026-11-03",
        "cong_van",
        "Trả lời kế hoạch kiểm tra",
    )
    .await;
    issued(&app, 3, "SNNMT-VP", "2026-12-02", "cong_van", "Tháng sau").await;
    let page = html(&o.clerk, &app, &format!("/registers/outgoing?{NOVEMBER}")).await;
    assert_eq!(row_links(&page), vec![first, second]);
    assert!(page.contains("Lê Văn Minh") && page.contains("UBND tỉnh Đồng Nai"));
    let pdf = bytes(
        &o.clerk,
        &app,
        &format!("/registers/outgoing?{NOVEMBER}&format=pdf"),
        "application/pdf",
    )
    .await;
    let text = pdf_text(&pdf);
    for expected in [
        "SỔ ĐĂNG KÝ VĂN BẢN ĐI",
        "01/SNNMT-KSON",
        "02/QĐ-SNNMT",
        "Quyết định",
        "Người ký",
        "Lê Văn Minh",
    ] {
        assert!(text.contains(expected), "{expected} in the PDF: {text}");
    }
    assert!(text.find("01/SNNMT-KSON").unwrap() < text.find("02/QĐ-SNNMT").unwrap());
    let xlsx = bytes(
        &o.clerk,
        &app,
        &format!("/registers/outgoing?{NOVEMBER}&format=xlsx"),
        "application/vnd.openxmlformats",
    )
    .await;
    assert!(xlsx_text(&xlsx).contains("Quyết định phê duyệt phương án bảo vệ môi trường"));

    // The plan is handled by the department, which reports progress and replies with the
    // first outgoing document.
    let db = &app.db.db;
    let handler = app
        .create_user(
            "chuyenvien",
            &[Role::Specialist],
            Some(o.pollution),
            Secrecy::Normal,
        )
        .await;
    let assignment = routing::assignments(db, o.plan).await.unwrap().remove(0);
    let as_handler = Origin {
        user_id: Some(handler.id),
        label: "chuyenvien".into(),
        address: "127.0.0.1".into(),
    };
    let assignment = routing::apply(
        db,
        &as_handler,
        assignment.id,
        assignment.version,
        Step::NameHandler {
            handler: handler.id,
        },
    )
    .await
    .unwrap();
    let assignment = routing::apply(
        db,
        &as_handler,
        assignment.id,
        assignment.version,
        Step::ReportProgress {
            note: "Đã kiểm tra hai cơ sở".into(),
            percent: Some(50),
        },
    )
    .await
    .unwrap();
    routing::apply(
        db,
        &as_handler,
        assignment.id,
        assignment.version,
        Step::Finish {
            result: "Đã báo cáo".into(),
            reply_document_id: Some(first),
        },
    )
    .await
    .unwrap();
    let page = html(&o.clerk, &app, &format!("/registers/follow-up?{NOVEMBER}")).await;
    assert_eq!(row_links(&page), vec![o.decision, o.plan]);
    for expected in [
        "20/11/2026",
        "Đã giải quyết",
        "Đã kiểm tra hai cơ sở (50%)",
        "01/SNNMT-KSON",
        "Người dùng chuyenvien",
    ] {
        assert!(page.contains(expected), "{expected} on the follow-up page");
    }
    let pdf = bytes(
        &o.clerk,
        &app,
        &format!("/registers/follow-up?{NOVEMBER}&format=pdf"),
        "application/pdf",
    )
    .await;
    let text = pdf_text(&pdf);
    for expected in [
        "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN",
        "Kế hoạch số 27/KH-BNNMT",
        "01/SNNMT-KSON",
        "Tiến độ giải quyết",
    ] {
        assert!(text.contains(expected), "{expected} in the PDF: {text}");
    }
}

async fn the_screen_shows_200_rows_a_page_and_downloads_hold_them_all(backend: Backend) {
    let app = TestApp::start(backend).await;
    let o = office(&app).await;
    let mut tasks = Vec::new();
    for i in 0..203 {
        let db = app.db.db.clone();
        tasks.push(tokio::spawn(async move {
            let new = new_incoming(
                "cong_van",
                &format!("{}/BNNMT-VP", 1000 + i),
                "2026-11-25",
                &format!("Công văn số {i}"),
            );
            incoming::register(&db, &Origin::system(), &new, false)
                .await
                .unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let first = html(&o.clerk, &app, &format!("/registers/incoming?{NOVEMBER}")).await;
    assert_eq!(row_links(&first).len(), 200);
    assert!(first.contains("<strong>205</strong>") && first.contains("Trang 1/2"));
    let second = html(
        &o.clerk,
        &app,
        &format!("/registers/incoming?{NOVEMBER}&page=2"),
    )
    .await;
    assert_eq!(row_links(&second).len(), 5);
    let csv = bytes(
        &o.clerk,
        &app,
        &format!("/registers/incoming?{NOVEMBER}&format=csv"),
        "text/csv",
    )
    .await;
    assert_eq!(csv_records(&csv), 205);
    let pdf = bytes(
        &o.clerk,
        &app,
        &format!("/registers/incoming?{NOVEMBER}&format=pdf"),
        "application/pdf",
    )
    .await;
    let pages = pdf_pages(&pdf);
    assert!(pages > 5, "{pages} pages");
    let text = pdf_text(&pdf);
    assert!(text.contains(&format!("Trang {pages}/{pages}")));
    // The column headers are repeated on every page.
    assert_eq!(text.matches("Tên loại và trích yếu").count(), pages);
}

on_both_backends!(
    incoming_register_shows_the_period_and_downloads_the_same_rows,
    registers_apply_the_readers_scope_and_clearance,
    bad_periods_are_refused_beside_their_field,
    outgoing_and_follow_up_registers_in_the_decree_layout,
    the_screen_shows_200_rows_a_page_and_downloads_hold_them_all,
);
