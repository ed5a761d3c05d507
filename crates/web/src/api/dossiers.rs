//! The procedures and dossiers API: the public catalogue with its versions, the dossiers
//! and their statistics inside the caller's scope, and the writes: receiving a dossier at
//! the desk and taking a step on it (the same checks and parsing as the dossier page).

use super::{ApiQuery, ErrorBody};
use crate::context::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::pages::dossiers::desk::{
    check_components, own_desk, parse_applicant, parse_date, take_step, StepOutcome,
};
use crate::pages::dossiers::{
    dossier_scope, readable, refusal_key, UploadedForm, DOSSIER_EXTENSIONS,
};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use vanphong_core::dossier::Channel;
use vanphong_core::ids::UnitId;
use vanphong_store::blobs;
use vanphong_store::dossiers::lists::{self, DossierFilter, GroupBy};
use vanphong_store::dossiers::procedures;
use vanphong_store::dossiers::Dossier;
use vanphong_store::dossiers::{self, NewDossier, NewFile, Reception};
use vanphong_store::StoreError;

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
    pub fee_paid: bool,
    /// The day the clock stopped, while it is stopped (statuses 5, 6 and 8).
    pub paused_on: Option<NaiveDate>,
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
            fee_paid: d.fee_paid,
            paused_on: d.paused_on,
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

/// A file the caller uploaded to `/api/v1/blobs`, referred to by its digest.
#[derive(Deserialize, ToSchema)]
pub struct DossierFileReference {
    pub sha256: String,
    /// The checklist line (0-based) the file belongs to, on reception.
    pub component: Option<usize>,
}

#[derive(Deserialize, ToSchema)]
pub struct ReceiveDossierRequest {
    pub procedure_id: i64,
    pub applicant_name: String,
    #[serde(default)]
    pub applicant_id_number: String,
    /// 8 to 15 digits; its last four are the check on the public tracking page.
    pub applicant_phone: String,
    #[serde(default)]
    pub applicant_email: String,
    #[serde(default)]
    pub applicant_address: String,
    #[serde(default)]
    pub subject: String,
    /// ISO date, a working day; today when absent.
    pub received_on: Option<String>,
    /// Checklist lines (0-based) handed in on paper.
    #[serde(default)]
    pub provided: Vec<usize>,
    #[serde(default)]
    pub files: Vec<DossierFileReference>,
}

/// Resolves file references: only files this caller uploaded may be attached.
async fn referenced_files(
    state: &AppState,
    ctx: &SignedIn,
    references: &[DossierFileReference],
    errors: &mut Vec<FieldError>,
) -> AppResult<Vec<NewFile>> {
    let mut files = Vec::new();
    for (i, reference) in references.iter().enumerate() {
        match blobs::uploaded_by(&state.db, &reference.sha256, ctx.user().id).await? {
            // A dossier takes documents and scans only, whatever the blob store accepts.
            Some(file_name)
                if !DOSSIER_EXTENSIONS.contains(
                    &file_name
                        .rsplit_once('.')
                        .map(|(_, e)| e.to_lowercase())
                        .unwrap_or_default()
                        .as_str(),
                ) =>
            {
                errors.push(FieldError::new(
                    &format!("files[{i}]"),
                    "error.upload_type_not_allowed",
                ))
            }
            Some(file_name) => files.push(NewFile {
                blob: blobs::metadata(&state.db, &reference.sha256).await?,
                file_name,
                component: reference.component,
            }),
            None => errors.push(FieldError::new(
                &format!("files[{i}]"),
                "form.unknown_value",
            )),
        }
    }
    Ok(files)
}

