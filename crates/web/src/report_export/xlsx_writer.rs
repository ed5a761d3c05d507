//! The report as XLSX: a summary sheet with every figure (this period, the period before,
//! the change), then one sheet per chart with the data table behind it and a native Excel
//! chart drawn from that table, so the numbers can be reworked and the chart follows.
//! Numbers are written as numbers with formats (`#,##0`, `0.0%`); Excel shows them with
//! the reader's separators (18.935 and 84,2% in Vietnamese).

use super::{
    chart_title, figure_name, format_date, label_text, section_name, ExportError, ReportHeading,
};
use crate::i18n::{t, Lang};
use rust_xlsxwriter::{Chart as XlsxChart, ChartType, Format, FormatAlign, Workbook, Worksheet};
use std::collections::HashSet;
use vanphong_core::report::{ChartKind, Review, Value};

/// Renders the review's figures and chart data as a workbook.
pub fn xlsx(review: &Review, heading: &ReportHeading, lang: Lang) -> Result<Vec<u8>, ExportError> {
    let error = |e: rust_xlsxwriter::XlsxError| ExportError::Write(e.to_string());
    let mut workbook = Workbook::new();
    let title_format = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_border(rust_xlsxwriter::FormatBorder::Thin)
        .set_background_color("#E4E4E4");
    let count = Format::new().set_num_format("#,##0");
    let percent = Format::new().set_num_format("0.0%");
    let mut names = HashSet::new();

    let summary = workbook.add_worksheet();
    summary
        .set_name(sheet_name(
            t(lang, "report_export.sheet.summary"),
            &mut names,
        ))
        .map_err(error)?;
    summary
        .write_string_with_format(
            0,
            0,
            format!("{} {}", t(lang, "report_export.kind"), heading.title),
            &title_format,
        )
        .map_err(error)?;
    summary
        .write_string(1, 0, heading.agency.clone())
        .map_err(error)?;
    summary
        .write_string(
            2,
            0,
            t(lang, "report_export.period_line")
                .replace("{from}", &format_date(review.period.start))
                .replace("{to}", &format_date(review.period.end))
                .replace("{previous_from}", &format_date(review.previous.start))
                .replace("{previous_to}", &format_date(review.previous.end)),
        )
        .map_err(error)?;
    let mut row = 3;
    if !review.hidden_units.is_empty() {
        summary
            .write_string(
                row,
                0,
                t(lang, "report_export.hidden_units")
                    .replace("{units}", &review.hidden_units.join(", ")),
            )
            .map_err(error)?;
        row += 1;
    }
    row += 1;
    for (column, key) in [
        "report_export.column.section",
        "report_export.column.figure",
        "report_export.column.this_period",
        "report_export.column.previous",
    ]
    .iter()
    .enumerate()
    {
        summary
            .write_string_with_format(row, column as u16, t(lang, key), &header)
            .map_err(error)?;
    }
    row += 1;
    for section in &review.sections {
        let section_title = section_name(section.key, lang);
        for figure in &section.figures {
            summary
                .write_string(row, 0, section_title.clone())
                .map_err(error)?;
            summary
                .write_string(row, 1, figure_name(figure, lang))
                .map_err(error)?;
            for (column, value) in [(2u16, figure.value), (3u16, figure.previous)] {
                write_value(summary, row, column, value, &count, &percent).map_err(error)?;
            }
            row += 1;
        }
    }
    summary.set_column_width(0, 28).map_err(error)?;
    summary.set_column_width(1, 48).map_err(error)?;
    summary.set_column_width(2, 14).map_err(error)?;
    summary.set_column_width(3, 14).map_err(error)?;

    for chart in review.charts() {
        let title = chart_title(chart, lang);
        let name = sheet_name(&title, &mut names);
        let sheet = workbook.add_worksheet();
        sheet.set_name(&name).map_err(error)?;
        sheet
            .write_string_with_format(0, 0, title.clone(), &bold)
            .map_err(error)?;
        sheet
            .write_string_with_format(1, 0, t(lang, "report_export.column.category"), &header)
            .map_err(error)?;
        for (index, series) in chart.series.iter().enumerate() {
            sheet
                .write_string_with_format(
                    1,
                    index as u16 + 1,
                    label_text(&series.label, lang),
                    &header,
                )
                .map_err(error)?;
        }
        let first = 2u32;
        for (index, category) in chart.categories.iter().enumerate() {
            let row = first + index as u32;
            sheet
                .write_string(row, 0, label_text(category, lang))
                .map_err(error)?;
            for (column, series) in chart.series.iter().enumerate() {
                let value = series.values.get(index).copied().unwrap_or(0.0);
                if chart.percent {
                    sheet
                        .write_number_with_format(row, column as u16 + 1, value / 100.0, &percent)
                        .map_err(error)?;
                } else {
                    sheet
                        .write_number_with_format(row, column as u16 + 1, value, &count)
                        .map_err(error)?;
                }
            }
        }
        sheet.set_column_width(0, 36).map_err(error)?;
        if chart.categories.is_empty() || chart.series.is_empty() {
            continue;
        }
        let last = first + chart.categories.len() as u32 - 1;
        let kind = match chart.kind {
            ChartKind::Columns => ChartType::Column,
            ChartKind::Bars => ChartType::Bar,
            ChartKind::Line => ChartType::Line,
        };
        let mut native = XlsxChart::new(kind);
        native.title().set_name(&title);
        for (column, _) in chart.series.iter().enumerate() {
            let column = column as u16 + 1;
            native
                .add_series()
                .set_name((name.as_str(), 1, column))
                .set_categories((name.as_str(), first, 0, last, 0))
                .set_values((name.as_str(), first, column, last, column));
        }
        if chart.series.len() < 2 {
            native.legend().set_hidden();
        }
        let anchor = chart.series.len() as u16 + 2;
        sheet.insert_chart(1, anchor, &native).map_err(error)?;
    }
    workbook.save_to_buffer().map_err(error)
}

fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    value: Value,
    count: &Format,
    percent: &Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    match value {
        Value::Count(n) => {
            sheet.write_number_with_format(row, column, n as f64, count)?;
        }
        Value::Percent(Some(p)) if p.is_finite() => {
            sheet.write_number_with_format(row, column, p / 100.0, percent)?;
        }
        Value::Percent(_) => {
            sheet.write_string(row, column, "—")?;
        }
    }
    Ok(())
}

/// A valid, unique sheet name: at most 31 characters, none of `[]:*?/\`, not starting or
/// ending with an apostrophe.
fn sheet_name(title: &str, taken: &mut HashSet<String>) -> String {
    let base: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .collect::<String>()
        .trim_matches('\'')
        .trim()
        .chars()
        .take(31)
        .collect();
    let base = if base.is_empty() {
        "Sheet".to_owned()
    } else {
        base
    };
    let mut name = base.clone();
    let mut number = 2;
    while !taken.insert(name.to_lowercase()) {
        let suffix = format!(" ({number})");
        let keep = 31 - suffix.chars().count();
        name = base.chars().take(keep).collect::<String>() + &suffix;
        number += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::super::tests::{heading, review};
    use super::*;
    use calamine::{Data, DataType, Reader, Xlsx};

    #[test]
    fn the_workbook_holds_every_figure_and_each_charts_table() {
        let bytes = xlsx(&review(), &heading(), Lang::Vi).unwrap();
        let mut workbook: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
        let sheets = workbook.sheet_names();
        assert_eq!(sheets.len(), 3, "{sheets:?}");
        assert_eq!(sheets[0], "Tổng hợp");
        let summary = workbook.worksheet_range("Tổng hợp").unwrap();
        let rows: Vec<Vec<Data>> = summary.rows().map(|r| r.to_vec()).collect();
        let title = rows[0][0].to_string();
        assert!(title.contains("Tổng kết công tác năm 2020"), "{title}");
        let incoming = rows
            .iter()
            .find(|r| r[1] == t(Lang::Vi, "report.figure.incoming_received"))
            .unwrap();
        assert_eq!(incoming[2], Data::Float(18_935.0));
        assert_eq!(incoming[3], Data::Float(17_020.0));
        let rate = rows
            .iter()
            .find(|r| r[1] == t(Lang::Vi, "report.figure.incoming_on_time_rate"))
            .unwrap();
        assert!((rate[2].as_f64().unwrap() - 0.842).abs() < 1e-9);
        // The bar chart's sheet: categories and two series.
        let chart_sheet = workbook.worksheet_range(&sheets[2]).unwrap();
        let rows: Vec<Vec<Data>> = chart_sheet.rows().map(|r| r.to_vec()).collect();
        assert_eq!(rows[1][1].to_string(), "Tiếp nhận");
        assert_eq!(rows[2][0].to_string(), "Đồng Nai");
        assert_eq!(rows[2][1], Data::Float(41.0));
        assert_eq!(rows[3][2], Data::Float(9.0));
        // A native chart on each chart sheet.
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let charts = archive
            .file_names()
            .filter(|n| n.as_ref().is_ok_and(|n| n.starts_with("xl/charts/chart")))
            .count();
        assert_eq!(charts, 2);
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut taken = HashSet::new();
        let long = "Hồ sơ thủ tục hành chính theo thủ tục: tiếp nhận/giải quyết";
        let first = sheet_name(long, &mut taken);
        let second = sheet_name(long, &mut taken);
        assert!(first.chars().count() <= 31 && second.chars().count() <= 31);
        assert!(!first.contains(['/', ':']));
        assert_ne!(first, second);
        assert!(second.ends_with(" (2)"));
    }
}
