//! The details a report carries beyond its description, as Open311 service attributes:
//! one definition per detail (with each of the specification's datatypes) and the parsing
//! of submitted values into [`ReportDetails`].

use super::{Onset, PollutionKind, Severity};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// The datatypes of the GeoReport v2 specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Datatype {
    String,
    Number,
    Datetime,
    Text,
    SingleValueList,
    MultiValueList,
}

impl Datatype {
    pub fn code(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Number => "number",
            Self::Datetime => "datetime",
            Self::Text => "text",
            Self::SingleValueList => "singlevaluelist",
            Self::MultiValueList => "multivaluelist",
        }
    }
}

/// One attribute of a service definition. Texts are given in Vietnamese and English.
#[derive(Clone, Debug)]
pub struct Attribute {
    pub code: &'static str,
    pub datatype: Datatype,
    pub required: bool,
    pub order: u32,
    pub description: (&'static str, &'static str),
    /// Keys and names (Vietnamese, English) of list values.
    pub values: Vec<(&'static str, &'static str, &'static str)>,
}

/// Signs a reporter may tick, by kind of pollution.
fn signs(kind: PollutionKind) -> Vec<(&'static str, &'static str, &'static str)> {
    let common = [
        ("smell", "Mùi hôi", "Bad smell"),
        ("colour", "Đổi màu", "Discolouration"),
    ];
    let specific: &[(&str, &str, &str)] = match kind {
        PollutionKind::WasteWater => &[
            ("dead_fish", "Cá chết", "Dead fish"),
            ("foam", "Bọt", "Foam"),
            ("night_discharge", "Xả thải ban đêm", "Discharge at night"),
        ],
        PollutionKind::SolidWaste => &[
            ("dumping", "Đổ trộm", "Illegal dumping"),
            ("burning", "Đốt rác", "Burning waste"),
        ],
        PollutionKind::Emissions => &[("smoke", "Khói", "Smoke"), ("dust", "Bụi", "Dust")],
        PollutionKind::Noise => &[
            ("night", "Về đêm", "At night"),
            ("vibration", "Rung chấn", "Vibration"),
        ],
        PollutionKind::EnvironmentalQuality | PollutionKind::Other => &[
            ("dead_fish", "Cá chết", "Dead fish"),
            ("dust", "Bụi", "Dust"),
        ],
    };
    common.iter().chain(specific).copied().collect()
}

/// The attributes of the service for `kind`, in order.
pub fn definitions(kind: PollutionKind) -> Vec<Attribute> {
    vec![
        Attribute {
            code: "onset",
            datatype: Datatype::SingleValueList,
            required: true,
            order: 1,
            description: (
                "Xảy ra đột xuất hay kéo dài?",
                "Did it happen suddenly or does it go on?",
            ),
            values: vec![
                ("sudden", "Đột xuất", "Sudden"),
                ("continuous", "Kéo dài", "Continuous"),
            ],
        },
        Attribute {
            code: "severity",
            datatype: Datatype::SingleValueList,
            required: false,
            order: 2,
            description: ("Mức độ nghiêm trọng", "How serious is it?"),
            values: vec![
                ("minor", "Nhẹ", "Minor"),
                ("serious", "Nghiêm trọng", "Serious"),
                ("very_serious", "Rất nghiêm trọng", "Very serious"),
            ],
        },
        Attribute {
            code: "signs",
            datatype: Datatype::MultiValueList,
            required: false,
            order: 3,
            description: ("Dấu hiệu quan sát được", "Signs observed"),
            values: signs(kind),
        },
        Attribute {
            code: "observed_at",
            datatype: Datatype::Datetime,
            required: false,
            order: 4,
            description: (
                "Thời điểm xảy ra hoặc phát hiện",
                "When it happened or was noticed",
            ),
            values: Vec::new(),
        },
        Attribute {
            code: "polluter",
            datatype: Datatype::String,
            required: false,
            order: 5,
            description: ("Cơ sở gây ô nhiễm (nếu biết)", "Who causes it, if known"),
            values: Vec::new(),
        },
        Attribute {
            code: "affected_people",
            datatype: Datatype::Number,
            required: false,
            order: 6,
            description: (
                "Số người bị ảnh hưởng (ước tính)",
                "People affected (estimate)",
            ),
            values: Vec::new(),
        },
        Attribute {
            code: "extent",
            datatype: Datatype::Text,
            required: false,
            order: 7,
            description: ("Phạm vi ảnh hưởng", "How far it reaches"),
            values: Vec::new(),
        },
    ]
}

/// The details of a report, parsed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportDetails {
    pub onset: Option<Onset>,
    pub severity: Option<Severity>,
    pub signs: Vec<String>,
    pub observed_at: Option<DateTime<Utc>>,
    pub polluter: String,
    pub affected_people: Option<i64>,
    pub extent: String,
}

/// Why submitted attribute values were refused; `code` names the attribute.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AttributeError {
    #[error("the attribute {0} is required")]
    Missing(&'static str),
    #[error("the attribute {0} has a value it does not accept")]
    BadValue(&'static str),
}

impl AttributeError {
    pub fn attribute(&self) -> &'static str {
        match self {
            Self::Missing(c) | Self::BadValue(c) => c,
        }
    }
}

/// Longest string and text attributes, in characters.
const STRING_MAX: usize = 200;
const TEXT_MAX: usize = 2000;

