//! The reports API: the review of a period (every figure with the period before, the chart
//! data) and the leader dashboard, inside the caller's scope. Labels come translated into
//! the caller's language; the chart data are the numbers the SVG pictures are drawn from.

use super::ErrorBody;
use crate::context::SignedIn;
use crate::error::{AppError, AppResult};
use crate::i18n::{t, Lang};
use crate::pages::reports::dashboard::list_url;
use crate::pages::reports::review::figure_title;
use crate::pages::reports::{label, period_query, report_scope, PeriodInput};
use crate::AppState;
use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vanphong_core::report::{ChartKind, Period, Value};
use vanphong_store::reports;
use vanphong_store::reports::dashboard::{self, DashboardList};

#[derive(Deserialize, IntoParams)]
pub struct ReviewQuery {
    /// First day (`YYYY-MM-DD`); with `to`. Both absent: this year.
    pub from: Option<String>,
    /// Last day, included.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PeriodBody {
    /// `year`, `quarter`, `month`, `week` or `custom` (a span that is a whole year,
    /// quarter, month or week is recognised as one, and compared with the one before).
    pub kind: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl From<&Period> for PeriodBody {
    fn from(period: &Period) -> Self {
        Self {
            kind: period.kind.code().to_owned(),
            from: period.start,
            to: period.end,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FigureBody {
    pub key: String,
    pub label: String,
    /// `count` or `percent`.
    pub unit: String,
    /// The value in the period; a percent is absent when there was nothing to divide by.
    pub value: Option<f64>,
    pub previous: Option<f64>,
    /// The page listing the records behind the figure (absent for rates).
    pub records_url: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SeriesBody {
    pub label: String,
    pub values: Vec<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct ChartBody {
    pub key: String,
    pub title: String,
    /// `columns`, `bars` or `line`.
    pub kind: String,
    pub percent: bool,
    pub categories: Vec<String>,
    pub series: Vec<SeriesBody>,
}

#[derive(Serialize, ToSchema)]
pub struct SectionBody {
    pub key: String,
    pub title: String,
    pub figures: Vec<FigureBody>,
    pub charts: Vec<ChartBody>,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewBody {
    pub period: PeriodBody,
    pub previous: PeriodBody,
    /// Units whose records the caller may not see: the figures leave them out.
    pub hidden_units: Vec<String>,
    pub sections: Vec<SectionBody>,
}

fn number(value: Value) -> (String, Option<f64>) {
    match value {
        Value::Count(n) => ("count".into(), Some(n as f64)),
        Value::Percent(p) => ("percent".into(), p),
    }
}

/// The period of a query: both dates, or neither (this year). Bad dates and a period that
/// ends before it starts are 422 `invalid_period` with the field named.
fn period_of(query: &ReviewQuery) -> AppResult<Period> {
    let input = PeriodInput {
        from: query.from.clone().unwrap_or_default(),
        to: query.to.clone().unwrap_or_default(),
        ..Default::default()
    };
    input
        .parse(crate::vietnam_today())
        .map_err(|fields| AppError::Invalid {
            code: "invalid_period".into(),
            fields,
        })
}

/// The review of a period compared with the one before: every figure, the chart data.
#[utoipa::path(get, path = "/api/v1/reports/review", tag = "reports", params(ReviewQuery),
    responses((status = 200, body = ReviewBody), (status = 403, body = ErrorBody),
        (status = 422, description = "`invalid_period`: a date is malformed or the period ends before it starts; `fields` names the field", body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<ReviewQuery>,
) -> AppResult<Json<ReviewBody>> {
    let scope = report_scope(&state, &ctx).await?;
    let period = period_of(&query)?;
    let lang = ctx.lang;
    let review = reports::review(&state.db, period, &scope).await?;
    Ok(Json(review_body(lang, &review)))
}

pub fn review_body(lang: Lang, review: &vanphong_core::report::Review) -> ReviewBody {
    let query = period_query(&review.period);
    ReviewBody {
        period: (&review.period).into(),
        previous: (&review.previous).into(),
        hidden_units: review.hidden_units.clone(),
        sections: review
            .sections
            .iter()
            .map(|section| SectionBody {
                key: section.key.to_owned(),
                title: t(lang, &format!("report.section.{}", section.key)).to_owned(),
                figures: section
                    .figures
                    .iter()
                    .map(|figure| {
                        let (unit, value) = number(figure.value);
                        FigureBody {
                            key: figure.key.to_owned(),
                            label: figure_title(lang, figure.key).to_owned(),
                            unit,
                            value,
                            previous: number(figure.previous).1,
                            records_url: figure
                                .has_records
                                .then(|| format!("/reports/records/{}?{query}", figure.key)),
                        }
                    })
                    .collect(),
                charts: section
                    .charts
                    .iter()
                    .map(|chart| ChartBody {
                        key: chart.key.to_owned(),
                        title: t(lang, &format!("report.chart.{}", chart.key)).to_owned(),
                        kind: match chart.kind {
                            ChartKind::Columns => "columns",
                            ChartKind::Bars => "bars",
                            ChartKind::Line => "line",
                        }
                        .to_owned(),
                        percent: chart.percent,
                        categories: chart.categories.iter().map(|c| label(lang, c)).collect(),
                        series: chart
                            .series
                            .iter()
                            .map(|s| SeriesBody {
                                label: label(lang, &s.label),
                                values: s.values.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct CountBody {
    pub count: i64,
    /// The page listing the records behind the number.
    pub records_url: String,
}

fn counted(count: i64, list: DashboardList) -> CountBody {
    CountBody {
        count,
        records_url: list_url(&list),
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnitWorkBody {
    pub unit_id: i64,
    pub unit: String,
    pub pending: CountBody,
    pub overdue: CountBody,
    pub due_this_week: CountBody,
    pub stale: CountBody,
}

#[derive(Serialize, ToSchema)]
pub struct GroupCountBody {
    /// A case status code, or an age (`week`, `month`, `older`).
    pub key: String,
    pub label: String,
    pub count: CountBody,
}

#[derive(Serialize, ToSchema)]
pub struct DashboardBody {
    pub today: NaiveDate,
    pub week_end: NaiveDate,
    pub at_risk_until: NaiveDate,
    pub pending: CountBody,
    pub overdue: CountBody,
    pub due_this_week: CountBody,
    pub stale: CountBody,
    /// Days without a progress note after which work is stale.
    pub stale_days: i64,
    pub units: Vec<UnitWorkBody>,
    /// Absent for callers with no part in the hotline.
    pub hotline_by_status: Option<Vec<GroupCountBody>>,
    pub hotline_by_age: Option<Vec<GroupCountBody>>,
    pub dossiers_at_risk: CountBody,
    pub dossiers_overdue: CountBody,
}

/// The leader dashboard today: pending work by unit, open hotline cases, dossiers at risk.
#[utoipa::path(get, path = "/api/v1/reports/dashboard", tag = "reports",
    responses((status = 200, body = DashboardBody), (status = 403, body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    ctx: SignedIn,
) -> AppResult<Json<DashboardBody>> {
    let scope = report_scope(&state, &ctx).await?;
    let lang = ctx.lang;
    let calendar = state.calendar().await?;
    let board = dashboard::dashboard(&state.db, crate::vietnam_today(), &calendar, &scope).await?;
    Ok(Json(DashboardBody {
        today: board.days.today,
        week_end: board.days.week_end,
        at_risk_until: board.days.at_risk_until,
        pending: counted(board.pending, DashboardList::Pending(None)),
        overdue: counted(board.overdue, DashboardList::Overdue(None)),
        due_this_week: counted(board.due_this_week, DashboardList::DueThisWeek(None)),
        stale: counted(board.stale, DashboardList::Stale(None)),
        stale_days: dashboard::STALE_DAYS,
        units: board
            .units
            .iter()
            .map(|u| UnitWorkBody {
                unit_id: u.unit.0,
                unit: u.name.clone(),
                pending: counted(u.pending, DashboardList::Pending(Some(u.unit))),
                overdue: counted(u.overdue, DashboardList::Overdue(Some(u.unit))),
                due_this_week: counted(u.due_this_week, DashboardList::DueThisWeek(Some(u.unit))),
                stale: counted(u.stale, DashboardList::Stale(Some(u.unit))),
            })
            .collect(),
        hotline_by_status: board.hotline_by_status.as_ref().map(|rows| {
            rows.iter()
                .map(|(status, n)| GroupCountBody {
                    key: status.clone(),
                    label: t(lang, &format!("hotline.status.{status}")).to_owned(),
                    count: counted(
                        *n,
                        DashboardList::HotlineOpen {
                            status: Some(status.clone()),
                            age: None,
                        },
                    ),
                })
                .collect()
        }),
        hotline_by_age: board.hotline_by_age.as_ref().map(|rows| {
            rows.iter()
                .map(|(age, n)| GroupCountBody {
                    key: age.code().to_owned(),
                    label: t(lang, &format!("report.dashboard.age.{}", age.code())).to_owned(),
                    count: counted(
                        *n,
                        DashboardList::HotlineOpen {
                            status: None,
                            age: Some(*age),
                        },
                    ),
                })
                .collect()
        }),
        dossiers_at_risk: counted(board.dossiers_at_risk, DashboardList::DossiersAtRisk),
        dossiers_overdue: counted(board.dossiers_overdue, DashboardList::DossiersOverdue),
    }))
}
