//! The registers of Decree 30/2020 on screen and as downloads: the incoming register, the
//! outgoing register and the incoming follow-up book, for any period, in the decree's
//! column layout. The screen shows 200 rows a page; XLSX, PDF and CSV hold every row of
//! the same filter (up to a cap, with a note when it is reached).

use super::read_scope;
use crate::context::SignedIn;
use crate::error::{AppError, AppResult, FieldError};
use crate::export::Table;
use crate::i18n::{t, Lang};
use crate::layout::{error_summary, page, select, Field};
use crate::pdf::{self, Align};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use maud::{html, Markup};
use serde::Deserialize;
use vanphong_core::auth::Secrecy;
use vanphong_core::document::kind::{DocumentType, Urgency};
use vanphong_core::document::outgoing::SigningAuthority;
use vanphong_core::ids::UnitId;
use vanphong_core::permission::ReadScope;
use vanphong_store::documents::registers::{
    self, FollowUpEntry, IncomingEntry, OutgoingEntry, Register, RegisterFilter,
};
use vanphong_store::org;

/// Rows on one screen page.
pub const PAGE_SIZE: i64 = 200;
/// Rows in one download; a larger period is cut here, with a note saying so.
pub const EXPORT_LIMIT: i64 = 100_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/registers", get(index))
        .route("/registers/incoming", get(incoming_page))
        .route("/registers/outgoing", get(outgoing_page))
        .route("/registers/follow-up", get(follow_up_page))
}

async fn index() -> Response {
    axum::response::Redirect::to("/registers/incoming").into_response()
}

async fn incoming_page(
    state: State<AppState>,
    ctx: SignedIn,
    query: Query<RegisterQuery>,
) -> AppResult<Response> {
    register_page(state, ctx, query, Register::Incoming).await
}

async fn outgoing_page(
    state: State<AppState>,
    ctx: SignedIn,
    query: Query<RegisterQuery>,
) -> AppResult<Response> {
    register_page(state, ctx, query, Register::Outgoing).await
}

async fn follow_up_page(
    state: State<AppState>,
    ctx: SignedIn,
    query: Query<RegisterQuery>,
) -> AppResult<Response> {
    register_page(state, ctx, query, Register::FollowUp).await
}

/// The query string of a register: `?from=YYYY-MM-DD&to=YYYY-MM-DD&unit_id=N&page=N&format=xlsx|pdf|csv`.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct RegisterQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    unit_id: Option<String>,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Download {
    Csv,
    Xlsx,
    Pdf,
}

impl Download {
    fn parse(value: Option<&str>) -> Option<Self> {
        match value?.trim() {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            "pdf" => Some(Self::Pdf),
            _ => None,
        }
    }
}

/// Vietnam's time: dates of events are the dates in Hà Nội.
fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

fn today() -> NaiveDate {
    Utc::now().with_timezone(&vietnam()).date_naive()
}

/// A date as typed: `2026-11-30` (what date inputs send) or `30/11/2026`.
fn parse_date(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d/%m/%Y"))
        .ok()?;
    (1..=9999).contains(&date.year()).then_some(date)
}

fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn month_end(date: NaiveDate) -> NaiveDate {
    let (year, month) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(date)
}

