//! The leader dashboard, live: pending lead work by unit (overdue, due this week), units
//! whose progress notes have gone stale, open hotline cases by status and age, dossiers at
//! risk of being late. Every number is a [`DashboardList`] whose condition the count and
//! the list of records share, so a number and its list always agree.

use super::{bind_bounds, day_start, fetch_records, Bound, DateKind, PageRequest, RecordKind};
use super::{RecordPage, ReportScope, SourceSql};
use crate::db::Db;
use crate::error::StoreResult;
use chrono::{Datelike, Duration, NaiveDate};
use sqlx::Row;
use vanphong_core::calendar::WorkingCalendar;
use vanphong_core::hotline::HotlineAccess;
use vanphong_core::ids::UnitId;

/// Days without a progress note after which an open assignment has gone stale.
pub const STALE_DAYS: i64 = 7;
/// Working days ahead in which a dossier's appointment puts it at risk.
pub const AT_RISK_WORKING_DAYS: i32 = 2;

/// How old an open hotline case is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaseAge {
    /// Received in the last 7 days.
    Week,
    /// 8 to 30 days.
    Month,
    /// More than 30 days.
    Older,
}

impl CaseAge {
    pub const ALL: [CaseAge; 3] = [Self::Week, Self::Month, Self::Older];

    pub fn code(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Month => "month",
            Self::Older => "older",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// The days a dashboard is computed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DashboardDays {
    pub today: NaiveDate,
    /// Sunday of this week.
    pub week_end: NaiveDate,
    /// Today plus [`AT_RISK_WORKING_DAYS`] working days.
    pub at_risk_until: NaiveDate,
}

impl DashboardDays {
    pub fn new(today: NaiveDate, calendar: &WorkingCalendar) -> Self {
        let week_end =
            today + Duration::days(6 - i64::from(today.weekday().num_days_from_monday()));
        let at_risk_until = calendar
            .add_working_days(today, AT_RISK_WORKING_DAYS)
            .unwrap_or(today + Duration::days(i64::from(AT_RISK_WORKING_DAYS)));
        Self {
            today,
            week_end,
            at_risk_until,
        }
    }
}

/// A number of the dashboard, naming the records behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DashboardList {
    /// Open lead assignments (of one unit, or all).
    Pending(Option<UnitId>),
    /// Of those, past their due date.
    Overdue(Option<UnitId>),
    /// Of those, due from today to Sunday.
    DueThisWeek(Option<UnitId>),
    /// Of those with a handler, no progress note for [`STALE_DAYS`] days.
    Stale(Option<UnitId>),
    /// Open hotline cases, of one status and/or one age.
    HotlineOpen {
        status: Option<String>,
        age: Option<CaseAge>,
    },
    /// Open dossiers whose appointment is from today to [`DashboardDays::at_risk_until`].
    DossiersAtRisk,
    /// Open dossiers whose appointment has passed.
    DossiersOverdue,
}

