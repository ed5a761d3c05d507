//! The pollution hotline's pages: intake by operators (phone calls), by the public (web
//! form, no account), from the press and social media; cases with their history and
//! actions; lists and exports; the public tracking page; statistics, the monthly province
//! summary and the map; the province officers.

pub mod cases;
pub mod intake;
pub mod settings;
pub mod stats;

use crate::context::RequestContext;
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::{t, Lang};
use crate::AppState;
use axum::extract::Multipart;
use axum::Router;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use futures::TryStreamExt;
use std::collections::HashMap;
use vanphong_core::attachment::check_upload;
use vanphong_core::hotline::attributes::{self, AttributeError};
use vanphong_core::hotline::{
    self as rules, CaseStatus, Channel, Coordinates, HotlineAccess, HotlineError, Location,
    PollutionKind,
};
use vanphong_core::ids::{AreaId, CaseId};
use vanphong_core::org::AreaLevel;
use vanphong_core::text;
use vanphong_store::hotline::{self, Case, NewEvidence, NewReport, Reporter};
use vanphong_store::org::{self, Area};
use vanphong_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(intake::router())
        .merge(cases::router())
        .merge(stats::router())
        .merge(settings::router())
}

/// How the signed-in user relates to the hotline; refuses those with no part in it.
pub async fn access(state: &AppState, ctx: &RequestContext) -> AppResult<HotlineAccess> {
    let user = ctx.user().ok_or_else(|| AppError::SignInRequired {
        next: ctx.path.clone(),
    })?;
    let officer_of = hotline::officer_province(&state.db, user.id).await?;
    match HotlineAccess::of(&user.actor(), officer_of) {
        HotlineAccess::None => Err(AppError::Forbidden),
        access => Ok(access),
    }
}

/// A case the user may open; others are "not found", so their existence is not revealed.
pub async fn readable_case(
    state: &AppState,
    ctx: &RequestContext,
    id: i64,
) -> AppResult<(Case, HotlineAccess)> {
    let access = access(state, ctx).await?;
    let case = hotline::case(&state.db, CaseId(id)).await?;
    if !access.may_read(case.routed_to) {
        return Err(AppError::NotFound);
    }
    Ok((case, access))
}

pub fn kind_label(lang: Lang, kind: PollutionKind) -> &'static str {
    t(lang, &format!("hotline.kind.{}", kind.code()))
}

pub fn status_label(lang: Lang, status: CaseStatus) -> &'static str {
    t(lang, &format!("hotline.status.{}", status.code()))
}

pub fn channel_label(lang: Lang, channel: Channel) -> &'static str {
    t(lang, &format!("hotline.channel.{}", channel.code()))
}

/// A step's note; the first step of a case records the channel it came in on.
pub fn step_note(lang: Lang, note: &str) -> String {
    match note.strip_prefix("channel:").map(Channel::parse) {
        Some(Ok(channel)) => format!(
            "{} {}",
            t(lang, "hotline.received_via"),
            channel_label(lang, channel)
        ),
        _ => note.to_owned(),
    }
}

/// Where a case is handled, in words.
pub fn routed_label(lang: Lang, case: &Case) -> String {
    match &case.routed_name {
        Some(name) => format!("{} {name}", t(lang, "hotline.department_of")),
        None => t(lang, "hotline.central").to_owned(),
    }
}

/// A Vietnam date (UTC+7) as the UTC moment it starts.
pub fn start_of_vietnam_day(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
        - chrono::Duration::hours(7)
}

/// Provinces and communes in force today, for the forms.
pub struct Places {
    pub provinces: Vec<Area>,
    pub communes: Vec<Area>,
}

impl Places {
    pub async fn load(state: &AppState) -> AppResult<Self> {
        let today = crate::vietnam_today();
        Ok(Self {
            provinces: org::areas(&state.db, AreaLevel::Province, Some(today)).await?,
            communes: org::areas(&state.db, AreaLevel::Commune, Some(today)).await?,
        })
    }
}

/// The submitted fields of a report form; lists (signs) keep every value.
#[derive(Clone, Debug, Default)]
pub struct ReportFields {
    pub values: HashMap<String, Vec<String>>,
}

impl ReportFields {
    pub fn get(&self, name: &str) -> &str {
        self.values
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
            .unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn push(&mut self, name: &str, value: String) {
        self.values.entry(name.to_owned()).or_default().push(value);
    }
}

/// Which form the report came from: it decides the channel and the required fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intake {
    Operator,
    Press,
    Public,
}

