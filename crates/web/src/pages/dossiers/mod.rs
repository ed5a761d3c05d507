//! Procedure dossiers: the catalogue, the one-stop desk (reception, the queue, the dossier
//! page with its steps, the receipt), the statistics, and the public pages where citizens
//! submit online and follow their dossiers.

pub mod desk;
pub mod procedures;
pub mod public;

use crate::context::RequestContext;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::{t, Lang};
use crate::AppState;
use axum::extract::multipart::Field as MultipartField;
use axum::Router;
use chrono::NaiveDate;
use futures::TryStreamExt;
use std::collections::HashMap;
use vanphong_core::attachment::check_upload;
use vanphong_core::auth::Role;
use vanphong_core::dossier::DossierStatus;
use vanphong_core::ids::UnitId;
use vanphong_core::permission::{self, Action, Target};
use vanphong_core::text;
use vanphong_store::dossiers::lists::{self, DossierScope};
use vanphong_store::dossiers::{self, Dossier, NewFile};
use vanphong_store::{org, StoreError};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(procedures::router())
        .merge(desk::router())
        .merge(public::router())
}

/// The dossiers the signed-in user may read: those received by or handled in a unit of
/// their read scope; one-stop officers also see online submissions waiting for a desk.
pub async fn dossier_scope(state: &AppState, ctx: &RequestContext) -> AppResult<DossierScope> {
    let user = ctx.user().ok_or_else(|| AppError::SignInRequired {
        next: ctx.path.clone(),
    })?;
    let tree = org::unit_tree(&state.db).await?;
    let units: Vec<_> = org::units(&state.db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let scope = permission::read_scope(&user.actor(), Action::ReadRecord, &units, &tree)
        .ok_or(AppError::Forbidden)?;
    Ok(DossierScope {
        units: scope.units,
        unreceived: user.roles.contains(&Role::OneStopOfficer),
    })
}

/// True when the user's roles work with dossiers at all (for the navigation).
pub fn works_with_dossiers(ctx: &RequestContext) -> bool {
    ctx.user().is_some_and(|u| {
        u.roles.iter().any(|r| {
            matches!(
                r,
                Role::OneStopOfficer | Role::AgencyLeader | Role::UnitLeader | Role::Specialist
            )
        })
    })
}

/// Loads a dossier the user may read; outside the scope it is "not found".
pub async fn readable(state: &AppState, ctx: &RequestContext, id: i64) -> AppResult<Dossier> {
    let scope = dossier_scope(state, ctx).await?;
    if !lists::scope_allows(&state.db, &scope, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(dossiers::get(&state.db, id).await?)
}

/// The desk that acts on the dossier: the one that received it, or the officer's own
/// for an online submission no desk has accepted yet.
pub fn desk_unit(ctx: &RequestContext, dossier: &Dossier) -> Option<UnitId> {
    dossier
        .received_unit_id
        .map(UnitId)
        .or_else(|| ctx.user().and_then(|u| u.unit_id))
}

/// May the user act for the one-stop desk on this dossier?
pub async fn may_receive(
    state: &AppState,
    ctx: &RequestContext,
    dossier: &Dossier,
) -> AppResult<bool> {
    let Some(unit) = desk_unit(ctx, dossier) else {
        return Ok(false);
    };
    let tree = org::unit_tree(&state.db).await?;
    Ok(ctx
        .authorize(Action::ReceiveDossier, Target::in_unit(unit), &tree)
        .is_ok())
}

/// May the user act for the handling unit on this dossier?
pub async fn may_handle(
    state: &AppState,
    ctx: &RequestContext,
    dossier: &Dossier,
) -> AppResult<bool> {
    let Some(unit) = dossier.handling_unit_id.map(UnitId) else {
        return Ok(false);
    };
    let tree = org::unit_tree(&state.db).await?;
    Ok(ctx
        .authorize(Action::HandleAssignment, Target::in_unit(unit), &tree)
        .is_ok())
}

/// Who may take a step on a dossier, by the step's name (`None` for an unknown step): the
/// desk receives, routes, returns and records withdrawals and ratings; the handling unit
/// finishes (the desk too when no unit was chosen); either may ask for supplementation or
/// payment, stop and resume, refuse, apologise and add result files. The page and the API
/// both ask here.
pub fn may_take(action: &str, desk: bool, handler: bool, dossier: &Dossier) -> Option<bool> {
    Some(match action {
        "accept" | "route" | "return_result" | "withdraw" | "rate" | "resubmit" => desk,
        "finish" => handler || (desk && dossier.handling_unit_id.is_none()),
        "request_supplementation"
        | "refuse"
        | "apologise"
        | "request_fee_payment"
        | "confirm_fee_payment"
        | "stop"
        | "resume"
        | "attach_result" => desk || handler,
        _ => return None,
    })
}

/// Reads an amount of money as typed (`1.500.000`, `1 500 000`, `1500000 đ`).
pub fn parse_money(value: &str) -> Option<i64> {
    let digits: String = value
        .trim()
        .trim_end_matches('đ')
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | ','))
        .collect();
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

pub fn status_label(lang: Lang, status: DossierStatus) -> &'static str {
    t(lang, &format!("dossier_status.{}", status.code()))
}

