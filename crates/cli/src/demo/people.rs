//! Demo accounts: one easy-to-remember login per role, and the staff of each unit.
//!
//! The people are invented. The seed article names real officials; the demo does not reuse
//! their names, so nobody is shown signing documents they never signed. Usernames follow
//! the common convention of given name plus initials ("namnh" for Nguyễn Hoàng Nam); the
//! logins meant for trying each role are plain words instead.

use anyhow::{anyhow, Context};
use std::collections::HashMap;
use vanphong_core::auth::{NewPassword, Role, Secrecy, Username};
use vanphong_core::ids::{PositionId, UnitId, UserId};
use vanphong_store::audit::Origin;
use vanphong_store::users::{self, NewUser};
use vanphong_store::Db;

/// The domain of the demo email addresses. Illustrative: the demo must not be configured to
/// send mail, since these are addresses at the real agency's domain.
pub const EMAIL_DOMAIN: &str = "vea.gov.vn";

/// A demo account before it is created.
pub struct PersonSpec {
    pub username: &'static str,
    pub full_name: &'static str,
    /// The unit's abbreviation; agency leaders belong to no unit.
    pub unit: Option<&'static str>,
    pub position: &'static str,
    pub clearance: Secrecy,
    pub roles: &'static [Role],
    /// What the person does, in Vietnamese, as printed next to the demo logins.
    pub description: &'static str,
}

const fn person(
    username: &'static str,
    full_name: &'static str,
    unit: Option<&'static str>,
    position: &'static str,
    clearance: Secrecy,
    roles: &'static [Role],
    description: &'static str,
) -> PersonSpec {
    PersonSpec {
        username,
        full_name,
        unit,
        position,
        clearance,
        roles,
        description,
    }
}

use Role::{
    Administrator, AgencyLeader, Editor, HotlineOperator, OneStopOfficer, RecordsClerk, Specialist,
    UnitLeader,
};
use Secrecy::{Confidential, Normal, Secret, TopSecret};