/// A multipart report form read whole: the fields, and the evidence files stored and
/// checked (a refused file becomes an error on the `evidence` field).
pub async fn read_form(
    state: &AppState,
    mut multipart: Multipart,
) -> AppResult<(ReportFields, Vec<NewEvidence>, Vec<FieldError>)> {
    let mut fields = ReportFields::default();
    let mut evidence = Vec::new();
    let mut errors = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::invalid("malformed_multipart"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name != "evidence" {
            let value = field
                .text()
                .await
                .map_err(|_| AppError::invalid("malformed_multipart"))?;
            fields.push(&name, value);
            continue;
        }
        let file_name = text::normalize(field.file_name().unwrap_or_default());
        if file_name.is_empty() {
            let _ = field.bytes().await;
            continue;
        }
        if evidence.len() >= 10 {
            errors.push(FieldError::new("evidence", "hotline.too_many_files"));
            let _ = field.bytes().await;
            continue;
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
            Ok(blob) => evidence.push(NewEvidence { blob, file_name }),
            Err(StoreError::Invalid(code)) if code.starts_with("upload_") => {
                errors.push(FieldError::new("evidence", &format!("error.{code}")))
            }
            Err(StoreError::TooLarge { .. }) => {
                errors.push(FieldError::new("evidence", "error.too_large"))
            }
            Err(StoreError::Invalid(_)) => return Err(AppError::invalid("upload_interrupted")),
            Err(e) => return Err(e.into()),
        }
    }
    Ok((fields, evidence, errors))
}

fn hotline_error(field: &str, error: &HotlineError) -> FieldError {
    let key = match error {
        HotlineError::DescriptionMissing => "form.required".to_owned(),
        other => format!("hotline.error.{}", other.code()),
    };
    FieldError::new(field, &key)
}

fn line(fields: &ReportFields, name: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    match text::optional_line(fields.get(name), max) {
        Ok(v) => v.unwrap_or_default(),
        Err(e) => {
            errors.push(crate::error::text_error(name, e));
            String::new()
        }
    }
}

fn long_text(
    fields: &ReportFields,
    name: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> String {
    let value = text::normalize(fields.get(name)).replace("\r\n", "\n");
    if value.chars().count() > max {
        errors.push(FieldError::new(name, "form.too_long"));
    }
    value
}

/// An id among the known areas, or an error on the field.
fn area_choice(
    fields: &ReportFields,
    name: &str,
    areas: &[Area],
    errors: &mut Vec<FieldError>,
) -> Option<AreaId> {
    let raw = fields.get(name).trim();
    if raw.is_empty() {
        return None;
    }
    match raw
        .parse::<i64>()
        .ok()
        .and_then(|id| areas.iter().find(|a| a.id.0 == id))
    {
        Some(area) => Some(area.id),
        None => {
            errors.push(FieldError::new(name, "form.unknown_value"));
            None
        }
    }
}

/// `datetime-local` input (Vietnam time) to the RFC 3339 the attribute parser takes.
fn local_to_rfc3339(value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        return String::new();
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(moment) = NaiveDateTime::parse_from_str(value, format) {
            return format!("{}+07:00", moment.format("%Y-%m-%dT%H:%M:%S"));
        }
    }
    value.to_owned()
}

