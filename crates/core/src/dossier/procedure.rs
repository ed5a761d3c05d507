//! Administrative procedures: the catalogue entry's content as one version, parsed and
//! checked at the edge, and the decisions that announce, amend or abolish it.

use crate::text;

/// Why a catalogue entry was refused; each names the field at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProcedureError {
    #[error("the procedure code must be 1 to 30 letters, digits, dots or hyphens")]
    Code,
    #[error("{0} is required or too long")]
    Text(&'static str),
    #[error("the processing time must be 1 to 365 working days")]
    ProcessingDays,
    #[error("the fee must be a whole number of đồng, 0 or more")]
    Fee,
    #[error("unknown level")]
    Level,
    #[error("a procedure needs at least one dossier component")]
    NoComponents,
}

impl ProcedureError {
    /// The field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Text(field) => field,
            Self::ProcessingDays => "processing_days",
            Self::Fee => "fee",
            Self::Level => "level",
            Self::NoComponents => "components",
        }
    }
}

/// Where a procedure is carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcedureLevel {
    Central,
    Provincial,
    District,
    Commune,
}

impl ProcedureLevel {
    pub const ALL: [ProcedureLevel; 4] = [
        Self::Central,
        Self::Provincial,
        Self::District,
        Self::Commune,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Central => "central",
            Self::Provincial => "provincial",
            Self::District => "district",
            Self::Commune => "commune",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code.trim())
    }
}

/// What a decision did to a procedure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcedureChange {
    Announced,
    Amended,
    Abolished,
}

impl ProcedureChange {
    pub fn code(self) -> &'static str {
        match self {
            Self::Announced => "announced",
            Self::Amended => "amended",
            Self::Abolished => "abolished",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Announced, Self::Amended, Self::Abolished]
            .into_iter()
            .find(|c| c.code() == code.trim())
    }
}

/// A document the applicant hands in (thành phần hồ sơ), with its form if there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    pub name: String,
    /// The form's name or number (`Mẫu số 01`), empty when there is none.
    pub form: String,
    pub required: bool,
}

impl Component {
    /// Reads one line of the components field: `name | form | optional`. A leading `*`
    /// or the word "optional"/"không bắt buộc" in the third part marks an optional one.
    pub fn parse_line(line: &str) -> Option<Self> {
        let mut parts = line.split('|').map(text::normalize);
        let name = parts.next().unwrap_or_default();
        let (name, starred) = match name.strip_prefix('*') {
            Some(rest) => (text::normalize(rest), true),
            None => (name, false),
        };
        if name.is_empty() {
            return None;
        }
        let form = parts.next().unwrap_or_default();
        let flag = parts.next().unwrap_or_default().to_lowercase();
        let optional = starred || flag == "optional" || flag == "không bắt buộc";
        Some(Self {
            name: name.chars().take(500).collect(),
            form: form.chars().take(200).collect(),
            required: !optional,
        })
    }

    /// The line form of [`parse_line`](Self::parse_line).
    pub fn to_line(&self) -> String {
        let flag = if self.required {
            ""
        } else {
            "không bắt buộc"
        };
        format!("{} | {} | {}", self.name, self.form, flag)
            .trim_end_matches(" | ")
            .trim_end_matches(" |")
            .to_owned()
    }
}

/// The content of one version of a catalogue entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcedureContent {
    pub name: String,
    /// Lĩnh vực: "Môi trường", "Đánh giá tác động môi trường"…
    pub field: String,
    pub level: ProcedureLevel,
    /// Trình tự thực hiện, one step a line.
    pub steps: String,
    pub components: Vec<Component>,
    pub processing_days: i32,
    /// Đối tượng thực hiện.
    pub applicants: String,
    /// Cơ quan thực hiện, as printed in the catalogue.
    pub implementing_agency: String,
    /// Kết quả thực hiện.
    pub result: String,
    /// The fee in đồng; 0 when free.
    pub fee: i64,
    /// How the fee is set (a circular, a scale), printed on the receipt.
    pub fee_note: String,
}

/// The raw text of a catalogue form or import row.
#[derive(Clone, Debug, Default)]
pub struct ProcedureInput<'a> {
    pub name: &'a str,
    pub field: &'a str,
    pub level: &'a str,
    pub steps: &'a str,
    pub components: &'a str,
    pub processing_days: &'a str,
    pub applicants: &'a str,
    pub implementing_agency: &'a str,
    pub result: &'a str,
    pub fee: &'a str,
    pub fee_note: &'a str,
}

fn required(value: &str, max: usize, field: &'static str) -> Result<String, ProcedureError> {
    text::required_line(value, max).map_err(|_| ProcedureError::Text(field))
}

