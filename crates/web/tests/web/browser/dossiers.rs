//! A one-stop officer receives a dossier in Chromium: chooses the procedure, forgets a
//! required component and is told beside it, ticks and attaches the components, and lands
//! on the dossier page with its code, its appointment date and the receipt.

use super::*;

const PROCEDURE: &str = "Cấp giấy phép môi trường";
const APPLICANT: &str = "Công ty Cổ phần Giấy Sài Gòn";
const LETTER: &str = "Văn bản đề nghị.pdf";

vanphong_store::on_both_backends!(browser_receives_a_dossier_at_the_one_stop_desk);

async fn browser_receives_a_dossier_at_the_one_stop_desk(backend: Backend) {
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
    let desk = app.create_unit("Bộ phận Một cửa", "MC", None).await;
    let handling = app.create_unit(DEPARTMENT, "KSONMT", None).await;
    app.create_user(
        "motcua",
        &[Role::OneStopOfficer],
        Some(desk),
        Secrecy::Normal,
    )
    .await;
    let content = vanphong_core::dossier::ProcedureContent::parse(
        &vanphong_core::dossier::procedure::ProcedureInput {
            name: PROCEDURE,
            field: "Môi trường",
            level: "central",
            components: "Văn bản đề nghị cấp giấy phép | Mẫu số 01\nBáo cáo đề xuất cấp giấy phép | Mẫu số 02",
            processing_days: "20",
            ..Default::default()
        },
    )
    .unwrap();
    let decision = vanphong_store::dossiers::procedures::Decision {
        number: "1756/QĐ-BTNMT".into(),
        date: chrono::NaiveDate::from_ymd_opt(2020, 12, 17).unwrap(),
    };
    vanphong_store::dossiers::procedures::announce(
        &app.db.db,
        &Origin::system(),
        "1.010727",
        Some(handling),
        &content,
        &decision,
    )
    .await
    .unwrap();
    let files = app.db.dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let letter = files.join(LETTER);
    std::fs::write(&letter, PDF).unwrap();
    // A working day for the reception, whatever day the test runs on.
    let calendar = app.state.calendar().await.unwrap();
    let on = calendar
        .add_working_days(vanphong_web::vietnam_today(), 0)
        .unwrap();

    let driver = ChromeDriver::start(app.db.dir.path()).await;
    let client = driver
        .browser(&app.db.dir.path().join("chromium-profile"))
        .await;
    let walked = AssertUnwindSafe(receive(&client, &app, &letter, on))
        .catch_unwind()
        .await;
    let id = close_then_report(client, walked).await;

    let dossier = vanphong_store::dossiers::get(&app.db.db, id).await.unwrap();
    assert_eq!(dossier.applicant_name, APPLICANT);
    assert_eq!(dossier.received_on, Some(on));
    assert_eq!(
        dossier.due_date,
        Some(calendar.add_working_days(on, 20).unwrap())
    );
    let checklist = vanphong_store::dossiers::checklist(&app.db.db, id)
        .await
        .unwrap();
    assert!(checklist.iter().all(|c| c.provided));
    assert_eq!(
        vanphong_store::dossiers::files(&app.db.db, id)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn receive(client: &Client, app: &TestApp, letter: &Path, on: chrono::NaiveDate) -> i64 {
    client
        .set_window_size(1280, 900)
        .await
        .expect("sizing the window");
    sign_in_as(client, app, "motcua").await;
    click(client, "nav a[href='/dossiers']").await;
    click(client, "a[href='/dossiers/new']").await;
    choose(
        client,
        "#f-procedure_id",
        &format!("1.010727 · {PROCEDURE}"),
    )
    .await;
    click(client, "form[action='/dossiers/new'] button[type='submit']").await;

    // The first try: the applicant, the letter attached, the report forgotten.
    wait_for(client, "form#reception").await;
    type_into(client, "#f-applicant_name", APPLICANT).await;
    type_into(client, "#f-applicant_phone", "0912 345 678").await;
    type_into(client, "#f-subject", "Nhà máy giấy Mỹ Xuân").await;
    client
        .execute(
            "document.getElementById('f-received_on').value = arguments[0];",
            vec![json!(on.to_string())],
        )
        .await
        .unwrap();
    wait_for(client, "input[name='file_0']")
        .await
        .send_keys(letter.to_str().unwrap())
        .await
        .unwrap();
    click(client, "form#reception button[type='submit']").await;
    let error = wait_for(client, "div.field.invalid p.error").await;
    assert_eq!(
        error.text().await.unwrap(),
        "Thiếu giấy tờ bắt buộc: đánh dấu đã nộp bản giấy hoặc đính kèm tệp."
    );
    assert_eq!(
        value_of(client, "#f-applicant_name").await,
        APPLICANT,
        "what was typed is kept"
    );

    // The second try: the report handed in on paper, the letter attached again.
    client
        .execute(
            "document.getElementById('f-received_on').value = arguments[0];",
            vec![json!(on.to_string())],
        )
        .await
        .unwrap();
    click(client, "input[name='provided'][value='1']").await;
    wait_for(client, "input[name='file_0']")
        .await
        .send_keys(letter.to_str().unwrap())
        .await
        .unwrap();
    click(client, "form#reception button[type='submit']").await;
    let code = format!("000.00.16.H49-{}-0001", on.format("%y%m%d"));
    wait_for_xpath(client, &format!("//h1[contains(., '{code}')]")).await;
    assert_eq!(text(client, "#status").await, "Đã tiếp nhận");
    assert!(text(client, "#due").await.contains('/'));
    wait_for(client, "a[href$='/receipt.pdf']").await;
    wait_for_xpath(client, &format!("//a[normalize-space()='{LETTER}']")).await;
    id_in_path(client, "/dossiers/").await
}
