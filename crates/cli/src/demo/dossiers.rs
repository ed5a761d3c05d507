//! The demo's procedure dossiers: the catalogue of an environment administration's
//! procedures, announced, amended and abolished by decisions, and a year of dossiers like
//! the seed year's 1,602, received at the desk or online, routed, supplemented, finished
//! mostly on time, returned and rated. Everything goes through the store's use cases with
//! the dates of the demo year, so each dossier has its timeline and audit trail.

use super::DemoOrganisation;
use anyhow::Context;
use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use vanphong_core::calendar::WorkingCalendar;
use vanphong_core::dossier::procedure::ProcedureInput;
use vanphong_core::dossier::{Channel, ProcedureContent};
use vanphong_core::ids::UnitId;
use vanphong_store::audit::Origin;
use vanphong_store::dossiers::procedures::{self, Decision};
use vanphong_store::dossiers::{self, NewDossier, NewStep, Reception};
use vanphong_store::Db;

/// Dossiers the seed year's office handled.
pub const SEED_YEAR_DOSSIERS: f64 = 1602.0;

struct Entry {
    code: &'static str,
    name: &'static str,
    field: &'static str,
    days: &'static str,
    unit: &'static str,
    components: &'static str,
    result: &'static str,
    fee: &'static str,
    /// How often dossiers come under it, relative to the others.
    weight: u32,
    /// Abolished by the 2022 decision that followed the 2020 law.
    abolished_2022: bool,
}

const STEPS: &str = "Tổ chức, cá nhân nộp hồ sơ tại Bộ phận Một cửa hoặc trực tuyến\n\
Bộ phận Một cửa kiểm tra, tiếp nhận hồ sơ và chuyển đơn vị xử lý\n\
Đơn vị xử lý thẩm định, trình lãnh đạo Tổng cục ký\n\
Bộ phận Một cửa trả kết quả";

