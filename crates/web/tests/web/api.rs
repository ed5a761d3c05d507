//! The JSON API: authentication, the error shape, validation, pagination, uploads, the
//! calendar, the OpenAPI document and the operational endpoints.

use super::*;
use serde_json::{json, Value};
use vanphong_store::on_both_backends;

async fn error_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["code"].is_string(), "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    assert!(body["error"]["fields"].is_object(), "{body}");
    (status, body)
}

async fn bearer_keys_authenticate_and_bad_ones_get_401(backend: Backend) {
    let app = TestApp::start(backend).await;
    let key = app.api_key("tichhop", &[Role::RecordsClerk]).await;
    let me: Value = Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "tichhop");
    assert_eq!(me["roles"], json!(["records_clerk"]));
    for bad in ["vpk_nothing_here", "garbage", &format!("{key}x")] {
        let (status, body) = error_of(
            Client::new()
                .get(app.url("/api/v1/me"))
                .bearer_auth(bad)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad}");
        assert_eq!(body["error"]["code"], "sign_in_required");
    }
    let (status, _) = error_of(
        Client::new()
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn validation_errors_name_each_field_in_vietnamese(backend: Backend) {
    let app = TestApp::start(backend).await;
    let key = app.api_key("admin", &[Role::Administrator]).await;
    let api = Client::new();
    let (status, body) = error_of(
        api.post(app.url("/api/v1/units"))
            .bearer_auth(&key)
            .json(&json!({"name": "", "abbreviation": "v p"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "validation");
    assert_eq!(body["error"]["fields"]["name"], "Vui lòng nhập mục này.");
    assert!(body["error"]["fields"]["abbreviation"]
        .as_str()
        .unwrap()
        .contains("chữ in hoa"));
    let (status, body) = error_of(
        api.post(app.url("/api/v1/units"))
            .bearer_auth(&key)
            .header("content-type", "application/json")
            .body("{\"name\": ")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "malformed_json");
    let (_, body) = error_of(
        api.post(app.url("/api/v1/units"))
            .bearer_auth(&key)
            .body("name=x")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["error"]["code"], "json_content_type");
    let (_, body) = error_of(
        api.post(app.url("/api/v1/units"))
            .bearer_auth(&key)
            .json(&json!({"name": 5}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["error"]["code"], "json_data");
    // English on request.
    vanphong_store::users::set_language(
        &app.db.db,
        users::by_username(&app.db.db, "admin").await.unwrap().id,
        "en",
    )
    .await
    .unwrap();
    let (_, body) = error_of(
        api.post(app.url("/api/v1/units"))
            .bearer_auth(&key)
            .json(&json!({"name": "", "abbreviation": "VP"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["error"]["fields"]["name"], "Please fill this in.");
    // A unique conflict is a field error, and nothing half-written remains.
    let ok = api
        .post(app.url("/api/v1/units"))
        .bearer_auth(&key)
        .json(&json!({"name": "Văn phòng", "abbreviation": "VP"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::CREATED);
    let (status, body) = error_of(
        api.post(app.url("/api/v1/units"))
            .bearer_auth(&key)
            .json(&json!({"name": "Khác", "abbreviation": "VP"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["abbreviation"].is_string());
    assert_eq!(org::units(&app.db.db).await.unwrap().len(), 1);
    let (status, _) = error_of(
        api.post(app.url("/api/v1/units"))
            .bearer_auth(&key)
            .json(&json!({"name": "Con", "abbreviation": "CON", "parent_id": 999}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn lists_page_with_cursors(backend: Backend) {
    let app = TestApp::start(backend).await;
    let key = app.api_key("admin", &[Role::Administrator]).await;
    for i in 0..7 {
        app.create_user(
            &format!("nguoi{i}"),
            &[Role::Specialist],
            None,
            Secrecy::Normal,
        )
        .await;
    }
    let api = Client::new();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = app.url("/api/v1/users?limit=3");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = api
            .get(url)
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["username"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 8, "{seen:?}");
    let (status, body) = error_of(
        api.get(app.url("/api/v1/users?cursor=rubbish"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str().unwrap()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_cursor")
    );
    let (_, body) = error_of(
        api.get(app.url("/api/v1/users?limit=100000"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(body["error"]["fields"]["limit"].is_string());
    let (_, body) = error_of(
        api.get(app.url("/api/v1/users?limit=abc"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["error"]["code"], "malformed_query");
}

async fn users_and_organisations_are_created_through_the_api(backend: Backend) {
    let app = TestApp::start(backend).await;
    let key = app.api_key("admin", &[Role::Administrator]).await;
    let api = Client::new();
    let created = api
        .post(app.url("/api/v1/users"))
        .bearer_auth(&key)
        .json(&json!({"username": "vanthu2", "full_name": "Vũ Thị Lan", "roles": ["records_clerk"], "password": "mật khẩu đủ dài"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let (_, body) = error_of(
        api.post(app.url("/api/v1/users"))
            .bearer_auth(&key)
            .json(&json!({"username": "x", "full_name": "", "roles": ["root"], "password": "ngắn", "unit_id": 12345, "clearance": "cosmic"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    for field in [
        "username",
        "full_name",
        "roles",
        "password",
        "unit_id",
        "clearance",
    ] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    let org = api
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&key)
        .json(&json!({"name": "Bộ Nông nghiệp và Môi trường", "kind": "ministry", "abbreviation": "BNNMT", "agency_code": "000.00.00.G22"}))
        .send()
        .await
        .unwrap();
    assert_eq!(org.status(), StatusCode::CREATED);
    let found: Value = api
        .get(app.url("/api/v1/organisations?q=nong+nghiep"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let (_, body) = error_of(
        api.post(app.url("/api/v1/organisations"))
            .bearer_auth(&key)
            .json(&json!({"name": "Khác", "kind": "ministry", "agency_code": "000.00.00.G22"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(body["error"]["fields"]["agency_code"].is_string());
}

async fn uploads_are_sniffed_limited_and_private(backend: Backend) {
    let app = TestApp::start_with(backend, WebConfig::default(), 64 * 1024).await;
    let owner = app.api_key("chuyenvien", &[Role::Specialist]).await;
    let other = app.api_key("nguoikhac", &[Role::Specialist]).await;
    let api = Client::new();
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(pdf.clone())
            .file_name("Công văn 07.pdf")
            .mime_str("text/plain")
            .unwrap(),
    );
    let uploaded = api
        .post(app.url("/api/v1/blobs"))
        .bearer_auth(&owner)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let body: Value = uploaded.json().await.unwrap();
    assert_eq!(
        body["content_type"], "application/pdf",
        "sniffed, not the claimed text/plain"
    );
    let sha = body["sha256"].as_str().unwrap().to_owned();
    let download = api
        .get(app.url(&format!("/api/v1/blobs/{sha}")))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.unwrap().to_vec(), pdf);
    let (status, _) = error_of(
        api.get(app.url(&format!("/api/v1/blobs/{sha}")))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "others learn nothing");
    let blobs_before = app.state.blobs.list().await.unwrap().len();
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "bao-cao.pdf",
            "Đây không phải PDF".as_bytes().to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "upload_type_mismatch",
        ),
        (
            "hoa-don.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "upload_executable",
        ),
        (
            "lon.bin",
            vec![1u8; 100 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
    ];
    for (name, bytes, expected, code) in cases {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
        let (status, body) = error_of(
            api.post(app.url("/api/v1/blobs"))
                .bearer_auth(&owner)
                .multipart(form)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, expected, "{name}: {body}");
        let text = body.to_string();
        assert!(text.contains(code), "{name}: {body}");
    }
    assert_eq!(
        app.state.blobs.list().await.unwrap().len(),
        blobs_before,
        "refused uploads leave no blob"
    );
    let uploads_dir = app.db.dir.path().join("uploads");
    assert_eq!(
        std::fs::read_dir(uploads_dir).unwrap().count(),
        0,
        "and no temporary file"
    );
    let (status, _) = error_of(
        api.post(app.url("/api/v1/blobs"))
            .bearer_auth(&owner)
            .multipart(reqwest::multipart::Form::new().text("other", "x"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_calendar_answers_over_http(backend: Backend) {
    let app = TestApp::start(backend).await;
    let api = Client::new();
    let year: Value = api
        .get(app.url("/api/v1/calendar/2026"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dates: Vec<&str> = year["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    assert!(
        dates.contains(&"2026-01-01") && dates.contains(&"2026-02-17"),
        "{dates:?}"
    );
    let added: Value = api
        .get(app.url("/api/v1/calendar/add-working-days?date=2026-02-13&days=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The Tết holidays of 2026 run through 20 February (a Friday); Monday 23 is the next working day.
    assert_eq!(added["result"], "2026-02-23", "{added}");
    let (status, body) = error_of(
        api.get(app.url("/api/v1/calendar/1800"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["year"].is_string());
    let (_, body) = error_of(
        api.get(app.url("/api/v1/calendar/add-working-days?date=2026-13-01&days=x"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        body["error"]["fields"]["date"].is_string() && body["error"]["fields"]["days"].is_string(),
        "{body}"
    );
}

async fn the_openapi_document_describes_the_api(backend: Backend) {
    let app = TestApp::start(backend).await;
    let doc: Value = Client::new()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/users",
        "/api/v1/organisations",
        "/api/v1/areas",
        "/api/v1/blobs",
        "/api/v1/calendar/{year}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

async fn operational_endpoints_answer(backend: Backend) {
    let app = TestApp::start(backend).await;
    let api = Client::new();
    assert_eq!(
        api.get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    let ready: Value = api
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["blob_store"], "ok");
    assert_eq!(ready["backend"], backend.name());
    let metrics = api
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("vanphong_http_requests_total"),
        "{metrics}"
    );
    let (status, body) = error_of(
        api.get(app.url("/api/v1/no-such-thing"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    // The database going away makes the node unready, not dead.
    app.db.db.close().await;
    let response = api.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        api.get(app.url("/healthz")).send().await.unwrap().status(),
        StatusCode::OK
    );
}

on_both_backends!(
    bearer_keys_authenticate_and_bad_ones_get_401,
    validation_errors_name_each_field_in_vietnamese,
    lists_page_with_cursors,
    users_and_organisations_are_created_through_the_api,
    uploads_are_sniffed_limited_and_private,
    the_calendar_answers_over_http,
    the_openapi_document_describes_the_api,
    operational_endpoints_answer,
);