fn block(value: &str, max: usize, field: &'static str) -> Result<String, ProcedureError> {
    let value = text::normalize(value).replace("\r\n", "\n");
    if value.chars().count() > max || value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ProcedureError::Text(field));
    }
    Ok(value)
}

impl ProcedureContent {
    /// Parses a form or an import row; every error is collected with its field.
    pub fn parse(input: &ProcedureInput<'_>) -> Result<Self, Vec<ProcedureError>> {
        let mut errors = Vec::new();
        let mut ok =
            |r: Result<String, ProcedureError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let name = ok(required(input.name, 500, "name"));
        let field = ok(required(input.field, 200, "field"));
        let steps = ok(block(input.steps, 10_000, "steps"));
        let applicants = ok(block(input.applicants, 2_000, "applicants"));
        let implementing_agency = ok(block(input.implementing_agency, 500, "implementing_agency"));
        let result = ok(block(input.result, 2_000, "result"));
        let fee_note = ok(block(input.fee_note, 2_000, "fee_note"));
        let level = ProcedureLevel::parse(input.level);
        if level.is_none() {
            errors.push(ProcedureError::Level);
        }
        let processing_days = input
            .processing_days
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|d| (1..=365).contains(d));
        if processing_days.is_none() {
            errors.push(ProcedureError::ProcessingDays);
        }
        let fee_text: String = input
            .fee
            .trim()
            .chars()
            .filter(|c| !matches!(c, '.' | ',' | ' '))
            .collect();
        let fee = if fee_text.is_empty() {
            Some(0)
        } else {
            fee_text.parse::<i64>().ok().filter(|f| *f >= 0)
        };
        if fee.is_none() {
            errors.push(ProcedureError::Fee);
        }
        let components: Vec<Component> = input
            .components
            .lines()
            .filter_map(Component::parse_line)
            .take(100)
            .collect();
        if components.is_empty() {
            errors.push(ProcedureError::NoComponents);
        }
        match (level, processing_days, fee, errors.is_empty()) {
            (Some(level), Some(processing_days), Some(fee), true) => Ok(Self {
                name,
                field,
                level,
                steps,
                components,
                processing_days,
                applicants,
                implementing_agency,
                result,
                fee,
                fee_note,
            }),
            _ => Err(errors),
        }
    }

    /// The components as the lines of the form field.
    pub fn components_text(&self) -> String {
        self.components
            .iter()
            .map(Component::to_line)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Checks a procedure code such as `1.004249` or `2.001808` (the national database's codes).
pub fn parse_code(input: &str) -> Result<String, ProcedureError> {
    let value = input.trim().to_owned();
    if value.is_empty()
        || value.len() > 30
        || !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return Err(ProcedureError::Code);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ProcedureInput<'static> {
        ProcedureInput {
            name: "Cấp giấy phép môi trường",
            field: "Môi trường",
            level: "central",
            steps: "Nộp hồ sơ\nThẩm định\nCấp phép",
            components: "Văn bản đề nghị | Mẫu số 01\nBáo cáo đề xuất | Mẫu số 02\n*Bản sao quyết định phê duyệt ĐTM",
            processing_days: "20",
            applicants: "Tổ chức, cá nhân",
            implementing_agency: "Bộ Tài nguyên và Môi trường",
            result: "Giấy phép môi trường",
            fee: "50.000.000",
            fee_note: "Thông tư 02/2023",
        }
    }

    #[test]
    fn a_catalogue_entry_parses_its_components_and_fee() {
        let c = ProcedureContent::parse(&input()).unwrap();
        assert_eq!(c.components.len(), 3);
        assert!(c.components[0].required);
        assert_eq!(c.components[1].form, "Mẫu số 02");
        assert!(!c.components[2].required);
        assert_eq!(c.fee, 50_000_000);
        let again = ProcedureInput {
            components: &c.components_text(),
            ..input()
        };
        assert_eq!(
            ProcedureContent::parse(&again).unwrap().components,
            c.components
        );
    }

    #[test]
    fn bad_entries_name_every_field_at_fault() {
        let bad = ProcedureInput {
            name: " ",
            level: "galactic",
            processing_days: "0",
            fee: "-5",
            components: "\n",
            ..input()
        };
        let errors = ProcedureContent::parse(&bad).unwrap_err();
        let fields: Vec<_> = errors.iter().map(ProcedureError::field).collect();
        for f in ["name", "level", "processing_days", "fee", "components"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }

    #[test]
    fn procedure_codes_are_plain() {
        assert_eq!(parse_code(" 1.004249 ").unwrap(), "1.004249");
        assert!(parse_code("1 004").is_err());
        assert!(parse_code("").is_err());
    }
}
