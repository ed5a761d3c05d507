//! Demo administrative areas: the 63 provinces before the 2025 reform, the 34 after it,
//! and a few communes, as versions that the store links by code and date.
//!
//! Codes and names are data an administrator can correct; nothing in the program depends
//! on a particular code. The codes are the General Statistics Office's province codes; the
//! code of a merged province is the one of the province that hosts its new centre
//! (Decision 19/2025/QĐ-TTg).

use chrono::NaiveDate;
use vanphong_core::org::AreaLevel;
use vanphong_store::org::AreaInput;

/// The day Resolution 202/2025/QH15 took effect: 63 provinces became 34 and districts
/// were abolished.
pub const REFORM_DATE: NaiveDate = date(2025, 7, 1);

/// When the old provinces start in the demo. Provinces had different start dates (Hà Tây
/// merged into Hà Nội on 1 August 2008, Đắk Nông and Hậu Giang date from 2004); one date
/// for all is a simplification that does no harm to records from 2008 on.
pub const FORMER_PROVINCES_FROM: NaiveDate = date(2008, 1, 1);

/// Thừa Thiên Huế became the centrally-run city of Huế on this day (Resolution
/// 1314/NQ-UBTVQH15), half a year before the reform; it kept its code.
const HUE_CITY_FROM: NaiveDate = date(2025, 1, 1);

const fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(d) => d,
        None => panic!("a valid calendar date"),
    }
}

/// Whether a province-level unit is a province (tỉnh) or a centrally-run city (thành phố).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProvinceKind {
    Province,
    City,
}

/// A province-level unit from 1 July 2025 and the former provinces it was formed from.
#[derive(Clone, Copy, Debug)]
pub struct Province {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: ProvinceKind,
    /// Codes of the provinces in force on 30 June 2025 that make it up. An unchanged
    /// province lists its own code: it too opened a new version on the reform day.
    pub formed_from: &'static [&'static str],
}

impl Province {
    /// The name as it follows "Ủy ban nhân dân" or "Sở ...": "tỉnh Lào Cai",
    /// "thành phố Huế", "Thành phố Hồ Chí Minh" (where "Thành phố" is part of the name).
    pub fn administrative_name(&self) -> String {
        match self.kind {
            ProvinceKind::City if self.name.starts_with("Thành phố") => self.name.to_owned(),
            ProvinceKind::City => format!("thành phố {}", self.name),
            ProvinceKind::Province => format!("tỉnh {}", self.name),
        }
    }
}

const fn province(
    code: &'static str,
    name: &'static str,
    formed_from: &'static [&'static str],
) -> Province {
    Province {
        code,
        name,
        kind: ProvinceKind::Province,
        formed_from,
    }
}

const fn city(
    code: &'static str,
    name: &'static str,
    formed_from: &'static [&'static str],
) -> Province {
    Province {
        code,
        name,
        kind: ProvinceKind::City,
        formed_from,
    }
}

