//! What the public Open311 API may read: reports with their case's status and the
//! responsible agency, and the status history. Never the reporter; the description only
//! where the report came from a public source (press, social media, Open311 itself).

use crate::db::Db;
use crate::error::StoreResult;
use chrono::{DateTime, NaiveDate, Utc};
use vanphong_core::hotline::{CaseStatus, PollutionKind};
use vanphong_core::ids::ReportId;

/// One report as Open311 shows it.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct PublicRequest {
    pub id: i64,
    pub tracking_code: String,
    pub channel: String,
    pub kind: String,
    pub description: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub received_at: DateTime<Utc>,
    pub case_id: i64,
    pub status: String,
    pub updated_at: DateTime<Utc>,
    pub due_date: NaiveDate,
    pub routed_name: Option<String>,
    pub province_name: Option<String>,
    pub commune_name: Option<String>,
    pub last_note: String,
}

const SELECT: &str = "SELECT r.id, r.tracking_code, r.channel, r.kind, r.description, r.address, r.latitude, r.longitude, \
     r.received_at, c.id AS case_id, c.status, c.updated_at, c.due_date, ra.name AS routed_name, pa.name AS province_name, \
     ca.name AS commune_name, \
     c.last_note \
     FROM hotline_reports r JOIN hotline_cases c ON c.id = r.case_id \
     LEFT JOIN admin_areas ra ON ra.id = c.routed_province_id LEFT JOIN admin_areas pa ON pa.id = r.province_id \
     LEFT JOIN admin_areas ca ON ca.id = r.commune_id";

/// The filters of `GET requests`, already checked.
#[derive(Clone, Debug, Default)]
pub struct RequestFilter {
    /// When given, these reports and nothing else (the other filters are ignored).
    pub ids: Option<Vec<i64>>,
    pub kinds: Vec<PollutionKind>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub statuses: Option<Vec<CaseStatus>>,
    pub offset: i64,
    pub limit: i64,
}

enum Bind {
    Int(i64),
    Text(String),
    Time(DateTime<Utc>),
}

/// Reports matching the filter, newest first.
pub async fn requests(db: &Db, filter: &RequestFilter) -> StoreResult<Vec<PublicRequest>> {
    let mut conditions = Vec::new();
    let mut binds = Vec::new();
    let placeholder = |bind: Bind, binds: &mut Vec<Bind>| {
        binds.push(bind);
        format!("${}", binds.len())
    };
    if let Some(ids) = &filter.ids {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = ids
            .iter()
            .map(|id| placeholder(Bind::Int(*id), &mut binds))
            .collect();
        conditions.push(format!("r.id IN ({})", list.join(", ")));
    } else {
        if !filter.kinds.is_empty() {
            let list: Vec<String> = filter
                .kinds
                .iter()
                .map(|k| placeholder(Bind::Text(k.code().into()), &mut binds))
                .collect();
            conditions.push(format!("r.kind IN ({})", list.join(", ")));
        }
        if let Some(from) = filter.from {
            let p = placeholder(Bind::Time(from), &mut binds);
            conditions.push(format!("r.received_at >= {p}"));
        }
        if let Some(until) = filter.until {
            let p = placeholder(Bind::Time(until), &mut binds);
            conditions.push(format!("r.received_at <= {p}"));
        }
        if let Some(statuses) = &filter.statuses {
            let list: Vec<String> = statuses
                .iter()
                .map(|s| placeholder(Bind::Text(s.code().into()), &mut binds))
                .collect();
            conditions.push(format!("c.status IN ({})", list.join(", ")));
        }
    }
    let condition = if conditions.is_empty() {
        "1 = 1".to_owned()
    } else {
        conditions.join(" AND ")
    };
    let sql = format!(
        "{SELECT} WHERE {condition} ORDER BY r.received_at DESC, r.id DESC LIMIT {} OFFSET {}",
        filter.limit.clamp(1, 1000),
        filter.offset.max(0)
    );
    Ok(on_pool!(db, pool => {
        let mut q = sqlx::query_as::<_, PublicRequest>(&sql);
        for b in &binds {
            q = match b {
                Bind::Int(v) => q.bind(*v),
                Bind::Text(v) => q.bind(v.clone()),
                Bind::Time(v) => q.bind(*v),
            };
        }
        q.fetch_all(pool).await?
    }))
}

pub async fn request(db: &Db, id: ReportId) -> StoreResult<Option<PublicRequest>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as::<_, PublicRequest>(&format!("{SELECT} WHERE r.id = $1"))
            .bind(id.0)
            .fetch_optional(pool)
            .await?
    }))
}

/// What `GET requests` answers depend on: the last report and the last step (a new report,
/// a report joining a case, a status change, a merge or a new route each move one of them).
pub async fn stamp(db: &Db) -> StoreResult<(i64, i64)> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT COALESCE((SELECT MAX(id) FROM hotline_reports), 0), COALESCE((SELECT MAX(id) FROM hotline_steps), 0)",
        )
        .fetch_one(pool)
        .await?
    }))
}

/// The report id behind a token (our tokens are the tracking codes).
pub async fn request_for_token(db: &Db, token: &str) -> StoreResult<Option<i64>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_scalar("SELECT id FROM hotline_reports WHERE tracking_code = $1")
            .bind(token)
            .fetch_optional(pool)
            .await?
    }))
}

/// One status change, for the `servicerequestupdates` extension.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PublicUpdate {
    pub update_id: i64,
    pub service_request_id: i64,
    pub status: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// Status changes of the cases of these reports (or of all reports) after `since`,
/// oldest first, at most `limit`.
pub async fn updates(
    db: &Db,
    request_id: Option<i64>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    limit: i64,
) -> StoreResult<Vec<PublicUpdate>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(&format!(
            "SELECT s.id AS update_id, r.id AS service_request_id, s.to_status AS status, s.note, s.at \
             FROM hotline_steps s JOIN hotline_reports r ON r.case_id = s.case_id \
             WHERE ($1 IS NULL OR r.id = $1) AND ($2 IS NULL OR s.at >= $2) AND ($3 IS NULL OR s.at <= $3) \
             AND s.at >= r.received_at ORDER BY s.at, s.id LIMIT {}",
            limit.clamp(1, 1000)
        ))
        .bind(request_id)
        .bind(since)
        .bind(until)
        .fetch_all(pool)
        .await?
    }))
}
