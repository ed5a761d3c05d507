//! Open311 GeoReport v2 at `/open311/v2/`: discovery, services and their definitions,
//! posting requests (form-encoded, with an administrator-issued API key), tokens, reading
//! requests with every filter, and the `page`/`page_size` and `servicerequestupdates`
//! extensions. Every answer exists in XML and JSON.
//!
//! Each response is built once as a JSON value; XML is written from it with quick-xml,
//! naming the items of each list (`services` → `service`). Errors are the specification's
//! list of `code` and `description`, in the requested format, and never pass through the
//! application's own error shape.
//!
//! What a reporter said and who they are stay confidential (Decision 174): requests read
//! back show the description and exact address only for reports that were public already
//! (press, social media, Open311), and never the reporter.

use crate::context::RequestContext;
use crate::i18n::{t, Lang};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use vanphong_core::hotline::attributes::{self, AttributeError, Datatype};
use vanphong_core::hotline::{
    self as rules, CaseStatus, Channel, Coordinates, HotlineError, Location, PollutionKind,
};
use vanphong_core::ids::ReportId;
use vanphong_core::org::AreaLevel;
use vanphong_store::hotline::open311::{self as queries, PublicRequest, RequestFilter};
use vanphong_store::hotline::{self, NewReport, Reporter};
use vanphong_store::{api_keys, org};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/open311/v2/{file}",
            get(top_level_get).post(top_level_post),
        )
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(one_request))
        .route("/open311/v2/tokens/{file}", get(token))
}

/// Requests returned by `GET requests` when the client sets no `page_size`.
pub const DEFAULT_PAGE_SIZE: i64 = 50;
/// The specification's ceiling on requests returned at once.
pub const MAX_PAGE_SIZE: i64 = 1000;
/// The widest `start_date`–`end_date` window, and the default one.
pub const WINDOW_DAYS: i64 = 90;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Xml,
    Json,
}

/// Splits `services.json` into its stem and format (axum 0.8 cannot route `{id}.json`).
fn split(file: &str) -> Option<(&str, Format)> {
    let (stem, extension) = file.rsplit_once('.')?;
    let format = match extension {
        "xml" => Format::Xml,
        "json" => Format::Json,
        _ => return None,
    };
    (!stem.is_empty()).then_some((stem, format))
}

/// The item name of each list when written as XML.
fn item_name(list: &str) -> &str {
    match list {
        "services" => "service",
        "service_requests" => "request",
        "service_request_updates" => "request_update",
        "attributes" => "attribute",
        "values" => "value",
        "endpoints" => "endpoint",
        "formats" => "format",
        "errors" => "error",
        _ => "item",
    }
}

fn write_xml(
    writer: &mut quick_xml::Writer<Vec<u8>>,
    name: &str,
    value: &Value,
) -> std::io::Result<()> {
    match value {
        Value::Null => {
            writer.write_event(Event::Empty(BytesStart::new(name)))?;
        }
        Value::Array(items) => {
            writer.write_event(Event::Start(BytesStart::new(name)))?;
            for item in items {
                write_xml(writer, item_name(name), item)?;
            }
            writer.write_event(Event::End(BytesEnd::new(name)))?;
        }
        Value::Object(fields) => {
            writer.write_event(Event::Start(BytesStart::new(name)))?;
            for (key, field) in fields {
                write_xml(writer, key, field)?;
            }
            writer.write_event(Event::End(BytesEnd::new(name)))?;
        }
        Value::String(text) => {
            writer.write_event(Event::Start(BytesStart::new(name)))?;
            writer.write_event(Event::Text(BytesText::new(text)))?;
            writer.write_event(Event::End(BytesEnd::new(name)))?;
        }
        other => {
            let text = other.to_string();
            writer.write_event(Event::Start(BytesStart::new(name)))?;
            writer.write_event(Event::Text(BytesText::new(&text)))?;
            writer.write_event(Event::End(BytesEnd::new(name)))?;
        }
    }
    Ok(())
}

