//! A hotline operator takes a phone call in Chromium: records the report on the intake form
//! (forgetting the description first and being told beside it), finds it in the case list,
//! and takes the case through its first steps on the case page; a second call about the
//! same incident is attached to the case from the intake form.

use super::*;

const REPORTER: &str = "Trần Thị Bí Mật";
const DESCRIPTION: &str = "Nước thải màu đen, mùi hôi xả ra suối Linh từ đêm qua";

vanphong_store::on_both_backends!(browser_takes_a_hotline_call_and_works_the_case);

async fn browser_takes_a_hotline_call_and_works_the_case(backend: Backend) {
    let app = TestApp::start(backend).await;
    crate::hotline::places(&app).await;
    app.create_user("tongdai", &[Role::HotlineOperator], None, Secrecy::Normal)
        .await;
    let driver = ChromeDriver::start(app.db.dir.path()).await;
    let client = driver
        .browser(&app.db.dir.path().join("chromium-profile"))
        .await;
    let walked = AssertUnwindSafe(take_call(&client, &app))
        .catch_unwind()
        .await;
    let id = close_then_report(client, walked).await;

    let case = vanphong_store::hotline::case(&app.db.db, vanphong_core::ids::CaseId(id))
        .await
        .unwrap();
    assert_eq!(case.status.code(), "verifying");
    let reports = vanphong_store::hotline::reports_of_case(&app.db.db, case.id)
        .await
        .unwrap();
    assert_eq!(reports.len(), 2, "the second call joined the case");
    assert_eq!(app.hotline_count().await, 2);
}

async fn fill_call(client: &Client, description: &str) {
    type_into(client, "#f-reporter_name", REPORTER).await;
    type_into(client, "#f-reporter_phone", "0912345678").await;
    choose(client, "#f-kind", "Nước thải").await;
    if !description.is_empty() {
        type_into(client, "#f-description", description).await;
    }
    choose(client, "#f-province_id", "Đồng Nai").await;
    type_into(client, "#f-address", "Khu công nghiệp Biên Hòa 1").await;
}

async fn take_call(client: &Client, app: &TestApp) -> i64 {
    client
        .set_window_size(1280, 900)
        .await
        .expect("sizing the window");
    sign_in_as(client, app, "tongdai").await;
    client.goto(&app.url("/hotline/new")).await.unwrap();
    wait_for(client, "form.hotline-intake").await;

    // The description forgotten: the browser's own check is bypassed by the server's.
    fill_call(client, "").await;
    client
        .execute(
            "document.getElementById('f-description').removeAttribute('required');",
            vec![],
        )
        .await
        .unwrap();
    click(client, "form.hotline-intake button.primary").await;
    let error = wait_for(client, "div.field.invalid p.error").await;
    assert!(!error.text().await.unwrap().is_empty());
    assert_eq!(
        value_of(client, "#f-reporter_name").await,
        REPORTER,
        "what was typed is kept"
    );
    type_into(client, "#f-description", DESCRIPTION).await;
    click(client, "form.hotline-intake button.primary").await;

    // The case page: received, with the tracking code for the caller.
    wait_for(client, "strong.tracking").await;
    let id = id_in_path(client, "/hotline/cases/").await;
    assert_eq!(text(client, "dd.status").await, "Đã tiếp nhận");

    // The case list shows it.
    click(client, "nav a[href='/hotline']").await;
    wait_for(client, &format!("a[href='/hotline/cases/{id}']")).await;
    click(client, &format!("a[href='/hotline/cases/{id}']")).await;

    // The next step with its note.
    wait_for(client, "#f-to").await;
    choose(client, "#f-to", "Đang xác minh").await;
    type_into(client, "#f-note", "Đã giao đội kiểm tra hiện trường").await;
    click(client, "form[action$='/step'] button.primary").await;
    wait_for_xpath(
        client,
        "//dd[contains(@class,'status') and normalize-space()='Đang xác minh']",
    )
    .await;
    wait_for_xpath(
        client,
        "//ol[contains(@class,'history')]//li[contains(., 'Đã giao đội kiểm tra hiện trường')]",
    )
    .await;

    // A second call about the same incident: the operator asks for duplicates on the form
    // and attaches the call to the case.
    client.goto(&app.url("/hotline/new")).await.unwrap();
    wait_for(client, "form.hotline-intake").await;
    fill_call(client, "Suối Linh lại có nước thải đen, mùi hôi nồng nặc").await;
    click(client, "button[name='check_duplicates']").await;
    click(client, &format!("input[name='join_case'][value='{id}']")).await;
    click(client, "form.hotline-intake button.primary").await;
    wait_for(client, "strong.tracking").await;
    assert_eq!(id_in_path(client, "/hotline/cases/").await, id);
    id
}
