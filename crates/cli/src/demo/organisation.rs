//! Demo organisation data: the agency, its units and positions, and the directory of
//! external organisations that send it documents and receive its replies.
//!
//! Names follow the structure of the Vietnam Environment Administration before 2025; the
//! agency code and any organisation codes are illustrative, so the demo cannot be taken for
//! the real agency on the document exchange network.

use super::areas::{self, ProvinceKind};
use anyhow::{anyhow, Context};
use std::collections::HashMap;
use vanphong_core::ids::{AreaId, OrganisationId, PositionId, UnitId};
use vanphong_core::org::OrganisationKind::{self, CentralAgency, Ministry, Other, PoliticalBody};
use vanphong_core::org::{Abbreviation, AgencyCode, AreaLevel};
use vanphong_store::audit::Origin;
use vanphong_store::org::{self, AgencySettings, OrganisationInput, UnitInput};
use vanphong_store::Db;

/// The agency's code in the national document exchange. The shape is the real one
/// (Decision 20/2020/QĐ-TTg: unit 16 under a ministry), but `G99` is deliberately no real
/// ministry's code (`G12` is the Ministry of Finance, `G22` the Government Office).
pub const AGENCY_CODE: &str = "000.00.16.G99";

pub fn agency_settings() -> anyhow::Result<AgencySettings> {
    Ok(AgencySettings {
        code: AgencyCode::parse(AGENCY_CODE)?,
        name: "Tổng cục Môi trường".into(),
        name_en: "Vietnam Environment Administration".into(),
        abbreviation: Abbreviation::parse("TCMT")?,
        parent_abbreviation: Some(Abbreviation::parse("BTNMT")?),
        address: "Số 10 Tôn Thất Thuyết, Cầu Giấy, Hà Nội".into(),
        place_name: "Hà Nội".into(),
    })
}

/// A unit of the demo agency: abbreviation, name, and the abbreviation of its parent.
pub struct UnitSpec {
    pub abbreviation: &'static str,
    pub name: &'static str,
    pub parent: Option<&'static str>,
}

const fn unit(
    abbreviation: &'static str,
    name: &'static str,
    parent: Option<&'static str>,
) -> UnitSpec {
    UnitSpec {
        abbreviation,
        name,
        parent,
    }
}

/// The units in display order; a parent comes before its sub-units. The office (Văn phòng)
/// carries the clerical work the seed article describes: records, the summary desk, the
/// one-stop desk and the pollution hotline.
pub const UNITS: [UnitSpec; 17] = [
    unit("VP", "Văn phòng Tổng cục", None),
    unit("HCVT", "Phòng Hành chính - Văn thư", Some("VP")),
    unit("TH", "Phòng Tổng hợp", Some("VP")),
    unit("MC", "Bộ phận Một cửa", Some("VP")),
    unit("ĐDN", "Bộ phận Đường dây nóng", Some("VP")),
    unit("TCCB", "Vụ Tổ chức cán bộ", None),
    unit("KHTC", "Vụ Kế hoạch - Tài chính", None),
    unit("PC", "Vụ Pháp chế", None),
    unit("HTQT", "Vụ Hợp tác quốc tế và Khoa học công nghệ", None),
    // "TTr" is how the inspectorate is written in symbols, but abbreviations are capitals only.
    unit("TTRA", "Thanh tra Tổng cục", None),
    unit("KSONMT", "Cục Kiểm soát ô nhiễm môi trường", None),
    unit(
        "QLCT",
        "Cục Quản lý chất thải và Cải thiện môi trường",
        None,
    ),
    unit("BTTN", "Cục Bảo tồn thiên nhiên và Đa dạng sinh học", None),
    unit(
        "TĐĐG",
        "Cục Thẩm định và Đánh giá tác động môi trường",
        None,
    ),
    unit("TTQT", "Trung tâm Quan trắc môi trường miền Bắc", None),
    unit(
        "TTDL",
        "Trung tâm Điều tra, Thông tin và Dữ liệu về môi trường, đa dạng sinh học",
        None,
    ),
    unit("TTTT", "Trung tâm Đào tạo và Truyền thông môi trường", None),
];

