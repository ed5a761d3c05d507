//! Exports of a [`Review`] as a Decree 30/2020 report: PDF ([`pdf`]), DOCX that clerks can
//! edit ([`docx`]) and XLSX with the data behind every chart ([`xlsx`]).
//!
//! All three are built from the same [`Body`]: the figures as sentences, section by
//! section in the order of the review (the wording follows the hand-written 2020 year-end
//! review the project started from), one table of every figure against the period before,
//! and the charts as the very SVG of `Chart::to_svg`: drawn as vectors into the PDF,
//! rasterised to PNG (with the SVG beside it) in the DOCX, and as native charts in XLSX.
//! [`periodic`] writes the weekly, monthly and quarterly reports into the archive.

mod docx_writer;
mod pdf_writer;
pub mod periodic;
mod xlsx_writer;

use crate::i18n::{t, Lang};
use chrono::{Datelike, NaiveDate};
use std::sync::{Arc, OnceLock};
use vanphong_core::report::{Chart, Figure, Label, Period, PeriodKind, Review, Value};

pub use docx_writer::docx;
pub use pdf_writer::pdf;
pub use xlsx_writer::xlsx;

/// The parts of a Decree 30 report that do not come from the figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportHeading {
    /// The body the agency reports to, top left (`BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG`); may be empty.
    pub governing_body: String,
    /// The issuing agency, under it, in bold (`TỔNG CỤC MÔI TRƯỜNG`).
    pub agency: String,
    /// The number and symbol (`45/BC-VP`), written after `Số:`; a draft leaves the number
    /// blank (`   /BC-VP`).
    pub number_and_symbol: String,
    /// The place written before the date (`Hà Nội`).
    pub place: String,
    pub date: NaiveDate,
    /// The report's subject, under the word BÁO CÁO (`Tổng kết công tác năm 2020`).
    pub title: String,
    /// The signer's position, one line each (`KT. CHÁNH VĂN PHÒNG`, `PHÓ CHÁNH VĂN PHÒNG`).
    pub signer_position: Vec<String>,
    pub signer_name: String,
    /// The recipients under "Nơi nhận:", one a line (`Lãnh đạo Tổng cục;`, `Lưu: VT, VP.`).
    pub recipients: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the embedded font could not be read")]
    Font,
    #[error("a chart could not be drawn: {0}")]
    Chart(String),
    #[error("the file could not be written: {0}")]
    Write(String),
}

impl From<crate::pdf::PdfError> for ExportError {
    fn from(e: crate::pdf::PdfError) -> Self {
        match e {
            crate::pdf::PdfError::Font => Self::Font,
            crate::pdf::PdfError::Write(w) => Self::Write(w),
        }
    }
}

/// `18935` as `18.935` (Vietnamese) or `18,935` (English).
pub fn format_count(value: i64, lang: Lang) -> String {
    let separator = match lang {
        Lang::Vi => '.',
        Lang::En => ',',
    };
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// A number with one decimal: `84,2` (Vietnamese) or `84.2` (English).
pub fn format_decimal(value: f64, lang: Lang) -> String {
    let text = format!("{:.1}", value);
    match lang {
        Lang::Vi => text.replace('.', ","),
        Lang::En => text,
    }
}

/// `84,2%`, or a dash when there was nothing to divide by.
pub fn format_percent(value: Option<f64>, lang: Lang) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{}%", format_decimal(v, lang)),
        _ => "—".into(),
    }
}

pub fn format_value(value: Value, lang: Lang) -> String {
    match value {
        Value::Count(n) => format_count(n, lang),
        Value::Percent(p) => format_percent(p, lang),
    }
}