/// The XML document for `value` under the element `root`, with its declaration.
pub fn to_xml(root: &str, value: &Value) -> String {
    let mut writer = quick_xml::Writer::new(Vec::new());
    let written = writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
        .and_then(|_| write_xml(&mut writer, root, value));
    match written {
        Ok(()) => String::from_utf8(writer.into_inner()).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

fn render(format: Format, root: &str, value: &Value) -> String {
    match format {
        Format::Json => value.to_string(),
        Format::Xml => to_xml(root, value),
    }
}

fn respond_text(format: Format, status: StatusCode, body: String) -> Response {
    let content_type = match format {
        Format::Json => "application/json; charset=utf-8",
        Format::Xml => "text/xml; charset=utf-8",
    };
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn respond(format: Format, status: StatusCode, root: &str, value: Value) -> Response {
    respond_text(format, status, render(format, root, &value))
}

/// How long an answer of `GET requests` may be served again while nothing changed.
const CACHE_SECONDS: u64 = 5;
const CACHE_ENTRIES: usize = 256;

/// Answers of `GET requests` kept for a few seconds on this node. Each use first reads the
/// database's stamp (the last report and the last step, two index lookups), so a change made
/// on any node is seen at once; the few seconds only bound how far the default window's
/// start (90 days ago) may lag.
#[derive(Default)]
pub struct RequestsCache(std::sync::Mutex<HashMap<String, CachedAnswer>>);

struct CachedAnswer {
    stamp: (i64, i64),
    at: std::time::Instant,
    body: String,
}

impl RequestsCache {
    fn get(&self, key: &str, stamp: (i64, i64)) -> Option<String> {
        let entries = self.0.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|a| a.stamp == stamp && a.at.elapsed().as_secs() < CACHE_SECONDS)
            .map(|a| a.body.clone())
    }

    fn put(&self, key: String, stamp: (i64, i64), body: String) {
        let mut entries = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CACHE_ENTRIES {
            entries.clear();
        }
        entries.insert(
            key,
            CachedAnswer {
                stamp,
                at: std::time::Instant::now(),
                body,
            },
        );
    }
}

/// An error as the specification describes it: the status, and a list of code and description.
fn error(format: Format, status: StatusCode, description: &str) -> Response {
    let list = json!([{"code": status.as_u16(), "description": description}]);
    respond(format, status, "errors", list)
}

fn not_found(format: Format, what: &str) -> Response {
    error(format, StatusCode::NOT_FOUND, what)
}

fn internal(format: Format, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "An Open311 request failed with an internal error.");
    error(format, StatusCode::INTERNAL_SERVER_ERROR, "internal error")
}

/// A moment in Vietnam's time, with its zone.
fn w3c(moment: DateTime<Utc>) -> String {
    let zone = FixedOffset::east_opt(7 * 3600).expect("+07:00 is a valid offset");
    moment
        .with_timezone(&zone)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn due_moment(date: NaiveDate) -> String {
    format!("{}T17:00:00+07:00", date.format("%Y-%m-%d"))
}

fn kind_name(lang: Lang, kind: PollutionKind) -> &'static str {
    t(lang, &format!("hotline.kind.{}", kind.code()))
}

fn service(lang: Lang, kind: PollutionKind) -> Value {
    json!({
        "service_code": kind.code(),
        "service_name": kind_name(lang, kind),
        "description": t(lang, &format!("open311.service.{}", kind.code())),
        "metadata": true,
        "type": "realtime",
        "keywords": t(lang, &format!("open311.keywords.{}", kind.code())),
        "group": t(lang, "open311.group"),
    })
}

async fn top_level_get(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some((stem, format)) = split(&file) else {
        return not_found(Format::Xml, "no such endpoint");
    };
    let lang = ctx.lang;
    match stem {
        "discovery" => {
            let changeset = "2026-11-29T00:00:00+07:00";
            respond(
                format,
                StatusCode::OK,
                "discovery",
                json!({
                    "changeset": changeset,
                    "contact": t(lang, "open311.contact"),
                    "key_service": t(lang, "open311.key_service"),
                    "endpoints": [{
                        "specification": "http://wiki.open311.org/GeoReport_v2",
                        "url": "/open311/v2",
                        "changeset": changeset,
                        "type": "production",
                        "formats": ["text/xml", "application/json"],
                    }],
                }),
            )
        }
        "services" => {
            let list: Vec<Value> = PollutionKind::ALL
                .iter()
                .map(|k| service(lang, *k))
                .collect();
            respond(format, StatusCode::OK, "services", Value::Array(list))
        }
        "requests" => {
            get_requests(&state, lang, format, query.as_deref().unwrap_or_default()).await
        }
        "servicerequestupdates" => {
            updates(&state, format, query.as_deref().unwrap_or_default()).await
        }
        _ => not_found(format, "no such endpoint"),
    }
}

async fn service_definition(ctx: RequestContext, Path(file): Path<String>) -> Response {
    let Some((code, format)) = split(&file) else {
        return not_found(Format::Xml, "no such endpoint");
    };
    let Ok(kind) = PollutionKind::parse(code) else {
        return not_found(format, "service_code not found");
    };
    let lang = ctx.lang;
    let attributes: Vec<Value> = attributes::definitions(kind)
        .iter()
        .map(|a| {
            let mut attribute = Map::new();
            attribute.insert("variable".into(), json!(true));
            attribute.insert("code".into(), json!(a.code));
            attribute.insert("datatype".into(), json!(a.datatype.code()));
            attribute.insert("required".into(), json!(a.required));
            attribute.insert(
                "datatype_description".into(),
                json!(t(lang, &format!("open311.datatype.{}", a.datatype.code()))),
            );
            attribute.insert("order".into(), json!(a.order));
            attribute.insert(
                "description".into(),
                json!(if lang == Lang::En { a.description.1 } else { a.description.0 }),
            );
            if matches!(a.datatype, Datatype::SingleValueList | Datatype::MultiValueList) {
                let values: Vec<Value> = a
                    .values
                    .iter()
                    .map(|(key, vi, en)| json!({"key": key, "name": if lang == Lang::En { en } else { vi }}))
                    .collect();
                attribute.insert("values".into(), Value::Array(values));
            }
            Value::Object(attribute)
        })
        .collect();
    respond(
        format,
        StatusCode::OK,
        "service_definition",
        json!({"service_code": kind.code(), "attributes": attributes}),
    )
}

/// The fields of a form body; repeated keys keep every value.
fn form_fields(body: &[u8]) -> HashMap<String, Vec<String>> {
    let mut fields: HashMap<String, Vec<String>> = HashMap::new();
    for (key, value) in form_urlencoded::parse(body) {
        fields
            .entry(key.into_owned())
            .or_default()
            .push(value.into_owned());
    }
    fields
}

fn first<'a>(fields: &'a HashMap<String, Vec<String>>, name: &str) -> &'a str {
    fields
        .get(name)
        .and_then(|v| v.first())
        .map(String::as_str)
        .unwrap_or_default()
}