pub fn timeliness_label(lang: Lang, code: Option<&str>) -> &'static str {
    match code {
        Some(c) => t(lang, &format!("timeliness.{c}")),
        None => "",
    }
}

pub fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

pub fn money(amount: i64) -> String {
    let digits = amount.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    format!("{out} đ")
}

/// The kinds of file a dossier accepts: documents and scans.
pub const DOSSIER_EXTENSIONS: &[&str] =
    &["pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx"];

/// A multipart form read whole: its text fields and its files, already stored and checked.
#[derive(Default)]
pub struct UploadedForm {
    pub fields: HashMap<String, Vec<String>>,
    pub files: Vec<NewFile>,
    pub errors: Vec<FieldError>,
}

impl UploadedForm {
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
            .unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .get(name)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }
}

/// Reads a multipart form. File inputs are named `file_N` for checklist line N, or `files`.
/// Each file is streamed into the blob store and refused unless it is a document or scan
/// whose bytes match its name; refusals become errors beside the input.
pub async fn read_upload(
    state: &AppState,
    mut multipart: axum::extract::Multipart,
) -> AppResult<UploadedForm> {
    let mut form = UploadedForm::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::invalid("malformed_multipart"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "files" || name.starts_with("file_") {
            let component = name.strip_prefix("file_").and_then(|n| n.parse().ok());
            store_file(state, field, &name, component, &mut form).await?;
        } else {
            let value = field
                .text()
                .await
                .map_err(|_| AppError::invalid("malformed_multipart"))?;
            form.fields.entry(name).or_default().push(value);
        }
    }
    Ok(form)
}

async fn store_file(
    state: &AppState,
    field: MultipartField<'_>,
    input: &str,
    component: Option<usize>,
    form: &mut UploadedForm,
) -> AppResult<()> {
    let file_name = text::normalize(field.file_name().unwrap_or_default());
    if file_name.is_empty() {
        // An empty file input still sends a part; skip it.
        let _ = field.bytes().await;
        return Ok(());
    }
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    if !DOSSIER_EXTENSIONS.contains(&extension.as_str()) {
        let _ = field.bytes().await;
        form.errors
            .push(FieldError::new(input, "error.upload_type_not_allowed"));
        return Ok(());
    }
    let checked_name = file_name.clone();
    let stream = field.map_err(|e| std::io::Error::other(e.to_string()));
    match state
        .blobs
        .put_stream_checked(stream, move |blob| {
            check_upload(&checked_name, &blob.content_type).map_err(|r| r.code().to_owned())
        })
        .await
    {
        Ok(blob) => form.files.push(NewFile {
            blob,
            file_name,
            component,
        }),
        Err(StoreError::Invalid(code)) if code.starts_with("upload_") => form
            .errors
            .push(FieldError::new(input, &format!("error.{code}"))),
        Err(StoreError::TooLarge { .. }) => {
            form.errors.push(FieldError::new(input, "error.too_large"))
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// The message key for a refusal the store reports by code.
pub fn refusal_key(code: &str) -> Option<&'static str> {
    Some(match code {
        "unknown_procedure" => "dossiers.unknown_procedure",
        "procedure_abolished" => "dossiers.procedure_abolished",
        "missing_component" => "dossiers.missing_component",
        "not_working_day" => "dossiers.not_working_day",
        "agency_not_set" => "dossiers.agency_not_set",
        "dossier_transition" => "dossiers.transition_refused",
        "dossier_withdrawn" => "dossiers.withdrawn_no_resubmit",
        "apology_not_later" => "dossiers.apology_not_later",
        "rating_range" | "rating_not_open" => "dossiers.rating_refused",
        "date_out_of_calendar" => "dossiers.date_out_of_calendar",
        "decision_before_previous" => "procedures.decision_before_previous",
        "fee_negative" => "dossiers.fee_invalid",
        "result_files_missing" => "dossiers.result_files_missing",
        _ => return None,
    })
}