/// The logins for trying each role come first; they are the ones printed prominently.
/// Clearance follows the work: leaders and the clerks who register secret documents are
/// cleared, most specialists are not.
// One row per entry reads as a table; rustfmt would spread each over several lines.
#[rustfmt::skip]
pub const PEOPLE: [PersonSpec; 39] = [
    person("admin", "Đặng Quốc Khánh", Some("TH"), "Chuyên viên chính", Normal, &[Administrator], "Quản trị hệ thống"),
    person("vanthu", "Nguyễn Thị Thu Hà", Some("HCVT"), "Văn thư", Secret, &[RecordsClerk], "Văn thư Tổng cục"),
    person("tongcuctruong", "Lê Minh Quang", None, "Tổng cục trưởng", TopSecret, &[AgencyLeader], "Tổng cục trưởng"),
    person("lanhdao", "Vũ Thị Minh Phương", None, "Phó Tổng cục trưởng", Secret, &[AgencyLeader], "Phó Tổng cục trưởng (lãnh đạo Tổng cục)"),
    person("chanhvanphong", "Ngô Xuân Trường", Some("VP"), "Chánh Văn phòng", Secret, &[UnitLeader], "Chánh Văn phòng Tổng cục (lãnh đạo đơn vị)"),
    person("truongphong", "Hoàng Văn Dũng", Some("TH"), "Trưởng phòng", Confidential, &[UnitLeader], "Trưởng phòng Tổng hợp, Văn phòng (lãnh đạo phòng)"),
    person("chuyenvien", "Nguyễn Thị Mai", Some("TH"), "Chuyên viên", Normal, &[Specialist], "Chuyên viên Phòng Tổng hợp, Văn phòng"),
    person("motcua", "Lê Thị Hồng Nhung", Some("MC"), "Chuyên viên", Normal, &[OneStopOfficer], "Cán bộ tiếp nhận và trả kết quả, Bộ phận Một cửa"),
    person("duongdaynong", "Trần Văn Tùng", Some("ĐDN"), "Chuyên viên", Normal, &[HotlineOperator], "Trực đường dây nóng về ô nhiễm môi trường"),
    person("bientap", "Phan Thị Ngọc Ánh", Some("TTTT"), "Chuyên viên", Normal, &[Editor], "Biên tập viên Cổng thông tin điện tử"),
    // The rest of the leadership and the office.
    person("lanhdao2", "Trịnh Văn Long", None, "Phó Tổng cục trưởng", Secret, &[AgencyLeader], "Phó Tổng cục trưởng"),
    person("phochanhvanphong", "Đỗ Thị Lan Anh", Some("VP"), "Phó Chánh Văn phòng", Confidential, &[UnitLeader, Editor], "Phó Chánh Văn phòng, phụ trách Cổng thông tin điện tử"),
    person("hangct", "Cao Thị Hằng", Some("HCVT"), "Trưởng phòng", Confidential, &[UnitLeader], "Trưởng phòng Hành chính - Văn thư"),
    person("thuyvt", "Vũ Thị Thủy", Some("HCVT"), "Văn thư", Confidential, &[RecordsClerk], "Văn thư"),
    person("haidv", "Đinh Văn Hải", Some("MC"), "Chuyên viên", Normal, &[OneStopOfficer], "Cán bộ Bộ phận Một cửa"),
    // The hotline runs around the clock, so it needs more than one operator.
    person("hoalt", "Lý Thị Hoa", Some("ĐDN"), "Chuyên viên", Normal, &[HotlineOperator], "Trực đường dây nóng"),
    // Departments: a head who assigns work, and specialists who handle it.
    person("namnh", "Nguyễn Hoàng Nam", Some("KSONMT"), "Cục trưởng", Confidential, &[UnitLeader], "Cục trưởng Cục Kiểm soát ô nhiễm môi trường"),
    person("trangltt", "Lương Thị Thu Trang", Some("KSONMT"), "Phó Cục trưởng", Confidential, &[UnitLeader], "Phó Cục trưởng Cục Kiểm soát ô nhiễm môi trường"),
    person("huytq", "Tạ Quang Huy", Some("KSONMT"), "Chuyên viên chính", Normal, &[Specialist], "Chuyên viên chính, Cục Kiểm soát ô nhiễm môi trường"),
    person("yendt", "Đoàn Thị Yến", Some("KSONMT"), "Chuyên viên", Normal, &[Specialist], "Chuyên viên, Cục Kiểm soát ô nhiễm môi trường"),
    person("thanhmv", "Mai Văn Thành", Some("QLCT"), "Cục trưởng", Confidential, &[UnitLeader], "Cục trưởng Cục Quản lý chất thải và Cải thiện môi trường"),
    person("oanhhtk", "Hà Thị Kim Oanh", Some("QLCT"), "Chuyên viên", Normal, &[Specialist], "Chuyên viên, Cục Quản lý chất thải và Cải thiện môi trường"),
    person("huongptt", "Phùng Thị Thu Hương", Some("BTTN"), "Cục trưởng", Confidential, &[UnitLeader], "Cục trưởng Cục Bảo tồn thiên nhiên và Đa dạng sinh học"),
    person("datkv", "Kiều Văn Đạt", Some("BTTN"), "Chuyên viên", Normal, &[Specialist], "Chuyên viên, Cục Bảo tồn thiên nhiên và Đa dạng sinh học"),
    person("minhtc", "Trương Công Minh", Some("TĐĐG"), "Cục trưởng", Confidential, &[UnitLeader], "Cục trưởng Cục Thẩm định và Đánh giá tác động môi trường"),
    person("ngocltb", "Lưu Thị Bích Ngọc", Some("TĐĐG"), "Chuyên viên chính", Normal, &[Specialist], "Chuyên viên chính, Cục Thẩm định và Đánh giá tác động môi trường"),
    // Personnel files are often classified, so the personnel department is cleared higher.
    person("hanhtt", "Tô Thị Hạnh", Some("TCCB"), "Vụ trưởng", Secret, &[UnitLeader], "Vụ trưởng Vụ Tổ chức cán bộ"),
    person("binhdv", "Dương Văn Bình", Some("TCCB"), "Chuyên viên", Confidential, &[Specialist], "Chuyên viên, Vụ Tổ chức cán bộ"),
    person("phuclv", "Lại Văn Phúc", Some("KHTC"), "Vụ trưởng", Confidential, &[UnitLeader], "Vụ trưởng Vụ Kế hoạch - Tài chính"),
    person("linhct", "Chu Thị Linh", Some("KHTC"), "Chuyên viên", Normal, &[Specialist], "Chuyên viên, Vụ Kế hoạch - Tài chính"),
    person("hoanx", "Nghiêm Xuân Hòa", Some("PC"), "Vụ trưởng", Confidential, &[UnitLeader], "Vụ trưởng Vụ Pháp chế"),
    person("quyenpt", "Phạm Thị Quyên", Some("PC"), "Chuyên viên chính", Normal, &[Specialist], "Chuyên viên chính, Vụ Pháp chế"),
    person("vanqt", "Quách Thị Vân", Some("HTQT"), "Vụ trưởng", Confidential, &[UnitLeader], "Vụ trưởng Vụ Hợp tác quốc tế và Khoa học công nghệ"),
    person("tuankm", "Khổng Minh Tuấn", Some("TTRA"), "Chánh Thanh tra", Confidential, &[UnitLeader], "Chánh Thanh tra Tổng cục"),
    person("loiav", "Âu Văn Lợi", Some("TTRA"), "Chuyên viên", Normal, &[Specialist], "Thanh tra viên, Thanh tra Tổng cục"),
    person("nguyenhs", "Hồ Sỹ Nguyên", Some("TTQT"), "Giám đốc", Confidential, &[UnitLeader], "Giám đốc Trung tâm Quan trắc môi trường miền Bắc"),
    person("thaont", "Ninh Thị Thảo", Some("TTQT"), "Chuyên viên", Normal, &[Specialist], "Quan trắc viên, Trung tâm Quan trắc môi trường miền Bắc"),
    person("anhvd", "Viên Đức Anh", Some("TTDL"), "Giám đốc", Confidential, &[UnitLeader], "Giám đốc Trung tâm Điều tra, Thông tin và Dữ liệu"),
    person("phuonglt", "La Thị Phương", Some("TTTT"), "Giám đốc", Confidential, &[UnitLeader], "Giám đốc Trung tâm Đào tạo và Truyền thông môi trường"),
];

