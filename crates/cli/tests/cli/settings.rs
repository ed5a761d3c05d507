//! Help, settings and their mistakes, and the schema version checks of `migrate`.

use crate::{vanphong, Installation, Storage};
use vanphong_store::{on_both_backends, Backend};

const STORAGE_VARIABLES: [&str; 3] = [
    "VANPHONG_DATA_DIR",
    "VANPHONG_DATABASE_URL",
    "VANPHONG_BLOB_STORE",
];

#[test]
fn the_main_help_lists_the_commands_and_the_log_variable() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = vanphong(dir.path());
    command.arg("--help");
    let help = crate::run(command);
    help.expect_success();
    for command in [
        "serve", "demo", "migrate", "user", "api-key", "audit", "backup", "restore", "calendar",
    ] {
        assert!(
            help.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(command)),
            "{command} is missing:\n{help}"
        );
    }
    help.expect_stdout("VANPHONG_LOG");
}

#[test]
fn serve_help_names_the_environment_variable_of_every_setting() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = vanphong(dir.path());
    command.args(["serve", "--help"]);
    let help = crate::run(command);
    help.expect_success();
    for variable in STORAGE_VARIABLES
        .into_iter()
        .chain(["VANPHONG_LISTEN", "VANPHONG_LOG"])
    {
        help.expect_stdout(variable);
    }
}

#[test]
fn storage_commands_name_the_storage_variables_in_their_help() {
    let dir = tempfile::tempdir().unwrap();
    for subcommand in [
        ["migrate", "--help"],
        ["user", "--help"],
        ["backup", "--help"],
    ] {
        let mut command = vanphong(dir.path());
        command.args(subcommand);
        let help = crate::run(command);
        help.expect_success();
        for variable in STORAGE_VARIABLES {
            help.expect_stdout(variable);
        }
    }
}

#[test]
fn an_unreachable_database_is_named_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = vanphong(dir.path());
    // Port 1 refuses connections; the pool gives up after its acquire timeout (5 s).
    command.args([
        "migrate",
        "--database-url",
        "postgres://vanphong:secret@127.0.0.1:1/nothing",
        "--db-connections",
        "1",
    ]);
    let outcome = crate::run(command);
    outcome
        .expect_clean_failure()
        .expect_stderr("--database-url")
        .expect_stderr("VANPHONG_DATABASE_URL")
        .expect_stderr("postgres://vanphong:***@127.0.0.1:1/nothing");
    assert!(
        !outcome.stderr.contains("secret"),
        "the password must not be printed:\n{outcome}"
    );
}

#[test]
fn a_database_url_of_an_unknown_kind_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = vanphong(dir.path());
    command.args(["migrate", "--database-url", "mysql://x"]);
    crate::run(command)
        .expect_clean_failure()
        .expect_stderr("--database-url")
        .expect_stderr("mysql://x")
        .expect_stderr("sqlite://")
        .expect_stderr("postgres://");
    assert!(
        !dir.path().join("vanphong-data").exists(),
        "nothing is created for a database that was not opened"
    );
}

#[test]
fn a_malformed_listen_address_is_named_whether_it_comes_from_a_flag_or_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let mut from_flag = vanphong(dir.path());
    from_flag
        .args(["serve", "--listen", "notanaddress", "--data-dir"])
        .arg(dir.path());
    let mut from_environment = vanphong(dir.path());
    from_environment
        .args(["serve", "--data-dir"])
        .arg(dir.path())
        .env("VANPHONG_LISTEN", "notanaddress");
    for command in [from_flag, from_environment] {
        crate::run(command)
            .expect_clean_failure()
            .expect_stderr("--listen")
            .expect_stderr("notanaddress");
    }
    // The address is checked before any storage is touched.
    assert!(!dir
        .path()
        .join(vanphong_store::backup::DATABASE_FILE)
        .exists());
}

async fn migrate_brings_a_fresh_database_to_the_binary_version_and_can_run_again(backend: Backend) {
    let office = Installation::empty_with_embedded_default(backend).await;
    if backend == Backend::Postgres {
        assert_eq!(
            office.test_db.db.database_schema_version().await.unwrap(),
            0,
            "the database starts empty"
        );
    }
    let expected = format!(
        "The database schema is at version {}.",
        office.test_db.db.binary_schema_version()
    );
    office
        .run(&["migrate"])
        .expect_success()
        .expect_stdout(&expected);
    let db = office.database().await;
    assert_eq!(
        db.database_schema_version().await.unwrap(),
        db.binary_schema_version()
    );
    office
        .run(&["migrate"])
        .expect_success()
        .expect_stdout(&expected);
    // The migrated database is usable by the other commands.
    office.list_all_users().expect_success();
}

async fn a_database_written_by_a_newer_binary_is_refused(backend: Backend) {
    let office = Installation::new(backend).await;
    let future = office.test_db.db.binary_schema_version() + 1;
    let checksum = match backend {
        Backend::Sqlite => "x'00'",
        Backend::Postgres => "'\\x00'",
    };
    let insert = format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ({future}, 'from a newer vanphong', TRUE, {checksum}, 0)"
    );
    crate::execute(&office.test_db.db, &insert).await;
    for args in [&["migrate"][..], &["user", "list"]] {
        office
            .run(args)
            .expect_clean_failure()
            .expect_stderr(&format!("version {future}"))
            .expect_stderr("newer than this program")
            .expect_stderr("upgrade vanphong");
    }
    assert_eq!(
        office.test_db.db.database_schema_version().await.unwrap(),
        future,
        "the database was left alone"
    );
}

async fn settings_can_come_from_environment_variables(backend: Backend) {
    let office = Installation::new(backend).await;
    office
        .add_user(
            "vanthu",
            "Nguyễn Thị Thu Hà",
            "records_clerk",
            "mật khẩu đủ dài",
        )
        .expect_success();
    let Storage {
        data_dir,
        database_url,
    } = office.storage.clone();
    let mut command = vanphong(office.scratch_dir());
    command
        .args(["user", "list"])
        .env("VANPHONG_DATA_DIR", &data_dir);
    command.env("VANPHONG_DATABASE_URL", database_url.unwrap());
    let listing = crate::run(command);
    listing.expect_success();
    assert!(listing.user_row("vanthu").is_some(), "{listing}");
}

on_both_backends!(
    migrate_brings_a_fresh_database_to_the_binary_version_and_can_run_again,
    a_database_written_by_a_newer_binary_is_refused,
    settings_can_come_from_environment_variables,
);
