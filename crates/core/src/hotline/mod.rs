//! The pollution hotline (Decision 174/QĐ-BTNMT): kinds of pollution, intake channels,
//! the case status flow and the three counters it feeds, routing to the competent level,
//! who may see and change a case, and the suggestion of likely duplicates.

pub mod attributes;
pub mod duplicates;

use crate::calendar::{CalendarError, WorkingCalendar};
use crate::ids::AreaId;
use crate::permission::Actor;
use chrono::NaiveDate;

/// Why a hotline value or step was refused. Each has a stable code for messages.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HotlineError {
    #[error("unknown kind of pollution")]
    Kind,
    #[error("unknown channel")]
    Channel,
    #[error("unknown status")]
    Status,
    #[error("the description is required")]
    DescriptionMissing,
    #[error("the description is longer than {max} characters")]
    DescriptionTooLong { max: usize },
    #[error("a location is required: a province, an address or coordinates")]
    LocationMissing,
    #[error("the coordinates are not numbers")]
    CoordinatesNotNumbers,
    #[error("the coordinates are outside the valid range")]
    CoordinatesOutOfRange,
    #[error("a case cannot go from {from} to {to}")]
    Transition {
        from: &'static str,
        to: &'static str,
    },
    #[error("a note is required for this step")]
    NoteMissing,
    #[error("the tracking code is malformed")]
    TrackingCode,
    #[error("the working days for a case must be a whole number from {min} to {max}")]
    DueDays { min: i32, max: i32 },
}

impl HotlineError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Kind => "hotline_kind",
            Self::Channel => "hotline_channel",
            Self::Status => "hotline_status",
            Self::DescriptionMissing => "hotline_description_missing",
            Self::DescriptionTooLong { .. } => "hotline_description_too_long",
            Self::LocationMissing => "hotline_location_missing",
            Self::CoordinatesNotNumbers => "hotline_coordinates_not_numbers",
            Self::CoordinatesOutOfRange => "hotline_coordinates_out_of_range",
            Self::Transition { .. } => "hotline_transition",
            Self::NoteMissing => "hotline_note_missing",
            Self::TrackingCode => "hotline_tracking_code",
            Self::DueDays { .. } => "hotline_due_days",
        }
    }
}

/// The longest description a report may carry, in characters.
pub const DESCRIPTION_MAX: usize = 4000;

/// Working days the competent level has to deal with a case, counted from its reception,
/// unless an administrator set another figure (for every kind or for one kind).
/// Reports are handled as urgent; the figure is the hotline's internal target.
pub const DUE_WORKING_DAYS: i32 = 10;

/// The figures an administrator may set for the working days of a case.
pub const DUE_DAYS_RANGE: std::ops::RangeInclusive<i32> = 1..=60;

/// Reads a figure of working days for a case, as typed.
pub fn parse_due_days(input: &str) -> Result<i32, HotlineError> {
    let error = HotlineError::DueDays {
        min: *DUE_DAYS_RANGE.start(),
        max: *DUE_DAYS_RANGE.end(),
    };
    let days: i32 = input.trim().parse().map_err(|_| error.clone())?;
    if DUE_DAYS_RANGE.contains(&days) {
        Ok(days)
    } else {
        Err(error)
    }
}

/// The working days for new cases: one figure for every kind, and the kinds that differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueDays {
    pub default: i32,
    pub per_kind: std::collections::BTreeMap<PollutionKind, i32>,
}

impl Default for DueDays {
    fn default() -> Self {
        Self {
            default: DUE_WORKING_DAYS,
            per_kind: Default::default(),
        }
    }
}