/// How a figure moved since the period before: "tăng 12,5%", "giảm 2,0 điểm %", "không
/// đổi", or a dash when there is nothing to compare with.
pub fn format_change(figure: &Figure, lang: Lang) -> String {
    let (difference, unit) = match (figure.value, figure.previous) {
        (Value::Count(now), Value::Count(before)) => {
            if now == before {
                return t(lang, "report_export.change.same").into();
            }
            if before == 0 {
                return "—".into();
            }
            ((now - before) as f64 / before as f64 * 100.0, "%")
        }
        (Value::Percent(Some(now)), Value::Percent(Some(before))) => {
            (now - before, t(lang, "report_export.change.points"))
        }
        _ => return "—".into(),
    };
    if difference.abs() < 0.05 {
        return t(lang, "report_export.change.same").into();
    }
    let word = if difference > 0.0 {
        t(lang, "report_export.change.up")
    } else {
        t(lang, "report_export.change.down")
    };
    format!(
        "{word} {}{unit}",
        format_decimal(difference.abs(), lang),
        unit = if unit == "%" {
            "%".to_owned()
        } else {
            format!(" {unit}")
        }
    )
}

/// A date as the decree writes it after the place: `ngày 05 tháng 01 năm 2021` (days
/// below 10 and the months January and February take a leading zero).
pub fn format_long_date(date: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Vi => {
            let month = if date.month() <= 2 {
                format!("{:02}", date.month())
            } else {
                date.month().to_string()
            };
            format!("ngày {:02} tháng {month} năm {}", date.day(), date.year())
        }
        Lang::En => date.format("%-d %B %Y").to_string(),
    }
}

pub fn format_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// The text of a label in `lang`: a message key is looked up, text from the records is kept.
pub fn label_text(label: &Label, lang: Lang) -> String {
    match label {
        Label::Key(key) => t(lang, key).to_owned(),
        Label::Text(text) => text.clone(),
    }
}

pub fn figure_name(figure: &Figure, lang: Lang) -> String {
    t(lang, &format!("report.figure.{}", figure.key)).to_owned()
}

pub fn section_name(key: &str, lang: Lang) -> String {
    t(lang, &format!("report.section.{key}")).to_owned()
}

pub fn chart_title(chart: &Chart, lang: Lang) -> String {
    t(lang, &format!("report.chart.{}", chart.key)).to_owned()
}

/// The chart's SVG as the review page shows it, in `lang`.
pub fn chart_svg(chart: &Chart, lang: Lang) -> String {
    chart.to_svg(&chart_title(chart, lang), &|label| label_text(label, lang))
}

/// The title of a period's report: "Báo cáo tháng 11 năm 2026".
pub fn period_title(period: &Period, lang: Lang) -> String {
    let template = match period.kind {
        PeriodKind::Week => "report_export.title.week",
        PeriodKind::Month => "report_export.title.month",
        PeriodKind::Quarter => "report_export.title.quarter",
        PeriodKind::Year => "report_export.title.year",
        PeriodKind::Custom => "report_export.title.custom",
    };
    let quarter = ["I", "II", "III", "IV"][((period.start.month() - 1) / 3) as usize];
    t(lang, template)
        .replace("{week}", &period.start.iso_week().week().to_string())
        .replace("{month}", &period.start.month().to_string())
        .replace("{quarter}", quarter)
        .replace("{year}", &period.start.year().to_string())
        .replace("{from}", &format_date(period.start))
        .replace("{to}", &format_date(period.end))
}

/// One piece of the report's body, in reading order.
#[derive(Clone, Debug)]
pub(crate) enum Block {
    /// A numbered heading of a section ("I. Công tác văn thư").
    Heading(String),
    /// A paragraph of running text, first line indented.
    Paragraph(String),
    /// The table of every figure: the header row, then (section row or figure row).
    Table {
        header: [String; 4],
        rows: Vec<TableRow>,
    },
    Chart(Picture),
}

#[derive(Clone, Debug)]
pub(crate) enum TableRow {
    Section(String),
    Figure([String; 4]),
}

