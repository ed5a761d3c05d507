//! Procedure dossiers at the one-stop desk: the dossier code in the national format, the
//! statuses of the national portal and the transitions between them, the appointment date
//! and the clock that stops while the applicant supplements, and the early / on time /
//! late classification of finished dossiers.

pub mod procedure;

use crate::calendar::{CalendarError, WorkingCalendar};
use chrono::{Datelike, NaiveDate};
use std::fmt;

pub use procedure::{Component, ProcedureChange, ProcedureContent, ProcedureError, ProcedureLevel};

/// Why a dossier change was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DossierError {
    #[error("the dossier code must look like 000.00.00.G12-201217-0001")]
    Code,
    #[error("this change is not allowed while the dossier is {0}")]
    NotAllowed(&'static str),
    #[error("a withdrawn dossier cannot be resubmitted")]
    Withdrawn,
    #[error("{0} is not a working day")]
    NotWorkingDay(NaiveDate),
    #[error("the new date must be after the current appointment date")]
    ApologyNotLater,
    #[error("a required component is missing: {0}")]
    MissingComponent(String),
    #[error("the rating must be 1 to 5")]
    Rating,
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl DossierError {
    /// A stable code for messages and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Code => "dossier_code",
            Self::NotAllowed(_) => "dossier_transition",
            Self::Withdrawn => "dossier_withdrawn",
            Self::NotWorkingDay(_) => "not_working_day",
            Self::ApologyNotLater => "apology_not_later",
            Self::MissingComponent(_) => "missing_component",
            Self::Rating => "rating_range",
            Self::Calendar(_) => "date_out_of_calendar",
        }
    }
}

/// A dossier code: the agency's code, the reception date and the day's sequence,
/// `000.00.00.G12-201217-0001`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DossierCode {
    pub agency: String,
    pub date: NaiveDate,
    pub sequence: u32,
}

impl DossierCode {
    /// Parses a code as typed (spaces around it ignored, letters in any case).
    pub fn parse(input: &str) -> Result<Self, DossierError> {
        let value = input.trim().to_uppercase();
        let mut parts = value.rsplitn(3, '-');
        let (Some(sequence), Some(date), Some(agency)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(DossierError::Code);
        };
        let agency = crate::org::AgencyCode::parse(agency).map_err(|_| DossierError::Code)?;
        if date.len() != 6 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DossierError::Code);
        }
        let date = NaiveDate::parse_from_str(&format!("20{date}"), "%Y%m%d")
            .map_err(|_| DossierError::Code)?;
        if sequence.len() < 4 || sequence.len() > 6 || !sequence.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(DossierError::Code);
        }
        let sequence: u32 = sequence.parse().map_err(|_| DossierError::Code)?;
        if sequence == 0 {
            return Err(DossierError::Code);
        }
        Ok(Self {
            agency: agency.as_str().to_owned(),
            date,
            sequence,
        })
    }

    /// The counter that numbers a day's dossiers: one per agency and date.
    pub fn counter_name(date: NaiveDate) -> String {
        format!("dossier:{}", date.format("%y%m%d"))
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:02}{:02}{:02}-{:04}",
            self.agency,
            self.date.year() % 100,
            self.date.month(),
            self.date.day(),
            self.sequence
        )
    }
}

/// Whether a dossier came to the counter or through the public site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Counter,
    Online,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Online => "online",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "counter" => Some(Self::Counter),
            "online" => Some(Self::Online),
            _ => None,
        }
    }
}

/// The statuses national portal integrations use, with their numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DossierStatus {
    /// 1: submitted online, not yet checked by the one-stop officer.
    Submitted,
    /// 2: accepted at the desk; the appointment date runs.
    Accepted,
    /// 3: refused, with reasons.
    Refused,
    /// 4: routed to the handling unit.
    InProgress,
    /// 5: waiting for the applicant's supplementation; the clock is stopped.
    SupplementationRequested,
    /// 6: waiting for the fee or another financial obligation; the clock is stopped.
    FeePaymentRequested,
    /// 7: withdrawn by the applicant.
    Withdrawn,
    /// 8: stopped (the handling was suspended, e.g. by an inspection or a court case); the
    /// clock is stopped until it resumes.
    Stopped,
    /// 9: processed; the result waits at the desk.
    Processed,
    /// 10: the result was returned to the applicant.
    ResultReturned,
}