/// The filter from the query, or the fields in error. An empty period is the current
/// month; a missing end is the end of the start's month, a missing start the start of
/// the end's month.
fn parse_filter(
    query: &RegisterQuery,
    today: NaiveDate,
) -> Result<RegisterFilter, Vec<FieldError>> {
    let mut errors = Vec::new();
    let typed = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let from = match typed(&query.from) {
        None => None,
        Some(v) => match parse_date(&v) {
            Some(d) => Some(d),
            None => {
                errors.push(FieldError::new("from", "registers.date_invalid"));
                None
            }
        },
    };
    let to = match typed(&query.to) {
        None => None,
        Some(v) => match parse_date(&v) {
            Some(d) => Some(d),
            None => {
                errors.push(FieldError::new("to", "registers.date_invalid"));
                None
            }
        },
    };
    let unit = match typed(&query.unit_id) {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(id) if id > 0 => Some(UnitId(id)),
            _ => {
                errors.push(FieldError::new("unit_id", "form.unknown_value"));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let (from, to) = match (from, to) {
        (Some(from), Some(to)) => (from, to),
        (Some(from), None) => (from, month_end(from)),
        (None, Some(to)) => (month_start(to), to),
        (None, None) => (month_start(today), month_end(today)),
    };
    if to < from {
        return Err(vec![FieldError::new("to", "registers.period_reversed")]);
    }
    Ok(RegisterFilter { from, to, unit })
}

fn date(value: Option<NaiveDate>) -> String {
    value
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

fn local_date(value: Option<DateTime<Utc>>) -> String {
    date(value.map(|v| v.with_timezone(&vietnam()).date_naive()))
}

fn iso(value: NaiveDate) -> String {
    value.format("%Y-%m-%d").to_string()
}

fn title_key(register: Register) -> &'static str {
    match register {
        Register::Incoming => "registers.incoming.title",
        Register::Outgoing => "registers.outgoing.title",
        Register::FollowUp => "registers.follow_up.title",
    }
}

fn sheet_key(register: Register) -> &'static str {
    match register {
        Register::Incoming => "registers.incoming.sheet",
        Register::Outgoing => "registers.outgoing.sheet",
        Register::FollowUp => "registers.follow_up.sheet",
    }
}

fn file_stem(register: Register, filter: &RegisterFilter) -> String {
    let name = match register {
        Register::Incoming => "so-dang-ky-van-ban-den",
        Register::Outgoing => "so-dang-ky-van-ban-di",
        Register::FollowUp => "so-theo-doi-giai-quyet-van-ban-den",
    };
    format!("{name}_{}_{}", iso(filter.from), iso(filter.to))
}

/// A column of a register: its catalogue key, its share of the printed width, and
/// whether its cells are centred (dates and numbers).
struct ColumnSpec {
    key: &'static str,
    width: f32,
    align: Align,
}

const fn column(key: &'static str, width: f32, align: Align) -> ColumnSpec {
    ColumnSpec { key, width, align }
}

/// The columns of each book, in the order of the decree's forms (Appendix IV).
fn columns(register: Register) -> &'static [ColumnSpec] {
    const INCOMING: &[ColumnSpec] = &[
        column("registers.col.arrival_date", 7.0, Align::Center),
        column("registers.col.arrival_number", 5.0, Align::Center),
        column("registers.col.sender", 13.0, Align::Left),
        column("registers.col.number_symbol", 12.5, Align::Left),
        column("registers.col.document_date", 7.0, Align::Center),
        column("registers.col.type_subject", 23.0, Align::Left),
        column("registers.col.receiver", 12.5, Align::Left),
        column("registers.col.passed_on", 7.0, Align::Center),
        column("registers.col.signature", 6.5, Align::Left),
        column("registers.col.notes", 8.5, Align::Left),
    ];
    const OUTGOING: &[ColumnSpec] = &[
        column("registers.col.number_symbol", 12.5, Align::Left),
        column("registers.col.document_date", 7.0, Align::Center),
        column("registers.col.type_subject", 22.0, Align::Left),
        column("registers.col.signer", 11.0, Align::Left),
        column("registers.col.recipients", 14.0, Align::Left),
        column("registers.col.file_copy", 10.0, Align::Left),
        column("registers.col.copies", 5.0, Align::Center),
        column("registers.col.sent_on", 7.0, Align::Center),
        column("registers.col.signature", 6.5, Align::Left),
        column("registers.col.notes", 8.5, Align::Left),
    ];
    const FOLLOW_UP: &[ColumnSpec] = &[
        column("registers.col.arrival_number", 5.0, Align::Center),
        column("registers.col.document", 32.0, Align::Left),
        column("registers.col.receiver", 13.0, Align::Left),
        column("registers.col.due_date", 7.5, Align::Center),
        column("registers.col.progress", 19.0, Align::Left),
        column("registers.col.reply", 11.0, Align::Left),
        column("registers.col.notes", 9.0, Align::Left),
    ];
    match register {
        Register::Incoming => INCOMING,
        Register::Outgoing => OUTGOING,
        Register::FollowUp => FOLLOW_UP,
    }
}

/// One row as text cells; paragraphs inside a cell are separated by `\n`.
struct Row {
    document_id: i64,
    cells: Vec<String>,
    overdue: bool,
}

fn type_name(lang: Lang, code: &str) -> &'static str {
    match DocumentType::by_code(code) {
        Ok(kind) => match lang {
            Lang::Vi => kind.name_vi,
            Lang::En => kind.name_en,
        },
        Err(_) => "",
    }
}

