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

    /// The list's source and condition (with its bound values); `None` when the reader
    /// may not see such records (the hotline for readers with no part in it).
    fn sql(
        &self,
        scope: &ReportScope,
        days: &DashboardDays,
    ) -> Option<(SourceSql, String, Vec<Bound>)> {
        match self {
            Self::Pending(unit)
            | Self::Overdue(unit)
            | Self::DueThisWeek(unit)
            | Self::Stale(unit) => {
                let mut condition = work_base(scope);
                let mut binds = Vec::new();
                match self {
                    Self::Overdue(_) => {
                        binds.push(Bound::Day(days.today));
                        condition.push_str(" AND a.due_date < $1");
                    }
                    Self::DueThisWeek(_) => {
                        binds.push(Bound::Day(days.today));
                        binds.push(Bound::Day(days.week_end));
                        condition.push_str(" AND a.due_date >= $1 AND a.due_date <= $2");
                    }
                    Self::Stale(_) => {
                        binds.push(Bound::Moment(day_start(
                            days.today - Duration::days(STALE_DAYS),
                        )));
                        condition.push_str(
                            " AND a.status IN ('handler_assigned', 'in_progress') \
                             AND COALESCE(a.last_progress_at, a.assigned_at) < $1",
                        );
                    }
                    _ => {}
                }
                if let Some(unit) = unit {
                    condition.push_str(&format!(" AND a.unit_id = {}", unit.0));
                }
                Some((work_source(), condition, binds))
            }
            Self::HotlineOpen { status, age } => {
                let hotline = match scope.hotline {
                    HotlineAccess::Operator | HotlineAccess::Leader => "1 = 1".to_owned(),
                    HotlineAccess::ProvinceOfficer(p) => format!("c.routed_province_id = {}", p.0),
                    HotlineAccess::None => return None,
                };
                let mut condition = format!(
                    "c.status IN ('received', 'verifying', 'verified', 'handling', 'handled', 'responded') AND {hotline}"
                );
                let mut binds = Vec::new();
                if let Some(status) = status {
                    // Status codes are checked against the known ones, then written in.
                    if vanphong_core::hotline::CaseStatus::parse(status).is_err() {
                        condition.push_str(" AND 1 = 0");
                    } else {
                        condition.push_str(&format!(" AND c.status = '{status}'"));
                    }
                }
                let week = day_start(days.today - Duration::days(6));
                let month = day_start(days.today - Duration::days(29));
                match age {
                    Some(CaseAge::Week) => {
                        binds.push(Bound::Moment(week));
                        condition.push_str(" AND c.received_at >= $1");
                    }
                    Some(CaseAge::Month) => {
                        binds.push(Bound::Moment(month));
                        binds.push(Bound::Moment(week));
                        condition.push_str(" AND c.received_at >= $1 AND c.received_at < $2");
                    }
                    Some(CaseAge::Older) => {
                        binds.push(Bound::Moment(month));
                        condition.push_str(" AND c.received_at < $1");
                    }
                    None => {}
                }
                Some((
                    SourceSql {
                        from: "hotline_cases c LEFT JOIN admin_areas u ON u.id = c.province_id"
                            .into(),
                        date: "c.received_at",
                        date_kind: DateKind::Moment,
                        base: String::new(),
                        columns:
                            "c.id, c.kind, c.title, c.received_at, COALESCE(u.name, ''), c.status",
                        order: "c.received_at, c.id",
                        record_kind: RecordKind::HotlineCase,
                    },
                    condition,
                    binds,
                ))
            }
            Self::DossiersAtRisk | Self::DossiersOverdue => {
                let mut condition = format!(
                    "d.status IN (1, 2, 4, 6) AND {}",
                    scope.dossiers.condition()
                );
                let binds = if *self == Self::DossiersAtRisk {
                    condition.push_str(" AND d.due_date >= $1 AND d.due_date <= $2");
                    vec![Bound::Day(days.today), Bound::Day(days.at_risk_until)]
                } else {
                    condition.push_str(" AND d.due_date < $1");
                    vec![Bound::Day(days.today)]
                };
                Some((
                    SourceSql {
                        from: "dossiers d JOIN procedure_versions v ON v.id = d.procedure_version_id \
                               LEFT JOIN units u ON u.id = d.handling_unit_id"
                            .into(),
                        date: "d.due_date",
                        date_kind: DateKind::Day,
                        base: String::new(),
                        columns: "d.id, d.code, v.name, d.due_date, COALESCE(u.name, ''), CAST(d.status AS TEXT)",
                        order: "d.due_date, d.id",
                        record_kind: RecordKind::Dossier,
                    },
                    condition,
                    binds,
                ))
            }
        }
    }
}

