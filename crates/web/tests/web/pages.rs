//! The administration pages as a person uses them: forms, errors beside fields, lists,
//! exports, concurrent edits, the language switch.

use super::*;
use vanphong_store::on_both_backends;

async fn home_shows_real_counts_and_notifications(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin", &[Role::Administrator], None).await;
    app.create_user("norole1", &[], None, Secrecy::Normal).await;
    app.create_user("norole2", &[], None, Secrecy::Normal).await;
    let user = users::by_username(&app.db.db, "admin").await.unwrap();
    vanphong_store::notifications::send(
        &app.db.db,
        user.id,
        "reminder",
        "Văn bản sắp đến hạn",
        "/",
        "k1",
    )
    .await
    .unwrap();
    let html = admin
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Xin chào"));
    assert!(html.contains("Văn bản sắp đến hạn"));
    // Two users without a role; one unread notification.
    let card = |label: &str| -> String {
        let at = html
            .find(label)
            .unwrap_or_else(|| panic!("{label} missing"));
        let before = &html[..at];
        let count_at = before.rfind("class=\"count\">").unwrap() + "class=\"count\">".len();
        before[count_at..].split('<').next().unwrap().to_owned()
    };
    assert_eq!(card("Người dùng chưa được phân quyền"), "2");
    assert_eq!(card("Thông báo chưa đọc"), "1");
    let read = app.post_form(&admin, "/", "/notifications/read", &[]).await;
    assert_eq!(read.status(), StatusCode::SEE_OTHER);
    let html = admin
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("Đánh dấu đã đọc tất cả"));
}

