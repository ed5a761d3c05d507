//! Export of any list as CSV (UTF-8 with a byte-order mark, so Excel shows Vietnamese
//! correctly) or XLSX.

use crate::error::{AppError, AppResult};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A list as plain text cells, ready to export.
pub struct Table {
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(value: Option<&str>) -> Option<Self> {
        match value? {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            _ => None,
        }
    }
}

impl Table {
    pub fn to_csv(&self) -> AppResult<Vec<u8>> {
        let mut out = Vec::from("\u{feff}".as_bytes());
        {
            let mut writer = csv::Writer::from_writer(&mut out);
            writer
                .write_record(&self.headers)
                .map_err(|e| AppError::Internal(e.into()))?;
            for row in &self.rows {
                // A cell starting with = + - @ would run as a formula in a spreadsheet.
                let safe: Vec<String> = row.iter().map(|c| neutralise_formula(c)).collect();
                writer
                    .write_record(&safe)
                    .map_err(|e| AppError::Internal(e.into()))?;
            }
            writer.flush().map_err(|e| AppError::Internal(e.into()))?;
        }
        Ok(out)
    }

    pub fn to_xlsx(&self) -> AppResult<Vec<u8>> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = workbook.add_worksheet();
        let name: String = self
            .sheet
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        sheet
            .set_name(&name)
            .map_err(|e| AppError::Internal(e.into()))?;
        for (col, title) in self.headers.iter().enumerate() {
            sheet
                .write_string_with_format(0, col as u16, title, &bold)
                .map_err(|e| AppError::Internal(e.into()))?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                // write_string never interprets a formula.
                sheet
                    .write_string((r + 1) as u32, c as u16, cell)
                    .map_err(|e| AppError::Internal(e.into()))?;
            }
        }
        sheet.autofit();
        workbook
            .save_to_buffer()
            .map_err(|e| AppError::Internal(e.into()))
    }

    /// The download response in `format`, named `file_stem.csv` or `.xlsx`.
    pub fn respond(&self, format: Format, file_stem: &str) -> AppResult<Response> {
        let (bytes, content_type, extension) = match format {
            Format::Csv => (self.to_csv()?, "text/csv; charset=utf-8", "csv"),
            Format::Xlsx => (
                self.to_xlsx()?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
        };
        let disposition = format!("attachment; filename=\"{file_stem}.{extension}\"");
        Ok((
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response())
    }
}

fn neutralise_formula(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            sheet: "Người dùng".into(),
            headers: vec!["Tên".into(), "Ghi chú".into()],
            rows: vec![vec!["Nguyễn Văn An".into(), "=HYPERLINK(\"x\")".into()]],
        }
    }

    #[test]
    fn csv_has_a_bom_and_neutralises_formulas() {
        let csv = String::from_utf8(table().to_csv().unwrap()).unwrap();
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains("Nguyễn Văn An"));
        assert!(csv.contains("'=HYPERLINK"));
    }

    #[test]
    fn xlsx_is_a_zip_file() {
        let bytes = table().to_xlsx().unwrap();
        assert_eq!(&bytes[0..2], b"PK");
    }
}