const CATALOGUE: &[Entry] = &[
    Entry { code: "1.010727", name: "Cấp giấy phép môi trường (cấp Trung ương)", field: "Môi trường", days: "30", unit: "KSONMT",
        components: "Văn bản đề nghị cấp giấy phép môi trường | Mẫu số 01\nBáo cáo đề xuất cấp giấy phép môi trường | Mẫu số 02\n*Bản sao quyết định phê duyệt kết quả thẩm định báo cáo ĐTM",
        result: "Giấy phép môi trường", fee: "50.000.000", weight: 30, abolished_2022: false },
    Entry { code: "1.010728", name: "Cấp đổi, điều chỉnh giấy phép môi trường (cấp Trung ương)", field: "Môi trường", days: "15", unit: "KSONMT",
        components: "Văn bản đề nghị cấp đổi, điều chỉnh giấy phép môi trường | Mẫu số 03\nBáo cáo về những nội dung thay đổi",
        result: "Giấy phép môi trường điều chỉnh", fee: "25.000.000", weight: 10, abolished_2022: false },
    Entry { code: "1.010729", name: "Cấp lại giấy phép môi trường (cấp Trung ương)", field: "Môi trường", days: "30", unit: "KSONMT",
        components: "Văn bản đề nghị cấp lại giấy phép môi trường | Mẫu số 01\nBáo cáo đề xuất cấp lại giấy phép môi trường | Mẫu số 02",
        result: "Giấy phép môi trường", fee: "50.000.000", weight: 6, abolished_2022: false },
    Entry { code: "1.010733", name: "Thẩm định báo cáo đánh giá tác động môi trường", field: "Đánh giá tác động môi trường", days: "45", unit: "TĐĐG",
        components: "Văn bản đề nghị thẩm định báo cáo ĐTM | Mẫu số 01\nBáo cáo đánh giá tác động môi trường\nBáo cáo nghiên cứu khả thi hoặc tài liệu tương đương của dự án",
        result: "Quyết định phê duyệt kết quả thẩm định báo cáo ĐTM", fee: "45.000.000", weight: 28, abolished_2022: false },
    Entry { code: "1.010734", name: "Thẩm định phương án cải tạo, phục hồi môi trường trong hoạt động khai thác khoáng sản", field: "Môi trường", days: "30", unit: "TĐĐG",
        components: "Văn bản đề nghị thẩm định phương án | Mẫu số 05\nPhương án cải tạo, phục hồi môi trường\n*Bản sao giấy phép khai thác khoáng sản",
        result: "Quyết định phê duyệt phương án cải tạo, phục hồi môi trường", fee: "10.000.000", weight: 8, abolished_2022: false },
    Entry { code: "1.004249", name: "Cấp giấy chứng nhận đủ điều kiện hoạt động dịch vụ quan trắc môi trường", field: "Môi trường", days: "30", unit: "KSONMT",
        components: "Văn bản đề nghị chứng nhận | Mẫu số 01\nBản kê khai năng lực quan trắc môi trường | Mẫu số 02\nBản sao hợp đồng lao động của quan trắc viên",
        result: "Giấy chứng nhận VIMCERTS", fee: "", weight: 6, abolished_2022: false },
    Entry { code: "1.004250", name: "Cấp giấy chứng nhận nhãn sinh thái Việt Nam", field: "Môi trường", days: "30", unit: "KSONMT",
        components: "Văn bản đề nghị chứng nhận nhãn sinh thái | Mẫu số 01\nBáo cáo kết quả thử nghiệm sản phẩm",
        result: "Giấy chứng nhận nhãn sinh thái Việt Nam", fee: "", weight: 2, abolished_2022: false },
    Entry { code: "1.000819", name: "Cấp giấy phép xử lý chất thải nguy hại", field: "Quản lý chất thải", days: "45", unit: "QLCT",
        components: "Đơn đăng ký cấp giấy phép xử lý chất thải nguy hại | Mẫu 1\nHồ sơ năng lực và kế hoạch vận hành thử nghiệm",
        result: "Giấy phép xử lý chất thải nguy hại", fee: "", weight: 6, abolished_2022: true },
    Entry { code: "1.000820", name: "Cấp giấy xác nhận đủ điều kiện về bảo vệ môi trường trong nhập khẩu phế liệu làm nguyên liệu sản xuất", field: "Quản lý chất thải", days: "25", unit: "QLCT",
        components: "Văn bản đề nghị cấp giấy xác nhận | Mẫu số 01\nBáo cáo điều kiện về bảo vệ môi trường trong nhập khẩu phế liệu",
        result: "Giấy xác nhận đủ điều kiện nhập khẩu phế liệu", fee: "", weight: 5, abolished_2022: true },
    Entry { code: "1.004258", name: "Đăng ký cơ sở bảo tồn đa dạng sinh học", field: "Đa dạng sinh học", days: "30", unit: "BTTN",
        components: "Đơn đăng ký cơ sở bảo tồn đa dạng sinh học | Mẫu số 01\nBản thuyết minh về cơ sở bảo tồn",
        result: "Giấy chứng nhận cơ sở bảo tồn đa dạng sinh học", fee: "", weight: 2, abolished_2022: false },
    Entry { code: "1.004259", name: "Cấp giấy phép khai thác loài thuộc Danh mục loài nguy cấp, quý, hiếm được ưu tiên bảo vệ", field: "Đa dạng sinh học", days: "15", unit: "BTTN",
        components: "Đơn đề nghị cấp giấy phép khai thác | Mẫu số 05\nPhương án khai thác loài",
        result: "Giấy phép khai thác", fee: "", weight: 2, abolished_2022: false },
];

const COMPANIES: &[&str] = &[
    "Công ty Cổ phần Giấy Sài Gòn",
    "Công ty TNHH Thép Hòa Phát Dung Quất",
    "Công ty Cổ phần Xi măng Bỉm Sơn",
    "Công ty TNHH Điện lực Vĩnh Tân",
    "Tổng công ty Khoáng sản TKV",
    "Công ty Cổ phần Sữa Việt Nam",
    "Công ty TNHH Môi trường xanh Đồng Nai",
    "Công ty Cổ phần Phân bón Bình Điền",
    "Công ty TNHH Dệt may Nam Định",
    "Ban Quản lý dự án đầu tư xây dựng tỉnh Quảng Ninh",
    "Công ty Cổ phần Cảng Hải Phòng",
    "Công ty TNHH Thủy sản Minh Phú",
    "Công ty Cổ phần Hóa chất Đức Giang",
    "Công ty TNHH Quan trắc môi trường Việt",
    "Công ty Cổ phần Bia Sài Gòn - Miền Trung",
];

