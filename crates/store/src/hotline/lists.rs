//! Lists of cases with filters and pages, the three counters, and the rows behind the
//! statistics and the monthly province summary. None of these reads the reporters.

use super::{Case, CaseRow, CASE_SELECT};
use crate::db::Db;
use crate::error::StoreResult;
use chrono::{DateTime, NaiveDate, Utc};
use vanphong_core::hotline::{CaseStatus, Channel, PollutionKind};
use vanphong_core::ids::AreaId;

/// What a list shows; every field narrows it.
#[derive(Clone, Debug, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub kind: Option<PollutionKind>,
    /// Where it happened.
    pub province: Option<AreaId>,
    /// Reports that came in on this channel.
    pub channel: Option<Channel>,
    /// Received from and before (UTC moments; the web layer turns Vietnam dates into them).
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub text: Option<String>,
    /// Only cases routed to this province (a province officer's scope).
    pub routed_to: Option<AreaId>,
    /// Only open cases past their due date (as of this date).
    pub overdue_on: Option<NaiveDate>,
}

enum Bind {
    Text(String),
    Int(i64),
    Time(DateTime<Utc>),
    Date(NaiveDate),
}

macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut q = $query;
        for b in $binds {
            q = match b {
                Bind::Text(v) => q.bind(v.clone()),
                Bind::Int(v) => q.bind(*v),
                Bind::Time(v) => q.bind(*v),
                Bind::Date(v) => q.bind(*v),
            };
        }
        q
    }};
}

fn build(filter: &CaseFilter) -> (String, Vec<Bind>) {
    let mut sql = vec!["1 = 1".to_owned()];
    let mut binds = Vec::new();
    let mut push = |condition: &str, bind: Bind, binds: &mut Vec<Bind>| {
        binds.push(bind);
        sql.push(condition.replace('?', &format!("${}", binds.len())));
    };
    if let Some(v) = filter.status {
        push("c.status = ?", Bind::Text(v.code().into()), &mut binds);
    }
    if let Some(v) = filter.kind {
        push("c.kind = ?", Bind::Text(v.code().into()), &mut binds);
    }
    if let Some(v) = filter.province {
        push("c.province_id = ?", Bind::Int(v.0), &mut binds);
    }
    if let Some(v) = filter.routed_to {
        push("c.routed_province_id = ?", Bind::Int(v.0), &mut binds);
    }
    if let Some(v) = filter.channel {
        push(
            "EXISTS (SELECT 1 FROM hotline_reports fr WHERE fr.case_id = c.id AND fr.channel = ?)",
            Bind::Text(v.code().into()),
            &mut binds,
        );
    }
    if let Some(v) = filter.from {
        push("c.received_at >= ?", Bind::Time(v), &mut binds);
    }
    if let Some(v) = filter.until {
        push("c.received_at < ?", Bind::Time(v), &mut binds);
    }
    if let Some(v) = filter.overdue_on {
        push(
            "c.due_date < ? AND c.status NOT IN ('responded', 'closed', 'not_competent', 'rejected', 'duplicate')",
            Bind::Date(v),
            &mut binds,
        );
    }
    if let Some(text) = &filter.text {
        for word in vanphong_core::text::fold(text).split_whitespace().take(8) {
            let escaped = word.replace(['\\', '%', '_'], "");
            if !escaped.is_empty() {
                push(
                    "EXISTS (SELECT 1 FROM hotline_reports tr WHERE tr.case_id = c.id AND tr.search_key LIKE ?)",
                    Bind::Text(format!("%{escaped}%")),
                    &mut binds,
                );
            }
        }
    }
    (sql.join(" AND "), binds)
}