/// Open lead assignments of documents in the reader's scope, in the reader's units.
fn work_base(scope: &ReportScope) -> String {
    let mut condition = format!(
        "a.role = 'lead' AND a.status IN ('assigned', 'handler_assigned', 'in_progress') AND {}",
        crate::documents::scope_condition(&scope.documents, scope.user)
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

fn work_source() -> SourceSql {
    SourceSql {
        from: "assignments a JOIN documents d ON d.id = a.document_id LEFT JOIN units u ON u.id = a.unit_id".into(),
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

async fn count(
    db: &Db,
    list: &DashboardList,
    scope: &ReportScope,
    days: &DashboardDays,
) -> StoreResult<Option<i64>> {
    let Some((sql, condition, binds)) = list.sql(scope, days) else {
        return Ok(None);
    };
    let query = format!("SELECT COUNT(*) FROM {} WHERE {condition}", sql.from);
    Ok(Some(on_pool!(db, pool => {
        bind_bounds!(sqlx::query_scalar::<_, i64>(&query), &binds).fetch_one(pool).await?
    })))
}

/// Counts of a list grouped by an expression: (group, count).
async fn grouped(
    db: &Db,
    list: &DashboardList,
    scope: &ReportScope,
    days: &DashboardDays,
    group: &str,
) -> StoreResult<Vec<(String, i64)>> {
    let Some((sql, condition, binds)) = list.sql(scope, days) else {
        return Ok(Vec::new());
    };
    let query = format!(
        "SELECT CAST({group} AS TEXT), COUNT(*) FROM {} WHERE {condition} GROUP BY {group}",
        sql.from
    );
    Ok(on_pool!(db, pool => {
        let raw = bind_bounds!(sqlx::query(&query), &binds).fetch_all(pool).await?;
        let mut rows = Vec::with_capacity(raw.len());
        for row in raw {
            rows.push((row.try_get::<Option<String>, usize>(0)?.unwrap_or_default(), row.try_get::<i64, usize>(1)?));
        }
        rows
    }))
}

/// The dashboard on `today` for `scope`.
pub async fn dashboard(
    db: &Db,
    today: NaiveDate,
    calendar: &WorkingCalendar,
    scope: &ReportScope,
) -> StoreResult<Dashboard> {
    let days = DashboardDays::new(today, calendar);
    let mut units: Vec<UnitWork> = Vec::new();
    let lists = [
        DashboardList::Pending(None),
        DashboardList::Overdue(None),
        DashboardList::DueThisWeek(None),
        DashboardList::Stale(None),
    ];
    for (index, list) in lists.iter().enumerate() {
        for (unit, n) in grouped(db, list, scope, &days, "a.unit_id").await? {
            let Ok(id) = unit.parse::<i64>() else {
                continue;
            };
            let line = match units.iter_mut().find(|u| u.unit.0 == id) {
                Some(line) => line,
                None => {
                    units.push(UnitWork {
                        unit: UnitId(id),
                        name: String::new(),
                        pending: 0,
                        overdue: 0,
                        due_this_week: 0,
                        stale: 0,
                    });
                    units.last_mut().expect("just pushed")
                }
            };
            match index {
                0 => line.pending = n,
                1 => line.overdue = n,
                2 => line.due_this_week = n,
                _ => line.stale = n,
            }
        }
    }
    let names = crate::org::units(db).await?;
    for line in &mut units {
        line.name = names
            .iter()
            .find(|u| u.id == line.unit)
            .map(|u| u.name.clone())
            .unwrap_or_default();
    }
    units.sort_by(|a, b| b.pending.cmp(&a.pending).then_with(|| a.name.cmp(&b.name)));
    let sum = |f: fn(&UnitWork) -> i64| units.iter().map(f).sum::<i64>();
    let (pending, overdue, due_this_week, stale) = (
        sum(|u| u.pending),
        sum(|u| u.overdue),
        sum(|u| u.due_this_week),
        sum(|u| u.stale),
    );

    let all_open = DashboardList::HotlineOpen {
        status: None,
        age: None,
    };
    let (hotline_by_status, hotline_by_age) = if all_open.sql(scope, &days).is_some() {
        let found = grouped(db, &all_open, scope, &days, "c.status").await?;
        let by_status = vanphong_core::hotline::CaseStatus::ALL
            .iter()
            .filter_map(|s| {
                found
                    .iter()
                    .find(|(code, _)| code == s.code())
                    .map(|(code, n)| (code.clone(), *n))
            })
            .collect();
        let mut by_age = Vec::new();
        for age in CaseAge::ALL {
            let list = DashboardList::HotlineOpen {
                status: None,
                age: Some(age),
            };
            by_age.push((age, count(db, &list, scope, &days).await?.unwrap_or(0)));
        }
        (Some(by_status), Some(by_age))
    } else {
        (None, None)
    };
    Ok(Dashboard {
        days,
        units,
        pending,
        overdue,
        due_this_week,
        stale,
        hotline_by_status,
        hotline_by_age,
        dossiers_at_risk: count(db, &DashboardList::DossiersAtRisk, scope, &days)
            .await?
            .unwrap_or(0),
        dossiers_overdue: count(db, &DashboardList::DossiersOverdue, scope, &days)
            .await?
            .unwrap_or(0),
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