impl DossierStatus {
    pub const ALL: [DossierStatus; 10] = [
        Self::Submitted,
        Self::Accepted,
        Self::Refused,
        Self::InProgress,
        Self::SupplementationRequested,
        Self::FeePaymentRequested,
        Self::Withdrawn,
        Self::Stopped,
        Self::Processed,
        Self::ResultReturned,
    ];

    /// The national number of the status.
    pub fn number(self) -> i64 {
        match self {
            Self::Submitted => 1,
            Self::Accepted => 2,
            Self::Refused => 3,
            Self::InProgress => 4,
            Self::SupplementationRequested => 5,
            Self::FeePaymentRequested => 6,
            Self::Withdrawn => 7,
            Self::Stopped => 8,
            Self::Processed => 9,
            Self::ResultReturned => 10,
        }
    }

    pub fn from_number(number: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.number() == number)
    }

    /// A short name for messages and catalogue keys (`dossier.status.accepted`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::Refused => "refused",
            Self::InProgress => "in_progress",
            Self::SupplementationRequested => "supplementation_requested",
            Self::FeePaymentRequested => "fee_payment_requested",
            Self::Withdrawn => "withdrawn",
            Self::Stopped => "stopped",
            Self::Processed => "processed",
            Self::ResultReturned => "result_returned",
        }
    }

    /// Still being worked on: not refused, withdrawn, processed or returned.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Submitted
                | Self::Accepted
                | Self::InProgress
                | Self::SupplementationRequested
                | Self::FeePaymentRequested
                | Self::Stopped
        )
    }

    /// The statuses in which the clock is stopped: the time spent in them does not count
    /// against the appointment date, which moves on when the dossier resumes (the working
    /// days that were left are counted again from the resumption). Waiting for the
    /// applicant's documents, for the applicant's payment of a fee or financial obligation
    /// (Decree 61/2018 excludes that time from the processing time), and a suspension
    /// ordered from outside the office are all time the office cannot act.
    pub fn clock_stopped(self) -> bool {
        matches!(
            self,
            Self::SupplementationRequested | Self::FeePaymentRequested | Self::Stopped
        )
    }
}

/// What someone does to a dossier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DossierAction {
    /// The officer accepts an online submission.
    Accept,
    /// The officer sends it to the handling unit.
    Route,
    RequestSupplementation,
    /// The applicant hands in what was asked; the dossier goes back to `resume`.
    Resubmit,
    Refuse,
    Withdraw,
    /// The handling unit finishes; the result goes to the desk.
    Finish,
    ReturnResult,
    /// An apology slip with a new date (no change of status).
    Apologise,
    /// The applicant is asked to pay a fee or financial obligation; the clock stops.
    RequestFeePayment,
    /// The payment was received; the dossier goes back to `resume`.
    ConfirmFeePayment,
    /// The handling is suspended (status 8); the clock stops.
    Stop,
    /// A suspended dossier goes back to `resume`.
    Resume,
    /// More result files for a processed dossier waiting at the desk (no change of status).
    AttachResult,
}

impl DossierAction {
    /// The name used in the timeline, the audit trail and the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Route => "route",
            Self::RequestSupplementation => "request_supplementation",
            Self::Resubmit => "resubmit",
            Self::Refuse => "refuse",
            Self::Withdraw => "withdraw",
            Self::Finish => "finish",
            Self::ReturnResult => "return_result",
            Self::Apologise => "apologise",
            Self::RequestFeePayment => "request_fee_payment",
            Self::ConfirmFeePayment => "confirm_fee_payment",
            Self::Stop => "stop",
            Self::Resume => "resume",
            Self::AttachResult => "attach_result",
        }
    }
}

