//! The hotline's settings an administrator keeps: the working days new cases get, one
//! figure for every kind of pollution and, where a kind differs, its own.

use super::kind_label;
use crate::context::SignedIn;
use crate::error::{AppResult, FieldError};
use crate::i18n::t;
use crate::layout::{csrf_field, error_summary, page, Field};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use axum_extra::extract::Form;
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;
use vanphong_core::hotline::{self as rules, DueDays, PollutionKind};
use vanphong_core::permission::Action;
use vanphong_store::hotline::due_days;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/admin/hotline-due-days",
        get(due_days_page).post(save_due_days),
    )
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    saved: Option<String>,
}

fn render(
    ctx: &SignedIn,
    values: &HashMap<String, String>,
    errors: &[FieldError],
    saved: bool,
    status: StatusCode,
) -> Response {
    let lang = ctx.lang;
    let get = |k: &str| values.get(k).map(String::as_str).unwrap_or_default();
    let body = html! {
        h1 { (t(lang, "hotline.due_days_title")) }
        p.lead { (t(lang, "hotline.due_days_intro")) }
        @if saved { div.alert.ok role="status" { (t(lang, "form.saved")) } }
        (error_summary(lang, errors))
        form method="post" action="/admin/hotline-due-days" {
            (csrf_field(ctx))
            (Field::text("default", t(lang, "hotline.due_days_default"), get("default")).kind("number").required().render(lang, errors))
            fieldset {
                legend { (t(lang, "hotline.due_days_per_kind")) }
                p.hint { (t(lang, "hotline.due_days_per_kind_hint")) }
                @for kind in PollutionKind::ALL {
                    @let name = format!("kind_{}", kind.code());
                    (Field::text(&name, kind_label(lang, *kind), get(&name)).kind("number").render(lang, errors))
                }
            }
            button.primary type="submit" { (t(lang, "form.save")) }
        }
    };
    (status, page(ctx, t(lang, "hotline.due_days_title"), body)).into_response()
}

fn values_of(days: &DueDays) -> HashMap<String, String> {
    let mut values = HashMap::new();
    values.insert("default".to_owned(), days.default.to_string());
    for (kind, d) in &days.per_kind {
        values.insert(format!("kind_{}", kind.code()), d.to_string());
    }
    values
}

async fn due_days_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let days = due_days::load(&state.db).await?;
    Ok(render(
        &ctx,
        &values_of(&days),
        &[],
        query.saved.is_some(),
        StatusCode::OK,
    ))
}

/// Reads the form: the figure for every kind is required, a kind's own figure optional;
/// each a whole number of working days in the allowed range.
fn parse(values: &HashMap<String, String>, errors: &mut Vec<FieldError>) -> DueDays {
    let mut days = DueDays::default();
    let get = |k: &str| values.get(k).map(String::as_str).unwrap_or_default();
    match rules::parse_due_days(get("default")) {
        Ok(d) => days.default = d,
        Err(_) => errors.push(FieldError::new("default", "hotline.due_days_invalid")),
    }
    for kind in PollutionKind::ALL {
        let name = format!("kind_{}", kind.code());
        let value = get(&name).trim();
        if value.is_empty() {
            continue;
        }
        match rules::parse_due_days(value) {
            Ok(d) => {
                days.per_kind.insert(*kind, d);
            }
            Err(_) => errors.push(FieldError::new(&name, "hotline.due_days_invalid")),
        }
    }
    days
}

async fn save_due_days(
    State(state): State<AppState>,
    ctx: SignedIn,
    Form(values): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let mut errors = Vec::new();
    let days = parse(&values, &mut errors);
    if !errors.is_empty() {
        return Ok(render(
            &ctx,
            &values,
            &errors,
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    due_days::save(&state.db, &ctx.origin(), &days).await?;
    Ok(Redirect::to("/admin/hotline-due-days?saved=1").into_response())
}
