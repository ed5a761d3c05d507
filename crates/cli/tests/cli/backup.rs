//! `backup` and `restore` of the embedded default, and their refusal on PostgreSQL.

use crate::{Installation, Storage};
use std::path::{Path, PathBuf};
use vanphong_store::backup::{BLOB_DIR, DATABASE_FILE};
use vanphong_store::{on_both_backends, Backend};

/// The contents of the attached file the tests keep, and its SHA-256, under which the
/// content-addressed blob store files it.
const SCAN: &[u8] = b"scan";
const SCAN_SHA256: &str = "59ad1b2fc74287ded1bba7af67765d23ad4a49f1ae51902cc2ed3f8ebee96cfa";

fn blob_path(blob_root: &Path) -> PathBuf {
    blob_root
        .join("sha256")
        .join(&SCAN_SHA256[0..2])
        .join(&SCAN_SHA256[2..4])
        .join(SCAN_SHA256)
}

/// An office on the embedded default with two accounts, an attached file and a few audit events.
async fn office_with_data(backend: Backend) -> Installation {
    let office = Installation::empty_with_embedded_default(backend).await;
    office
        .add_user(
            "vanthu",
            "Nguyễn Thị Thu Hà",
            "records_clerk",
            "mật khẩu văn thư",
        )
        .expect_success();
    office
        .add_user(
            "lanhdao",
            "Lê Minh Quang",
            "agency_leader",
            "mật khẩu lãnh đạo",
        )
        .expect_success();
    let blob = blob_path(&office.data_dir.join(BLOB_DIR));
    std::fs::create_dir_all(blob.parent().unwrap()).unwrap();
    std::fs::write(&blob, SCAN).unwrap();
    office
}

fn usernames(storage: &Storage) -> Vec<String> {
    let listing = storage.list_all_users();
    listing.expect_success();
    let mut names: Vec<String> = listing
        .stdout
        .lines()
        .skip(1)
        .map(|l| crate::split_row(l)[1].clone())
        .collect();
    names.sort();
    names
}

async fn backup_copies_the_embedded_database_and_files_into_a_new_folder(backend: Backend) {
    let office = office_with_data(backend).await;
    let target = office.scratch_dir().join("backup");
    let target_arg = target.to_str().unwrap();
    if backend == Backend::Postgres {
        office
            .run(&["backup", target_arg])
            .expect_clean_failure()
            .expect_stderr("pg_dump");
        assert!(!target.exists(), "a refused backup writes nothing");
        return;
    }
    office
        .run(&["backup", target_arg])
        .expect_success()
        .expect_stdout("1 files (4 bytes)");
    assert!(target.join(DATABASE_FILE).is_file());
    assert_eq!(
        std::fs::read(blob_path(&target.join(BLOB_DIR))).unwrap(),
        SCAN
    );
    let backup = Storage::embedded(&target);
    assert_eq!(usernames(&backup), vec!["lanhdao", "vanthu"]);

    let written = std::fs::read(target.join(DATABASE_FILE)).unwrap();
    office
        .run(&["backup", target_arg])
        .expect_clean_failure()
        .expect_stderr("not empty");
    let unrelated = office.scratch_dir().join("unrelated");
    std::fs::create_dir(&unrelated).unwrap();
    std::fs::write(unrelated.join("notes.txt"), "giữ nguyên").unwrap();
    office
        .run(&["backup", unrelated.to_str().unwrap()])
        .expect_clean_failure()
        .expect_stderr("not empty");
    assert_eq!(
        std::fs::read(target.join(DATABASE_FILE)).unwrap(),
        written,
        "a refused backup leaves the old one alone"
    );
    assert_eq!(std::fs::read_dir(&unrelated).unwrap().count(), 1);
}

async fn restore_fills_a_new_folder_and_replaces_a_database_only_with_force(backend: Backend) {
    let office = office_with_data(backend).await;
    let source = office.scratch_dir().join("backup");
    let restored = office.scratch_dir().join("restored");
    let restore = |extra: &[&str]| {
        let mut args = vec!["restore", source.to_str().unwrap()];
        args.extend_from_slice(extra);
        Storage::embedded(&restored).run(&args)
    };
    if backend == Backend::Postgres {
        office
            .run(&["restore", source.to_str().unwrap()])
            .expect_clean_failure()
            .expect_stderr("--data-dir")
            .expect_stderr("--database-url");
        return;
    }
    office
        .run(&["backup", source.to_str().unwrap()])
        .expect_success();

    restore(&[]).expect_success().expect_stdout("1 files");
    let restored_office = Storage::embedded(&restored);
    assert_eq!(
        std::fs::read(blob_path(&restored.join(BLOB_DIR))).unwrap(),
        SCAN
    );
    restored_office
        .verify_audit_trail()
        .expect_success()
        .expect_stdout("The audit trail is intact: 2 events checked.");
    assert_eq!(usernames(&restored_office), vec!["lanhdao", "vanthu"]);

    // Work done after the restore must survive a second restore that was not forced.
    restored_office
        .add_user("moi", "Người Mới", "specialist", "mật khẩu người mới")
        .expect_success();
    restore(&[])
        .expect_clean_failure()
        .expect_stderr("already holds a database")
        .expect_stderr("--force");
    assert_eq!(
        usernames(&restored_office),
        vec!["lanhdao", "moi", "vanthu"]
    );

    restore(&["--force"]).expect_success();
    assert_eq!(
        usernames(&restored_office),
        vec!["lanhdao", "vanthu"],
        "--force puts the backup back"
    );
    restored_office
        .verify_audit_trail()
        .expect_success()
        .expect_stdout("The audit trail is intact: 2 events checked.");

    let nowhere = office.scratch_dir().join("no-backup-here");
    Storage::embedded(&office.scratch_dir().join("elsewhere"))
        .run(&["restore", nowhere.to_str().unwrap()])
        .expect_clean_failure()
        .expect_stderr("holds no backup");
}

on_both_backends!(
    backup_copies_the_embedded_database_and_files_into_a_new_folder,
    restore_fills_a_new_folder_and_replaces_a_database_only_with_force,
);