async fn the_language_switch_changes_every_string(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("admin", &[Role::Administrator], None).await;
    let vi = client
        .get(app.url("/admin/units"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(vi.contains("lang=\"vi\"") && vi.contains("Thêm đơn vị"));
    let switch = client
        .get(app.url("/lang/en?next=/admin/units"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&switch), "/admin/units");
    let en = client
        .get(app.url("/admin/units"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("lang=\"en\"") && en.contains("Add unit"));
    assert!(!en.contains("Thêm đơn vị"));
    // The choice is remembered for the account, on any device.
    let other_device = TestApp::browser();
    app.sign_in(&other_device, "admin", PASSWORD).await;
    let again = other_device
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(again.contains("Hello"));
    // Anonymous visitors get Vietnamese by default.
    let anonymous = TestApp::browser()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(anonymous.contains("Đăng nhập"));
}

async fn unit_form_errors_appear_beside_the_field_and_save_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin", &[Role::Administrator], None).await;
    let response = app
        .post_form(
            &admin,
            "/admin/units",
            "/admin/units",
            &[("name", ""), ("abbreviation", "v p"), ("sort_order", "abc")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"e-name\""), "{html}");
    assert!(html.contains("Vui lòng nhập mục này."));
    assert!(html.contains("Tên viết tắt chỉ gồm chữ in hoa"));
    assert!(html.contains("Vui lòng nhập một số."));
    assert!(html.contains("value=\"v p\""), "the user's input is kept");
    assert!(org::units(&app.db.db).await.unwrap().is_empty());
    let taken = app.create_unit("Văn phòng", "VP", None).await;
    let response = app
        .post_form(
            &admin,
            "/admin/units",
            "/admin/units",
            &[("name", "Văn phòng 2"), ("abbreviation", "VP")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("đã được đơn vị khác dùng"));
    let cycle = app.create_unit("Phòng Tổng hợp", "TH", Some(taken)).await;
    let response = app
        .post_form(
            &admin,
            &format!("/admin/units/{taken}"),
            &format!("/admin/units/{taken}"),
            &[
                ("name", "Văn phòng"),
                ("abbreviation", "VP"),
                ("parent_id", &cycle.to_string()),
                ("version", "1"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Không thể đặt một đơn vị dưới chính nó"));
}

async fn a_concurrent_edit_is_refused_and_the_current_state_shown(backend: Backend) {
    let app = TestApp::start(backend).await;
    let first = app.signed_in("admin1", &[Role::Administrator], None).await;
    let second = app.signed_in("admin2", &[Role::Administrator], None).await;
    let unit = app.create_unit("Văn phòng", "VP", None).await;
    let path = format!("/admin/units/{unit}");
    // Both opened the form at version 1.
    let saved = app
        .post_form(
            &first,
            &path,
            &path,
            &[
                ("name", "Văn phòng Tổng cục"),
                ("abbreviation", "VP"),
                ("version", "1"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let stale = app
        .post_form(
            &second,
            &path,
            &path,
            &[
                ("name", "Văn phòng Cục"),
                ("abbreviation", "VP"),
                ("version", "1"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert!(stale
        .text()
        .await
        .unwrap()
        .contains("Người khác vừa sửa bản ghi này"));
    assert_eq!(
        org::unit(&app.db.db, unit).await.unwrap().name,
        "Văn phòng Tổng cục"
    );
}

async fn users_are_created_listed_paged_and_exported(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin", &[Role::Administrator], None).await;
    let unit = app.create_unit("Văn phòng", "VP", None).await;
    let created = app
        .post_form(
            &admin,
            "/admin/users/new",
            "/admin/users",
            &[
                ("username", "nguyenvanan"),
                ("full_name", "Nguyễn Văn An"),
                ("email", "an@example.vn"),
                ("unit_id", &unit.to_string()),
                ("clearance", "confidential"),
                ("roles", "specialist"),
                ("roles", "editor"),
                ("password", "một mật khẩu dài"),
            ],
        )
        .await;
    assert_eq!(
        created.status(),
        StatusCode::SEE_OTHER,
        "{}",
        created.text().await.unwrap()
    );
    let user = users::by_username(&app.db.db, "nguyenvanan").await.unwrap();
    assert_eq!(user.roles, vec![Role::Specialist, Role::Editor]);
    assert_eq!(user.clearance, Secrecy::Confidential);
    let duplicate = app
        .post_form(
            &admin,
            "/admin/users/new",
            "/admin/users",
            &[
                ("username", "nguyenvanan"),
                ("full_name", "X"),
                ("password", "một mật khẩu dài"),
            ],
        )
        .await;
    assert_eq!(duplicate.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(duplicate
        .text()
        .await
        .unwrap()
        .contains("Tên đăng nhập này đã được dùng."));
    let bad = app
        .post_form(
            &admin,
            "/admin/users/new",
            "/admin/users",
            &[
                ("username", "Tên Có Dấu"),
                ("full_name", ""),
                ("password", "ngắn"),
                ("roles", "superuser"),
                ("email", "not-an-email"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    for message in [
        "chữ thường không dấu",
        "Vui lòng nhập mục này.",
        "từ 10 đến 256 ký tự",
        "không có trong danh mục",
        "thư điện tử không hợp lệ",
    ] {
        assert!(html.contains(message), "missing {message}");
    }
    for i in 0..60 {
        app.create_user(
            &format!("nhanvien{i:02}"),
            &[Role::Specialist],
            Some(unit),
            Secrecy::Normal,
        )
        .await;
    }
    let first_page = admin
        .get(app.url("/admin/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(first_page.contains("rel=\"next\""));
    let next = first_page.split("rel=\"next\"").next().unwrap();
    let href = next[next.rfind("href=\"").unwrap() + 6..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let second_page = admin
        .get(app.url(&href))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(second_page.contains("nhanvien59"));
    assert!(!second_page.contains(">admin<"));
    // Search ignores tone marks.
    let found = admin
        .get(app.url("/admin/users?q=nguyen+van+an"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(found.contains("Nguyễn Văn An"));
    assert!(!found.contains("nhanvien01"));
    let csv = admin
        .get(app.url("/admin/users?format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        csv.headers().get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    let csv = csv.text().await.unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + 62,
        "header plus every user, unpaged"
    );
    assert!(csv.contains("Nguyễn Văn An"));
    let xlsx = admin
        .get(app.url("/admin/users?format=xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&xlsx[..2], b"PK");
}

async fn an_administrator_edits_roles_and_resets_a_password(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin", &[Role::Administrator], None).await;
    let target = app
        .create_user("chuyenvien", &[Role::Specialist], None, Secrecy::Normal)
        .await;
    let path = format!("/admin/users/{}", target.id);
    let response = app
        .post_form(
            &admin,
            &path,
            &path,
            &[
                ("full_name", "Trần Thị Bình"),
                ("roles", "unit_leader"),
                ("clearance", "secret"),
                ("version", &target.version.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let updated = users::get(&app.db.db, target.id).await.unwrap();
    assert_eq!(updated.roles, vec![Role::UnitLeader]);
    assert_eq!(updated.clearance, Secrecy::Secret);
    let history = admin
        .get(app.url(&format!("/history/user/{}", target.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(history.contains("user.permissions_change"));
    let short = app
        .post_form(
            &admin,
            &path,
            &format!("{path}/password"),
            &[("password", "ngắn")],
        )
        .await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let reset = app
        .post_form(
            &admin,
            &path,
            &format!("{path}/password"),
            &[("password", "mật khẩu mới đủ dài")],
        )
        .await;
    assert_eq!(reset.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.sign_in(&TestApp::browser(), "chuyenvien", "mật khẩu mới đủ dài")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // An administrator cannot remove their own administrator role or disable themselves.
    let me = users::by_username(&app.db.db, "admin").await.unwrap();
    let own = format!("/admin/users/{}", me.id);
    let response = app
        .post_form(
            &admin,
            &own,
            &own,
            &[
                ("full_name", "Admin"),
                ("roles", "editor"),
                ("version", &me.version.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .post_form(&admin, &own, &format!("{own}/disable"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_user_changes_their_own_password(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("vanthu", &[Role::RecordsClerk], None).await;
    let other_device = TestApp::browser();
    app.sign_in(&other_device, "vanthu", PASSWORD).await;
    let wrong = app
        .post_form(
            &client,
            "/account",
            "/account/password",
            &[
                ("current", "sai"),
                ("new_password", "mật khẩu mới đủ dài"),
                ("confirm", "khác"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("Mật khẩu hiện tại không đúng.") && html.contains("không khớp"));
    let ok = app
        .post_form(
            &client,
            "/account",
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new_password", "mật khẩu mới đủ dài"),
                ("confirm", "mật khẩu mới đủ dài"),
            ],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.text().await.unwrap().contains("Đã đổi mật khẩu"));
    // This browser stays signed in; the other device is signed out.
    assert_eq!(
        client.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        other_device
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::SEE_OTHER
    );
}

async fn organisations_are_searched_without_tone_marks_and_validated(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin", &[Role::Administrator], None).await;
    let ok = app
        .post_form(
            &admin,
            "/admin/organisations",
            "/admin/organisations",
            &[
                ("name", "Sở Nông nghiệp và Môi trường tỉnh Đồng Nai"),
                ("kind", "provincial_environment_department"),
                ("agency_code", "000.00.36.H19"),
            ],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let bad = app
        .post_form(
            &admin,
            "/admin/organisations",
            "/admin/organisations",
            &[
                ("name", "Cơ quan X"),
                ("kind", "nonsense"),
                ("agency_code", "123"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(html.contains("000.00.00.H49 (13 ký tự)"));
    let found = admin
        .get(app.url("/admin/organisations?q=dong+nai"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(found.contains("Sở Nông nghiệp và Môi trường tỉnh Đồng Nai"));
    let none = admin
        .get(app.url("/admin/organisations?q=ha+noi"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!none.contains("tỉnh Đồng Nai</td>"));
}

async fn api_keys_are_shown_once_and_revoked(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin", &[Role::Administrator], None).await;
    let service = app
        .create_user(
            "truclienthong",
            &[Role::RecordsClerk],
            None,
            Secrecy::Normal,
        )
        .await;
    let created = app
        .post_form(
            &admin,
            "/admin/api-keys",
            "/admin/api-keys",
            &[
                ("name", "Trục liên thông"),
                ("user_id", &service.id.to_string()),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers().get("cache-control").unwrap(), "no-store");
    let html = created.text().await.unwrap();
    let start = html.find("vpk_").unwrap();
    let token: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let me = Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let listing = admin
        .get(app.url("/admin/api-keys"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!listing.contains(&token), "the key is never shown again");
    let key = vanphong_store::api_keys::list(&app.db.db)
        .await
        .unwrap()
        .remove(0);
    let revoked = app
        .post_form(
            &admin,
            "/admin/api-keys",
            &format!("/admin/api-keys/{}/revoke", key.id),
            &[],
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    let me = Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

async fn the_audit_page_lists_and_verifies_the_trail(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin", &[Role::Administrator], None).await;
    app.create_unit("Văn phòng", "VP", None).await;
    let html = admin
        .get(app.url("/admin/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("unit.create") && html.contains("session.sign_in"));
    let verified = app
        .post_form(&admin, "/admin/audit", "/admin/audit/verify", &[])
        .await;
    assert!(verified.text().await.unwrap().contains("Nhật ký toàn vẹn"));
    let csv = admin
        .get(app.url("/admin/audit?format=csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("unit.create"));
}

async fn administrative_areas_are_shown_as_of_a_date(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("chuyenvien", &[Role::Specialist], None).await;
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    org::import_areas(
        &app.db.db,
        &Origin::system(),
        &[
            org::AreaInput {
                code: "35".into(),
                name: "Hà Nam".into(),
                level: vanphong_core::org::AreaLevel::Province,
                parent_code: None,
                valid_from: day("2008-01-01"),
                valid_to: Some(day("2025-07-01")),
                successor_code: Some("37".into()),
            },
            org::AreaInput {
                code: "37".into(),
                name: "Ninh Bình".into(),
                level: vanphong_core::org::AreaLevel::Province,
                parent_code: None,
                valid_from: day("2025-07-01"),
                valid_to: None,
                successor_code: None,
            },
        ],
    )
    .await
    .unwrap();
    let before = client
        .get(app.url("/admin/areas?on=2025-06-30"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(before.contains("Hà Nam"));
    let now = client
        .get(app.url("/admin/areas"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(now.contains("Ninh Bình") && !now.contains("Hà Nam"));
    let bad = client
        .get(app.url("/admin/areas?on=30-06-2025"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(bad.contains("Ngày không hợp lệ"));
}

async fn unknown_pages_get_a_vietnamese_404(backend: Backend) {
    let app = TestApp::start(backend).await;
    let client = app.signed_in("admin", &[Role::Administrator], None).await;
    let response = client
        .get(app.url("/khong-co-trang-nay"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("Không tìm thấy"));
    let response = client
        .get(app.url("/admin/units/999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

async fn the_agency_and_positions_are_administered(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app.signed_in("admin", &[Role::Administrator], None).await;
    let bad = app
        .post_form(
            &admin,
            "/admin/agency",
            "/admin/agency",
            &[
                ("name", "Tổng cục Môi trường"),
                ("code", "H49"),
                ("abbreviation", "tcmt"),
                ("place_name", ""),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(
        html.contains("000.00.00.H49 (13 ký tự)")
            && html.contains("chữ in hoa")
            && html.contains("Vui lòng nhập mục này.")
    );
    assert!(org::agency(&app.db.db).await.unwrap().is_none());
    let ok = app
        .post_form(
            &admin,
            "/admin/agency",
            "/admin/agency",
            &[
                ("name", "Tổng cục Môi trường"),
                ("code", "000.00.16.G99"),
                ("abbreviation", "TCMT"),
                ("parent_abbreviation", "BTNMT"),
                ("place_name", "Hà Nội"),
            ],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let agency = org::agency(&app.db.db).await.unwrap().unwrap();
    assert_eq!(
        (agency.abbreviation.as_str(), agency.code.as_str()),
        ("TCMT", "000.00.16.G99")
    );
    let created = app
        .post_form(
            &admin,
            "/admin/positions",
            "/admin/positions",
            &[("name", "Chánh Văn phòng"), ("rank", "10")],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let again = app
        .post_form(
            &admin,
            "/admin/positions",
            "/admin/positions",
            &[("name", "Chánh Văn phòng"), ("rank", "x")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(org::positions(&app.db.db).await.unwrap().len(), 1);
}

on_both_backends!(
    the_agency_and_positions_are_administered,
    home_shows_real_counts_and_notifications,
    the_language_switch_changes_every_string,
    unit_form_errors_appear_beside_the_field_and_save_nothing,
    a_concurrent_edit_is_refused_and_the_current_state_shown,
    users_are_created_listed_paged_and_exported,
    an_administrator_edits_roles_and_resets_a_password,
    a_user_changes_their_own_password,
    organisations_are_searched_without_tone_marks_and_validated,
    api_keys_are_shown_once_and_revoked,
    the_audit_page_lists_and_verifies_the_trail,
    administrative_areas_are_shown_as_of_a_date,
    unknown_pages_get_a_vietnamese_404,
);

mod calendar_overrides {
    use super::super::*;
    use vanphong_store::on_both_backends;

    async fn an_administrator_adjusts_a_year_and_due_dates_follow(backend: Backend) {
        let app = TestApp::start(backend).await;
        let admin = app.signed_in("admin", &[Role::Administrator], None).await;
        let page = admin
            .get(app.url("/admin/calendar?year=2026"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Tết Nguyên đán") && page.contains("17/02/2026"),
            "the computed holidays are listed"
        );
        let api = Client::new();
        let before: serde_json::Value = api
            .get(app.url("/api/v1/calendar/add-working-days?date=2026-02-13&days=1"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(before["result"], "2026-02-23");
        let added = app
            .post_form(
                &admin,
                "/admin/calendar?year=2026",
                "/admin/calendar/2026",
                &[
                    ("version", "0"),
                    ("action", "add_holiday"),
                    ("date", "2026-02-23"),
                    ("name_vi", "Nghỉ Tết theo thông báo"),
                ],
            )
            .await;
        assert_eq!(added.status(), StatusCode::SEE_OTHER);
        let after: serde_json::Value = api
            .get(app.url("/api/v1/calendar/add-working-days?date=2026-02-13&days=1"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            after["result"], "2026-02-24",
            "due dates skip the declared day"
        );
        // A Monday cannot be declared a working weekend day; a stale form is refused.
        let monday = app
            .post_form(
                &admin,
                "/admin/calendar?year=2026",
                "/admin/calendar/2026",
                &[
                    ("version", "1"),
                    ("action", "add_working_day"),
                    ("date", "2026-03-02"),
                ],
            )
            .await;
        assert_eq!(monday.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(monday
            .text()
            .await
            .unwrap()
            .contains("Điều chỉnh không hợp lệ"));
        let stale = app
            .post_form(
                &admin,
                "/admin/calendar?year=2026",
                "/admin/calendar/2026",
                &[
                    ("version", "0"),
                    ("action", "add_working_day"),
                    ("date", "2026-02-28"),
                ],
            )
            .await;
        assert_eq!(stale.status(), StatusCode::CONFLICT);
        let saturday = app
            .post_form(
                &admin,
                "/admin/calendar?year=2026",
                "/admin/calendar/2026",
                &[
                    ("version", "1"),
                    ("action", "add_working_day"),
                    ("date", "2026-02-28"),
                ],
            )
            .await;
        assert_eq!(saturday.status(), StatusCode::SEE_OTHER);
        let history = vanphong_store::audit::history(&app.db.db, "calendar", "2026")
            .await
            .unwrap();
        assert_eq!(history.len(), 2);
        let clerk = app.signed_in("vanthu", &[Role::RecordsClerk], None).await;
        assert_eq!(
            clerk
                .get(app.url("/admin/calendar"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );
    }

    on_both_backends!(an_administrator_adjusts_a_year_and_due_dates_follow);
}
