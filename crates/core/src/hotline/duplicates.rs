//! Likely duplicates: when a report arrives, earlier cases of the same kind, nearby and
//! recent, whose words are similar, are suggested to the operator, who merges or not.

use super::{Coordinates, PollutionKind};
use crate::ids::AreaId;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;

/// How far back a case may be and still be suggested.
pub const WINDOW_DAYS: i64 = 30;
/// Two points closer than this are "nearby".
pub const NEARBY_METRES: f64 = 2_000.0;
/// The lowest score suggested.
pub const THRESHOLD: f64 = 0.35;

/// What is compared: a new report, or an earlier case.
#[derive(Clone, Debug)]
pub struct Candidate<'a> {
    pub kind: PollutionKind,
    pub province: Option<AreaId>,
    pub commune: Option<AreaId>,
    pub coordinates: Option<Coordinates>,
    pub received_at: DateTime<Utc>,
    pub text: &'a str,
}

/// Syllables that say nothing about the incident.
const STOP_WORDS: &[&str] = &[
    "va", "cua", "co", "la", "cac", "nhung", "duoc", "cho", "tai", "o", "trong", "nay", "khi",
    "thi", "da", "dang", "rat", "nhieu", "mot", "voi", "tu", "den", "ve", "gay", "bi", "nguoi",
    "dan",
];

/// The folded words of a text, without stop words.
pub fn words(text: &str) -> HashSet<String> {
    crate::text::fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 2 && !STOP_WORDS.contains(w))
        .map(str::to_owned)
        .collect()
}

/// The Jaccard similarity of two word sets, 0 to 1.
pub fn similarity(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let common = a.intersection(b).count();
    let union = a.len() + b.len() - common;
    if union == 0 {
        return 0.0;
    }
    common as f64 / union as f64
}

/// How close `earlier` is to `new`, from 0 to about 2, or `None` when it cannot be the same
/// incident (another kind, too old, or elsewhere).
pub fn score(
    new: &Candidate<'_>,
    earlier: &Candidate<'_>,
    new_words: &HashSet<String>,
) -> Option<f64> {
    if new.kind != earlier.kind {
        return None;
    }
    let age = new.received_at - earlier.received_at;
    if age > Duration::days(WINDOW_DAYS) || age < -Duration::days(WINDOW_DAYS) {
        return None;
    }
    let place = match (new.coordinates, earlier.coordinates) {
        (Some(a), Some(b)) => {
            let metres = a.distance_m(b);
            if metres > NEARBY_METRES * 5.0 {
                return None;
            }
            1.0 - (metres / (NEARBY_METRES * 5.0)).min(1.0)
        }
        _ => match (new.commune, earlier.commune) {
            (Some(a), Some(b)) if a == b => 1.0,
            _ => match (new.province, earlier.province) {
                (Some(a), Some(b)) if a == b => 0.4,
                (Some(_), Some(_)) => return None,
                _ => 0.2,
            },
        },
    };
    let text = similarity(new_words, &words(earlier.text));
    let recency = 1.0 - (age.num_hours().abs() as f64 / (WINDOW_DAYS * 24) as f64).min(1.0);
    let total = 0.5 * place + text + 0.2 * recency;
    (total >= THRESHOLD).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(kind: PollutionKind, days_ago: i64, text: &'static str) -> Candidate<'static> {
        Candidate {
            kind,
            province: Some(AreaId(1)),
            commune: Some(AreaId(10)),
            coordinates: Coordinates::new(10.95, 106.82).ok(),
            received_at: Utc::now() - Duration::days(days_ago),
            text,
        }
    }

    #[test]
    fn similarity_is_jaccard_over_folded_words() {
        let a = words("Nước thải màu đen xả ra sông Đồng Nai");
        let b = words("nuoc thai mau den xa ra song dong nai");
        assert!((similarity(&a, &b) - 1.0).abs() < 1e-9);
        let c = words("Tiếng ồn máy cưa");
        assert_eq!(similarity(&a, &c), 0.0);
        let d = words("Nước thải đen");
        let s = similarity(&a, &d);
        assert!(s > 0.2 && s < 0.6, "{s}");
    }

    #[test]
    fn the_same_incident_nearby_and_recent_is_suggested() {
        let new = candidate(
            PollutionKind::WasteWater,
            0,
            "Nước thải màu đen xả ra sông, cá chết",
        );
        let words_new = words(new.text);
        let same = candidate(
            PollutionKind::WasteWater,
            2,
            "Cá chết hàng loạt, nước sông màu đen do xả thải",
        );
        assert!(score(&new, &same, &words_new).is_some());
        let other_kind = candidate(
            PollutionKind::Noise,
            2,
            "Cá chết hàng loạt, nước sông màu đen do xả thải",
        );
        assert_eq!(score(&new, &other_kind, &words_new), None);
        let old = candidate(
            PollutionKind::WasteWater,
            45,
            "Cá chết hàng loạt, nước sông màu đen do xả thải",
        );
        assert_eq!(score(&new, &old, &words_new), None);
        let mut far = candidate(
            PollutionKind::WasteWater,
            1,
            "Cá chết hàng loạt, nước sông màu đen do xả thải",
        );
        far.coordinates = Coordinates::new(21.0, 105.8).ok();
        assert_eq!(score(&new, &far, &words_new), None);
    }
}
