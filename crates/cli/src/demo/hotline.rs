//! A year of pollution hotline reports like the seed's: 345 reports from callers, the web,
//! e-mail, SMS and apps, and 112 found in the press and on social media, across the
//! provinces and kinds of pollution, with Vietnamese descriptions. Reports about the same
//! incident join its case; older cases have moved through verification to an answer, the
//! most recent are still being verified. A larger `scale` gives a busier year.

use super::areas::{self, PROVINCES};
use super::DemoOrganisation;
use anyhow::{ensure, Context};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, HashMap};
use vanphong_core::auth::{NewPassword, Secrecy, Username};
use vanphong_core::calendar::WorkingCalendar;
use vanphong_core::hotline::attributes::ReportDetails;
use vanphong_core::hotline::{
    self as rules, CaseStatus, Channel, Coordinates, Location, Onset, PollutionKind, Severity,
};
use vanphong_core::ids::{AreaId, CaseId};
use vanphong_core::org::AreaLevel;
use vanphong_store::audit::Origin;
use vanphong_store::hotline::{self, NewReport, Reporter};
use vanphong_store::users::{self, NewUser};
use vanphong_store::{org, Db};

/// The seed year: reports taken by the hotline itself, and those found in the press.
pub const SEED_REPORTS: usize = 345;
pub const SEED_PRESS_REPORTS: usize = 112;

#[derive(Clone, Debug)]
pub struct HotlineOptions {
    pub year: i32,
    pub scale: f64,
    pub seed: u64,
    /// The demo's "today"; by default the earlier of today in Vietnam and 31 December.
    pub as_of: Option<NaiveDate>,
}

impl HotlineOptions {
    pub fn for_year(year: i32) -> Self {
        Self {
            year,
            scale: 1.0,
            seed: 174_2022,
            as_of: None,
        }
    }
}

/// What was loaded.
#[allow(dead_code)]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HotlineSummary {
    pub reports: usize,
    pub press_reports: usize,
    pub cases: usize,
    pub verified: usize,
    pub handled: usize,
    pub responded: usize,
    pub officers: usize,
}

/// Approximate centres of the provinces formed in 2025, for placing incidents on the map.
const CENTRES: [(&str, f64, f64); 34] = [
    ("01", 21.03, 105.85),
    ("04", 22.67, 106.26),
    ("08", 21.82, 105.21),
    ("11", 21.39, 103.02),
    ("12", 22.40, 103.46),
    ("14", 21.33, 103.91),
    ("15", 22.48, 103.97),
    ("19", 21.59, 105.85),
    ("20", 21.85, 106.76),
    ("22", 21.01, 107.29),
    ("24", 21.19, 106.07),
    ("25", 21.32, 105.40),
    ("31", 20.86, 106.68),
    ("33", 20.65, 106.05),
    ("37", 20.25, 105.97),
    ("38", 19.81, 105.78),
    ("40", 18.67, 105.69),
    ("42", 18.34, 105.91),
    ("44", 16.82, 107.10),
    ("46", 16.46, 107.59),
    ("48", 16.05, 108.20),
    ("51", 15.12, 108.80),
    ("52", 13.98, 108.00),
    ("56", 12.24, 109.19),
    ("66", 12.67, 108.04),
    ("68", 11.94, 108.44),
    ("75", 10.95, 106.82),
    ("79", 10.78, 106.70),
    ("80", 11.31, 106.10),
    ("82", 10.46, 105.63),
    ("86", 10.25, 105.97),
    ("91", 10.52, 105.13),
    ("92", 10.03, 105.78),
    ("96", 9.18, 105.15),
];

/// Industrial provinces get more reports.
fn weight(code: &str) -> u32 {
    match code {
        "01" | "79" | "75" => 12,
        "31" | "24" | "22" | "33" | "19" | "80" => 6,
        "48" | "38" | "40" | "92" | "37" | "25" => 4,
        _ => 1,
    }
}

