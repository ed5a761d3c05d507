//! Procedure dossiers over HTTP: the catalogue and its XLSX file, reception at the desk with
//! the receipt, routing and the result, the public submission and tracking pages, the
//! refusals that leave nothing behind, the API and the statistics.

use super::*;
use vanphong_core::org::AgencyCode;
use vanphong_store::dossiers::lists::{self, DossierFilter, DossierScope};
use vanphong_store::on_both_backends;

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R', 0, 0, 0,
    1, 0, 0, 0, 1, 8, 2, 0, 0, 0,
];

/// The agency with its one-stop desk and a handling department; an administrator, an
/// officer at the desk and a specialist of the department are signed in.
struct Desk {
    admin: Client,
    officer: Client,
    specialist: Client,
    handling: UnitId,
}

async fn desk(app: &TestApp) -> Desk {
    org::save_agency(
        &app.db.db,
        &Origin::system(),
        &org::AgencySettings {
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
    let one_stop = app.create_unit("Bộ phận Một cửa", "MC", None).await;
    let handling = app
        .create_unit(
            "Cục Thẩm định và Đánh giá tác động môi trường",
            "TĐĐG",
            None,
        )
        .await;
    Desk {
        admin: app.signed_in("quantri", &[Role::Administrator], None).await,
        officer: app
            .signed_in("motcua", &[Role::OneStopOfficer], Some(one_stop))
            .await,
        specialist: app
            .signed_in("chuyenvien", &[Role::Specialist], Some(handling))
            .await,
        handling,
    }
}

/// Announces a procedure through the form and returns its id.
async fn announce(app: &TestApp, desk: &Desk, code: &str, days: &str) -> i64 {
    let handling = desk.handling.to_string();
    let response = app
        .post_form(
            &desk.admin,
            "/procedures/new",
            "/procedures",
            &[
                ("code", code),
                ("name", "Cấp giấy phép môi trường"),
                ("field", "Môi trường"),
                ("level", "central"),
                ("steps", "Tiếp nhận\nThẩm định\nCấp phép"),
                ("components", "Văn bản đề nghị cấp giấy phép | Mẫu số 01\nBáo cáo đề xuất cấp giấy phép | Mẫu số 02\n*Bản sao quyết định phê duyệt ĐTM"),
                ("processing_days", days),
                ("applicants", "Tổ chức, cá nhân"),
                ("implementing_agency", "Bộ Nông nghiệp và Môi trường"),
                ("handling_unit_id", &handling),
                ("result", "Giấy phép môi trường"),
                ("fee", "50.000.000"),
                ("decision", "1756/QĐ-BTNMT"),
                ("decision_date", "2020-12-17"),
            ],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        response.text().await.unwrap()
    );
    location(&response)
        .trim_start_matches("/procedures/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn reception_form(
    token: &str,
    procedure: i64,
    date: &str,
    provided: &[&str],
    files: Vec<(&str, &str, &[u8])>,
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new()
        .text("_csrf", token.to_owned())
        .text("procedure_id", procedure.to_string())
        .text("applicant_name", "Công ty TNHH Giấy Sài Gòn")
        .text("applicant_phone", "0912 345 678")
        .text(
            "applicant_address",
            "Khu công nghiệp Mỹ Xuân, Bà Rịa - Vũng Tàu",
        )
        .text("subject", "Nhà máy giấy Mỹ Xuân")
        .text("received_on", date.to_owned());
    for p in provided {
        form = form.text("provided", p.to_string());
    }
    for (field, name, bytes) in files {
        form = form.part(
            field.to_owned(),
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    }
    form
}

async fn receive(
    app: &TestApp,
    client: &Client,
    procedure: i64,
    date: &str,
    provided: &[&str],
    files: Vec<(&str, &str, &[u8])>,
) -> Response {
    let token = app
        .csrf(client, &format!("/dossiers/new?procedure_id={procedure}"))
        .await;
    client
        .post(app.url(&format!("/dossiers?_csrf={token}")))
        .multipart(reception_form(&token, procedure, date, provided, files))
        .send()
        .await
        .unwrap()
}

async fn count(app: &TestApp) -> i64 {
    lists::count_up_to(
        &app.db.db,
        &DossierScope::ALL,
        &DossierFilter::default(),
        1000,
    )
    .await
    .unwrap()
}

fn dossier_id(response: &Response) -> i64 {
    location(response)
        .trim_start_matches("/dossiers/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn act(app: &TestApp, client: &Client, id: i64, fields: &[(&str, &str)]) -> Response {
    let version = vanphong_store::dossiers::get(&app.db.db, id)
        .await
        .unwrap()
        .version
        .to_string();
    let mut all = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    app.post_form(
        client,
        &format!("/dossiers/{id}"),
        &format!("/dossiers/{id}/act"),
        &all,
    )
    .await
}

async fn a_dossier_goes_from_the_counter_to_its_result(backend: Backend) {
    let app = TestApp::start(backend).await;
    let desk = desk(&app).await;
    let procedure = announce(&app, &desk, "1.010727", "20").await;
    // Received today (or the next working day), so the routing below is checked against a due date ahead.
    let calendar = app.state.calendar().await.unwrap();
    let on = calendar
        .add_working_days(vanphong_web::vietnam_today(), 0)
        .unwrap();
    let code = format!("000.00.16.H49-{}-0001", on.format("%y%m%d"));
    let response = receive(
        &app,
        &desk.officer,
        procedure,
        &on.to_string(),
        &["1"],
        vec![("file_0", "don-de-nghi.pdf", PDF)],
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        response.text().await.unwrap()
    );
    let id = dossier_id(&response);
    let d = vanphong_store::dossiers::get(&app.db.db, id).await.unwrap();
    assert_eq!(d.code, code);
    assert_eq!(
        d.due_date,
        Some(
            calendar
                .add_working_days(d.received_on.unwrap(), 20)
                .unwrap()
        )
    );
    let page = desk
        .officer
        .get(app.url(&format!("/dossiers/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&code));
    assert!(page.contains("don-de-nghi.pdf"));

    let receipt = desk
        .officer
        .get(app.url(&format!("/dossiers/{id}/receipt.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(receipt.status(), StatusCode::OK);
    let bytes = receipt.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let pdf = lopdf::Document::load_mem(&bytes).unwrap();
    let text = pdf.extract_text(&[1]).unwrap();
    assert!(
        text.contains(&d.due_date.unwrap().format("%d/%m/%Y").to_string()),
        "{text}"
    );

    // Routed with steps that would end after the due date: refused beside the field.
    let handling = desk.handling.to_string();
    let too_long = act(
        &app,
        &desk.officer,
        id,
        &[
            ("action", "route"),
            ("unit_id", &handling),
            ("step_name_0", "Thẩm định"),
            ("step_days_0", "300"),
        ],
    )
    .await;
    assert_eq!(too_long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_long
        .text()
        .await
        .unwrap()
        .contains("sau hạn giải quyết"));
    let routed = act(
        &app,
        &desk.officer,
        id,
        &[
            ("action", "route"),
            ("unit_id", &handling),
            ("step_name_0", "Thẩm định"),
            ("step_days_0", "5"),
        ],
    )
    .await;
    assert_eq!(routed.status(), StatusCode::SEE_OTHER);
    // The officer is not the handler; the specialist of the handling unit finishes.
    let refused = act(&app, &desk.officer, id, &[("action", "finish")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // It will be late: the handler gives an apology slip with a new date (a working day).
    let due = d.due_date.unwrap();
    let holiday = act(
        &app,
        &desk.specialist,
        id,
        &[
            ("action", "apologise"),
            ("new_date", "2026-09-02"),
            ("reason", "Cần lấy ý kiến các bộ"),
        ],
    )
    .await;
    assert_eq!(holiday.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let new_date = calendar.add_working_days(due, 3).unwrap().to_string();
    let apologised = act(
        &app,
        &desk.specialist,
        id,
        &[
            ("action", "apologise"),
            ("new_date", &new_date),
            ("reason", "Cần lấy ý kiến các bộ"),
        ],
    )
    .await;
    assert_eq!(apologised.status(), StatusCode::SEE_OTHER);
    let slip = desk
        .officer
        .get(app.url(&format!("/dossiers/{id}/apology.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(slip.status(), StatusCode::OK);
    let slip = lopdf::Document::load_mem(&slip.bytes().await.unwrap()).unwrap();
    let slip_text = slip.extract_text(&[1]).unwrap();
    let new_day = chrono::NaiveDate::parse_from_str(&new_date, "%Y-%m-%d")
        .unwrap()
        .format("%d/%m/%Y")
        .to_string();
    assert!(slip_text.contains(&new_day), "{slip_text}");
    let finished = act(
        &app,
        &desk.specialist,
        id,
        &[("action", "finish"), ("note", "Đã cấp giấy phép")],
    )
    .await;
    assert_eq!(finished.status(), StatusCode::SEE_OTHER);
    let returned = act(&app, &desk.officer, id, &[("action", "return_result")]).await;
    assert_eq!(returned.status(), StatusCode::SEE_OTHER);
    let rated = act(
        &app,
        &desk.officer,
        id,
        &[("action", "rate"), ("rating", "5")],
    )
    .await;
    assert_eq!(rated.status(), StatusCode::SEE_OTHER);
    let d = vanphong_store::dossiers::get(&app.db.db, id).await.unwrap();
    assert_eq!(d.status, 10);
    assert_eq!(d.rating, Some(5));
    assert!(d.timeliness.is_some());

    // The queue, its export and the statistics.
    let queue = desk
        .officer
        .get(app.url("/dossiers?q=giay+my+xuan"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains(&code));
    let csv = desk
        .officer
        .get(app.url("/dossiers?format=csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains(&code) && csv.contains("Công ty TNHH Giấy Sài Gòn"));
    let stats = desk
        .specialist
        .get(app.url(&format!("/dossiers/statistics?from={on}&to={on}")))
        .send()
        .await
        .unwrap();
    assert_eq!(stats.status(), StatusCode::OK);
    assert!(stats.text().await.unwrap().contains("1.010727"));
    // The administrator administers the catalogue but reads no dossiers.
    let admin_list = desk.admin.get(app.url("/dossiers")).send().await.unwrap();
    assert_eq!(admin_list.status(), StatusCode::FORBIDDEN);
}

/// Posts the result form of the dossier page (finish or attach_result) with these files.
async fn send_result(
    app: &TestApp,
    client: &Client,
    id: i64,
    action: &str,
    files: Vec<(&str, &[u8])>,
) -> Response {
    let version = vanphong_store::dossiers::get(&app.db.db, id)
        .await
        .unwrap()
        .version;
    let token = app.csrf(client, &format!("/dossiers/{id}")).await;
    let mut form = reqwest::multipart::Form::new()
        .text("version", version.to_string())
        .text("action", action.to_owned())
        .text("note", "Giấy phép đã ký");
    for (name, bytes) in files {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    }
    client
        .post(app.url(&format!("/dossiers/{id}/result?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn page_of(client: &Client, app: &TestApp, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn fee_payment_stop_and_result_files_on_the_dossier_page(backend: Backend) {
    // Files over 64 KiB are refused, to test the limit without sending megabytes.
    let app = TestApp::start_with(backend, vanphong_web::WebConfig::default(), 64 * 1024).await;
    let desk = desk(&app).await;
    let procedure = announce(&app, &desk, "1.010727", "20").await;
    let calendar = app.state.calendar().await.unwrap();
    let on = calendar
        .add_working_days(vanphong_web::vietnam_today(), 0)
        .unwrap();
    let response = receive(
        &app,
        &desk.officer,
        procedure,
        &on.to_string(),
        &["0", "1"],
        Vec::new(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let id = dossier_id(&response);
    let code = vanphong_store::dossiers::get(&app.db.db, id)
        .await
        .unwrap()
        .code;
    let handling = desk.handling.to_string();
    let routed = act(
        &app,
        &desk.officer,
        id,
        &[
            ("action", "route"),
            ("unit_id", &handling),
            ("step_name_0", "Thẩm định"),
            ("step_days_0", "5"),
        ],
    )
    .await;
    assert_eq!(routed.status(), StatusCode::SEE_OTHER);

    // The handler asks for the fee: a bad amount and a missing note are refused beside the fields.
    let page = page_of(&desk.specialist, &app, &format!("/dossiers/{id}")).await;
    assert!(page.contains("value=\"request_fee_payment\""), "{page}");
    assert!(page.contains("value=\"stop\""));
    let bad = act(
        &app,
        &desk.specialist,
        id,
        &[("action", "request_fee_payment"), ("amount", "mười triệu")],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad = bad.text().await.unwrap();
    assert!(bad.contains("Số tiền không hợp lệ."), "{bad}");
    assert_eq!(
        vanphong_store::dossiers::get(&app.db.db, id)
            .await
            .unwrap()
            .status,
        4
    );
    let asked = act(
        &app,
        &desk.specialist,
        id,
        &[
            ("action", "request_fee_payment"),
            ("amount", "1.500.000"),
            ("fee_note", "Nộp phí thẩm định vào tài khoản của Cục"),
        ],
    )
    .await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    let d = vanphong_store::dossiers::get(&app.db.db, id).await.unwrap();
    assert_eq!((d.status, d.fee, d.fee_paid), (6, 1_500_000, false));
    let page = page_of(&desk.officer, &app, &format!("/dossiers/{id}")).await;
    assert!(page.contains("Chờ nộp phí"), "{page}");
    assert!(page.contains("id=\"paused\""));
    assert!(page.contains("value=\"confirm_fee_payment\""));
    assert!(!page.contains("value=\"finish\""));
    // A stale form is a conflict and changes nothing.
    let token = app.csrf(&desk.officer, &format!("/dossiers/{id}")).await;
    let stale = desk
        .officer
        .post(app.url(&format!("/dossiers/{id}/act")))
        .form(&[
            ("_csrf", token.as_str()),
            ("version", &(d.version - 1).to_string()),
            ("action", "confirm_fee_payment"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let paid = act(
        &app,
        &desk.officer,
        id,
        &[
            ("action", "confirm_fee_payment"),
            ("note", "Biên lai 0012345"),
        ],
    )
    .await;
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    let d = vanphong_store::dossiers::get(&app.db.db, id).await.unwrap();
    assert_eq!((d.status, d.fee_paid, d.paused_on), (4, true, None));

    // Stopped, then resumed; a stop needs its reason.
    let no_reason = act(&app, &desk.specialist, id, &[("action", "stop")]).await;
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let stopped = act(
        &app,
        &desk.specialist,
        id,
        &[
            ("action", "stop"),
            ("stop_reason", "Chờ kết luận thanh tra"),
        ],
    )
    .await;
    assert_eq!(stopped.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        vanphong_store::dossiers::get(&app.db.db, id)
            .await
            .unwrap()
            .status,
        8
    );
    // The citizen sees the pause on the tracking page.
    let citizen = TestApp::browser();
    let track = |citizen: Client| {
        let app = &app;
        let code = code.clone();
        async move {
            let token = app.csrf(&citizen, "/public/tracking").await;
            citizen
                .post(app.url("/public/tracking"))
                .form(&[
                    ("_csrf", token.as_str()),
                    ("code", &code),
                    ("phone_tail", "5678"),
                ])
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let tracked = track(citizen.clone()).await;
    assert!(tracked.contains("Dừng xử lý"), "{tracked}");
    assert!(tracked.contains("id=\"clock-stopped\""));
    assert!(!tracked.contains("id=\"result-ready\""));
    let resumed = act(&app, &desk.specialist, id, &[("action", "resume")]).await;
    assert_eq!(resumed.status(), StatusCode::SEE_OTHER);

    // The result: a file of the wrong kind and one over the limit are refused, nothing recorded.
    let page = page_of(&desk.specialist, &app, &format!("/dossiers/{id}")).await;
    assert!(page.contains("id=\"form-finish\""), "{page}");
    let wrong = send_result(
        &app,
        &desk.specialist,
        id,
        "finish",
        vec![("giay-phep.pdf", PNG)],
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = wrong.text().await.unwrap();
    assert!(
        wrong.contains("Nội dung tệp không khớp với phần mở rộng"),
        "{wrong}"
    );
    let script = send_result(
        &app,
        &desk.specialist,
        id,
        "finish",
        vec![("ket-qua.sh", b"#!/bin/sh\n")],
    )
    .await;
    assert_eq!(script.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut big = PDF.to_vec();
    big.resize(100 * 1024, b' ');
    let too_big = send_result(
        &app,
        &desk.specialist,
        id,
        "finish",
        vec![("giay-phep.pdf", &big)],
    )
    .await;
    assert_eq!(too_big.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_big
        .text()
        .await
        .unwrap()
        .contains("Tệp hoặc nội dung gửi lên quá lớn."));
    let d = vanphong_store::dossiers::get(&app.db.db, id).await.unwrap();
    assert_eq!(d.status, 4);
    assert!(vanphong_store::dossiers::files(&app.db.db, id)
        .await
        .unwrap()
        .is_empty());
    // The desk may not finish for the handling unit.
    let forbidden = send_result(
        &app,
        &desk.officer,
        id,
        "finish",
        vec![("giay-phep.pdf", PDF)],
    )
    .await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);

    let finished = send_result(
        &app,
        &desk.specialist,
        id,
        "finish",
        vec![("giay-phep.pdf", PDF)],
    )
    .await;
    assert_eq!(finished.status(), StatusCode::SEE_OTHER);
    // The desk adds the scan of the signed licence while the result waits.
    let page = page_of(&desk.officer, &app, &format!("/dossiers/{id}")).await;
    assert!(page.contains("id=\"form-attach_result\""), "{page}");
    let empty = send_result(&app, &desk.officer, id, "attach_result", Vec::new()).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty
        .text()
        .await
        .unwrap()
        .contains("Vui lòng chọn ít nhất một tệp kết quả."));
    let added = send_result(
        &app,
        &desk.officer,
        id,
        "attach_result",
        vec![("ban-chup.png", PNG)],
    )
    .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let files = vanphong_store::dossiers::files(&app.db.db, id)
        .await
        .unwrap();
    assert_eq!(
        files
            .iter()
            .map(|f| (f.file_name.as_str(), f.stage.as_str()))
            .collect::<Vec<_>>(),
        [("giay-phep.pdf", "result"), ("ban-chup.png", "result")]
    );
    let download = desk
        .officer
        .get(app.url(&format!("/dossiers/{id}/files/{}", files[0].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);
    let tracked = track(citizen.clone()).await;
    assert!(tracked.contains("id=\"result-ready\""), "{tracked}");
    assert!(tracked.contains("Đã nộp phí, tiếp tục xử lý"));

    let events: Vec<_> = vanphong_store::dossiers::events(&app.db.db, id)
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
            "request_fee_payment",
            "confirm_fee_payment",
            "stop",
            "resume",
            "finish",
            "attach_result"
        ]
    );
}

/// An API key for a new user of `unit` with these roles.
async fn unit_key(app: &TestApp, username: &str, roles: &[Role], unit: UnitId) -> String {
    let user = app
        .create_user(
            username,
            roles,
            Some(unit),
            vanphong_core::auth::Secrecy::Normal,
        )
        .await;
    vanphong_store::api_keys::create(&app.db.db, &Origin::system(), "test", user.id)
        .await
        .unwrap()
        .1
}

async fn upload_blob(app: &TestApp, key: &str, name: &str, bytes: &[u8]) -> String {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
    );
    let response = Client::new()
        .post(app.url("/api/v1/blobs"))
        .bearer_auth(key)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: serde_json::Value = response.json().await.unwrap();
    body["sha256"].as_str().unwrap().to_owned()
}

async fn the_api_receives_dossiers_and_takes_their_steps(backend: Backend) {
    let app = TestApp::start(backend).await;
    let desk = desk(&app).await;
    let procedure = announce(&app, &desk, "1.010727", "20").await;
    let units = org::units(&app.db.db).await.unwrap();
    let one_stop = units
        .iter()
        .find(|u| u.name == "Bộ phận Một cửa")
        .unwrap()
        .id;
    let officer = unit_key(&app, "motcua_api", &[Role::OneStopOfficer], one_stop).await;
    let handler = unit_key(&app, "chuyenvien_api", &[Role::Specialist], desk.handling).await;
    let outsider_unit = app.create_unit("Văn phòng", "VP", None).await;
    let outsider = unit_key(&app, "vanphong_api", &[Role::Specialist], outsider_unit).await;
    let api = Client::new();
    let post = |path: String, key: String, body: serde_json::Value| {
        let api = api.clone();
        let url = app.url(&path);
        async move {
            let response = api
                .post(url)
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body: serde_json::Value = response.json().await.unwrap();
            (status, body)
        }
    };

    // Bad input: every field named, nothing saved.
    let before = count(&app).await;
    let (status, body) = post(
        "/api/v1/dossiers".into(),
        officer.clone(),
        serde_json::json!({"procedure_id": procedure, "applicant_name": "", "applicant_phone": "12ab",
            "received_on": "2026-09-02", "provided": [0]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "validation");
    for field in ["applicant_name", "applicant_phone", "received_on", "file_1"] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    let (status, body) = post(
        "/api/v1/dossiers".into(),
        officer.clone(),
        serde_json::json!({"procedure_id": 999_999, "applicant_name": "Công ty TNHH Giấy Sài Gòn",
            "applicant_phone": "0912 345 678", "provided": [0, 1]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["procedure_id"].is_string());
    // Only a one-stop desk receives.
    let (status, _) = post(
        "/api/v1/dossiers".into(),
        handler.clone(),
        serde_json::json!({"procedure_id": procedure, "applicant_name": "Công ty TNHH Giấy Sài Gòn",
            "applicant_phone": "0912 345 678", "provided": [0, 1]}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(count(&app).await, before);

    // Received with a file uploaded first; the component it belongs to is ticked.
    let sha = upload_blob(&app, &officer, "de-nghi.pdf", PDF).await;
    let (status, body) = post(
        "/api/v1/dossiers".into(),
        officer.clone(),
        serde_json::json!({"procedure_id": procedure, "applicant_name": "Công ty TNHH Giấy Sài Gòn",
            "applicant_phone": "0912 345 678", "subject": "Nhà máy giấy Mỹ Xuân", "provided": [1],
            "files": [{"sha256": sha, "component": 0}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], 2);
    let id = body["id"].as_i64().unwrap();
    let version = body["version"].as_i64().unwrap();
    assert!(body["due_date"].is_string());
    let files = vanphong_store::dossiers::files(&app.db.db, id)
        .await
        .unwrap();
    assert_eq!(files[0].file_name, "de-nghi.pdf");
    let step = |key: &String, body: serde_json::Value| {
        post(format!("/api/v1/dossiers/{id}/steps"), key.clone(), body)
    };

    // Outside the scope: not found; inside it but not the desk's step: forbidden.
    let (status, _) = step(
        &outsider,
        serde_json::json!({"action": "route", "version": version}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post(
        "/api/v1/dossiers/999999/steps".into(),
        officer.clone(),
        serde_json::json!({"action": "route", "version": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Bad route input: fields named as the API names them.
    let (status, body) = step(
        &officer,
        serde_json::json!({"action": "route", "version": version,
        "steps": [{"name": "", "days": 3}]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["unit_id"].is_string(), "{body}");
    assert!(
        body["error"]["fields"]["steps[0].name"].is_string(),
        "{body}"
    );
    let (status, body) = step(
        &officer,
        serde_json::json!({"action": "route", "version": version,
        "unit_id": desk.handling.0, "steps": [{"name": "Thẩm định", "days": 5}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], 4);
    // The old version is stale now.
    let (status, body) = step(
        &handler,
        serde_json::json!({"action": "stop", "version": version, "note": "Chờ thanh tra"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "stale");
    let version = vanphong_store::dossiers::get(&app.db.db, id)
        .await
        .unwrap()
        .version;
    // The desk may not finish for the handling unit; accepting again is impossible.
    let (status, _) = step(
        &officer,
        serde_json::json!({"action": "finish", "version": version}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = step(
        &officer,
        serde_json::json!({"action": "accept", "version": version}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "dossier_transition");
    let (status, body) = step(
        &officer,
        serde_json::json!({"action": "fly", "version": version}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "unknown_step");

    // Supplementation: the request needs its note; resubmitted at the desk.
    let (status, body) = step(
        &handler,
        serde_json::json!({"action": "request_supplementation", "version": version}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["note"].is_string(), "{body}");
    let (status, body) = step(
        &handler,
        serde_json::json!({"action": "request_supplementation", "version": version,
        "note": "Bổ sung bản vẽ mặt bằng"}),
    )
    .await;
    assert_eq!(
        (status, body["status"].clone()),
        (StatusCode::OK, serde_json::json!(5))
    );
    assert!(body["paused_on"].is_string());
    let version = body["version"].as_i64().unwrap();
    let drawing = upload_blob(&app, &officer, "ban-ve.pdf", &[PDF, b"% ban ve\n"].concat()).await;
    let (status, body) = step(
        &officer,
        serde_json::json!({"action": "resubmit", "version": version,
        "files": [{"sha256": drawing}]}),
    )
    .await;
    assert_eq!(
        (status, body["status"].clone()),
        (StatusCode::OK, serde_json::json!(4)),
        "{body}"
    );
    let version = body["version"].as_i64().unwrap();

    // Fee payment: a negative amount is refused beside the field.
    let (status, body) = step(
        &handler,
        serde_json::json!({"action": "request_fee_payment", "version": version,
        "amount": -5, "note": "Phí thẩm định"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["amount"].is_string(), "{body}");
    let (status, body) = step(
        &handler,
        serde_json::json!({"action": "request_fee_payment", "version": version,
        "amount": 1_500_000, "note": "Phí thẩm định"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["status"].clone(),
            body["fee"].clone(),
            body["fee_paid"].clone()
        ),
        (
            serde_json::json!(6),
            serde_json::json!(1_500_000),
            serde_json::json!(false)
        )
    );
    let version = body["version"].as_i64().unwrap();
    let (status, body) = step(
        &officer,
        serde_json::json!({"action": "confirm_fee_payment", "version": version,
        "note": "Biên lai 0012345"}),
    )
    .await;
    assert_eq!(
        (status, body["status"].clone(), body["fee_paid"].clone()),
        (
            StatusCode::OK,
            serde_json::json!(4),
            serde_json::json!(true)
        )
    );
    let version = body["version"].as_i64().unwrap();

    // The result, with a file uploaded by the handler; a file another user uploaded is unknown.
    let (status, body) = step(
        &handler,
        serde_json::json!({"action": "finish", "version": version,
        "files": [{"sha256": drawing}]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["files[0]"].is_string(), "{body}");
    let licence = upload_blob(
        &app,
        &handler,
        "giay-phep.pdf",
        &[PDF, b"% giay phep\n"].concat(),
    )
    .await;
    let (status, body) = step(
        &handler,
        serde_json::json!({"action": "finish", "version": version,
        "note": "Đã cấp giấy phép", "files": [{"sha256": licence}]}),
    )
    .await;
    assert_eq!(
        (status, body["status"].clone()),
        (StatusCode::OK, serde_json::json!(9)),
        "{body}"
    );
    assert!(body["timeliness"].is_string());
    let version = body["version"].as_i64().unwrap();
    let (status, body) = step(
        &officer,
        serde_json::json!({"action": "return_result", "version": version}),
    )
    .await;
    assert_eq!(
        (status, body["status"].clone()),
        (StatusCode::OK, serde_json::json!(10))
    );
    let stages: Vec<String> = vanphong_store::dossiers::files(&app.db.db, id)
        .await
        .unwrap()
        .into_iter()
        .map(|f| format!("{}:{}", f.stage, f.file_name))
        .collect();
    assert_eq!(
        stages,
        [
            "submission:de-nghi.pdf",
            "supplementation:ban-ve.pdf",
            "result:giay-phep.pdf"
        ]
    );
    // Every step is on the timeline and in the audit trail.
    let events = vanphong_store::dossiers::events(&app.db.db, id)
        .await
        .unwrap();
    assert_eq!(
        events.len(),
        8,
        "receive, route, supplementation asked and answered, fee asked and paid, finish, return"
    );
    let history = vanphong_store::audit::history(&app.db.db, "dossier", &id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 8);

    // The OpenAPI document describes the new endpoints.
    let doc: serde_json::Value = api
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/dossiers"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/dossiers/{id}/steps"]["post"].is_object());
}

async fn bad_reception_input_is_refused_with_nothing_saved(backend: Backend) {
    let app = TestApp::start(backend).await;
    let desk = desk(&app).await;
    let procedure = announce(&app, &desk, "1.010727", "20").await;
    // The second required component is neither ticked nor attached.
    let missing = receive(
        &app,
        &desk.officer,
        procedure,
        "2026-03-02",
        &[],
        vec![("file_0", "don.pdf", PDF)],
    )
    .await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("Thiếu giấy tờ bắt buộc"));
    // A program, and a picture that calls itself a PDF.
    let program = receive(
        &app,
        &desk.officer,
        procedure,
        "2026-03-02",
        &["0", "1"],
        vec![("files", "setup.exe", b"MZ\x90\x00")],
    )
    .await;
    assert_eq!(program.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(program.text().await.unwrap().contains("Chỉ nhận tệp PDF"));
    let disguised = receive(
        &app,
        &desk.officer,
        procedure,
        "2026-03-02",
        &["1"],
        vec![("file_0", "don.pdf", PNG)],
    )
    .await;
    assert_eq!(disguised.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // National Day is not a reception day.
    let holiday = receive(
        &app,
        &desk.officer,
        procedure,
        "2026-09-02",
        &["0", "1"],
        vec![],
    )
    .await;
    assert_eq!(holiday.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(holiday
        .text()
        .await
        .unwrap()
        .contains("không phải ngày làm việc"));
    assert_eq!(count(&app).await, 0);
    // An abolished procedure takes no more dossiers.
    let version = vanphong_store::dossiers::procedures::get(&app.db.db, procedure)
        .await
        .unwrap()
        .version
        .to_string();
    let abolished = app
        .post_form(
            &desk.admin,
            &format!("/procedures/{procedure}"),
            &format!("/procedures/{procedure}/abolish"),
            &[
                ("version", &version),
                ("decision", "99/QĐ-BNNMT"),
                ("decision_date", "2026-06-01"),
            ],
        )
        .await;
    assert_eq!(abolished.status(), StatusCode::SEE_OTHER);
    let late = receive(
        &app,
        &desk.officer,
        procedure,
        "2026-06-02",
        &["0", "1"],
        vec![],
    )
    .await;
    assert_eq!(late.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late
        .text()
        .await
        .unwrap()
        .contains("không có trong danh mục"));
    assert_eq!(count(&app).await, 0);
    // Only one-stop officers receive.
    let token = app.csrf(&desk.specialist, "/dossiers").await;
    let response = desk
        .specialist
        .post(app.url(&format!("/dossiers?_csrf={token}")))
        .multipart(reception_form(
            &token,
            procedure,
            "2026-03-02",
            &["0", "1"],
            vec![],
        ))
        .send()
        .await;
    match response {
        Ok(response) => assert_eq!(response.status(), StatusCode::FORBIDDEN),
        // The server refuses on the headers and may close the connection before the
        // streamed form is written: the client then sees a broken pipe, not the 403.
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    assert_eq!(count(&app).await, 0);
}

async fn online_submissions_are_tracked_and_supplemented_online(backend: Backend) {
    let app = TestApp::start(backend).await;
    let desk = desk(&app).await;
    let procedure = announce(&app, &desk, "1.010727", "20").await;
    let citizen = TestApp::browser();
    let catalogue = citizen
        .get(app.url("/public/dossiers"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(catalogue.contains("Cấp giấy phép môi trường"));
    let token = app
        .csrf(
            &citizen,
            &format!("/public/dossiers/new?procedure_id={procedure}"),
        )
        .await;
    let submit = |files: Vec<(&'static str, &'static str, &'static [u8])>| {
        let form = reception_form(&token, procedure, "", &[], files);
        citizen
            .post(app.url(&format!("/public/dossiers?_csrf={token}")))
            .multipart(form)
            .send()
    };
    // Online, a ticked box is not a document: the files must come.
    let missing = submit(vec![("file_0", "don.pdf", PDF)]).await.unwrap();
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = submit(vec![
        ("file_0", "don.pdf", PDF),
        ("file_1", "bao-cao.pdf", PNG),
    ])
    .await
    .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&app).await, 0);
    let sent = submit(vec![
        ("file_0", "don.pdf", PDF),
        ("file_1", "bao-cao.pdf", PDF),
    ])
    .await
    .unwrap();
    assert_eq!(sent.status(), StatusCode::CREATED);
    let html = sent.text().await.unwrap();
    let start = html.find("id=\"dossier-code\">").unwrap() + "id=\"dossier-code\">".len();
    let code = html[start..start + 25].to_owned();
    assert!(code.starts_with("000.00.16.H49-"), "{code}");

    // The officer's home page counts it among the online submissions waiting.
    let home = desk
        .officer
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains(
            "<span class=\"count\">1</span><span class=\"label\">Hồ sơ trực tuyến chờ tiếp nhận"
        ),
        "{home}"
    );

    // Tracking: an unknown code and a wrong phone number get the same answer.
    let track = |code: String, tail: &'static str| {
        let citizen = citizen.clone();
        let app = &app;
        async move {
            let token = app.csrf(&citizen, "/public/tracking").await;
            citizen
                .post(app.url("/public/tracking"))
                .form(&[
                    ("_csrf", token.as_str()),
                    ("code", &code),
                    ("phone_tail", tail),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let wrong_phone = track(code.clone(), "1111").await;
    assert_eq!(wrong_phone.status(), StatusCode::NOT_FOUND);
    let wrong_phone = wrong_phone.text().await.unwrap();
    let unknown = track("000.00.16.H49-200101-0999".into(), "5678").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let unknown = unknown.text().await.unwrap();
    let message = |html: &str| {
        html[html.find("id=\"not-found\"").unwrap()..]
            .split("</p>")
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(message(&wrong_phone), message(&unknown));
    assert!(!wrong_phone.contains("Cấp giấy phép môi trường"));
    let found = track(code.clone(), "5678").await;
    assert_eq!(found.status(), StatusCode::OK);
    assert!(found.text().await.unwrap().contains("Mới nộp trực tuyến"));

    // The officer sees it in the queue with counter dossiers, accepts it and asks for more.
    let queue = desk
        .officer
        .get(app.url("/dossiers?channel=online"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains(&code));
    let id = vanphong_store::dossiers::by_code(&app.db.db, &code)
        .await
        .unwrap()
        .unwrap()
        .id;
    let on = app
        .state
        .calendar()
        .await
        .unwrap()
        .add_working_days(vanphong_web::vietnam_today(), 0)
        .unwrap()
        .to_string();
    assert_eq!(
        act(
            &app,
            &desk.officer,
            id,
            &[("action", "accept"), ("on", &on)]
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        act(
            &app,
            &desk.officer,
            id,
            &[
                ("action", "request_supplementation"),
                ("supplementation_note", "Bổ sung bản vẽ mặt bằng")
            ]
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    let page = track(code.clone(), "5678").await.text().await.unwrap();
    assert!(page.contains("Bổ sung bản vẽ mặt bằng"));
    let token = app.csrf(&citizen, "/public/tracking").await;
    let supplement = |bytes: &'static [u8]| {
        let form = reqwest::multipart::Form::new()
            .text("code", code.clone())
            .text("phone_tail", "5678")
            .part(
                "files",
                reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("ban-ve.pdf"),
            );
        citizen
            .post(app.url(&format!("/public/tracking/supplement?_csrf={token}")))
            .multipart(form)
            .send()
    };
    assert_eq!(
        supplement(PNG).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let done = supplement(PDF).await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let d = vanphong_store::dossiers::get(&app.db.db, id).await.unwrap();
    assert_eq!(d.status, 2, "back to accepted");
    assert_eq!(
        vanphong_store::dossiers::files(&app.db.db, id)
            .await
            .unwrap()
            .len(),
        3
    );

    // Withdrawn, it cannot be supplemented again.
    assert_eq!(
        act(
            &app,
            &desk.officer,
            id,
            &[
                ("action", "request_supplementation"),
                ("supplementation_note", "Bổ sung lần hai")
            ]
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        act(
            &app,
            &desk.officer,
            id,
            &[("action", "withdraw"), ("note", "Doanh nghiệp xin rút")]
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    let again = supplement(PDF).await.unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("Hồ sơ đã rút không thể nộp bổ sung"));
    let d = vanphong_store::dossiers::get(&app.db.db, id).await.unwrap();
    assert_eq!(d.status, 7);
    assert_eq!(
        vanphong_store::dossiers::files(&app.db.db, id)
            .await
            .unwrap()
            .len(),
        3,
        "nothing attached after withdrawal"
    );
}

async fn the_catalogue_round_trips_through_xlsx(backend: Backend) {
    let app = TestApp::start(backend).await;
    let desk = desk(&app).await;
    announce(&app, &desk, "1.010727", "20").await;
    let file = desk
        .admin
        .get(app.url("/procedures/export.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    let bytes = file.bytes().await.unwrap().to_vec();
    let upload = |bytes: Vec<u8>| async {
        let token = app.csrf(&desk.admin, "/procedures").await;
        let form = reqwest::multipart::Form::new().part(
            "catalogue",
            reqwest::multipart::Part::bytes(bytes).file_name("danh-muc.xlsx"),
        );
        desk.admin
            .post(app.url(&format!("/procedures/import?_csrf={token}")))
            .multipart(form)
            .send()
            .await
            .unwrap()
    };
    let same = upload(bytes.clone()).await;
    assert_eq!(same.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&same).contains("imported=0%2F0%2F1"),
        "{}",
        location(&same)
    );

    // A catalogue with one changed and one new entry, as a clerk would make it.
    let units = org::units(&app.db.db).await.unwrap();
    let rows =
        vanphong_web::pages::dossiers::procedures::read_catalogue(bytes.clone(), &units).unwrap();
    assert_eq!(rows.len(), 1);
    let headers = [
        "Mã thủ tục",
        "Tên thủ tục",
        "Lĩnh vực",
        "Cấp thực hiện",
        "Trình tự thực hiện",
        "Thành phần hồ sơ",
        "Thời hạn giải quyết (ngày làm việc)",
        "Đối tượng thực hiện",
        "Cơ quan thực hiện",
        "Đơn vị xử lý",
        "Kết quả thực hiện",
        "Phí, lệ phí (đồng)",
        "Ghi chú phí",
        "Quyết định công bố",
        "Ngày quyết định",
    ];
    let row = |code: &str, days: &str, decision: &str, date: &str| -> Vec<String> {
        vec![
            code.into(),
            "Thẩm định báo cáo đánh giá tác động môi trường".into(),
            "Môi trường".into(),
            "Trung ương".into(),
            "Nộp hồ sơ\nThẩm định".into(),
            "Văn bản đề nghị | Mẫu số 01\nBáo cáo ĐTM".into(),
            days.into(),
            "Chủ dự án".into(),
            "Bộ Nông nghiệp và Môi trường".into(),
            "TĐĐG".into(),
            "Quyết định phê duyệt".into(),
            "0".into(),
            String::new(),
            decision.into(),
            date.into(),
        ]
    };
    let table = vanphong_web::export::Table {
        sheet: "Thủ tục".into(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: vec![
            row("1.010727", "15", "12/QĐ-BNNMT", "2025-07-01"),
            row("1.010728", "25", "12/QĐ-BNNMT", "01/07/2025"),
        ],
    };
    let changed = upload(table.to_xlsx().unwrap()).await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&changed).contains("imported=1%2F1%2F0"),
        "{}",
        location(&changed)
    );
    let list = vanphong_store::dossiers::procedures::list(&app.db.db, false)
        .await
        .unwrap();
    assert_eq!(
        list.iter().map(|p| p.processing_days).collect::<Vec<_>>(),
        [15, 25]
    );

    // A bad row refuses the whole file; garbage is not a workbook.
    let bad = vanphong_web::export::Table {
        rows: vec![
            row("1.010729", "0", "12/QĐ-BNNMT", "2025-07-01"),
            row("1.010730", "5", "", "2025-07-01"),
        ],
        ..table
    };
    let refused = upload(bad.to_xlsx().unwrap()).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("Dòng 2: Thời hạn giải quyết") && html.contains("Dòng 3: Quyết định công bố"),
        "{html}"
    );
    assert_eq!(
        upload(b"not a workbook".to_vec()).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        vanphong_store::dossiers::procedures::list(&app.db.db, false)
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn the_api_lists_procedures_dossiers_and_statistics(backend: Backend) {
    let app = TestApp::start(backend).await;
    let desk = desk(&app).await;
    let procedure = announce(&app, &desk, "1.010727", "20").await;
    let response = receive(
        &app,
        &desk.officer,
        procedure,
        "2026-03-02",
        &["0", "1"],
        vec![],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let anonymous = Client::new();
    let catalogue: serde_json::Value = anonymous
        .get(app.url("/api/v1/procedures"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(catalogue["items"][0]["code"], "1.010727");
    assert_eq!(
        catalogue["items"][0]["current"]["components"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let one: serde_json::Value = anonymous
        .get(app.url(&format!("/api/v1/procedures/{procedure}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["versions"][0]["change"], "announced");
    assert_eq!(
        anonymous
            .get(app.url("/api/v1/dossiers"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Administrators announce procedures through the API too; bad input names its fields.
    let admin_key = app.api_key("quantri_api", &[Role::Administrator]).await;
    let new = serde_json::json!({"code": "1.004249", "name": "Cấp giấy chứng nhận đủ điều kiện hoạt động dịch vụ quan trắc môi trường",
        "field": "Môi trường", "level": "central", "components": "Văn bản đề nghị | Mẫu số 01", "processing_days": 30,
        "decision": "1756/QĐ-BTNMT", "decision_date": "2020-12-17"});
    let created = anonymous
        .post(app.url("/api/v1/procedures"))
        .bearer_auth(&admin_key)
        .json(&new)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let again = anonymous
        .post(app.url("/api/v1/procedures"))
        .bearer_auth(&admin_key)
        .json(&new)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let mut bad = new.clone();
    bad["code"] = "1.0 04".into();
    bad["processing_days"] = 0.into();
    bad["level"] = "galactic".into();
    let refused: serde_json::Value = anonymous
        .post(app.url("/api/v1/procedures"))
        .bearer_auth(&admin_key)
        .json(&bad)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for field in ["code", "processing_days", "level"] {
        assert!(
            refused["error"]["fields"][field].is_string(),
            "{field}: {refused}"
        );
    }

    let key = app.api_key("lanhdao", &[Role::AgencyLeader]).await;
    let list: serde_json::Value = anonymous
        .get(app.url("/api/v1/dossiers?status=2"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["status_code"], "accepted");
    let id = list["items"][0]["id"].as_i64().unwrap();
    let one: serde_json::Value = anonymous
        .get(app.url(&format!("/api/v1/dossiers/{id}")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["code"], "000.00.16.H49-260302-0001");
    let stats: serde_json::Value = anonymous
        .get(app.url("/api/v1/dossiers/statistics?from=2026-01-01&to=2026-12-31&group=month"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["rows"][0]["key"], "2026-03");
    assert_eq!(stats["rows"][1]["key"], "total");
    assert_eq!(stats["rows"][1]["submitted"], 1);
    let bad = anonymous
        .get(app.url("/api/v1/dossiers/statistics?group=year"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A specialist of another unit sees nothing of it.
    let other = app.create_unit("Cục Kiểm soát ô nhiễm", "KSON", None).await;
    let outsider = app
        .create_user("ngoai", &[Role::Specialist], Some(other), Secrecy::Normal)
        .await;
    let outsider_key =
        vanphong_store::api_keys::create(&app.db.db, &Origin::system(), "t", outsider.id)
            .await
            .unwrap()
            .1;
    let hidden = anonymous
        .get(app.url(&format!("/api/v1/dossiers/{id}")))
        .bearer_auth(&outsider_key)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
}

async fn public_pages_are_rate_limited(backend: Backend) {
    let config = vanphong_web::WebConfig {
        public_rate_per_minute: 3,
        ..Default::default()
    };
    let app = TestApp::start_with(backend, config, 1024 * 1024).await;
    let citizen = TestApp::browser();
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            citizen
                .get(app.url("/public/tracking"))
                .send()
                .await
                .unwrap()
                .status(),
        );
    }
    assert_eq!(statuses[0], StatusCode::OK);
    assert_eq!(statuses[4], StatusCode::TOO_MANY_REQUESTS);
}

on_both_backends!(
    a_dossier_goes_from_the_counter_to_its_result,
    fee_payment_stop_and_result_files_on_the_dossier_page,
    the_api_receives_dossiers_and_takes_their_steps,
    bad_reception_input_is_refused_with_nothing_saved,
    online_submissions_are_tracked_and_supplemented_online,
    the_catalogue_round_trips_through_xlsx,
    the_api_lists_procedures_dossiers_and_statistics,
    public_pages_are_rate_limited,
);