impl DueDays {
    /// The working days a new case of this kind has.
    pub fn for_kind(&self, kind: PollutionKind) -> i32 {
        self.per_kind.get(&kind).copied().unwrap_or(self.default)
    }
}

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident, $error:expr, { $($(#[$vdoc:meta])* $variant:ident => $code:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* $variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$(Self::$variant),*];

            /// The stable code stored in the database and used on the wire.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code),* }
            }

            pub fn parse(code: &str) -> Result<Self, HotlineError> {
                Self::ALL.iter().copied().find(|v| v.code() == code.trim()).ok_or($error)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

code_enum!(
    /// The kinds of pollution the decision lists; each is an Open311 service.
    PollutionKind, HotlineError::Kind, {
        WasteWater => "waste_water",
        SolidWaste => "solid_waste",
        Emissions => "emissions",
        Noise => "noise",
        /// A change in environmental quality (a river's colour, dead fish, a smell over an area).
        EnvironmentalQuality => "environmental_quality",
        Other => "other",
    }
);

code_enum!(
    /// How a report reached the hotline.
    Channel, HotlineError::Channel, {
        Phone => "phone",
        Sms => "sms",
        Email => "email",
        Web => "web",
        Press => "press",
        SocialMedia => "social_media",
        Open311 => "open311",
    }
);

impl Channel {
    /// Press and social-media reports are public already: their text may be shown as it is.
    pub fn is_public_source(self) -> bool {
        matches!(self, Self::Press | Self::SocialMedia | Self::Open311)
    }
}

code_enum!(
    /// Whether the pollution happened suddenly or goes on.
    Onset, HotlineError::Kind, {
        Sudden => "sudden",
        Continuous => "continuous",
    }
);

code_enum!(
    /// The extent and severity as the reporter or the operator judges it.
    Severity, HotlineError::Kind, {
        Minor => "minor",
        Serious => "serious",
        VerySerious => "very_serious",
    }
);

code_enum!(
    /// Where a case is in its handling.
    CaseStatus, HotlineError::Status, {
        Received => "received",
        Verifying => "verifying",
        Verified => "verified",
        Handling => "handling",
        Handled => "handled",
        /// The reporter was told the outcome.
        Responded => "responded",
        Closed => "closed",
        /// Not for us: neither the ministry nor a province's environment department.
        NotCompetent => "not_competent",
        Rejected => "rejected",
        /// Merged into another case about the same incident.
        Duplicate => "duplicate",
    }
);

impl CaseStatus {
    /// The statuses a case may move to from this one.
    pub fn next(self) -> &'static [CaseStatus] {
        use CaseStatus as S;
        match self {
            S::Received => &[S::Verifying, S::NotCompetent, S::Rejected, S::Duplicate],
            S::Verifying => &[S::Verified, S::NotCompetent, S::Rejected, S::Duplicate],
            S::Verified => &[S::Handling],
            S::Handling => &[S::Handled],
            S::Handled => &[S::Responded],
            S::Responded => &[S::Closed],
            S::Closed | S::NotCompetent | S::Rejected | S::Duplicate => &[],
        }
    }

    /// Checks a step from `self` to `to`; every step needs a note.
    pub fn step(self, to: CaseStatus, note: &str) -> Result<(), HotlineError> {
        if !self.next().contains(&to) {
            return Err(HotlineError::Transition {
                from: self.code(),
                to: to.code(),
            });
        }
        if note.trim().is_empty() {
            return Err(HotlineError::NoteMissing);
        }
        Ok(())
    }

    /// Open311 knows only "open" and "closed".
    pub fn is_open(self) -> bool {
        !self.is_final()
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Closed | Self::NotCompetent | Self::Rejected | Self::Duplicate
        )
    }

    /// The statuses Open311's "open" or "closed" stands for.
    pub fn with_openness(open: bool) -> Vec<CaseStatus> {
        Self::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open() == open)
            .collect()
    }
}

/// Which of the three reported counters a step feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    Verified,
    Handled,
    Responded,
}

impl Counter {
    /// The counter a step to `status` feeds, if any.
    pub fn of_step(status: CaseStatus) -> Option<Counter> {
        match status {
            CaseStatus::Verified => Some(Self::Verified),
            CaseStatus::Handled => Some(Self::Handled),
            CaseStatus::Responded => Some(Self::Responded),
            _ => None,
        }
    }
}

/// Who deals with a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompetentLevel {
    /// The ministry's hotline and environment agency.
    Central,
    /// The environment department of this province.
    Province(AreaId),
}

impl CompetentLevel {
    /// Inter-provincial cases stay central; others go to the province where it happened.
    /// A report placed only by coordinates or an address stays central until an operator
    /// names the province.
    pub fn route(province: Option<AreaId>, inter_provincial: bool) -> Self {
        match province {
            Some(p) if !inter_provincial => Self::Province(p),
            _ => Self::Central,
        }
    }

    pub fn province(self) -> Option<AreaId> {
        match self {
            Self::Central => None,
            Self::Province(p) => Some(p),
        }
    }
}

/// The due date of a case received on `received_on` (a Vietnam date) with `working_days`
/// to deal with it (see [`DueDays`]).
pub fn due_date(
    calendar: &WorkingCalendar,
    received_on: NaiveDate,
    working_days: i32,
) -> Result<NaiveDate, CalendarError> {
    calendar.add_working_days(received_on, working_days)
}

