//! Work files (hồ sơ công việc) and their handover to the agency archive (Decree 30/2020,
//! the archives law): the file code from the file plan, the retention period, the states
//! a file moves through, and the rule on which files go to the archive.

use std::fmt;

/// Why a work file's value or step was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WorkFileError {
    #[error("the file code must be a sequence and a heading abbreviation, like 01.TCCB")]
    Code,
    #[error("the retention period must be permanent or a number of years from 1 to 70")]
    Retention,
    #[error("the year is out of range")]
    Year,
    #[error("this step is not allowed in the file's current state")]
    Transition,
    #[error("files kept for less than 5 years stay in the unit")]
    RetentionTooShort,
}

impl WorkFileError {
    /// A stable code for messages and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Code => "work_file_code",
            Self::Retention => "work_file_retention",
            Self::Year => "work_file_year",
            Self::Transition => "work_file_transition",
            Self::RetentionTooShort => "work_file_retention_too_short",
        }
    }
}

/// A file code from the file plan: a sequence number, a dot, the heading's abbreviation
/// (`01.TCCB`); sub-headings may add groups (`02.VP.TH`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileCode(String);

impl FileCode {
    pub fn parse(input: &str) -> Result<Self, WorkFileError> {
        let value: String = crate::text::normalize(input).to_uppercase();
        let mut parts = value.split('.');
        let sequence = parts.next().unwrap_or_default();
        if sequence.is_empty()
            || sequence.len() > 4
            || !sequence.chars().all(|c| c.is_ascii_digit())
        {
            return Err(WorkFileError::Code);
        }
        let mut groups = 0;
        for part in parts {
            let count = part.chars().count();
            if count == 0 || count > 12 || !part.chars().all(|c| c.is_alphanumeric()) {
                return Err(WorkFileError::Code);
            }
            groups += 1;
        }
        if groups == 0 || value.chars().count() > 40 {
            return Err(WorkFileError::Code);
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FileCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How long the file is kept: permanently, or a number of years.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retention {
    Permanent,
    Years(u8),
}

impl Retention {
    /// Parses the form's value: "permanent" (or "vĩnh viễn"), or a number of years.
    pub fn parse(input: &str) -> Result<Self, WorkFileError> {
        let value = crate::text::fold(&crate::text::normalize(input));
        if value == "permanent" || value == "vinh vien" {
            return Ok(Self::Permanent);
        }
        let years: u8 = value
            .trim_end_matches("nam")
            .trim_end_matches("years")
            .trim()
            .parse()
            .map_err(|_| WorkFileError::Retention)?;
        Self::from_years(Some(i64::from(years)))
    }

    /// From the stored column: NULL is permanent.
    pub fn from_years(years: Option<i64>) -> Result<Self, WorkFileError> {
        match years {
            None => Ok(Self::Permanent),
            Some(n) if (1..=70).contains(&n) => Ok(Self::Years(n as u8)),
            Some(_) => Err(WorkFileError::Retention),
        }
    }

    /// The stored column: NULL for permanent.
    pub fn years(self) -> Option<i64> {
        match self {
            Self::Permanent => None,
            Self::Years(n) => Some(i64::from(n)),
        }
    }

    /// The form's value.
    pub fn code(self) -> String {
        match self {
            Self::Permanent => "permanent".into(),
            Self::Years(n) => n.to_string(),
        }
    }

    /// Files kept under 5 years stay in the unit and are destroyed there when due; the
    /// others are handed over to the agency archive.
    pub fn goes_to_archive(self) -> bool {
        match self {
            Self::Permanent => true,
            Self::Years(n) => n >= 5,
        }
    }
}

/// Where a file is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileStatus {
    /// The unit is adding documents.
    Open,
    /// The work is done; the file is complete.
    Closed,
    /// Listed in a handover record, waiting for the archivist.
    HandedOver,
    /// In the agency archive.
    Received,
}

impl FileStatus {
    pub const ALL: [FileStatus; 4] = [Self::Open, Self::Closed, Self::HandedOver, Self::Received];

    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::HandedOver => "handed_over",
            Self::Received => "received",
        }
    }