fn type_and_subject(lang: Lang, code: &str, subject: &str) -> String {
    let name = type_name(lang, code);
    if name.is_empty() {
        subject.to_owned()
    } else {
        format!("{name}\n{subject}")
    }
}

fn arrival_number(number: Option<i64>) -> String {
    number.map(|n| format!("{n:02}")).unwrap_or_default()
}

/// The notes cell: the urgency and secrecy marks, a recall, then the clerk's notes.
fn notes(lang: Lang, urgency: i64, secrecy: i64, recalled: bool, text: &str) -> String {
    let mut marks = Vec::new();
    match Urgency::from_rank(urgency) {
        Ok(Urgency::Urgent) => marks.push(t(lang, "registers.urgency.urgent")),
        Ok(Urgency::VeryUrgent) => marks.push(t(lang, "registers.urgency.very_urgent")),
        Ok(Urgency::Flash) => marks.push(t(lang, "registers.urgency.flash")),
        _ => {}
    }
    match Secrecy::from_rank(secrecy) {
        Ok(Secrecy::Confidential) => marks.push(t(lang, "secrecy.confidential")),
        Ok(Secrecy::Secret) => marks.push(t(lang, "secrecy.secret")),
        Ok(Secrecy::TopSecret) => marks.push(t(lang, "secrecy.top_secret")),
        _ => {}
    }
    if recalled {
        marks.push(t(lang, "registers.recalled"));
    }
    let mut out = marks.join(", ");
    if !text.trim().is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(text.trim());
    }
    out
}

/// Who received it: the lead unit and its handler once routed, else the leader it was
/// put before.
fn receiver(
    lead_unit: &Option<String>,
    handler: &Option<String>,
    leader: &Option<String>,
) -> String {
    match (lead_unit, handler) {
        (Some(unit), Some(handler)) => format!("{unit}\n{handler}"),
        (Some(unit), None) => unit.clone(),
        (None, _) => leader.clone().unwrap_or_default(),
    }
}

fn incoming_row(lang: Lang, e: &IncomingEntry) -> Row {
    Row {
        document_id: e.document_id,
        overdue: false,
        cells: vec![
            date(e.arrival_date),
            arrival_number(e.arrival_number),
            e.sender.clone(),
            e.number_symbol.clone().unwrap_or_default(),
            date(e.document_date),
            type_and_subject(lang, &e.type_code, &e.subject),
            receiver(&e.lead_unit, &e.handler, &e.leader),
            local_date(e.passed_on),
            String::new(),
            notes(lang, e.urgency, e.secrecy, false, &e.notes),
        ],
    }
}

fn status_label(lang: Lang, e: &FollowUpEntry) -> &'static str {
    match e.lead_status.as_deref() {
        Some("assigned") => t(lang, "registers.progress.assigned"),
        Some("handler_assigned") => t(lang, "registers.progress.handler_assigned"),
        Some("in_progress") => t(lang, "registers.progress.in_progress"),
        Some("done") => t(lang, "registers.progress.done"),
        Some("returned") => t(lang, "registers.progress.returned"),
        _ => match e.status.as_str() {
            "awaiting_instruction" => t(lang, "registers.progress.awaiting_instruction"),
            "in_progress" => t(lang, "registers.progress.in_progress"),
            "done" => t(lang, "registers.progress.done"),
            _ => t(lang, "registers.progress.registered"),
        },
    }
}

fn is_finished(e: &FollowUpEntry) -> bool {
    e.lead_status.as_deref() == Some("done") || e.status == "done"
}

fn follow_up_row(lang: Lang, e: &FollowUpEntry, today: NaiveDate) -> Row {
    let mut document = type_name(lang, &e.type_code).to_owned();
    if let Some(number) = &e.number_symbol {
        document = format!("{document} {} {number}", t(lang, "registers.number_word"));
    }
    if e.document_date.is_some() {
        document = format!(
            "{document} {} {}",
            t(lang, "registers.dated_word"),
            date(e.document_date)
        );
    }
    if !e.sender.is_empty() {
        document = format!(
            "{document} {} {}",
            t(lang, "registers.issuer_word"),
            e.sender
        );
    }
    let document = format!("{}\n{}", document.trim(), e.subject);
    let overdue = !is_finished(e) && e.due_date.is_some_and(|due| due < today);
    let mut progress = status_label(lang, e).to_owned();
    if is_finished(e) && e.finished_at.is_some() {
        progress = format!("{progress} {}", local_date(e.finished_at));
    }
    if overdue {
        progress = format!("{progress} — {}", t(lang, "registers.overdue"));
    }
    if let Some(note) = e.last_note.as_deref().filter(|n| !n.trim().is_empty()) {
        let percent = e
            .last_note_percent
            .map(|p| format!(" ({p}%)"))
            .unwrap_or_default();
        progress = format!(
            "{progress}\n{}: {}{percent}",
            local_date(e.last_note_at),
            note.trim()
        );
    }
    Row {
        document_id: e.document_id,
        overdue,
        cells: vec![
            arrival_number(e.arrival_number),
            document,
            receiver(&e.lead_unit, &e.handler, &e.leader),
            date(e.due_date),
            progress,
            e.reply_number_symbol.clone().unwrap_or_default(),
            notes(lang, e.urgency, e.secrecy, false, &e.notes),
        ],
    }
}

