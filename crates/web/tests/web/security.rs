//! Sign-in, sessions, CSRF, the permission matrix over HTTP, escaping and headers.

use super::*;
use vanphong_store::on_both_backends;

async fn wrong_password_and_unknown_user_get_the_same_answer(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.create_user("vanthu", &[Role::RecordsClerk], None, Secrecy::Normal)
        .await;
    let client = TestApp::browser();
    let wrong = app.sign_in(&client, "vanthu", "not the password").await;
    let wrong_status = wrong.status();
    let wrong_body = wrong.text().await.unwrap();
    let unknown = app
        .sign_in(&client, "nobody-here", "not the password")
        .await;
    let unknown_status = unknown.status();
    let unknown_body = unknown.text().await.unwrap();
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_status, unknown_status);
    assert!(wrong_body.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    // The pages differ only in the echoed user name.
    assert_eq!(
        wrong_body.replace("vanthu", "X"),
        unknown_body.replace("nobody-here", "X")
    );
}

async fn repeated_failures_are_throttled_for_known_and_unknown_names(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.create_user("lanhdao", &[Role::AgencyLeader], None, Secrecy::Normal)
        .await;
    for name in ["lanhdao", "khong-ton-tai"] {
        let client = TestApp::browser();
        for _ in 0..5 {
            assert_eq!(
                app.sign_in(&client, name, "sai mật khẩu").await.status(),
                StatusCode::UNAUTHORIZED
            );
        }
        let throttled = app.sign_in(&client, name, PASSWORD).await;
        assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS, "{name}");
        assert!(throttled.text().await.unwrap().contains("quá nhiều lần"));
    }
}