/// Creates the units and returns their ids by abbreviation.
pub async fn create_units(
    db: &Db,
    origin: &Origin,
) -> anyhow::Result<HashMap<&'static str, UnitId>> {
    let mut ids = HashMap::new();
    for (index, spec) in UNITS.iter().enumerate() {
        let parent_id = match spec.parent {
            Some(parent) => Some(*ids.get(parent).ok_or_else(|| {
                anyhow!(
                    "unit {parent} must come before its sub-unit {}",
                    spec.abbreviation
                )
            })?),
            None => None,
        };
        let input = UnitInput {
            parent_id,
            name: spec.name.into(),
            abbreviation: Abbreviation::parse(spec.abbreviation)
                .with_context(|| format!("the abbreviation of {}", spec.name))?,
            // Gaps of ten leave room for units an administrator adds between them.
            sort_order: (index as i64 + 1) * 10,
            active: true,
        };
        let created = org::create_unit(db, origin, &input)
            .await
            .with_context(|| format!("creating the unit {}", spec.name))?;
        ids.insert(spec.abbreviation, created.id);
    }
    Ok(ids)
}

/// Positions (chức vụ) and their ranks; a lower rank is more senior and lists first.
/// Heads of units of the same level share a rank, as do their deputies.
pub const POSITIONS: [(&str, i64); 17] = [
    ("Tổng cục trưởng", 10),
    ("Phó Tổng cục trưởng", 20),
    ("Chánh Văn phòng", 30),
    ("Cục trưởng", 30),
    ("Vụ trưởng", 30),
    ("Chánh Thanh tra", 30),
    ("Giám đốc", 30),
    ("Phó Chánh Văn phòng", 40),
    ("Phó Cục trưởng", 40),
    ("Phó Vụ trưởng", 40),
    ("Phó Chánh Thanh tra", 40),
    ("Phó Giám đốc", 40),
    ("Trưởng phòng", 50),
    ("Phó Trưởng phòng", 60),
    ("Chuyên viên chính", 70),
    ("Chuyên viên", 80),
    ("Văn thư", 90),
];

pub async fn create_positions(
    db: &Db,
    origin: &Origin,
) -> anyhow::Result<HashMap<&'static str, PositionId>> {
    let mut ids = HashMap::new();
    for (name, rank) in POSITIONS {
        let created = org::create_position(db, origin, name, rank)
            .await
            .with_context(|| format!("creating the position {name}"))?;
        ids.insert(name, created.id);
    }
    Ok(ids)
}

/// An external organisation of the directory, before it is linked to an area.
pub struct OrganisationSpec {
    pub name: &'static str,
    pub abbreviation: &'static str,
    pub kind: OrganisationKind,
    pub agency_code: Option<&'static str>,
    pub address: &'static str,
}

const fn organisation(
    kind: OrganisationKind,
    name: &'static str,
    abbreviation: &'static str,
    address: &'static str,
) -> OrganisationSpec {
    OrganisationSpec {
        name,
        abbreviation,
        kind,
        agency_code: None,
        address,
    }
}

const fn with_code(mut spec: OrganisationSpec, code: &'static str) -> OrganisationSpec {
    spec.agency_code = Some(code);
    spec
}

pub const MINISTRY_OF_AGRICULTURE_AND_ENVIRONMENT: &str = "Bộ Nông nghiệp và Môi trường";
pub const FORMER_MINISTRY_OF_ENVIRONMENT: &str = "Bộ Tài nguyên và Môi trường";
pub const GOVERNMENT_OFFICE: &str = "Văn phòng Chính phủ";
pub const PETITIONS_COMMITTEE: &str = "Ban Dân nguyện của Ủy ban Thường vụ Quốc hội";
pub const SCIENCE_AND_ENVIRONMENT_COMMITTEE: &str =
    "Ủy ban Khoa học, Công nghệ và Môi trường của Quốc hội";
pub const FATHERLAND_FRONT: &str = "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam";

