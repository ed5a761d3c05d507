//! Work files and news through their pages: the forms with bad input (errors beside the
//! fields, nothing written), script shown escaped, the handover and the archive's receipt,
//! the lists and their exports, the refusals, and the public news pages without sign-in.

use super::*;
use vanphong_store::on_both_backends;

async fn rows(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match &app.db.db {
        vanphong_store::Db::Sqlite(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap(),
        vanphong_store::Db::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap(),
    }
}

async fn work_files_are_opened_closed_handed_over_and_received_through_pages(backend: Backend) {
    let app = TestApp::start(backend).await;
    let office = app.create_unit("Văn phòng", "VP", None).await;
    let legal = app.create_unit("Vụ Pháp chế", "PC", None).await;
    let specialist = app
        .signed_in("chuyenvien", &[Role::Specialist], Some(office))
        .await;
    let outsider = app
        .signed_in("phapche", &[Role::Specialist], Some(legal))
        .await;
    let clerk = app
        .signed_in("vanthu", &[Role::RecordsClerk], Some(office))
        .await;

    let form = specialist.get(app.url("/files/new")).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);

    // Bad input: every error beside its field, nothing written.
    let office_id = office.0.to_string();
    let response = app
        .post_form(
            &specialist,
            "/files/new",
            "/files/new",
            &[
                ("code", "TCCB"),
                ("title", "  "),
                ("year", "20x0"),
                ("unit_id", &office_id),
                ("retention", "mãi mãi"),
                ("opened_on", "31/02/2020"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    for message in [
        "Ký hiệu hồ sơ gồm số thứ tự",
        "Vui lòng nhập mục này.",
        "Năm không hợp lệ.",
        "Thời hạn bảo quản là",
        "Ngày không hợp lệ",
    ] {
        assert!(html.contains(message), "{message} in {html}");
    }
    assert!(
        html.contains("id=\"e-title\""),
        "the title's error is beside it"
    );
    // An unknown unit is an error beside the unit.
    let response = app
        .post_form(
            &specialist,
            "/files/new",
            "/files/new",
            &[
                ("code", "01.VP"),
                ("title", "Hồ sơ"),
                ("year", "2020"),
                ("unit_id", "99999"),
                ("retention", "10"),
                ("opened_on", "2020-01-06"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Vui lòng chọn một đơn vị có trong danh sách."));
    assert_eq!(rows(&app, "work_files").await, 0);

    // A good file, with script in its title shown as text.
    let fields = [
        ("code", "01.vp"),
        ("title", "Hồ sơ <script>alert('x')</script> hội nghị"),
        ("year", "2020"),
        ("unit_id", office_id.as_str()),
        ("retention", "Vĩnh viễn"),
        ("opened_on", "2020-01-06"),
    ];
    let response = app
        .post_form(&specialist, "/files/new", "/files/new", &fields)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let file_path = location(&response);
    let html = specialist
        .get(app.url(&file_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("&lt;script&gt;alert('x')&lt;/script&gt;"));
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("01.VP"));
    // The same code again is an error beside the code.
    let response = app
        .post_form(&specialist, "/files/new", "/files/new", &fields)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Đơn vị đã có hồ sơ mang ký hiệu này trong năm."));
    assert_eq!(rows(&app, "work_files").await, 1);

    // Another unit's specialist does not see it; a specialist cannot open for another unit.
    let hidden = outsider.get(app.url(&file_path)).send().await.unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let response = app
        .post_form(
            &outsider,
            "/files/new",
            "/files/new",
            &[
                ("code", "02.VP"),
                ("title", "Hồ sơ"),
                ("year", "2020"),
                ("unit_id", &office_id),
                ("retention", "10"),
                ("opened_on", "2020-01-06"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Close: a malformed date first, then a good one.
    let close_path = format!("{file_path}/close");
    let response = app
        .post_form(
            &specialist,
            &file_path,
            &close_path,
            &[("version", "1"), ("closed_on", "hôm nay")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .post_form(
            &specialist,
            &file_path,
            &close_path,
            &[("version", "1"), ("closed_on", "2020-12-20")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // Hand over: no file chosen is an error; then the file.
    let file_id = file_path.rsplit('/').next().unwrap().to_owned();
    let new_handover = format!("/files/handovers/new?unit_id={office_id}");
    let response = app
        .post_form(
            &specialist,
            &new_handover,
            "/files/handovers/new",
            &[("unit_id", &office_id), ("handed_on", "2021-03-01")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Vui lòng chọn ít nhất một hồ sơ"));
    assert_eq!(rows(&app, "archive_handovers").await, 0);
    let response = app
        .post_form(
            &specialist,
            &new_handover,
            "/files/handovers/new",
            &[
                ("unit_id", &office_id),
                ("handed_on", "2021-03-01"),
                ("file_id", &file_id),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let handover_path = location(&response);

    // Only the archive receives; not before the handover date.
    let receive_path = format!("{handover_path}/receive");
    let refused = app
        .post_form(
            &specialist,
            &handover_path,
            &receive_path,
            &[("received_on", "2021-03-02")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let early = app
        .post_form(
            &clerk,
            &handover_path,
            &receive_path,
            &[("received_on", "2021-02-01")],
        )
        .await;
    assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early
        .text()
        .await
        .unwrap()
        .contains("Ngày tiếp nhận không được trước ngày giao nộp."));
    let received = app
        .post_form(
            &clerk,
            &handover_path,
            &receive_path,
            &[("received_on", "2021-03-02")],
        )
        .await;
    assert_eq!(received.status(), StatusCode::SEE_OTHER);

    // The list filtered by the received date, and its exports.
    let list = clerk
        .get(app.url("/files?received_from=2021-01-01&received_to=2021-12-31"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("Số hồ sơ: 1"), "{list}");
    assert!(list.contains("Đã vào Lưu trữ cơ quan"));
    let none = clerk
        .get(app.url("/files?received_from=2021-03-03&received_to=2021-12-31"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(none.contains("Số hồ sơ: 0"));
    let csv = clerk
        .get(app.url("/files?received_from=2021-01-01&format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    assert!(csv.contains("01.VP") && csv.contains("02/03/2021"), "{csv}");
    let xlsx = clerk
        .get(app.url("/files?format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
}

async fn post_article(
    app: &TestApp,
    client: &Client,
    action: &str,
    fields: &[(&str, &str)],
) -> Response {
    let token = app.csrf(client, "/news/manage/new").await;
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    client
        .post(app.url(&format!("{action}?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn news_is_written_by_editors_and_read_by_anyone(backend: Backend) {
    let app = TestApp::start(backend).await;
    let office = app.create_unit("Văn phòng", "VP", None).await;
    let editor = app
        .signed_in("bientap", &[Role::Editor], Some(office))
        .await;
    let specialist = app
        .signed_in("chuyenvien", &[Role::Specialist], Some(office))
        .await;

    // Only editors reach the staff pages.
    let refused = specialist
        .get(app.url("/news/manage"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let anonymous = TestApp::browser();
    let redirected = anonymous.get(app.url("/news/manage")).send().await.unwrap();
    assert_eq!(redirected.status(), StatusCode::SEE_OTHER);

    // Missing title, bad address, unknown category: errors beside the fields.
    let response = post_article(
        &app,
        &editor,
        "/news/manage/new",
        &[
            ("title", ""),
            ("slug", "Tin Mới!"),
            ("category", "gossip"),
            ("body", "x"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("Vui lòng nhập mục này."));
    assert!(html.contains("Đường dẫn chỉ gồm chữ thường không dấu"));
    assert!(html.contains("Giá trị không có trong danh mục."));
    assert_eq!(rows(&app, "news_articles").await, 0);

    let script = "<script>alert(1)</script>";
    let title = format!("Hội nghị tổng kết năm 2020 {script}");
    let body = format!(
        "Đoạn đầu {script}.\n\nXem thêm https://monre.gov.vn/tin\n\n<img src=x onerror=alert(2)>"
    );
    let response = post_article(
        &app,
        &editor,
        "/news/manage/new",
        &[
            ("title", &title),
            ("slug", ""),
            ("summary", script),
            ("category", "activities"),
            ("body", &body),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let edit_path = location(&response);
    let id = edit_path.rsplit('/').next().unwrap().to_owned();
    let slug = "hoi-nghi-tong-ket-nam-2020-script-alert-1-script";

    // A draft is not public.
    let draft = anonymous
        .get(app.url(&format!("/news/{slug}")))
        .send()
        .await
        .unwrap();
    assert_eq!(draft.status(), StatusCode::NOT_FOUND);

    // The same address again is an error beside it.
    let response = post_article(
        &app,
        &editor,
        "/news/manage/new",
        &[
            ("title", "Tin khác"),
            ("slug", slug),
            ("category", "policy"),
            ("body", ""),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Đường dẫn này đã được dùng cho một tin khác."));
    assert_eq!(rows(&app, "news_articles").await, 1);

    // Publish, then read it without signing in.
    let publish = app
        .post_form(
            &editor,
            &edit_path,
            &format!("{edit_path}/publish"),
            &[("version", "1")],
        )
        .await;
    assert_eq!(publish.status(), StatusCode::SEE_OTHER);
    let list = anonymous.get(app.url("/news")).send().await.unwrap();
    assert_eq!(list.status(), StatusCode::OK);
    let list = list.text().await.unwrap();
    assert!(list.contains(&format!("href=\"/news/{slug}\"")));
    assert!(!list.contains("<script>alert"));
    for path in [format!("/news/{slug}"), format!("/news/{id}")] {
        let page = anonymous.get(app.url(&path)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        let html = page.text().await.unwrap();
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains("<script>alert") && !html.contains("<img src=x"));
        assert!(html.contains("<a href=\"https://monre.gov.vn/tin\""));
        assert!(html.contains("<p>Đoạn đầu"));
    }

    // The staff list and its exports.
    let csv = editor
        .get(app.url("/news/manage?status=published&format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.text().await.unwrap().contains(slug));
    let xlsx = editor
        .get(app.url("/news/manage?format=xlsx"))
        .send()
        .await
        .unwrap();
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));

    // Unpublished, it is gone from the public site.
    let unpublish = app
        .post_form(
            &editor,
            &edit_path,
            &format!("{edit_path}/unpublish"),
            &[("version", "2")],
        )
        .await;
    assert_eq!(unpublish.status(), StatusCode::SEE_OTHER);
    let gone = anonymous
        .get(app.url(&format!("/news/{slug}")))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let list = anonymous
        .get(app.url("/news"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("Chưa có tin bài nào."));
}

on_both_backends!(
    work_files_are_opened_closed_handed_over_and_received_through_pages,
    news_is_written_by_editors_and_read_by_anyone,
);
