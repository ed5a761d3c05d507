//! Browser tests: headless Chromium driven through ChromeDriver.
//!
//! Each test starts its own ChromeDriver on a free loopback port and a headless Chromium with
//! a fresh profile, then walks the pages the way a person does: typing, pressing Enter and
//! Tab, clicking links and buttons. Chromium and ChromeDriver come from the Debian packages
//! `chromium` and `chromium-driver`; without them the tests fail, they are never skipped.
//! Screenshots of the home page and of an issued reply are left at `target/browser-home.png`
//! and `target/browser-outgoing.png`.

use crate::{TestApp, PASSWORD};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use futures::FutureExt;
use serde_json::json;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use vanphong_core::auth::{Role, Secrecy};
use vanphong_core::org::{Abbreviation, AgencyCode};
use vanphong_store::audit::Origin;
use vanphong_store::{org, Backend};

/// The one-stop desk in the browser (it uses the helpers below).
mod dossiers;
/// The hotline operator in the browser.
mod hotline;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const INSTALL: &str = "install the Debian packages `chromium chromium-driver` (apt-get install chromium chromium-driver)";
/// The longest any single wait may take: a page load, an element appearing.
const WAIT: Duration = Duration::from_secs(15);
/// How long ChromeDriver may take to answer on its /status endpoint.
const DRIVER_START: Duration = Duration::from_secs(20);

vanphong_store::on_both_backends!(
    browser_signs_in_and_reaches_home,
    browser_walks_a_document_from_arrival_to_the_registers
);

async fn browser_signs_in_and_reaches_home(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.create_user("admin", &[Role::Administrator], None, Secrecy::Normal)
        .await;
    // Dropped before `app`, so ChromeDriver is gone before the temporary directory is removed.
    let driver = ChromeDriver::start(app.db.dir.path()).await;
    let client = driver
        .browser(&app.db.dir.path().join("chromium-profile"))
        .await;

    let walked = AssertUnwindSafe(walk(&client, &app)).catch_unwind().await;
    close_then_report(client, walked).await;

    let units = vanphong_store::org::units(&app.db.db).await.unwrap();
    assert!(
        units.is_empty(),
        "the invalid unit must not have been saved: {units:?}"
    );
}