/// The national organisations. Ministries merged or renamed in March 2025 stay in the
/// directory, because older documents name them as senders. The two agency codes set are
/// the ones public integration samples use; the rest are left for an administrator.
/// Addresses use the district names in use before July 2025.
// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const NATIONAL_ORGANISATIONS: [OrganisationSpec; 45] = [
    organisation(Ministry, MINISTRY_OF_AGRICULTURE_AND_ENVIRONMENT, "BNNMT", "Số 2 Ngọc Hà, Ba Đình, Hà Nội"),
    organisation(Ministry, FORMER_MINISTRY_OF_ENVIRONMENT, "BTNMT", "Số 10 Tôn Thất Thuyết, Cầu Giấy, Hà Nội"),
    organisation(Ministry, "Bộ Nông nghiệp và Phát triển nông thôn", "BNNPTNT", "Số 2 Ngọc Hà, Ba Đình, Hà Nội"),
    with_code(organisation(Ministry, GOVERNMENT_OFFICE, "VPCP", "Số 1 Hoàng Hoa Thám, Ba Đình, Hà Nội"), "000.00.00.G22"),
    with_code(organisation(Ministry, "Bộ Tài chính", "BTC", "Số 28 Trần Hưng Đạo, Hoàn Kiếm, Hà Nội"), "000.00.00.G12"),
    organisation(Ministry, "Bộ Nội vụ", "BNV", "Số 8 Tôn Thất Thuyết, Nam Từ Liêm, Hà Nội"),
    organisation(Ministry, "Bộ Công Thương", "BCT", "Số 54 Hai Bà Trưng, Hoàn Kiếm, Hà Nội"),
    organisation(Ministry, "Bộ Xây dựng", "BXD", "Số 37 Lê Đại Hành, Hai Bà Trưng, Hà Nội"),
    organisation(Ministry, "Bộ Y tế", "BYT", "Số 138A Giảng Võ, Ba Đình, Hà Nội"),
    organisation(Ministry, "Bộ Tư pháp", "BTP", "Số 60 Trần Phú, Ba Đình, Hà Nội"),
    organisation(Ministry, "Bộ Khoa học và Công nghệ", "BKHCN", "Số 113 Trần Duy Hưng, Cầu Giấy, Hà Nội"),
    organisation(Ministry, "Bộ Ngoại giao", "BNG", "Số 1 Tôn Thất Đàm, Ba Đình, Hà Nội"),
    organisation(Ministry, "Bộ Quốc phòng", "BQP", "Số 7 Nguyễn Tri Phương, Ba Đình, Hà Nội"),
    organisation(Ministry, "Bộ Công an", "BCA", "Số 44 Yết Kiêu, Hoàn Kiếm, Hà Nội"),
    organisation(Ministry, "Bộ Giáo dục và Đào tạo", "BGDĐT", "Số 35 Đại Cồ Việt, Hai Bà Trưng, Hà Nội"),
    organisation(Ministry, "Bộ Văn hóa, Thể thao và Du lịch", "BVHTTDL", "Số 51 Ngô Quyền, Hoàn Kiếm, Hà Nội"),
    organisation(Ministry, "Bộ Dân tộc và Tôn giáo", "BDTTG", "Hà Nội"),
    organisation(Ministry, "Bộ Kế hoạch và Đầu tư", "BKHĐT", "Số 6B Hoàng Diệu, Ba Đình, Hà Nội"),
    organisation(Ministry, "Bộ Giao thông vận tải", "BGTVT", "Số 80 Trần Hưng Đạo, Hoàn Kiếm, Hà Nội"),
    organisation(Ministry, "Bộ Thông tin và Truyền thông", "BTTTT", "Số 18 Nguyễn Du, Hai Bà Trưng, Hà Nội"),
    organisation(Ministry, "Thanh tra Chính phủ", "TTCP", "Hà Nội"),
    organisation(Ministry, "Ngân hàng Nhà nước Việt Nam", "NHNN", "Số 49 Lý Thái Tổ, Hoàn Kiếm, Hà Nội"),
    organisation(PoliticalBody, PETITIONS_COMMITTEE, "BDN", "Số 22 Hùng Vương, Ba Đình, Hà Nội"),
    organisation(PoliticalBody, SCIENCE_AND_ENVIRONMENT_COMMITTEE, "UBKHCNMT", "Số 22 Hùng Vương, Ba Đình, Hà Nội"),
    organisation(PoliticalBody, "Văn phòng Quốc hội", "VPQH", "Số 22 Hùng Vương, Ba Đình, Hà Nội"),
    organisation(PoliticalBody, FATHERLAND_FRONT, "MTTQ", "Số 46 Tràng Thi, Hoàn Kiếm, Hà Nội"),
    organisation(PoliticalBody, "Văn phòng Trung ương Đảng", "VPTW", "Hà Nội"),
    organisation(PoliticalBody, "Kiểm toán Nhà nước", "KTNN", "Hà Nội"),
    organisation(PoliticalBody, "Đoàn đại biểu Quốc hội thành phố Hà Nội", "ĐĐBQH", "Hà Nội"),
    organisation(PoliticalBody, "Đoàn đại biểu Quốc hội tỉnh Quảng Ninh", "ĐĐBQH", "Quảng Ninh"),
    organisation(CentralAgency, "Cục Quản lý đất đai", "QLĐĐ", "Hà Nội"),
    organisation(CentralAgency, "Cục Biến đổi khí hậu", "BĐKH", "Hà Nội"),
    organisation(CentralAgency, "Cục Quản lý tài nguyên nước", "QLTNN", "Hà Nội"),
    organisation(CentralAgency, "Cục Khí tượng Thủy văn", "KTTV", "Hà Nội"),
    organisation(CentralAgency, "Cục Biển và Hải đảo Việt Nam", "BHĐVN", "Hà Nội"),
    organisation(CentralAgency, "Cục Lâm nghiệp và Kiểm lâm", "LNKL", "Hà Nội"),
    organisation(CentralAgency, "Cục Cảnh sát phòng, chống tội phạm về môi trường", "C05", "Hà Nội"),
    organisation(CentralAgency, "Cục Hóa chất", "CHC", "Hà Nội"),
    organisation(CentralAgency, "Cục Kiểm soát thủ tục hành chính", "KSTT", "Hà Nội"),
    organisation(CentralAgency, "Cục Văn thư và Lưu trữ nhà nước", "VTLTNN", "Hà Nội"),
    organisation(CentralAgency, "Cục Thống kê", "CTK", "Hà Nội"),
    organisation(CentralAgency, "Đài Truyền hình Việt Nam", "VTV", "Hà Nội"),
    organisation(CentralAgency, "Thông tấn xã Việt Nam", "TTXVN", "Hà Nội"),
    organisation(Other, "Hội Bảo vệ thiên nhiên và môi trường Việt Nam", "VACNE", "Hà Nội"),
    organisation(Other, "Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam", "VUSTA", "Hà Nội"),
];

