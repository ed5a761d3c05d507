//! The working-day calendar over HTTP: a year's holidays and due-date arithmetic.

use super::{ApiQuery, ErrorBody};
use crate::error::{AppError, AppResult, FieldError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct HolidayBody {
    pub date: NaiveDate,
    pub name_vi: String,
    pub name_en: String,
    /// `statutory`, `compensatory` (a day in lieu) or `declared` (set by an administrator).
    pub kind: String,
}

#[derive(Serialize, ToSchema)]
pub struct HolidayList {
    pub year: i32,
    pub items: Vec<HolidayBody>,
}

/// The holidays of a year, in date order, with any administrator's overrides applied.
#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "calendar",
    params(("year" = i32, Path, description = "1900 to 2100")),
    responses((status = 200, body = HolidayList), (status = 422, body = ErrorBody)), security(()))]
pub async fn holidays(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> AppResult<Json<HolidayList>> {
    let year: i32 = year
        .parse()
        .map_err(|_| AppError::fields(vec![FieldError::new("year", "calendar.year_range")]))?;
    let calendar = state.calendar().await?;
    let list = calendar
        .holidays(year)
        .map_err(|_| AppError::fields(vec![FieldError::new("year", "calendar.year_range")]))?;
    Ok(Json(HolidayList {
        year,
        items: list
            .iter()
            .map(|h| HolidayBody {
                date: h.date,
                name_vi: h.name_vi.clone(),
                name_en: h.name_en.clone(),
                kind: match h.kind {
                    vanphong_core::calendar::HolidayKind::Statutory => "statutory",
                    vanphong_core::calendar::HolidayKind::Compensatory => "compensatory",
                    vanphong_core::calendar::HolidayKind::Declared => "declared",
                }
                .to_owned(),
            })
            .collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct AddQuery {
    /// The start date, ISO 8601 (`2026-01-30`).
    pub date: String,
    /// Working days to add (negative counts back).
    pub days: String,
}

#[derive(Serialize, ToSchema)]
pub struct AddResult {
    pub date: NaiveDate,
    pub days: i32,
    pub result: NaiveDate,
}

/// The date `days` working days after `date` (day 1 is the next working day).
#[utoipa::path(get, path = "/api/v1/calendar/add-working-days", tag = "calendar", params(AddQuery),
    responses((status = 200, body = AddResult), (status = 422, body = ErrorBody)), security(()))]
pub async fn add_working_days(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AddQuery>,
) -> AppResult<Json<AddResult>> {
    let mut errors = Vec::new();
    let date = NaiveDate::parse_from_str(query.date.trim(), "%Y-%m-%d")
        .map_err(|_| errors.push(FieldError::new("date", "form.date_invalid")))
        .ok();
    let days = query
        .days
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|d| d.abs() <= 10_000)
        .ok_or(())
        .map_err(|_| errors.push(FieldError::new("days", "calendar.days_range")))
        .ok();
    let (Some(date), Some(days)) = (date, days) else {
        return Err(AppError::fields(errors));
    };
    let calendar = state.calendar().await?;
    let result = calendar
        .add_working_days(date, days)
        .map_err(|_| AppError::fields(vec![FieldError::new("date", "calendar.year_range")]))?;
    Ok(Json(AddResult { date, days, result }))
}