fn outgoing_row(lang: Lang, e: &OutgoingEntry) -> Row {
    let prefix = SigningAuthority::parse(&e.signing_authority)
        .map(|a| a.prefix())
        .unwrap_or("");
    let position = [prefix, e.signer_position.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let signer = if position.is_empty() {
        e.signer_name.clone()
    } else {
        format!("{}\n{position}", e.signer_name)
    };
    let recipients = if e.recipients_text.trim().is_empty() {
        e.dispatched_to.join("\n")
    } else {
        e.recipients_text.trim().to_owned()
    };
    Row {
        document_id: e.document_id,
        overdue: false,
        cells: vec![
            e.number_symbol.clone().unwrap_or_default(),
            date(e.document_date.or(e.issued_on)),
            type_and_subject(lang, &e.type_code, &e.subject),
            signer,
            recipients,
            e.file_unit.clone().unwrap_or_default(),
            e.copies.map(|c| c.to_string()).unwrap_or_default(),
            local_date(e.sent_at),
            String::new(),
            notes(lang, e.urgency, e.secrecy, e.status == "recalled", &e.notes),
        ],
    }
}

/// Loads `limit` rows from `offset` of the register as text rows.
async fn load_rows(
    state: &AppState,
    scope: &ReadScope,
    user: vanphong_core::ids::UserId,
    register: Register,
    filter: &RegisterFilter,
    lang: Lang,
    offset: i64,
    limit: i64,
) -> AppResult<Vec<Row>> {
    let db = &state.db;
    Ok(match register {
        Register::Incoming => registers::incoming(db, scope, user, filter, offset, limit)
            .await?
            .iter()
            .map(|e| incoming_row(lang, e))
            .collect(),
        Register::Outgoing => registers::outgoing(db, scope, user, filter, offset, limit)
            .await?
            .iter()
            .map(|e| outgoing_row(lang, e))
            .collect(),
        Register::FollowUp => {
            let today = today();
            registers::follow_up(db, scope, user, filter, offset, limit)
                .await?
                .iter()
                .map(|e| follow_up_row(lang, e, today))
                .collect()
        }
    })
}

/// Everything a download needs besides the rows.
struct Book {
    register: Register,
    lang: Lang,
    agency: String,
    period: String,
    unit: Option<String>,
    /// Set when the period holds more rows than a download may.
    cut_note: Option<String>,
    made: String,
}

impl Book {
    fn title(&self) -> &'static str {
        t(self.lang, title_key(self.register))
    }

    fn headers(&self) -> Vec<String> {
        columns(self.register)
            .iter()
            .map(|c| t(self.lang, c.key).to_owned())
            .collect()
    }

    /// The lines under the title: the period, the unit, the note about a cut.
    fn subtitle(&self) -> Vec<String> {
        let mut lines = vec![self.period.clone()];
        if let Some(unit) = &self.unit {
            lines.push(format!("{}: {unit}", t(self.lang, "registers.unit")));
        }
        if let Some(note) = &self.cut_note {
            lines.push(note.clone());
        }
        lines
    }

    fn csv(&self, rows: &[Row]) -> AppResult<Vec<u8>> {
        let mut table_rows: Vec<Vec<String>> = rows.iter().map(|r| r.cells.clone()).collect();
        if let Some(note) = &self.cut_note {
            // The note goes in the first column of a last row of the same width.
            let mut row = vec![String::new(); columns(self.register).len()];
            row[0] = note.clone();
            table_rows.push(row);
        }
        Table {
            sheet: t(self.lang, sheet_key(self.register)).to_owned(),
            headers: self.headers(),
            rows: table_rows,
        }
        .to_csv()
    }

    /// One sheet: the agency, the title and the period above the table, the column
    /// headers with the decree's column numbers, then the rows; set up to print on A4
    /// landscape with the headers repeated on every page.
    fn xlsx(&self, rows: &[Row]) -> AppResult<Vec<u8>> {
        use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
        let internal = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
        let specs = columns(self.register);
        let last = (specs.len() - 1) as u16;
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        let name: String = t(self.lang, sheet_key(self.register))
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        sheet.set_name(&name).map_err(internal)?;
        let font = "Times New Roman";
        let agency = Format::new().set_bold().set_font_name(font);
        let title = Format::new()
            .set_bold()
            .set_font_name(font)
            .set_font_size(14)
            .set_align(FormatAlign::Center);
        let centred = Format::new()
            .set_font_name(font)
            .set_align(FormatAlign::Center);
        let head = Format::new()
            .set_bold()
            .set_font_name(font)
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin)
            .set_background_color(rust_xlsxwriter::Color::RGB(0xE4E4E4));
        let number = Format::new()
            .set_font_name(font)
            .set_font_size(9)
            .set_align(FormatAlign::Center)
            .set_border(FormatBorder::Thin);
        let cell = Format::new()
            .set_font_name(font)
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        let cell_centred = cell.clone().set_align(FormatAlign::Center);
        let mut row: u32 = 0;
        sheet
            .merge_range(
                row,
                0,
                row,
                last.min(4),
                &self.agency.to_uppercase(),
                &agency,
            )
            .map_err(internal)?;
        row += 1;
        sheet
            .merge_range(row, 0, row, last, &self.title().to_uppercase(), &title)
            .map_err(internal)?;
        for line in self.subtitle() {
            row += 1;
            sheet
                .merge_range(row, 0, row, last, &line, &centred)
                .map_err(internal)?;
        }
        row += 2;
        let header_row = row;
        for (c, spec) in specs.iter().enumerate() {
            let c = c as u16;
            sheet
                .write_string_with_format(row, c, t(self.lang, spec.key), &head)
                .map_err(internal)?;
            sheet
                .write_string_with_format(row + 1, c, format!("({})", c + 1), &number)
                .map_err(internal)?;
            sheet
                .set_column_width(c, f64::from(spec.width) * 1.45)
                .map_err(internal)?;
        }
        sheet.set_row_height(row, 32).map_err(internal)?;
        row += 2;
        for r in rows {
            for (c, (text, spec)) in r.cells.iter().zip(specs).enumerate() {
                let format = if spec.align == Align::Center {
                    &cell_centred
                } else {
                    &cell
                };
                // write_string never interprets a formula.
                sheet
                    .write_string_with_format(row, c as u16, text, format)
                    .map_err(internal)?;
            }
            row += 1;
        }
        if rows.is_empty() {
            sheet
                .merge_range(row, 0, row, last, t(self.lang, "registers.empty"), &centred)
                .map_err(internal)?;
        }
        sheet.set_landscape();
        sheet.set_paper_size(9);
        sheet.set_print_fit_to_pages(1, 0);
        sheet
            .set_repeat_rows(header_row, header_row + 1)
            .map_err(internal)?;
        workbook.save_to_buffer().map_err(internal)
    }

    fn pdf_report(&self, rows: Vec<Row>) -> pdf::TableReport {
        pdf::TableReport {
            agency: self.agency.clone(),
            title: self.title().to_owned(),
            subtitle: self.subtitle(),
            columns: columns(self.register)
                .iter()
                .map(|c| pdf::Column {
                    title: t(self.lang, c.key).to_owned(),
                    width: c.width,
                    align: c.align,
                })
                .collect(),
            rows: rows.into_iter().map(|r| r.cells).collect(),
            empty_text: t(self.lang, "registers.empty").to_owned(),
            page_label: t(self.lang, "registers.page_label").to_owned(),
            footer: self.made.clone(),
            language: self.lang.code().to_owned(),
        }
    }
}