    pub fn parse(code: &str) -> Result<Self, WorkFileError> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or(WorkFileError::Transition)
    }
}

/// What is done to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileAction {
    AddDocument,
    Close,
    HandOver,
    Receive,
}

/// The state after `action`, or why it is refused.
pub fn transition(status: FileStatus, action: FileAction) -> Result<FileStatus, WorkFileError> {
    use FileAction as A;
    use FileStatus as S;
    match (status, action) {
        (S::Open, A::AddDocument) => Ok(S::Open),
        (S::Open, A::Close) => Ok(S::Closed),
        (S::Closed, A::HandOver) => Ok(S::HandedOver),
        (S::HandedOver, A::Receive) => Ok(S::Received),
        _ => Err(WorkFileError::Transition),
    }
}

/// Checks a file may be listed in a handover: closed, and kept long enough to go to the archive.
pub fn check_handover(status: FileStatus, retention: Retention) -> Result<(), WorkFileError> {
    transition(status, FileAction::HandOver)?;
    if !retention.goes_to_archive() {
        return Err(WorkFileError::RetentionTooShort);
    }
    Ok(())
}

/// Checks a file year (the file plan's year).
pub fn check_year(year: i32) -> Result<i32, WorkFileError> {
    if (1945..=2200).contains(&year) {
        Ok(year)
    } else {
        Err(WorkFileError::Year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_codes_are_a_sequence_and_a_heading() {
        assert_eq!(FileCode::parse(" 01.tccb ").unwrap().as_str(), "01.TCCB");
        assert_eq!(FileCode::parse("12.VP.TH").unwrap().as_str(), "12.VP.TH");
        assert_eq!(FileCode::parse("03.ĐTM").unwrap().as_str(), "03.ĐTM");
        for bad in [
            "", "TCCB", "01", "01.", "a1.TC", "01.T-C", "01..TC", "12345.TC",
        ] {
            assert_eq!(FileCode::parse(bad), Err(WorkFileError::Code), "{bad}");
        }
    }

    #[test]
    fn retention_is_permanent_or_years() {
        assert_eq!(Retention::parse("permanent"), Ok(Retention::Permanent));
        assert_eq!(Retention::parse("Vĩnh viễn"), Ok(Retention::Permanent));
        assert_eq!(Retention::parse("10"), Ok(Retention::Years(10)));
        assert_eq!(Retention::parse("20 năm"), Ok(Retention::Years(20)));
        for bad in ["", "0", "71", "-3", "mười"] {
            assert_eq!(
                Retention::parse(bad),
                Err(WorkFileError::Retention),
                "{bad}"
            );
        }
        assert_eq!(Retention::Permanent.years(), None);
        assert_eq!(Retention::from_years(Some(5)), Ok(Retention::Years(5)));
    }

    #[test]
    fn files_kept_under_five_years_stay_in_the_unit() {
        assert!(Retention::Permanent.goes_to_archive());
        assert!(Retention::Years(5).goes_to_archive());
        assert!(!Retention::Years(4).goes_to_archive());
        assert_eq!(
            check_handover(FileStatus::Closed, Retention::Years(2)),
            Err(WorkFileError::RetentionTooShort)
        );
        assert_eq!(
            check_handover(FileStatus::Closed, Retention::Years(10)),
            Ok(())
        );
    }

    #[test]
    fn a_file_moves_open_closed_handed_over_received_only() {
        use FileAction as A;
        use FileStatus as S;
        assert_eq!(transition(S::Open, A::Close), Ok(S::Closed));
        assert_eq!(transition(S::Closed, A::HandOver), Ok(S::HandedOver));
        assert_eq!(transition(S::HandedOver, A::Receive), Ok(S::Received));
        for (status, action) in [
            (S::Closed, A::AddDocument),
            (S::Open, A::HandOver),
            (S::Closed, A::Close),
            (S::Open, A::Receive),
            (S::Received, A::HandOver),
            (S::Received, A::AddDocument),
        ] {
            assert_eq!(
                transition(status, action),
                Err(WorkFileError::Transition),
                "{status:?} {action:?}"
            );
        }
        for status in FileStatus::ALL {
            assert_eq!(FileStatus::parse(status.code()), Ok(status));
        }
    }
}
