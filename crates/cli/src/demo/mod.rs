//! The demo data of `vanphong demo`: an environment administration with its units,
//! positions, people for every role, the provinces before and after the 2025 reform, and a
//! directory of the organisations it corresponds with.
//!
//! Everything goes through the store's use cases, as an administrator's changes would, so
//! the audit trail of a demo database verifies like any other.

mod areas;
pub mod documents;
pub mod dossiers;
pub mod hotline;
mod organisation;
mod people;
pub mod records;
mod subjects;

pub use organisation::KeyOrganisations;
pub use people::DemoUser;

use anyhow::{bail, Context};
use std::collections::HashMap;
use vanphong_core::auth::NewPassword;
use vanphong_core::ids::UnitId;
use vanphong_store::audit::Origin;
use vanphong_store::{org, Db};

/// What the loader created, for printing the demo logins and for the loaders of documents,
/// dossiers and hotline reports that build on it.
// The binary reads the logins now; the ids are for the loaders that come after.
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub struct DemoOrganisation {
    /// Every account, the logins for trying each role first.
    pub users: Vec<DemoUser>,
    pub units: KeyUnits,
    pub organisations: KeyOrganisations,
    /// How many area versions were imported (provinces before and after the reform, communes).
    pub area_versions: usize,
}

impl DemoOrganisation {
    /// The account with this username.
    #[allow(dead_code)]
    pub fn user(&self, username: &str) -> Option<&DemoUser> {
        self.users.iter().find(|u| u.username == username)
    }
}