async fn forms_without_the_csrf_token_are_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin", &[Role::Administrator], None).await;
    let fields = [
        ("name", "Phòng Pháp chế"),
        ("abbreviation", "PC"),
        ("active", "1"),
    ];
    let missing = admin
        .post(app.url("/admin/units"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("Biểu mẫu đã hết hạn"));
    let mut forged = vec![("_csrf", "forged-token")];
    forged.extend_from_slice(&fields);
    let forged = admin
        .post(app.url("/admin/units"))
        .form(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        org::units(&app.db.db).await.unwrap().is_empty(),
        "nothing was created"
    );
    let ok = app
        .post_form(&admin, "/admin/units", "/admin/units", &fields)
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(org::units(&app.db.db).await.unwrap().len(), 1);
    // A token in a header works too (for scripts and uploads).
    let token = app.csrf(&admin, "/admin/units").await;
    let by_header = admin
        .post(app.url("/admin/units"))
        .header("x-csrf-token", token)
        .form(&[
            ("name", "Thanh tra"),
            ("abbreviation", "TTR"),
            ("active", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(by_header.status(), StatusCode::SEE_OTHER);
}

async fn a_session_opened_on_one_node_works_on_another(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.create_user("admin", &[Role::Administrator], None, Secrecy::Normal)
        .await;
    // A second server on the same database, as a second node: sessions live in the database.
    let blobs = BlobStore::open(
        app.db.dir.path().join("blobs2").to_str().unwrap(),
        &app.db.dir.path().join("uploads2"),
        1 << 20,
    )
    .unwrap();
    let state = AppState::new(app.db.db.clone(), blobs, WebConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = vanphong_web::serve(listener, state, async move {
            let _ = rx.await;
        })
        .await;
    });
    // Sign in on the first node, reading the cookies by hand (a cookie jar is per port).
    let raw = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = raw.get(app.url("/login")).send().await.unwrap();
    let csrf_cookie = page
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = csrf_in(&page.text().await.unwrap()).unwrap();
    let signed = raw
        .post(app.url("/login"))
        .header("cookie", &csrf_cookie)
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "admin"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    let session = signed
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("vp_session="))
        .unwrap();
    let cookies = format!("{session}; {csrf_cookie}");
    let on_other = raw
        .get(format!("{other}/"))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(on_other.status(), StatusCode::OK);
    assert!(on_other.text().await.unwrap().contains("Xin chào"));
    // A form posted to the second node with the first node's token is accepted too.
    let created = raw
        .post(format!("{other}/admin/units"))
        .header("cookie", &cookies)
        .form(&[
            ("_csrf", token.as_str()),
            ("name", "Văn phòng"),
            ("abbreviation", "VP"),
            ("active", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let _ = tx.send(());
}

/// Every role against every administrative endpoint: only administrators pass, everyone
/// else is refused with 403, and anonymous callers are sent to sign in (401 on the API).
async fn the_role_matrix_is_enforced_on_every_endpoint(backend: Backend) {
    let app = TestApp::start(backend).await;
    let unit = app.create_unit("Văn phòng", "VP", None).await;
    let pages = [
        "/admin/agency",
        "/admin/positions",
        "/admin/units",
        "/admin/users",
        "/admin/users/new",
        "/admin/organisations",
        "/admin/api-keys",
        "/admin/audit",
    ];
    let api_reads = ["/api/v1/users", "/api/v1/history/unit/1"];
    for (i, role) in Role::ALL.iter().enumerate() {
        let name = format!("user{i}");
        let client = app.signed_in(&name, &[*role], Some(unit)).await;
        let allowed = *role == Role::Administrator;
        for path in pages {
            let status = client.get(app.url(path)).send().await.unwrap().status();
            let expected = if allowed {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(status, expected, "{role:?} GET {path}");
        }
        let create = app
            .post_form(
                &client,
                "/",
                "/admin/units",
                &[
                    ("name", &format!("Phòng {i}")),
                    ("abbreviation", &format!("P{i}")),
                    ("active", "1"),
                ],
            )
            .await
            .status();
        assert_eq!(
            create,
            if allowed {
                StatusCode::SEE_OTHER
            } else {
                StatusCode::FORBIDDEN
            },
            "{role:?} POST /admin/units"
        );
        let key = app.api_key(&format!("key{i}"), &[*role]).await;
        let api = Client::new();
        for path in api_reads {
            let response = api
                .get(app.url(path))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap();
            let status = response.status();
            assert_eq!(
                status,
                if allowed {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                },
                "{role:?} API {path}"
            );
            if !allowed {
                let body: serde_json::Value = response.json().await.unwrap();
                assert_eq!(body["error"]["code"], "forbidden");
            }
        }
        let created = api
            .post(app.url("/api/v1/units"))
            .bearer_auth(&key)
            .json(&serde_json::json!({"name": format!("Ban {i}"), "abbreviation": format!("B{i}")}))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(
            created,
            if allowed {
                StatusCode::CREATED
            } else {
                StatusCode::FORBIDDEN
            },
            "{role:?} API POST units"
        );
        // Everyone signed in may read the directory.
        let units = api
            .get(app.url("/api/v1/units"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(units, StatusCode::OK, "{role:?} reads the directory");
    }
    let anonymous = TestApp::browser();
    for path in pages {
        let response = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "anonymous {path}");
        assert!(
            location(&response).starts_with("/login?next="),
            "anonymous {path}"
        );
    }
    let response = Client::new()
        .get(app.url("/api/v1/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

async fn text_is_escaped_in_pages(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin", &[Role::Administrator], None).await;
    let response = app
        .post_form(
            &admin,
            "/admin/units",
            "/admin/units",
            &[
                ("name", "<script>alert('x')</script>"),
                ("abbreviation", "XSS"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = admin.get(app.url("/admin/units")).send().await.unwrap();
    let csp = page
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"));
    assert_eq!(page.headers().get("x-frame-options").unwrap(), "DENY");
    let html = page.text().await.unwrap();
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert"));
}

async fn signing_in_never_redirects_to_another_site(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.create_user("chuyenvien", &[Role::Specialist], None, Secrecy::Normal)
        .await;
    let client = TestApp::browser();
    let token = app.csrf(&client, "/login").await;
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "chuyenvien"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
}

async fn disabling_an_account_ends_its_sessions(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin", &[Role::Administrator], None).await;
    let victim = app.signed_in("motcua", &[Role::OneStopOfficer], None).await;
    assert_eq!(
        victim.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::OK
    );
    let id = users::by_username(&app.db.db, "motcua").await.unwrap().id;
    let response = app
        .post_form(&admin, "/", &format!("/admin/users/{id}/disable"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let after = victim.get(app.url("/")).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert!(location(&after).starts_with("/login"));
    // And the account cannot sign in again.
    assert_eq!(
        app.sign_in(&TestApp::browser(), "motcua", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn signing_out_ends_the_session(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("bientap", &[Role::Editor], None).await;
    let response = app.post_form(&client, "/", "/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let after = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
}

async fn anonymous_callers_are_rate_limited(backend: Backend) {
    let config = WebConfig {
        public_rate_per_minute: 5,
        ..WebConfig::default()
    };
    let app = TestApp::start_with(backend, config, 1 << 20).await;
    let client = TestApp::browser();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(client.get(app.url("/login")).send().await.unwrap());
    }
    let limited = statuses
        .iter()
        .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(limited >= 3, "{limited} of 8 were limited");
    let last = statuses.last().unwrap();
    assert_eq!(last.headers().get("retry-after").unwrap(), "60");
    // Health checks are never limited.
    assert_eq!(
        client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

on_both_backends!(
    wrong_password_and_unknown_user_get_the_same_answer,
    repeated_failures_are_throttled_for_known_and_unknown_names,
    forms_without_the_csrf_token_are_refused,
    a_session_opened_on_one_node_works_on_another,
    the_role_matrix_is_enforced_on_every_endpoint,
    text_is_escaped_in_pages,
    signing_in_never_redirects_to_another_site,
    disabling_an_account_ends_its_sessions,
    signing_out_ends_the_session,
    anonymous_callers_are_rate_limited,
);
