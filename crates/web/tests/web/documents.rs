//! Incoming documents through the pages and the API: registration with files, the
//! duplicate warning, bad input, routing to handling to reply, concurrent routing, scope.

use super::*;
use serde_json::{json, Value};
use vanphong_store::on_both_backends;

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// An office with a records clerk, an agency leader, and a department with its leader and
/// a specialist; returns the department's id.
async fn office(app: &TestApp) -> (UnitId, UnitId) {
    let office = app.create_unit("Văn phòng", "VP", None).await;
    let department = app
        .create_unit("Cục Kiểm soát ô nhiễm môi trường", "KSONMT", None)
        .await;
    app.create_user(
        "vanthu",
        &[Role::RecordsClerk],
        Some(office),
        Secrecy::Confidential,
    )
    .await;
    app.create_user("lanhdao", &[Role::AgencyLeader], None, Secrecy::Secret)
        .await;
    app.create_user(
        "truongphong",
        &[Role::UnitLeader],
        Some(department),
        Secrecy::Normal,
    )
    .await;
    app.create_user(
        "chuyenvien",
        &[Role::Specialist],
        Some(department),
        Secrecy::Normal,
    )
    .await;
    (office, department)
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

fn register_form(
    token: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().text("_csrf", token.to_owned());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    }
    form
}

async fn post_register(
    app: &TestApp,
    client: &Client,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Response {
    let token = app.csrf(client, "/documents/incoming/new").await;
    client
        .post(app.url(&format!("/documents/incoming?_csrf={token}")))
        .multipart(register_form(&token, fields, file))
        .send()
        .await
        .unwrap()
}

fn valid_fields(number: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("type_code", "cong_van"),
        ("number_symbol", number),
        ("document_date", "2026-11-20"),
        (
            "subject",
            "Về việc báo cáo công tác bảo vệ môi trường năm 2026",
        ),
        ("sender_name", "Sở Nông nghiệp và Môi trường tỉnh Đồng Nai"),
        ("arrival_date", "2026-11-25"),
        ("urgency", "urgent"),
    ]
}

fn document_id(response: &Response) -> i64 {
    let location = location(response);
    location
        .trim_start_matches("/documents/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{location}"))
}