impl DashboardList {
    /// The stable code of the list (for links): `pending`, `overdue`, ...
    pub fn code(&self) -> &'static str {
        match self {
            Self::Pending(_) => "pending",
            Self::Overdue(_) => "overdue",
            Self::DueThisWeek(_) => "due_this_week",
            Self::Stale(_) => "stale",
            Self::HotlineOpen { .. } => "hotline_open",
            Self::DossiersAtRisk => "dossiers_at_risk",
            Self::DossiersOverdue => "dossiers_overdue",
        }
    }

    /// Builds a list from its code and its optional unit, status and age.
    pub fn parse(
        code: &str,
        unit: Option<UnitId>,
        status: Option<String>,
        age: Option<CaseAge>,
    ) -> Option<Self> {
        Some(match code {
            "pending" => Self::Pending(unit),
            "overdue" => Self::Overdue(unit),
            "due_this_week" => Self::DueThisWeek(unit),
            "stale" => Self::Stale(unit),
            "hotline_open" => Self::HotlineOpen { status, age },
            "dossiers_at_risk" => Self::DossiersAtRisk,
            "dossiers_overdue" => Self::DossiersOverdue,
            _ => return None,
        })
    }

    /// The list's source, its base condition (every record of its kind the dashboard
    /// counts) and what this list adds to it, with the days as `?name` tokens
    /// ([`positional`] numbers them); `None` when the reader may not see such records (the
    /// hotline for readers with no part in it).
    fn parts(&self, scope: &ReportScope) -> Option<(SourceSql, String, String)> {
        match self {
            Self::Pending(unit)
            | Self::Overdue(unit)
            | Self::DueThisWeek(unit)
            | Self::Stale(unit) => {
                let mut extra = work_extra(self).to_owned();
                if let Some(unit) = unit {
                    extra.push_str(&format!(" AND a.unit_id = {}", unit.0));
                }
                Some((work_source(), work_base(scope), extra))
            }
            Self::HotlineOpen { status, age } => {
                let base = hotline_base(scope)?;
                let mut extra = String::from("1 = 1");
                if let Some(status) = status {
                    // Status codes are checked against the known ones, then written in.
                    if vanphong_core::hotline::CaseStatus::parse(status).is_err() {
                        extra.push_str(" AND 1 = 0");
                    } else {
                        extra.push_str(&format!(" AND c.status = '{status}'"));
                    }
                }
                if let Some(age) = age {
                    extra.push_str(" AND ");
                    extra.push_str(age_condition(*age));
                }
                Some((
                    SourceSql {
                        from: "hotline_cases c LEFT JOIN admin_areas u ON u.id = c.province_id"
                            .into(),
                        count_from: "hotline_cases c".into(),
                        date: "c.received_at",
                        date_kind: DateKind::Moment,
                        base: String::new(),
                        columns:
                            "c.id, c.kind, c.title, c.received_at, COALESCE(u.name, ''), c.status",
                        order: "c.received_at, c.id",
                        record_kind: RecordKind::HotlineCase,
                    },
                    base,
                    extra,
                ))
            }
            Self::DossiersAtRisk | Self::DossiersOverdue => Some((
                SourceSql {
                    from: "dossiers d JOIN procedure_versions v ON v.id = d.procedure_version_id \
                           LEFT JOIN units u ON u.id = d.handling_unit_id"
                        .into(),
                    count_from: "dossiers d".into(),
                    date: "d.due_date",
                    date_kind: DateKind::Day,
                    base: String::new(),
                    columns: "d.id, d.code, v.name, d.due_date, COALESCE(u.name, ''), CAST(d.status AS TEXT)",
                    order: "d.due_date, d.id",
                    record_kind: RecordKind::Dossier,
                },
                dossier_base(scope),
                dossier_extra(self).to_owned(),
            )),
        }
    }

    /// The list's source and full condition with its bound values.
    fn sql(
        &self,
        scope: &ReportScope,
        days: &DashboardDays,
    ) -> Option<(SourceSql, String, Vec<Bound>)> {
        let (source, base, extra) = self.parts(scope)?;
        let (condition, binds) = positional(&format!("{base} AND ({extra})"), days);
        Some((source, condition, binds))
    }
}

/// The days a dashboard condition names, as `?name` tokens.
fn day_bound(name: &str, days: &DashboardDays) -> Option<Bound> {
    Some(match name {
        "today" => Bound::Day(days.today),
        "week_end" => Bound::Day(days.week_end),
        "at_risk_until" => Bound::Day(days.at_risk_until),
        "stale_before" => Bound::Moment(day_start(days.today - Duration::days(STALE_DAYS))),
        "week_ago" => Bound::Moment(day_start(days.today - Duration::days(6))),
        "month_ago" => Bound::Moment(day_start(days.today - Duration::days(29))),
        _ => return None,
    })
}