/// A chart ready to embed: its title, its SVG, and the SVG parsed once for drawing.
#[derive(Clone, Debug)]
pub(crate) struct Picture {
    pub title: String,
    pub svg: String,
    pub tree: Arc<resvg::usvg::Tree>,
}

impl Picture {
    fn new(chart: &Chart, lang: Lang) -> Result<Self, ExportError> {
        let title = chart_title(chart, lang);
        let svg = chart_svg(chart, lang);
        let options = resvg::usvg::Options {
            fontdb: fonts(),
            font_family: "Liberation Serif".into(),
            ..Default::default()
        };
        let tree = resvg::usvg::Tree::from_str(&svg, &options)
            .map_err(|e| ExportError::Chart(format!("{}: {e}", chart.key)))?;
        Ok(Self {
            title,
            svg,
            tree: Arc::new(tree),
        })
    }

    /// Width and height in the SVG's own units (pixels of the page's picture).
    pub fn size(&self) -> (f32, f32) {
        (self.tree.size().width(), self.tree.size().height())
    }

    /// The picture as PNG, `scale` times its SVG size.
    pub fn png(&self, scale: f32) -> Result<Vec<u8>, ExportError> {
        let size = self
            .tree
            .size()
            .to_int_size()
            .scale_by(scale)
            .ok_or_else(|| {
                ExportError::Chart(format!("{}: the picture has no size", self.title))
            })?;
        let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
            .ok_or_else(|| ExportError::Chart(format!("{}: no pixmap", self.title)))?;
        resvg::render(
            &self.tree,
            resvg::tiny_skia::Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        );
        pixmap
            .encode_png()
            .map_err(|e| ExportError::Chart(format!("{}: {e}", self.title)))
    }
}

/// The fonts the charts' SVG names (Liberation Serif, which stands in for Times New
/// Roman), from the binary, never from the machine.
fn fonts() -> Arc<resvg::usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut database = resvg::usvg::fontdb::Database::new();
            database.load_font_data(crate::pdf::REGULAR.to_vec());
            database.load_font_data(crate::pdf::BOLD.to_vec());
            database.set_serif_family("Liberation Serif");
            database.set_sans_serif_family("Liberation Serif");
            Arc::new(database)
        })
        .clone()
}