/// Parses the submitted values (`attribute[CODE]` → values; lists may have several) of the
/// service for `kind`. Unknown attribute codes are ignored, as the specification allows.
pub fn parse(
    kind: PollutionKind,
    submitted: &HashMap<String, Vec<String>>,
) -> Result<ReportDetails, AttributeError> {
    let mut details = ReportDetails::default();
    for attribute in definitions(kind) {
        let values: Vec<String> = submitted
            .get(attribute.code)
            .map(|v| {
                v.iter()
                    .map(|s| crate::text::normalize(s))
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if values.is_empty() {
            if attribute.required {
                return Err(AttributeError::Missing(attribute.code));
            }
            continue;
        }
        let bad = || AttributeError::BadValue(attribute.code);
        let single = || -> Result<&str, AttributeError> {
            match values.as_slice() {
                [one] => Ok(one.as_str()),
                _ => Err(bad()),
            }
        };
        let in_list = |v: &str| attribute.values.iter().any(|(key, _, _)| *key == v);
        match attribute.datatype {
            Datatype::SingleValueList => {
                let value = single()?;
                if !in_list(value) {
                    return Err(bad());
                }
                match attribute.code {
                    "onset" => details.onset = Some(Onset::parse(value).map_err(|_| bad())?),
                    "severity" => {
                        details.severity = Some(Severity::parse(value).map_err(|_| bad())?)
                    }
                    _ => {}
                }
            }
            Datatype::MultiValueList => {
                if !values.iter().all(|v| in_list(v)) {
                    return Err(bad());
                }
                let mut list = values.clone();
                list.sort();
                list.dedup();
                details.signs = list;
            }
            Datatype::Datetime => {
                let value = single()?;
                let moment = DateTime::parse_from_rfc3339(value).map_err(|_| bad())?;
                details.observed_at = Some(moment.with_timezone(&Utc));
            }
            Datatype::Number => {
                let value: i64 = single()?.parse().map_err(|_| bad())?;
                if !(0..=100_000_000).contains(&value) {
                    return Err(bad());
                }
                details.affected_people = Some(value);
            }
            Datatype::String => {
                let value = single()?;
                if value.chars().count() > STRING_MAX || value.chars().any(char::is_control) {
                    return Err(bad());
                }
                details.polluter = value.to_owned();
            }
            Datatype::Text => {
                let value = single()?;
                if value.chars().count() > TEXT_MAX {
                    return Err(bad());
                }
                details.extent = value.to_owned();
            }
        }
    }
    Ok(details)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submitted(pairs: &[(&str, &str)]) -> HashMap<String, Vec<String>> {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            map.entry((*k).to_owned())
                .or_default()
                .push((*v).to_owned());
        }
        map
    }

    #[test]
    fn every_datatype_is_used_by_every_service() {
        for kind in PollutionKind::ALL {
            let used: Vec<Datatype> = definitions(*kind).iter().map(|a| a.datatype).collect();
            for datatype in [
                Datatype::String,
                Datatype::Number,
                Datatype::Datetime,
                Datatype::Text,
                Datatype::SingleValueList,
                Datatype::MultiValueList,
            ] {
                assert!(used.contains(&datatype), "{kind:?} lacks {datatype:?}");
            }
        }
    }

    #[test]
    fn values_of_every_datatype_parse() {
        let details = parse(
            PollutionKind::WasteWater,
            &submitted(&[
                ("onset", "sudden"),
                ("severity", "serious"),
                ("signs", "dead_fish"),
                ("signs", "smell"),
                ("observed_at", "2026-11-20T21:30:00+07:00"),
                ("polluter", "Công ty TNHH Giấy Việt"),
                ("affected_people", "120"),
                ("extent", "Khoảng 2 km dọc sông"),
                ("unknown", "ignored"),
            ]),
        )
        .unwrap();
        assert_eq!(details.onset, Some(Onset::Sudden));
        assert_eq!(details.severity, Some(Severity::Serious));
        assert_eq!(details.signs, vec!["dead_fish", "smell"]);
        assert_eq!(
            details.observed_at.unwrap().to_rfc3339(),
            "2026-11-20T14:30:00+00:00"
        );
        assert_eq!(details.affected_people, Some(120));
    }

    #[test]
    fn missing_required_and_bad_values_are_named() {
        assert_eq!(
            parse(PollutionKind::Noise, &submitted(&[])),
            Err(AttributeError::Missing("onset"))
        );
        for (code, value) in [
            ("onset", "sometimes"),
            ("signs", "dead_fish"),
            ("observed_at", "yesterday"),
            ("observed_at", "2026-11-20T21:30:00"),
            ("affected_people", "many"),
            ("affected_people", "-3"),
        ] {
            let mut pairs = vec![("onset", "continuous")];
            if code == "onset" {
                pairs.clear();
            }
            pairs.push((code, value));
            let result = parse(PollutionKind::Noise, &submitted(&pairs));
            assert_eq!(
                result,
                Err(AttributeError::BadValue(match code {
                    "onset" => "onset",
                    "signs" => "signs",
                    "observed_at" => "observed_at",
                    _ => "affected_people",
                })),
                "{code}={value}"
            );
        }
        assert_eq!(
            parse(
                PollutionKind::Noise,
                &submitted(&[("onset", "sudden"), ("onset", "continuous")])
            ),
            Err(AttributeError::BadValue("onset"))
        );
    }
}
