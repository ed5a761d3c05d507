//! Text hygiene shared by every input path: Unicode NFC and trimmed, bounded fields.

use unicode_normalization::UnicodeNormalization;

/// Returns the text in Unicode NFC with surrounding white space removed.
///
/// Vietnamese typed on some keyboards arrives decomposed (NFD): "ệ" as "e" plus two
/// combining marks. Stored that way it splits words and breaks equality, so every
/// input is normalised at the edge.
pub fn normalize(input: &str) -> String {
    input.trim().nfc().collect()
}

/// Why a piece of free text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("is required")]
    Empty,
    #[error("is longer than {max} characters")]
    TooLong { max: usize },
    #[error("contains control characters")]
    ControlCharacters,
}

/// Normalises a required single-line field and checks its length in characters.
pub fn required_line(input: &str, max: usize) -> Result<String, TextError> {
    let value = normalize(input);
    if value.is_empty() {
        return Err(TextError::Empty);
    }
    check_line(value, max)
}

/// Normalises an optional single-line field; empty input becomes `None`.
pub fn optional_line(input: &str, max: usize) -> Result<Option<String>, TextError> {
    let value = normalize(input);
    if value.is_empty() {
        return Ok(None);
    }
    check_line(value, max).map(Some)
}

fn check_line(value: String, max: usize) -> Result<String, TextError> {
    if value.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    if value.chars().any(char::is_control) {
        return Err(TextError::ControlCharacters);
    }
    Ok(value)
}

/// Folds Vietnamese text to lower-case ASCII for matching: tone marks removed, đ → d.
pub fn fold(input: &str) -> String {
    input
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_input_is_composed() {
        let decomposed = "Vie\u{0302}\u{0323}t Nam";
        assert_eq!(normalize(decomposed), "Việt Nam");
    }

    #[test]
    fn required_line_refuses_empty_and_overlong_and_control_text() {
        assert_eq!(required_line("   ", 10), Err(TextError::Empty));
        assert_eq!(
            required_line("Văn phòng Tổng cục", 5),
            Err(TextError::TooLong { max: 5 })
        );
        assert_eq!(
            required_line("a\u{0007}b", 5),
            Err(TextError::ControlCharacters)
        );
        assert_eq!(required_line("  Đồng Nai ", 10).unwrap(), "Đồng Nai");
    }

    #[test]
    fn optional_line_turns_blank_into_none() {
        assert_eq!(optional_line("  ", 10), Ok(None));
    }

    #[test]
    fn folding_removes_tone_marks_and_d_stroke() {
        assert_eq!(fold("Đồng Nai"), "dong nai");
        assert_eq!(fold("QUYẾT ĐỊNH"), "quyet dinh");
    }
}