fn bad_request(format: Format, description: &str) -> Response {
    error(format, StatusCode::BAD_REQUEST, description)
}

async fn top_level_post(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(file): Path<String>,
    body: Bytes,
) -> Response {
    match split(&file) {
        Some(("requests", format)) => post_request(&state, &ctx, format, &body).await,
        Some((_, format)) => not_found(format, "no such endpoint"),
        None => not_found(Format::Xml, "no such endpoint"),
    }
}

async fn post_request(
    state: &AppState,
    ctx: &RequestContext,
    format: Format,
    body: &[u8],
) -> Response {
    let fields = form_fields(body);
    let key = first(&fields, "api_key").trim();
    if key.is_empty() {
        return error(format, StatusCode::FORBIDDEN, "api_key is missing");
    }
    let api_key = match api_keys::authenticate(&state.db, key).await {
        Ok(Some((api_key, _))) => api_key,
        Ok(None) => return error(format, StatusCode::FORBIDDEN, "api_key is not valid"),
        Err(e) => return internal(format, e),
    };
    let service_code = first(&fields, "service_code");
    if service_code.trim().is_empty() {
        return bad_request(format, "service_code is required");
    }
    let Ok(kind) = PollutionKind::parse(service_code) else {
        return not_found(format, "service_code not found");
    };
    let description = match rules::description(first(&fields, "description")) {
        Ok(d) => d,
        Err(HotlineError::DescriptionMissing) => {
            return bad_request(format, "description is required")
        }
        Err(_) => return bad_request(format, "description is longer than 4000 characters"),
    };
    let coordinates = match Coordinates::parse(first(&fields, "lat"), first(&fields, "long")) {
        Ok(c) => c,
        Err(HotlineError::CoordinatesOutOfRange) => {
            return bad_request(format, "lat and long are out of range")
        }
        Err(_) => return bad_request(format, "lat and long must both be numbers"),
    };
    let address = vanphong_core::text::normalize(first(&fields, "address_string"));
    if address.chars().count() > 300 {
        return bad_request(format, "address_string is longer than 300 characters");
    }
    // address_id is the code of a province or commune of the administrative areas.
    let (mut province, mut commune) = (None, None);
    let address_id = first(&fields, "address_id").trim();
    if !address_id.is_empty() {
        let today = crate::vietnam_today();
        let found = async {
            let provinces = org::areas(&state.db, AreaLevel::Province, Some(today)).await?;
            if let Some(p) = provinces.iter().find(|a| a.code == address_id) {
                return Ok::<_, vanphong_store::StoreError>((Some(p.id), None));
            }
            let communes = org::areas(&state.db, AreaLevel::Commune, Some(today)).await?;
            Ok(communes
                .iter()
                .find(|a| a.code == address_id)
                .map(|c| (c.parent_id, Some(c.id)))
                .unwrap_or((None, None)))
        }
        .await;
        match found {
            Ok((None, None)) => return bad_request(format, "address_id is not a known area code"),
            Ok((p, c)) => (province, commune) = (p, c),
            Err(e) => return internal(format, e),
        }
    }
    let Ok(location) = Location::new(province, commune, address, coordinates) else {
        return bad_request(
            format,
            "a location is required: lat and long, address_string or address_id",
        );
    };
    let mut submitted: HashMap<String, Vec<String>> = HashMap::new();
    for (key, values) in &fields {
        let Some(rest) = key.strip_prefix("attribute[") else {
            continue;
        };
        let code = rest.trim_end_matches("[]").trim_end_matches(']');
        submitted
            .entry(code.to_owned())
            .or_default()
            .extend(values.iter().cloned());
    }
    let details = match attributes::parse(kind, &submitted) {
        Ok(d) => d,
        Err(AttributeError::Missing(code)) => {
            return bad_request(format, &format!("attribute[{code}] is required"))
        }
        Err(AttributeError::BadValue(code)) => {
            return bad_request(
                format,
                &format!("attribute[{code}] has a value it does not accept"),
            )
        }
    };
    // The reporter's fields and the media link: short lines; the first bad one is named.
    let mut lines = HashMap::new();
    for (name, max) in [
        ("first_name", 100),
        ("last_name", 100),
        ("phone", 50),
        ("email", 200),
        ("media_url", 1000),
    ] {
        let value = vanphong_core::text::normalize(first(&fields, name));
        if value.chars().count() > max || value.chars().any(char::is_control) {
            return bad_request(format, &format!("{name} is not valid"));
        }
        lines.insert(name, value);
    }
    let mut take = |name: &str| lines.remove(name).unwrap_or_default();
    let reporter = Reporter {
        name: [take("first_name"), take("last_name")]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        phone: take("phone"),
        email: take("email"),
        address: String::new(),
    };
    let media_url = take("media_url");
    let mut report = NewReport {
        channel: Channel::Open311,
        kind,
        description,
        details,
        other_information: if media_url.is_empty() {
            String::new()
        } else {
            format!("media_url: {media_url}")
        },
        location,
        inter_provincial: false,
        reporter,
        evidence: Vec::new(),
        source_url: String::new(),
        outlet: String::new(),
        published_on: None,
        api_key_id: Some(api_key.id),
        received_by: None,
        received_at: vanphong_store::now(),
        due_date: crate::vietnam_today(),
        join_case: None,
    };
    if let Err(e) = crate::pages::hotline::stamp(state, &mut report).await {
        return internal(format, e);
    }
    let mut origin = ctx.origin();
    origin.user_id = Some(api_key.user_id);
    origin.label = format!("open311 (api-key: {})", api_key.name);
    match hotline::submit(&state.db, &origin, &report).await {
        Ok(submitted) => respond(
            format,
            StatusCode::CREATED,
            "service_requests",
            json!([{
                "service_request_id": submitted.report_id.0.to_string(),
                "token": submitted.tracking_code.as_str(),
                "service_notice": t(ctx.lang, "open311.notice"),
                "account_id": Value::Null,
            }]),
        ),
        Err(e) => internal(format, e),
    }
}

