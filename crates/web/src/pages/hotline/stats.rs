//! Seeing the hotline: the statistics page (by month, kind, province, channel and status;
//! times to verify, handle and respond) with charts drawn on the server as SVG, the monthly
//! province summary (page and export), and a map of cases that needs no tile server (and
//! uses the operator's tiles when a tile server is configured).

use super::{access, channel_label, kind_label, start_of_vietnam_day, status_label, Places};
use crate::context::SignedIn;
use crate::error::AppResult;
use crate::export::Format;
use crate::i18n::{t, Lang};
use crate::layout::{export_links, page};
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use std::collections::BTreeMap;
use vanphong_core::hotline::{CaseStatus, Channel, HotlineAccess, PollutionKind};
use vanphong_core::ids::AreaId;
use vanphong_store::hotline::lists::{self, CaseFact, CaseFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hotline/statistics", get(statistics))
        .route("/hotline/summary", get(summary))
        .route("/hotline/map", get(map))
}

fn escape(text: &str) -> String {
    html! { (text) }.into_string()
}

/// A horizontal bar chart as inline SVG: one bar per label, the count at its end.
pub fn bar_chart(title: &str, items: &[(String, i64)]) -> Markup {
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let row = 22.0;
    let height = row * items.len() as f64 + 10.0;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 640 {height}\" width=\"640\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(title)
    );
    for (i, (label, count)) in items.iter().enumerate() {
        let y = 5.0 + row * i as f64;
        let width = 380.0 * (*count as f64) / max;
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{:.1}\" font-size=\"12\">{}</text><rect x=\"200\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{:.1}\" fill=\"#2f6f4f\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{count}</text>",
            y + 14.0,
            escape(&label.chars().take(30).collect::<String>()),
            y + 2.0,
            row - 6.0,
            205.0 + width,
            y + 14.0
        ));
    }
    svg.push_str("</svg>");
    html! { figure { figcaption { (title) } (PreEscaped(svg)) } }
}

fn year_bounds(year: i32) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or_default();
    (start_of_vietnam_day(start), start_of_vietnam_day(end))
}

fn vietnam_date(moment: DateTime<Utc>) -> NaiveDate {
    (moment + chrono::Duration::hours(7)).date_naive()
}

/// The average number of hours between reception and a later moment, over the cases
/// that reached it.
fn average_hours(
    facts: &[CaseFact],
    pick: impl Fn(&CaseFact) -> Option<DateTime<Utc>>,
) -> Option<f64> {
    let spans: Vec<f64> = facts
        .iter()
        .filter_map(|f| pick(f).map(|at| (at - f.received_at).num_minutes() as f64 / 60.0))
        .collect();
    (!spans.is_empty()).then(|| spans.iter().sum::<f64>() / spans.len() as f64)
}

fn counted<K: Ord>(items: impl Iterator<Item = K>) -> BTreeMap<K, i64> {
    let mut map = BTreeMap::new();
    for item in items {
        *map.entry(item).or_insert(0) += 1;
    }
    map
}

#[derive(Deserialize, Default)]
struct StatisticsQuery {
    #[serde(default)]
    year: String,
}

/// The numbers behind the statistics page, also used by its tests.
pub struct Statistics {
    pub counters: lists::Counters,
    pub cases: usize,
    pub by_month: Vec<(String, i64)>,
    pub by_kind: Vec<(String, i64)>,
    pub by_province: Vec<(String, i64)>,
    pub by_status: Vec<(String, i64)>,
    pub by_channel: Vec<(String, i64)>,
    pub hours_to_verify: Option<f64>,
    pub hours_to_handle: Option<f64>,
    pub hours_to_respond: Option<f64>,
}