const PROJECTS: &[&str] = &[
    "Nhà máy sản xuất",
    "Khu công nghiệp",
    "Dự án khai thác mỏ đá vôi",
    "Nhà máy nhiệt điện",
    "Dự án xây dựng cảng biển",
    "Khu xử lý chất thải rắn",
    "Nhà máy chế biến thủy sản",
    "Trạm xử lý nước thải tập trung",
];

const PLACES: &[&str] = &[
    "Đồng Nai",
    "Bình Dương",
    "Quảng Ninh",
    "Hải Phòng",
    "Thanh Hóa",
    "Quảng Ngãi",
    "Bà Rịa - Vũng Tàu",
    "Cà Mau",
    "Nghệ An",
    "Lào Cai",
];

/// What was loaded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DossierSummary {
    pub procedures: usize,
    pub dossiers: usize,
    pub online: usize,
    pub finished: usize,
    pub late: usize,
}

fn content(entry: &Entry, days: &str) -> anyhow::Result<ProcedureContent> {
    ProcedureContent::parse(&ProcedureInput {
        name: entry.name,
        field: entry.field,
        level: "central",
        steps: STEPS,
        components: entry.components,
        processing_days: days,
        applicants: "Tổ chức, cá nhân",
        implementing_agency: "Tổng cục Môi trường",
        result: entry.result,
        fee: entry.fee,
        fee_note: if entry.fee.is_empty() {
            ""
        } else {
            "Thông tư của Bộ Tài chính quy định phí thẩm định"
        },
    })
    .map_err(|e| anyhow::anyhow!("the demo procedure {} is invalid: {e:?}", entry.code))
}

fn unit(demo: &DemoOrganisation, abbreviation: &str) -> anyhow::Result<UnitId> {
    demo.units
        .all
        .iter()
        .find(|(a, _)| *a == abbreviation)
        .map(|(_, id)| *id)
        .with_context(|| format!("the demo has no unit {abbreviation}"))
}

fn date(y: i32, m: u32, d: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).with_context(|| format!("{y}-{m}-{d} is not a date"))
}

/// The catalogue as of `as_of`: announced by 2736/QĐ-BTNMT, replaced by 1756/QĐ-BTNMT
/// (the seed's decision) and, from 2022, amended and partly abolished after the 2020 law.
/// Returns each entry's procedure id and weight, abolished ones left out.
pub async fn load_procedures(
    db: &Db,
    demo: &DemoOrganisation,
    as_of: NaiveDate,
) -> anyhow::Result<Vec<(i64, u32)>> {
    let origin = Origin::system();
    let announced = Decision {
        number: "2736/QĐ-BTNMT".into(),
        date: date(2019, 10, 25)?,
    };
    let replaced = Decision {
        number: "1756/QĐ-BTNMT".into(),
        date: date(2020, 12, 17)?,
    };
    let reformed = Decision {
        number: "634/QĐ-BTNMT".into(),
        date: date(2022, 3, 29)?,
    };
    let mut live = Vec::new();
    for entry in CATALOGUE {
        let handling = Some(unit(demo, entry.unit)?);
        let days: i32 = entry.days.parse()?;
        let first = content(entry, &(days + 5).to_string())?;
        let p = procedures::announce(db, &origin, entry.code, handling, &first, &announced)
            .await
            .with_context(|| format!("announcing the demo procedure {}", entry.code))?;
        let mut version = p.version;
        if as_of >= replaced.date {
            version = procedures::amend(
                db,
                &origin,
                p.id,
                version,
                handling,
                &content(entry, entry.days)?,
                &replaced,
            )
            .await?
            .version;
        }
        if as_of >= reformed.date && entry.abolished_2022 {
            procedures::abolish(db, &origin, p.id, version, &reformed).await?;
            continue;
        }
        live.push((p.id, entry.weight));
    }
    Ok(live)
}