/// One request as Open311 shows it.
fn request_value(lang: Lang, r: &PublicRequest) -> Value {
    let status = CaseStatus::parse(&r.status).unwrap_or(CaseStatus::Received);
    let channel = Channel::parse(&r.channel).unwrap_or(Channel::Phone);
    let kind = PollutionKind::parse(&r.kind).unwrap_or(PollutionKind::Other);
    let public = channel.is_public_source();
    let place = [r.commune_name.as_deref(), r.province_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    let address = if public && !r.address.is_empty() {
        if place.is_empty() {
            r.address.clone()
        } else {
            format!("{}, {place}", r.address)
        }
    } else {
        place
    };
    // Outside public sources the point is rounded to about a hundred metres.
    let round = |v: f64| {
        if public {
            v
        } else {
            (v * 1000.0).round() / 1000.0
        }
    };
    let status_label = t(lang, &format!("hotline.status.{}", status.code()));
    let notes = if r.last_note.is_empty() || r.last_note.starts_with("channel:") {
        status_label.to_owned()
    } else {
        format!("{status_label}: {}", r.last_note)
    };
    let agency = match &r.routed_name {
        Some(name) => format!("{} {name}", t(lang, "hotline.department_of")),
        None => t(lang, "open311.ministry").to_owned(),
    };
    json!({
        "service_request_id": r.id.to_string(),
        "status": if status.is_open() { "open" } else { "closed" },
        "status_notes": notes,
        "service_name": kind_name(lang, kind),
        "service_code": kind.code(),
        "description": if public { r.description.clone() } else { String::new() },
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": w3c(r.received_at),
        "updated_datetime": w3c(r.updated_at),
        "expected_datetime": due_moment(r.due_date),
        "address": address,
        "address_id": "",
        "zipcode": "",
        "lat": r.latitude.map(round),
        "long": r.longitude.map(round),
        "media_url": "",
    })
}

fn parse_moment(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.trim())
        .ok()
        .map(|m| m.with_timezone(&Utc))
}