pub async fn compute(
    state: &AppState,
    lang: Lang,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    scope: Option<AreaId>,
) -> AppResult<Statistics> {
    let facts = lists::case_facts(&state.db, from, until, scope).await?;
    let counters = lists::counters(&state.db, from, until, scope).await?;
    let months = counted(facts.iter().map(|f| vietnam_date(f.received_at).month()));
    let by_month = (1..=12)
        .map(|m| (format!("{m:02}"), months.get(&m).copied().unwrap_or(0)))
        .collect();
    let kinds = counted(facts.iter().map(|f| f.kind.clone()));
    let by_kind = PollutionKind::ALL
        .iter()
        .map(|k| {
            (
                kind_label(lang, *k).to_owned(),
                kinds.get(k.code()).copied().unwrap_or(0),
            )
        })
        .collect();
    let provinces = counted(
        facts
            .iter()
            .map(|f| f.province_name.clone().unwrap_or_else(|| "—".into())),
    );
    let mut by_province: Vec<(String, i64)> = provinces.into_iter().collect();
    by_province.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let statuses = counted(facts.iter().map(|f| f.status.clone()));
    let by_status = CaseStatus::ALL
        .iter()
        .filter(|s| **s != CaseStatus::Duplicate)
        .map(|s| {
            (
                status_label(lang, *s).to_owned(),
                statuses.get(s.code()).copied().unwrap_or(0),
            )
        })
        .collect();
    let channels: BTreeMap<String, i64> = lists::reports_by_channel(&state.db, from, until, scope)
        .await?
        .into_iter()
        .collect();
    let by_channel = Channel::ALL
        .iter()
        .map(|c| {
            (
                channel_label(lang, *c).to_owned(),
                channels.get(c.code()).copied().unwrap_or(0),
            )
        })
        .collect();
    Ok(Statistics {
        counters,
        cases: facts.len(),
        by_month,
        by_kind,
        by_province,
        by_status,
        by_channel,
        hours_to_verify: average_hours(&facts, |f| f.verified_at),
        hours_to_handle: average_hours(&facts, |f| f.handled_at),
        hours_to_respond: average_hours(&facts, |f| f.responded_at),
    })
}

fn hours(lang: Lang, value: Option<f64>) -> String {
    match value {
        Some(h) if h >= 48.0 => format!("{:.1} {}", h / 24.0, t(lang, "hotline.days")),
        Some(h) => format!("{h:.1} {}", t(lang, "hotline.hours")),
        None => "—".into(),
    }
}

async fn statistics(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<StatisticsQuery>,
) -> AppResult<Response> {
    let access = access(&state, &ctx).await?;
    let lang = ctx.lang;
    let year = query
        .year
        .parse()
        .unwrap_or_else(|_| crate::vietnam_today().year());
    let (from, until) = year_bounds(year);
    let stats = compute(&state, lang, from, until, access.province_scope()).await?;
    let body = html! {
        h1 { (t(lang, "hotline.statistics")) " " (year) }
        form.filters method="get" action="/hotline/statistics" {
            label { (t(lang, "hotline.year")) " " input type="number" name="year" value=(year) min="2000" max="2100"; }
            button type="submit" { (t(lang, "list.filter")) }
        }
        section.cards {
            div.card { span.count { (stats.counters.received) } span.label { (t(lang, "hotline.counter.received")) } }
            div.card { span.count { (stats.counters.verified) } span.label { (t(lang, "hotline.counter.verified")) } }
            div.card { span.count { (stats.counters.handled) } span.label { (t(lang, "hotline.counter.handled")) } }
            div.card { span.count { (stats.counters.responded) } span.label { (t(lang, "hotline.counter.responded")) } }
        }
        dl.facts {
            dt { (t(lang, "hotline.time_to_verify")) } dd { (hours(lang, stats.hours_to_verify)) }
            dt { (t(lang, "hotline.time_to_handle")) } dd { (hours(lang, stats.hours_to_handle)) }
            dt { (t(lang, "hotline.time_to_respond")) } dd { (hours(lang, stats.hours_to_respond)) }
        }
        (bar_chart(t(lang, "hotline.by_month"), &stats.by_month))
        (bar_chart(t(lang, "hotline.by_kind"), &stats.by_kind))
        (bar_chart(t(lang, "hotline.by_channel"), &stats.by_channel))
        (bar_chart(t(lang, "hotline.by_status"), &stats.by_status))
        (bar_chart(t(lang, "hotline.by_province"), &stats.by_province))
    };
    Ok(page(&ctx, t(lang, "hotline.statistics"), body).into_response())
}

#[derive(Deserialize, Default)]
struct SummaryQuery {
    #[serde(default)]
    province_id: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    format: Option<String>,
}

