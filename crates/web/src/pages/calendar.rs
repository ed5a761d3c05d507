//! The working-day calendar for administrators: a year's holidays as computed, and the
//! overrides the Prime Minister's yearly schedule needs (days added or removed, Saturdays
//! worked in exchange).

use crate::context::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::{t, Lang};
use crate::layout::{csrf_field, error_summary, page, Field};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use axum_extra::extract::Form;
use chrono::{Datelike, NaiveDate};
use maud::html;
use serde::Deserialize;
use vanphong_core::calendar::{AddedHoliday, DefaultHolidays, HolidayKind};
use vanphong_core::permission::Action;
use vanphong_core::text;
use vanphong_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/calendar", get(calendar_page))
        .route("/admin/calendar/{year}", axum::routing::post(change))
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
    saved: Option<String>,
}

fn kind_label(lang: Lang, kind: HolidayKind) -> &'static str {
    t(
        lang,
        match kind {
            HolidayKind::Statutory => "calendar.statutory",
            HolidayKind::Compensatory => "calendar.compensatory",
            HolidayKind::Declared => "calendar.declared",
        },
    )
}

fn weekday(lang: Lang, date: NaiveDate) -> &'static str {
    t(
        lang,
        &format!("weekday.{}", date.weekday().num_days_from_monday()),
    )
}

async fn calendar_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<YearQuery>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    let year = query
        .year
        .filter(|y| (1900..=2100).contains(y))
        .unwrap_or_else(|| chrono::Utc::now().year());
    render(
        &state,
        &ctx,
        year,
        &[],
        query.saved.is_some(),
        StatusCode::OK,
    )
    .await
}

async fn render(
    state: &AppState,
    ctx: &SignedIn,
    year: i32,
    errors: &[FieldError],
    saved: bool,
    status: StatusCode,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let calendar = state.calendar().await?;
    let holidays = calendar
        .holidays(year)
        .map_err(|e| AppError::Internal(e.into()))?
        .to_vec();
    let stored = vanphong_store::calendar::year(&state.db, year).await?;
    let o = &stored.overrides;
    let body = html! {
        h1 { (t(lang, "calendar.title")) " " (year) }
        p { a href={ "/admin/calendar?year=" (year - 1) } { "← " (year - 1) } " · " a href={ "/admin/calendar?year=" (year + 1) } { (year + 1) " →" } }
        p.muted { (t(lang, "calendar.explanation")) }
        @if saved { div.alert.ok role="status" { (t(lang, "form.saved")) } }
        (error_summary(lang, errors))
        table.list {
            thead { tr { th { (t(lang, "calendar.date")) } th { (t(lang, "calendar.weekday")) } th { (t(lang, "calendar.name")) } th { (t(lang, "calendar.kind")) } } }
            tbody { @for h in &holidays {
                tr { td { (h.date.format("%d/%m/%Y")) } td { (weekday(lang, h.date)) } td { (if lang == Lang::En { &h.name_en } else { &h.name_vi }) } td { (kind_label(lang, h.kind)) } }
            } }
        }
        @if !o.working_weekend_days.is_empty() {
            h2 { (t(lang, "calendar.working_weekend_days")) }
            ul { @for d in &o.working_weekend_days { li { (d.format("%d/%m/%Y")) " (" (weekday(lang, *d)) ")" } } }
        }
        h2 { (t(lang, "calendar.change")) }
        form method="post" action={ "/admin/calendar/" (year) } {
            (csrf_field(ctx))
            input type="hidden" name="version" value=(stored.version);
            input type="hidden" name="action" value="add_holiday";
            (Field::text("date", t(lang, "calendar.date"), "").kind("date").required().render(lang, errors))
            (Field::text("name_vi", t(lang, "calendar.name_vi"), "").required().hint(t(lang, "calendar.name_hint")).render(lang, errors))
            (Field::text("name_en", t(lang, "calendar.name_en"), "").render(lang, errors))
            button type="submit" { (t(lang, "calendar.add_holiday")) }
        }
        form method="post" action={ "/admin/calendar/" (year) } {
            (csrf_field(ctx))
            input type="hidden" name="version" value=(stored.version);
            input type="hidden" name="action" value="remove_holiday";
            (Field::text("date", t(lang, "calendar.date"), "").kind("date").required().render(lang, &[]))
            button type="submit" { (t(lang, "calendar.remove_holiday")) }
        }
        form method="post" action={ "/admin/calendar/" (year) } {
            (csrf_field(ctx))
            input type="hidden" name="version" value=(stored.version);
            input type="hidden" name="action" value="add_working_day";
            (Field::text("date", t(lang, "calendar.date"), "").kind("date").required().hint(t(lang, "calendar.working_day_hint")).render(lang, &[]))
            button type="submit" { (t(lang, "calendar.add_working_day")) }
        }
        @if stored.version > 0 {
            form method="post" action={ "/admin/calendar/" (year) } {
                (csrf_field(ctx))
                input type="hidden" name="version" value=(stored.version);
                input type="hidden" name="action" value="reset";
                button.danger type="submit" { (t(lang, "calendar.reset")) }
            }
        }
    };
    Ok((status, page(ctx, t(lang, "calendar.title"), body)).into_response())
}