fn query_fields(query: &str) -> HashMap<String, Vec<String>> {
    form_fields(query.as_bytes())
}

async fn get_requests(state: &AppState, lang: Lang, format: Format, query: &str) -> Response {
    let stamp = match queries::stamp(&state.db).await {
        Ok(stamp) => stamp,
        Err(e) => return internal(format, e),
    };
    let key = format!("{}|{format:?}|{query}", lang.code());
    if let Some(body) = state.open311_cache.get(&key, stamp) {
        return respond_text(format, StatusCode::OK, body);
    }
    let fields = query_fields(query);
    let list = |name: &str| -> Vec<String> {
        first(&fields, name)
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut filter = RequestFilter::default();
    let page_size = match first(&fields, "page_size") {
        "" => DEFAULT_PAGE_SIZE,
        v => match v.parse::<i64>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => return bad_request(format, "page_size must be a number from 1 to 1000"),
        },
    };
    let page = match first(&fields, "page") {
        "" => 1,
        v => match v.parse::<i64>() {
            Ok(n) if n >= 1 => n,
            _ => return bad_request(format, "page must be a number from 1"),
        },
    };
    filter.limit = page_size;
    filter.offset = (page - 1).saturating_mul(page_size);
    let ids = list("service_request_id");
    if !ids.is_empty() {
        let mut parsed = Vec::new();
        for id in &ids {
            match id.parse::<i64>() {
                Ok(n) => parsed.push(n),
                Err(_) => return bad_request(format, "service_request_id must be numbers"),
            }
        }
        filter.ids = Some(parsed);
    } else {
        for code in list("service_code") {
            match PollutionKind::parse(&code) {
                Ok(kind) => filter.kinds.push(kind),
                Err(_) => return not_found(format, "service_code not found"),
            }
        }
        let start = match first(&fields, "start_date") {
            "" => None,
            v => match parse_moment(v) {
                Some(m) => Some(m),
                None => {
                    return bad_request(format, "start_date must be a w3c datetime with a zone")
                }
            },
        };
        let end = match first(&fields, "end_date") {
            "" => None,
            v => match parse_moment(v) {
                Some(m) => Some(m),
                None => return bad_request(format, "end_date must be a w3c datetime with a zone"),
            },
        };
        let window = chrono::Duration::days(WINDOW_DAYS);
        let now = Utc::now();
        let (from, until) = match (start, end) {
            (Some(s), Some(e)) => (s, e),
            (Some(s), None) => (s, s + window),
            (None, Some(e)) => (e - window, e),
            (None, None) => (now - window, now),
        };
        if until < from {
            return bad_request(format, "end_date is before start_date");
        }
        if until - from > window {
            return bad_request(
                format,
                "start_date and end_date are more than 90 days apart",
            );
        }
        filter.from = Some(from);
        filter.until = Some(until);
        let statuses = list("status");
        if !statuses.is_empty() {
            let mut wanted = Vec::new();
            for status in statuses {
                match status.as_str() {
                    "open" => wanted.extend(CaseStatus::with_openness(true)),
                    "closed" => wanted.extend(CaseStatus::with_openness(false)),
                    _ => return bad_request(format, "status must be open or closed"),
                }
            }
            filter.statuses = Some(wanted);
        }
    }
    match queries::requests(&state.db, &filter).await {
        Ok(rows) => {
            let value = Value::Array(rows.iter().map(|r| request_value(lang, r)).collect());
            let body = render(format, "service_requests", &value);
            state.open311_cache.put(key, stamp, body.clone());
            respond_text(format, StatusCode::OK, body)
        }
        Err(e) => internal(format, e),
    }
}

