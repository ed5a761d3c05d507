//! The procedures and dossiers API: the public catalogue with its versions, and the
//! dossiers and their statistics inside the caller's scope.

use super::{ApiQuery, ErrorBody};
use crate::context::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::pages::dossiers::{dossier_scope, readable};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vanphong_core::ids::UnitId;
use vanphong_store::dossiers::lists::{self, DossierFilter, GroupBy};
use vanphong_store::dossiers::procedures;
use vanphong_store::dossiers::Dossier;

#[derive(Serialize, ToSchema)]
pub struct ComponentBody {
    pub name: String,
    pub form: String,
    pub required: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ProcedureVersionBody {
    pub id: i64,
    pub seq: i64,
    /// `announced`, `amended` or `abolished`.
    pub change: String,
    pub decision: String,
    pub decision_date: NaiveDate,
    pub name: String,
    pub field: String,
    /// `central`, `provincial`, `district` or `commune`.
    pub level: String,
    pub steps: String,
    pub components: Vec<ComponentBody>,
    pub processing_days: i64,
    pub applicants: String,
    pub implementing_agency: String,
    pub result: String,
    /// In đồng.
    pub fee: i64,
    pub fee_note: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProcedureBody {
    pub id: i64,
    pub code: String,
    pub abolished: bool,
    pub handling_unit_id: Option<i64>,
    pub current: ProcedureVersionBody,
    /// Every version, oldest first (only on the single-procedure endpoint).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<ProcedureVersionBody>,
}

fn version_body(v: procedures::ProcedureVersion) -> ProcedureVersionBody {
    let components = v
        .components()
        .into_iter()
        .map(|c| ComponentBody {
            name: c.name,
            form: c.form,
            required: c.required,
        })
        .collect();
    ProcedureVersionBody {
        id: v.id,
        seq: v.seq,
        change: v.change,
        decision: v.decision,
        decision_date: v.decision_date,
        name: v.name,
        field: v.field,
        level: v.level,
        steps: v.steps,
        components,
        processing_days: v.processing_days,
        applicants: v.applicants,
        implementing_agency: v.implementing_agency,
        result: v.result,
        fee: v.fee,
        fee_note: v.fee_note,
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct ProcedureRequest {
    /// The national code, e.g. `1.010727`.
    pub code: String,
    pub name: String,
    pub field: String,
    /// `central`, `provincial`, `district` or `commune`.
    pub level: String,
    #[serde(default)]
    pub steps: String,
    /// One component a line: `name | form | optional`.
    pub components: String,
    pub processing_days: i64,
    #[serde(default)]
    pub applicants: String,
    #[serde(default)]
    pub implementing_agency: String,
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub fee: i64,
    #[serde(default)]
    pub fee_note: String,
    pub handling_unit_id: Option<i64>,
    /// The announcing decision, `1756/QĐ-BTNMT`.
    pub decision: String,
    /// ISO date.
    pub decision_date: String,
}

/// Announces a new procedure (administrators). A code already in the catalogue is 409.
#[utoipa::path(post, path = "/api/v1/procedures", tag = "dossiers", request_body = ProcedureRequest,
    responses((status = 201, body = ProcedureBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn announce_procedure(
    State(state): State<AppState>,
    ctx: SignedIn,
    super::ApiJson(body): super::ApiJson<ProcedureRequest>,
) -> AppResult<(axum::http::StatusCode, Json<ProcedureBody>)> {
    ctx.authorize_agency(vanphong_core::permission::Action::ManageOrganisation)?;
    let form = crate::pages::dossiers::procedures::ProcedureForm {
        version: 0,
        code: body.code.clone(),
        name: body.name.clone(),
        field: body.field.clone(),
        level: body.level.clone(),
        steps: body.steps.clone(),
        components: body.components.clone(),
        processing_days: body.processing_days.to_string(),
        applicants: body.applicants.clone(),
        implementing_agency: body.implementing_agency.clone(),
        result: body.result.clone(),
        fee: body.fee.to_string(),
        fee_note: body.fee_note.clone(),
        handling_unit_id: body
            .handling_unit_id
            .map(|u| u.to_string())
            .unwrap_or_default(),
        decision: body.decision.clone(),
        decision_date: body.decision_date.clone(),
    };
    let mut errors = Vec::new();
    let code = vanphong_core::dossier::procedure::parse_code(&body.code)
        .map_err(|_| errors.push(FieldError::new("code", "procedures.invalid_code")))
        .ok();
    let content = form.content(&mut errors);
    let decision = form.decision(&mut errors);
    let (Some(code), Some(content), Some(decision), true) =
        (code, content, decision, errors.is_empty())
    else {
        return Err(AppError::fields(errors));
    };
    match procedures::announce(
        &state.db,
        &ctx.origin(),
        &code,
        form.handling_unit(),
        &content,
        &decision,
    )
    .await
    {
        Ok(p) => {
            let v = procedures::version(&state.db, p.current_version_id).await?;
            Ok((
                axum::http::StatusCode::CREATED,
                Json(ProcedureBody {
                    id: p.id,
                    code: p.code,
                    abolished: p.abolished,
                    handling_unit_id: p.handling_unit_id,
                    current: version_body(v),
                    versions: Vec::new(),
                }),
            ))
        }
        Err(e) if e.is_conflict_on("code") => Err(AppError::Conflict {
            code: "duplicate".into(),
        }),
        Err(vanphong_store::StoreError::Database(_)) => {
            Err(AppError::fields(vec![FieldError::new(
                "handling_unit_id",
                "form.unknown_value",
            )]))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProcedureList {
    pub items: Vec<ProcedureBody>,
}

/// The catalogue in force (public), in code order.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "dossiers",
    responses((status = 200, body = ProcedureList)), security(()))]
pub async fn list_procedures(State(state): State<AppState>) -> AppResult<Json<ProcedureList>> {
    let mut items = Vec::new();
    for p in procedures::list(&state.db, false).await? {
        let v = procedures::version(&state.db, p.current_version_id).await?;
        items.push(ProcedureBody {
            id: p.id,
            code: p.code,
            abolished: p.abolished,
            handling_unit_id: p.handling_unit_id,
            current: version_body(v),
            versions: Vec::new(),
        });
    }
    Ok(Json(ProcedureList { items }))
}

/// One procedure with all its versions (public; abolished ones too).
#[utoipa::path(get, path = "/api/v1/procedures/{id}", tag = "dossiers", params(("id" = i64, Path)),
    responses((status = 200, body = ProcedureBody), (status = 404, body = ErrorBody)), security(()))]
pub async fn get_procedure(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<ProcedureBody>> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let p = procedures::get(&state.db, id).await?;
    let versions: Vec<_> = procedures::versions(&state.db, id).await?;
    let current = versions
        .iter()
        .find(|v| v.id == p.current_version_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    Ok(Json(ProcedureBody {
        id: p.id,
        code: p.code,
        abolished: p.abolished,
        handling_unit_id: p.handling_unit_id,
        current: version_body(current),
        versions: versions.into_iter().map(version_body).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct DossierBody {
    pub id: i64,
    /// `000.00.00.G12-201217-0001`.
    pub code: String,
    pub procedure_id: i64,
    /// The procedure version the dossier was received under.
    pub procedure_version_id: i64,
    pub procedure_name: String,
    /// `counter` or `online`.
    pub channel: String,
    /// The national status number, 1 to 10.
    pub status: i64,
    /// The status as a word (`accepted`, `in_progress`, …).
    pub status_code: String,
    pub applicant_name: String,
    pub subject: String,
    pub submitted_on: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub apology_date: Option<NaiveDate>,
    pub handling_unit_id: Option<i64>,
    pub finished_on: Option<NaiveDate>,
    pub returned_on: Option<NaiveDate>,
    /// `early`, `on_time` or `late` once finished.
    pub timeliness: Option<String>,
    pub fee: i64,
    pub rating: Option<i64>,
    pub version: i64,
}

impl From<Dossier> for DossierBody {
    fn from(d: Dossier) -> Self {
        Self {
            id: d.id,
            status_code: d.status().code().to_owned(),
            code: d.code,
            procedure_id: d.procedure_id,
            procedure_version_id: d.procedure_version_id,
            procedure_name: d.procedure_name,
            channel: d.channel,
            status: d.status,
            applicant_name: d.applicant_name,
            subject: d.subject,
            submitted_on: d.submitted_on,
            received_on: d.received_on,
            due_date: d.due_date,
            apology_date: d.apology_date,
            handling_unit_id: d.handling_unit_id,
            finished_on: d.finished_on,
            returned_on: d.returned_on,
            timeliness: d.timeliness,
            fee: d.fee,
            rating: d.rating,
            version: d.version,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct DossierQuery {
    /// National status number 1 to 10.
    pub status: Option<i64>,
    pub procedure_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// `counter` or `online`.
    pub channel: Option<String>,
    /// `early`, `on_time` or `late`.
    pub timeliness: Option<String>,
    /// Submission dates, inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub q: Option<String>,
    /// 1-based.
    pub page: Option<i64>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DossierPage {
    pub items: Vec<DossierBody>,
    /// Counted up to 10,000.
    pub total: i64,
    pub total_is_lower_bound: bool,
    pub page: i64,
}

/// Dossiers inside the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers", params(DossierQuery),
    responses((status = 200, body = DossierPage), (status = 422, body = ErrorBody)))]
pub async fn list_dossiers(
    State(state): State<AppState>,
    ctx: SignedIn,
    ApiQuery(query): ApiQuery<DossierQuery>,
) -> AppResult<Json<DossierPage>> {
    let scope = dossier_scope(&state, &ctx).await?;
    let limit = super::check_limit(query.limit)?;
    let page = query.page.unwrap_or(1);
    if page < 1 {
        return Err(AppError::fields(vec![FieldError::new(
            "page",
            "form.not_a_number",
        )]));
    }
    if let (Some(f), Some(t)) = (query.from, query.to) {
        if t < f {
            return Err(AppError::fields(vec![FieldError::new(
                "to",
                "documents.period_reversed",
            )]));
        }
    }
    let filter = DossierFilter {
        status: query.status,
        procedure_id: query.procedure_id,
        handling_unit: query.unit_id.map(UnitId),
        channel: query.channel.clone(),
        timeliness: query.timeliness.clone(),
        from: query.from,
        to: query.to,
        overdue_on: None,
        text: query
            .q
            .as_deref()
            .map(vanphong_core::text::normalize)
            .map(|q| q.chars().take(200).collect()),
    };
    let items = lists::list(&state.db, &scope, &filter, (page - 1) * limit, limit).await?;
    let cap = 10_000;
    let counted = lists::count_up_to(&state.db, &scope, &filter, cap + 1).await?;
    Ok(Json(DossierPage {
        items: items.into_iter().map(Into::into).collect(),
        total: counted.min(cap),
        total_is_lower_bound: counted > cap,
        page,
    }))
}

/// One dossier the caller may read (404 otherwise).
#[utoipa::path(get, path = "/api/v1/dossiers/{id}", tag = "dossiers", params(("id" = i64, Path)),
    responses((status = 200, body = DossierBody), (status = 404, body = ErrorBody)))]
pub async fn get_dossier(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<DossierBody>> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(Json(readable(&state, &ctx, id).await?.into()))
}

#[derive(Deserialize, IntoParams)]
pub struct StatisticsQuery {
    /// Submission dates, inclusive; default this year to today.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// `procedure` (default), `unit` or `month`.
    pub group: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StatisticsRow {
    /// The procedure code, the unit id or `YYYY-MM`; `total` for the last row.
    pub key: String,
    pub label: String,
    pub submitted: i64,
    pub finished: i64,
    pub early: i64,
    pub on_time: i64,
    pub late: i64,
    /// Early and on time among the finished, in per cent.
    pub on_time_rate: Option<f64>,
    pub refused: i64,
    pub withdrawn: i64,
    pub open: i64,
    pub online: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Statistics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group: String,
    pub rows: Vec<StatisticsRow>,
}

/// Dossiers submitted in a period, by procedure, unit or month, with early / on time / late.
#[utoipa::path(get, path = "/api/v1/dossiers/statistics", tag = "dossiers", params(StatisticsQuery),
    responses((status = 200, body = Statistics), (status = 422, body = ErrorBody)))]
pub async fn statistics(
    State(state): State<AppState>,
    ctx: SignedIn,
    ApiQuery(query): ApiQuery<StatisticsQuery>,
) -> AppResult<Json<Statistics>> {
    let scope = dossier_scope(&state, &ctx).await?;
    let today = crate::vietnam_today();
    let from = query
        .from
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
    let to = query.to.unwrap_or(today);
    if to < from {
        return Err(AppError::fields(vec![FieldError::new(
            "to",
            "documents.period_reversed",
        )]));
    }
    let group = match query.group.as_deref() {
        None => GroupBy::Procedure,
        Some(g) => GroupBy::parse(g).ok_or_else(|| {
            AppError::fields(vec![FieldError::new("group", "form.unknown_value")])
        })?,
    };
    let rows = lists::statistics(&state.db, &scope, from, to, group).await?;
    Ok(Json(Statistics {
        from,
        to,
        group: group.code().to_owned(),
        rows: rows
            .into_iter()
            .map(|r| StatisticsRow {
                on_time_rate: r.on_time_rate(),
                key: r.key,
                label: r.label,
                submitted: r.submitted,
                finished: r.finished,
                early: r.early,
                on_time: r.on_time,
                late: r.late,
                refused: r.refused,
                withdrawn: r.withdrawn,
                open: r.open,
                online: r.online,
            })
            .collect(),
    }))
}
