//! User accounts and API keys, managed from the command line.

use crate::{password_works, split_row, Installation};
use vanphong_store::{api_keys, on_both_backends, Backend};

async fn operators_add_list_change_and_disable_user_accounts(backend: Backend) {
    let office = Installation::new(backend).await;
    office
        .add_user(
            "vanthu",
            "Nguyễn Thị Thu Hà",
            "records_clerk",
            "mật khẩu đầu tiên",
        )
        .expect_success()
        .expect_stdout("Created user vanthu");
    let listing = office.list_active_users();
    listing.expect_success();
    let row = listing
        .user_row("vanthu")
        .unwrap_or_else(|| panic!("vanthu is not listed:\n{listing}"));
    assert_eq!(
        row[2..].join(" "),
        "Nguyễn Thị Thu Hà active records_clerk",
        "{listing}"
    );
    let db = office.database().await;
    assert!(
        password_works(&db, "vanthu", "mật khẩu đầu tiên").await,
        "the password read from standard input is set"
    );

    office
        .run_with_input(
            &["user", "passwd", "vanthu", "--password-stdin"],
            "mật khẩu thứ hai\n",
        )
        .expect_success()
        .expect_stdout("The password of vanthu was changed");
    assert!(password_works(&db, "vanthu", "mật khẩu thứ hai").await);
    assert!(
        !password_works(&db, "vanthu", "mật khẩu đầu tiên").await,
        "the old password no longer works"
    );

    office
        .run(&["user", "disable", "vanthu"])
        .expect_success()
        .expect_stdout("vanthu is disabled");
    let active = office.list_active_users();
    active.expect_success();
    assert!(
        active.user_row("vanthu").is_none(),
        "a disabled account is not listed without --all:\n{active}"
    );
    let all = office.list_all_users();
    all.expect_success();
    let row = all
        .user_row("vanthu")
        .unwrap_or_else(|| panic!("--all lists disabled accounts:\n{all}"));
    assert_eq!(row[row.len() - 2], "disabled", "{all}");

    office
        .run(&["user", "disable", "nobody"])
        .expect_clean_failure()
        .expect_stderr("nobody");
}

async fn adding_a_user_refuses_taken_names_unknown_roles_and_short_passwords(backend: Backend) {
    let office = Installation::new(backend).await;
    office
        .add_user(
            "vanthu",
            "Nguyễn Thị Thu Hà",
            "records_clerk",
            "mật khẩu đầu tiên",
        )
        .expect_success();
    office
        .add_user("vanthu", "Người khác", "editor", "một mật khẩu khác")
        .expect_clean_failure()
        .expect_stderr("already taken");
    office
        .add_user("thuky", "Lê Văn Ký", "thu_ky", "mật khẩu đủ dài")
        .expect_clean_failure()
        .expect_stderr("unknown role \"thu_ky\"");
    office
        .add_user("ngan", "Trần Văn Ngắn", "editor", "ngắn")
        .expect_clean_failure()
        .expect_stderr("at least 10 characters");
    let all = office.list_all_users();
    all.expect_success();
    let usernames: Vec<String> = all
        .stdout
        .lines()
        .skip(1)
        .map(|l| split_row(l)[1].clone())
        .collect();
    assert_eq!(
        usernames,
        vec!["vanthu"],
        "refused accounts leave nothing behind:\n{all}"
    );
    let db = office.database().await;
    assert!(
        password_works(&db, "vanthu", "mật khẩu đầu tiên").await,
        "the taken name kept its password"
    );
}

async fn adding_a_user_without_a_password_prints_a_generated_one_once(backend: Backend) {
    let office = Installation::new(backend).await;
    let added = office.run(&[
        "user",
        "add",
        "bientap",
        "--full-name",
        "Phan Thị Ngọc Ánh",
        "--role",
        "editor",
    ]);
    added.expect_success();
    let password = added.value_after("Password (shown once):");
    assert!(password.chars().count() >= 10, "{added}");
    assert_eq!(added.stdout.matches(&password).count(), 1, "{added}");
    assert!(
        password_works(&office.database().await, "bientap", &password).await,
        "the printed password is the real one"
    );
    let listing = office.list_all_users();
    assert!(
        !listing.stdout.contains(&password),
        "the password is shown only once:\n{listing}"
    );
}

async fn api_keys_are_created_listed_and_revoked_once(backend: Backend) {
    let office = Installation::new(backend).await;
    office
        .add_user(
            "tichhop",
            "Hệ thống tích hợp",
            "records_clerk",
            "mật khẩu tích hợp",
        )
        .expect_success();
    let name = "Trục liên thông văn bản";
    let created = office.create_api_key("tichhop", name);
    created.expect_success().expect_stdout("acting as tichhop");
    let key = created.value_after("Key (shown once):");
    assert!(key.starts_with("vpk_"), "{created}");
    let id = created
        .value_after("Created API key")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let db = office.database().await;
    let (_, owner) = api_keys::authenticate(&db, &key)
        .await
        .unwrap()
        .expect("the printed key works");
    assert_eq!(owner.username, "tichhop");

    let key_row = |status: &str| {
        let listing = office.run(&["api-key", "list"]);
        listing.expect_success();
        assert!(
            !listing.stdout.contains(&key),
            "the list never shows the key:\n{listing}"
        );
        let row = listing
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id.as_str()));
        let row = row.unwrap_or_else(|| panic!("key {id} is not listed:\n{listing}"));
        assert!(row.contains(name), "{listing}");
        assert_eq!(row.split_whitespace().last(), Some(status), "{listing}");
    };
    key_row("active");

    office
        .run(&["api-key", "revoke", &id])
        .expect_success()
        .expect_stdout(&format!("API key {id} is revoked."));
    assert!(
        api_keys::authenticate(&db, &key).await.unwrap().is_none(),
        "a revoked key no longer works"
    );
    key_row("revoked");
    office
        .run(&["api-key", "revoke", &id])
        .expect_clean_failure()
        .expect_stderr(&format!("there is no live API key number {id}"));
    office
        .create_api_key("nobody", "Khóa lạc")
        .expect_clean_failure()
        .expect_stderr("nobody");
}

on_both_backends!(
    operators_add_list_change_and_disable_user_accounts,
    adding_a_user_refuses_taken_names_unknown_roles_and_short_passwords,
    adding_a_user_without_a_password_prints_a_generated_one_once,
    api_keys_are_created_listed_and_revoked_once,
);