/// Parses a report form into a report to store; errors are collected beside their fields.
/// `received_at` and `due_date` are set by the caller.
pub fn parse_report(
    fields: &ReportFields,
    intake: Intake,
    places: &Places,
    evidence: Vec<NewEvidence>,
    errors: &mut Vec<FieldError>,
) -> Option<NewReport> {
    let kind = match PollutionKind::parse(fields.get("kind")) {
        Ok(k) => Some(k),
        Err(_) => {
            errors.push(FieldError::new("kind", "form.required"));
            None
        }
    };
    let channel = match intake {
        Intake::Public => Some(Channel::Web),
        Intake::Operator => match Channel::parse(fields.get("channel")) {
            Ok(c)
                if matches!(
                    c,
                    Channel::Phone | Channel::Sms | Channel::Email | Channel::Web
                ) =>
            {
                Some(c)
            }
            _ => {
                errors.push(FieldError::new("channel", "form.unknown_value"));
                None
            }
        },
        Intake::Press => match Channel::parse(fields.get("channel")) {
            Ok(c) if matches!(c, Channel::Press | Channel::SocialMedia) => Some(c),
            _ => {
                errors.push(FieldError::new("channel", "form.unknown_value"));
                None
            }
        },
    };
    let description = match rules::description(fields.get("description")) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(hotline_error("description", &e));
            None
        }
    };
    let province = area_choice(fields, "province_id", &places.provinces, errors);
    let commune = area_choice(fields, "commune_id", &places.communes, errors);
    if let (Some(p), Some(c)) = (province, commune) {
        let parent = places
            .communes
            .iter()
            .find(|a| a.id == c)
            .and_then(|a| a.parent_id);
        if parent != Some(p) {
            errors.push(FieldError::new(
                "commune_id",
                "hotline.commune_not_in_province",
            ));
        }
    }
    let address = line(fields, "address", 300, errors);
    let coordinates = match Coordinates::parse(fields.get("latitude"), fields.get("longitude")) {
        Ok(c) => c,
        Err(e) => {
            errors.push(hotline_error("latitude", &e));
            None
        }
    };
    let location = match Location::new(province, commune, address, coordinates) {
        Ok(l) => Some(l),
        Err(e) => {
            if !errors
                .iter()
                .any(|f| f.field == "latitude" || f.field == "province_id")
            {
                errors.push(hotline_error("province_id", &e));
            }
            None
        }
    };
    let mut submitted: HashMap<String, Vec<String>> = HashMap::new();
    for code in ["onset", "severity", "polluter", "affected_people", "extent"] {
        submitted.insert(code.into(), vec![fields.get(code).to_owned()]);
    }
    submitted.insert("signs".into(), fields.all("signs").to_vec());
    submitted.insert(
        "observed_at".into(),
        vec![local_to_rfc3339(fields.get("observed_at"))],
    );
    let details = kind.and_then(|kind| match attributes::parse(kind, &submitted) {
        Ok(d) => Some(d),
        Err(e) => {
            let key = match e {
                AttributeError::Missing(_) => "form.required",
                AttributeError::BadValue(_) => "hotline.bad_value",
            };
            errors.push(FieldError::new(e.attribute(), key));
            None
        }
    });
    let other_information = long_text(fields, "other_information", 2000, errors);
    let reporter = Reporter {
        name: line(fields, "reporter_name", 200, errors),
        phone: line(fields, "reporter_phone", 50, errors),
        email: line(fields, "reporter_email", 200, errors),
        address: line(fields, "reporter_address", 300, errors),
    };
    let (mut source_url, mut outlet, mut published_on) = (String::new(), String::new(), None);
    if intake == Intake::Press {
        source_url = line(fields, "source_url", 1000, errors);
        if !(source_url.starts_with("https://") || source_url.starts_with("http://")) {
            errors.push(FieldError::new("source_url", "hotline.url_invalid"));
        }
        outlet = line(fields, "outlet", 200, errors);
        if outlet.is_empty() {
            errors.push(FieldError::new("outlet", "form.required"));
        }
        match NaiveDate::parse_from_str(fields.get("published_on").trim(), "%Y-%m-%d") {
            Ok(d) if d <= crate::vietnam_today() => published_on = Some(d),
            _ => errors.push(FieldError::new("published_on", "form.date_invalid")),
        }
    }
    let inter_provincial = intake == Intake::Operator && fields.get("inter_provincial") == "1";
    if !errors.is_empty() {
        return None;
    }
    Some(NewReport {
        channel: channel?,
        kind: kind?,
        description: description?,
        details: details?,
        other_information,
        location: location?,
        inter_provincial,
        reporter,
        evidence,
        source_url,
        outlet,
        published_on,
        api_key_id: None,
        received_by: None,
        received_at: vanphong_store::now(),
        due_date: crate::vietnam_today(),
        join_case: None,
    })
}

/// Sets the reception time and the due date from the working-day calendar, with the
/// working days an administrator set for the report's kind.
pub async fn stamp(state: &AppState, report: &mut NewReport) -> AppResult<()> {
    report.received_at = vanphong_store::now();
    let received_on = (report.received_at + chrono::Duration::hours(7)).date_naive();
    let calendar = state.calendar().await?;
    let days = vanphong_store::hotline::due_days::load(&state.db).await?;
    report.due_date = rules::due_date(&calendar, received_on, days.for_kind(report.kind))
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(())
}
