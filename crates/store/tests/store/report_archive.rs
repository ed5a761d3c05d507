//! The report archive: one scheduled report per (kind, period start), any number on demand,
//! filters by kind and year, newest period first.

use super::*;
use chrono::NaiveDate;
use vanphong_core::report::{Period, PeriodKind};
use vanphong_store::blobs::StoredBlob;
use vanphong_store::report_archive::{self, ArchiveFilter, NewArchivedReport};

fn blob(byte: char, content_type: &str) -> StoredBlob {
    StoredBlob {
        sha256: byte.to_string().repeat(64),
        size: 1000,
        content_type: content_type.into(),
    }
}

fn report(period: Period, by: Option<UserId>) -> NewArchivedReport {
    NewArchivedReport {
        period,
        title: format!("Báo cáo {}", period.start),
        generated_by: by,
        pdf: blob('a', "application/pdf"),
        docx: blob('b', "application/zip"),
        xlsx: blob('c', "application/zip"),
    }
}

async fn a_scheduled_report_is_archived_once_per_period(backend: Backend) {
    let t = TestDb::new(backend).await;
    let db = &t.db;
    let origin = Origin::system();
    let october = Period::month(2026, 10).unwrap();
    let first = report_archive::record(db, &origin, &report(october, None))
        .await
        .unwrap();
    assert!(first.is_some());
    // A second node that got as far as recording the same period adds nothing.
    let second = report_archive::record(db, &origin, &report(october, None))
        .await
        .unwrap();
    assert_eq!(second, None);
    // A person may generate the same period again.
    let user = users::create(
        db,
        &origin,
        new_user("lanhdao", vec![Role::AgencyLeader], None),
    )
    .await
    .unwrap();
    for _ in 0..2 {
        let id = report_archive::record(db, &origin, &report(october, Some(user.id)))
            .await
            .unwrap();
        assert!(id.is_some());
    }
    let quarter = Period::quarter(2025, 4).unwrap();
    report_archive::record(db, &origin, &report(quarter, None))
        .await
        .unwrap()
        .unwrap();
    let (all, total) = report_archive::list(db, &ArchiveFilter::default(), 50, 0)
        .await
        .unwrap();
    assert_eq!(total, 4);
    assert_eq!(all.len(), 4);
    assert_eq!(all[3].start, NaiveDate::from_ymd_opt(2025, 10, 1).unwrap());
    assert_eq!(all[3].end, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
    assert_eq!(all[3].kind, PeriodKind::Quarter);
    assert_eq!(all[0].generated_by_name.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(all[0].pdf_sha256, "a".repeat(64));
    let filter = ArchiveFilter {
        kind: Some(PeriodKind::Month),
        year: Some(2026),
    };
    let (months, total) = report_archive::list(db, &filter, 2, 1).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(months.len(), 2, "the page after the first");
    let (none, total) = report_archive::list(
        db,
        &ArchiveFilter {
            kind: Some(PeriodKind::Month),
            year: Some(2025),
        },
        50,
        0,
    )
    .await
    .unwrap();
    assert!(none.is_empty() && total == 0);
    assert_eq!(report_archive::years(db).await.unwrap(), [2026, 2025]);
    assert_eq!(report_archive::get(db, all[3].id).await.unwrap(), all[3]);
    assert!(matches!(
        report_archive::get(db, 999_999).await,
        Err(StoreError::NotFound)
    ));
    // The blobs are recorded, so the sweep keeps the files.
    assert!(vanphong_store::blobs::is_recorded(db, &"c".repeat(64))
        .await
        .unwrap());
}

async fn a_failed_job_run_is_given_back_but_a_finished_one_is_not(backend: Backend) {
    let t = TestDb::new(backend).await;
    let db = &t.db;
    assert!(jobs::claim(db, "report.month", "2026-10-01").await.unwrap());
    assert!(!jobs::claim(db, "report.month", "2026-10-01").await.unwrap());
    jobs::release(db, "report.month", "2026-10-01")
        .await
        .unwrap();
    assert!(jobs::claim(db, "report.month", "2026-10-01").await.unwrap());
    jobs::finish(db, "report.month", "2026-10-01")
        .await
        .unwrap();
    jobs::release(db, "report.month", "2026-10-01")
        .await
        .unwrap();
    assert!(!jobs::claim(db, "report.month", "2026-10-01").await.unwrap());
}

on_both_backends!(
    a_scheduled_report_is_archived_once_per_period,
    a_failed_job_run_is_given_back_but_a_finished_one_is_not,
);