#[derive(Deserialize, Default)]
pub struct ChangeForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    action: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    name_vi: String,
    #[serde(default)]
    name_en: String,
}

async fn change(
    State(state): State<AppState>,
    ctx: SignedIn,
    Path(year): Path<i32>,
    Form(form): Form<ChangeForm>,
) -> AppResult<Response> {
    ctx.authorize_agency(Action::ManageOrganisation)?;
    if !(1900..=2100).contains(&year) {
        return Err(AppError::NotFound);
    }
    let mut stored = vanphong_store::calendar::year(&state.db, year).await?;
    let mut errors = Vec::new();
    let date = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d").ok();
    let needs_date = form.action != "reset";
    if needs_date && date.is_none() {
        errors.push(FieldError::new("date", "form.date_invalid"));
    }
    let o = &mut stored.overrides;
    match (form.action.as_str(), date) {
        ("add_holiday", Some(date)) => match text::required_line(&form.name_vi, 200) {
            Ok(name_vi) => {
                o.removed_holidays.retain(|d| *d != date);
                o.added_holidays.retain(|a| a.date != date);
                let name_en = text::normalize(&form.name_en);
                o.added_holidays.push(AddedHoliday {
                    date,
                    name_en: if name_en.is_empty() {
                        name_vi.clone()
                    } else {
                        name_en
                    },
                    name_vi,
                });
            }
            Err(_) => errors.push(FieldError::new("name_vi", "form.required")),
        },
        ("remove_holiday", Some(date)) => {
            o.added_holidays.retain(|a| a.date != date);
            if !o.removed_holidays.contains(&date) {
                o.removed_holidays.push(date);
            }
        }
        ("add_working_day", Some(date)) => {
            if !o.working_weekend_days.contains(&date) {
                o.working_weekend_days.push(date);
            }
        }
        ("reset", _) => {
            *o = Default::default();
            o.default_holidays = DefaultHolidays::Keep;
        }
        (_, None) => {}
        _ => return Err(AppError::invalid("unknown_step")),
    }
    if errors.is_empty() {
        match vanphong_store::calendar::save(
            &state.db,
            &ctx.origin(),
            year,
            &stored.overrides,
            form.version,
        )
        .await
        {
            Ok(_) => {
                state.forget_calendar().await;
                return Ok(
                    Redirect::to(&format!("/admin/calendar?year={year}&saved=1")).into_response(),
                );
            }
            Err(StoreError::Stale) => errors.push(FieldError::new("date", "form.stale")),
            Err(StoreError::Invalid(_)) => {
                errors.push(FieldError::new("date", "calendar.override_invalid"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let status = if errors.iter().any(|e| e.key == "form.stale") {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(&state, &ctx, year, &errors, false, status).await
}
