//! Numbering series for outgoing documents. The head of the agency decides the scheme:
//! commonly one shared series for administrative documents, a series per normative type,
//! a separate series for secret documents. Numbers restart every 1 January.

use crate::auth::Secrecy;

/// A series as configured: which documents it numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesRule {
    pub id: i64,
    /// Numbers documents with secrecy above normal (takes precedence).
    pub secret: bool,
    /// Type codes this series numbers; empty means "every type no other series claims".
    pub type_codes: Vec<String>,
}

/// Why no series could be chosen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SeriesError {
    #[error("no numbering series covers this document; an administrator must configure one")]
    NoSeries,
}

/// Picks the series that numbers a document of `type_code` at `secrecy`: the secret series
/// for secret documents (if there is one), else a series naming the type, else the default.
pub fn pick_series(
    rules: &[SeriesRule],
    type_code: &str,
    secrecy: Secrecy,
) -> Result<i64, SeriesError> {
    if secrecy > Secrecy::Normal {
        if let Some(rule) = rules.iter().find(|r| r.secret) {
            return Ok(rule.id);
        }
    }
    if let Some(rule) = rules
        .iter()
        .find(|r| !r.secret && r.type_codes.iter().any(|t| t == type_code))
    {
        return Ok(rule.id);
    }
    rules
        .iter()
        .find(|r| !r.secret && r.type_codes.is_empty())
        .map(|r| r.id)
        .ok_or(SeriesError::NoSeries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Vec<SeriesRule> {
        vec![
            SeriesRule {
                id: 1,
                secret: false,
                type_codes: vec![],
            },
            SeriesRule {
                id: 2,
                secret: false,
                type_codes: vec!["quyet_dinh".into()],
            },
            SeriesRule {
                id: 3,
                secret: true,
                type_codes: vec![],
            },
        ]
    }

    #[test]
    fn decisions_have_their_own_series_and_the_rest_share_one() {
        assert_eq!(pick_series(&rules(), "quyet_dinh", Secrecy::Normal), Ok(2));
        assert_eq!(pick_series(&rules(), "cong_van", Secrecy::Normal), Ok(1));
        assert_eq!(pick_series(&rules(), "bao_cao", Secrecy::Normal), Ok(1));
    }

    #[test]
    fn secret_documents_go_to_the_secret_series() {
        assert_eq!(
            pick_series(&rules(), "quyet_dinh", Secrecy::Confidential),
            Ok(3)
        );
        assert_eq!(
            pick_series(&rules()[..2], "cong_van", Secrecy::Secret),
            Ok(1),
            "without a secret series, the usual one"
        );
    }

    #[test]
    fn no_series_is_an_error() {
        assert_eq!(
            pick_series(&[], "cong_van", Secrecy::Normal),
            Err(SeriesError::NoSeries)
        );
    }
}
