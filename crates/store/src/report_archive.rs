//! The report archive: the periodic reports the background job writes and those people
//! generate on demand, each kept as three files (PDF, DOCX, XLSX) in the blob store.
//!
//! A scheduled report is written once per (kind, period start) however many nodes run the
//! job: the job claims the run (`jobs::claim`) before it renders, and a partial unique
//! index refuses a second scheduled row anyway, so [`record`] answers `None` then.

use crate::audit::{self, Change, Origin};
use crate::blobs::{self, StoredBlob};
use crate::db::Db;
use crate::error::StoreResult;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use vanphong_core::ids::UserId;
use vanphong_core::report::{Period, PeriodKind};

/// A report to put into the archive; its files are already in the blob store.
#[derive(Clone, Debug)]
pub struct NewArchivedReport {
    pub period: Period,
    pub title: String,
    /// None for the scheduled job.
    pub generated_by: Option<UserId>,
    pub pdf: StoredBlob,
    pub docx: StoredBlob,
    pub xlsx: StoredBlob,
}

/// A report in the archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchivedReport {
    pub id: i64,
    pub kind: PeriodKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub title: String,
    pub generated_at: DateTime<Utc>,
    pub generated_by: Option<UserId>,
    /// The generating user's full name, when a person generated it.
    pub generated_by_name: Option<String>,
    pub pdf_sha256: String,
    pub docx_sha256: String,
    pub xlsx_sha256: String,
}

/// Which reports a list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArchiveFilter {
    pub kind: Option<PeriodKind>,
    /// Reports whose period starts in this year.
    pub year: Option<i32>,
}

/// Records a generated report with its three blobs and its audit event, in one
/// transaction. `None` when it is a scheduled report that another node already recorded.
pub async fn record(
    db: &Db,
    origin: &Origin,
    report: &NewArchivedReport,
) -> StoreResult<Option<i64>> {
    let mut tx = db.begin().await?;
    for blob in [&report.pdf, &report.docx, &report.xlsx] {
        blobs::record(&mut tx, blob).await?;
    }
    let generated_at = crate::now();
    let id: Option<i64> = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO report_archive (period_kind, period_start, period_end, title, generated_at, \
             generated_by, pdf_sha256, docx_sha256, xlsx_sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(report.period.kind.code())
        .bind(report.period.start)
        .bind(report.period.end)
        .bind(&report.title)
        .bind(generated_at)
        .bind(report.generated_by.map(|u| u.0))
        .bind(&report.pdf.sha256)
        .bind(&report.docx.sha256)
        .bind(&report.xlsx.sha256)
        .fetch_optional(&mut *conn)
        .await?
    });
    let Some(id) = id else {
        tx.rollback().await?;
        return Ok(None);
    };
    audit::append(
        &mut tx,
        origin,
        Change {
            action: "report.generate",
            object_kind: "report",
            object_id: id.to_string(),
            before: None,
            after: Some(json!({
                "kind": report.period.kind.code(),
                "start": report.period.start.to_string(),
                "end": report.period.end.to_string(),
                "title": report.title,
                "scheduled": report.generated_by.is_none(),
                "pdf": report.pdf.sha256,
                "docx": report.docx.sha256,
                "xlsx": report.xlsx.sha256,
            })),
            details: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

type Row = (
    i64,
    String,
    NaiveDate,
    NaiveDate,
    String,
    DateTime<Utc>,
    Option<i64>,
    Option<String>,
    String,
    String,
    String,
);

const SELECT: &str = "SELECT r.id, r.period_kind, r.period_start, r.period_end, r.title, \
     r.generated_at, r.generated_by, u.full_name, r.pdf_sha256, r.docx_sha256, r.xlsx_sha256 \
     FROM report_archive r LEFT JOIN users u ON u.id = r.generated_by";

fn from_row(row: Row) -> ArchivedReport {
    ArchivedReport {
        id: row.0,
        kind: PeriodKind::parse(&row.1).unwrap_or(PeriodKind::Custom),
        start: row.2,
        end: row.3,
        title: row.4,
        generated_at: row.5,
        generated_by: row.6.map(UserId),
        generated_by_name: row.7,
        pdf_sha256: row.8,
        docx_sha256: row.9,
        xlsx_sha256: row.10,
    }
}

/// The condition of a filter, with its parameters from `$1`.
fn condition(filter: &ArchiveFilter) -> (String, Option<String>, Option<(NaiveDate, NaiveDate)>) {
    let mut parts = vec!["1 = 1".to_owned()];
    let mut next = 1;
    let kind = filter.kind.map(|k| {
        parts.push(format!("r.period_kind = ${next}"));
        next += 1;
        k.code().to_owned()
    });
    let year = filter.year.and_then(|y| {
        let from = NaiveDate::from_ymd_opt(y, 1, 1)?;
        let to = NaiveDate::from_ymd_opt(y, 12, 31)?;
        parts.push(format!(
            "r.period_start >= ${next} AND r.period_start <= ${}",
            next + 1
        ));
        Some((from, to))
    });
    (parts.join(" AND "), kind, year)
}

/// A page of the archive, newest period first, and the number of reports the filter finds.
pub async fn list(
    db: &Db,
    filter: &ArchiveFilter,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<ArchivedReport>, i64)> {
    let (condition, kind, year) = condition(filter);
    let page_sql = format!(
        "{SELECT} WHERE {condition} ORDER BY r.period_start DESC, r.id DESC LIMIT {} OFFSET {}",
        limit.clamp(0, 100_000),
        offset.max(0)
    );
    let count_sql = format!("SELECT COUNT(*) FROM report_archive r WHERE {condition}");
    let (rows, total): (Vec<Row>, i64) = on_pool!(db, pool => {
        let mut page = sqlx::query_as::<_, Row>(&page_sql);
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        if let Some(kind) = &kind {
            page = page.bind(kind.clone());
            count = count.bind(kind.clone());
        }
        if let Some((from, to)) = year {
            page = page.bind(from).bind(to);
            count = count.bind(from).bind(to);
        }
        (page.fetch_all(pool).await?, count.fetch_one(pool).await?)
    });
    Ok((rows.into_iter().map(from_row).collect(), total))
}

/// One report of the archive.
pub async fn get(db: &Db, id: i64) -> StoreResult<ArchivedReport> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    let row: Row = on_pool!(db, pool => {
        sqlx::query_as::<_, Row>(&sql).bind(id).fetch_one(pool).await?
    });
    Ok(from_row(row))
}

/// The years in which archived periods start, newest first (for the filter).
pub async fn years(db: &Db) -> StoreResult<Vec<i32>> {
    let starts: Vec<NaiveDate> = on_pool!(db, pool => {
        sqlx::query_scalar("SELECT DISTINCT period_start FROM report_archive")
            .fetch_all(pool)
            .await?
    });
    let mut years: Vec<i32> = starts.iter().map(chrono::Datelike::year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    Ok(years)
}