/// Replaces the `?name` tokens of `condition` by `$1`, `$2`, ... (one number per name, in
/// the order they first appear) and gives the values to bind in that order.
fn positional(condition: &str, days: &DashboardDays) -> (String, Vec<Bound>) {
    let mut names: Vec<String> = Vec::new();
    let mut binds = Vec::new();
    let mut out = String::with_capacity(condition.len());
    let mut rest = condition;
    while let Some(at) = rest.find('?') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..len];
        match day_bound(name, days) {
            Some(bound) => {
                let index = match names.iter().position(|n| n == name) {
                    Some(i) => i,
                    None => {
                        names.push(name.to_owned());
                        binds.push(bound);
                        names.len() - 1
                    }
                };
                out.push_str(&format!("${}", index + 1));
            }
            None => {
                out.push('?');
                out.push_str(name);
            }
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    (out, binds)
}

/// Open lead assignments of documents in the reader's scope, in the reader's units (read
/// from the assignments alone: the documents are checked by id).
fn work_base(scope: &ReportScope) -> String {
    let mut condition = format!(
        "a.role = 'lead' AND a.status IN ('assigned', 'handler_assigned', 'in_progress') AND {}",
        crate::documents::scope_condition_by_id(&scope.documents, "a.document_id")
    );
    if let Some(units) = &scope.documents.units {
        let list: Vec<String> = units.iter().map(|u| u.0.to_string()).collect();
        if list.is_empty() {
            condition.push_str(" AND 1 = 0");
        } else {
            condition.push_str(&format!(" AND a.unit_id IN ({})", list.join(",")));
        }
    }
    condition
}

/// What each list of open work adds to [`work_base`].
fn work_extra(list: &DashboardList) -> &'static str {
    match list {
        DashboardList::Overdue(_) => "a.due_date < ?today",
        DashboardList::DueThisWeek(_) => "a.due_date >= ?today AND a.due_date <= ?week_end",
        DashboardList::Stale(_) => {
            "a.status IN ('handler_assigned', 'in_progress') \
             AND COALESCE(a.last_progress_at, a.assigned_at) < ?stale_before"
        }
        _ => "1 = 1",
    }
}

/// Open hotline cases the reader may see; `None` for a reader with no part in the hotline.
fn hotline_base(scope: &ReportScope) -> Option<String> {
    let access = match scope.hotline {
        HotlineAccess::Operator | HotlineAccess::Leader => "1 = 1".to_owned(),
        HotlineAccess::ProvinceOfficer(p) => format!("c.routed_province_id = {}", p.0),
        HotlineAccess::None => return None,
    };
    Some(format!(
        "c.status IN ('received', 'verifying', 'verified', 'handling', 'handled', 'responded') AND {access}"
    ))
}

fn age_condition(age: CaseAge) -> &'static str {
    match age {
        CaseAge::Week => "c.received_at >= ?week_ago",
        CaseAge::Month => "c.received_at >= ?month_ago AND c.received_at < ?week_ago",
        CaseAge::Older => "c.received_at < ?month_ago",
    }
}

/// Open dossiers the reader may see.
fn dossier_base(scope: &ReportScope) -> String {
    format!(
        "d.status IN (1, 2, 4, 6) AND {}",
        scope.dossiers.condition()
    )
}

fn dossier_extra(list: &DashboardList) -> &'static str {
    match list {
        DashboardList::DossiersAtRisk => "d.due_date >= ?today AND d.due_date <= ?at_risk_until",
        _ => "d.due_date < ?today",
    }
}

fn work_source() -> SourceSql {
    SourceSql {
        from: "assignments a JOIN documents d ON d.id = a.document_id LEFT JOIN units u ON u.id = a.unit_id".into(),
        count_from: "assignments a".into(),
        date: "a.due_date",
        date_kind: DateKind::Day,
        base: String::new(),
        columns: "d.id, COALESCE(d.number_symbol, ''), d.subject, a.due_date, COALESCE(u.name, ''), a.status",
        order: "a.due_date, a.id",
        record_kind: RecordKind::Document,
    }
}