/// Ids of the organisations other demo loaders address documents to or receive them from.
// Read by the loaders of documents and petitions that build on this one.
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub struct KeyOrganisations {
    /// Bộ Nông nghiệp và Môi trường, the ministry since March 2025.
    pub ministry: OrganisationId,
    /// Bộ Tài nguyên và Môi trường, the ministry before.
    pub former_ministry: OrganisationId,
    pub government_office: OrganisationId,
    pub petitions_committee: OrganisationId,
    pub science_and_environment_committee: OrganisationId,
    pub fatherland_front: OrganisationId,
    /// Each current province's environment department, by province code.
    pub provincial_environment_departments: Vec<(&'static str, OrganisationId)>,
    /// Each current province's people's committee, by province code.
    pub provincial_committees: Vec<(&'static str, OrganisationId)>,
    /// How many organisations the directory holds.
    pub count: usize,
}

/// Creates the directory. Provincial bodies are linked to the province version in force
/// from the reform day, so they must be created after the areas are imported.
pub async fn create_organisations(db: &Db, origin: &Origin) -> anyhow::Result<KeyOrganisations> {
    let mut by_name: HashMap<&'static str, OrganisationId> = HashMap::new();
    for spec in &NATIONAL_ORGANISATIONS {
        let input = OrganisationInput {
            name: spec.name.into(),
            abbreviation: Some(
                Abbreviation::parse(spec.abbreviation).with_context(|| spec.name.to_owned())?,
            ),
            agency_code: spec.agency_code.map(AgencyCode::parse).transpose()?,
            kind: spec.kind,
            province_id: None,
            email: String::new(),
            address: spec.address.into(),
        };
        let created = org::create_organisation(db, origin, &input)
            .await
            .with_context(|| format!("creating the organisation {}", spec.name))?;
        by_name.insert(spec.name, created.id);
    }
    let named = |name: &str| {
        by_name
            .get(name)
            .copied()
            .ok_or_else(|| anyhow!("{name} is missing"))
    };

    let current = org::areas(db, AreaLevel::Province, Some(areas::REFORM_DATE))
        .await
        .context("reading the provinces back")?;
    let area_of: HashMap<&str, AreaId> = current.iter().map(|a| (a.code.as_str(), a.id)).collect();
    let mut committees = Vec::new();
    let mut departments = Vec::new();
    for province in &areas::PROVINCES {
        let province_id = *area_of
            .get(province.code)
            .ok_or_else(|| anyhow!("the province {} was not imported", province.name))?;
        let place = province.administrative_name();
        // Provincial bodies keep their seat in the province; email is left for an
        // administrator, so the demo never writes to a real mailbox of a province.
        let address = match province.kind {
            ProvinceKind::City => province.name.to_owned(),
            ProvinceKind::Province => format!("Tỉnh {}", province.name),
        };
        for (kind, name, abbreviation, list) in [
            (
                OrganisationKind::ProvincialCommittee,
                format!("Ủy ban nhân dân {place}"),
                "UBND",
                &mut committees,
            ),
            (
                OrganisationKind::ProvincialEnvironmentDepartment,
                format!("Sở Nông nghiệp và Môi trường {place}"),
                "SNNMT",
                &mut departments,
            ),
        ] {
            let input = OrganisationInput {
                name: name.clone(),
                abbreviation: Some(Abbreviation::parse(abbreviation)?),
                agency_code: None,
                kind,
                province_id: Some(province_id),
                email: String::new(),
                address: address.clone(),
            };
            let created = org::create_organisation(db, origin, &input)
                .await
                .with_context(|| format!("creating the organisation {name}"))?;
            list.push((province.code, created.id));
        }
    }
    Ok(KeyOrganisations {
        ministry: named(MINISTRY_OF_AGRICULTURE_AND_ENVIRONMENT)?,
        former_ministry: named(FORMER_MINISTRY_OF_ENVIRONMENT)?,
        government_office: named(GOVERNMENT_OFFICE)?,
        petitions_committee: named(PETITIONS_COMMITTEE)?,
        science_and_environment_committee: named(SCIENCE_AND_ENVIRONMENT_COMMITTEE)?,
        fatherland_front: named(FATHERLAND_FRONT)?,
        count: by_name.len() + committees.len() + departments.len(),
        provincial_environment_departments: departments,
        provincial_committees: committees,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_agency_settings_parse() {
        let settings = agency_settings().unwrap();
        assert_eq!(settings.code.as_str(), AGENCY_CODE);
        assert_eq!(settings.abbreviation.as_str(), "TCMT");
    }

    #[test]
    fn unit_abbreviations_are_valid_and_unique_and_parents_come_first() {
        let mut seen = HashSet::new();
        for spec in &UNITS {
            assert!(
                Abbreviation::parse(spec.abbreviation).is_ok(),
                "{}",
                spec.abbreviation
            );
            if let Some(parent) = spec.parent {
                assert!(
                    seen.contains(parent),
                    "{} before {parent}",
                    spec.abbreviation
                );
            }
            assert!(
                seen.insert(spec.abbreviation),
                "{} twice",
                spec.abbreviation
            );
        }
    }

    #[test]
    fn position_names_are_unique() {
        let names: HashSet<_> = POSITIONS.iter().map(|(name, _)| name).collect();
        assert_eq!(names.len(), POSITIONS.len());
    }

    #[test]
    fn the_directory_has_about_a_hundred_organisations_with_unique_names_and_codes() {
        let mut names: HashSet<String> = NATIONAL_ORGANISATIONS
            .iter()
            .map(|o| o.name.to_owned())
            .collect();
        assert_eq!(names.len(), NATIONAL_ORGANISATIONS.len());
        for province in &areas::PROVINCES {
            let place = province.administrative_name();
            assert!(names.insert(format!("Ủy ban nhân dân {place}")));
            assert!(names.insert(format!("Sở Nông nghiệp và Môi trường {place}")));
        }
        assert!((100..=120).contains(&names.len()), "{}", names.len());
        let mut codes = HashSet::new();
        for spec in &NATIONAL_ORGANISATIONS {
            assert!(
                Abbreviation::parse(spec.abbreviation).is_ok(),
                "{}",
                spec.name
            );
            if let Some(code) = spec.agency_code {
                assert!(AgencyCode::parse(code).is_ok(), "{code}");
                assert!(codes.insert(code), "{code} twice");
            }
        }
        assert!(
            !codes.contains(AGENCY_CODE),
            "the agency is not in its own directory"
        );
    }
}
