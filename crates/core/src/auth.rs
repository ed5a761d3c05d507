//! Who people are: roles, secrecy clearance, user names and the password policy.

use std::fmt;

/// Why an account value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("user name must be 3 to 64 characters: lower-case letters, digits, '.', '_' or '-'")]
    Username,
    #[error("password must be at least {min} characters long")]
    PasswordTooShort { min: usize },
    #[error("password must be at most {max} characters long")]
    PasswordTooLong { max: usize },
    #[error("unknown role")]
    Role,
    #[error("unknown secrecy level")]
    Secrecy,
}

/// The roles of the electronic office. A user may hold several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Administrator,
    RecordsClerk,
    AgencyLeader,
    UnitLeader,
    Specialist,
    OneStopOfficer,
    HotlineOperator,
    Editor,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Self::Administrator,
        Self::RecordsClerk,
        Self::AgencyLeader,
        Self::UnitLeader,
        Self::Specialist,
        Self::OneStopOfficer,
        Self::HotlineOperator,
        Self::Editor,
    ];

    /// The stable code stored in the database and used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::RecordsClerk => "records_clerk",
            Self::AgencyLeader => "agency_leader",
            Self::UnitLeader => "unit_leader",
            Self::Specialist => "specialist",
            Self::OneStopOfficer => "one_stop_officer",
            Self::HotlineOperator => "hotline_operator",
            Self::Editor => "editor",
        }
    }

    pub fn parse(code: &str) -> Result<Self, AccountError> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == code.trim())
            .ok_or(AccountError::Role)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Secrecy of a document and clearance of a person, in increasing order:
/// Mật < Tối mật < Tuyệt mật.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Secrecy {
    Normal,
    Confidential,
    Secret,
    TopSecret,
}

impl Secrecy {
    pub const ALL: [Secrecy; 4] = [
        Self::Normal,
        Self::Confidential,
        Self::Secret,
        Self::TopSecret,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Confidential => "confidential",
            Self::Secret => "secret",
            Self::TopSecret => "top_secret",
        }
    }

    /// The rank stored in the database, so that "may see" is a plain comparison in SQL.
    pub fn rank(self) -> i16 {
        match self {
            Self::Normal => 0,
            Self::Confidential => 1,
            Self::Secret => 2,
            Self::TopSecret => 3,
        }
    }

    pub fn from_rank(rank: i64) -> Result<Self, AccountError> {
        Self::ALL
            .into_iter()
            .find(|s| i64::from(s.rank()) == rank)
            .ok_or(AccountError::Secrecy)
    }

    pub fn parse(code: &str) -> Result<Self, AccountError> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
            .ok_or(AccountError::Secrecy)
    }
}

/// A user name: what people type to sign in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, AccountError> {
        let value = input.trim().to_lowercase();
        let len = value.chars().count();
        let ok = (3..=64).contains(&len)
            && value.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            });
        if ok {
            Ok(Self(value))
        } else {
            Err(AccountError::Username)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password that meets the policy. Never logged, never displayed.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(input: &str) -> Result<Self, AccountError> {
        let len = input.chars().count();
        if len < Self::MIN_CHARS {
            return Err(AccountError::PasswordTooShort {
                min: Self::MIN_CHARS,
            });
        }
        if len > Self::MAX_CHARS {
            return Err(AccountError::PasswordTooLong {
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Ok(role));
        }
        assert_eq!(Role::parse("root"), Err(AccountError::Role));
    }

    #[test]
    fn secrecy_levels_are_ordered_and_ranked() {
        assert!(Secrecy::Normal < Secrecy::Confidential);
        assert!(Secrecy::Secret < Secrecy::TopSecret);
        for level in Secrecy::ALL {
            assert_eq!(Secrecy::from_rank(level.rank().into()), Ok(level));
        }
        assert!(Secrecy::from_rank(9).is_err());
    }

    #[test]
    fn usernames_are_lower_case_and_plain() {
        assert_eq!(
            Username::parse(" VanThu.01 ").unwrap().as_str(),
            "vanthu.01"
        );
        for bad in ["ab", "an đức", "a b c", "x'; drop table users;--", ""] {
            assert_eq!(Username::parse(bad), Err(AccountError::Username), "{bad}");
        }
    }

    #[test]
    fn passwords_must_be_long_enough() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("mật khẩu dài đủ").is_ok());
        assert!(NewPassword::parse(&"x".repeat(300)).is_err());
    }
}