/// The status after `action`, or why it is refused. `resume` is the status a dossier
/// waiting for supplementation or payment, or stopped, goes back to.
pub fn transition(
    from: DossierStatus,
    action: DossierAction,
    resume: Option<DossierStatus>,
) -> Result<DossierStatus, DossierError> {
    use DossierAction as A;
    use DossierStatus as S;
    let refused = Err(DossierError::NotAllowed(from.code()));
    match (from, action) {
        (S::Withdrawn, A::Resubmit) => Err(DossierError::Withdrawn),
        (S::Submitted, A::Accept) => Ok(S::Accepted),
        (S::Accepted, A::Route) => Ok(S::InProgress),
        (S::Submitted | S::Accepted | S::InProgress, A::RequestSupplementation) => {
            Ok(S::SupplementationRequested)
        }
        (S::SupplementationRequested, A::Resubmit) => match resume {
            Some(s @ (S::Submitted | S::Accepted | S::InProgress)) => Ok(s),
            _ => refused,
        },
        (S::Accepted | S::InProgress, A::RequestFeePayment | A::Stop) => Ok(match action {
            A::Stop => S::Stopped,
            _ => S::FeePaymentRequested,
        }),
        (S::FeePaymentRequested, A::ConfirmFeePayment) | (S::Stopped, A::Resume) => match resume {
            Some(s @ (S::Accepted | S::InProgress)) => Ok(s),
            _ => refused,
        },
        (
            S::Submitted
            | S::Accepted
            | S::InProgress
            | S::SupplementationRequested
            | S::FeePaymentRequested
            | S::Stopped,
            A::Refuse,
        ) => Ok(S::Refused),
        (
            S::Submitted
            | S::Accepted
            | S::InProgress
            | S::SupplementationRequested
            | S::FeePaymentRequested
            | S::Stopped,
            A::Withdraw,
        ) => Ok(S::Withdrawn),
        (S::Accepted | S::InProgress, A::Finish) => Ok(S::Processed),
        (S::Processed, A::ReturnResult) => Ok(S::ResultReturned),
        (S::Processed, A::AttachResult) => Ok(S::Processed),
        (S::Accepted | S::InProgress | S::SupplementationRequested, A::Apologise) => Ok(from),
        _ => refused,
    }
}

/// How a finished dossier met its appointment date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timeliness {
    Early,
    OnTime,
    Late,
}

impl Timeliness {
    pub const ALL: [Timeliness; 3] = [Self::Early, Self::OnTime, Self::Late];