/// A page of cases, newest first: `offset` skipped, at most `limit`.
pub async fn cases(
    db: &Db,
    filter: &CaseFilter,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<Case>> {
    let (condition, binds) = build(filter);
    let sql = format!(
        "{CASE_SELECT} WHERE {condition} ORDER BY c.received_at DESC, c.id DESC LIMIT {} OFFSET {}",
        limit.clamp(1, 100_000),
        offset.max(0)
    );
    let rows: Vec<CaseRow> = on_pool!(db, pool => {
        bind_all!(sqlx::query_as::<_, CaseRow>(&sql), &binds).fetch_all(pool).await?
    });
    rows.into_iter().map(TryInto::try_into).collect()
}

pub async fn count(db: &Db, filter: &CaseFilter) -> StoreResult<i64> {
    let (condition, binds) = build(filter);
    let sql = format!("SELECT COUNT(*) FROM hotline_cases c WHERE {condition}");
    Ok(on_pool!(db, pool => {
        bind_all!(sqlx::query_scalar::<_, i64>(&sql), &binds).fetch_one(pool).await?
    }))
}

/// [`count`], stopping at `cap`: a page says "more than 2000" rather than read a million
/// cases to count them (an uncapped count of 1,000,000 cases took about 100 ms on
/// PostgreSQL, the whole of the list page's time).
pub async fn count_up_to(db: &Db, filter: &CaseFilter, cap: i64) -> StoreResult<i64> {
    let (condition, binds) = build(filter);
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM hotline_cases c WHERE {condition} LIMIT {}) AS capped",
        cap.max(1)
    );
    Ok(on_pool!(db, pool => {
        bind_all!(sqlx::query_scalar::<_, i64>(&sql), &binds).fetch_one(pool).await?
    }))
}

/// The three counters the ministry reports, taken from the steps made in a period:
/// how many cases were verified, handled, and answered to the reporter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub received: i64,
    pub verified: i64,
    pub handled: i64,
    pub responded: i64,
}

/// The counters for steps taken from `from` until before `until`, optionally only for
/// cases routed to one province.
pub async fn counters(
    db: &Db,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    routed_to: Option<AreaId>,
) -> StoreResult<Counters> {
    let rows: Vec<(String, i64)> = on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT s.to_status, COUNT(DISTINCT s.case_id) FROM hotline_steps s JOIN hotline_cases c ON c.id = s.case_id \
             WHERE s.at >= $1 AND s.at < $2 AND (s.from_status IS NULL OR s.from_status <> s.to_status) \
             AND s.to_status IN ('received', 'verified', 'handled', 'responded') \
             AND ($3 IS NULL OR c.routed_province_id = $3) GROUP BY s.to_status",
        )
        .bind(from)
        .bind(until)
        .bind(routed_to.map(|p| p.0))
        .fetch_all(pool)
        .await?
    });
    let mut counters = Counters::default();
    for (status, n) in rows {
        match status.as_str() {
            "received" => counters.received = n,
            "verified" => counters.verified = n,
            "handled" => counters.handled = n,
            "responded" => counters.responded = n,
            _ => {}
        }
    }
    Ok(counters)
}

/// One case's facts for the statistics: no text, no reporter.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct CaseFact {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub province_id: Option<i64>,
    pub province_name: Option<String>,
    pub routed_province_id: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub received_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    pub handled_at: Option<DateTime<Utc>>,
    pub responded_at: Option<DateTime<Utc>>,
    pub due_date: NaiveDate,
}

/// The facts of cases received in a period (merged duplicates left out: they are counted
/// in the case they joined).
pub async fn case_facts(
    db: &Db,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    routed_to: Option<AreaId>,
) -> StoreResult<Vec<CaseFact>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT c.id, c.kind, c.status, c.province_id, a.name AS province_name, c.routed_province_id, c.latitude, \
             c.longitude, c.received_at, c.verified_at, c.handled_at, c.responded_at, c.due_date \
             FROM hotline_cases c LEFT JOIN admin_areas a ON a.id = c.province_id \
             WHERE c.received_at >= $1 AND c.received_at < $2 AND c.status <> 'duplicate' \
             AND ($3 IS NULL OR c.routed_province_id = $3) ORDER BY c.received_at",
        )
        .bind(from)
        .bind(until)
        .bind(routed_to.map(|p| p.0))
        .fetch_all(pool)
        .await?
    }))
}

/// How many reports came in on each channel in a period.
pub async fn reports_by_channel(
    db: &Db,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    routed_to: Option<AreaId>,
) -> StoreResult<Vec<(String, i64)>> {
    Ok(on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT r.channel, COUNT(*) FROM hotline_reports r JOIN hotline_cases c ON c.id = r.case_id \
             WHERE r.received_at >= $1 AND r.received_at < $2 AND ($3 IS NULL OR c.routed_province_id = $3) \
             GROUP BY r.channel ORDER BY r.channel",
        )
        .bind(from)
        .bind(until)
        .bind(routed_to.map(|p| p.0))
        .fetch_all(pool)
        .await?
    }))
}