/// One unit's line of pending work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitWork {
    pub unit: UnitId,
    pub name: String,
    pub pending: i64,
    pub overdue: i64,
    pub due_this_week: i64,
    /// Open assignments with no progress note for [`STALE_DAYS`] days.
    pub stale: i64,
}

/// The dashboard as one reader may see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dashboard {
    pub days: DashboardDays,
    /// Units with pending lead work, most pending first.
    pub units: Vec<UnitWork>,
    pub pending: i64,
    pub overdue: i64,
    pub due_this_week: i64,
    pub stale: i64,
    /// Open hotline cases by status code (in the order of the statuses); `None` for a
    /// reader with no part in the hotline.
    pub hotline_by_status: Option<Vec<(String, i64)>>,
    pub hotline_by_age: Option<Vec<(CaseAge, i64)>>,
    pub dossiers_at_risk: i64,
    pub dossiers_overdue: i64,
}

impl Dashboard {
    /// Units whose progress notes have gone stale.
    pub fn stale_units(&self) -> impl Iterator<Item = &UnitWork> {
        self.units.iter().filter(|u| u.stale > 0)
    }
}

/// Counts several lists of one kind in one pass: for each group of `group` (or one row
/// without), the count of each list. The lists share `parts`' source and base condition.
async fn count_lists(
    db: &Db,
    lists: &[DashboardList],
    scope: &ReportScope,
    days: &DashboardDays,
    group: Option<&str>,
) -> StoreResult<Option<Vec<(String, Vec<i64>)>>> {
    let Some((source, base, _)) = lists.first().and_then(|l| l.parts(scope)) else {
        return Ok(None);
    };
    let mut columns = Vec::new();
    for list in lists {
        let Some((_, _, extra)) = list.parts(scope) else {
            return Ok(None);
        };
        columns.push(format!("COUNT(CASE WHEN {extra} THEN 1 END)"));
    }
    let (select, group_by) = match group {
        Some(g) => (format!("CAST({g} AS TEXT), "), format!(" GROUP BY {g}")),
        None => ("'', ".to_owned(), String::new()),
    };
    let (query, binds) = positional(
        &format!(
            "SELECT {select}{} FROM {} WHERE {base}{group_by}",
            columns.join(", "),
            source.count_from
        ),
        days,
    );
    let n = lists.len();
    Ok(Some(on_pool!(db, pool => {
        let raw = bind_bounds!(sqlx::query(&query), &binds).fetch_all(pool).await?;
        let mut rows = Vec::with_capacity(raw.len());
        for row in raw {
            let key = row.try_get::<Option<String>, usize>(0)?.unwrap_or_default();
            let mut counts = Vec::with_capacity(n);
            for i in 0..n {
                counts.push(row.try_get::<i64, usize>(i + 1)?);
            }
            rows.push((key, counts));
        }
        rows
    })))
}

