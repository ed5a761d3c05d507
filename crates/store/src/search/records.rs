//! What the search sources other than documents share: a kind whose records are one table,
//! whose entries are built from a query over that table, and whose reader's scope is one
//! SQL condition on it. Dossiers ([`super::dossiers`]), hotline cases
//! ([`super::hotline`]) and news articles ([`super::news`]) are such kinds.

use super::{Candidate, Found, Kind, Matches, SearchRequest, VerifyReport, CANDIDATES};
use crate::db::Db;
use crate::documents::lists::Bind;
use crate::error::StoreResult;
use chrono::NaiveDate;
use std::collections::HashMap;

/// A kind of record kept in one table.
pub(crate) struct Source {
    pub kind: Kind,
    /// The table and its alias, e.g. `dossiers d`.
    pub table: &'static str,
    /// The alias's id column, e.g. `d.id`.
    pub id: &'static str,
}

impl Source {
    fn join(&self) -> String {
        format!(
            "JOIN {} ON {} = e.record_id AND e.kind = '{}'",
            self.table,
            self.id,
            self.kind.code()
        )
    }

    /// Records of this kind that have no entry yet, oldest first.
    pub async fn unindexed(&self, db: &Db) -> StoreResult<Vec<i64>> {
        let sql = format!(
            "SELECT {id} FROM {table} WHERE NOT EXISTS \
             (SELECT 1 FROM search_entries e WHERE e.kind = '{kind}' AND e.record_id = {id}) ORDER BY {id}",
            id = self.id,
            table = self.table,
            kind = self.kind.code()
        );
        Ok(on_pool!(db, pool => sqlx::query_scalar(&sql).fetch_all(pool).await?))
    }

    pub async fn all_ids(&self, db: &Db) -> StoreResult<Vec<i64>> {
        let sql = format!("SELECT {} FROM {} ORDER BY 1", self.id, self.table);
        Ok(on_pool!(db, pool => sqlx::query_scalar(&sql).fetch_all(pool).await?))
    }

    /// Entries of this kind whose record is gone.
    pub async fn orphan_entries(&self, db: &Db) -> StoreResult<Vec<i64>> {
        let sql = format!(
            "SELECT e.id FROM search_entries e WHERE e.kind = '{kind}' AND NOT EXISTS \
             (SELECT 1 FROM {table} WHERE {id} = e.record_id)",
            kind = self.kind.code(),
            table = self.table,
            id = self.id
        );
        Ok(on_pool!(db, pool => sqlx::query_scalar(&sql).fetch_all(pool).await?))
    }

    /// Every record against its entry: missing and stale entries.
    pub async fn verify(&self, db: &Db) -> StoreResult<VerifyReport> {
        let ids = self.all_ids(db).await?;
        let count_sql = format!(
            "SELECT COUNT(*) FROM search_entries WHERE kind = '{}'",
            self.kind.code()
        );
        let mut report = VerifyReport {
            records: ids.len() as u64,
            entries: on_pool!(db, pool => sqlx::query_scalar::<_, i64>(&count_sql).fetch_one(pool).await?)
                as u64,
            ..VerifyReport::default()
        };
        for batch in ids.chunks(1000) {
            let mut tx = db.begin().await?;
            let expected = super::entries_of(&mut tx, self.kind, batch).await?;
            let sql = format!(
                "SELECT record_id, title, reference, body, record_date FROM search_entries \
                 WHERE kind = '{}' AND record_id IN ({})",
                self.kind.code(),
                batch
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let stored: Vec<(i64, String, String, String, Option<NaiveDate>)> =
                on_tx!(&mut tx, conn => sqlx::query_as(&sql).fetch_all(&mut *conn).await?);
            tx.commit().await?;
            let stored: HashMap<i64, (String, String, String, Option<NaiveDate>)> = stored
                .into_iter()
                .map(|(id, t, r, b, d)| (id, (t, r, b, d)))
                .collect();
            for entry in expected {
                match stored.get(&entry.record_id) {
                    None => report.missing.push((entry.kind, entry.record_id)),
                    Some((title, reference, body, date)) => {
                        if *title != entry.title
                            || *reference != entry.reference
                            || *body != entry.body
                            || *date != entry.record_date
                        {
                            report.stale.push((entry.kind, entry.record_id));
                        }
                    }
                }
            }
        }
        Ok(report)
    }

    /// The newest [`CANDIDATES`] matches inside `scope` (an SQL condition on the table's
    /// alias, built from our own integers only), within the request's dates and the
    /// [`super::SCANNED`] budget.
    pub async fn candidates(
        &self,
        db: &Db,
        request: &SearchRequest,
        scope: &str,
        matches: Option<&Matches>,
    ) -> StoreResult<Found> {
        let join = self.join();
        let mut condition = format!("e.kind = '{}' AND {scope}", self.kind.code());
        let mut binds = Vec::new();
        if let Some(from) = request.from {
            binds.push(Bind::Date(from));
            condition.push_str(&format!(" AND e.record_date >= ${}", binds.len()));
        }
        if let Some(to) = request.to {
            binds.push(Bind::Date(to));
            condition.push_str(&format!(" AND e.record_date <= ${}", binds.len()));
        }
        let columns = "e.id, e.kind, e.record_date, e.title, e.reference";
        let Some(matches) = matches else {
            let sql = format!(
                "SELECT {columns} FROM search_entries e {join} WHERE {condition} ORDER BY e.id DESC LIMIT {CANDIDATES}"
            );
            let candidates: Vec<Candidate> = on_pool!(db, pool => {
                bind_all!(sqlx::query_as::<_, Candidate>(&sql), &binds).fetch_all(pool).await?
            });
            let more = candidates.len() as i64 >= CANDIDATES;
            return Ok(Found { candidates, more });
        };
        match db {
            Db::Sqlite(pool) => {
                let sql = format!(
                    "SELECT {columns} FROM {{entries}} {join} \
                     WHERE {{range}} AND {condition} ORDER BY {{order}} LIMIT {{limit}}"
                );
                super::sqlite_candidates(
                    pool,
                    &sql,
                    &binds,
                    matches,
                    &[self.kind],
                    request.page_end(),
                )
                .await
            }
            Db::Postgres(pool) => {
                let sql = format!(
                    "SELECT {columns} FROM search_entries e {join} \
                     WHERE {{range}} AND {condition} ORDER BY e.id DESC LIMIT {{limit}}"
                );
                super::postgres_candidates(
                    pool,
                    &sql,
                    &binds,
                    matches,
                    &[self.kind],
                    request.page_end(),
                )
                .await
            }
        }
    }
}
