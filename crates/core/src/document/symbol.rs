//! Numbers and symbols (số, ký hiệu): `1756/QĐ-BTNMT`, `07/TCMT-VP`, `15/2020/TT-BTNMT`.
//!
//! People type them in many spellings (`1756/QD-BTNMT`, `1756 / qđ - btnmt`); parsing is
//! lenient about spaces and dashes, and [`NumberAndSymbol::duplicate_key`] folds case and
//! tone marks so that a second registration of the same document is noticed.

use super::kind::DocumentType;
use std::fmt;

/// Why a number and symbol was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SymbolError {
    #[error("a number and symbol looks like 1756/QĐ-BTNMT: a number, '/', then the symbol")]
    Shape,
    #[error("the number must be between 1 and 999999")]
    NumberRange,
    #[error("the symbol may hold only letters, digits, '-', '/' and '.'")]
    Characters,
}

/// A parsed number and symbol.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NumberAndSymbol {
    pub number: u32,
    /// Everything after the first '/', as written (NFC, no spaces).
    pub symbol: String,
}

impl NumberAndSymbol {
    pub fn parse(input: &str) -> Result<Self, SymbolError> {
        let cleaned: String = crate::text::normalize(input)
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                // En and em dashes and the minus sign typed for '-'.
                '–' | '—' | '−' => '-',
                other => other,
            })
            .collect();
        let (number, symbol) = cleaned.split_once('/').ok_or(SymbolError::Shape)?;
        if number.is_empty() || symbol.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
            return Err(SymbolError::Shape);
        }
        let number: u32 = number.parse().map_err(|_| SymbolError::NumberRange)?;
        if number == 0 || number > 999_999 {
            return Err(SymbolError::NumberRange);
        }
        if !symbol
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '.'))
        {
            return Err(SymbolError::Characters);
        }
        if symbol.starts_with(['-', '/', '.']) || symbol.ends_with(['-', '/', '.']) {
            return Err(SymbolError::Shape);
        }
        Ok(Self {
            number,
            symbol: symbol.to_owned(),
        })
    }

    /// The key under which two registrations of one document meet: the number without
    /// leading zeros and the symbol in capitals without tone marks (đ folded to d).
    pub fn duplicate_key(&self) -> String {
        format!(
            "{}/{}",
            self.number,
            crate::text::fold(&self.symbol).to_uppercase()
        )
    }

    /// What a search for this number and symbol should match: `1756 QD BTNMT`.
    pub fn search_text(&self) -> String {
        format!(
            "{} {}",
            self.number,
            crate::text::fold(&self.symbol).replace(['-', '/', '.'], " ")
        )
    }
}

impl fmt::Display for NumberAndSymbol {
    /// Numbers below 10 carry a leading zero, as the decree writes them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{}", self.number, self.symbol)
    }
}

/// The symbol an outgoing document of `doc_type` gets: the type and the issuing agency
/// (`QĐ-TCMT`), or for a công văn the agency and the drafting unit (`TCMT-VP`).
pub fn outgoing_symbol(
    doc_type: &DocumentType,
    agency_abbreviation: &str,
    unit_abbreviation: &str,
) -> String {
    if doc_type.is_letter() {
        format!("{agency_abbreviation}-{unit_abbreviation}")
    } else {
        format!("{}-{agency_abbreviation}", doc_type.abbreviation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spellings_people_type_are_understood() {
        for input in ["1756/QĐ-BTNMT", " 1756 / QĐ – BTNMT ", "1756/QĐ-BTNMT\n"] {
            let parsed = NumberAndSymbol::parse(input).unwrap();
            assert_eq!(parsed.number, 1756);
            assert_eq!(parsed.symbol, "QĐ-BTNMT");
        }
        let legal = NumberAndSymbol::parse("15/2020/TT-BTNMT").unwrap();
        assert_eq!(legal.symbol, "2020/TT-BTNMT");
    }

    #[test]
    fn small_numbers_are_written_with_a_leading_zero() {
        assert_eq!(
            NumberAndSymbol::parse("7/TCMT-VP").unwrap().to_string(),
            "07/TCMT-VP"
        );
        assert_eq!(
            NumberAndSymbol::parse("007/TCMT-VP").unwrap().to_string(),
            "07/TCMT-VP"
        );
        assert_eq!(
            NumberAndSymbol::parse("1756/QĐ-BTNMT").unwrap().to_string(),
            "1756/QĐ-BTNMT"
        );
    }

    #[test]
    fn duplicates_meet_across_spellings() {
        let a = NumberAndSymbol::parse("1756/QĐ-BTNMT")
            .unwrap()
            .duplicate_key();
        let b = NumberAndSymbol::parse("01756/qd-btnmt")
            .unwrap()
            .duplicate_key();
        assert_eq!(a, b);
        assert_eq!(a, "1756/QD-BTNMT");
        let c = NumberAndSymbol::parse("1757/QĐ-BTNMT")
            .unwrap()
            .duplicate_key();
        assert_ne!(a, c);
    }

    #[test]
    fn malformed_numbers_and_symbols_are_refused() {
        let cases = [
            ("", SymbolError::Shape),
            ("QĐ-BTNMT", SymbolError::Shape),
            ("/QĐ-BTNMT", SymbolError::Shape),
            ("12a/QĐ", SymbolError::Shape),
            ("0/QĐ-BTNMT", SymbolError::NumberRange),
            ("9999999/QĐ", SymbolError::NumberRange),
            ("12/QĐ<script>", SymbolError::Characters),
            ("12/-QĐ", SymbolError::Shape),
            ("12/", SymbolError::Shape),
        ];
        for (input, expected) in cases {
            assert_eq!(NumberAndSymbol::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn outgoing_symbols_follow_the_decree() {
        let decision = DocumentType::by_code("quyet_dinh").unwrap();
        let letter = DocumentType::by_code("cong_van").unwrap();
        assert_eq!(outgoing_symbol(decision, "TCMT", "VP"), "QĐ-TCMT");
        assert_eq!(outgoing_symbol(letter, "TCMT", "VP"), "TCMT-VP");
    }

    #[test]
    fn search_text_splits_the_symbol_into_words() {
        assert_eq!(
            NumberAndSymbol::parse("1756/QĐ-BTNMT")
                .unwrap()
                .search_text(),
            "1756 qd btnmt"
        );
    }
}
