//! `search verify` and `search reindex`: documents written around the index (by a bulk
//! loader, or before search existed) are found out, indexed and verified; `migrate`
//! indexes them too.

use crate::{execute, Installation};
use vanphong_store::{on_both_backends, Backend};

async fn write_bare_document(office: &Installation, subject: &str) {
    execute(
        &office.test_db.db,
        &format!(
            "INSERT INTO documents (direction, type_code, subject, status, created_at, updated_at) \
             VALUES ('incoming', 'cong_van', '{subject}', 'registered', '2026-11-29T00:00:00Z', '2026-11-29T00:00:00Z')"
        ),
    )
    .await;
}

async fn search_verify_finds_unindexed_records_and_reindex_fixes_them(backend: Backend) {
    let office = Installation::new(backend).await;
    write_bare_document(&office, "Báo cáo quan trắc sông Nhuệ").await;
    let verification = office.run(&["search", "verify"]);
    assert_eq!(verification.status.code(), Some(1), "{verification}");
    verification.expect_stdout("1 records have no entry: incoming");
    office
        .run(&["search", "reindex"])
        .expect_success()
        .expect_stdout("indexed 1 records")
        .expect_stdout("The search index agrees with the records.");
    office.run(&["search", "verify"]).expect_success();
    write_bare_document(&office, "Kế hoạch kiểm tra").await;
    office.run(&["migrate"]).expect_success();
    office
        .run(&["search", "verify"])
        .expect_success()
        .expect_stdout("2 records, 2 entries");
}

on_both_backends!(search_verify_finds_unindexed_records_and_reindex_fixes_them);