async fn one_request(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(file): Path<String>,
) -> Response {
    let Some((id, format)) = split(&file) else {
        return not_found(Format::Xml, "no such endpoint");
    };
    let Ok(id) = id.parse::<i64>() else {
        return not_found(format, "service_request_id not found");
    };
    match queries::request(&state.db, ReportId(id)).await {
        Ok(Some(r)) => respond(
            format,
            StatusCode::OK,
            "service_requests",
            json!([request_value(ctx.lang, &r)]),
        ),
        Ok(None) => not_found(format, "service_request_id not found"),
        Err(e) => internal(format, e),
    }
}

async fn token(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((token, format)) = split(&file) else {
        return not_found(Format::Xml, "no such endpoint");
    };
    let Ok(code) = vanphong_core::hotline::TrackingCode::parse(token) else {
        return not_found(format, "token not found");
    };
    match queries::request_for_token(&state.db, code.as_str()).await {
        Ok(Some(id)) => respond(
            format,
            StatusCode::OK,
            "service_requests",
            json!([{"service_request_id": id.to_string(), "token": code.as_str()}]),
        ),
        Ok(None) => not_found(format, "token not found"),
        Err(e) => internal(format, e),
    }
}

/// mySociety's extension: status changes, oldest first, within a window of at most 90 days.
async fn updates(state: &AppState, format: Format, query: &str) -> Response {
    let fields = query_fields(query);
    let request_id = match first(&fields, "service_request_id") {
        "" => None,
        v => match v.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return bad_request(format, "service_request_id must be a number"),
        },
    };
    let mut moments = [None, None];
    for (i, name) in ["start_date", "end_date"].iter().enumerate() {
        let value = first(&fields, name);
        if value.is_empty() {
            continue;
        }
        match parse_moment(value) {
            Some(m) => moments[i] = Some(m),
            None => {
                return bad_request(
                    format,
                    &format!("{name} must be a w3c datetime with a zone"),
                )
            }
        }
    }
    let window = chrono::Duration::days(WINDOW_DAYS);
    let (since, until) = match (moments[0], moments[1], request_id) {
        (None, None, Some(_)) => (None, None),
        (Some(s), Some(e), _) if e < s => {
            return bad_request(format, "end_date is before start_date")
        }
        (Some(s), Some(e), _) if e - s > window => {
            return bad_request(
                format,
                "start_date and end_date are more than 90 days apart",
            )
        }
        (Some(s), e, _) => (Some(s), e),
        (None, Some(e), _) => (Some(e - window), Some(e)),
        (None, None, None) => (Some(Utc::now() - window), None),
    };
    match queries::updates(&state.db, request_id, since, until, MAX_PAGE_SIZE).await {
        Ok(rows) => {
            let list: Vec<Value> = rows
                .iter()
                .map(|u| {
                    let status = CaseStatus::parse(&u.status).unwrap_or(CaseStatus::Received);
                    json!({
                        "update_id": u.update_id.to_string(),
                        "service_request_id": u.service_request_id.to_string(),
                        "status": if status.is_open() { "open" } else { "closed" },
                        "updated_datetime": w3c(u.at),
                        "description": if u.note.starts_with("channel:") { String::new() } else { u.note.clone() },
                        "media_url": "",
                    })
                })
                .collect();
            respond(
                format,
                StatusCode::OK,
                "service_request_updates",
                Value::Array(list),
            )
        }
        Err(e) => internal(format, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_split_into_stem_and_format() {
        assert_eq!(split("services.json"), Some(("services", Format::Json)));
        assert_eq!(split("638344.xml"), Some(("638344", Format::Xml)));
        assert_eq!(split("services.csv"), None);
        assert_eq!(split("services"), None);
        assert_eq!(split(".json"), None);
    }

    #[test]
    fn xml_has_its_declaration_names_list_items_and_escapes_text() {
        let xml = to_xml(
            "services",
            &json!([{"service_code": "noise", "service_name": "Tiếng ồn <đêm> & ngày", "metadata": true}]),
        );
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
            "{xml}"
        );
        assert!(xml.contains("<services><service>"), "{xml}");
        assert!(xml.contains("Tiếng ồn &lt;đêm&gt; &amp; ngày"), "{xml}");
        assert!(xml.contains("<metadata>true</metadata>"));
    }

    #[test]
    fn datetimes_carry_vietnam_zone() {
        let moment = DateTime::parse_from_rfc3339("2026-11-29T04:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(w3c(moment), "2026-11-29T11:00:00+07:00");
    }
}
