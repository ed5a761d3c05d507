//! Lists of documents with filters, sorting and pagination, always inside the reader's
//! scope, so lists, counts and exports never include a record the reader could not open;
//! and the inboxes of what waits for each role.

use super::{scope_condition, Document, DOCUMENT_COLUMNS};
use crate::db::Db;
use crate::error::StoreResult;
use chrono::NaiveDate;
use vanphong_core::ids::{UnitId, UserId};
use vanphong_core::permission::ReadScope;

/// What a list shows. Every field narrows the list; `None` leaves it open.
#[derive(Clone, Debug, Default)]
pub struct DocumentFilter {
    /// `incoming` or `outgoing`.
    pub direction: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub type_code: Option<String>,
    pub urgency: Option<i64>,
    pub secrecy: Option<i64>,
    /// Owned by or assigned to this unit.
    pub unit: Option<UnitId>,
    /// The arrival date (incoming) or issue date (outgoing) from and to, inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub due_before: Option<NaiveDate>,
    /// Words of the subject, number and symbol or sender, with or without tone marks.
    pub text: Option<String>,
    /// Only open items whose due date has passed (as of this date).
    pub overdue_on: Option<NaiveDate>,
    /// Put before this leader (an incoming document awaiting instruction, a draft in
    /// review): the inbox's own sections.
    pub leader: Option<UserId>,
    /// Drafted by this user.
    pub drafter: Option<UserId>,
}

/// The order of a list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    DueDate,
}

impl Sort {
    pub fn parse(value: &str) -> Self {
        match value {
            "oldest" => Self::Oldest,
            "due" => Self::DueDate,
            _ => Self::Newest,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::DueDate => "due",
        }
    }
}

/// A value bound to a placeholder of the built condition.
pub(crate) enum Bind {
    Text(String),
    Int(i64),
    Date(NaiveDate),
}

pub(crate) fn build(
    filter: &DocumentFilter,
    scope: &ReadScope,
    user: UserId,
) -> (String, Vec<Bind>) {
    build_within(filter, scope_condition(scope, user))
}

/// [`build`] with the scope's condition already written (e.g.
/// [`super::scope_condition_each`]).
pub(crate) fn build_within(filter: &DocumentFilter, scope: String) -> (String, Vec<Bind>) {
    let mut sql = vec![scope];
    let mut binds = Vec::new();
    let mut push = |condition: &str, bind: Bind, binds: &mut Vec<Bind>| {
        binds.push(bind);
        sql.push(condition.replace('?', &format!("${}", binds.len())));
    };
    if let Some(v) = &filter.direction {
        push("d.direction = ?", Bind::Text(v.clone()), &mut binds);
    }
    if let Some(v) = &filter.status {
        push("d.status = ?", Bind::Text(v.clone()), &mut binds);
    }
    if let Some(v) = &filter.kind {
        push("d.kind = ?", Bind::Text(v.clone()), &mut binds);
    }
    if let Some(v) = &filter.type_code {
        push("d.type_code = ?", Bind::Text(v.clone()), &mut binds);
    }
    if let Some(v) = filter.urgency {
        push("d.urgency = ?", Bind::Int(v), &mut binds);
    }
    if let Some(v) = filter.secrecy {
        push("d.secrecy = ?", Bind::Int(v), &mut binds);
    }
    if let Some(v) = filter.leader {
        push("d.leader_user_id = ?", Bind::Int(v.0), &mut binds);
    }
    if let Some(v) = filter.drafter {
        push("d.drafter_user_id = ?", Bind::Int(v.0), &mut binds);
    }
    if let Some(unit) = filter.unit {
        // Every '?' of one condition is the same placeholder.
        push(
            "(d.owner_unit_id = ? OR EXISTS (SELECT 1 FROM assignments fa WHERE fa.document_id = d.id AND fa.unit_id = ?))",
            Bind::Int(unit.0),
            &mut binds,
        );
    }
    if let Some(v) = filter.from {
        push(
            "COALESCE(d.arrival_date, d.issued_on) >= ?",
            Bind::Date(v),
            &mut binds,
        );
    }
    if let Some(v) = filter.to {
        push(
            "COALESCE(d.arrival_date, d.issued_on) <= ?",
            Bind::Date(v),
            &mut binds,
        );
    }
    if let Some(v) = filter.due_before {
        push("d.due_date <= ?", Bind::Date(v), &mut binds);
    }
    if let Some(v) = filter.overdue_on {
        push(
            "d.due_date < ? AND d.status NOT IN ('done', 'issued', 'recalled')",
            Bind::Date(v),
            &mut binds,
        );
    }
    if let Some(text) = &filter.text {
        for word in vanphong_core::text::fold(text).split_whitespace().take(8) {
            let escaped = word.replace(['\\', '%', '_'], "");
            if !escaped.is_empty() {
                push(
                    "d.search_text LIKE ?",
                    Bind::Text(format!("%{escaped}%")),
                    &mut binds,
                );
            }
        }
    }
    (sql.join(" AND "), binds)
}

macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut q = $query;
        for b in $binds {
            q = match b {
                Bind::Text(v) => q.bind(v.clone()),
                Bind::Int(v) => q.bind(*v),
                Bind::Date(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// The one unit of a reader's scope whose documents a list may walk newest (or oldest)
/// first through `document_access` on SQLite, looking each one up, instead of listing every
/// document of the unit first: the list of a unit's 100,000 documents took 30 ms before the
/// first row (a unit leader's incoming list at a million documents). Only for the filters a
/// walk meets soon; dates, due dates and words narrow through their own indexes.
fn walked_unit(db: &Db, scope: &ReadScope, filter: &DocumentFilter) -> Option<UnitId> {
    match &scope.units {
        Some(units)
            if units.len() == 1
                && db.backend() == crate::Backend::Sqlite
                && filter.leader.is_none()
                && filter.drafter.is_none()
                && filter.unit.is_none()
                && filter.from.is_none()
                && filter.to.is_none()
                && filter.due_before.is_none()
                && filter.overdue_on.is_none()
                && filter.text.is_none() =>
        {
            Some(units[0])
        }
        _ => None,
    }
}

/// The rows of `list` and `count_up_to` for [`walked_unit`]: the unit's access rows joined
/// to their documents in that order (`CROSS JOIN` keeps SQLite's join order), with the
/// clearance and the filter; `{order}` is `x.document_id DESC` or `ASC`.
fn walked_unit_sql(
    unit: UnitId,
    scope: &ReadScope,
    filter: &DocumentFilter,
) -> (String, Vec<Bind>) {
    let (condition, binds) =
        build_within(filter, format!("d.secrecy <= {}", scope.max_secrecy.rank()));
    (
        format!(
            "document_access x CROSS JOIN documents d ON d.id = x.document_id \
             WHERE x.unit_id = {} AND {condition}",
            unit.0
        ),
        binds,
    )
}

/// A page of documents: `offset` rows skipped, at most `limit` returned.
pub async fn list(
    db: &Db,
    scope: &ReadScope,
    user: UserId,
    filter: &DocumentFilter,
    sort: Sort,
    offset: i64,
    limit: i64,
) -> StoreResult<Vec<Document>> {
    if let (Some(unit), Sort::Newest | Sort::Oldest) = (walked_unit(db, scope, filter), sort) {
        let (rows, binds) = walked_unit_sql(unit, scope, filter);
        let order = if sort == Sort::Newest { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM {rows} ORDER BY x.document_id {order} LIMIT {} OFFSET {}",
            limit.clamp(1, 100_000),
            offset.max(0)
        );
        return Ok(on_pool!(db, pool => {
            bind_all!(sqlx::query_as::<_, Document>(&sql), &binds).fetch_all(pool).await?
        }));
    }
    // A person's own documents (put before them, drafted by them) are few: found through
    // their index, then checked against the scope one by one. With the scope's list of the
    // unit's 100,000 documents SQLite read that list first (15-30 ms, three times on every
    // inbox at a million documents).
    let (mut condition, binds) = if filter.leader.is_some() || filter.drafter.is_some() {
        build_within(
            filter,
            super::scope_condition_each(scope, user, db.backend()),
        )
    } else {
        build(filter, scope, user)
    };
    let order = match sort {
        Sort::Newest => "d.id DESC",
        Sort::Oldest => "d.id ASC",
        // Only documents with a due date, soonest first: an order the index can give.
        Sort::DueDate => {
            condition.push_str(" AND d.due_date IS NOT NULL");
            "d.due_date ASC, d.id ASC"
        }
    };
    let sql = format!(
        "SELECT {DOCUMENT_COLUMNS} FROM documents d WHERE {condition} ORDER BY {order} LIMIT {} OFFSET {}",
        limit.clamp(1, 100_000),
        offset.max(0)
    );
    Ok(on_pool!(db, pool => {
        bind_all!(sqlx::query_as::<_, Document>(&sql), &binds).fetch_all(pool).await?
    }))
}

/// How many documents the filter finds inside the scope.
pub async fn count(
    db: &Db,
    scope: &ReadScope,
    user: UserId,
    filter: &DocumentFilter,
) -> StoreResult<i64> {
    count_up_to(db, scope, user, filter, i64::MAX).await
}

/// Like [`count`], but stops at `cap`: a list page says "more than 10,000" rather than
/// counting a million rows on every view.
pub async fn count_up_to(
    db: &Db,
    scope: &ReadScope,
    user: UserId,
    filter: &DocumentFilter,
    cap: i64,
) -> StoreResult<i64> {
    if let (Some(unit), true) = (walked_unit(db, scope, filter), cap < i64::MAX) {
        let (rows, binds) = walked_unit_sql(unit, scope, filter);
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {rows} ORDER BY x.document_id DESC LIMIT {cap}) capped"
        );
        return Ok(on_pool!(db, pool => {
            bind_all!(sqlx::query_scalar::<_, i64>(&sql), &binds).fetch_one(pool).await?
        }));
    }
    let (condition, binds) = build(filter, scope, user);
    let sql = if cap == i64::MAX {
        format!("SELECT COUNT(*) FROM documents d WHERE {condition}")
    } else {
        format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM documents d WHERE {condition} LIMIT {cap}) capped"
        )
    };
    Ok(on_pool!(db, pool => {
        bind_all!(sqlx::query_scalar::<_, i64>(&sql), &binds).fetch_one(pool).await?
    }))
}