/// The 34 province-level units from 1 July 2025 (Resolution 202/2025/QH15), by code.
pub const PROVINCES: [Province; 34] = [
    city("01", "Hà Nội", &["01"]),
    province("04", "Cao Bằng", &["04"]),
    province("08", "Tuyên Quang", &["08", "02"]),
    province("11", "Điện Biên", &["11"]),
    province("12", "Lai Châu", &["12"]),
    province("14", "Sơn La", &["14"]),
    province("15", "Lào Cai", &["10", "15"]),
    province("19", "Thái Nguyên", &["19", "06"]),
    province("20", "Lạng Sơn", &["20"]),
    province("22", "Quảng Ninh", &["22"]),
    province("24", "Bắc Ninh", &["27", "24"]),
    province("25", "Phú Thọ", &["25", "26", "17"]),
    city("31", "Hải Phòng", &["31", "30"]),
    province("33", "Hưng Yên", &["33", "34"]),
    province("37", "Ninh Bình", &["37", "35", "36"]),
    province("38", "Thanh Hóa", &["38"]),
    province("40", "Nghệ An", &["40"]),
    province("42", "Hà Tĩnh", &["42"]),
    province("44", "Quảng Trị", &["45", "44"]),
    city("46", "Huế", &["46"]),
    city("48", "Đà Nẵng", &["48", "49"]),
    province("51", "Quảng Ngãi", &["51", "62"]),
    province("52", "Gia Lai", &["64", "52"]),
    province("56", "Khánh Hòa", &["56", "58"]),
    province("66", "Đắk Lắk", &["66", "54"]),
    province("68", "Lâm Đồng", &["68", "67", "60"]),
    province("75", "Đồng Nai", &["75", "70"]),
    city("79", "Thành phố Hồ Chí Minh", &["79", "74", "77"]),
    province("80", "Tây Ninh", &["72", "80"]),
    province("82", "Đồng Tháp", &["87", "82"]),
    province("86", "Vĩnh Long", &["86", "83", "84"]),
    province("91", "An Giang", &["89", "91"]),
    city("92", "Cần Thơ", &["92", "94", "93"]),
    province("96", "Cà Mau", &["96", "95"]),
];

/// The 63 province-level units in force on 30 June 2025, by GSO code. Huế is listed under
/// the name it had then; its earlier name is in [`RENAMED_BEFORE_REFORM`].
pub const FORMER_PROVINCES: [(&str, &str); 63] = [
    ("01", "Hà Nội"),
    ("02", "Hà Giang"),
    ("04", "Cao Bằng"),
    ("06", "Bắc Kạn"),
    ("08", "Tuyên Quang"),
    ("10", "Lào Cai"),
    ("11", "Điện Biên"),
    ("12", "Lai Châu"),
    ("14", "Sơn La"),
    ("15", "Yên Bái"),
    ("17", "Hòa Bình"),
    ("19", "Thái Nguyên"),
    ("20", "Lạng Sơn"),
    ("22", "Quảng Ninh"),
    ("24", "Bắc Giang"),
    ("25", "Phú Thọ"),
    ("26", "Vĩnh Phúc"),
    ("27", "Bắc Ninh"),
    ("30", "Hải Dương"),
    ("31", "Hải Phòng"),
    ("33", "Hưng Yên"),
    ("34", "Thái Bình"),
    ("35", "Hà Nam"),
    ("36", "Nam Định"),
    ("37", "Ninh Bình"),
    ("38", "Thanh Hóa"),
    ("40", "Nghệ An"),
    ("42", "Hà Tĩnh"),
    ("44", "Quảng Bình"),
    ("45", "Quảng Trị"),
    ("46", "Huế"),
    ("48", "Đà Nẵng"),
    ("49", "Quảng Nam"),
    ("51", "Quảng Ngãi"),
    ("52", "Bình Định"),
    ("54", "Phú Yên"),
    ("56", "Khánh Hòa"),
    ("58", "Ninh Thuận"),
    ("60", "Bình Thuận"),
    ("62", "Kon Tum"),
    ("64", "Gia Lai"),
    ("66", "Đắk Lắk"),
    ("67", "Đắk Nông"),
    ("68", "Lâm Đồng"),
    ("70", "Bình Phước"),
    ("72", "Tây Ninh"),
    ("74", "Bình Dương"),
    ("75", "Đồng Nai"),
    ("77", "Bà Rịa - Vũng Tàu"),
    ("79", "Thành phố Hồ Chí Minh"),
    ("80", "Long An"),
    ("82", "Tiền Giang"),
    ("83", "Bến Tre"),
    ("84", "Trà Vinh"),
    ("86", "Vĩnh Long"),
    ("87", "Đồng Tháp"),
    ("89", "An Giang"),
    ("91", "Kiên Giang"),
    ("92", "Cần Thơ"),
    ("93", "Hậu Giang"),
    ("94", "Sóc Trăng"),
    ("95", "Bạc Liêu"),
    ("96", "Cà Mau"),
];

