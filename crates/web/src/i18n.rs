//! The message catalogue: every string the interface shows, in Vietnamese (the default)
//! and English. The catalogues live in `i18n/*.txt` as `key = text` lines, are compiled
//! into the binary, and a test checks that both languages have the same keys.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim() {
            "vi" => Some(Self::Vi),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Vi => Self::En,
            Self::En => Self::Vi,
        }
    }
}

/// Each language's catalogue is split by feature; the parts are read as one.
const VI: &[&str] = &[
    include_str!("../i18n/vi.txt"),
    include_str!("../i18n/vi-documents.txt"),
    include_str!("../i18n/vi-outgoing.txt"),
    include_str!("../i18n/vi-registers.txt"),
    include_str!("../i18n/vi-search.txt"),
    include_str!("../i18n/vi-hotline.txt"),
    include_str!("../i18n/vi-dossiers.txt"),
    include_str!("../i18n/vi-records.txt"),
    include_str!("../i18n/vi-exports.txt"),
    include_str!("../i18n/vi-review.txt"),
    include_str!("../i18n/vi-gaps.txt"),
];
const EN: &[&str] = &[
    include_str!("../i18n/en.txt"),
    include_str!("../i18n/en-documents.txt"),
    include_str!("../i18n/en-outgoing.txt"),
    include_str!("../i18n/en-registers.txt"),
    include_str!("../i18n/en-search.txt"),
    include_str!("../i18n/en-hotline.txt"),
    include_str!("../i18n/en-dossiers.txt"),
    include_str!("../i18n/en-records.txt"),
    include_str!("../i18n/en-exports.txt"),
    include_str!("../i18n/en-review.txt"),
    include_str!("../i18n/en-gaps.txt"),
];

fn parse(sources: &[&'static str]) -> HashMap<&'static str, &'static str> {
    sources
        .iter()
        .flat_map(|source| source.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

fn catalogue(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static VI_MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    static EN_MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    match lang {
        Lang::Vi => VI_MAP.get_or_init(|| parse(VI)),
        Lang::En => EN_MAP.get_or_init(|| parse(EN)),
    }
}

/// The text for `key` in `lang`. A missing key shows itself, so it is noticed, and the
/// catalogue test fails.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match catalogue(lang).get(key) {
        Some(text) => text,
        None => {
            tracing::warn!(
                key,
                lang = lang.code(),
                "A message key is missing from the catalogue."
            );
            Box::leak(key.to_owned().into_boxed_str())
        }
    }
}

/// The text for `key` in `lang`, or `fallback` when the catalogue has none (for keys made
/// from data, such as the actions of a document's history, which grow with the code).
pub fn t_or<'a>(lang: Lang, key: &str, fallback: &'a str) -> &'a str {
    catalogue(lang).get(key).copied().unwrap_or(fallback)
}

/// True when the key exists (for optional, data-driven keys such as role names).
pub fn has(lang: Lang, key: &str) -> bool {
    catalogue(lang).contains_key(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let vi: std::collections::BTreeSet<_> = catalogue(Lang::Vi).keys().collect();
        let en: std::collections::BTreeSet<_> = catalogue(Lang::En).keys().collect();
        let only_vi: Vec<_> = vi.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&vi).collect();
        assert!(
            only_vi.is_empty() && only_en.is_empty(),
            "only in vi: {only_vi:?}; only in en: {only_en:?}"
        );
    }

    #[test]
    fn every_key_used_in_the_source_is_in_the_catalogue() {
        // Keys are written as string literals in t("…") calls; find them in the sources.
        let sources = [
            include_str!("layout.rs"),
            include_str!("pages/mod.rs"),
            include_str!("pages/auth.rs"),
            include_str!("pages/admin.rs"),
            include_str!("error.rs"),
            include_str!("context.rs"),
            include_str!("pages/calendar.rs"),
            include_str!("pages/documents/mod.rs"),
            include_str!("pages/documents/incoming.rs"),
            include_str!("pages/documents/outgoing.rs"),
            include_str!("pages/documents/registers.rs"),
            include_str!("pages/search.rs"),
            include_str!("api/search.rs"),
            include_str!("pages/hotline/mod.rs"),
            include_str!("pages/hotline/intake.rs"),
            include_str!("pages/hotline/cases.rs"),
            include_str!("pages/hotline/stats.rs"),
            include_str!("pages/hotline/settings.rs"),
            include_str!("pages/dossiers/mod.rs"),
            include_str!("pages/dossiers/procedures.rs"),
            include_str!("pages/dossiers/desk.rs"),
            include_str!("pages/dossiers/public.rs"),
            include_str!("pages/work_files.rs"),
            include_str!("pages/news.rs"),
            include_str!("report_export/mod.rs"),
            include_str!("report_export/periodic.rs"),
            include_str!("pages/report_archive.rs"),
            include_str!("pages/reports/mod.rs"),
            include_str!("pages/reports/review.rs"),
            include_str!("pages/reports/dashboard.rs"),
            include_str!("api/reports.rs"),
        ];
        let mut missing = Vec::new();
        for source in sources {
            for (at, _) in source.match_indices("t(\"") {
                // Only calls of `t` itself, not `text("…")` or `get("…")`.
                let before = source[..at].chars().next_back().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' {
                    continue;
                }
                let key = source[at + 3..].split('"').next().unwrap_or_default();
                if !key.is_empty() && !key.ends_with('.') && !catalogue(Lang::Vi).contains_key(key)
                {
                    missing.push(key.to_owned());
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue: {missing:?}"
        );
    }

    #[test]
    fn vietnamese_is_the_default() {
        assert_eq!(Lang::default(), Lang::Vi);
        assert_eq!(t(Lang::Vi, "nav.home"), "Trang chủ");
    }
}
