//! The hotline through its pages: a phone call taken by an operator, the province's
//! officers and what they see, the reporter's identity kept out of every other view until
//! an operator shares it, the public form with its honeypot, rate limit and bad input, the
//! press form, tracking, statistics, the monthly summary and the map.

use super::*;
use vanphong_core::ids::AreaId;
use vanphong_core::org::AreaLevel;
use vanphong_store::hotline;
use vanphong_store::on_both_backends;
use vanphong_store::org::AreaInput;

pub const REPORTER: &str = "Trần Thị Bí Mật";
pub const PHONE: &str = "0912345678";
pub const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

pub struct Places {
    pub dong_nai: AreaId,
    pub ha_noi: AreaId,
    pub tran_bien: AreaId,
}

/// Two provinces and a commune, in force since the 2025 reform.
pub async fn places(app: &TestApp) -> Places {
    let day = chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
    let area = |code: &str, name: &str, level, parent: Option<&str>| AreaInput {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        valid_from: day,
        valid_to: None,
        successor_code: None,
    };
    org::import_areas(
        &app.db.db,
        &Origin::system(),
        &[
            area("75", "Đồng Nai", AreaLevel::Province, None),
            area("01", "Hà Nội", AreaLevel::Province, None),
            area("26734", "Phường Trấn Biên", AreaLevel::Commune, Some("75")),
        ],
    )
    .await
    .unwrap();
    let provinces = org::areas(&app.db.db, AreaLevel::Province, None)
        .await
        .unwrap();
    let communes = org::areas(&app.db.db, AreaLevel::Commune, None)
        .await
        .unwrap();
    let find = |list: &[org::Area], code: &str| list.iter().find(|a| a.code == code).unwrap().id;
    Places {
        dong_nai: find(&provinces, "75"),
        ha_noi: find(&provinces, "01"),
        tran_bien: find(&communes, "26734"),
    }
}

fn multipart(
    token: &str,
    fields: &[(&str, String)],
    files: &[(&str, &[u8])],
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().text("_csrf", token.to_owned());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.clone());
    }
    for (name, bytes) in files {
        form = form.part(
            "evidence",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    }
    form
}

fn call_fields(places: &Places) -> Vec<(&'static str, String)> {
    vec![
        ("intake", "operator".into()),
        ("channel", "phone".into()),
        ("reporter_name", REPORTER.into()),
        ("reporter_phone", PHONE.into()),
        ("kind", "waste_water".into()),
        (
            "description",
            "Nước thải màu đen, mùi hôi xả ra suối Linh từ đêm qua".into(),
        ),
        ("onset", "sudden".into()),
        ("signs", "smell".into()),
        ("signs", "dead_fish".into()),
        ("observed_at", "2026-11-20T21:30".into()),
        ("province_id", places.dong_nai.to_string()),
        ("commune_id", places.tran_bien.to_string()),
        ("address", "Khu công nghiệp Biên Hòa 1".into()),
        ("latitude", "10.9421".into()),
        ("longitude", "106.8543".into()),
    ]
}

impl TestApp {
    /// An operator takes a phone call; returns the case id.
    pub async fn submit_hotline_report(
        &self,
        client: &Client,
        fields: &[(&str, String)],
    ) -> Response {
        let token = self.csrf(client, "/hotline/new").await;
        client
            .post(self.url(&format!("/hotline/reports?_csrf={token}")))
            .multipart(multipart(&token, fields, &[]))
            .send()
            .await
            .unwrap()
    }

    pub async fn hotline_count(&self) -> i64 {
        match &self.db.db {
            vanphong_store::Db::Sqlite(pool) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM hotline_reports")
                    .fetch_one(pool)
                    .await
                    .unwrap()
            }
            vanphong_store::Db::Postgres(pool) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM hotline_reports")
                    .fetch_one(pool)
                    .await
                    .unwrap()
            }
        }
    }
}