fn pick_weighted(rng: &mut StdRng, items: &[(i64, u32)]) -> i64 {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.gen_range(0..total.max(1));
    for (id, w) in items {
        if roll < *w {
            return *id;
        }
        roll -= w;
    }
    items[0].0
}

/// Loads the catalogue and a year of dossiers up to `as_of` (the seed year's count at scale 1,
/// in proportion to the part of the year gone by). `progress` gets (done, total).
pub async fn load_dossiers(
    db: &Db,
    demo: &DemoOrganisation,
    year: i32,
    scale: f64,
    as_of: NaiveDate,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> anyhow::Result<DossierSummary> {
    let calendar = WorkingCalendar::for_years(year - 1..=year + 2, &BTreeMap::new())
        .context("building the working calendar for the demo dossiers")?;
    let live = load_procedures(db, demo, as_of).await?;
    let mut summary = DossierSummary {
        procedures: CATALOGUE.len(),
        ..Default::default()
    };
    if live.is_empty() {
        return Ok(summary);
    }
    let start = date(year, 1, 1)?;
    let end = as_of.min(date(year, 12, 31)?);
    let mut days = Vec::new();
    let mut d = start;
    while d <= end {
        if calendar.is_working_day(d)? {
            days.push(d);
        }
        d = d.succ_opt().context("the calendar ran out of days")?;
    }
    let year_days = calendar.working_days_between(start, date(year, 12, 31)?)? + 1;
    let total = ((SEED_YEAR_DOSSIERS * scale * days.len() as f64 / f64::from(year_days.max(1)))
        .round() as usize)
        .max(1);
    let officer = demo.user("motcua").map(|u| u.id);
    let desk = demo.units.one_stop_desk;
    let mut rng = StdRng::seed_from_u64(u64::from(year.unsigned_abs()) * 7 + 6);
    let origin = Origin::system();
    for i in 0..total {
        progress(i as u64, total as u64);
        let on = days[i * days.len() / total];
        let procedure = pick_weighted(&mut rng, &live);
        let online = rng.gen_bool(0.25);
        let company = COMPANIES[rng.gen_range(0..COMPANIES.len())];
        let subject = format!(
            "{} {}",
            PROJECTS[rng.gen_range(0..PROJECTS.len())],
            PLACES[rng.gen_range(0..PLACES.len())]
        );
        let phone = format!("09{:08}", rng.gen_range(0..100_000_000u32));
        let reception = Reception {
            unit: desk,
            user: officer,
            on,
        };
        let new = NewDossier {
            procedure_id: procedure,
            channel: if online {
                Channel::Online
            } else {
                Channel::Counter
            },
            applicant_name: company.into(),
            applicant_id_number: format!("0{:09}", rng.gen_range(100_000_000..999_999_999u32)),
            applicant_phone: phone,
            applicant_email: String::new(),
            applicant_address: format!("Tỉnh {}", PLACES[rng.gen_range(0..PLACES.len())]),
            subject,
            submitted_on: on,
            provided: (0..3).collect(),
            files: Vec::new(),
            reception: (!online).then_some(reception),
        };
        let mut d = dossiers::submit(db, &origin, &calendar, &new)
            .await
            .context("submitting a demo dossier")?;
        summary.dossiers += 1;
        if online {
            summary.online += 1;
            d = dossiers::accept(db, &origin, &calendar, d.id, d.version, reception).await?;
        }
        let roll: f64 = rng.gen();
        if roll < 0.015 {
            let when = calendar.add_working_days(on, 2)?.min(end);
            dossiers::refuse(
                db,
                &origin,
                d.id,
                d.version,
                "Hồ sơ không thuộc thẩm quyền giải quyết của Tổng cục",
                when,
            )
            .await?;
            continue;
        }
        if roll < 0.025 {
            let when = calendar.add_working_days(on, 1)?.min(end);
            dossiers::withdraw(
                db,
                &origin,
                d.id,
                d.version,
                "Tổ chức đề nghị rút hồ sơ để hoàn thiện",
                when,
            )
            .await?;
            continue;
        }
        let handling = procedures::get(db, procedure)
            .await?
            .handling_unit_id
            .map(UnitId)
            .unwrap_or(desk);
        let due = d.due_date.context("a received dossier has a due date")?;
        let left = calendar.working_days_between(on, due)?.max(2);
        let steps = [
            NewStep {
                name: "Thẩm định, xử lý hồ sơ".into(),
                unit: Some(handling),
                days: left - 1,
            },
            NewStep {
                name: "Trình ký, chuyển kết quả về Bộ phận Một cửa".into(),
                unit: Some(handling),
                days: 1,
            },
        ];
        d = dossiers::route(
            db, &origin, &calendar, d.id, d.version, handling, &steps, on,
        )
        .await?;
        if rng.gen_bool(0.12) {
            let asked = calendar.add_working_days(on, rng.gen_range(2..6))?;
            if asked > end {
                continue;
            }
            d = dossiers::request_supplementation(
                db,
                &origin,
                d.id,
                d.version,
                "Đề nghị bổ sung bản vẽ mặt bằng tổng thể và kết quả quan trắc",
                asked,
            )
            .await?;
            let back = calendar.add_working_days(asked, rng.gen_range(3..12))?;
            if back > end {
                continue;
            }
            d = dossiers::resubmit(db, &origin, &calendar, d.id, Some(d.version), &[], "", back)
                .await?;
        }
        let due = d.due_date.context("a routed dossier has a due date")?;
        let late = rng.gen_bool(0.03);
        let finish_on = if late {
            calendar.add_working_days(due, rng.gen_range(1..6))?
        } else {
            calendar.add_working_days(due, -rng.gen_range(0..6))?
        };
        let finish_on = finish_on.max(on);
        if late {
            let warned = calendar.add_working_days(due, -2)?.max(on);
            if warned <= end {
                d = dossiers::apologise(
                    db,
                    &origin,
                    &calendar,
                    d.id,
                    d.version,
                    calendar.add_working_days(due, 5)?,
                    "Cần lấy ý kiến các bộ, ngành liên quan",
                    warned,
                )
                .await?;
            }
        }
        if finish_on > end {
            continue;
        }
        d = dossiers::finish(db, &origin, d.id, d.version, &[], "", finish_on).await?;
        summary.finished += 1;
        if d.timeliness.as_deref() == Some("late") {
            summary.late += 1;
        }
        let returned = calendar.add_working_days(finish_on, rng.gen_range(0..3))?;
        if returned > end {
            continue;
        }
        d = dossiers::return_result(db, &origin, d.id, d.version, returned).await?;
        if rng.gen_bool(0.6) {
            let rating = if rng.gen_bool(0.85) {
                5
            } else {
                rng.gen_range(3..5)
            };
            dossiers::rate(db, &origin, d.id, rating, "", returned).await?;
        }
    }
    progress(total as u64, total as u64);
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vanphong_store::dossiers::lists::{self, DossierScope, GroupBy};
    use vanphong_store::testing::TestDb;
    use vanphong_store::{audit, Backend};

    async fn a_small_demo_year_of_dossiers_loads_and_is_mostly_on_time(backend: Backend) {
        let t = TestDb::new(backend).await;
        let demo = super::super::load_organisation(&t.db, "mật khẩu demo 2025")
            .await
            .unwrap();
        let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let summary = load_dossiers(&t.db, &demo, 2025, 0.05, as_of, &|_, _| {})
            .await
            .unwrap();
        assert_eq!(summary.dossiers, 80);
        assert!(summary.finished > 60, "{summary:?}");
        assert!(summary.late < summary.finished / 5, "{summary:?}");
        // The procedures abolished in 2022 are still in the catalogue, marked.
        assert_eq!(
            procedures::list(&t.db, true).await.unwrap().len(),
            CATALOGUE.len()
        );
        assert_eq!(
            procedures::list(&t.db, false).await.unwrap().len(),
            CATALOGUE.len() - 2
        );
        let stats = lists::statistics(
            &t.db,
            &DossierScope::ALL,
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            as_of,
            GroupBy::Unit,
        )
        .await
        .unwrap();
        assert_eq!(stats.last().unwrap().submitted, 80);
        assert!(audit::verify(&t.db, |_| {}).await.unwrap().is_intact());
    }

    vanphong_store::on_both_backends!(a_small_demo_year_of_dossiers_loads_and_is_mostly_on_time);
}
