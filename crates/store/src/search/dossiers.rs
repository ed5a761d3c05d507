//! The search source for procedure dossiers: the code, the procedure's name, the subject,
//! the applicant's name and address. The reader's scope is the dossier lists' own
//! (`DossierScope`: received by or handled in a unit of the reader's scope).

use super::records::Source;
use super::{Entry, Found, Kind, Matches, SearchRequest, BODY_MAX_CHARS};
use crate::db::{Db, Tx};
use crate::dossiers::lists::DossierScope;
use crate::error::StoreResult;
use chrono::NaiveDate;

pub(crate) const SOURCE: Source = Source {
    kind: Kind::Dossier,
    table: "dossiers d",
    id: "d.id",
};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    code: String,
    subject: String,
    applicant_name: String,
    applicant_address: String,
    procedure_name: String,
    submitted_on: NaiveDate,
    received_on: Option<NaiveDate>,
}

pub(crate) async fn entries(tx: &mut Tx, ids: &[i64]) -> StoreResult<Vec<Entry>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT d.id, d.code, d.subject, d.applicant_name, d.applicant_address, v.name AS procedure_name, \
         d.submitted_on, d.received_on FROM dossiers d JOIN procedure_versions v ON v.id = d.procedure_version_id \
         WHERE d.id IN ({list}) ORDER BY d.id"
    );
    let rows: Vec<Row> =
        on_tx!(tx, conn => sqlx::query_as::<_, Row>(&sql).fetch_all(&mut *conn).await?);
    Ok(rows
        .into_iter()
        .map(|row| {
            let title = if row.subject.trim().is_empty() {
                row.procedure_name.clone()
            } else {
                row.subject.clone()
            };
            let body: String = [
                row.procedure_name.as_str(),
                &row.applicant_name,
                &row.applicant_address,
            ]
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n")
            .chars()
            .take(BODY_MAX_CHARS)
            .collect();
            Entry {
                kind: Kind::Dossier,
                record_id: row.id,
                title,
                reference: row.code,
                body,
                record_date: Some(row.received_on.unwrap_or(row.submitted_on)),
            }
        })
        .collect())
}

/// (Re)indexes a dossier in the caller's transaction: its submission calls this.
pub async fn index_dossier(tx: &mut Tx, id: i64) -> StoreResult<()> {
    let entries = entries(tx, &[id]).await?;
    super::write_entries(tx, &entries).await
}

pub(crate) async fn candidates(
    db: &Db,
    scope: &DossierScope,
    request: &SearchRequest,
    matches: Option<&Matches>,
) -> StoreResult<Found> {
    SOURCE
        .candidates(db, request, &scope.condition(), matches)
        .await
}