/// A demo account as created.
// The binary prints the logins; the ids are for the loaders that act as these people.
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub struct DemoUser {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    /// What the person does, in Vietnamese ("Văn thư Tổng cục").
    pub role_description: &'static str,
    pub roles: Vec<Role>,
    pub unit_id: Option<UnitId>,
}

/// Creates every account with the same password, one after another in the order of
/// [`PEOPLE`]. Creating them concurrently was measured no faster on two cores (SQLite
/// writes one transaction at a time anyway), and in order the logins for each role get the
/// lowest ids, so a list of accounts by id shows them first.
pub async fn create_people(
    db: &Db,
    origin: &Origin,
    password: &str,
    units: &HashMap<&'static str, UnitId>,
    positions: &HashMap<&'static str, PositionId>,
) -> anyhow::Result<Vec<DemoUser>> {
    let mut created = Vec::with_capacity(PEOPLE.len());
    for spec in &PEOPLE {
        let unit_id = match spec.unit {
            Some(abbreviation) => Some(*units.get(abbreviation).ok_or_else(|| {
                anyhow!(
                    "{} belongs to the unknown unit {abbreviation}",
                    spec.username
                )
            })?),
            None => None,
        };
        let position_id = *positions.get(spec.position).ok_or_else(|| {
            anyhow!(
                "{} holds the unknown position {}",
                spec.username,
                spec.position
            )
        })?;
        let new = NewUser {
            username: Username::parse(spec.username)
                .with_context(|| format!("the username {}", spec.username))?,
            full_name: spec.full_name.into(),
            email: format!("{}@{EMAIL_DOMAIN}", spec.username),
            phone: String::new(),
            unit_id,
            position_id: Some(position_id),
            clearance: spec.clearance,
            roles: spec.roles.to_vec(),
            password: NewPassword::parse(password).context("the demo password")?,
        };
        let user = users::create(db, origin, new)
            .await
            .with_context(|| format!("creating the account {}", spec.username))?;
        created.push(DemoUser {
            id: user.id,
            username: user.username,
            full_name: user.full_name,
            role_description: spec.description,
            roles: user.roles,
            unit_id: user.unit_id,
        });
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::super::organisation::{POSITIONS, UNITS};
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_role_has_a_demo_login() {
        for role in Role::ALL {
            assert!(PEOPLE.iter().any(|p| p.roles.contains(&role)), "{role}");
        }
    }

    #[test]
    fn the_first_ten_accounts_cover_every_role_so_a_list_by_id_shows_them_first() {
        for role in Role::ALL {
            assert!(
                PEOPLE[..10].iter().any(|p| p.roles.contains(&role)),
                "{role}"
            );
        }
    }

    #[test]
    fn usernames_are_valid_and_unique() {
        let mut seen = HashSet::new();
        for spec in &PEOPLE {
            assert!(Username::parse(spec.username).is_ok(), "{}", spec.username);
            assert!(seen.insert(spec.username), "{} twice", spec.username);
        }
    }

    #[test]
    fn people_sit_in_known_units_and_positions() {
        for spec in &PEOPLE {
            if let Some(unit) = spec.unit {
                assert!(
                    UNITS.iter().any(|u| u.abbreviation == unit),
                    "{}",
                    spec.username
                );
            }
            assert!(
                POSITIONS.iter().any(|(name, _)| *name == spec.position),
                "{}",
                spec.username
            );
        }
    }

    #[test]
    fn leaders_are_cleared_and_most_specialists_are_not() {
        for spec in PEOPLE
            .iter()
            .filter(|p| p.roles.contains(&AgencyLeader) || p.roles.contains(&UnitLeader))
        {
            assert!(spec.clearance >= Confidential, "{}", spec.username);
        }
        let specialists: Vec<_> = PEOPLE.iter().filter(|p| p.roles == [Specialist]).collect();
        let uncleared = specialists.iter().filter(|p| p.clearance == Normal).count();
        assert!(uncleared * 2 > specialists.len());
    }

    #[test]
    fn every_department_has_a_leader() {
        for unit in UNITS.iter().filter(|u| u.parent.is_none()) {
            let led = PEOPLE
                .iter()
                .any(|p| p.unit == Some(unit.abbreviation) && p.roles.contains(&UnitLeader));
            assert!(led, "{}", unit.name);
        }
    }
}