/// Receives a dossier at the caller's one-stop desk (one-stop officers), with its
/// appointment date. Files are uploaded first to `/api/v1/blobs` and referred to by digest.
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers", request_body = ReceiveDossierRequest,
    responses((status = 201, body = DossierBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn receive_dossier(
    State(state): State<AppState>,
    ctx: SignedIn,
    super::ApiJson(body): super::ApiJson<ReceiveDossierRequest>,
) -> AppResult<(StatusCode, Json<DossierBody>)> {
    let desk = own_desk(&state, &ctx).await?;
    let mut errors = Vec::new();
    let procedure = procedures::list(&state.db, false)
        .await?
        .into_iter()
        .find(|p| p.id == body.procedure_id);
    if procedure.is_none() {
        errors.push(FieldError::new(
            "procedure_id",
            "dossiers.unknown_procedure",
        ));
    }
    let mut form = UploadedForm::default();
    for (k, v) in [
        ("applicant_name", &body.applicant_name),
        ("applicant_id_number", &body.applicant_id_number),
        ("applicant_phone", &body.applicant_phone),
        ("applicant_email", &body.applicant_email),
        ("applicant_address", &body.applicant_address),
        ("subject", &body.subject),
    ] {
        form.fields.insert(k.to_owned(), vec![v.clone()]);
    }
    let applicant = parse_applicant(&form, &mut errors);
    let calendar = state.calendar().await?;
    let received_on = match body.received_on.as_deref().map(parse_date) {
        None => calendar.add_working_days(crate::vietnam_today(), 0).ok(),
        Some(Some(Ok(d))) => Some(d),
        Some(_) => {
            errors.push(FieldError::new("received_on", "form.date_invalid"));
            None
        }
    };
    if let Some(d) = received_on {
        if !calendar.is_working_day(d).unwrap_or(false) {
            errors.push(FieldError::new("received_on", "dossiers.not_working_day"));
        }
    }
    let files = referenced_files(&state, &ctx, &body.files, &mut errors).await?;
    if let Some(p) = &procedure {
        let version = procedures::version(&state.db, p.current_version_id).await?;
        let components = version.components();
        if body
            .provided
            .iter()
            .chain(files.iter().filter_map(|f| f.component.as_ref()))
            .any(|i| *i >= components.len())
        {
            errors.push(FieldError::new("provided", "form.unknown_value"));
        }
        check_components(&components, &body.provided, &files, &mut errors);
    }
    let (Some(procedure), Some(applicant), Some(received_on), true) =
        (procedure, applicant, received_on, errors.is_empty())
    else {
        return Err(AppError::fields(errors));
    };
    let new = NewDossier {
        procedure_id: procedure.id,
        channel: Channel::Counter,
        applicant_name: applicant.name,
        applicant_id_number: applicant.id_number,
        applicant_phone: applicant.phone,
        applicant_email: applicant.email,
        applicant_address: applicant.address,
        subject: applicant.subject,
        submitted_on: received_on,
        provided: body.provided.clone(),
        files,
        reception: Some(Reception {
            unit: desk,
            user: Some(ctx.user().id),
            on: received_on,
        }),
    };
    match dossiers::submit(&state.db, &ctx.origin(), &calendar, &new).await {
        Ok(d) => Ok((StatusCode::CREATED, Json(d.into()))),
        Err(StoreError::Invalid(code)) => Err(AppError::field(
            &code,
            "procedure_id",
            refusal_key(&code).unwrap_or("dossiers.transition_refused"),
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct StepBody {
    pub name: String,
    /// Working days, 1 to 365.
    pub days: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct DossierStepRequest {
    /// `accept`, `route`, `request_supplementation`, `resubmit`, `request_fee_payment`,
    /// `confirm_fee_payment`, `stop`, `resume`, `refuse`, `withdraw`, `apologise`, `finish`,
    /// `attach_result`, `return_result` or `rate`.
    pub action: String,
    /// The dossier's `version` as last read; another is 409 `stale`.
    pub version: i64,
    /// The note, reason or request that goes with the step (required for
    /// `request_supplementation`, `request_fee_payment`, `stop`, `refuse`, `apologise`).
    #[serde(default)]
    pub note: String,
    /// `accept`: the reception date (ISO, a working day); today when absent.
    pub on: Option<String>,
    /// `route`: the handling unit.
    pub unit_id: Option<i64>,
    /// `route`: up to five steps, one after the other.
    #[serde(default)]
    pub steps: Vec<StepBody>,
    /// `apologise`: the new appointment date (ISO).
    pub new_date: Option<String>,
    /// `request_fee_payment`: the amount in đồng; the procedure's fee when absent.
    pub amount: Option<i64>,
    /// `rate`: 1 to 5.
    pub rating: Option<i64>,
    /// `finish`, `attach_result`, `resubmit`: files uploaded first to `/api/v1/blobs`.
    #[serde(default)]
    pub files: Vec<DossierFileReference>,
}

/// The form field that carries the note of each step on the dossier page.
fn note_field(action: &str) -> &'static str {
    match action {
        "request_supplementation" => "supplementation_note",
        "refuse" => "refusal_reason",
        "apologise" => "reason",
        "stop" => "stop_reason",
        "request_fee_payment" => "fee_note",
        _ => "note",
    }
}

/// The API's name for a field of the page's form.
fn api_field(field: &str) -> String {
    if let Some(i) = field.strip_prefix("step_name_") {
        return format!("steps[{i}].name");
    }
    if let Some(i) = field.strip_prefix("step_days_") {
        return format!("steps[{i}].days");
    }
    match field {
        "supplementation_note" | "refusal_reason" | "reason" | "stop_reason" | "fee_note" => {
            "note".to_owned()
        }
        other => other.to_owned(),
    }
}

/// Takes a step on a dossier: the same steps, permissions and checks as the dossier page.
/// 404 outside the caller's scope, 403 when the caller may read but not take this step,
/// 409 `stale` when the version is not the current one and 409 `dossier_transition` (or
/// `dossier_withdrawn`, `rating_not_open`) when the dossier's status does not allow the
/// step, 422 with field messages for bad input.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/steps", tag = "dossiers", params(("id" = i64, Path)),
    request_body = DossierStepRequest,
    responses((status = 200, body = DossierBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn take_dossier_step(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(id): Path<String>,
    super::ApiJson(body): super::ApiJson<DossierStepRequest>,
) -> AppResult<Json<DossierBody>> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let d = readable(&state, &ctx, id).await?;
    let mut errors = Vec::new();
    let files = referenced_files(&state, &ctx, &body.files, &mut errors).await?;
    if !files.is_empty()
        && !matches!(
            body.action.as_str(),
            "finish" | "attach_result" | "resubmit"
        )
    {
        errors.push(FieldError::new("files", "form.unknown_value"));
    }
    if body.steps.len() > 5 {
        errors.push(FieldError::new("steps", "form.too_long"));
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let mut fields: HashMap<String, String> = HashMap::new();
    fields.insert("action".into(), body.action.clone());
    fields.insert("version".into(), body.version.to_string());
    fields.insert(note_field(&body.action).into(), body.note.clone());
    if let Some(on) = &body.on {
        fields.insert("on".into(), on.clone());
    }
    if let Some(unit) = body.unit_id {
        fields.insert("unit_id".into(), unit.to_string());
    }
    for (i, step) in body.steps.iter().enumerate() {
        fields.insert(format!("step_name_{i}"), step.name.clone());
        fields.insert(format!("step_days_{i}"), step.days.to_string());
    }
    if let Some(date) = &body.new_date {
        fields.insert("new_date".into(), date.clone());
    }
    if let Some(amount) = body.amount {
        // Written as digits; a negative amount is refused beside the field.
        fields.insert("amount".into(), amount.to_string());
    }
    if let Some(rating) = body.rating {
        fields.insert("rating".into(), rating.to_string());
    }
    match take_step(&state, &ctx, &d, fields, &files).await? {
        StepOutcome::Done(after) => Ok(Json(after.into())),
        StepOutcome::Refused { code, errors, .. } => match code.as_deref() {
            Some(
                code @ ("stale" | "dossier_transition" | "dossier_withdrawn" | "rating_not_open"),
            ) => Err(AppError::Conflict {
                code: code.to_owned(),
            }),
            _ => Err(AppError::Invalid {
                code: code.unwrap_or_else(|| "validation".to_owned()),
                fields: errors
                    .into_iter()
                    .map(|e| FieldError::new(&api_field(&e.field), &e.key))
                    .collect(),
            }),
        },
    }
}
