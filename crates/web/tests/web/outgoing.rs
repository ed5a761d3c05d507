//! Outgoing documents through the pages: a letter from draft to number, what each role may
//! not do, CSRF and errors beside fields, and the numbering series administration.

use super::*;
use vanphong_core::org::AgencyCode;
use vanphong_store::documents::{self, outgoing};
use vanphong_store::on_both_backends;

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// The agency (TCMT) with its office (VP) and a department (KSON), and the people of the
/// outgoing flow: a specialist of the office, an agency leader, a records clerk, and a
/// specialist of the department.
async fn office(app: &TestApp) -> (UnitId, UnitId) {
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
    let office = app.create_unit("Văn phòng", "VP", None).await;
    let department = app.create_unit("Cục Kiểm soát ô nhiễm", "KSON", None).await;
    app.create_user(
        "chuyenvien",
        &[Role::Specialist],
        Some(office),
        Secrecy::Normal,
    )
    .await;
    app.create_user(
        "lanhdao",
        &[Role::AgencyLeader],
        Some(office),
        Secrecy::Secret,
    )
    .await;
    app.create_user(
        "vanthu",
        &[Role::RecordsClerk],
        Some(office),
        Secrecy::Secret,
    )
    .await;
    app.create_user(
        "chuyenvienkhac",
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

fn page_of(id: i64) -> String {
    format!("/documents/outgoing/{id}")
}

async fn version(app: &TestApp, id: i64) -> String {
    documents::get(&app.db.db, id)
        .await
        .unwrap()
        .version
        .to_string()
}

/// Posts a multipart form (a file upload) with the CSRF token in the query, as the page's
/// forms do.
async fn post_multipart(
    app: &TestApp,
    client: &Client,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> Response {
    let token = app.csrf(client, form_page).await;
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((field, name, bytes)) = file {
        form = form.part(
            field.to_owned(),
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    }
    client
        .post(app.url(&format!("{action}?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn text_of(client: &Client, url: String) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// The specialist drafts a letter to the department and uploads its file; returns its id.
async fn drafted(app: &TestApp, specialist: &Client, office: UnitId, department: UnitId) -> i64 {
    let created = app
        .post_form(
            specialist,
            "/documents/outgoing/new",
            "/documents/outgoing",
            &[
                ("type_code", "cong_van"),
                ("subject", "Về việc cung cấp số liệu quan trắc năm 2025"),
                ("drafting_unit_id", &office.to_string()),
                ("urgency", "urgent"),
                ("secrecy", "normal"),
                ("signing_authority", "kt"),
                ("signer_position", "Phó Tổng cục trưởng"),
                ("signer_name", "Trần Thị Hoa"),
                ("recipient_units", &department.to_string()),
                ("recipients_note", "Lưu: VT, VP."),
                ("copies", "3"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let target = location(&created);
    let id: i64 = target
        .trim_start_matches("/documents/outgoing/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let uploaded = post_multipart(
        app,
        specialist,
        &page_of(id),
        &format!("/documents/outgoing/{id}/versions"),
        &[("version", &version(app, id).await)],
        Some(("file", "Du thao cong van.pdf", PDF)),
    )
    .await;
    assert_eq!(uploaded.status(), StatusCode::SEE_OTHER);
    id
}

async fn a_letter_goes_from_draft_to_its_number_through_the_pages(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (office, department) = office(&app).await;
    let specialist = signed(&app, "chuyenvien").await;
    let leader = signed(&app, "lanhdao").await;
    let clerk = signed(&app, "vanthu").await;
    let form = text_of(&specialist, app.url("/documents/outgoing/new")).await;
    assert!(form.contains("Soạn dự thảo văn bản đi"));
    assert!(form.contains("KT. (ký thay)"));
    let id = drafted(&app, &specialist, office, department).await;
    let html = text_of(&specialist, app.url(&page_of(id))).await;
    assert!(html.contains("(Chưa cấp số)"));
    assert!(html.contains("Du thao cong van.pdf"));
    let versions = outgoing::versions(&app.db.db, id).await.unwrap();
    assert_eq!(versions.len(), 1);
    // The version can be downloaded by whoever may read the document.
    let download = specialist
        .get(app.url(&format!("/documents/{id}/attachments/{}", versions[0].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);

    let leader_user = users::by_username(&app.db.db, "lanhdao").await.unwrap();
    let submitted = app
        .post_form(
            &specialist,
            &page_of(id),
            &format!("/documents/outgoing/{id}/submit"),
            &[
                ("version", &version(&app, id).await),
                ("reviewer_id", &leader_user.id.to_string()),
            ],
        )
        .await;
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    let commented = app
        .post_form(
            &leader,
            &page_of(id),
            &format!("/documents/outgoing/{id}/comment"),
            &[
                ("version", &version(&app, id).await),
                ("comment", "Đề nghị nêu rõ thời hạn gửi số liệu."),
            ],
        )
        .await;
    assert_eq!(commented.status(), StatusCode::SEE_OTHER);
    let approved = app
        .post_form(
            &leader,
            &page_of(id),
            &format!("/documents/outgoing/{id}/approve"),
            &[
                ("version", &version(&app, id).await),
                ("signing_authority", "kt"),
                ("signer_position", "Phó Tổng cục trưởng"),
                ("signer_name", "Trần Thị Hoa"),
            ],
        )
        .await;
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    let before_issue = text_of(&clerk, app.url(&page_of(id))).await;
    assert!(before_issue.contains("Cấp số và phát hành"));
    assert!(
        before_issue.contains("<strong>01</strong>"),
        "the clerk sees the number it will get"
    );
    let issued = post_multipart(
        &app,
        &clerk,
        &page_of(id),
        &format!("/documents/outgoing/{id}/issue"),
        &[("version", &version(&app, id).await)],
        None,
    )
    .await;
    assert_eq!(issued.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&issued), format!("{}?saved=1", page_of(id)));
    let html = text_of(&clerk, app.url(&page_of(id))).await;
    assert!(
        html.contains("<span id=\"number-symbol\">01/TCMT-VP</span>"),
        "{html}"
    );
    assert!(html.contains("Đã ban hành"));
    assert!(html.contains("KT. Phó Tổng cục trưởng — Trần Thị Hoa"));
    assert!(html.contains("Đề nghị nêu rõ thời hạn gửi số liệu."));
    assert!(html.contains("Đã gửi trên hệ thống"));
    // The department received it as an incoming document with an arrival number.
    let sent = outgoing::dispatches(&app.db.db, id).await.unwrap();
    let copy = documents::get(&app.db.db, sent[0].incoming_document_id.unwrap())
        .await
        .unwrap();
    assert_eq!(copy.number_symbol.as_deref(), Some("01/TCMT-VP"));
    assert_eq!(copy.owner_unit_id, Some(department.0));
    assert_eq!(copy.arrival_number, Some(1));
    // The list shows it, and its export carries the register's columns.
    let list = text_of(&clerk, app.url("/documents/outgoing?q=quan+trac")).await;
    assert!(list.contains("01/TCMT-VP"));
    let csv = text_of(&clerk, app.url("/documents/outgoing?format=csv")).await;
    assert!(
        csv.contains("01/TCMT-VP") && csv.contains("Lưu: VT, VP."),
        "{csv}"
    );
    let xlsx = clerk
        .get(app.url("/documents/outgoing?format=xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&xlsx[0..2], b"PK");
    // The clerk recalls it; the page says so.
    let recalled = app
        .post_form(
            &clerk,
            &page_of(id),
            &format!("/documents/outgoing/{id}/recall"),
            &[
                ("version", &version(&app, id).await),
                ("recall_reason", "Sai thời hạn."),
            ],
        )
        .await;
    assert_eq!(recalled.status(), StatusCode::SEE_OTHER);
    assert!(text_of(&clerk, app.url(&page_of(id)))
        .await
        .contains("Đã thu hồi"));
}

async fn each_role_does_only_its_part(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (office, department) = office(&app).await;
    let specialist = signed(&app, "chuyenvien").await;
    let clerk = signed(&app, "vanthu").await;
    let leader = signed(&app, "lanhdao").await;
    let id = drafted(&app, &specialist, office, department).await;
    // A specialist of another unit does not even see the draft.
    let stranger = signed(&app, "chuyenvienkhac").await;
    let hidden = stranger.get(app.url(&page_of(id))).send().await.unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    app.post_form(
        &specialist,
        &page_of(id),
        &format!("/documents/outgoing/{id}/submit"),
        &[("version", &version(&app, id).await)],
    )
    .await;
    // Neither the drafter nor the clerk approves.
    for client in [&specialist, &clerk] {
        let refused = app
            .post_form(
                client,
                &page_of(id),
                &format!("/documents/outgoing/{id}/approve"),
                &[("version", &version(&app, id).await), ("signer_name", "X")],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    }
    app.post_form(
        &leader,
        &page_of(id),
        &format!("/documents/outgoing/{id}/approve"),
        &[
            ("version", &version(&app, id).await),
            ("signer_name", "Trần Thị Hoa"),
        ],
    )
    .await;
    assert_eq!(
        documents::get(&app.db.db, id).await.unwrap().status,
        "approved"
    );
    // A specialist cannot give the number, and does not see the button.
    let html = text_of(&specialist, app.url(&page_of(id))).await;
    assert!(!html.contains("Cấp số và phát hành"));
    let refused = post_multipart(
        &app,
        &specialist,
        &page_of(id),
        &format!("/documents/outgoing/{id}/issue"),
        &[("version", &version(&app, id).await)],
        None,
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let unchanged = documents::get(&app.db.db, id).await.unwrap();
    assert_eq!(
        (unchanged.status.as_str(), unchanged.number),
        ("approved", None)
    );
    // Administrators administer the series but do not read documents.
    let admin = app.signed_in("quantri", &[Role::Administrator], None).await;
    let list = admin
        .get(app.url("/documents/outgoing"))
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), StatusCode::FORBIDDEN);
    let series = specialist
        .get(app.url("/admin/numbering-series"))
        .send()
        .await
        .unwrap();
    assert_eq!(series.status(), StatusCode::FORBIDDEN);
}

async fn forms_need_their_token_and_show_errors_beside_fields(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (office, department) = office(&app).await;
    let specialist = signed(&app, "chuyenvien").await;
    let leader = signed(&app, "lanhdao").await;
    // Without the CSRF token nothing is created.
    let forged = specialist
        .post(app.url("/documents/outgoing"))
        .form(&[
            ("type_code", "cong_van"),
            ("subject", "Giả mạo"),
            ("drafting_unit_id", &office.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // An empty subject and an unknown type are shown beside their fields; the rest is kept.
    let refused = app
        .post_form(
            &specialist,
            "/documents/outgoing/new",
            "/documents/outgoing",
            &[
                ("type_code", "thu_tinh"),
                ("subject", "   "),
                ("drafting_unit_id", &office.to_string()),
                ("signer_name", "Trần Thị Hoa"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"e-subject\""), "{html}");
    assert!(html.contains("Vui lòng nhập mục này."));
    assert!(html.contains("Loại văn bản không có trong danh mục."));
    assert!(html.contains("value=\"Trần Thị Hoa\""));
    // Drafting for a unit outside the specialist's own is refused beside the unit.
    let elsewhere = app
        .post_form(
            &specialist,
            "/documents/outgoing/new",
            "/documents/outgoing",
            &[
                ("type_code", "cong_van"),
                ("subject", "Dự thảo cho đơn vị khác"),
                ("drafting_unit_id", &department.to_string()),
            ],
        )
        .await;
    assert_eq!(elsewhere.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(elsewhere
        .text()
        .await
        .unwrap()
        .contains("Bạn không được soạn thảo văn bản cho đơn vị này."));
    let count = |db: vanphong_store::Db| async move {
        documents::lists::count(
            &db,
            &vanphong_core::permission::ReadScope {
                units: None,
                max_secrecy: Secrecy::TopSecret,
            },
            vanphong_core::ids::UserId(0),
            &documents::lists::DocumentFilter::default(),
        )
        .await
        .unwrap()
    };
    assert_eq!(count(app.db.db.clone()).await, 0);

    // Submitting without a file: the page says a draft file is needed.
    let created = app
        .post_form(
            &specialist,
            "/documents/outgoing/new",
            "/documents/outgoing",
            &[
                ("type_code", "cong_van"),
                ("subject", "Dự thảo chưa có tệp"),
                ("drafting_unit_id", &office.to_string()),
            ],
        )
        .await;
    let bare: i64 = location(&created)
        .trim_start_matches("/documents/outgoing/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let early = app
        .post_form(
            &specialist,
            &page_of(bare),
            &format!("/documents/outgoing/{bare}/submit"),
            &[("version", &version(&app, bare).await)],
        )
        .await;
    assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early
        .text()
        .await
        .unwrap()
        .contains("Cần tải lên ít nhất một tệp dự thảo"));
    // A program is refused as a draft version, beside the file field.
    let program = post_multipart(
        &app,
        &specialist,
        &page_of(bare),
        &format!("/documents/outgoing/{bare}/versions"),
        &[("version", &version(&app, bare).await)],
        Some(("file", "setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")),
    )
    .await;
    assert_eq!(program.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(program.text().await.unwrap().contains("chương trình"));

    // Returning without a comment: refused beside the comment; with a stale version: 409.
    let id = drafted(&app, &specialist, office, department).await;
    let stale = version(&app, id).await;
    app.post_form(
        &specialist,
        &page_of(id),
        &format!("/documents/outgoing/{id}/submit"),
        &[("version", &stale)],
    )
    .await;
    let no_comment = app
        .post_form(
            &leader,
            &page_of(id),
            &format!("/documents/outgoing/{id}/return"),
            &[
                ("version", &version(&app, id).await),
                ("return_comment", " "),
            ],
        )
        .await;
    assert_eq!(no_comment.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = no_comment.text().await.unwrap();
    assert!(html.contains("id=\"e-return_comment\""), "{html}");
    let late = app
        .post_form(
            &leader,
            &page_of(id),
            &format!("/documents/outgoing/{id}/return"),
            &[("version", &stale), ("return_comment", "Sửa lại")],
        )
        .await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
    assert!(late.text().await.unwrap().contains("Người khác vừa sửa"));
    assert_eq!(
        documents::get(&app.db.db, id).await.unwrap().status,
        "in_review"
    );
    let returned = app
        .post_form(
            &leader,
            &page_of(id),
            &format!("/documents/outgoing/{id}/return"),
            &[
                ("version", &version(&app, id).await),
                ("return_comment", "Sửa lại trích yếu."),
            ],
        )
        .await;
    assert_eq!(returned.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        documents::get(&app.db.db, id).await.unwrap().status,
        "returned"
    );
}

async fn administrators_configure_the_numbering_series(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("quantri", &[Role::Administrator], None).await;
    let html = text_of(&admin, app.url("/admin/numbering-series")).await;
    assert!(html.contains("Văn bản hành chính") && html.contains("Văn bản mật"));
    let clash = app
        .post_form(
            &admin,
            "/admin/numbering-series",
            "/admin/numbering-series",
            &[
                ("name", "Quyết định 2"),
                ("type_codes", "quyet_dinh"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(clash.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(clash
        .text()
        .await
        .unwrap()
        .contains("Một loại văn bản đã thuộc sổ đang dùng khác."));
    let created = app
        .post_form(
            &admin,
            "/admin/numbering-series",
            "/admin/numbering-series",
            &[
                ("name", "Thông báo, kế hoạch"),
                ("type_codes", "thong_bao"),
                ("type_codes", "ke_hoach"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let series = outgoing::all_series(&app.db.db).await.unwrap();
    let added = series
        .iter()
        .find(|s| s.name == "Thông báo, kế hoạch")
        .unwrap();
    assert_eq!(
        added.type_codes,
        vec!["ke_hoach".to_owned(), "thong_bao".to_owned()]
    );
    let edit = format!("/admin/numbering-series/{}", added.id);
    let renamed = app
        .post_form(
            &admin,
            &edit,
            &edit,
            &[("name", "Thông báo"), ("type_codes", "thong_bao")],
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
    let now = outgoing::series(&app.db.db, added.id).await.unwrap();
    assert_eq!((now.name.as_str(), now.active), ("Thông báo", false));
    let csv = text_of(&admin, app.url("/admin/numbering-series?format=csv")).await;
    assert!(csv.contains("Thông báo") && csv.contains("Văn bản mật"));
}

/// Writes `n` bare outgoing drafts of `unit` straight into the database (a bulk loader's rows).
async fn bare_outgoing(app: &TestApp, unit: UnitId, n: i64) {
    let seq = format!(
        "WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < {n}) \
         INSERT INTO documents (direction, type_code, subject, status, owner_unit_id, created_at, updated_at) \
         SELECT 'outgoing', 'cong_van', 'Dự thảo số ' || CAST(k AS TEXT), 'drafting', {}, '2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z' FROM s",
        unit.0
    );
    match &app.db.db {
        vanphong_store::Db::Sqlite(pool) => sqlx::query(&seq).execute(pool).await.map(|_| ()),
        vanphong_store::Db::Postgres(pool) => sqlx::query(&seq).execute(pool).await.map(|_| ()),
    }
    .unwrap();
}

/// The list pages 50 at a time and stops counting at 2,000: a large register is never
/// counted in full on each view.
async fn the_list_pages_and_caps_its_count(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (office, _) = office(&app).await;
    let leader = signed(&app, "lanhdao").await;
    bare_outgoing(&app, office, 60).await;
    let first = text_of(&leader, app.url("/documents/outgoing")).await;
    assert!(first.contains("60 văn bản"), "{first}");
    assert!(first.contains("1 / 2"), "{first}");
    assert!(first.contains("rel=\"next\""), "{first}");
    let second = text_of(&leader, app.url("/documents/outgoing?page=2")).await;
    assert!(second.contains("2 / 2"), "{second}");
    assert!(!second.contains("rel=\"next\""), "{second}");
    assert_eq!(second.matches("Dự thảo số ").count(), 10, "{second}");
    bare_outgoing(&app, office, 1950).await;
    let capped = text_of(&leader, app.url("/documents/outgoing?page=3")).await;
    assert!(capped.contains("hơn 2000 văn bản"), "{capped}");
    assert!(
        capped.contains("rel=\"next\"") && capped.contains("rel=\"prev\""),
        "{capped}"
    );
    assert!(
        !capped.contains("3 / "),
        "no last page is claimed: {capped}"
    );
}

on_both_backends!(
    the_list_pages_and_caps_its_count,
    a_letter_goes_from_draft_to_its_number_through_the_pages,
    each_role_does_only_its_part,
    forms_need_their_token_and_show_errors_beside_fields,
    administrators_configure_the_numbering_series,
);
