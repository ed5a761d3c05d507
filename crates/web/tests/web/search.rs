//! Search through HTTP: the page and `/api/v1/search` on both backends. Bad input never
//! breaks it, snippets are escaped, a reader never learns of a document they may not see,
//! saved searches run again, and a text PDF uploaded through the API is found at once.

use super::*;
use serde_json::{json, Value};
use vanphong_store::on_both_backends;

/// Registers an incoming document through the API; returns its id.
async fn register(
    app: &TestApp,
    key: &str,
    number: &str,
    subject: &str,
    unit: UnitId,
    attachments: &[String],
) -> i64 {
    let body = json!({"type_code": "cong_van", "number_symbol": number, "subject": subject,
                      "sender_name": "Sở Nông nghiệp và Môi trường tỉnh Ninh Bình", "arrival_date": "2026-11-25",
                      "receiving_unit_id": unit.0,
                      "attachments": attachments.iter().map(|s| json!({"sha256": s})).collect::<Vec<_>>()});
    let created = Client::new()
        .post(app.url("/api/v1/documents/incoming"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    created.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn api_search(app: &TestApp, key: &str, params: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = Client::new()
        .get(app.url("/api/v1/search"))
        .query(params)
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn titles(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            item["title"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["text"].as_str().unwrap())
                .collect::<String>()
        })
        .collect()
}

async fn bad_input_never_breaks_search(backend: Backend) {
    let app = TestApp::start(backend).await;
    let unit = app.create_unit("Văn phòng", "VP", None).await;
    let key = app.api_key("vanthu", &[Role::RecordsClerk]).await;
    register(
        &app,
        &key,
        "1756/QĐ-BTNMT",
        "Kế hoạch quan trắc môi trường <script>alert(1)</script> sông Nhuệ",
        unit,
        &[],
    )
    .await;
    let browser = app.signed_in("lanhdao", &[Role::AgencyLeader], None).await;
    let long = "môi trường ".repeat(600);
    let queries = [
        "",
        "\"",
        "*",
        "(",
        ")",
        "AND",
        "OR NOT",
        "'; DROP TABLE documents; --",
        "Ke\u{0302}\u{0301} hoa\u{0323}ch",
        long.as_str(),
        "%",
        "\\",
        "{title}:",
        "NEAR(a, b)",
        "1756/QD-BTNMT",
        "<script>alert(1)</script>",
        "💥",
        "a\u{0000}b",
        "-sông",
        "^",
    ];
    for q in queries {
        let (status, body) = api_search(&app, &key, &[("q", q)]).await;
        assert_eq!(status, StatusCode::OK, "{q:?}: {body}");
        assert!(body["items"].is_array(), "{q:?}");
        let page = browser
            .get(app.url("/search"))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{q:?}");
        let html = page.text().await.unwrap();
        assert!(!html.contains("<script>alert(1)"), "{q:?}: never injected");
    }
    // The document is found by its symbol typed otherwise, and by NFD text.
    for q in [
        "1756/QD-BTNMT",
        "1756 qđ btnmt",
        "Ke\u{0302}\u{0301} hoa\u{0323}ch",
    ] {
        let (_, body) = api_search(&app, &key, &[("q", q)]).await;
        assert_eq!(titles(&body).len(), 1, "{q:?}: {body}");
    }
    // The overlong query is cut and says so; the empty one lists the newest and says so.
    let (_, body) = api_search(&app, &key, &[("q", long.as_str())]).await;
    assert!(body["notices"]
        .as_array()
        .unwrap()
        .contains(&json!("truncated")));
    let (_, body) = api_search(&app, &key, &[("q", "")]).await;
    assert!(body["notices"]
        .as_array()
        .unwrap()
        .contains(&json!("empty_query")));
    assert_eq!(titles(&body).len(), 1);
    // Snippets come marked and escaped.
    let html = browser
        .get(app.url("/search?q=quan+tr%E1%BA%AFc"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<mark>quan</mark> <mark>trắc</mark>"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Bad filters are field messages, not errors.
    let (status, body) = api_search(
        &app,
        &key,
        &[("q", "x"), ("from", "hôm qua"), ("kind", "tàu")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["from"].is_string());
    assert!(body["error"]["fields"]["kind"].is_string());
    let page = browser
        .get(app.url("/search?q=x&from=h%C3%B4m+qua"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().await.unwrap().contains("f-from"));
}

async fn search_never_reveals_what_the_reader_may_not_see(backend: Backend) {
    let app = TestApp::start(backend).await;
    let inspection = app.create_unit("Thanh tra", "TTR", None).await;
    let office = app.create_unit("Văn phòng", "VP", None).await;
    let key = app.api_key("vanthu", &[Role::RecordsClerk]).await;
    register(
        &app,
        &key,
        "88/TTR-KT",
        "Thanh tra đột xuất nhà máy giấy Việt Trì",
        inspection,
        &[],
    )
    .await;
    let outsider = app
        .signed_in("chuyenvien", &[Role::Specialist], Some(office))
        .await;
    let home = outsider
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("action=\"/search\""),
        "the search box is in the header"
    );
    for q in ["nhà máy giấy", "nha may giay", "88/TTR-KT", "Việt Tr", ""] {
        let html = outsider
            .get(app.url("/search"))
            .query(&[("q", q)])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!html.contains("đột xuất"), "{q:?}: no title or snippet");
        assert!(html.contains("(0)"), "{q:?}: counts say nothing");
    }
    let insider = app
        .signed_in("thanhtravien", &[Role::Specialist], Some(inspection))
        .await;
    let html = insider
        .get(app.url("/search?q=nha+may+giay"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Thanh tra đột xuất"), "{html}");
    assert!(html.contains("<mark>nhà</mark>"));
}

async fn saved_searches_run_again_and_are_deleted(backend: Backend) {
    let app = TestApp::start(backend).await;
    let unit = app.create_unit("Văn phòng", "VP", None).await;
    let key = app.api_key("vanthu", &[Role::RecordsClerk]).await;
    register(&app, &key, "12/UBND-KT", "Ứng phó với bão số 3", unit, &[]).await;
    let leader = app.signed_in("lanhdao", &[Role::AgencyLeader], None).await;
    let saved = app
        .post_form(
            &leader,
            "/search?q=bao",
            "/search/saved",
            &[
                ("name", "Bão lũ"),
                ("query", "q=b%C3%A3o&kind=incoming&evil=1"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), "/search?q=b%C3%A3o&kind=incoming");
    let html = leader
        .get(app.url("/search"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("href=\"/search?q=b%C3%A3o&amp;kind=incoming\""),
        "{html}"
    );
    let rerun = leader
        .get(app.url("/search?q=b%C3%A3o&kind=incoming"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(rerun.contains("Ứng phó với <mark>bão</mark> số 3"));
    let again = app
        .post_form(
            &leader,
            "/search",
            "/search/saved",
            &[("name", "Bão lũ"), ("query", "q=x")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let id = html
        .split("/search/saved/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    // Someone else cannot delete it.
    let other = app
        .signed_in("vanthu2", &[Role::RecordsClerk], Some(unit))
        .await;
    let refused = app
        .post_form(
            &other,
            "/search",
            &format!("/search/saved/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let deleted = app
        .post_form(
            &leader,
            "/search",
            &format!("/search/saved/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    let html = leader
        .get(app.url("/search"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("Bão lũ"));
}

async fn saved_searches_through_the_api(backend: Backend) {
    let app = TestApp::start(backend).await;
    let unit = app.create_unit("Văn phòng", "VP", None).await;
    let clerk = app.api_key("vanthu", &[Role::RecordsClerk]).await;
    register(
        &app,
        &clerk,
        "12/UBND-KT",
        "Ứng phó với bão số 3",
        unit,
        &[],
    )
    .await;
    let key = app.api_key("lanhdao", &[Role::AgencyLeader]).await;
    let url = app.url("/api/v1/search/saved");
    let created = Client::new()
        .post(&url)
        .bearer_auth(&key)
        .json(&json!({"name": "Bão lũ", "query": "q=b%C3%A3o&kind=incoming&evil=1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["query"], "q=b%C3%A3o&kind=incoming");
    let id = created["id"].as_i64().unwrap();
    // Running it again finds the document.
    let run = Client::new()
        .get(app.url(created["url"].as_str().unwrap()))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(run.status(), StatusCode::OK);
    let run: Value = run.json().await.unwrap();
    assert_eq!(titles(&run), vec!["Ứng phó với bão số 3".to_owned()]);
    // The same name twice, and an empty name, are field errors.
    for (body, field) in [
        (json!({"name": "Bão lũ", "query": "q=x"}), "name"),
        (json!({"name": "  ", "query": "q=x"}), "name"),
    ] {
        let refused = Client::new()
            .post(&url)
            .bearer_auth(&key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused: Value = refused.json().await.unwrap();
        assert!(refused["error"]["fields"][field].is_string(), "{refused}");
    }
    let malformed = Client::new()
        .post(&url)
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body("{\"name\": 3")
        .send()
        .await
        .unwrap();
    assert!(malformed.status().is_client_error());
    let list: Value = Client::new()
        .get(&url)
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    // Another user neither sees nor deletes it.
    let list: Value = Client::new()
        .get(&url)
        .bearer_auth(&clerk)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([]));
    let one = app.url(&format!("/api/v1/search/saved/{id}"));
    let refused = Client::new()
        .delete(&one)
        .bearer_auth(&clerk)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let deleted = Client::new()
        .delete(&one)
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let again = Client::new()
        .delete(&one)
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

async fn a_text_pdf_uploaded_through_the_api_is_found_at_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    let unit = app.create_unit("Văn phòng", "VP", None).await;
    let key = app.api_key("vanthu", &[Role::RecordsClerk]).await;
    let pdf = vanphong_web::pdf::render(&vanphong_web::pdf::TableReport {
        agency: "Cục Kiểm soát ô nhiễm".into(),
        title: "Kế hoạch".into(),
        columns: vec![vanphong_web::pdf::Column {
            title: "Nội dung".into(),
            width: 1.0,
            align: vanphong_web::pdf::Align::Left,
        }],
        rows: vec![vec![
            "Quan trắc chất lượng nước sông Nhuệ và sông Đáy quý IV".into(),
        ]],
        page_label: "Trang {page}/{pages}".into(),
        language: "vi".into(),
        ..Default::default()
    })
    .unwrap();
    let upload = Client::new()
        .post(app.url("/api/v1/blobs"))
        .bearer_auth(&key)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(pdf).file_name("ke-hoach.pdf"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::CREATED);
    let sha = upload.json::<Value>().await.unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    register(&app, &key, "5/VP", "Công văn gửi kế hoạch", unit, &[sha]).await;
    for q in ["song Nhue", "sông Đáy", "\"chất lượng nước\""] {
        let (_, body) = api_search(&app, &key, &[("q", q)]).await;
        assert_eq!(titles(&body), ["Công văn gửi kế hoạch"], "{q:?}: {body}");
        let snippet = &body["items"][0]["snippet"];
        assert!(
            snippet
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["matched"] == json!(true)),
            "{q:?}: {snippet}"
        );
    }
    let (_, body) = api_search(&app, &key, &[("q", "song"), ("kind", "outgoing")]).await;
    assert!(titles(&body).is_empty());
    assert_eq!(
        body["counts"],
        json!([{"kind": "outgoing", "count": 0, "more": false}])
    );
}

/// News beside the records: the page groups it under its own count, links a published
/// article to its public page and a draft to the editor's, and a reader who may not edit
/// news never learns of a draft (no title, no snippet, a count of nothing).
async fn news_articles_are_searched_with_the_news_pages_permissions(backend: Backend) {
    use vanphong_core::news::{NewsCategory, Slug};
    use vanphong_store::news::{self, ArticleInput};
    let app = TestApp::start(backend).await;
    let office = app.create_unit("Văn phòng", "VP", None).await;
    // An editor who also reads records; a specialist who reads records.
    let editor_user = app
        .create_user(
            "bientap",
            &[Role::Editor, Role::Specialist],
            Some(office),
            Secrecy::Normal,
        )
        .await;
    let editor = TestApp::browser();
    app.sign_in(&editor, "bientap", PASSWORD).await;
    let specialist = app
        .signed_in("chuyenvien", &[Role::Specialist], Some(office))
        .await;
    let editor_key = app
        .api_key("bientap_api", &[Role::Editor, Role::RecordsClerk])
        .await;
    let draft = news::create(
        &app.db.db,
        &Origin::system(),
        &editor_user.actor(),
        &ArticleInput {
            slug: Slug::parse("ngay-hoi-tai-che").unwrap(),
            title: "Ngày hội tái chế lưu vực sông Đồng Nai".into(),
            summary: "Hơn năm trăm đoàn viên thu gom rác thải nhựa.".into(),
            body: "Chương trình do Sở Nông nghiệp và Môi trường tổ chức.".into(),
            category: NewsCategory::Activities,
            cover: None,
        },
    )
    .await
    .unwrap();
    let page = |client: &Client, q: &str| {
        let request = client.get(app.url("/search")).query(&[("q", q)]);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.text().await.unwrap()
        }
    };

    // The draft: the editor finds it under News and is led to the editor's page.
    let html = page(&editor, "ngay hoi tai che").await;
    assert!(html.contains("Tin bài (1)"), "{html}");
    assert!(
        html.contains(&format!("href=\"/news/manage/{}\"", draft.id)),
        "{html}"
    );
    assert!(html.contains("<mark>tái</mark>"), "{html}");
    let (status, body) =
        api_search(&app, &editor_key, &[("q", "doan vien"), ("kind", "news")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["items"][0]["url"],
        format!("/news/manage/{}", draft.id)
    );
    assert_eq!(
        body["counts"],
        json!([{"kind": "news", "count": 1, "more": false}])
    );
    // An editor who reads no records searches too: the draft, never a document, and no
    // document filters or counts on the page.
    app.create_user("chibientap", &[Role::Editor], Some(office), Secrecy::Normal)
        .await;
    let editor_only = TestApp::browser();
    app.sign_in(&editor_only, "chibientap", PASSWORD).await;
    let clerk_key = app.api_key("vanthu_api", &[Role::RecordsClerk]).await;
    let document = register(
        &app,
        &clerk_key,
        "15/STNMT-CCBVMT",
        "Về môi trường lưu vực sông Đồng Nai",
        office,
        &[],
    )
    .await;
    let html = page(&editor_only, "dong nai").await;
    assert!(html.contains("Tin bài (1)"), "{html}");
    assert!(
        html.contains(&format!("href=\"/news/manage/{}\"", draft.id)),
        "{html}"
    );
    assert!(
        !html.contains(&format!("/documents/{document}")) && !html.contains("Văn bản đến ("),
        "{html}"
    );
    assert!(!html.contains("name=\"type_code\""), "{html}");
    assert!(!html.contains("href=\"/search/scans\""), "{html}");
    let html = page(&editor, "dong nai").await;
    assert!(
        html.contains(&format!("/documents/{document}")) && html.contains("name=\"type_code\""),
        "{html}"
    );
    // The search box is in every signed-in page's header.
    let home = editor_only
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("action=\"/search\""), "{home}");

    // The specialist: nothing of it, whatever the words.
    for q in [
        "ngay hoi tai che",
        "doan vien thu gom",
        "ngay-hoi-tai-che",
        "",
    ] {
        let html = page(&specialist, q).await;
        assert!(
            !html.contains("tái chế") && !html.contains("đoàn viên"),
            "{q:?}"
        );
        assert!(html.contains("Tin bài (0)"), "{q:?}: {html}");
    }

    // Published: the specialist finds it at once, led to the public page.
    news::publish(
        &app.db.db,
        &Origin::system(),
        &editor_user.actor(),
        draft.id,
        draft.version,
        vanphong_store::now(),
    )
    .await
    .unwrap();
    let html = page(&specialist, "ngay hoi tai che").await;
    assert!(html.contains("Tin bài (1)"), "{html}");
    assert!(html.contains("href=\"/news/ngay-hoi-tai-che\""), "{html}");
    let html = specialist
        .get(app.url("/search?q=dong+nai&kind=news"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<mark>Đồng</mark> <mark>Nai</mark>"),
        "{html}"
    );
    let (_, body) = api_search(&app, &editor_key, &[("q", "doan vien")]).await;
    assert_eq!(body["items"][0]["url"], "/news/ngay-hoi-tai-che");
    // And the link leads there.
    let article = specialist
        .get(app.url("/news/ngay-hoi-tai-che"))
        .send()
        .await
        .unwrap();
    assert_eq!(article.status(), StatusCode::OK);
}

on_both_backends!(
    bad_input_never_breaks_search,
    news_articles_are_searched_with_the_news_pages_permissions,
    search_never_reveals_what_the_reader_may_not_see,
    saved_searches_run_again_and_are_deleted,
    saved_searches_through_the_api,
    a_text_pdf_uploaded_through_the_api_is_found_at_once,
);