/// The dashboard on `today` for `scope`: three queries, one per kind of record (open
/// work by unit, open hotline cases by status, open dossiers), each counting all of its
/// numbers in one pass, the three at the same time.
pub async fn dashboard(
    db: &Db,
    today: NaiveDate,
    calendar: &WorkingCalendar,
    scope: &ReportScope,
) -> StoreResult<Dashboard> {
    let days = DashboardDays::new(today, calendar);
    let work = [
        DashboardList::Pending(None),
        DashboardList::Overdue(None),
        DashboardList::DueThisWeek(None),
        DashboardList::Stale(None),
    ];
    let mut hotline = vec![DashboardList::HotlineOpen {
        status: None,
        age: None,
    }];
    hotline.extend(CaseAge::ALL.map(|age| DashboardList::HotlineOpen {
        status: None,
        age: Some(age),
    }));
    let dossier_lists = [
        DashboardList::DossiersAtRisk,
        DashboardList::DossiersOverdue,
    ];
    // The three kinds are counted at the same time, each on a connection of its own.
    let (names, work_rows, hotline_rows, dossier_rows) = futures::try_join!(
        crate::org::units(db),
        count_lists(db, &work, scope, &days, Some("a.unit_id")),
        count_lists(db, &hotline, scope, &days, Some("c.status")),
        count_lists(db, &dossier_lists, scope, &days, None),
    )?;
    let mut units: Vec<UnitWork> = Vec::new();
    for (unit, n) in work_rows.unwrap_or_default() {
        let Ok(id) = unit.parse::<i64>() else {
            continue;
        };
        units.push(UnitWork {
            unit: UnitId(id),
            name: names
                .iter()
                .find(|u| u.id.0 == id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            pending: n[0],
            overdue: n[1],
            due_this_week: n[2],
            stale: n[3],
        });
    }
    units.sort_by(|a, b| b.pending.cmp(&a.pending).then_with(|| a.name.cmp(&b.name)));
    let sum = |f: fn(&UnitWork) -> i64| units.iter().map(f).sum::<i64>();
    let (pending, overdue, due_this_week, stale) = (
        sum(|u| u.pending),
        sum(|u| u.overdue),
        sum(|u| u.due_this_week),
        sum(|u| u.stale),
    );

    let (hotline_by_status, hotline_by_age) = match hotline_rows {
        Some(found) => {
            let by_status = vanphong_core::hotline::CaseStatus::ALL
                .iter()
                .filter_map(|s| {
                    found
                        .iter()
                        .find(|(code, _)| code == s.code())
                        .map(|(code, n)| (code.clone(), n[0]))
                })
                .collect();
            let by_age = CaseAge::ALL
                .iter()
                .enumerate()
                .map(|(i, age)| (*age, found.iter().map(|(_, n)| n[i + 1]).sum()))
                .collect();
            (Some(by_status), Some(by_age))
        }
        None => (None, None),
    };

    let dossiers = dossier_rows
        .and_then(|rows| rows.into_iter().next())
        .map(|(_, n)| n)
        .unwrap_or_else(|| vec![0, 0]);
    Ok(Dashboard {
        days,
        units,
        pending,
        overdue,
        due_this_week,
        stale,
        hotline_by_status,
        hotline_by_age,
        dossiers_at_risk: dossiers[0],
        dossiers_overdue: dossiers[1],
    })
}

/// The records behind a dashboard number: the same condition as the number.
pub async fn dashboard_records(
    db: &Db,
    list: &DashboardList,
    today: NaiveDate,
    calendar: &WorkingCalendar,
    scope: &ReportScope,
    page: PageRequest,
) -> StoreResult<RecordPage> {
    let days = DashboardDays::new(today, calendar);
    let Some((sql, condition, binds)) = list.sql(scope, &days) else {
        return Ok(RecordPage {
            total: 0,
            rows: Vec::new(),
        });
    };
    fetch_records(db, &sql, &condition, &binds, page).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_tokens_are_numbered_once_each_in_order_of_appearance() {
        let calendar = WorkingCalendar::for_years(2020..=2021, &Default::default()).unwrap();
        let days = DashboardDays::new(NaiveDate::from_ymd_opt(2020, 12, 16).unwrap(), &calendar);
        let (sql, binds) = positional(
            "a.due_date >= ?today AND a.due_date <= ?week_end AND b < ?today AND c = '?x'",
            &days,
        );
        assert_eq!(
            sql,
            "a.due_date >= $1 AND a.due_date <= $2 AND b < $1 AND c = '?x'"
        );
        assert_eq!(binds.len(), 2);
        assert!(matches!(binds[0], Bound::Day(d) if d == days.today));
        assert!(matches!(binds[1], Bound::Day(d) if d == days.week_end));
    }
}