/// Former provinces that changed name before the reform: code, earlier name, and the day
/// the name in [`FORMER_PROVINCES`] took over.
pub const RENAMED_BEFORE_REFORM: [(&str, &str, NaiveDate); 1] =
    [("46", "Thừa Thiên Huế", HUE_CITY_FROM)];

/// A few communes (wards and communes) from 1 July 2025, so that forms offering a commune
/// have something to show: code, name, province code. The five-digit codes are
/// illustrative, not checked against the statistics office's list.
pub const COMMUNES: [(&str, &str, &str); 12] = [
    ("00004", "Phường Ba Đình", "01"),
    ("00070", "Phường Hoàn Kiếm", "01"),
    ("00166", "Phường Cầu Giấy", "01"),
    ("08980", "Xã Sóc Sơn", "01"),
    ("06661", "Phường Hạ Long", "22"),
    ("06676", "Phường Bãi Cháy", "22"),
    ("26041", "Phường Trấn Biên", "75"),
    ("26068", "Phường Biên Hòa", "75"),
    ("26734", "Phường Sài Gòn", "79"),
    ("26743", "Phường Bến Thành", "79"),
    ("25747", "Phường Thủ Dầu Một", "79"),
    ("26506", "Phường Vũng Tàu", "79"),
];

/// The province formed on the reform day that a former province became part of.
pub fn successor_of(former_code: &str) -> Option<&'static Province> {
    PROVINCES
        .iter()
        .find(|p| p.formed_from.contains(&former_code))
}