const PLACES: [&str; 10] = [
    "khu công nghiệp",
    "cụm công nghiệp",
    "làng nghề",
    "khu dân cư",
    "chợ đầu mối",
    "bãi rác",
    "cảng cá",
    "khu chăn nuôi",
    "công trường",
    "nhà máy",
];
const WATERS: [&str; 8] = [
    "suối",
    "kênh thủy lợi",
    "sông",
    "mương thoát nước",
    "ao làng",
    "hồ điều hòa",
    "rạch",
    "cửa biển",
];
const POLLUTERS: [&str; 8] = [
    "Công ty TNHH Giấy Bao bì Hưng Phát",
    "Công ty CP Thép Nam Việt",
    "cơ sở tái chế nhựa tư nhân",
    "trang trại chăn nuôi lợn",
    "nhà máy chế biến thủy sản",
    "xưởng nhuộm vải",
    "lò gạch thủ công",
    "Công ty TNHH Xi mạ Đông Á",
];

fn description(rng: &mut StdRng, kind: PollutionKind, province: &str) -> String {
    let place = PLACES[rng.gen_range(0..PLACES.len())];
    let water = WATERS[rng.gen_range(0..WATERS.len())];
    let polluter = POLLUTERS[rng.gen_range(0..POLLUTERS.len())];
    let when = [
        "về đêm",
        "sáng sớm",
        "mỗi khi trời mưa",
        "liên tục nhiều ngày",
        "từ chiều qua",
    ][rng.gen_range(0..5)];
    match kind {
        PollutionKind::WasteWater => format!(
            "Người dân phản ánh nước thải màu đen, bốc mùi hôi thối từ {polluter} trong {place} xả thẳng ra {water} {when}. \
             Cá chết nổi trắng một đoạn khoảng vài trăm mét thuộc địa bàn {province}."
        ),
        PollutionKind::SolidWaste => format!(
            "Xe tải đổ trộm chất thải rắn, có cả chất thải công nghiệp, ven {water} gần {place} ở {province} {when}. \
             Rác chất thành đống, bốc mùi, nước rỉ rác chảy xuống ruộng."
        ),
        PollutionKind::Emissions => format!(
            "Khói đen và bụi từ {polluter} bay sang {place} {when}, người dân cay mắt, khó thở, \
             phải đóng kín cửa. Sự việc xảy ra tại {province}."
        ),
        PollutionKind::Noise => format!(
            "Tiếng ồn lớn từ máy móc của {polluter} tại {place} ({province}) kéo dài {when}, \
             ảnh hưởng giấc ngủ của người già và trẻ nhỏ."
        ),
        PollutionKind::EnvironmentalQuality => format!(
            "Nước {water} gần {place} ở {province} đột ngột chuyển màu, có váng dầu và mùi hóa chất; \
             cá nuôi lồng chết hàng loạt {when}."
        ),
        PollutionKind::Other => format!(
            "Phản ánh việc đốt rơm rạ, phế phẩm và dây điện tại {place} thuộc {province} {when}, \
             khói mù bao phủ cả khu vực."
        ),
    }
}

const OUTLETS: [(&str, &str); 8] = [
    ("Báo Tuổi Trẻ", "https://tuoitre.vn/"),
    ("Báo Thanh Niên", "https://thanhnien.vn/"),
    ("Báo Nhân Dân", "https://nhandan.vn/"),
    (
        "Báo Tài nguyên và Môi trường",
        "https://baotainguyenmoitruong.vn/",
    ),
    ("VnExpress", "https://vnexpress.net/"),
    ("Báo Lao Động", "https://laodong.vn/"),
    ("Trang Facebook cộng đồng", "https://www.facebook.com/"),
    ("Kênh video TikTok", "https://www.tiktok.com/"),
];

const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"];
const GIVEN: [&str; 8] = [
    "Văn Hùng",
    "Thị Lan",
    "Minh Tuấn",
    "Thị Hạnh",
    "Quốc Bảo",
    "Thu Trang",
    "Đức Anh",
    "Thị Mai",
];

fn date(year: i32, month: u32, day: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).context("a date of the demo year")
}

/// A moment on `day` in Vietnam, between 6:00 and 23:00 (the hotline also takes calls at night).
fn moment(rng: &mut StdRng, day: NaiveDate) -> DateTime<Utc> {
    let minutes = rng.gen_range(6 * 60..23 * 60);
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        + Duration::minutes(minutes)
        - Duration::hours(7)
}