fn download(bytes: Vec<u8>, content_type: &str, file_name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The query string for the same filter, for links.
fn filter_query(filter: &RegisterFilter) -> String {
    let mut query = format!("from={}&to={}", iso(filter.from), iso(filter.to));
    if let Some(unit) = filter.unit {
        query.push_str(&format!("&unit_id={}", unit.0));
    }
    query
}

fn register_path(register: Register) -> String {
    format!("/registers/{}", register.code())
}

async fn register_page(
    State(state): State<AppState>,
    ctx: SignedIn,
    Query(query): Query<RegisterQuery>,
    register: Register,
) -> AppResult<Response> {
    let scope = read_scope(&state, &ctx).await?;
    let lang = ctx.lang;
    let user = ctx.user().id;
    let units: Vec<org::Unit> = org::units(&state.db)
        .await?
        .into_iter()
        .filter(|u| scope.units.as_ref().is_none_or(|list| list.contains(&u.id)))
        .collect();
    let filter = match parse_filter(&query, today()) {
        Ok(filter) => filter,
        Err(errors) => {
            let body = render(&RenderInput {
                lang,
                register,
                query: &query,
                units: &units,
                errors: &errors,
                listing: None,
            });
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&ctx, t(lang, title_key(register)), body),
            )
                .into_response());
        }
    };
    let total = registers::count(&state.db, &scope, user, register, &filter).await?;
    if let Some(format) = Download::parse(query.format.as_deref()) {
        let rows = load_rows(
            &state,
            &scope,
            user,
            register,
            &filter,
            lang,
            0,
            EXPORT_LIMIT,
        )
        .await?;
        let agency = org::agency(&state.db)
            .await?
            .map(|a| a.name)
            .unwrap_or_default();
        let unit = filter
            .unit
            .and_then(|id| units.iter().find(|u| u.id == id))
            .map(|u| u.name.clone());
        let cut_note = cut_note(lang, total, EXPORT_LIMIT);
        let made = t(lang, "registers.made_by")
            .replace(
                "{time}",
                &Utc::now()
                    .with_timezone(&vietnam())
                    .format("%d/%m/%Y %H:%M")
                    .to_string(),
            )
            .replace("{name}", &ctx.user().full_name);
        let book = Book {
            register,
            lang,
            agency,
            period: period_text(lang, &filter),
            unit,
            cut_note,
            made,
        };
        let stem = file_stem(register, &filter);
        tracing::info!(
            register = register.code(),
            format = ?format,
            rows = rows.len(),
            from = %filter.from,
            to = %filter.to,
            "A register was downloaded."
        );
        return Ok(match format {
            Download::Csv => download(
                book.csv(&rows)?,
                "text/csv; charset=utf-8",
                &format!("{stem}.csv"),
            ),
            Download::Xlsx => download(
                book.xlsx(&rows)?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("{stem}.xlsx"),
            ),
            Download::Pdf => {
                let report = book.pdf_report(rows);
                // Laying out thousands of pages takes seconds: keep it off the async workers.
                let bytes = tokio::task::spawn_blocking(move || pdf::render(&report))
                    .await
                    .map_err(|e| AppError::Internal(e.into()))?
                    .map_err(|e| AppError::Internal(e.into()))?;
                download(bytes, "application/pdf", &format!("{stem}.pdf"))
            }
        });
    }
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let current = query
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let rows = load_rows(
        &state,
        &scope,
        user,
        register,
        &filter,
        lang,
        (current - 1) * PAGE_SIZE,
        PAGE_SIZE,
    )
    .await?;
    let body = render(&RenderInput {
        lang,
        register,
        query: &query,
        units: &units,
        errors: &[],
        listing: Some(Listing {
            filter: &filter,
            rows: &rows,
            total,
            page: current,
            pages,
        }),
    });
    Ok(page(&ctx, t(lang, title_key(register)), body).into_response())
}