/// The monthly summary a province sends before the 25th: the counters of the month and
/// its cases (no reporter).
async fn summary(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<SummaryQuery>,
) -> AppResult<Response> {
    let access = access(&state, &ctx).await?;
    let lang = ctx.lang;
    let today = crate::vietnam_today();
    let month = NaiveDate::parse_from_str(&format!("{}-01", query.month.trim()), "%Y-%m-%d")
        .unwrap_or_else(|_| today.with_day(1).unwrap_or(today));
    let next = month
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(month);
    let places = Places::load(&state).await?;
    let province = match access {
        HotlineAccess::ProvinceOfficer(p) => Some(p),
        _ => query.province_id.trim().parse().ok().map(AreaId),
    };
    let (from, until) = (start_of_vietnam_day(month), start_of_vietnam_day(next));
    let counters = lists::counters(&state.db, from, until, province).await?;
    let filter = CaseFilter {
        from: Some(from),
        until: Some(until),
        routed_to: province,
        ..Default::default()
    };
    let cases = lists::cases(&state.db, &filter, 0, 100_000).await?;
    let province_name = province
        .and_then(|p| places.provinces.iter().find(|a| a.id == p))
        .map(|a| a.name.clone())
        .unwrap_or_else(|| t(lang, "hotline.all_provinces").to_owned());
    let month_code = month.format("%Y-%m").to_string();
    if let Some(format) = Format::parse(query.format.as_deref()) {
        let mut table = super::cases::cases_table(lang, &cases);
        table.sheet = format!("{} {month_code}", t(lang, "hotline.summary"));
        for (key, value) in [
            ("hotline.counter.received", counters.received),
            ("hotline.counter.verified", counters.verified),
            ("hotline.counter.handled", counters.handled),
            ("hotline.counter.responded", counters.responded),
        ] {
            let mut row = vec![String::new(); table.headers.len()];
            row[0] = t(lang, key).to_owned();
            row[1] = value.to_string();
            table.rows.push(row);
        }
        return table.respond(format, &format!("bao-cao-thang-{month_code}"));
    }
    let due = month.with_day(25).unwrap_or(month);
    let base = format!(
        "/hotline/summary?month={month_code}{}",
        province
            .map(|p| format!("&province_id={p}"))
            .unwrap_or_default()
    );
    let body = html! {
        h1 { (t(lang, "hotline.summary")) " " (month.format("%m/%Y")) " · " (province_name) }
        p.hint { (t(lang, "hotline.summary_due")) " " (due.format("%d/%m/%Y")) }
        form.filters method="get" action="/hotline/summary" {
            label { (t(lang, "hotline.month")) " " input type="month" name="month" value=(month_code); }
            @if !matches!(access, HotlineAccess::ProvinceOfficer(_)) {
                label { (t(lang, "hotline.province")) " "
                    select name="province_id" {
                        option value="" { (t(lang, "hotline.all_provinces")) }
                        @for p in &places.provinces { option value=(p.id) selected[Some(p.id) == province] { (p.name) } }
                    }
                }
            }
            button type="submit" { (t(lang, "list.filter")) }
        }
        table.list {
            tbody {
                tr { th { (t(lang, "hotline.counter.received")) } td { (counters.received) } }
                tr { th { (t(lang, "hotline.counter.verified")) } td { (counters.verified) } }
                tr { th { (t(lang, "hotline.counter.handled")) } td { (counters.handled) } }
                tr { th { (t(lang, "hotline.counter.responded")) } td { (counters.responded) } }
            }
        }
        h2 { (t(lang, "hotline.cases")) " (" (cases.len()) ")" }
        ul { @for c in &cases { li { a href={ "/hotline/cases/" (c.id) } { "#" (c.id) } " " (c.title) " · " (status_label(lang, c.status)) } } }
        (export_links(lang, &base))
    };
    Ok(page(&ctx, t(lang, "hotline.summary"), body).into_response())
}

/// Vietnam's extent, for placing points without any map tiles.
const WEST: f64 = 102.0;
const EAST: f64 = 110.0;
const NORTH: f64 = 23.5;
const SOUTH: f64 = 8.0;