/// Ids of the units the other demo loaders route work to.
#[allow(dead_code)]
#[derive(Clone, Debug)]
pub struct KeyUnits {
    /// Văn phòng Tổng cục.
    pub office: UnitId,
    /// Phòng Hành chính - Văn thư: registers incoming and outgoing documents.
    pub records: UnitId,
    /// Phòng Tổng hợp: reports, deputy questions and voter petitions.
    pub general_affairs: UnitId,
    /// Bộ phận Một cửa: receives dossiers.
    pub one_stop_desk: UnitId,
    /// Bộ phận Đường dây nóng: takes pollution reports.
    pub hotline_desk: UnitId,
    /// Cục Kiểm soát ô nhiễm môi trường: leads on most pollution cases.
    pub pollution_control: UnitId,
    /// Cục Quản lý chất thải và Cải thiện môi trường.
    pub waste_management: UnitId,
    /// Cục Bảo tồn thiên nhiên và Đa dạng sinh học.
    pub nature_conservation: UnitId,
    /// Cục Thẩm định và Đánh giá tác động môi trường: handles most procedures.
    pub impact_assessment: UnitId,
    /// Trung tâm Đào tạo và Truyền thông môi trường: the news desk.
    pub communication_centre: UnitId,
    /// Every unit by abbreviation, in display order.
    pub all: Vec<(&'static str, UnitId)>,
}

impl KeyUnits {
    fn from_ids(ids: &HashMap<&'static str, UnitId>) -> anyhow::Result<Self> {
        let id = |abbreviation: &str| {
            ids.get(abbreviation)
                .copied()
                .with_context(|| format!("the demo has no unit {abbreviation}"))
        };
        Ok(Self {
            office: id("VP")?,
            records: id("HCVT")?,
            general_affairs: id("TH")?,
            one_stop_desk: id("MC")?,
            hotline_desk: id("ĐDN")?,
            pollution_control: id("KSONMT")?,
            waste_management: id("QLCT")?,
            nature_conservation: id("BTTN")?,
            impact_assessment: id("TĐĐG")?,
            communication_centre: id("TTTT")?,
            all: organisation::UNITS
                .iter()
                .map(|u| id(u.abbreviation).map(|i| (u.abbreviation, i)))
                .collect::<anyhow::Result<_>>()?,
        })
    }
}

/// Loads the demo organisation into an empty database. Every demo account gets `password`.
///
/// Refuses a database that already has an agency or units: the demo is for a fresh
/// installation, and mixing it into real data would be hard to undo. The caller decides
/// what to tell the operator.
pub async fn load_organisation(db: &Db, password: &str) -> anyhow::Result<DemoOrganisation> {
    if org::agency(db)
        .await
        .context("checking for an existing agency")?
        .is_some()
    {
        bail!("the database already has data (the agency is set up); load the demo into an empty database");
    }
    if !org::units(db)
        .await
        .context("checking for existing units")?
        .is_empty()
    {
        bail!("the database already has data (units exist); load the demo into an empty database");
    }
    // Checked before anything is written, so a short password leaves the database empty.
    NewPassword::parse(password).context("the demo password")?;
    let origin = Origin::system();

    org::save_agency(db, &origin, &organisation::agency_settings()?)
        .await
        .context("saving the agency")?;
    let units = organisation::create_units(db, &origin).await?;
    let positions = organisation::create_positions(db, &origin).await?;
    let area_versions = org::import_areas(db, &origin, &areas::area_inputs())
        .await
        .context("importing the administrative areas")?;
    let organisations = organisation::create_organisations(db, &origin).await?;
    let users = people::create_people(db, &origin, password, &units, &positions).await?;
    tracing::info!(
        units = units.len(),
        users = users.len(),
        organisations = organisations.count,
        area_versions,
        "Loaded the demo organisation."
    );
    Ok(DemoOrganisation {
        users,
        units: KeyUnits::from_ids(&units)?,
        organisations,
        area_versions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use vanphong_core::auth::Role;
    use vanphong_core::org::AreaLevel;
    use vanphong_store::testing::TestDb;
    use vanphong_store::{audit, users, Backend};

    const PASSWORD: &str = "mật khẩu demo 2025";

    async fn the_demo_organisation_loads_once_and_links_areas_by_date(backend: Backend) {
        let t = TestDb::new(backend).await;
        let demo = load_organisation(&t.db, PASSWORD).await.unwrap();

        for role in Role::ALL {
            assert!(demo.users.iter().any(|u| u.roles.contains(&role)), "{role}");
        }
        assert_eq!(
            demo.users[0].username, "admin",
            "the logins for each role come first"
        );
        let clerk = users::credentials(&t.db, "vanthu").await.unwrap().unwrap();
        assert!(users::verify_password(Some(&clerk.1), PASSWORD));

        let day_before = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        let former = org::areas(&t.db, AreaLevel::Province, Some(day_before))
            .await
            .unwrap();
        let current = org::areas(&t.db, AreaLevel::Province, Some(areas::REFORM_DATE))
            .await
            .unwrap();
        assert_eq!((former.len(), current.len()), (63, 34));
        for area in &former {
            assert_eq!(area.valid_to, Some(areas::REFORM_DATE), "{}", area.name);
            let successor = area
                .successor_id
                .and_then(|id| current.iter().find(|c| c.id == id));
            assert!(successor.is_some(), "{} has a current successor", area.name);
        }
        let yen_bai = former.iter().find(|a| a.name == "Yên Bái").unwrap();
        let lao_cai = current.iter().find(|a| a.name == "Lào Cai").unwrap();
        assert_eq!(yen_bai.successor_id, Some(lao_cai.id));
        let communes = org::areas(&t.db, AreaLevel::Commune, Some(areas::REFORM_DATE))
            .await
            .unwrap();
        assert!(communes
            .iter()
            .all(|c| current.iter().any(|p| Some(p.id) == c.parent_id)));

        let departments = &demo.organisations.provincial_environment_departments;
        assert_eq!(departments.len(), 34);
        let (_, hue) = departments.iter().find(|(code, _)| *code == "46").unwrap();
        let hue = org::organisation(&t.db, *hue).await.unwrap();
        assert_eq!(hue.name, "Sở Nông nghiệp và Môi trường thành phố Huế");
        assert!(current
            .iter()
            .any(|p| Some(p.id) == hue.province_id && p.name == "Huế"));

        let report = audit::verify(&t.db, |_| {}).await.unwrap();
        assert!(report.is_intact(), "{:?}", report.breaks);

        let again = load_organisation(&t.db, PASSWORD).await.unwrap_err();
        assert!(again.to_string().contains("already has data"), "{again}");
    }

    async fn a_short_password_is_refused_before_anything_is_written(backend: Backend) {
        let t = TestDb::new(backend).await;
        assert!(load_organisation(&t.db, "ngắn").await.is_err());
        assert!(org::agency(&t.db).await.unwrap().is_none());
    }

    /// The demo year gives a review with every figure the seed quotes above zero (except
    /// the archive and news, whose records the `records` branch adds).
    async fn the_demo_year_gives_a_review_with_every_seed_figure(backend: Backend) {
        use vanphong_core::report::{Period, Value};
        use vanphong_store::reports::{self, PageRequest, ReportScope};
        let t = TestDb::new(backend).await;
        let demo = load_organisation(&t.db, PASSWORD).await.unwrap();
        let blobs = vanphong_store::blobs::BlobStore::open(
            t.dir.path().join("blobs").to_str().unwrap(),
            &t.dir.path().join("uploads"),
            1 << 20,
        )
        .unwrap();
        let options = documents::DocumentOptions {
            scale: 0.02,
            batch_size: 200,
            attachment_share: 0.0,
            ..documents::DocumentOptions::for_year(2020)
        };
        documents::load_documents_with(&t.db, &blobs, &demo, &options, &|_, _| {})
            .await
            .unwrap();
        let year_end = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
        dossiers::load_dossiers(&t.db, &demo, 2020, 0.05, year_end, &|_, _| {})
            .await
            .unwrap();
        let mut options = hotline::HotlineOptions::for_year(2020);
        options.scale = 0.2;
        hotline::load_hotline(&t.db, &demo, &options).await.unwrap();
        let records = records::load_records(&t.db, &demo, 2020, 0.05, year_end)
            .await
            .unwrap();

        let scope = ReportScope::agency(
            vanphong_core::ids::UserId(1),
            vanphong_core::auth::Secrecy::TopSecret,
        );
        let period = Period::year(2020).unwrap();
        let review = reports::review(&t.db, period, &scope).await.unwrap();
        for key in [
            "incoming_received",
            "incoming_processed",
            "outgoing_issued",
            "outgoing_agency_level",
            "outgoing_office_level",
            "work_finished",
            "work_finished_on_time",
            "deputy_questions",
            "voter_petitions",
            "petitions_petitions_committee",
            "petitions_government_office",
            "petitions_fatherland_front",
            "dossiers_received",
            "dossiers_finished",
            "dossiers_on_time",
            "hotline_reports_received",
            "hotline_press_reports",
            "hotline_cases",
            "hotline_cases_resolved",
            "archive_files_received",
            "news_articles_published",
        ] {
            let figure = review.figure(key).unwrap();
            let Value::Count(n) = figure.value else {
                panic!("{key} is a count")
            };
            assert!(n > 0, "{key} is 0 in the demo year");
            let records =
                reports::figure_records(&t.db, key, period, &scope, PageRequest::first(1))
                    .await
                    .unwrap();
            assert_eq!(records.total, n, "{key}");
        }
        assert_eq!(
            review.figure("deputy_questions").unwrap().value,
            Value::Count(12)
        );
        // The archive and news figures are the records the demo loaded.
        assert_eq!(
            review.figure("news_articles_published").unwrap().value,
            Value::Count(records.news_published as i64)
        );
        assert_eq!(
            review.figure("archive_files_received").unwrap().value,
            Value::Count(records.files_received as i64)
        );
        // Reports (type BC) are a few per cent of the outgoing documents: a twentieth of
        // the year may have none, but the figure still equals its list.
        let Value::Count(reports_prepared) = review.figure("reports_prepared").unwrap().value
        else {
            panic!("a count")
        };
        let records = reports::figure_records(
            &t.db,
            "reports_prepared",
            period,
            &scope,
            PageRequest::first(1),
        )
        .await
        .unwrap();
        assert_eq!(records.total, reports_prepared);
        assert!(review.charts().all(|c| c
            .series
            .iter()
            .any(|s| s.values.iter().any(|v| *v > 0.0))
            || c.key == "overdue_by_unit"));
    }

    vanphong_store::on_both_backends!(
        the_demo_organisation_loads_once_and_links_areas_by_date,
        a_short_password_is_refused_before_anything_is_written,
        the_demo_year_gives_a_review_with_every_seed_figure,
    );
}