/// Loads the year. The database must hold the demo organisation.
pub async fn load_hotline(
    db: &Db,
    organisation: &DemoOrganisation,
    options: &HotlineOptions,
) -> anyhow::Result<HotlineSummary> {
    ensure!(
        options.scale > 0.0 && options.scale <= 10.0,
        "the demo scale must be above 0 and at most 10"
    );
    let year = options.year;
    let today = (Utc::now() + Duration::hours(7)).date_naive();
    let as_of = options.as_of.unwrap_or(today.min(date(year, 12, 31)?));
    ensure!(
        as_of.year() == year,
        "the demo's day {as_of} is not in {year}"
    );
    let mut rng = StdRng::seed_from_u64(options.seed);
    let calendar = WorkingCalendar::new(&vanphong_store::calendar::all(db).await?)
        .context("building the working calendar")?;
    let current = org::areas(db, AreaLevel::Province, Some(areas::REFORM_DATE)).await?;
    let former = org::areas(db, AreaLevel::Province, Some(date(2025, 6, 30)?)).await?;
    let current_ids: HashMap<&str, AreaId> =
        current.iter().map(|a| (a.code.as_str(), a.id)).collect();
    let names: HashMap<AreaId, String> = current
        .iter()
        .chain(former.iter())
        .map(|a| (a.id, a.name.clone()))
        .collect();
    let weighted: Vec<&str> = PROVINCES
        .iter()
        .flat_map(|p| std::iter::repeat_n(p.code, weight(p.code) as usize))
        .collect();
    let operator = organisation
        .user("duongdaynong")
        .context("the demo has no hotline operator")?;
    let operator_origin = Origin {
        user_id: Some(operator.id),
        label: operator.username.clone(),
        address: String::new(),
    };

    // Officers of the busiest provinces' environment departments.
    let mut summary = HotlineSummary::default();
    for (username, name, code) in [
        ("so.dongnai", "Phan Văn Lộc", "75"),
        ("so.hanoi", "Đỗ Thị Thu", "01"),
        ("so.hcm", "Lâm Quốc Việt", "79"),
    ] {
        let user = users::create(
            db,
            &Origin::system(),
            NewUser {
                username: Username::parse(username)?,
                full_name: name.into(),
                email: String::new(),
                phone: String::new(),
                unit_id: None,
                position_id: None,
                clearance: Secrecy::Normal,
                roles: Vec::new(),
                password: NewPassword::parse(crate::commands::DEMO_PASSWORD)?,
            },
        )
        .await
        .with_context(|| format!("creating the officer {username}"))?;
        let province = current_ids.get(code).copied();
        hotline::set_officer(db, &Origin::system(), user.id, province).await?;
        summary.officers += 1;
    }

    let first_day = date(year, 1, 1)?;
    let days = (as_of - first_day).num_days().max(0) + 1;
    let share_of_year = days as f64 / 365.0;
    let count = |n: usize| ((n as f64) * options.scale * share_of_year).round() as usize;
    let (direct, press) = (count(SEED_REPORTS), count(SEED_PRESS_REPORTS));
    // Plan every report first, then load them in time order.
    let mut plan: Vec<(DateTime<Utc>, bool)> = (0..direct + press)
        .map(|i| {
            let day = first_day + Duration::days(rng.gen_range(0..days));
            (moment(&mut rng, day), i >= direct)
        })
        .collect();
    plan.sort();
    // Recent open cases by (province, kind), for reports about the same incident.
    let mut open_cases: BTreeMap<(i64, PollutionKind), (CaseId, DateTime<Utc>)> = BTreeMap::new();
    let mut cases: Vec<(CaseId, DateTime<Utc>)> = Vec::new();
    for (received_at, from_press) in plan {
        let day = (received_at + Duration::hours(7)).date_naive();
        let code = weighted[rng.gen_range(0..weighted.len())];
        let province = if day >= areas::REFORM_DATE {
            current_ids.get(code).copied()
        } else {
            // Before the reform: one of the former provinces that formed it.
            PROVINCES
                .iter()
                .find(|p| p.code == code)
                .and_then(|p| p.formed_from.first())
                .and_then(|former_code| former.iter().find(|a| a.code == *former_code))
                .map(|a| a.id)
        };
        let kind = match rng.gen_range(0..100) {
            0..=34 => PollutionKind::WasteWater,
            35..=54 => PollutionKind::Emissions,
            55..=69 => PollutionKind::SolidWaste,
            70..=81 => PollutionKind::Noise,
            82..=93 => PollutionKind::EnvironmentalQuality,
            _ => PollutionKind::Other,
        };
        let province_name = province
            .and_then(|p| names.get(&p))
            .cloned()
            .unwrap_or_default();
        let coordinates = CENTRES
            .iter()
            .find(|(c, _, _)| *c == code)
            .and_then(|(_, lat, long)| {
                Coordinates::new(
                    lat + rng.gen_range(-0.15..0.15),
                    long + rng.gen_range(-0.15..0.15),
                )
                .ok()
            });
        let channel = if from_press {
            if rng.gen_bool(0.7) {
                Channel::Press
            } else {
                Channel::SocialMedia
            }
        } else {
            match rng.gen_range(0..100) {
                0..=59 => Channel::Phone,
                60..=79 => Channel::Web,
                80..=89 => Channel::Email,
                90..=95 => Channel::Sms,
                _ => Channel::Open311,
            }
        };
        let reporter = if from_press || rng.gen_bool(0.15) {
            Reporter::default()
        } else {
            Reporter {
                name: format!(
                    "{} {}",
                    FAMILY[rng.gen_range(0..8)],
                    GIVEN[rng.gen_range(0..8)]
                ),
                phone: format!("09{:08}", rng.gen_range(0..100_000_000u32)),
                email: String::new(),
                address: String::new(),
            }
        };
        let (outlet, url) = OUTLETS[rng.gen_range(0..OUTLETS.len())];
        let key = (province.map(|p| p.0).unwrap_or(0), kind);
        // About one report in ten is about an incident already reported in the last fortnight.
        let join_case = open_cases
            .get(&key)
            .filter(|(_, at)| received_at - *at < Duration::days(14) && rng.gen_bool(0.5))
            .map(|(id, _)| *id);
        let report = NewReport {
            channel,
            kind,
            description: description(&mut rng, kind, &province_name),
            details: ReportDetails {
                onset: Some(if rng.gen_bool(0.4) {
                    Onset::Sudden
                } else {
                    Onset::Continuous
                }),
                severity: Some(match rng.gen_range(0..10) {
                    0..=4 => Severity::Minor,
                    5..=8 => Severity::Serious,
                    _ => Severity::VerySerious,
                }),
                signs: Vec::new(),
                observed_at: Some(received_at - Duration::hours(rng.gen_range(1..48))),
                polluter: String::new(),
                affected_people: Some(rng.gen_range(5..500)),
                extent: String::new(),
            },
            other_information: String::new(),
            location: Location::new(province, None, String::new(), coordinates)?,
            inter_provincial: rng.gen_bool(0.03),
            reporter,
            evidence: Vec::new(),
            source_url: if from_press {
                format!("{url}moi-truong/bai-{}.html", rng.gen_range(10_000..99_999))
            } else {
                String::new()
            },
            outlet: if from_press {
                outlet.into()
            } else {
                String::new()
            },
            published_on: from_press.then_some(day),
            api_key_id: None,
            received_by: (!from_press && channel == Channel::Phone).then_some(operator.id),
            received_at,
            due_date: rules::due_date(&calendar, day, rules::DUE_WORKING_DAYS)?,
            join_case,
        };
        let submitted = hotline::submit(db, &operator_origin, &report)
            .await
            .context("taking a demo report")?;
        if from_press {
            summary.press_reports += 1;
        } else {
            summary.reports += 1;
        }
        if join_case.is_none() {
            open_cases.insert(key, (submitted.case_id, received_at));
            cases.push((submitted.case_id, received_at));
        }
    }

    // Move the cases along: the older, the further. About seven in ten of the year's cases
    // are answered; the last weeks' are still being verified (as in the seed).
    let end_of_today = Utc.from_utc_datetime(&as_of.and_hms_opt(23, 0, 0).unwrap_or_default())
        - Duration::hours(7);
    for (case_id, received_at) in &cases {
        let age_days = (end_of_today - *received_at).num_days();
        let reach = if age_days < 3 {
            0
        } else if age_days < 20 {
            rng.gen_range(1..=3)
        } else if rng.gen_bool(0.06) {
            -1
        } else if rng.gen_bool(0.78) {
            6
        } else {
            rng.gen_range(1..=5)
        };
        let flow: &[(CaseStatus, &str)] = if reach < 0 {
            &[
                (CaseStatus::Verifying, "Chuyển Sở kiểm tra thực địa."),
                (
                    CaseStatus::NotCompetent,
                    "Thuộc thẩm quyền của Ủy ban nhân dân cấp xã.",
                ),
            ]
        } else {
            &[
                (
                    CaseStatus::Verifying,
                    "Đã chuyển cơ quan chuyên môn kiểm tra, xác minh.",
                ),
                (
                    CaseStatus::Verified,
                    "Đoàn kiểm tra xác nhận có dấu hiệu ô nhiễm như phản ánh.",
                ),
                (
                    CaseStatus::Handling,
                    "Lập biên bản, yêu cầu cơ sở dừng xả thải, lấy mẫu phân tích.",
                ),
                (
                    CaseStatus::Handled,
                    "Xử phạt vi phạm hành chính, buộc khắc phục hậu quả.",
                ),
                (
                    CaseStatus::Responded,
                    "Đã thông báo kết quả cho người phản ánh.",
                ),
                (CaseStatus::Closed, "Kết thúc vụ việc."),
            ]
        };
        let steps = if reach < 0 { 2 } else { reach as usize };
        let mut at = *received_at;
        let mut version = hotline::case(db, *case_id).await?.version;
        for (status, note) in flow.iter().take(steps) {
            at += Duration::hours(rng.gen_range(4..96));
            if at > end_of_today {
                break;
            }
            let case = hotline::step_at(db, &operator_origin, *case_id, version, *status, note, at)
                .await?;
            version = case.version;
            match status {
                CaseStatus::Verified => summary.verified += 1,
                CaseStatus::Handled => summary.handled += 1,
                CaseStatus::Responded => summary.responded += 1,
                _ => {}
            }
        }
    }
    summary.cases = cases.len();
    tracing::info!(
        reports = summary.reports,
        press = summary.press_reports,
        cases = summary.cases,
        "Loaded the demo hotline year."
    );
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vanphong_store::hotline::lists::{self, CaseFilter};
    use vanphong_store::testing::TestDb;
    use vanphong_store::{audit, Backend};

    async fn a_demo_year_of_reports_loads_with_cases_steps_and_officers(backend: Backend) {
        let t = TestDb::new(backend).await;
        let demo = super::super::load_organisation(&t.db, "mật khẩu demo 2025")
            .await
            .unwrap();
        let mut options = HotlineOptions::for_year(2026);
        options.scale = 0.2;
        options.as_of = Some(date(2026, 11, 28).unwrap());
        let summary = load_hotline(&t.db, &demo, &options).await.unwrap();
        // 20 % of the seed's volume over 332 days of 365.
        assert_eq!(
            summary.reports,
            (345.0_f64 * 0.2 * 332.0 / 365.0).round() as usize
        );
        assert_eq!(
            summary.press_reports,
            (112.0_f64 * 0.2 * 332.0 / 365.0).round() as usize
        );
        assert!(
            summary.cases < summary.reports + summary.press_reports,
            "some reports joined a case"
        );
        assert!(summary.responded > summary.cases / 3, "{summary:?}");
        assert_eq!(summary.officers, 3);
        let all = lists::count(&t.db, &CaseFilter::default()).await.unwrap();
        assert_eq!(all as usize, summary.cases);
        let open = lists::count(
            &t.db,
            &CaseFilter {
                status: Some(CaseStatus::Received),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(open < all);
        let report = audit::verify(&t.db, |_| {}).await.unwrap();
        assert!(report.is_intact(), "{:?}", report.breaks);
    }

    vanphong_store::on_both_backends!(a_demo_year_of_reports_loads_with_cases_steps_and_officers);
}