/// Cases with coordinates as points of an SVG drawn on the server: nothing is loaded from
/// a tile server, so the map works on an office network without internet.
pub fn map_svg(lang: Lang, facts: &[CaseFact]) -> String {
    let (width, height) = (400.0, 700.0);
    let mut svg = format!(
        "<svg class=\"map\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"{width}\" height=\"{height}\" fill=\"#eef4f7\"/>",
        escape(t(lang, "hotline.map"))
    );
    for f in facts {
        let (Some(lat), Some(long)) = (f.latitude, f.longitude) else {
            continue;
        };
        if !(SOUTH..=NORTH).contains(&lat) || !(WEST..=EAST).contains(&long) {
            continue;
        }
        let x = (long - WEST) / (EAST - WEST) * width;
        let y = (NORTH - lat) / (NORTH - SOUTH) * height;
        let open = CaseStatus::parse(&f.status)
            .map(|s| s.is_open())
            .unwrap_or(false);
        let kind = PollutionKind::parse(&f.kind)
            .map(|k| kind_label(lang, k))
            .unwrap_or("");
        svg.push_str(&format!(
            "<a href=\"/hotline/cases/{}\"><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{}\" fill-opacity=\"0.7\"><title>#{} {}</title></circle></a>",
            f.id,
            if open { "#c0392b" } else { "#2f6f4f" },
            f.id,
            escape(kind)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The same points on the operator's map tiles (Web Mercator at a zoom that shows the
/// whole country), the tiles as images under the points. If the tile server cannot be
/// reached, the background and the points remain.
pub fn tiled_map_svg(lang: Lang, facts: &[CaseFact], layer: &crate::tiles::TileLayer) -> String {
    use crate::tiles::{covering, project};
    let (left, top) = project(NORTH, WEST);
    let (right, bottom) = project(SOUTH, EAST);
    let (width, height) = (right - left, bottom - top);
    let mut svg = format!(
        "<svg class=\"map\" role=\"img\" aria-label=\"{}\" viewBox=\"{left:.1} {top:.1} {width:.1} {height:.1}\" width=\"{width:.0}\" height=\"{height:.0}\" xmlns=\"http://www.w3.org/2000/svg\"><rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{width:.1}\" height=\"{height:.1}\" fill=\"#eef4f7\"/>",
        escape(t(lang, "hotline.map"))
    );
    for (x, y, px, py) in covering(left, top, right, bottom) {
        svg.push_str(&format!(
            "<image href=\"{}\" x=\"{px}\" y=\"{py}\" width=\"256\" height=\"256\"/>",
            escape(&layer.url(crate::tiles::ZOOM, x, y))
        ));
    }
    for f in facts {
        let (Some(lat), Some(long)) = (f.latitude, f.longitude) else {
            continue;
        };
        if !(SOUTH..=NORTH).contains(&lat) || !(WEST..=EAST).contains(&long) {
            continue;
        }
        let (x, y) = project(lat, long);
        let open = CaseStatus::parse(&f.status)
            .map(|s| s.is_open())
            .unwrap_or(false);
        let kind = PollutionKind::parse(&f.kind)
            .map(|k| kind_label(lang, k))
            .unwrap_or("");
        svg.push_str(&format!(
            "<a href=\"/hotline/cases/{}\"><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{}\" fill-opacity=\"0.8\" stroke=\"#fff\"><title>#{} {}</title></circle></a>",
            f.id,
            if open { "#c0392b" } else { "#2f6f4f" },
            f.id,
            escape(kind)
        ));
    }
    svg.push_str("</svg>");
    svg
}

async fn map(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<StatisticsQuery>,
) -> AppResult<Response> {
    let access = access(&state, &ctx).await?;
    let lang = ctx.lang;
    let year = query
        .year
        .parse()
        .unwrap_or_else(|_| crate::vietnam_today().year());
    let (from, until) = year_bounds(year);
    let facts = lists::case_facts(&state.db, from, until, access.province_scope()).await?;
    let body = html! {
        h1 { (t(lang, "hotline.map")) " " (year) }
        p.hint { (t(lang, "hotline.map_hint")) }
        @match &state.config.map_tiles {
            Some(layer) => {
                (PreEscaped(tiled_map_svg(lang, &facts, layer)))
                @if !layer.attribution.is_empty() { p.attribution.muted { (layer.attribution) } }
            }
            None => { (PreEscaped(map_svg(lang, &facts))) }
        }
    };
    Ok(page(&ctx, t(lang, "hotline.map"), body).into_response())
}