/// Checks a report's description: present and at most [`DESCRIPTION_MAX`] characters.
/// Line breaks are kept; other control characters are removed.
pub fn description(input: &str) -> Result<String, HotlineError> {
    let value: String = crate::text::normalize(input)
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .replace("\r\n", "\n");
    if value.trim().is_empty() {
        return Err(HotlineError::DescriptionMissing);
    }
    let length = value.chars().count();
    if length > DESCRIPTION_MAX {
        return Err(HotlineError::DescriptionTooLong {
            max: DESCRIPTION_MAX,
        });
    }
    Ok(value)
}

/// A point on the map (WGS 84 degrees).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

impl Coordinates {
    /// Parses latitude and longitude given as text; both or neither must be given.
    pub fn parse(latitude: &str, longitude: &str) -> Result<Option<Self>, HotlineError> {
        let (lat, long) = (latitude.trim(), longitude.trim());
        if lat.is_empty() && long.is_empty() {
            return Ok(None);
        }
        let parse = |v: &str| -> Result<f64, HotlineError> {
            let n: f64 = v.parse().map_err(|_| HotlineError::CoordinatesNotNumbers)?;
            if n.is_finite() {
                Ok(n)
            } else {
                Err(HotlineError::CoordinatesNotNumbers)
            }
        };
        let (latitude, longitude) = (parse(lat)?, parse(long)?);
        Self::new(latitude, longitude).map(Some)
    }

    pub fn new(latitude: f64, longitude: f64) -> Result<Self, HotlineError> {
        if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
            return Err(HotlineError::CoordinatesOutOfRange);
        }
        Ok(Self {
            latitude,
            longitude,
        })
    }

    /// The great-circle distance in metres.
    pub fn distance_m(self, other: Coordinates) -> f64 {
        const EARTH_RADIUS_M: f64 = 6_371_000.0;
        let (p1, p2) = (self.latitude.to_radians(), other.latitude.to_radians());
        let dp = p2 - p1;
        let dl = (other.longitude - self.longitude).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().asin()
    }
}

/// Where a report says it happened. At least one of province, address or coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Location {
    pub province: Option<AreaId>,
    pub commune: Option<AreaId>,
    pub address: String,
    pub coordinates: Option<Coordinates>,
}

impl Location {
    pub fn new(
        province: Option<AreaId>,
        commune: Option<AreaId>,
        address: String,
        coordinates: Option<Coordinates>,
    ) -> Result<Self, HotlineError> {
        if province.is_none() && address.trim().is_empty() && coordinates.is_none() {
            return Err(HotlineError::LocationMissing);
        }
        Ok(Self {
            province,
            commune,
            address,
            coordinates,
        })
    }
}

/// The code a reporter keeps to follow their report on the public page: `PA` and eight
/// characters without look-alikes (no 0/O, 1/I/L).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TrackingCode(String);

pub const TRACKING_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

impl TrackingCode {
    pub fn parse(input: &str) -> Result<Self, HotlineError> {
        let value: String = input
            .trim()
            .chars()
            .filter(|c| *c != '-' && *c != ' ')
            .flat_map(char::to_uppercase)
            .collect();
        let Some(rest) = value.strip_prefix("PA") else {
            return Err(HotlineError::TrackingCode);
        };
        if rest.len() != 8 || !rest.bytes().all(|b| TRACKING_ALPHABET.contains(&b)) {
            return Err(HotlineError::TrackingCode);
        }
        Ok(Self(value))
    }

