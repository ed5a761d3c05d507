//! Typed identifiers, so a unit id can never be passed where a user id is expected.

use std::fmt;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl From<i64> for $name {
            fn from(value: i64) -> Self {
                Self(value)
            }
        }
    };
}

typed_id!(
    /// A unit of the agency (department, office, centre).
    UnitId
);
typed_id!(
    /// A person who signs in.
    UserId
);
typed_id!(
    /// A position (chức vụ) such as "Chánh Văn phòng".
    PositionId
);
typed_id!(
    /// An external organisation in the directory of senders and recipients.
    OrganisationId
);
typed_id!(
    /// One version of an administrative area (province or commune).
    AreaId
);
typed_id!(
    /// A bearer API key for machine clients.
    ApiKeyId
);
typed_id!(
    /// An event of the audit trail; also its position in the hash chain.
    AuditSeq
);
typed_id!(
    /// A pollution incident of the hotline, formed by one or more reports.
    CaseId
);
typed_id!(
    /// One hotline report (a call, a web form, an Open311 request, a press article).
    ReportId
);
