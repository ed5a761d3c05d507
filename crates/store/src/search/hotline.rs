//! The search source for hotline cases: the title, the place, and what its reports say
//! (description, polluter, outlet) with their tracking codes. Never who reported: the
//! reporters' table is not read here. The reader's scope is the case lists' own: every
//! case for operators and leaders, the cases routed to their province for its officers.

use super::records::Source;
use super::{Entry, Found, Kind, Matches, SearchRequest, BODY_MAX_CHARS};
use crate::db::{Db, Tx};
use crate::error::StoreResult;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use vanphong_core::ids::AreaId;

pub(crate) const SOURCE: Source = Source {
    kind: Kind::Hotline,
    table: "hotline_cases c",
    id: "c.id",
};

/// Which hotline cases a reader may find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HotlineScope {
    /// `None`: every case (operators, leaders); otherwise the cases routed to this province.
    pub routed_to: Option<AreaId>,
}

impl HotlineScope {
    fn condition(&self) -> String {
        match self.routed_to {
            None => "1 = 1".into(),
            Some(province) => format!("c.routed_province_id = {}", province.0),
        }
    }
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: i64,
    title: String,
    address: String,
    received_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    case_id: i64,
    tracking_code: String,
    description: String,
    polluter: String,
    outlet: String,
}

pub(crate) async fn entries(tx: &mut Tx, ids: &[i64]) -> StoreResult<Vec<Entry>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT c.id, c.title, c.address, c.received_at FROM hotline_cases c WHERE c.id IN ({list}) ORDER BY c.id"
    );
    let cases: Vec<CaseRow> =
        on_tx!(tx, conn => sqlx::query_as::<_, CaseRow>(&sql).fetch_all(&mut *conn).await?);
    let sql = format!(
        "SELECT case_id, tracking_code, description, polluter, outlet FROM hotline_reports \
         WHERE case_id IN ({list}) ORDER BY case_id, id"
    );
    let reports: Vec<ReportRow> =
        on_tx!(tx, conn => sqlx::query_as::<_, ReportRow>(&sql).fetch_all(&mut *conn).await?);
    let mut by_case: HashMap<i64, Vec<&ReportRow>> = HashMap::new();
    for report in &reports {
        by_case.entry(report.case_id).or_default().push(report);
    }
    let vietnam = crate::vietnam();
    Ok(cases
        .iter()
        .map(|case| {
            let reports = by_case.get(&case.id).map(Vec::as_slice).unwrap_or(&[]);
            let reference = reports
                .iter()
                .map(|r| r.tracking_code.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let mut body: Vec<&str> = vec![&case.address];
            for report in reports {
                body.extend([
                    report.description.as_str(),
                    &report.polluter,
                    &report.outlet,
                ]);
            }
            let body: String = body
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n")
                .chars()
                .take(BODY_MAX_CHARS)
                .collect();
            Entry {
                kind: Kind::Hotline,
                record_id: case.id,
                title: case.title.clone(),
                reference,
                body,
                record_date: Some(case.received_at.with_timezone(&vietnam).date_naive()),
            }
        })
        .collect())
}

/// (Re)indexes hotline cases in the caller's transaction: a new report (new case or joined
/// to one) and a merge call this.
pub async fn index_cases(tx: &mut Tx, ids: &[i64]) -> StoreResult<()> {
    let entries = entries(tx, ids).await?;
    super::write_entries(tx, &entries).await
}

pub(crate) async fn candidates(
    db: &Db,
    scope: &HotlineScope,
    request: &SearchRequest,
    matches: Option<&Matches>,
) -> StoreResult<Found> {
    SOURCE
        .candidates(db, request, &scope.condition(), matches)
        .await
}