/// What waits for a user, by kind of work.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InboxCounts {
    /// Registered incoming documents not yet put before a leader (records clerks).
    pub to_submit: i64,
    /// Documents put before this leader, awaiting an instruction.
    pub awaiting_my_instruction: i64,
    /// Assignments of this user's unit with no handler yet (unit leaders).
    pub to_assign: i64,
    /// Open assignments where this user is the handler.
    pub my_assignments: i64,
    /// Of those, overdue.
    pub my_overdue: i64,
}

/// Counts of the inbox sections for `user` (of `unit`) on `today`.
pub async fn inbox_counts(
    db: &Db,
    user: UserId,
    unit: Option<UnitId>,
    today: NaiveDate,
) -> StoreResult<InboxCounts> {
    let (to_submit, awaiting, to_assign, mine, overdue): (i64, i64, i64, i64, i64) = on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT \
             (SELECT COUNT(*) FROM (SELECT 1 FROM documents WHERE direction = 'incoming' AND status = 'registered' LIMIT 10001) r), \
             (SELECT COUNT(*) FROM documents WHERE direction = 'incoming' AND status = 'awaiting_instruction' AND leader_user_id = $1), \
             (SELECT COUNT(*) FROM assignments WHERE unit_id = $2 AND status = 'assigned'), \
             (SELECT COUNT(*) FROM assignments WHERE handler_user_id = $1 AND status IN ('handler_assigned', 'in_progress')), \
             (SELECT COUNT(*) FROM assignments WHERE handler_user_id = $1 AND status IN ('handler_assigned', 'in_progress') AND due_date < $3)",
        )
        .bind(user.0)
        .bind(unit.map(|u| u.0).unwrap_or(-1))
        .bind(today)
        .fetch_one(pool)
        .await?
    });
    Ok(InboxCounts {
        to_submit,
        awaiting_my_instruction: awaiting,
        to_assign,
        my_assignments: mine,
        my_overdue: overdue,
    })
}