fn case_id_of(location: &str) -> i64 {
    location
        .trim_start_matches("/hotline/cases/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn text(client: &Client, url: String) -> (StatusCode, String) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

async fn a_call_is_taken_and_the_reporter_is_seen_only_by_operators_until_shared(backend: Backend) {
    let app = TestApp::start(backend).await;
    let p = places(&app).await;
    let operator = app
        .signed_in("tongdai", &[Role::HotlineOperator], None)
        .await;
    let (status, form) = text(&operator, app.url("/hotline/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("fieldset class=\"protected\""), "{form}");
    assert!(form.contains("accesskey=\"s\""));

    let response = app.submit_hotline_report(&operator, &call_fields(&p)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let case_url = location(&response);
    assert!(case_url.contains("taken=PA"), "{case_url}");
    let case_id = case_id_of(&case_url);
    let (_, page) = text(&operator, app.url(&case_url)).await;
    assert!(page.contains(REPORTER) && page.contains(PHONE), "{page}");
    assert!(page.contains("Sở Nông nghiệp và Môi trường Đồng Nai"));

    // The province's officer sees the case and its steps, not the reporter.
    let officer = app.signed_in("so.dongnai", &[], None).await;
    let officer_user = users::by_username(&app.db.db, "so.dongnai").await.unwrap();
    hotline::set_officer(
        &app.db.db,
        &Origin::system(),
        officer_user.id,
        Some(p.dong_nai),
    )
    .await
    .unwrap();
    let (status, page) = text(&officer, app.url(&format!("/hotline/cases/{case_id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("suối Linh"));
    assert!(!page.contains(REPORTER) && !page.contains(PHONE), "{page}");
    let (_, list) = text(&officer, app.url("/hotline")).await;
    assert!(list.contains(&format!("/hotline/cases/{case_id}")));
    let (_, home) = text(&officer, app.url("/")).await;
    assert!(
        home.contains("href=\"/hotline?overdue=1\""),
        "the officer's way in: {home}"
    );

    // Another province's officer neither sees it nor finds it in the list.
    let other = app.signed_in("so.hanoi", &[], None).await;
    let other_user = users::by_username(&app.db.db, "so.hanoi").await.unwrap();
    hotline::set_officer(&app.db.db, &Origin::system(), other_user.id, Some(p.ha_noi))
        .await
        .unwrap();
    let (status, _) = text(&other, app.url(&format!("/hotline/cases/{case_id}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = text(&other, app.url("/hotline")).await;
    assert!(!list.contains(&format!("/hotline/cases/{case_id}")));
    // Someone with no part in the hotline is refused.
    let stranger = app.signed_in("nguoila", &[Role::Specialist], None).await;
    assert_eq!(
        text(&stranger, app.url("/hotline")).await.0,
        StatusCode::FORBIDDEN
    );

    // Leaders read, without the identity; exports, statistics, summary and map never show it.
    let leader = app.signed_in("lanhdao", &[Role::AgencyLeader], None).await;
    let (_, page) = text(&leader, app.url(&format!("/hotline/cases/{case_id}"))).await;
    assert!(page.contains("suối Linh") && !page.contains(REPORTER));
    for path in [
        "/hotline?format=csv",
        "/hotline?format=xlsx",
        "/hotline/statistics",
        "/hotline/summary?format=csv",
        "/hotline/summary",
        "/hotline/map",
    ] {
        let response = operator.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let bytes = response.bytes().await.unwrap();
        let body = if path.ends_with("xlsx") {
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
            let mut all = String::new();
            for i in 0..archive.len() {
                let mut file = archive.by_index(i).unwrap();
                std::io::Read::read_to_string(&mut file, &mut all).unwrap();
            }
            all
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        assert!(
            !body.contains(REPORTER) && !body.contains(PHONE),
            "{path}: {body}"
        );
        if path.contains("csv") || path.ends_with("xlsx") {
            assert!(
                body.contains("suối Linh") || body.contains("su\u{1ed1}i Linh"),
                "{path}"
            );
        }
    }

    // The officer steps the case through verification; telling the reporter is not theirs.
    let (_, page) = text(&officer, app.url(&format!("/hotline/cases/{case_id}"))).await;
    let version = 1;
    assert!(page.contains("name=\"version\" value=\"1\""), "{page}");
    let step = |to: &'static str, version: i64| {
        let app = &app;
        let officer = &officer;
        async move {
            app.post_form(
                officer,
                &format!("/hotline/cases/{case_id}"),
                &format!("/hotline/cases/{case_id}/step"),
                &[
                    ("version", &version.to_string()),
                    ("to", to),
                    ("note", "Đã cử đoàn kiểm tra"),
                ],
            )
            .await
        }
    };
    assert_eq!(
        step("verifying", version).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        step("verified", version + 1).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        step("verified", version + 1).await.status(),
        StatusCode::CONFLICT
    );
    let case = hotline::case(&app.db.db, vanphong_core::ids::CaseId(case_id))
        .await
        .unwrap();
    assert_eq!(case.status, vanphong_core::hotline::CaseStatus::Verified);
    let response = app
        .post_form(
            &officer,
            &format!("/hotline/cases/{case_id}"),
            &format!("/hotline/cases/{case_id}/share"),
            &[("reason", "x")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // The operator shares the identity (audited); now the officer sees it.
    let response = app
        .post_form(
            &operator,
            &format!("/hotline/cases/{case_id}"),
            &format!("/hotline/cases/{case_id}/share"),
            &[("reason", "Cần liên hệ để dẫn đường kiểm tra")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = text(&officer, app.url(&format!("/hotline/cases/{case_id}"))).await;
    assert!(page.contains(REPORTER), "{page}");
    let events = vanphong_store::audit::history(&app.db.db, "hotline_case", &case_id.to_string())
        .await
        .unwrap();
    assert!(events
        .iter()
        .any(|e| e.action == "hotline.share_identity" && e.actor_label == "tongdai"));
}

async fn bad_input_on_the_operator_form_is_refused_beside_its_field_and_nothing_is_stored(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let p = places(&app).await;
    let operator = app
        .signed_in("tongdai", &[Role::HotlineOperator], None)
        .await;
    let cases: Vec<(&str, String, &str)> = vec![
        ("description", "ô".repeat(4001), "4.000"),
        ("latitude", "mười".into(), "Tọa độ phải là số"),
        ("kind", "smog".into(), "Vui lòng nhập mục này"),
        ("onset", "sometimes".into(), "Giá trị không hợp lệ"),
        ("affected_people", "nhiều".into(), "Giá trị không hợp lệ"),
        (
            "commune_id",
            "999999".into(),
            "Giá trị không có trong danh mục",
        ),
    ];
    for (field, value, message) in cases {
        let mut fields: Vec<(&str, String)> = call_fields(&p)
            .into_iter()
            .filter(|(k, _)| *k != field)
            .collect();
        fields.push((field, value));
        let response = app.submit_hotline_report(&operator, &fields).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        let body = response.text().await.unwrap();
        assert!(body.contains(message), "{field}: {body}");
        assert!(body.contains(REPORTER), "the form keeps what was typed");
    }
    // No location at all.
    let fields: Vec<(&str, String)> = call_fields(&p)
        .into_iter()
        .filter(|(k, _)| {
            !matches!(
                *k,
                "province_id" | "commune_id" | "address" | "latitude" | "longitude"
            )
        })
        .collect();
    let response = app.submit_hotline_report(&operator, &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("role=\"alert\">Cần ít nhất một trong"));
    // A file that is not what its name claims.
    let token = app.csrf(&operator, "/hotline/new").await;
    let response = operator
        .post(app.url(&format!("/hotline/reports?_csrf={token}")))
        .multipart(multipart(
            &token,
            &call_fields(&p),
            &[("anh.jpg", b"just some text, not a photo")],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("không khớp"));
    assert_eq!(app.hotline_count().await, 0);
    // The press form wants a source.
    let mut press = call_fields(&p);
    press.retain(|(k, _)| !k.starts_with("reporter") && *k != "channel" && *k != "intake");
    press.extend([
        ("intake", "press".to_owned()),
        ("channel", "press".to_owned()),
        ("source_url", "baomoi".to_owned()),
        ("outlet", "Báo Tuổi Trẻ".to_owned()),
        ("published_on", "2026-11-20".to_owned()),
    ]);
    let response = app.submit_hotline_report(&operator, &press).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("http://"));
    press.retain(|(k, _)| *k != "source_url");
    press.push((
        "source_url",
        "https://tuoitre.vn/song-linh-den-ngom.htm".into(),
    ));
    let response = app.submit_hotline_report(&operator, &press).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = text(&operator, app.url(&location(&response))).await;
    assert!(page.contains("Báo Tuổi Trẻ") && page.contains("tuoitre.vn"));
    assert_eq!(app.hotline_count().await, 1);
}

async fn the_public_form_takes_reports_without_an_account_and_tracks_them(backend: Backend) {
    let app = TestApp::start(backend).await;
    let p = places(&app).await;
    let citizen = TestApp::browser();
    let (status, form) = text(&citizen, app.url("/hotline/report")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("name=\"website\""));
    let token = csrf_in(&form).unwrap();
    let fields = vec![
        ("kind", "emissions".to_owned()),
        (
            "description",
            "Khói đen từ lò gạch mỗi tối, cay mắt".to_owned(),
        ),
        ("onset", "continuous".to_owned()),
        ("province_id", p.dong_nai.to_string()),
        ("reporter_name", REPORTER.to_owned()),
        ("reporter_phone", PHONE.to_owned()),
    ];
    let post = |fields: Vec<(&'static str, String)>, files: Vec<(&'static str, &'static [u8])>| {
        let citizen = citizen.clone();
        let url = app.url(&format!("/hotline/report?_csrf={token}"));
        let token = token.clone();
        async move {
            citizen
                .post(url)
                .multipart(multipart(&token, &fields, &files))
                .send()
                .await
                .unwrap()
        }
    };
    // A bot fills the honeypot: nothing is stored.
    let mut bot = fields.clone();
    bot.push(("website", "http://spam.example".into()));
    assert_eq!(
        post(bot, vec![]).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // An upload whose bytes are not a picture.
    let response = post(fields.clone(), vec![("khoi.png", b"MZ\x90\0 not a png")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.hotline_count().await, 0);

    let response = post(fields.clone(), vec![("khoi.png", PNG)]).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body = response.text().await.unwrap();
    let start = body.find("class=\"tracking\">").unwrap() + "class=\"tracking\">".len();
    let code = body[start..start + 10].to_owned();
    assert!(code.starts_with("PA"), "{code}");
    assert_eq!(app.hotline_count().await, 1);
    let report = hotline::report_by_tracking_code(
        &app.db.db,
        &vanphong_core::hotline::TrackingCode::parse(&code).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        hotline::evidence(&app.db.db, report.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(report.channel, vanphong_core::hotline::Channel::Web);

    // The tracking page shows the status and steps; never who reported or what they said.
    let (status, page) = text(
        &citizen,
        app.url(&format!("/hotline/track?code={}", code.to_lowercase())),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Đã tiếp nhận"), "{page}");
    assert!(
        !page.contains(REPORTER) && !page.contains("lò gạch"),
        "{page}"
    );
    let (status, _) = text(&citizen, app.url("/hotline/track?code=PA22222222")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The operator pages stay closed to the public.
    let response = citizen.get(app.url("/hotline")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

async fn the_public_form_is_rate_limited_per_address(backend: Backend) {
    let config = vanphong_web::WebConfig {
        public_rate_per_minute: 20,
        ..Default::default()
    };
    let app = TestApp::start_with(backend, config, 1024 * 1024).await;
    let citizen = TestApp::browser();
    let token = app.csrf(&citizen, "/hotline/report").await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = citizen
            .post(app.url(&format!("/hotline/report?_csrf={token}")))
            .multipart(multipart(&token, &[("kind", "noise".into())], &[]))
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
    }
    assert_eq!(statuses[0], StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(statuses[2], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
}

async fn duplicates_are_suggested_on_the_case_page_and_merged_by_the_operator(backend: Backend) {
    let app = TestApp::start(backend).await;
    let p = places(&app).await;
    let operator = app
        .signed_in("tongdai", &[Role::HotlineOperator], None)
        .await;
    let first = case_id_of(&location(
        &app.submit_hotline_report(&operator, &call_fields(&p)).await,
    ));
    let mut again = call_fields(&p);
    again.retain(|(k, _)| *k != "description");
    again.push((
        "description",
        "Suối Linh lại có nước thải đen, mùi hôi nồng nặc".into(),
    ));
    let second = case_id_of(&location(
        &app.submit_hotline_report(&operator, &again).await,
    ));
    let (_, page) = text(&operator, app.url(&format!("/hotline/cases/{second}"))).await;
    assert!(
        page.contains(&format!("href=\"/hotline/cases/{first}\"")),
        "{page}"
    );
    let response = app
        .post_form(
            &operator,
            &format!("/hotline/cases/{second}"),
            &format!("/hotline/cases/{second}/merge"),
            &[("into", &first.to_string()), ("note", "Cùng vụ việc")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = text(&operator, app.url(&format!("/hotline/cases/{first}"))).await;
    assert!(page.contains("Các phản ánh (2)"), "{page}");
    // The statistics count the case once and the reports by channel twice.
    let (_, stats) = text(&operator, app.url("/hotline/statistics")).await;
    assert!(stats.contains("<svg class=\"chart\""), "{stats}");
    let state = &app.state;
    let year = chrono::Datelike::year(&vanphong_web::vietnam_today());
    let from = vanphong_web::pages::hotline::start_of_vietnam_day(
        chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
    );
    let until = vanphong_web::pages::hotline::start_of_vietnam_day(
        chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap(),
    );
    let numbers = vanphong_web::pages::hotline::stats::compute(
        state,
        vanphong_web::i18n::Lang::En,
        from,
        until,
        None,
    )
    .await
    .unwrap();
    assert_eq!(numbers.cases, 1);
    assert_eq!(numbers.counters.received, 2);
    assert!(
        numbers.by_channel.contains(&("Phone".to_owned(), 2)),
        "{:?}",
        numbers.by_channel
    );
    assert!(numbers.by_kind.contains(&("Waste water".to_owned(), 1)));
    let (_, map) = text(&operator, app.url("/hotline/map")).await;
    assert!(
        map.contains(&format!("/hotline/cases/{first}")),
        "the map shows the point"
    );
    assert!(!map.contains("tile"), "no tile server is needed");
}

async fn the_operator_attaches_a_call_to_an_existing_case_on_the_intake_form(backend: Backend) {
    let app = TestApp::start(backend).await;
    let p = places(&app).await;
    let operator = app
        .signed_in("tongdai", &[Role::HotlineOperator], None)
        .await;
    let first = case_id_of(&location(
        &app.submit_hotline_report(&operator, &call_fields(&p)).await,
    ));
    let mut again = call_fields(&p);
    again.retain(|(k, _)| *k != "description");
    again.push((
        "description",
        "Suối Linh lại có nước thải đen, mùi hôi nồng nặc".into(),
    ));
    // The form offers the check, and a case number field, before anything is recorded.
    let (_, form) = text(&operator, app.url("/hotline/new")).await;
    assert!(form.contains("name=\"check_duplicates\""), "{form}");
    // Asking for duplicates records nothing and offers the first case to choose.
    let mut check = again.clone();
    check.push(("check_duplicates", "1".into()));
    let checked = app.submit_hotline_report(&operator, &check).await;
    assert_eq!(checked.status(), StatusCode::OK);
    let checked = checked.text().await.unwrap();
    assert!(
        checked.contains(&format!("name=\"join_case\" value=\"{first}\"")),
        "{checked}"
    );
    assert!(
        checked.contains("Suối Linh lại có nước thải đen"),
        "the form keeps what was typed"
    );
    assert_eq!(app.hotline_count().await, 1);
    // A case number that does not exist is refused beside the field, nothing stored.
    let mut unknown = again.clone();
    unknown.push(("join_case_number", "999999".into()));
    let refused = app.submit_hotline_report(&operator, &unknown).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Không có vụ việc số này."));
    let mut not_a_number = again.clone();
    not_a_number.push(("join_case_number", "một".into()));
    let refused = app.submit_hotline_report(&operator, &not_a_number).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.hotline_count().await, 1);
    // Chosen: the report joins the first case, no new case is opened.
    let mut join = again.clone();
    join.push(("join_case", first.to_string()));
    let joined = app.submit_hotline_report(&operator, &join).await;
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    assert_eq!(case_id_of(&location(&joined)), first);
    let (_, page) = text(&operator, app.url(&format!("/hotline/cases/{first}"))).await;
    assert!(page.contains("Các phản ánh (2)"), "{page}");
    // Still one case.
    let cases = hotline::lists::count(&app.db.db, &Default::default())
        .await
        .unwrap();
    assert_eq!(cases, 1);
}

async fn an_administrator_sets_the_due_days_for_new_cases(backend: Backend) {
    let app = TestApp::start(backend).await;
    let p = places(&app).await;
    let admin = app.signed_in("quantri", &[Role::Administrator], None).await;
    let operator = app
        .signed_in("tongdai", &[Role::HotlineOperator], None)
        .await;
    // Only an administrator opens the settings.
    let (status, _) = text(&operator, app.url("/admin/hotline-due-days")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, page) = text(&admin, app.url("/admin/hotline-due-days")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"10\""), "the built-in figure: {page}");
    // Bad figures are refused beside their fields; nothing changes.
    let refused = app
        .post_form(
            &admin,
            "/admin/hotline-due-days",
            "/admin/hotline-due-days",
            &[("default", "0"), ("kind_noise", "mười")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text().await.unwrap();
    assert_eq!(
        refused.matches("Nhập số nguyên từ 1 đến 60.").count(),
        2,
        "{refused}"
    );
    let saved = app
        .post_form(
            &admin,
            "/admin/hotline-due-days",
            "/admin/hotline-due-days",
            &[
                ("default", "5"),
                ("kind_waste_water", "2"),
                ("kind_noise", ""),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let history = vanphong_store::audit::history(&app.db.db, "hotline_settings", "due_days")
        .await
        .unwrap();
    assert_eq!(history.len(), 1);

    // A new waste-water case gets two working days; an emissions case the common five.
    let calendar = app.state.calendar().await.unwrap();
    let today = vanphong_web::vietnam_today();
    let water = case_id_of(&location(
        &app.submit_hotline_report(&operator, &call_fields(&p)).await,
    ));
    let case = hotline::case(&app.db.db, vanphong_core::ids::CaseId(water))
        .await
        .unwrap();
    assert_eq!(case.due_date, calendar.add_working_days(today, 2).unwrap());
    let mut smoke = call_fields(&p);
    smoke.retain(|(k, _)| !matches!(*k, "kind" | "signs"));
    smoke.push(("kind", "emissions".into()));
    let air = case_id_of(&location(
        &app.submit_hotline_report(&operator, &smoke).await,
    ));
    let case = hotline::case(&app.db.db, vanphong_core::ids::CaseId(air))
        .await
        .unwrap();
    assert_eq!(case.due_date, calendar.add_working_days(today, 5).unwrap());
}

async fn the_map_draws_the_configured_tiles_under_the_points(backend: Backend) {
    let layer = vanphong_web::tiles::TileLayer::parse(
        "https://tiles.example.org/osm/{z}/{x}/{y}.png",
        "© OpenStreetMap contributors",
    )
    .unwrap();
    let config = vanphong_web::WebConfig {
        map_tiles: Some(layer),
        ..Default::default()
    };
    let app = TestApp::start_with(backend, config, 10 * 1024 * 1024).await;
    let p = places(&app).await;
    let operator = app
        .signed_in("tongdai", &[Role::HotlineOperator], None)
        .await;
    let case = case_id_of(&location(
        &app.submit_hotline_report(&operator, &call_fields(&p)).await,
    ));
    let response = operator.get(app.url("/hotline/map")).send().await.unwrap();
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("img-src 'self' data: https://tiles.example.org;"),
        "{policy}"
    );
    let map = response.text().await.unwrap();
    // The tiles of Vietnam at zoom 6, among them Đồng Nai's, and the point on top.
    assert_eq!(
        map.matches("<image href=\"https://tiles.example.org/osm/6/")
            .count(),
        8,
        "{map}"
    );
    assert!(map.contains("https://tiles.example.org/osm/6/50/30.png"));
    assert!(map.find("<image").unwrap() < map.find(&format!("/hotline/cases/{case}")).unwrap());
    assert!(map.contains("© OpenStreetMap contributors"));
}

async fn the_case_list_pages_by_fifty_with_a_next_link_only_when_more_follow(backend: Backend) {
    let app = TestApp::start(backend).await;
    let p = places(&app).await;
    let operator = app
        .signed_in("tongdai", &[Role::HotlineOperator], None)
        .await;
    let mut fields = call_fields(&p);
    for i in 0..51 {
        fields.retain(|(k, _)| *k != "description");
        fields.push((
            "description",
            format!("Khói bụi từ lò đốt số {i} bay vào khu dân cư"),
        ));
        let response = app.submit_hotline_report(&operator, &fields).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let case_links = |page: &str| page.matches("href=\"/hotline/cases/").count();
    let (status, first) = text(&operator, app.url("/hotline")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(first.contains("Số vụ việc: 51"), "{first}");
    assert_eq!(case_links(&first), 50);
    assert!(first.contains("rel=\"next\""), "{first}");
    let (_, second) = text(&operator, app.url("/hotline?page=2")).await;
    assert_eq!(case_links(&second), 1);
    assert!(!second.contains("rel=\"next\"") && second.contains("rel=\"prev\""));
    // The same list narrowed to one case has no next page either.
    let (_, narrowed) = text(
        &operator,
        app.url("/hotline?q=l%C3%B2+%C4%91%E1%BB%91t+s%E1%BB%91+7+"),
    )
    .await;
    assert!((1..50).contains(&case_links(&narrowed)), "{narrowed}");
    assert!(!narrowed.contains("rel=\"next\""), "{narrowed}");
}

on_both_backends!(
    the_map_draws_the_configured_tiles_under_the_points,
    the_operator_attaches_a_call_to_an_existing_case_on_the_intake_form,
    an_administrator_sets_the_due_days_for_new_cases,
    a_call_is_taken_and_the_reporter_is_seen_only_by_operators_until_shared,
    bad_input_on_the_operator_form_is_refused_beside_its_field_and_nothing_is_stored,
    the_public_form_takes_reports_without_an_account_and_tracks_them,
    the_public_form_is_rate_limited_per_address,
    duplicates_are_suggested_on_the_case_page_and_merged_by_the_operator,
    the_case_list_pages_by_fifty_with_a_next_link_only_when_more_follow,
);