async fn a_clerk_registers_documents_with_gap_free_arrival_numbers(backend: Backend) {
    let app = TestApp::start(backend).await;
    office(&app).await;
    let clerk = signed(&app, "vanthu").await;
    let first = post_register(
        &app,
        &clerk,
        &valid_fields("125/SNNMT-CCBVMT"),
        Some(("Công văn 125.pdf", PDF)),
    )
    .await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let second = post_register(&app, &clerk, &valid_fields("126/SNNMT-CCBVMT"), None).await;
    assert_eq!(second.status(), StatusCode::SEE_OTHER);
    let one = vanphong_store::documents::get(&app.db.db, document_id(&first))
        .await
        .unwrap();
    let two = vanphong_store::documents::get(&app.db.db, document_id(&second))
        .await
        .unwrap();
    assert_eq!((one.arrival_number, two.arrival_number), (Some(1), Some(2)));
    assert_eq!(one.number_symbol.as_deref(), Some("125/SNNMT-CCBVMT"));
    assert!(
        one.receipt_acknowledged_at.is_some(),
        "receipt is acknowledged at registration"
    );
    let page = clerk
        .get(app.url(&format!("/documents/{}", one.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Công văn 125.pdf")
            && page.contains("Về việc báo cáo công tác bảo vệ môi trường")
    );
    // The history names what was done in words, not by its audit code.
    assert!(page.contains("Đăng ký văn bản đến"), "{page}");
    assert!(!page.contains("document.register_incoming"));
    let attachments = vanphong_store::documents::attachments(&app.db.db, one.id)
        .await
        .unwrap();
    let download = clerk
        .get(app.url(&format!(
            "/documents/{}/attachments/{}?inline=1",
            one.id, attachments[0].id
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(
        download.headers().get("content-type").unwrap(),
        "application/pdf"
    );
    assert!(download
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("inline"));
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);
}

async fn a_duplicate_is_warned_about_before_saving(backend: Backend) {
    let app = TestApp::start(backend).await;
    office(&app).await;
    let clerk = signed(&app, "vanthu").await;
    assert_eq!(
        post_register(&app, &clerk, &valid_fields("1756/QĐ-BTNMT"), None)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // The same document typed another way.
    let mut fields = valid_fields("1756 / qd - btnmt");
    let again = post_register(&app, &clerk, &fields, None).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let html = again.text().await.unwrap();
    assert!(html.contains("đã được vào sổ") && html.contains("accept_duplicate"));
    assert_eq!(
        count_incoming(&app).await,
        1,
        "nothing saved before confirmation"
    );
    fields.push(("accept_duplicate", "1"));
    assert_eq!(
        post_register(&app, &clerk, &fields, None).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(count_incoming(&app).await, 2);
}

async fn count_incoming(app: &TestApp) -> i64 {
    let scope = vanphong_core::permission::ReadScope {
        units: None,
        max_secrecy: Secrecy::TopSecret,
    };
    let filter = vanphong_store::documents::lists::DocumentFilter {
        direction: Some("incoming".into()),
        ..Default::default()
    };
    vanphong_store::documents::lists::count(
        &app.db.db,
        &scope,
        vanphong_core::ids::UserId(0),
        &filter,
    )
    .await
    .unwrap()
}

/// Fields to change, a file to attach, and the message expected beside a field.
type BadCase = (
    Vec<(&'static str, &'static str)>,
    Option<(&'static str, &'static [u8])>,
    &'static str,
);

async fn bad_registrations_are_refused_beside_their_fields_and_save_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    office(&app).await;
    let clerk = signed(&app, "vanthu").await;
    let cases: Vec<BadCase> = vec![
        (
            vec![("number_symbol", "QĐ-BTNMT")],
            None,
            "Số, ký hiệu có dạng 1756/QĐ-BTNMT",
        ),
        (
            vec![("type_code", "khong_co")],
            None,
            "Loại văn bản không có trong danh mục.",
        ),
        (
            vec![("due_date", "2026-11-01")],
            None,
            "Hạn giải quyết không thể trước ngày đến.",
        ),
        (
            vec![("arrival_date", "25/11/2026")],
            None,
            "Ngày không hợp lệ",
        ),
        (vec![("sender_name", "")], None, "Vui lòng chọn cơ quan gửi"),
        (vec![("subject", "")], None, "Vui lòng nhập mục này."),
        (
            vec![("kind", "voter_petition")],
            None,
            "Kiến nghị cử tri cần ghi nguồn.",
        ),
        (
            vec![],
            Some(("scan.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" as &[u8])),
            "Không được đính kèm chương trình",
        ),
        (
            vec![],
            Some(("scan.pdf", "không phải PDF".as_bytes())),
            "Nội dung tệp không khớp",
        ),
    ];
    for (overrides, file, message) in cases {
        let mut fields: Vec<(&str, &str)> = valid_fields("77/UBND-KT")
            .into_iter()
            .filter(|(k, _)| !overrides.iter().any(|(o, _)| o == k))
            .collect();
        fields.extend(overrides.iter().copied());
        let response = post_register(&app, &clerk, &fields, file).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{message}"
        );
        let html = response.text().await.unwrap();
        assert!(html.contains(message), "expected {message:?}");
        assert!(
            html.contains("Về việc báo cáo công tác")
                || overrides.iter().any(|(k, _)| *k == "subject"),
            "input kept"
        );
    }
    assert_eq!(count_incoming(&app).await, 0);
    assert!(
        app.state.blobs.list().await.unwrap().is_empty(),
        "refused files are not stored"
    );
    // A specialist may not register at all.
    let specialist = signed(&app, "chuyenvien").await;
    assert_eq!(
        specialist
            .get(app.url("/documents/incoming/new"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
}

async fn a_document_goes_from_registration_to_a_finished_reply(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (_, department) = office(&app).await;
    let clerk = signed(&app, "vanthu").await;
    let registered = post_register(&app, &clerk, &valid_fields("45/BTNMT-TCMT"), None).await;
    let id = document_id(&registered);
    let leader = users::by_username(&app.db.db, "lanhdao").await.unwrap();
    let doc = vanphong_store::documents::get(&app.db.db, id)
        .await
        .unwrap();
    let page = format!("/documents/{id}");
    let submitted = app
        .post_form(
            &clerk,
            &page,
            &format!("{page}/submit"),
            &[
                ("version", &doc.version.to_string()),
                ("leader_id", &leader.id.to_string()),
            ],
        )
        .await;
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    let leader_client = signed(&app, "lanhdao").await;
    let inbox = leader_client
        .get(app.url("/inbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        inbox.contains("45/BTNMT-TCMT"),
        "the leader sees it waiting"
    );
    let doc = vanphong_store::documents::get(&app.db.db, id)
        .await
        .unwrap();
    let routed = app
        .post_form(
            &leader_client,
            &page,
            &format!("{page}/route"),
            &[
                ("version", &doc.version.to_string()),
                ("instruction", "Giao Cục KSONMT chủ trì, báo cáo trước hạn"),
                ("lead_unit", &department.to_string()),
                ("lead_days", "5"),
            ],
        )
        .await;
    assert_eq!(routed.status(), StatusCode::SEE_OTHER);
    let assignments = vanphong_store::documents::routing::assignments(&app.db.db, id)
        .await
        .unwrap();
    assert_eq!(assignments.len(), 1);
    // 25 Nov 2026 is a Wednesday: five working days later is Wednesday 2 December.
    assert_eq!(
        assignments[0].due_date.map(|d| d.to_string()).as_deref(),
        Some("2026-12-02")
    );
    let unit_leader = signed(&app, "truongphong").await;
    let specialist = users::by_username(&app.db.db, "chuyenvien").await.unwrap();
    let version = |n: i64| n.to_string();
    let a = &assignments[0];
    let named = app
        .post_form(
            &unit_leader,
            &page,
            &format!("/assignments/{}/step", a.id),
            &[
                ("version", &version(a.version)),
                ("step", "name_handler"),
                ("handler_id", &specialist.id.to_string()),
            ],
        )
        .await;
    assert_eq!(named.status(), StatusCode::SEE_OTHER);
    let specialist_client = signed(&app, "chuyenvien").await;
    let a = vanphong_store::documents::routing::assignment(&app.db.db, a.id)
        .await
        .unwrap();
    let progress = app
        .post_form(
            &specialist_client,
            &page,
            &format!("/assignments/{}/step", a.id),
            &[
                ("version", &version(a.version)),
                ("step", "progress"),
                ("note", "Đã làm việc với Sở"),
                ("percent", "50"),
            ],
        )
        .await;
    assert_eq!(progress.status(), StatusCode::SEE_OTHER);
    let a = vanphong_store::documents::routing::assignment(&app.db.db, a.id)
        .await
        .unwrap();
    // The specialist may not name handlers; the unit leader may not report the handler's progress.
    let refused = app
        .post_form(
            &specialist_client,
            &page,
            &format!("/assignments/{}/step", a.id),
            &[
                ("version", &version(a.version)),
                ("step", "name_handler"),
                ("handler_id", &specialist.id.to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let finished = app
        .post_form(
            &specialist_client,
            &page,
            &format!("/assignments/{}/step", a.id),
            &[
                ("version", &version(a.version)),
                ("step", "finish"),
                ("result", "Đã trả lời bằng văn bản"),
            ],
        )
        .await;
    assert_eq!(finished.status(), StatusCode::SEE_OTHER);
    let doc = vanphong_store::documents::get(&app.db.db, id)
        .await
        .unwrap();
    assert_eq!(doc.status, "done");
    let html = clerk
        .get(app.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Đã làm việc với Sở")
            && html.contains("Hoàn thành")
            && html.contains("Phân phối, chỉ đạo xử lý")
            && !html.contains("document.route")
    );
}

async fn two_leaders_routing_at_once_one_wins_and_the_other_sees_the_state(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (office_unit, department) = office(&app).await;
    app.create_user("lanhdao2", &[Role::AgencyLeader], None, Secrecy::Normal)
        .await;
    let clerk = signed(&app, "vanthu").await;
    let id = document_id(&post_register(&app, &clerk, &valid_fields("9/VPCP-NN"), None).await);
    let page = format!("/documents/{id}");
    let first = signed(&app, "lanhdao").await;
    let second = signed(&app, "lanhdao2").await;
    let token1 = app.csrf(&first, &page).await;
    let token2 = app.csrf(&second, &page).await;
    let form = |token: &str, unit: UnitId| {
        vec![
            ("_csrf".to_owned(), token.to_owned()),
            ("version".to_owned(), "1".to_owned()),
            ("instruction".to_owned(), "Xử lý".to_owned()),
            ("lead_unit".to_owned(), unit.to_string()),
        ]
    };
    let (a, b) = tokio::join!(
        first
            .post(app.url(&format!("{page}/route")))
            .form(&form(&token1, department))
            .send(),
        second
            .post(app.url(&format!("{page}/route")))
            .form(&form(&token2, office_unit))
            .send(),
    );
    let locations = [location(&a.unwrap()), location(&b.unwrap())];
    assert_eq!(
        locations.iter().filter(|l| l.ends_with("saved=1")).count(),
        1,
        "{locations:?}"
    );
    assert_eq!(
        locations
            .iter()
            .filter(|l| l.ends_with("error=stale") || l.ends_with("error=state"))
            .count(),
        1,
        "{locations:?}"
    );
    let assignments = vanphong_store::documents::routing::assignments(&app.db.db, id)
        .await
        .unwrap();
    assert_eq!(
        assignments.len(),
        1,
        "only the winner's routing was written"
    );
    let loser = if locations[0].ends_with("saved=1") {
        &second
    } else {
        &first
    };
    let html = loser
        .get(app.url(&format!("{page}?error=stale")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Văn bản vừa được người khác xử lý")
            && html.contains(&assignments[0].unit_name)
    );
}

async fn documents_outside_the_scope_or_clearance_stay_hidden(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (office_unit, department) = office(&app).await;
    let other = app.create_unit("Vụ Pháp chế", "PC", None).await;
    app.create_user("phapche", &[Role::Specialist], Some(other), Secrecy::Normal)
        .await;
    let clerk = signed(&app, "vanthu").await;
    let mut fields = valid_fields("3/UBND-VP");
    fields.push((
        "receiving_unit_id",
        Box::leak(department.to_string().into_boxed_str()),
    ));
    let visible = document_id(&post_register(&app, &clerk, &fields, None).await);
    let mut secret = valid_fields("4/UBND-VP");
    secret.push(("secrecy", "confidential"));
    secret.push((
        "receiving_unit_id",
        Box::leak(office_unit.to_string().into_boxed_str()),
    ));
    let secret_id = document_id(&post_register(&app, &clerk, &secret, None).await);
    let outsider = signed(&app, "phapche").await;
    assert_eq!(
        outsider
            .get(app.url(&format!("/documents/{visible}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let list = outsider
        .get(app.url("/documents/incoming"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("0 văn bản") && !list.contains("3/UBND-VP"));
    let csv = outsider
        .get(app.url("/documents/incoming?format=csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 1, "the export shows only the header");
    let member = signed(&app, "chuyenvien").await;
    assert_eq!(
        member
            .get(app.url(&format!("/documents/{visible}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // The department's list (one unit: on SQLite walked through its access rows): its own
    // documents within the reader's clearance, newest or oldest first, and their count.
    let mut above = valid_fields("5/UBND-VP");
    above.push(("secrecy", "confidential"));
    above.push((
        "receiving_unit_id",
        Box::leak(department.to_string().into_boxed_str()),
    ));
    post_register(&app, &clerk, &above, None).await;
    for url in ["/documents/incoming", "/documents/incoming?sort=oldest"] {
        let list = member
            .get(app.url(url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(list.contains("3/UBND-VP"), "{url}");
        assert!(
            !list.contains("4/UBND-VP") && !list.contains("5/UBND-VP"),
            "{url}"
        );
        assert!(list.contains("1 văn bản"), "{url}");
    }
    // The leader has clearance; a unit leader without it does not see the confidential one.
    let leader = signed(&app, "lanhdao").await;
    assert_eq!(
        leader
            .get(app.url(&format!("/documents/{secret_id}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let key = app.api_key("khongmat", &[Role::AgencyLeader]).await;
    let api = Client::new();
    assert_eq!(
        api.get(app.url(&format!("/api/v1/documents/{secret_id}")))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let listed: Value = api
        .get(app.url("/api/v1/documents?direction=incoming"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 1, "{listed}");
}

async fn lists_filter_search_and_export(backend: Backend) {
    let app = TestApp::start(backend).await;
    office(&app).await;
    let clerk = signed(&app, "vanthu").await;
    for (number, subject) in [
        (
            "10/SNNMT-MT",
            "Về việc quan trắc nước thải khu công nghiệp Đồng Nai",
        ),
        ("11/SNNMT-MT", "Về việc kế hoạch thu gom chất thải rắn"),
    ] {
        let mut fields = valid_fields(number);
        fields.retain(|(k, _)| *k != "subject");
        fields.push(("subject", subject));
        post_register(&app, &clerk, &fields, None).await;
    }
    let found = clerk
        .get(app.url("/documents/incoming?q=nuoc+thai+dong+nai"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(found.contains("10/SNNMT-MT") && !found.contains("11/SNNMT-MT"));
    let by_symbol = clerk
        .get(app.url("/documents/incoming?q=11+snnmt"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(by_symbol.contains("11/SNNMT-MT") && !by_symbol.contains("10/SNNMT-MT"));
    let reversed = clerk
        .get(app.url("/documents/incoming?from=2026-12-01&to=2026-11-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(reversed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reversed
        .text()
        .await
        .unwrap()
        .contains("Ngày kết thúc không thể trước ngày bắt đầu."));
    let xlsx = clerk
        .get(app.url("/documents/incoming?format=xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&xlsx[..2], b"PK");
    let csv = clerk
        .get(app.url("/documents/incoming?format=csv&sort=oldest"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("1,"), "{}", lines[1]);
}

async fn the_api_registers_incoming_documents_with_uploaded_files(backend: Backend) {
    let app = TestApp::start(backend).await;
    office(&app).await;
    let key = app.api_key("truclienthong", &[Role::RecordsClerk]).await;
    let api = Client::new();
    let upload = api
        .post(app.url("/api/v1/blobs"))
        .bearer_auth(&key)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("vb.pdf"),
        ))
        .send()
        .await
        .unwrap();
    let sha = upload.json::<Value>().await.unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({"type_code": "quyet_dinh", "number_symbol": "1756/QĐ-BTNMT", "subject": "Quyết định công bố thủ tục hành chính",
                      "sender_name": "Bộ Tài nguyên và Môi trường", "arrival_date": "2026-11-25", "attachments": [{"sha256": sha}]});
    let created = api
        .post(app.url("/api/v1/documents/incoming"))
        .bearer_auth(&key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["arrival_number"], 1);
    let again = api
        .post(app.url("/api/v1/documents/incoming"))
        .bearer_auth(&key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(
        again.json::<Value>().await.unwrap()["error"]["code"],
        "duplicate_registration"
    );
    let bad = api
        .post(app.url("/api/v1/documents/incoming"))
        .bearer_auth(&key)
        .json(&json!({"type_code": "x", "number_symbol": "abc", "subject": "", "arrival_date": "hôm nay", "attachments": [{"sha256": "0".repeat(64)}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let errors: Value = bad.json().await.unwrap();
    for field in [
        "type_code",
        "number_symbol",
        "subject",
        "arrival_date",
        "attachments[0]",
        "sender_organisation_id",
    ] {
        assert!(
            errors["error"]["fields"][field].is_string(),
            "{field}: {errors}"
        );
    }
    let got: Value = api
        .get(app.url(&format!("/api/v1/documents/{}", created["id"])))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["number_symbol"], "1756/QĐ-BTNMT");
}

async fn conclusion_tasks_and_tracked_counts_are_shown(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (office_unit, _) = office(&app).await;
    let clerk = signed(&app, "vanthu").await;
    let mut notice = valid_fields("12/TB-VPCP");
    notice.push(("kind", "conclusion_notice"));
    let id = document_id(&post_register(&app, &clerk, &notice, None).await);
    let mut petition = valid_fields("71/BDN-KN");
    petition.push(("kind", "voter_petition"));
    petition.push(("petition_source", "petitions_committee"));
    post_register(&app, &clerk, &petition, None).await;
    let page = format!("/documents/{id}");
    let added = app
        .post_form(
            &clerk,
            &page,
            &format!("{page}/tasks"),
            &[
                ("description", "Rà soát quy chế phối hợp"),
                ("unit_id", &office_unit.to_string()),
                ("due_date", "2026-12-15"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let html = clerk
        .get(app.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Rà soát quy chế phối hợp"));
    let task = vanphong_store::documents::tasks::list(&app.db.db, id)
        .await
        .unwrap()
        .remove(0);
    let done = app
        .post_form(&clerk, &page, &format!("/tasks/{}/complete", task.id), &[])
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let tracked = clerk
        .get(app.url("/documents/tracked?year=2026"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        tracked.contains("Thông báo kết luận")
            && tracked.contains("Kiến nghị cử tri")
            && tracked.contains("Ban Dân nguyện"),
        "{tracked}"
    );
}

async fn an_upload_over_the_limit_is_refused_beside_the_field(backend: Backend) {
    let app = TestApp::start_with(backend, WebConfig::default(), 1024).await;
    office(&app).await;
    let clerk = signed(&app, "vanthu").await;
    let big = [b"%PDF-1.4\n".as_slice(), &vec![b'x'; 4096]].concat();
    let response = post_register(
        &app,
        &clerk,
        &valid_fields("8/UBND-KT"),
        Some(("scan.pdf", &big)),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("quá lớn"));
    assert_eq!(count_incoming(&app).await, 0);
    assert!(app.state.blobs.list().await.unwrap().is_empty());
}

/// A scanned document is often several megabytes: the form takes it whole (the blob store's
/// limit applies, not the web framework's 2 MB default for request bodies).
async fn a_scan_of_several_megabytes_is_registered(backend: Backend) {
    let app = TestApp::start(backend).await;
    office(&app).await;
    let clerk = signed(&app, "vanthu").await;
    let scan = [b"%PDF-1.4\n".as_slice(), &vec![b'x'; 6 * 1024 * 1024]].concat();
    let response = post_register(
        &app,
        &clerk,
        &valid_fields("9/UBND-KT"),
        Some(("scan lớn.pdf", &scan)),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let attachments = vanphong_store::documents::attachments(&app.db.db, document_id(&response))
        .await
        .unwrap();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].size, scan.len() as i64);
}

async fn lists_filter_by_secrecy_and_due_date(backend: Backend) {
    let app = TestApp::start(backend).await;
    office(&app).await;
    let clerk = signed(&app, "vanthu").await;
    let mut secret = valid_fields("21/UBND-VP");
    secret.push(("secrecy", "confidential"));
    secret.push(("due_date", "2026-12-01"));
    post_register(&app, &clerk, &secret, None).await;
    let mut later = valid_fields("22/UBND-VP");
    later.push(("due_date", "2026-12-20"));
    post_register(&app, &clerk, &later, None).await;
    let confidential = clerk
        .get(app.url("/documents/incoming?secrecy=confidential"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(confidential.contains("21/UBND-VP") && !confidential.contains("22/UBND-VP"));
    let due = clerk
        .get(app.url("/documents/incoming?due_before=2026-12-10"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(due.contains("21/UBND-VP") && !due.contains("22/UBND-VP"));
    let bad = clerk
        .get(app.url("/documents/incoming?due_before=mai"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

on_both_backends!(
    a_scan_of_several_megabytes_is_registered,
    lists_filter_by_secrecy_and_due_date,
    conclusion_tasks_and_tracked_counts_are_shown,
    an_upload_over_the_limit_is_refused_beside_the_field,
    a_clerk_registers_documents_with_gap_free_arrival_numbers,
    a_duplicate_is_warned_about_before_saving,
    bad_registrations_are_refused_beside_their_fields_and_save_nothing,
    a_document_goes_from_registration_to_a_finished_reply,
    two_leaders_routing_at_once_one_wins_and_the_other_sees_the_state,
    documents_outside_the_scope_or_clearance_stay_hidden,
    lists_filter_search_and_export,
    the_api_registers_incoming_documents_with_uploaded_files,
);