/// Open assignments by filter, for inboxes: those of a unit awaiting a handler, or those
/// handled by a user.
pub async fn open_assignments(
    db: &Db,
    unit_awaiting_handler: Option<UnitId>,
    handler: Option<UserId>,
    limit: i64,
) -> StoreResult<Vec<(super::routing::Assignment, String, Option<String>)>> {
    // Only the sections asked for, each one its index's condition (an `OR` with the
    // absent one's `IS NOT NULL` read every assignment: 100 ms at a million documents).
    let mut sections = Vec::new();
    if let Some(unit) = unit_awaiting_handler {
        sections.push(format!(
            "(a.unit_id = {} AND a.status = 'assigned')",
            unit.0
        ));
    }
    if let Some(user) = handler {
        sections.push(format!(
            "(a.handler_user_id = {} AND a.status IN ('handler_assigned', 'in_progress'))",
            user.0
        ));
    }
    if sections.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT a.id, a.document_id, a.unit_id, un.name AS unit_name, a.role, a.status, a.instruction, a.due_date, \
         a.handler_user_id, hu.full_name AS handler_name, a.assigned_at, a.finished_at, a.result, a.reply_document_id, \
         a.last_progress_at, a.version FROM assignments a JOIN units un ON un.id = a.unit_id \
         LEFT JOIN users hu ON hu.id = a.handler_user_id \
         WHERE {} \
         ORDER BY CASE WHEN a.due_date IS NULL THEN 1 ELSE 0 END, a.due_date, a.id LIMIT $1",
        sections.join(" OR ")
    );
    let rows: Vec<super::routing::Assignment> = on_pool!(db, pool => {
        sqlx::query_as(&sql).bind(limit).fetch_all(pool).await?
    });
    // The documents' subjects and numbers in one query, not one per row.
    let ids: Vec<String> = rows.iter().map(|a| a.document_id.to_string()).collect();
    let documents: std::collections::HashMap<i64, (String, Option<String>)> = if ids.is_empty() {
        Default::default()
    } else {
        let sql = format!(
            "SELECT id, subject, number_symbol FROM documents WHERE id IN ({})",
            ids.join(",")
        );
        let found: Vec<(i64, String, Option<String>)> = on_pool!(db, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        });
        found.into_iter().map(|(id, s, n)| (id, (s, n))).collect()
    };
    Ok(rows
        .into_iter()
        .filter_map(|a| {
            let (subject, number) = documents.get(&a.document_id)?.clone();
            Some((a, subject, number))
        })
        .collect())
}

/// Tracked documents counted by kind and, for voter petitions, by source: (kind, source,
/// received, finished), for arrivals in `year`, inside the scope.
pub async fn tracked_counts(
    db: &Db,
    scope: &ReadScope,
    user: UserId,
    year: i32,
) -> StoreResult<Vec<(String, Option<String>, i64, i64)>> {
    let sql = format!(
        "SELECT d.kind, d.petition_source, COUNT(*), SUM(CASE WHEN d.status = 'done' THEN 1 ELSE 0 END) \
         FROM documents d WHERE d.direction = 'incoming' AND d.kind <> 'ordinary' AND d.arrival_year = $1 AND {} \
         GROUP BY d.kind, d.petition_source ORDER BY d.kind, d.petition_source",
        scope_condition(scope, user)
    );
    Ok(on_pool!(db, pool => {
        sqlx::query_as::<_, (String, Option<String>, i64, i64)>(&sql).bind(i64::from(year)).fetch_all(pool).await?
    }))
}