/// The Roman numeral of a section (1 → I).
fn roman(number: usize) -> String {
    const NUMERALS: [(usize, &str); 9] = [
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut rest = number;
    let mut out = String::new();
    for (value, numeral) in NUMERALS {
        while rest >= value {
            out.push_str(numeral);
            rest -= value;
        }
    }
    out
}

/// The body shared by the PDF and the DOCX.
#[derive(Clone, Debug)]
pub(crate) struct Body {
    pub blocks: Vec<Block>,
}

impl Body {
    pub fn new(review: &Review, lang: Lang) -> Result<Self, ExportError> {
        let mut blocks = Vec::new();
        let intro = t(lang, "report_export.intro")
            .replace("{from}", &format_date(review.period.start))
            .replace("{to}", &format_date(review.period.end))
            .replace("{previous_from}", &format_date(review.previous.start))
            .replace("{previous_to}", &format_date(review.previous.end));
        blocks.push(Block::Paragraph(intro));
        if !review.hidden_units.is_empty() {
            blocks.push(Block::Paragraph(
                t(lang, "report_export.hidden_units")
                    .replace("{units}", &review.hidden_units.join(", ")),
            ));
        }
        let mut rows = Vec::new();
        for (index, section) in review.sections.iter().enumerate() {
            let name = section_name(section.key, lang);
            blocks.push(Block::Heading(format!("{}. {name}", roman(index + 1))));
            let sentences: Vec<String> = section
                .figures
                .iter()
                .map(|figure| sentence(figure, lang))
                .collect();
            if sentences.is_empty() {
                blocks.push(Block::Paragraph(
                    t(lang, "report_export.section_empty").into(),
                ));
            } else {
                blocks.push(Block::Paragraph(sentences.join(" ")));
            }
            for chart in &section.charts {
                blocks.push(Block::Chart(Picture::new(chart, lang)?));
            }
            rows.push(TableRow::Section(format!("{}. {name}", roman(index + 1))));
            for figure in &section.figures {
                rows.push(TableRow::Figure([
                    figure_name(figure, lang),
                    format_value(figure.value, lang),
                    format_value(figure.previous, lang),
                    format_change(figure, lang),
                ]));
            }
        }
        let number = roman(review.sections.len() + 1);
        blocks.push(Block::Heading(format!(
            "{number}. {}",
            t(lang, "report_export.table_heading")
        )));
        blocks.push(Block::Table {
            header: [
                t(lang, "report_export.column.figure").into(),
                t(lang, "report_export.column.this_period").into(),
                t(lang, "report_export.column.previous").into(),
                t(lang, "report_export.column.change").into(),
            ],
            rows,
        });
        Ok(Self { blocks })
    }
}

/// One figure as a sentence: "Tiếp nhận văn bản đến: 18.935 (kỳ trước 17.020, tăng 11,3%)."
fn sentence(figure: &Figure, lang: Lang) -> String {
    t(lang, "report_export.sentence")
        .replace("{figure}", &figure_name(figure, lang))
        .replace("{value}", &format_value(figure.value, lang))
        .replace("{previous}", &format_value(figure.previous, lang))
        .replace("{change}", &format_change(figure, lang))
}

/// The national motto, as every Decree 30 document carries it.
pub(crate) fn motto(lang: Lang) -> (&'static str, &'static str) {
    (
        t(lang, "report_export.motto.country"),
        t(lang, "report_export.motto.words"),
    )
}

/// "Hà Nội, ngày 05 tháng 01 năm 2021".
pub(crate) fn place_and_date(heading: &ReportHeading, lang: Lang) -> String {
    let date = format_long_date(heading.date, lang);
    if heading.place.trim().is_empty() {
        let mut chars = date.chars();
        return chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
    }
    format!("{}, {date}", heading.place.trim())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use vanphong_core::report::{ChartKind, Section, Series};

    /// A review with figures whose numbers the tests look for, in two sections with a chart each.
    pub fn review() -> Review {
        let period = Period::year(2020).unwrap();
        let count = |key, value, previous| Figure {
            key,
            value: Value::Count(value),
            previous: Value::Count(previous),
            has_records: true,
        };
        Review {
            period,
            previous: period.previous(),
            hidden_units: Vec::new(),
            sections: vec![
                Section {
                    key: "documents",
                    figures: vec![
                        count("incoming_received", 18_935, 17_020),
                        count("outgoing_issued_agency", 7_318, 7_318),
                        Figure {
                            key: "incoming_on_time_rate",
                            value: Value::Percent(Some(84.2)),
                            previous: Value::Percent(Some(80.0)),
                            has_records: false,
                        },
                    ],
                    charts: vec![Chart {
                        key: "incoming_by_month",
                        kind: ChartKind::Columns,
                        categories: (1..=12).map(|m| Label::Text(format!("T{m}"))).collect(),
                        series: vec![Series {
                            label: Label::Text("Văn bản đến".into()),
                            values: (1..=12).map(|m| f64::from(m) * 100.0 + 78.0).collect(),
                        }],
                        percent: false,
                    }],
                },
                Section {
                    key: "hotline",
                    figures: vec![count("hotline_received", 345, 0)],
                    charts: vec![Chart {
                        key: "hotline_by_province",
                        kind: ChartKind::Bars,
                        categories: vec![
                            Label::Text("Đồng Nai".into()),
                            Label::Text("Thừa Thiên Huế".into()),
                        ],
                        series: vec![
                            Series {
                                label: Label::Text("Tiếp nhận".into()),
                                values: vec![41.0, 12.0],
                            },
                            Series {
                                label: Label::Text("Đã xử lý".into()),
                                values: vec![30.0, 9.0],
                            },
                        ],
                        percent: false,
                    }],
                },
            ],
        }
    }

    pub fn heading() -> ReportHeading {
        ReportHeading {
            governing_body: "Bộ Tài nguyên và Môi trường".into(),
            agency: "Tổng cục Môi trường".into(),
            number_and_symbol: "45/BC-VP".into(),
            place: "Hà Nội".into(),
            date: NaiveDate::from_ymd_opt(2021, 1, 5).unwrap(),
            title: "Tổng kết công tác năm 2020 và triển khai nhiệm vụ năm 2021".into(),
            signer_position: vec!["KT. CHÁNH VĂN PHÒNG".into(), "PHÓ CHÁNH VĂN PHÒNG".into()],
            signer_name: "Võ Thịnh Hiền".into(),
            recipients: vec!["Lãnh đạo Tổng cục;".into(), "Lưu: VT, VP.".into()],
        }
    }

    #[test]
    fn numbers_read_the_vietnamese_way() {
        assert_eq!(format_count(18_935, Lang::Vi), "18.935");
        assert_eq!(format_count(1_234_567, Lang::Vi), "1.234.567");
        assert_eq!(format_count(795, Lang::Vi), "795");
        assert_eq!(format_count(-2_007, Lang::Vi), "-2.007");
        assert_eq!(format_count(18_935, Lang::En), "18,935");
        assert_eq!(format_percent(Some(84.2), Lang::Vi), "84,2%");
        assert_eq!(format_percent(Some(84.25), Lang::En), "84.2%");
        assert_eq!(format_percent(None, Lang::Vi), "—");
        assert_eq!(
            format_long_date(NaiveDate::from_ymd_opt(2021, 1, 5).unwrap(), Lang::Vi),
            "ngày 05 tháng 01 năm 2021"
        );
        assert_eq!(
            format_long_date(NaiveDate::from_ymd_opt(2020, 12, 17).unwrap(), Lang::Vi),
            "ngày 17 tháng 12 năm 2020"
        );
        assert_eq!(roman(4), "IV");
        assert_eq!(roman(9), "IX");
    }

    #[test]
    fn changes_compare_with_the_period_before() {
        let review = review();
        let incoming = review.figure("incoming_received").unwrap();
        assert_eq!(format_change(incoming, Lang::Vi), "tăng 11,3%");
        let same = review.figure("outgoing_issued_agency").unwrap();
        assert_eq!(format_change(same, Lang::Vi), "không đổi");
        let rate = review.figure("incoming_on_time_rate").unwrap();
        assert_eq!(format_change(rate, Lang::Vi), "tăng 4,2 điểm %");
        let new = review.figure("hotline_received").unwrap();
        assert_eq!(format_change(new, Lang::Vi), "—");
    }

    #[test]
    fn period_titles_name_the_period() {
        let month = Period::month(2026, 11).unwrap();
        assert_eq!(period_title(&month, Lang::Vi), "Báo cáo tháng 11 năm 2026");
        let quarter = Period::quarter(2026, 4).unwrap();
        assert_eq!(period_title(&quarter, Lang::Vi), "Báo cáo quý IV năm 2026");
        let week = Period::week_of(NaiveDate::from_ymd_opt(2026, 11, 18).unwrap());
        assert_eq!(
            period_title(&week, Lang::Vi),
            "Báo cáo tuần 47 năm 2026 (từ 16/11/2026 đến 22/11/2026)"
        );
    }

    #[test]
    fn the_chart_becomes_a_png_of_its_svg_size() {
        let chart = &review().sections[0].charts[0];
        let picture = Picture::new(chart, Lang::Vi).unwrap();
        assert_eq!(picture.size(), (720.0, 300.0));
        let png = picture.png(2.0).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // The IHDR chunk holds the width and height.
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 1440);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 600);
    }
}