    /// Finished before the appointment date is early, on it on time, after it late.
    pub fn classify(finished_on: NaiveDate, due_date: NaiveDate) -> Self {
        match finished_on.cmp(&due_date) {
            std::cmp::Ordering::Less => Self::Early,
            std::cmp::Ordering::Equal => Self::OnTime,
            std::cmp::Ordering::Greater => Self::Late,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Early => "early",
            Self::OnTime => "on_time",
            Self::Late => "late",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// Refuses a date that is not a working day (dossiers are received and appointed on
/// working days only).
pub fn require_working_day(
    calendar: &WorkingCalendar,
    date: NaiveDate,
) -> Result<NaiveDate, DossierError> {
    if calendar.is_working_day(date)? {
        Ok(date)
    } else {
        Err(DossierError::NotWorkingDay(date))
    }
}

/// The appointment date on the receipt: the reception date plus the procedure's working days.
pub fn appointment_date(
    calendar: &WorkingCalendar,
    received_on: NaiveDate,
    processing_days: i32,
) -> Result<NaiveDate, DossierError> {
    Ok(calendar.add_working_days(received_on, processing_days)?)
}

/// A due date after the clock stopped on `paused_on` and started again on `resumed_on`:
/// the working days that were left when it stopped are counted again from the resumption.
/// A date already passed when the clock stopped stays as far behind as it was.
pub fn resumed_due_date(
    calendar: &WorkingCalendar,
    due: NaiveDate,
    paused_on: NaiveDate,
    resumed_on: NaiveDate,
) -> Result<NaiveDate, DossierError> {
    let left = calendar.working_days_between(paused_on, due)?;
    if left > 0 {
        Ok(calendar.add_working_days(resumed_on, left)?)
    } else {
        Ok(due.min(resumed_on))
    }
}

/// The due date of each step from its working days, one after the other from `start`.
pub fn step_due_dates(
    calendar: &WorkingCalendar,
    start: NaiveDate,
    days: &[i32],
) -> Result<Vec<NaiveDate>, DossierError> {
    let mut out = Vec::with_capacity(days.len());
    let mut from = start;
    for d in days {
        from = calendar.add_working_days(from, *d)?;
        out.push(from);
    }
    Ok(out)
}

/// The last characters of a phone number, the check on the public tracking page.
pub fn phone_tail(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(4)..].iter().collect()
}

/// A rating of the service by the applicant, 1 (very dissatisfied) to 5 (very satisfied).
pub fn parse_rating(value: i64) -> Result<i64, DossierError> {
    if (1..=5).contains(&value) {
        Ok(value)
    } else {
        Err(DossierError::Rating)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn calendar() -> WorkingCalendar {
        WorkingCalendar::for_years(2019..=2030, &BTreeMap::new()).unwrap()
    }

    #[test]
    fn dossier_codes_print_and_parse_in_the_national_format() {
        let code = DossierCode {
            agency: "000.00.00.G12".into(),
            date: date(2020, 12, 17),
            sequence: 1,
        };
        assert_eq!(code.to_string(), "000.00.00.G12-201217-0001");
        assert_eq!(
            DossierCode::parse(" 000.00.00.g12-201217-0001 ").unwrap(),
            code
        );
        for bad in [
            "",
            "000.00.00.G12-201317-0001",
            "000.00.00.G12-201217-0000",
            "000.00.00.G12-201217-1",
            "00.00.00.G12-201217-0001",
            "000.00.00.G12201217-0001",
            "000.00.00.G12-201217-00x1",
        ] {
            assert_eq!(DossierCode::parse(bad), Err(DossierError::Code), "{bad}");
        }
    }

    #[test]
    fn the_clock_stops_while_supplementation_is_pending() {
        let cal = calendar();
        // Received Monday 2 March 2026, ten working days: due Monday 16 March.
        let due = appointment_date(&cal, date(2026, 3, 2), 10).unwrap();
        assert_eq!(due, date(2026, 3, 16));
        // Stopped on Wednesday 4 March with eight working days left; resumed Monday 9 March.
        let resumed = resumed_due_date(&cal, due, date(2026, 3, 4), date(2026, 3, 9)).unwrap();
        assert_eq!(resumed, date(2026, 3, 19));
    }

    #[test]
    fn appointments_skip_tet() {
        let cal = calendar();
        // Tết 2026: 17 February; the holidays run from 16 to 20 February.
        let due = appointment_date(&cal, date(2026, 2, 12), 3).unwrap();
        assert!(due >= date(2026, 2, 23), "{due}");
    }

    #[test]
    fn a_holiday_is_not_a_reception_day() {
        let cal = calendar();
        assert_eq!(
            require_working_day(&cal, date(2026, 9, 2)),
            Err(DossierError::NotWorkingDay(date(2026, 9, 2)))
        );
        assert!(require_working_day(&cal, date(2026, 9, 4)).is_ok());
    }

    #[test]
    fn finished_dossiers_are_early_on_time_or_late() {
        let due = date(2026, 3, 16);
        assert_eq!(
            Timeliness::classify(date(2026, 3, 13), due),
            Timeliness::Early
        );
        assert_eq!(Timeliness::classify(due, due), Timeliness::OnTime);
        assert_eq!(
            Timeliness::classify(date(2026, 3, 17), due),
            Timeliness::Late
        );
    }

    #[test]
    fn a_withdrawn_dossier_cannot_be_resubmitted() {
        use DossierAction as A;
        use DossierStatus as S;
        assert_eq!(
            transition(S::Withdrawn, A::Resubmit, Some(S::InProgress)),
            Err(DossierError::Withdrawn)
        );
        assert_eq!(
            transition(
                S::SupplementationRequested,
                A::Resubmit,
                Some(S::InProgress)
            ),
            Ok(S::InProgress)
        );
        assert!(transition(S::ResultReturned, A::Refuse, None).is_err());
        assert!(transition(S::Processed, A::ReturnResult, None).is_ok());
        assert!(transition(S::Submitted, A::Finish, None).is_err());
        assert_eq!(
            transition(S::Processed, A::AttachResult, None),
            Ok(S::Processed)
        );
        assert!(transition(S::ResultReturned, A::AttachResult, None).is_err());
        assert!(transition(S::InProgress, A::AttachResult, None).is_err());
    }

    #[test]
    fn fee_payment_and_stopping_pause_and_resume_where_the_dossier_was() {
        use DossierAction as A;
        use DossierStatus as S;
        for from in [S::Accepted, S::InProgress] {
            assert_eq!(
                transition(from, A::RequestFeePayment, None),
                Ok(S::FeePaymentRequested)
            );
            assert_eq!(transition(from, A::Stop, None), Ok(S::Stopped));
            assert_eq!(
                transition(S::FeePaymentRequested, A::ConfirmFeePayment, Some(from)),
                Ok(from)
            );
            assert_eq!(transition(S::Stopped, A::Resume, Some(from)), Ok(from));
        }
        // Only from a dossier the office is working on.
        for from in [
            S::Submitted,
            S::SupplementationRequested,
            S::FeePaymentRequested,
            S::Stopped,
            S::Processed,
            S::ResultReturned,
            S::Refused,
            S::Withdrawn,
        ] {
            assert_eq!(
                transition(from, A::RequestFeePayment, None),
                Err(DossierError::NotAllowed(from.code())),
                "{from:?}"
            );
            assert!(transition(from, A::Stop, None).is_err(), "{from:?}");
        }
        // Resuming needs the status it was in, and only from the right pause.
        assert!(transition(S::Stopped, A::Resume, None).is_err());
        assert!(transition(S::Stopped, A::ConfirmFeePayment, Some(S::InProgress)).is_err());
        assert!(transition(S::FeePaymentRequested, A::Resume, Some(S::InProgress)).is_err());
        assert!(transition(S::InProgress, A::Resume, Some(S::Accepted)).is_err());
        assert!(transition(S::Stopped, A::Finish, None).is_err());
        assert_eq!(transition(S::Stopped, A::Withdraw, None), Ok(S::Withdrawn));
        assert_eq!(
            transition(S::FeePaymentRequested, A::Refuse, None),
            Ok(S::Refused)
        );
        for s in DossierStatus::ALL {
            assert_eq!(
                s.clock_stopped(),
                matches!(
                    s,
                    S::SupplementationRequested | S::FeePaymentRequested | S::Stopped
                ),
                "{s:?}"
            );
        }
    }

    #[test]
    fn a_stop_moves_the_appointment_by_the_working_days_it_lasted() {
        let cal = calendar();
        // Due Monday 16 March 2026; stopped Thursday 12 March (two working days left),
        // resumed Monday 23 March: due two working days later, Wednesday 25 March.
        let due = date(2026, 3, 16);
        let resumed = resumed_due_date(&cal, due, date(2026, 3, 12), date(2026, 3, 23)).unwrap();
        assert_eq!(resumed, date(2026, 3, 25));
        // A dossier already late when it stopped does not gain time.
        let late = resumed_due_date(&cal, due, date(2026, 3, 18), date(2026, 3, 23)).unwrap();
        assert_eq!(late, due);
    }

    #[test]
    fn statuses_keep_their_national_numbers() {
        for (i, s) in DossierStatus::ALL.iter().enumerate() {
            assert_eq!(s.number(), i as i64 + 1);
            assert_eq!(DossierStatus::from_number(s.number()), Some(*s));
        }
    }

    #[test]
    fn step_deadlines_follow_each_other() {
        let cal = calendar();
        let dues = step_due_dates(&cal, date(2026, 3, 2), &[2, 5]).unwrap();
        assert_eq!(dues, vec![date(2026, 3, 4), date(2026, 3, 11)]);
    }

    #[test]
    fn the_phone_check_is_its_last_four_digits() {
        assert_eq!(phone_tail("0912 345 678"), "5678");
        assert_eq!(phone_tail("12"), "12");
    }
}
