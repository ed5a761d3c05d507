//! The organisation: the agency, its tree of units, external organisations and
//! administrative areas. Values here are parsed once at the edge and trusted inside.

use crate::ids::UnitId;
use std::collections::HashMap;
use std::fmt;

/// Why an organisation value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    #[error("agency code must look like 000.00.00.H49 (13 characters)")]
    AgencyCode,
    #[error("abbreviation must be 1 to 20 capital letters or digits, without spaces")]
    Abbreviation,
    #[error("a unit cannot be moved under itself or one of its own sub-units")]
    UnitCycle,
    #[error("unknown organisation kind")]
    OrganisationKind,
    #[error("unknown area level")]
    AreaLevel,
}

/// The 13-character code of an agency in the national electronic document exchange
/// (mã định danh), for example `000.00.00.H49`: three digits, two, two, then a letter
/// and two digits, separated by dots.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AgencyCode(String);

impl AgencyCode {
    pub fn parse(input: &str) -> Result<Self, OrgError> {
        let value = input.trim().to_uppercase();
        let bytes = value.as_bytes();
        if bytes.len() != 13 {
            return Err(OrgError::AgencyCode);
        }
        let shape_ok = bytes.iter().enumerate().all(|(i, b)| match i {
            3 | 6 | 9 => *b == b'.',
            10 => b.is_ascii_uppercase(),
            _ => b.is_ascii_digit(),
        });
        if !shape_ok {
            return Err(OrgError::AgencyCode);
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An abbreviation used in document symbols (`TCMT`, `VP`, `QĐ`, `BTNMT`): capitals,
/// Vietnamese capitals such as Đ included, and digits; no spaces or separators, since
/// "-" and "/" are the separators of the symbol itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Abbreviation(String);

impl Abbreviation {
    pub fn parse(input: &str) -> Result<Self, OrgError> {
        let value = crate::text::normalize(input);
        let count = value.chars().count();
        if count == 0 || count > 20 {
            return Err(OrgError::Abbreviation);
        }
        let ok = value
            .chars()
            .all(|c| c.is_ascii_digit() || (c.is_alphabetic() && !c.is_lowercase()));
        if !ok {
            return Err(OrgError::Abbreviation);
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Abbreviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kinds of external organisations in the directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrganisationKind {
    /// Ministries and ministerial-level agencies.
    Ministry,
    /// Agencies and departments under a ministry.
    CentralAgency,
    /// A province's people's committee.
    ProvincialCommittee,
    /// A province's department of agriculture and environment (formerly natural
    /// resources and environment).
    ProvincialEnvironmentDepartment,
    /// National Assembly bodies, the Fatherland Front and other political bodies.
    PoliticalBody,
    /// Businesses, associations, everything else.
    Other,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 6] = [
        Self::Ministry,
        Self::CentralAgency,
        Self::ProvincialCommittee,
        Self::ProvincialEnvironmentDepartment,
        Self::PoliticalBody,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Ministry => "ministry",
            Self::CentralAgency => "central_agency",
            Self::ProvincialCommittee => "provincial_committee",
            Self::ProvincialEnvironmentDepartment => "provincial_environment_department",
            Self::PoliticalBody => "political_body",
            Self::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Result<Self, OrgError> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or(OrgError::OrganisationKind)
    }
}

/// Levels of administrative areas. Since 1 July 2025 Vietnam has two levels below the
/// centre (province and commune); districts exist only in records from before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AreaLevel {
    Province,
    District,
    Commune,
}

impl AreaLevel {
    pub fn code(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::District => "district",
            Self::Commune => "commune",
        }
    }

    pub fn parse(code: &str) -> Result<Self, OrgError> {
        match code {
            "province" => Ok(Self::Province),
            "district" => Ok(Self::District),
            "commune" => Ok(Self::Commune),
            _ => Err(OrgError::AreaLevel),
        }
    }
}

/// The parent links of the unit tree, enough to answer "is this unit inside that one?".
#[derive(Clone, Debug, Default)]
pub struct UnitTree {
    parent_of: HashMap<UnitId, Option<UnitId>>,
}

impl UnitTree {
    pub fn new(links: impl IntoIterator<Item = (UnitId, Option<UnitId>)>) -> Self {
        Self {
            parent_of: links.into_iter().collect(),
        }
    }

    /// True when `unit` is `ancestor` itself or lies anywhere below it.
    pub fn is_within(&self, unit: UnitId, ancestor: UnitId) -> bool {
        let mut current = Some(unit);
        // The walk is bounded by the number of units, so a corrupted cycle cannot hang us.
        for _ in 0..=self.parent_of.len() {
            match current {
                Some(u) if u == ancestor => return true,
                Some(u) => current = self.parent_of.get(&u).copied().flatten(),
                None => return false,
            }
        }
        false
    }

    /// Refuses a move that would put a unit under itself.
    pub fn check_new_parent(
        &self,
        unit: UnitId,
        new_parent: Option<UnitId>,
    ) -> Result<(), OrgError> {
        match new_parent {
            Some(parent) if self.is_within(parent, unit) => Err(OrgError::UnitCycle),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_codes_have_the_national_shape() {
        assert!(AgencyCode::parse("000.00.00.H49").is_ok());
        assert_eq!(
            AgencyCode::parse("000.00.00.h49").unwrap().as_str(),
            "000.00.00.H49"
        );
        for bad in [
            "",
            "000.00.00.H4",
            "000-00-00-H49",
            "000.00.00.149",
            "AAA.00.00.H49",
        ] {
            assert_eq!(AgencyCode::parse(bad), Err(OrgError::AgencyCode), "{bad}");
        }
    }

    #[test]
    fn abbreviations_accept_vietnamese_capitals_only() {
        assert!(Abbreviation::parse("TCMT").is_ok());
        assert!(Abbreviation::parse("QĐ").is_ok());
        assert!(Abbreviation::parse("VP2").is_ok());
        for bad in ["", "vp", "V P", "TCMT-VP", "A/B", "<script>"] {
            assert_eq!(
                Abbreviation::parse(bad),
                Err(OrgError::Abbreviation),
                "{bad}"
            );
        }
    }

    #[test]
    fn unit_tree_knows_descendants_and_refuses_cycles() {
        let tree = UnitTree::new([
            (UnitId(1), None),
            (UnitId(2), Some(UnitId(1))),
            (UnitId(3), Some(UnitId(2))),
            (UnitId(4), Some(UnitId(1))),
        ]);
        assert!(tree.is_within(UnitId(3), UnitId(1)));
        assert!(tree.is_within(UnitId(3), UnitId(3)));
        assert!(!tree.is_within(UnitId(3), UnitId(4)));
        assert_eq!(
            tree.check_new_parent(UnitId(2), Some(UnitId(3))),
            Err(OrgError::UnitCycle)
        );
        assert!(tree.check_new_parent(UnitId(4), Some(UnitId(3))).is_ok());
    }

    #[test]
    fn organisation_kind_codes_round_trip() {
        for kind in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::parse(kind.code()), Ok(kind));
        }
        assert!(OrganisationKind::parse("nope").is_err());
    }
}