    /// Builds a code from eight indexes into the alphabet (the caller draws them at random).
    pub fn from_indexes(indexes: [u8; 8]) -> Self {
        let rest: String = indexes
            .iter()
            .map(|i| TRACKING_ALPHABET[*i as usize % TRACKING_ALPHABET.len()] as char)
            .collect();
        Self(format!("PA{rest}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a person relates to the hotline, deciding what they see and may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HotlineAccess {
    /// Hotline operators: every case, the reporters' identities, every step.
    Operator,
    /// Agency leaders: every case and the statistics, never an identity.
    Leader,
    /// An officer of a province's environment department: that province's cases only.
    ProvinceOfficer(AreaId),
    None,
}

impl HotlineAccess {
    /// `officer_of` is the province the user was made an officer of, if any.
    pub fn of(actor: &Actor, officer_of: Option<AreaId>) -> Self {
        use crate::auth::Role;
        if actor.has(Role::HotlineOperator) {
            Self::Operator
        } else if actor.has(Role::AgencyLeader) {
            Self::Leader
        } else if let Some(province) = officer_of {
            Self::ProvinceOfficer(province)
        } else {
            Self::None
        }
    }

    /// The province a list must be limited to, or `None` for every case.
    pub fn province_scope(self) -> Option<AreaId> {
        match self {
            Self::ProvinceOfficer(p) => Some(p),
            _ => None,
        }
    }

    pub fn may_read(self, routed_to: CompetentLevel) -> bool {
        match self {
            Self::Operator | Self::Leader => true,
            Self::ProvinceOfficer(p) => routed_to == CompetentLevel::Province(p),
            Self::None => false,
        }
    }

    /// Operators take every step; a province's officers verify and handle their cases
    /// and may say a case is not theirs. Telling the reporter and closing stay central,
    /// since only the hotline knows who the reporter is.
    pub fn may_step(self, routed_to: CompetentLevel, to: CaseStatus) -> bool {
        match self {
            Self::Operator => true,
            Self::ProvinceOfficer(_) => {
                self.may_read(routed_to)
                    && matches!(
                        to,
                        CaseStatus::Verifying
                            | CaseStatus::Verified
                            | CaseStatus::Handling
                            | CaseStatus::Handled
                            | CaseStatus::NotCompetent
                    )
            }
            Self::Leader | Self::None => false,
        }
    }

    /// Operators take reports, merge cases, route them and share identities.
    pub fn is_operator(self) -> bool {
        self == Self::Operator
    }

    /// Whether the reporter's identity may be shown: to operators always, to the
    /// province's officers only once an operator shared it, to nobody else.
    pub fn sees_identity(self, routed_to: CompetentLevel, shared: bool) -> bool {
        match self {
            Self::Operator => true,
            Self::ProvinceOfficer(_) => shared && self.may_read(routed_to),
            Self::Leader | Self::None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Role, Secrecy};
    use crate::ids::UserId;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            user_id: UserId(1),
            roles: roles.to_vec(),
            unit: None,
            clearance: Secrecy::Normal,
        }
    }

    #[test]
    fn the_status_flow_runs_from_received_to_closed() {
        let flow = [
            CaseStatus::Received,
            CaseStatus::Verifying,
            CaseStatus::Verified,
            CaseStatus::Handling,
            CaseStatus::Handled,
            CaseStatus::Responded,
            CaseStatus::Closed,
        ];
        for pair in flow.windows(2) {
            assert_eq!(pair[0].step(pair[1], "ghi chú"), Ok(()), "{pair:?}");
        }
        assert!(CaseStatus::Received.step(CaseStatus::Handled, "x").is_err());
        assert!(CaseStatus::Closed.step(CaseStatus::Received, "x").is_err());
        assert_eq!(
            CaseStatus::Received.step(CaseStatus::Verifying, "  "),
            Err(HotlineError::NoteMissing)
        );
    }

    #[test]
    fn final_statuses_are_closed_for_open311_and_lead_nowhere() {
        for status in CaseStatus::ALL {
            assert_eq!(status.is_final(), status.next().is_empty(), "{status:?}");
        }
        assert!(CaseStatus::Responded.is_open());
        assert!(!CaseStatus::Duplicate.is_open());
        assert_eq!(CaseStatus::with_openness(false).len(), 4);
    }

    #[test]
    fn codes_round_trip() {
        for kind in PollutionKind::ALL {
            assert_eq!(PollutionKind::parse(kind.code()), Ok(*kind));
        }
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.code()), Ok(*channel));
        }
        for status in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(status.code()), Ok(*status));
        }
        assert_eq!(PollutionKind::parse("smog"), Err(HotlineError::Kind));
    }

    #[test]
    fn inter_provincial_cases_stay_central() {
        assert_eq!(
            CompetentLevel::route(Some(AreaId(5)), false),
            CompetentLevel::Province(AreaId(5))
        );
        assert_eq!(
            CompetentLevel::route(Some(AreaId(5)), true),
            CompetentLevel::Central
        );
        assert_eq!(CompetentLevel::route(None, false), CompetentLevel::Central);
    }

    #[test]
    fn descriptions_over_four_thousand_characters_are_refused() {
        assert_eq!(
            description(&"ô".repeat(4000)).map(|d| d.chars().count()),
            Ok(4000)
        );
        assert_eq!(
            description(&"ô".repeat(4001)),
            Err(HotlineError::DescriptionTooLong { max: 4000 })
        );
        assert_eq!(description("  \n "), Err(HotlineError::DescriptionMissing));
        assert_eq!(description("a\r\nb\u{7}"), Ok("a\nb".into()));
    }

    #[test]
    fn coordinates_must_be_numbers_in_range() {
        assert_eq!(Coordinates::parse("", ""), Ok(None));
        assert_eq!(
            Coordinates::parse("10,5", "106"),
            Err(HotlineError::CoordinatesNotNumbers)
        );
        assert_eq!(
            Coordinates::parse("abc", "106"),
            Err(HotlineError::CoordinatesNotNumbers)
        );
        assert_eq!(
            Coordinates::parse("NaN", "106"),
            Err(HotlineError::CoordinatesNotNumbers)
        );
        assert_eq!(
            Coordinates::parse("95", "106"),
            Err(HotlineError::CoordinatesOutOfRange)
        );
        assert_eq!(
            Coordinates::parse("10.5", ""),
            Err(HotlineError::CoordinatesNotNumbers)
        );
        let hanoi = Coordinates::parse("21.0285", "105.8542").unwrap().unwrap();
        let hcm = Coordinates::new(10.8231, 106.6297).unwrap();
        let km = hanoi.distance_m(hcm) / 1000.0;
        assert!((1130.0..1150.0).contains(&km), "{km}");
    }

    #[test]
    fn a_location_needs_a_province_an_address_or_coordinates() {
        assert_eq!(
            Location::new(None, None, " ".into(), None),
            Err(HotlineError::LocationMissing)
        );
        assert!(Location::new(Some(AreaId(1)), None, String::new(), None).is_ok());
        assert!(Location::new(None, None, "Số 1 Lê Lợi".into(), None).is_ok());
    }

    #[test]
    fn tracking_codes_avoid_look_alikes_and_parse_leniently() {
        let code = TrackingCode::from_indexes([0, 1, 2, 3, 4, 5, 6, 30]);
        assert_eq!(code.as_str(), "PA2345678Z");
        assert_eq!(TrackingCode::parse("pa-2345 678z"), Ok(code));
        assert!(TrackingCode::parse("PA0000000O").is_err());
        assert!(TrackingCode::parse("XX23456789").is_err());
    }

    #[test]
    fn province_officers_see_and_step_only_their_cases_and_identities_only_when_shared() {
        let officer = HotlineAccess::of(&actor(&[]), Some(AreaId(7)));
        assert_eq!(officer, HotlineAccess::ProvinceOfficer(AreaId(7)));
        let theirs = CompetentLevel::Province(AreaId(7));
        let other = CompetentLevel::Province(AreaId(8));
        assert!(officer.may_read(theirs));
        assert!(!officer.may_read(other));
        assert!(!officer.may_read(CompetentLevel::Central));
        assert!(officer.may_step(theirs, CaseStatus::Verified));
        assert!(!officer.may_step(theirs, CaseStatus::Responded));
        assert!(!officer.may_step(other, CaseStatus::Verified));
        assert!(!officer.sees_identity(theirs, false));
        assert!(officer.sees_identity(theirs, true));

        let operator = HotlineAccess::of(&actor(&[Role::HotlineOperator]), None);
        assert!(operator.sees_identity(other, false));
        let leader = HotlineAccess::of(&actor(&[Role::AgencyLeader]), None);
        assert!(leader.may_read(other));
        assert!(!leader.sees_identity(other, true));
        assert!(!leader.may_step(other, CaseStatus::Verifying));
        assert_eq!(
            HotlineAccess::of(&actor(&[Role::Administrator]), None),
            HotlineAccess::None
        );
    }

    #[test]
    fn due_days_are_set_per_kind_within_range() {
        assert_eq!(parse_due_days(" 15 "), Ok(15));
        for bad in ["0", "61", "-3", "mười", "", "2.5"] {
            assert!(parse_due_days(bad).is_err(), "{bad}");
        }
        let mut days = DueDays::default();
        assert_eq!(days.for_kind(PollutionKind::Noise), DUE_WORKING_DAYS);
        days.default = 7;
        days.per_kind.insert(PollutionKind::Noise, 3);
        assert_eq!(days.for_kind(PollutionKind::Noise), 3);
        assert_eq!(days.for_kind(PollutionKind::WasteWater), 7);
    }
}