/// The path a person takes: sign in (wrong, then right), look around, switch language,
/// make a mistake in a form, sign out.
async fn walk(client: &Client, app: &TestApp) {
    client
        .set_window_size(1280, 900)
        .await
        .expect("sizing the window");

    // Opening the site without a session leads to the sign-in page, in Vietnamese.
    client.goto(&app.url("/")).await.expect("opening /");
    wait_for(client, "form[action='/login']").await;
    assert_eq!(path(client).await, "/login");
    let title = client.title().await.unwrap();
    assert!(
        title.contains("Đăng nhập"),
        "the sign-in page's title: {title:?}"
    );

    // From the keyboard: the user name field has the focus, Tab leads to the password.
    let focused = client.active_element().await.unwrap();
    assert_eq!(
        id_of(&focused).await,
        "f-username",
        "the user name field should have the focus"
    );
    focused.send_keys("admin").await.unwrap();
    let password = tab(client, "f-password").await;
    password.send_keys("mật khẩu sai").await.unwrap();
    wait_for(client, "form[action='/login'] button[type='submit']")
        .await
        .click()
        .await
        .unwrap();

    let error = wait_for(client, "#login-error").await;
    assert_eq!(
        error.text().await.unwrap(),
        "Tên đăng nhập hoặc mật khẩu không đúng."
    );
    assert_eq!(path(client).await, "/login");
    let username = wait_for(client, "#f-username").await;
    assert_eq!(
        username.prop("value").await.unwrap().as_deref(),
        Some("admin"),
        "the user name is kept"
    );

    // The right password, submitted with Enter: after a failed attempt the user name is
    // kept and the focus waits in the password field.
    let password = client.active_element().await.unwrap();
    assert_eq!(
        id_of(&password).await,
        "f-password",
        "after a failed attempt the focus is on the password"
    );
    assert_eq!(
        password.prop("value").await.unwrap().as_deref(),
        Some(""),
        "the wrong password is not sent back"
    );
    password
        .send_keys(&format!("{PASSWORD}{}", Key::Enter))
        .await
        .unwrap();

    // The home page greets the user by name and offers the administration links.
    wait_for(client, "section.cards").await;
    assert_eq!(path(client).await, "/");
    assert_eq!(text(client, "h1").await, "Xin chào, Người dùng admin");
    assert_eq!(
        text(client, "header .account a[href='/account']").await,
        "Người dùng admin"
    );
    assert_eq!(text(client, "nav a[href='/admin']").await, "Quản trị");
    assert_eq!(
        attribute(client, "nav a[href='/']", "aria-current")
            .await
            .as_deref(),
        Some("page")
    );
    save_screenshot(client, "browser-home.png").await;

    // The language switch shows the same page in English.
    let switch = wait_for(client, "header a.lang").await;
    assert_eq!(switch.text().await.unwrap(), "English");
    switch.click().await.unwrap();
    wait_for(client, "html[lang='en'] section.cards").await;
    assert_eq!(path(client).await, "/");
    assert_eq!(text(client, "h1").await, "Hello, Người dùng admin");
    assert_eq!(text(client, "header a.lang").await, "Tiếng Việt");

    // The administration index leads to the user list, which shows the user.
    wait_for(client, "nav a[href='/admin']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(client, "main a.card[href='/admin/users']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(client, "table.list").await;
    assert_eq!(path(client).await, "/admin/users");
    let row = wait_for_xpath(
        client,
        "//table[contains(@class,'list')]//tr[td/a[normalize-space()='admin']]",
    )
    .await;
    let row = row.text().await.unwrap();
    assert!(row.contains("Người dùng admin"), "the user's row: {row:?}");

    // A new unit with an invalid abbreviation: the error appears next to the field.
    wait_for(client, "nav a[href='/admin']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(client, "main a.card[href='/admin/units']")
        .await
        .click()
        .await
        .unwrap();
    wait_for(client, "form[action='/admin/units'] #f-abbreviation").await;
    assert_eq!(path(client).await, "/admin/units");
    wait_for(client, "#f-name")
        .await
        .send_keys("Phòng thử nghiệm")
        .await
        .unwrap();
    let abbreviation = wait_for(client, "#f-abbreviation").await;
    abbreviation
        .send_keys(&format!("v p{}", Key::Enter))
        .await
        .unwrap();

    let error = wait_for_xpath(
        client,
        "//div[contains(@class,'field') and contains(@class,'invalid')][.//input[@id='f-abbreviation']]//p[@id='e-abbreviation']",
    )
    .await;
    assert_eq!(
        error.text().await.unwrap(),
        "An abbreviation has only capital letters and digits, without spaces or hyphens."
    );
    let abbreviation = wait_for(client, "#f-abbreviation").await;
    assert_eq!(
        abbreviation.prop("value").await.unwrap().as_deref(),
        Some("v p"),
        "the typed value is kept"
    );
    assert_eq!(
        abbreviation.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(
        abbreviation
            .attr("aria-describedby")
            .await
            .unwrap()
            .as_deref(),
        Some("h-abbreviation e-abbreviation"),
        "the hint and the error are read with the field"
    );
    assert_eq!(
        id_of(&client.active_element().await.unwrap()).await,
        "f-abbreviation",
        "the first field in error takes the focus"
    );
    assert_eq!(
        text(client, "div.alert.error").await,
        "Please correct the fields marked below."
    );
    assert_eq!(
        wait_for(client, "#f-name")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Phòng thử nghiệm"),
        "the other fields are kept"
    );

    // Signing out leads back to the sign-in page, and the session is gone.
    wait_for(client, "form[action='/logout'] button")
        .await
        .click()
        .await
        .unwrap();
    wait_for(client, "form[action='/login'] #f-password").await;
    assert_eq!(path(client).await, "/login");
    let title = client.title().await.unwrap();
    assert!(
        title.contains("Sign in") || title.contains("Đăng nhập"),
        "the sign-in page's title: {title:?}"
    );
    assert!(
        client
            .find(Locator::Css("form[action='/logout']"))
            .await
            .is_err(),
        "no sign-out button after signing out"
    );
    client.goto(&app.url("/")).await.unwrap();
    wait_for(client, "form[action='/login'] #f-password").await;
    assert_eq!(
        path(client).await,
        "/login",
        "the home page needs signing in again"
    );
}

/// A small PDF, like a scanned page.
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const DEPARTMENT: &str = "Cục Kiểm soát ô nhiễm môi trường";
const SENDER: &str = "Sở Nông nghiệp và Môi trường tỉnh Đồng Nai";
const NUMBER: &str = "125/SNNMT-CCBVMT";
const SUBJECT: &str = "Về việc đề nghị hướng dẫn thu gom, xử lý chất thải rắn sinh hoạt";
const SCAN: &str = "Công văn 125.pdf";
const INSTRUCTION: &str =
    "Giao Cục Kiểm soát ô nhiễm môi trường chủ trì, dự thảo văn bản trả lời Sở";
const PROGRESS: &str = "Đã làm việc với Sở Nông nghiệp và Môi trường tỉnh Đồng Nai";
const REPLY_SUBJECT: &str = "Về việc hướng dẫn thu gom, xử lý chất thải rắn sinh hoạt";
const DRAFT: &str = "Dự thảo công văn trả lời.pdf";
const SIGNER: &str = "Hoàng Văn Thức";
/// A letter (công văn) takes the agency's abbreviation and the drafting unit's.
const REPLY_NUMBER: &str = "01/TCMT-KSONMT";

/// The main path of an incoming letter, with one browser and the people signing in and
/// out in turn: the records clerk registers it and puts it before the leader, the leader
/// routes it to a department, the department's leader names a handler, the handler reports
/// progress and drafts the reply, the leader approves it, the clerk gives it its number,
/// the handler closes the assignment with it, and the three registers show both letters.
async fn browser_walks_a_document_from_arrival_to_the_registers(backend: Backend) {
    let app = TestApp::start(backend).await;
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
    let department = app.create_unit(DEPARTMENT, "KSONMT", None).await;
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
    // The files people pick in the file dialog.
    let files = app.db.dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let scan = files.join(SCAN);
    std::fs::write(&scan, PDF).unwrap();
    let draft = files.join(DRAFT);
    std::fs::write(&draft, PDF).unwrap();

    let driver = ChromeDriver::start(app.db.dir.path()).await;
    let client = driver
        .browser(&app.db.dir.path().join("chromium-profile"))
        .await;
    let walked = AssertUnwindSafe(walk_a_document(&client, &app, &scan, &draft))
        .catch_unwind()
        .await;
    let (incoming, reply) = close_then_report(client, walked).await;

    // What the pages showed is what was stored.
    let incoming = vanphong_store::documents::get(&app.db.db, incoming)
        .await
        .unwrap();
    assert_eq!(incoming.status, "done");
    assert_eq!(incoming.number_symbol.as_deref(), Some(NUMBER));
    let reply = vanphong_store::documents::get(&app.db.db, reply)
        .await
        .unwrap();
    assert_eq!(
        (reply.status.as_str(), reply.number_symbol.as_deref()),
        ("issued", Some(REPLY_NUMBER))
    );
}

/// The walk itself; returns the ids of the incoming letter and of its reply.
async fn walk_a_document(client: &Client, app: &TestApp, scan: &Path, draft: &Path) -> (i64, i64) {
    client
        .set_window_size(1280, 900)
        .await
        .expect("sizing the window");

    // 1. The records clerk registers the letter, typing into the form, with its scan.
    sign_in_as(client, app, "vanthu").await;
    click(client, "header nav a[href='/documents/incoming']").await;
    click(client, "main a.button[href='/documents/incoming/new']").await;
    let register = "main form[enctype='multipart/form-data']";
    wait_for(client, &format!("{register} #f-number_symbol")).await;
    assert_eq!(path(client).await, "/documents/incoming/new");
    let focused = client.active_element().await.unwrap();
    assert_eq!(
        id_of(&focused).await,
        "f-number_symbol",
        "the number and symbol field has the focus"
    );
    focused.send_keys(NUMBER).await.unwrap();
    let kind = tab(client, "f-type_code").await;
    assert_eq!(
        selected_label(&kind).await,
        "Công văn",
        "a letter is the default type"
    );
    type_into(client, "#f-sender_name", SENDER).await;
    type_into(client, "#f-subject", SUBJECT).await;
    type_into(client, "#f-signer_name", "Nguyễn Văn Bình").await;
    type_into(client, "#f-pages", "2").await;
    choose(client, "#f-urgency", "Khẩn").await;
    let arrival = value_of(client, "#f-arrival_date").await;
    let arrival = chrono::NaiveDate::parse_from_str(&arrival, "%Y-%m-%d")
        .unwrap_or_else(|_| panic!("the arrival date is filled in with today: {arrival:?}"));
    assert_eq!(
        selected_label(&wait_for(client, "#f-receiving_unit_id").await).await,
        "Văn phòng",
        "the clerk's own unit receives it unless told otherwise"
    );
    wait_for(client, "#f-files")
        .await
        .send_keys(scan.to_str().unwrap())
        .await
        .unwrap();
    click(client, &format!("{register} button.primary[type='submit']")).await;

    // The document page: its arrival number, its scan.
    wait_for_xpath(
        client,
        &format!("//h1[normalize-space()='{NUMBER} — {SUBJECT}']"),
    )
    .await;
    assert_eq!(text(client, "div.alert.ok").await, "Đã lưu.");
    let incoming = id_in_path(client, "/documents/").await;
    assert_eq!(
        fact(client, "Số đến").await,
        format!("1/{}", arrival.format("%Y")),
        "the first arrival number of the year"
    );
    assert_eq!(fact(client, "Cơ quan ban hành").await, SENDER);
    assert_eq!(fact(client, "Trạng thái").await, "Đã vào sổ");
    wait_for_xpath(
        client,
        &format!("//main//li/a[@href and normalize-space()='{SCAN}']"),
    )
    .await;

    // It goes before the leader.
    let submit = format!("form[action='/documents/{incoming}/submit']");
    choose(
        client,
        &format!("{submit} #f-leader_id"),
        "Người dùng lanhdao",
    )
    .await;
    click(client, &format!("{submit} button[type='submit']")).await;
    wait_for_fact(client, "Trạng thái", "Chờ ý kiến chỉ đạo").await;
    sign_out(client).await;

    // 2. The leader finds it waiting and routes it to the department, five working days.
    sign_in_as(client, app, "lanhdao").await;
    click(client, "header nav a[href='/inbox']").await;
    click_in_inbox(client, "Văn bản chờ tôi cho ý kiến chỉ đạo", incoming).await;
    let route = format!("form[action='/documents/{incoming}/route']");
    type_into(client, &format!("{route} #f-instruction"), INSTRUCTION).await;
    choose(client, &format!("{route} #f-lead_unit"), DEPARTMENT).await;
    type_into(client, &format!("{route} #f-lead_days"), "5").await;
    click(client, &format!("{route} button.primary[type='submit']")).await;
    let branch = format!(
        "//ul[contains(@class,'tree')]/li[strong[normalize-space()='Chủ trì: {DEPARTMENT}']]"
    );
    let routed = wait_for_xpath(client, &branch).await.text().await.unwrap();
    let calendar = app.state.calendar().await.unwrap();
    let due = vanphong_core::document::deadline::resolve(
        vanphong_core::document::deadline::DueSpec::WorkingDays(5),
        arrival,
        &calendar,
    )
    .unwrap();
    for expected in [
        "Chờ giao người xử lý".to_owned(),
        format!("Hạn giải quyết {}", due.format("%d/%m/%Y")),
        format!("Ý kiến chỉ đạo: {INSTRUCTION}"),
    ] {
        assert!(
            routed.contains(&expected),
            "{expected:?} in the branch {routed:?}"
        );
    }
    assert!(
        client.find(Locator::Css(&route)).await.is_err(),
        "a routed document is not routed again"
    );
    sign_out(client).await;

    // 3. The department's leader names the specialist as handler.
    sign_in_as(client, app, "truongphong").await;
    click(client, "header nav a[href='/inbox']").await;
    click_in_inbox(
        client,
        "Văn bản đơn vị được giao, chờ giao người xử lý",
        incoming,
    )
    .await;
    let name_handler = step_form(client, "name_handler").await;
    name_handler
        .find(Locator::Css("select[name='handler_id']"))
        .await
        .unwrap()
        .select_by_label("Người dùng chuyenvien")
        .await
        .unwrap();
    submit_form(&name_handler).await;
    wait_for_xpath(
        client,
        &format!("{branch}[contains(., 'Người xử lý: Người dùng chuyenvien')][contains(., 'Đã giao người xử lý')]"),
    )
    .await;
    sign_out(client).await;

    // 4. The specialist reports progress and drafts the reply from the document page.
    sign_in_as(client, app, "chuyenvien").await;
    click(client, "header nav a[href='/inbox']").await;
    click_in_inbox(client, "Văn bản tôi đang xử lý", incoming).await;
    let progress = step_form(client, "progress").await;
    find_in(&progress, "input[name='note']")
        .await
        .send_keys(PROGRESS)
        .await
        .unwrap();
    find_in(&progress, "input[name='percent']")
        .await
        .send_keys("50")
        .await
        .unwrap();
    submit_form(&progress).await;
    wait_for_xpath(
        client,
        &format!("{branch}//li/small[contains(., 'Người dùng chuyenvien: {PROGRESS} (50%)')]"),
    )
    .await;
    wait_for_xpath(client, &format!("{branch}[contains(., 'Đang xử lý')]")).await;

    click(
        client,
        &format!("main a.button[href='/documents/outgoing/new?reply_to={incoming}']"),
    )
    .await;
    let new_draft = "main form[action='/documents/outgoing']";
    wait_for(client, &format!("{new_draft} #f-subject")).await;
    assert_eq!(
        value_of(client, "#f-reply_to").await,
        incoming.to_string(),
        "the draft answers the letter it was opened from"
    );
    let focused = client.active_element().await.unwrap();
    assert_eq!(
        id_of(&focused).await,
        "f-subject",
        "the subject has the focus"
    );
    focused.send_keys(REPLY_SUBJECT).await.unwrap();
    choose(client, "#f-type_code", "Công văn").await;
    choose(
        client,
        "#f-drafting_unit_id",
        &format!("{DEPARTMENT} (KSONMT)"),
    )
    .await;
    choose(client, "#f-signing_authority", "KT. (ký thay)").await;
    type_into(client, "#f-signer_position", "Phó Tổng cục trưởng").await;
    type_into(client, "#f-recipients_note", "Như trên; Lưu: VT, KSONMT.").await;
    type_into(client, "#f-copies", "2").await;
    click(
        client,
        &format!("{new_draft} button.primary[type='submit']"),
    )
    .await;
    wait_for_xpath(
        client,
        "//h1/span[@id='number-symbol' and normalize-space()='(Chưa cấp số)']",
    )
    .await;
    let reply = id_in_path(client, "/documents/outgoing/").await;
    assert_eq!(text(client, "dd#status").await, "Dự thảo");

    // The draft's file, then off for review.
    let upload = format!("form[action^='/documents/outgoing/{reply}/versions']");
    wait_for(client, &format!("{upload} #f-file"))
        .await
        .send_keys(draft.to_str().unwrap())
        .await
        .unwrap();
    click(client, &format!("{upload} button[type='submit']")).await;
    wait_for_xpath(
        client,
        &format!("//table[contains(@class,'list')]//td/a[normalize-space()='{DRAFT}']"),
    )
    .await;
    let for_review = format!("form[action='/documents/outgoing/{reply}/submit']");
    choose(
        client,
        &format!("{for_review} #f-reviewer_id"),
        "Người dùng lanhdao",
    )
    .await;
    click(
        client,
        &format!("{for_review} button.primary[type='submit']"),
    )
    .await;
    wait_for_xpath(
        client,
        "//dd[@id='status' and normalize-space()='Đang trình duyệt']",
    )
    .await;
    sign_out(client).await;

    // 5. The leader is told, opens the draft from the notice and signs it.
    sign_in_as(client, app, "lanhdao").await;
    click_notification(client, &format!("/documents/outgoing/{reply}")).await;
    let approve = format!("form[action='/documents/outgoing/{reply}/approve']");
    assert_eq!(
        selected_label(&wait_for(client, &format!("{approve} #f-signing_authority")).await).await,
        "KT. (ký thay)",
        "the drafter's signing authority is proposed"
    );
    assert_eq!(
        value_of(client, &format!("{approve} #f-signer_position")).await,
        "Phó Tổng cục trưởng"
    );
    let signer = wait_for(client, &format!("{approve} #f-signer_name")).await;
    assert_eq!(
        signer.prop("value").await.unwrap().as_deref(),
        Some("Người dùng lanhdao"),
        "the leader's own name is proposed"
    );
    signer.clear().await.unwrap();
    signer.send_keys(SIGNER).await.unwrap();
    click(client, &format!("{approve} button.primary[type='submit']")).await;
    wait_for_xpath(
        client,
        "//dd[@id='status' and normalize-space()='Đã ký duyệt']",
    )
    .await;
    sign_out(client).await;

    // 6. The records clerk is told too, sees the number it will get, and issues it.
    sign_in_as(client, app, "vanthu").await;
    click_notification(client, &format!("/documents/outgoing/{reply}")).await;
    let preview = wait_for_xpath(
        client,
        "//main/p[starts-with(normalize-space(), 'Văn bản sẽ được cấp số trong')]",
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(preview.contains("số dự kiến 01"), "{preview:?}");
    click(
        client,
        &format!("form[action^='/documents/outgoing/{reply}/issue'] button.primary[type='submit']"),
    )
    .await;
    wait_for_xpath(
        client,
        &format!("//h1/span[@id='number-symbol' and normalize-space()='{REPLY_NUMBER}']"),
    )
    .await;
    assert_eq!(text(client, "dd#status").await, "Đã ban hành");
    assert_eq!(
        fact(client, "Người ký").await,
        format!("KT. Phó Tổng cục trưởng — {SIGNER}")
    );
    save_screenshot(client, "browser-outgoing.png").await;
    sign_out(client).await;

    // 7. The specialist closes the assignment with the reply, found on the letter's page.
    sign_in_as(client, app, "chuyenvien").await;
    click(client, "header nav a[href='/inbox']").await;
    click_in_inbox(client, "Văn bản tôi đang xử lý", incoming).await;
    let link = wait_for_xpath(
        client,
        &format!("//main/ul/li[a[@href='/documents/{reply}']]"),
    )
    .await;
    let shown = link.text().await.unwrap();
    assert!(
        shown.contains("Được trả lời bằng văn bản") && shown.contains(REPLY_NUMBER),
        "the reply is listed with its number: {shown:?}"
    );
    let finish = step_form(client, "finish").await;
    find_in(&finish, "input[name='result']")
        .await
        .send_keys(&format!("Đã trả lời bằng Công văn số {REPLY_NUMBER}"))
        .await
        .unwrap();
    find_in(&finish, "select[name='reply_document_id']")
        .await
        .select_by_label(REPLY_NUMBER)
        .await
        .unwrap();
    submit_form(&finish).await;
    wait_for_xpath(
        client,
        &format!("{branch}[contains(., 'Kết quả: Đã trả lời bằng Công văn số {REPLY_NUMBER}')]"),
    )
    .await;
    wait_for_fact(client, "Trạng thái", "Đã giải quyết").await;
    sign_out(client).await;

    // 8. The registers, as the records clerk keeps them.
    sign_in_as(client, app, "vanthu").await;
    click(client, "header nav a[href='/registers/incoming']").await;
    wait_for_xpath(client, "//h1[normalize-space()='Sổ đăng ký văn bản đến']").await;
    // The books open on this month in Hà Nội; the arrival date the form proposed is
    // today in UTC, a day earlier before 7 a.m. there, so at the turn of a month it
    // falls in the month before.
    let from = value_of(client, "#f-from").await;
    let to = value_of(client, "#f-to").await;
    let day = arrival.format("%Y-%m-%d").to_string();
    if day < from || day > to {
        client
            .goto(&app.url(&format!("/registers/incoming?from={day}&to={to}")))
            .await
            .unwrap();
    }
    let row = register_row(client, 4, NUMBER).await;
    assert_eq!(row[1], "01", "the arrival number: {row:?}");
    assert_eq!(row[2], SENDER);
    assert!(row[5].contains(SUBJECT), "type and subject: {row:?}");
    assert!(
        row[6].contains(DEPARTMENT) && row[6].contains("Người dùng chuyenvien"),
        "who received it: {row:?}"
    );

    click_xpath(
        client,
        "//nav[contains(@class,'tabs')]/a[normalize-space()='Sổ đăng ký văn bản đi']",
    )
    .await;
    wait_for_xpath(client, "//h1[normalize-space()='Sổ đăng ký văn bản đi']").await;
    let row = register_row(client, 1, REPLY_NUMBER).await;
    assert!(row[2].contains(REPLY_SUBJECT), "type and subject: {row:?}");
    assert!(
        row[3].contains(SIGNER) && row[3].contains("KT. Phó Tổng cục trưởng"),
        "the signer: {row:?}"
    );
    assert!(
        row[4].contains("Như trên; Lưu: VT, KSONMT."),
        "the recipients: {row:?}"
    );

    click_xpath(
        client,
        "//nav[contains(@class,'tabs')]/a[normalize-space()='Sổ theo dõi giải quyết văn bản đến']",
    )
    .await;
    wait_for_xpath(
        client,
        "//h1[normalize-space()='Sổ theo dõi giải quyết văn bản đến']",
    )
    .await;
    let row = register_row(client, 1, "01").await;
    assert!(
        row[1].contains(NUMBER) && row[1].contains(SUBJECT),
        "the document: {row:?}"
    );
    assert!(row[4].contains("Đã giải quyết"), "the progress: {row:?}");
    assert_eq!(row[5], REPLY_NUMBER, "the reply: {row:?}");
    sign_out(client).await;
    (incoming, reply)
}

/// Closes the browser whatever happened, then reports the walk's failure, if any.
async fn close_then_report<T>(client: Client, walked: std::thread::Result<T>) -> T {
    let closed = client.close().await;
    let walked = walked.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    closed.expect("closing the browser session");
    walked
}

/// Signs in through the form with the test password and waits for the home page.
async fn sign_in_as(client: &Client, app: &TestApp, username: &str) {
    client
        .goto(&app.url("/login"))
        .await
        .expect("opening /login");
    type_into(client, "form[action='/login'] #f-username", username).await;
    type_into(
        client,
        "form[action='/login'] #f-password",
        &format!("{PASSWORD}{}", Key::Enter),
    )
    .await;
    wait_for_xpath(
        client,
        &format!("//h1[normalize-space()='Xin chào, Người dùng {username}']"),
    )
    .await;
}

/// Signs out with the header's button and waits for the sign-in page.
async fn sign_out(client: &Client) {
    click(client, "header form[action='/logout'] button").await;
    wait_for(client, "form[action='/login'] #f-password").await;
}

/// Clicks the link to a document in one section of the inbox.
async fn click_in_inbox(client: &Client, section: &str, document: i64) {
    wait_for_xpath(client, "//h1[normalize-space()='Việc cần xử lý']").await;
    click_xpath(
        client,
        &format!(
            "//h2[starts-with(normalize-space(), '{section} (')]/following-sibling::table[1]//a[@href='/documents/{document}']"
        ),
    )
    .await;
    wait_for(client, "dl.facts").await;
}

/// Clicks a notification on the home page.
async fn click_notification(client: &Client, link: &str) {
    click_xpath(
        client,
        &format!("//section[@id='notifications']//a[@href='{link}']"),
    )
    .await;
    wait_for(client, "dl.facts").await;
}

/// The form of one assignment step (`name_handler`, `progress`, `finish`…).
async fn step_form(client: &Client, step: &str) -> Element {
    wait_for_xpath(
        client,
        &format!("//form[@method='post' and input[@name='step' and @value='{step}']]"),
    )
    .await
}

async fn find_in(form: &Element, css: &str) -> Element {
    form.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("`{css}` in the form: {e}"))
}

async fn submit_form(form: &Element) {
    find_in(form, "button[type='submit']")
        .await
        .click()
        .await
        .unwrap();
}

async fn click(client: &Client, css: &str) {
    wait_for(client, css).await.click().await.unwrap();
}

async fn click_xpath(client: &Client, xpath: &str) {
    wait_for_xpath(client, xpath).await.click().await.unwrap();
}

async fn type_into(client: &Client, css: &str, keys: &str) {
    wait_for(client, css).await.send_keys(keys).await.unwrap();
}

/// Picks an option of a select by what it reads.
async fn choose(client: &Client, css: &str, label: &str) {
    let select = wait_for(client, css).await;
    if let Err(e) = select.select_by_label(label).await {
        panic!(
            "choosing {label:?} in `{css}`: {e}\n{}",
            where_we_are(client).await
        );
    }
}

async fn selected_label(select: &Element) -> String {
    select
        .find(Locator::Css("option:checked"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .trim()
        .to_owned()
}

async fn value_of(client: &Client, css: &str) -> String {
    wait_for(client, css)
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// What the document page's facts say beside `label`.
async fn fact(client: &Client, label: &str) -> String {
    wait_for_xpath(client, &fact_xpath(label))
        .await
        .text()
        .await
        .unwrap()
        .trim()
        .to_owned()
}

async fn wait_for_fact(client: &Client, label: &str, value: &str) {
    wait_for_xpath(
        client,
        &format!("{}[normalize-space()='{value}']", fact_xpath(label)),
    )
    .await;
}

fn fact_xpath(label: &str) -> String {
    format!(
        "//dl[contains(@class,'facts')]/dt[normalize-space()='{label}']/following-sibling::dd[1]"
    )
}

/// The id at the end of the current address, after `prefix`.
async fn id_in_path(client: &Client, prefix: &str) -> i64 {
    let path = path(client).await;
    path.strip_prefix(prefix)
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("expected {prefix}<id>, at {path}"))
}

/// The cells of the register row whose `column` (counted from 1) reads `value`.
async fn register_row(client: &Client, column: usize, value: &str) -> Vec<String> {
    let row = wait_for_xpath(
        client,
        &format!(
            "//table[contains(@class,'register')]/tbody/tr[td[{column}][normalize-space()='{value}']]"
        ),
    )
    .await;
    let mut cells = Vec::new();
    for cell in row.find_all(Locator::Css("td")).await.unwrap() {
        cells.push(cell.text().await.unwrap().trim().to_owned());
    }
    cells
}

/// Waits, bounded, for an element matching a CSS selector.
async fn wait_for(client: &Client, css: &str) -> Element {
    match client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => element,
        Err(e) => panic!("waiting for `{css}`: {e}\n{}", where_we_are(client).await),
    }
}

/// Waits, bounded, for an element matching an XPath expression.
async fn wait_for_xpath(client: &Client, xpath: &str) -> Element {
    match client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(xpath))
        .await
    {
        Ok(element) => element,
        Err(e) => panic!("waiting for `{xpath}`: {e}\n{}", where_we_are(client).await),
    }
}

/// The page's address and text, for failure messages.
async fn where_we_are(client: &Client) -> String {
    let url = client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    let body = match client.find(Locator::Css("body")).await {
        Ok(body) => body.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    format!("at {url}, the page reads:\n{body}")
}

async fn text(client: &Client, css: &str) -> String {
    wait_for(client, css)
        .await
        .text()
        .await
        .unwrap()
        .trim()
        .to_owned()
}

async fn path(client: &Client) -> String {
    client.current_url().await.unwrap().path().to_owned()
}

async fn id_of(element: &Element) -> String {
    element.attr("id").await.unwrap().unwrap_or_default()
}

/// Presses Tab on the focused element and checks where the focus went.
async fn tab(client: &Client, expected_id: &str) -> Element {
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(&Key::Tab.to_string())
        .await
        .unwrap();
    let focused = client.active_element().await.unwrap();
    assert_eq!(id_of(&focused).await, expected_id, "where Tab leads");
    focused
}

/// Leaves a picture of the page in the target directory for people to look at; a failure
/// to write it is reported but does not fail the test.
async fn save_screenshot(client: &Client, name: &str) {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    };
    let file = target.join(name);
    let result = async {
        let png = client.screenshot().await.map_err(|e| e.to_string())?;
        std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
        // Both backends run at once: write aside, then rename over the file in one step.
        let partial = target.join(format!("{name}.{}.part", std::process::id()));
        std::fs::write(&partial, png).map_err(|e| e.to_string())?;
        std::fs::rename(&partial, &file).map_err(|e| e.to_string())
    }
    .await;
    if let Err(e) = result {
        eprintln!(
            "warning: could not save the screenshot {}: {e}",
            file.display()
        );
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A ChromeDriver process on a free loopback port, killed when dropped.
struct ChromeDriver {
    child: Child,
    url: String,
    log: PathBuf,
}

impl ChromeDriver {
    async fn start(dir: &Path) -> Self {
        for program in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(program).exists(),
                "{program} is missing; {INSTALL}"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("finding a free loopback port")
            .port();
        let log = dir.join("chromedriver.log");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {CHROMEDRIVER}: {e}; {INSTALL}"));
        let mut driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        driver.wait_until_ready().await;
        driver
    }

    /// Polls /status until ChromeDriver says it is ready, or gives up after `DRIVER_START`.
    async fn wait_until_ready(&mut self) {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let status = format!("{}/status", self.url);
        let deadline = Instant::now() + DRIVER_START;
        loop {
            if let Ok(Some(exit)) = self.child.try_wait() {
                panic!(
                    "{CHROMEDRIVER} stopped ({exit}) before it was ready; {INSTALL}\n{}",
                    self.log_tail()
                );
            }
            if let Ok(response) = http.get(&status).send().await {
                if let Ok(body) = response.json::<serde_json::Value>().await {
                    if body["value"]["ready"] == json!(true) {
                        return;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "{CHROMEDRIVER} did not answer on {status} within {DRIVER_START:?}\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A new headless Chromium session with its own profile directory.
    async fn browser(&self, profile: &Path) -> Client {
        std::fs::create_dir_all(profile).expect("a profile directory for Chromium");
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            format!("--user-data-dir={}", profile.display()),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": CHROMIUM, "args": args }),
        );
        // ChromeDriver is on loopback: plain HTTP, no TLS.
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "starting Chromium through ChromeDriver: {e}; {INSTALL}\n{}",
                    self.log_tail()
                )
            })
    }

    /// The end of ChromeDriver's log, for failure messages.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let start = log.len().saturating_sub(4000);
        let start = (start..log.len())
            .find(|&i| log.is_char_boundary(i))
            .unwrap_or(log.len());
        format!(
            "ChromeDriver's log ({}):\n{}",
            self.log.display(),
            &log[start..]
        )
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An attribute of the first element matching `css`, once it is there.
async fn attribute(client: &Client, css: &str, name: &str) -> Option<String> {
    wait_for(client, css).await.attr(name).await.unwrap()
}