/// The note on a download cut at `limit` rows, when the period holds more.
fn cut_note(lang: Lang, total: i64, limit: i64) -> Option<String> {
    (total > limit).then(|| {
        t(lang, "registers.cut_note")
            .replace("{shown}", &limit.to_string())
            .replace("{total}", &total.to_string())
    })
}

fn period_text(lang: Lang, filter: &RegisterFilter) -> String {
    t(lang, "registers.period")
        .replace("{from}", &date(Some(filter.from)))
        .replace("{to}", &date(Some(filter.to)))
}

struct Listing<'a> {
    filter: &'a RegisterFilter,
    rows: &'a [Row],
    total: i64,
    page: i64,
    pages: i64,
}

struct RenderInput<'a> {
    lang: Lang,
    register: Register,
    query: &'a RegisterQuery,
    units: &'a [org::Unit],
    errors: &'a [FieldError],
    listing: Option<Listing<'a>>,
}

fn cell(text: &str) -> Markup {
    html! {
        @for (i, line) in text.split('\n').enumerate() {
            @if i > 0 { br; }
            (line)
        }
    }
}

fn render(input: &RenderInput) -> Markup {
    let lang = input.lang;
    let register = input.register;
    // The fields show what was typed after an error, and the filter in effect otherwise.
    let (from, to, unit) = match &input.listing {
        Some(listing) => (
            iso(listing.filter.from),
            iso(listing.filter.to),
            listing
                .filter
                .unit
                .map(|u| u.0.to_string())
                .unwrap_or_default(),
        ),
        None => (
            input.query.from.clone().unwrap_or_default(),
            input.query.to.clone().unwrap_or_default(),
            input.query.unit_id.clone().unwrap_or_default(),
        ),
    };
    let keep = input
        .listing
        .as_ref()
        .map(|l| filter_query(l.filter))
        .unwrap_or_default();
    let mut unit_options = vec![(String::new(), t(lang, "registers.all_units").to_owned())];
    unit_options.extend(
        input
            .units
            .iter()
            .map(|u| (u.id.to_string(), format!("{} ({})", u.name, u.abbreviation))),
    );
    let path = register_path(register);
    html! {
        h1 { (t(lang, title_key(register))) }
        nav.tabs aria-label=(t(lang, "registers.books")) {
            @for (i, other) in Register::ALL.into_iter().enumerate() {
                @if i > 0 { " · " }
                @if other == register {
                    strong aria-current="page" { (t(lang, title_key(other))) }
                } @else {
                    a href={ (register_path(other)) @if !keep.is_empty() { "?" (keep) } } {
                        (t(lang, title_key(other)))
                    }
                }
            }
        }
        (error_summary(lang, input.errors))
        form.filters method="get" action=(path) role="search" {
            (Field::text("from", t(lang, "registers.from"), &from).kind("date").render(lang, input.errors))
            (Field::text("to", t(lang, "registers.to"), &to).kind("date").render(lang, input.errors))
            (select(lang, input.errors, "unit_id", t(lang, "registers.unit"), &unit_options, &unit))
            button type="submit" { (t(lang, "registers.show")) }
        }
        @if let Some(listing) = &input.listing {
            p.count {
                (period_text(lang, listing.filter)) ": "
                strong { (listing.total) } " " (t(lang, "registers.documents"))
            }
            p.exports {
                (t(lang, "list.export")) ": "
                a href={ (path) "?" (keep) "&format=xlsx" } download { "XLSX" } " · "
                a href={ (path) "?" (keep) "&format=pdf" } download { "PDF" } " · "
                a href={ (path) "?" (keep) "&format=csv" } download { "CSV" }
                @if let Some(note) = cut_note(lang, listing.total, EXPORT_LIMIT) {
                    " " span.muted { (note) }
                }
            }
            @if listing.rows.is_empty() {
                p.muted { (t(lang, "registers.empty")) }
            } @else {
                table.list.register {
                    thead {
                        tr { @for spec in columns(register) { th scope="col" { (t(lang, spec.key)) } } }
                    }
                    tbody {
                        @for row in listing.rows {
                            tr.deadline-overdue[row.overdue] {
                                @for (c, text) in row.cells.iter().enumerate() {
                                    @if c == 0 {
                                        td { a href={ "/documents/" (row.document_id) } { (cell(text)) } }
                                    } @else {
                                        td { (cell(text)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if listing.pages > 1 {
                nav.pager aria-label=(t(lang, "list.pagination")) {
                    @if listing.page > 1 {
                        a href={ (path) "?" (keep) "&page=" (listing.page - 1) } rel="prev" { "← " (t(lang, "registers.previous_page")) }
                        " "
                    }
                    span { (t(lang, "registers.page_of").replace("{page}", &listing.page.to_string()).replace("{pages}", &listing.pages.to_string())) }
                    @if listing.page < listing.pages {
                        " "
                        a href={ (path) "?" (keep) "&page=" (listing.page + 1) } rel="next" { (t(lang, "registers.next_page")) " →" }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(from: &str, to: &str) -> RegisterQuery {
        RegisterQuery {
            from: Some(from.into()),
            to: Some(to.into()),
            ..RegisterQuery::default()
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn an_empty_period_is_the_current_month() {
        let filter = parse_filter(&RegisterQuery::default(), day(2026, 2, 14)).unwrap();
        assert_eq!(
            (filter.from, filter.to),
            (day(2026, 2, 1), day(2026, 2, 28))
        );
        let filter = parse_filter(&RegisterQuery::default(), day(2026, 12, 31)).unwrap();
        assert_eq!(
            (filter.from, filter.to),
            (day(2026, 12, 1), day(2026, 12, 31))
        );
    }

    #[test]
    fn dates_are_read_as_iso_or_as_written_in_vietnam() {
        let filter = parse_filter(&query("2026-11-01", "30/11/2026"), day(2026, 1, 1)).unwrap();
        assert_eq!(
            (filter.from, filter.to),
            (day(2026, 11, 1), day(2026, 11, 30))
        );
        let filter = parse_filter(&query("2026-11-05", ""), day(2026, 1, 1)).unwrap();
        assert_eq!(filter.to, day(2026, 11, 30));
    }

    #[test]
    fn a_period_ending_before_it_starts_is_refused_beside_the_end() {
        let errors = parse_filter(&query("2026-11-30", "2026-11-01"), day(2026, 1, 1)).unwrap_err();
        assert_eq!(
            errors,
            vec![FieldError::new("to", "registers.period_reversed")]
        );
    }

    #[test]
    fn malformed_dates_are_refused_beside_their_field() {
        let errors = parse_filter(&query("2026-13-01", "hôm qua"), day(2026, 1, 1)).unwrap_err();
        assert_eq!(
            errors,
            vec![
                FieldError::new("from", "registers.date_invalid"),
                FieldError::new("to", "registers.date_invalid")
            ]
        );
    }

    #[test]
    fn every_catalogue_key_used_here_exists_in_both_languages() {
        let source = include_str!("registers.rs");
        let mut missing = Vec::new();
        for prefix in ["\"registers.", "\"secrecy.", "\"list.", "\"form."] {
            for (at, _) in source.match_indices(prefix) {
                let key = source[at + 1..].split('"').next().unwrap_or_default();
                if key.ends_with('.') || key.ends_with(".rs") {
                    continue;
                }
                for lang in [Lang::Vi, Lang::En] {
                    if !crate::i18n::has(lang, key) {
                        missing.push(format!("{}: {key}", lang.code()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "missing from the catalogues: {missing:?}"
        );
    }

    #[test]
    fn a_cut_download_says_so_in_every_format() {
        assert_eq!(cut_note(Lang::Vi, 100_000, EXPORT_LIMIT), None);
        let note = cut_note(Lang::Vi, 3, 2).unwrap();
        assert_eq!(
            note,
            "Bản tải về chỉ gồm 2 dòng đầu trong tổng số 3 dòng; hãy chọn khoảng thời gian ngắn hơn để có đủ."
        );
        let book = Book {
            register: Register::Outgoing,
            lang: Lang::Vi,
            agency: "Sở Nông nghiệp và Môi trường".into(),
            period: "Từ ngày 01/01/2026 đến ngày 31/12/2026".into(),
            unit: None,
            cut_note: Some(note.clone()),
            made: String::new(),
        };
        let rows: Vec<Row> = (1..=2)
            .map(|i| Row {
                document_id: i,
                cells: vec![format!("0{i}/SNNMT-VP"); 10],
                overdue: false,
            })
            .collect();
        let csv = String::from_utf8(book.csv(&rows).unwrap()).unwrap();
        assert!(csv.contains(&format!("{note},,,")), "{csv}");
        let xlsx = book.xlsx(&rows).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
        let mut strings = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("xl/sharedStrings.xml").unwrap(),
            &mut strings,
        )
        .unwrap();
        assert!(strings.contains(&note) && strings.contains("SỔ ĐĂNG KÝ VĂN BẢN ĐI"));
        let pdf = crate::pdf::render(&book.pdf_report(rows)).unwrap();
        let document = lopdf::Document::load_mem(&pdf).unwrap();
        let text = document.extract_text(&[1]).unwrap();
        assert!(text.contains("Bản tải về chỉ gồm 2 dòng đầu"), "{text}");
    }

    #[test]
    fn arrival_numbers_below_ten_carry_a_leading_zero() {
        assert_eq!(arrival_number(Some(7)), "07");
        assert_eq!(arrival_number(Some(1234)), "1234");
    }
}
