//! News articles for the agency's public site: the address (slug) an article is read at,
//! the categories, and the body as plain-text paragraphs whose web addresses become links.
//! Nothing an editor types is ever HTML.

use std::fmt;

/// Why an article's value was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NewsError {
    #[error("the address may hold only letters a-z, digits and hyphens (3 to 120)")]
    Slug,
    #[error("unknown category")]
    Category,
}

/// The article's address under `/news/`: lower-case ASCII words joined by hyphens.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    /// Parses a slug typed by the editor.
    pub fn parse(input: &str) -> Result<Self, NewsError> {
        let value = crate::text::normalize(input);
        let count = value.len();
        let ok = (3..=120).contains(&count)
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !value.starts_with('-')
            && !value.ends_with('-')
            && !value.contains("--")
            // An all-digit slug would be read as an article id.
            && !value.chars().all(|c| c.is_ascii_digit());
        if !ok {
            return Err(NewsError::Slug);
        }
        Ok(Self(value))
    }

    /// Makes a slug from a title: tone marks and đ folded, other characters as hyphens.
    pub fn from_title(title: &str) -> Result<Self, NewsError> {
        let folded = crate::text::fold(title);
        let mut out = String::new();
        for word in folded.split(|c: char| !c.is_ascii_alphanumeric()) {
            if word.is_empty() {
                continue;
            }
            if out.len() + word.len() + 1 > 100 {
                break;
            }
            if !out.is_empty() {
                out.push('-');
            }
            out.push_str(word);
        }
        if out.chars().all(|c| c.is_ascii_digit()) {
            out.insert_str(0, "tin-");
        }
        Self::parse(&out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The sections of the news portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NewsCategory {
    /// Tin hoạt động: the agency's own activities.
    Activities,
    /// Chính sách, pháp luật: new laws, decrees, guidance.
    Policy,
    /// Môi trường: the state of the environment, incidents, campaigns.
    Environment,
    /// Thông báo: announcements.
    Announcements,
}

impl NewsCategory {
    pub const ALL: [NewsCategory; 4] = [
        Self::Activities,
        Self::Policy,
        Self::Environment,
        Self::Announcements,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Activities => "activities",
            Self::Policy => "policy",
            Self::Environment => "environment",
            Self::Announcements => "announcements",
        }
    }

    pub fn parse(code: &str) -> Result<Self, NewsError> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or(NewsError::Category)
    }
}

/// A piece of a paragraph: text as typed, or a web address shown as a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Link(String),
}

/// Cuts a plain-text body into paragraphs (separated by blank lines; single line breaks
/// are kept as spaces) and marks `http://` and `https://` addresses as links.
pub fn paragraphs(body: &str) -> Vec<Vec<Inline>> {
    let normalized = body.replace("\r\n", "\n");
    let mut out = Vec::new();
    for block in normalized.split("\n\n") {
        let text = block
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if text.is_empty() {
            continue;
        }
        out.push(inlines(&text));
    }
    out
}

fn inlines(text: &str) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::new();
    let mut plain = String::new();
    for (i, word) in text.split(' ').enumerate() {
        let separator = if i == 0 { "" } else { " " };
        let trimmed = word.trim_end_matches(['.', ',', ';', ':', ')', '!', '?']);
        let is_link = (trimmed.starts_with("https://") || trimmed.starts_with("http://"))
            && trimmed.len() > "https://".len()
            && !trimmed.contains(['"', '<', '>', '\'']);
        if is_link {
            plain.push_str(separator);
            if !plain.is_empty() {
                out.push(Inline::Text(std::mem::take(&mut plain)));
            }
            out.push(Inline::Link(trimmed.to_owned()));
            plain.push_str(&word[trimmed.len()..]);
        } else {
            plain.push_str(separator);
            plain.push_str(word);
        }
    }
    if !plain.is_empty() {
        out.push(Inline::Text(plain));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_come_from_titles_without_tone_marks() {
        assert_eq!(
            Slug::from_title("Tổng kết công tác năm 2020 của Văn phòng Tổng cục!")
                .unwrap()
                .as_str(),
            "tong-ket-cong-tac-nam-2020-cua-van-phong-tong-cuc"
        );
        assert_eq!(Slug::from_title("2020").unwrap().as_str(), "tin-2020");
        assert_eq!(Slug::from_title("!!"), Err(NewsError::Slug));
    }

    #[test]
    fn typed_slugs_are_lower_case_words_and_hyphens() {
        assert!(Slug::parse("hoi-nghi-2020").is_ok());
        for bad in [
            "",
            "ab",
            "Hoi-nghi",
            "hội-nghị",
            "a--b",
            "-ab",
            "ab-",
            "12345",
            "a b c",
            "<script>",
        ] {
            assert_eq!(Slug::parse(bad), Err(NewsError::Slug), "{bad}");
        }
    }

    #[test]
    fn bodies_are_paragraphs_with_links() {
        let body = "Dòng một\ndòng hai.\n\n\nXem https://monre.gov.vn/tin, rồi <b>đọc</b>.\r\n\r\nhttp://a";
        assert_eq!(
            paragraphs(body),
            vec![
                vec![Inline::Text("Dòng một dòng hai.".into())],
                vec![
                    Inline::Text("Xem ".into()),
                    Inline::Link("https://monre.gov.vn/tin".into()),
                    Inline::Text(", rồi <b>đọc</b>.".into()),
                ],
                vec![Inline::Text("http://a".into())],
            ]
        );
    }

    #[test]
    fn categories_round_trip() {
        for c in NewsCategory::ALL {
            assert_eq!(NewsCategory::parse(c.code()), Ok(c));
        }
        assert_eq!(NewsCategory::parse("x"), Err(NewsError::Category));
    }
}