/// Every area version to import, in one list: the store inserts all rows before it links
/// parents and successors, so the order does not matter.
pub fn area_inputs() -> Vec<AreaInput> {
    let mut inputs =
        Vec::with_capacity(FORMER_PROVINCES.len() + PROVINCES.len() + COMMUNES.len() + 1);
    for (code, name) in FORMER_PROVINCES {
        let mut valid_from = FORMER_PROVINCES_FROM;
        if let Some((_, earlier_name, renamed_on)) =
            RENAMED_BEFORE_REFORM.iter().find(|(c, _, _)| *c == code)
        {
            inputs.push(AreaInput {
                code: code.to_owned(),
                name: (*earlier_name).to_owned(),
                level: AreaLevel::Province,
                parent_code: None,
                valid_from,
                valid_to: Some(*renamed_on),
                successor_code: Some(code.to_owned()),
            });
            valid_from = *renamed_on;
        }
        inputs.push(AreaInput {
            code: code.to_owned(),
            name: name.to_owned(),
            level: AreaLevel::Province,
            parent_code: None,
            valid_from,
            valid_to: Some(REFORM_DATE),
            successor_code: successor_of(code).map(|p| p.code.to_owned()),
        });
    }
    for province in &PROVINCES {
        inputs.push(AreaInput {
            code: province.code.to_owned(),
            name: province.name.to_owned(),
            level: AreaLevel::Province,
            parent_code: None,
            valid_from: REFORM_DATE,
            valid_to: None,
            successor_code: None,
        });
    }
    for (code, name, province_code) in COMMUNES {
        inputs.push(AreaInput {
            code: code.to_owned(),
            name: name.to_owned(),
            level: AreaLevel::Commune,
            parent_code: Some(province_code.to_owned()),
            valid_from: REFORM_DATE,
            valid_to: None,
            successor_code: None,
        });
    }
    inputs
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn there_were_63_provinces_and_there_are_34() {
        assert_eq!(FORMER_PROVINCES.len(), 63);
        assert_eq!(PROVINCES.len(), 34);
        let former: HashSet<_> = FORMER_PROVINCES.iter().map(|(code, _)| *code).collect();
        let current: HashSet<_> = PROVINCES.iter().map(|p| p.code).collect();
        assert_eq!(former.len(), 63, "former codes are unique");
        assert_eq!(current.len(), 34, "current codes are unique");
    }

    #[test]
    fn every_former_province_went_into_exactly_one_new_one() {
        for (code, name) in FORMER_PROVINCES {
            let hosts: Vec<_> = PROVINCES
                .iter()
                .filter(|p| p.formed_from.contains(&code))
                .collect();
            assert_eq!(hosts.len(), 1, "{code} {name}");
        }
        let parts: usize = PROVINCES.iter().map(|p| p.formed_from.len()).sum();
        assert_eq!(parts, 63, "no new province lists a code that did not exist");
    }

    #[test]
    fn a_new_province_keeps_the_code_of_one_of_its_parts() {
        for province in &PROVINCES {
            assert!(
                province.formed_from.contains(&province.code),
                "{}",
                province.name
            );
        }
    }

    #[test]
    fn six_centrally_run_cities_remain() {
        let cities: Vec<_> = PROVINCES
            .iter()
            .filter(|p| p.kind == ProvinceKind::City)
            .map(|p| p.name)
            .collect();
        assert_eq!(
            cities,
            [
                "Hà Nội",
                "Hải Phòng",
                "Huế",
                "Đà Nẵng",
                "Thành phố Hồ Chí Minh",
                "Cần Thơ"
            ]
        );
    }

    #[test]
    fn merged_provinces_point_to_the_province_hosting_the_new_centre() {
        assert_eq!(
            successor_of("15").map(|p| p.name),
            Some("Lào Cai"),
            "Yên Bái"
        );
        assert_eq!(successor_of("10").map(|p| p.code), Some("15"), "Lào Cai");
        assert_eq!(successor_of("74").map(|p| p.code), Some("79"), "Bình Dương");
        assert_eq!(successor_of("60").map(|p| p.code), Some("68"), "Bình Thuận");
        assert_eq!(
            successor_of("01").map(|p| p.code),
            Some("01"),
            "Hà Nội is unchanged"
        );
    }

    #[test]
    fn every_province_version_before_the_reform_closes_with_a_successor() {
        let inputs = area_inputs();
        let provinces: Vec<_> = inputs
            .iter()
            .filter(|a| a.level == AreaLevel::Province)
            .collect();
        assert_eq!(
            provinces.len(),
            63 + 1 + 34,
            "Thừa Thiên Huế has one extra version"
        );
        let closing_on_reform_day = provinces
            .iter()
            .filter(|a| a.valid_to == Some(REFORM_DATE))
            .count();
        assert_eq!(closing_on_reform_day, 63);
        for area in provinces.iter().filter(|a| a.valid_to.is_some()) {
            assert!(area.successor_code.is_some(), "{}", area.name);
        }
    }

    #[test]
    fn versions_of_one_code_follow_each_other_without_gaps() {
        let inputs = area_inputs();
        for code in ["46", "01", "15"] {
            let mut versions: Vec<_> = inputs
                .iter()
                .filter(|a| a.level == AreaLevel::Province && a.code == code)
                .collect();
            versions.sort_by_key(|a| a.valid_from);
            for pair in versions.windows(2) {
                assert_eq!(pair[0].valid_to, Some(pair[1].valid_from), "{code}");
            }
            assert_eq!(
                versions.last().and_then(|a| a.valid_to),
                None,
                "{code} is in force"
            );
        }
    }

    #[test]
    fn communes_belong_to_a_current_province_and_have_five_digit_codes() {
        let current: HashSet<_> = PROVINCES.iter().map(|p| p.code).collect();
        let mut seen = HashSet::new();
        for (code, name, province) in COMMUNES {
            assert!(current.contains(province), "{name}");
            assert!(
                code.len() == 5 && code.chars().all(|c| c.is_ascii_digit()),
                "{name}"
            );
            assert!(seen.insert(code), "{code} is used twice");
        }
    }

    #[test]
    fn administrative_names_read_as_in_official_titles() {
        let name = |code: &str| {
            PROVINCES
                .iter()
                .find(|p| p.code == code)
                .unwrap()
                .administrative_name()
        };
        assert_eq!(name("15"), "tỉnh Lào Cai");
        assert_eq!(name("46"), "thành phố Huế");
        assert_eq!(name("79"), "Thành phố Hồ Chí Minh");
    }
}
