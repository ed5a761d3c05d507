//! A year of documents for the demo, shaped like the seed article's year: about 19,000
//! incoming and 7,300 outgoing documents, the deputies' question slips, the voter
//! petitions by source and the conclusion notices, routed to units, handled, answered, and
//! some still open, overdue or due soon on the demo's "today".
//!
//! The year is planned in memory first, from a seeded random generator, so one seed always
//! gives the same year. It is then written in date order in large transactions. Incoming
//! documents go through the store's `register_in_tx`, so their arrival numbers come from
//! the real counter. Routing, handling and outgoing documents are written here with plain
//! SQL: the store's use cases stamp every change with the current time, and a year of
//! history needs the days things happened on. Outgoing numbers still come from the real
//! counters, and every record written gets its audit event, so the trail verifies.

use super::organisation::UNITS;
use super::people::PEOPLE;
use super::subjects::{self, Topic, TOPICS};
use super::{areas, DemoOrganisation};
use anyhow::{bail, ensure, Context};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use futures::{StreamExt, TryStreamExt};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use vanphong_core::auth::{Role, Secrecy};
use vanphong_core::calendar::WorkingCalendar;
use vanphong_core::document::kind::{DocumentKind, DocumentType, PetitionSource, Urgency};
use vanphong_core::document::numbering::{pick_series, SeriesRule};
use vanphong_core::document::routing::{
    incoming_status_from, AssignmentRole, AssignmentStatus, IncomingStatus,
};
use vanphong_core::document::symbol::outgoing_symbol;
use vanphong_core::document::NumberAndSymbol;
use vanphong_core::ids::{OrganisationId, UnitId, UserId};
use vanphong_core::org::OrganisationKind;
use vanphong_store::audit::{self, Change, Origin};
use vanphong_store::blobs::{self, BlobStore, StoredBlob};
use vanphong_store::documents::incoming::{register_in_tx, NewIncoming, Sender};
use vanphong_store::documents::{counters, Document, NewAttachment};
use vanphong_store::{org, Db, Tx};

/// Runs `$body` with `$pool` bound to the concrete pool (the store's macro is private).
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection.
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            Tx::Sqlite(inner) => {
                let $conn = &mut **inner;
                $body
            }
            Tx::Postgres(inner) => {
                let $conn = &mut **inner;
                $body
            }
        }
    };
}

/// What the seed year counted: documents received and processed, documents issued.
pub const SEED_INCOMING: f64 = 18_935.0;
pub const SEED_OUTGOING: f64 = 7_318.0;
/// Deputies' question slips of the seed year.
const DEPUTY_QUESTIONS: usize = 12;
/// Voter petitions of the seed year, by source.
const PETITIONS: [(PetitionSource, usize); 3] = [
    (PetitionSource::PetitionsCommittee, 71),
    (PetitionSource::GovernmentOffice, 6),
    (PetitionSource::FatherlandFront, 7),
];
/// Conclusion notices received from the ministry and the Government, and issued by the
/// agency's own leaders (the seed asks the office to issue these promptly).
const CONCLUSIONS_RECEIVED: usize = 14;
const CONCLUSIONS_ISSUED: usize = 22;

/// How the demo year is generated.
#[derive(Clone, Debug)]
pub struct DocumentOptions {
    pub year: i32,
    /// 1.0 gives the seed year's volume; tests use a small fraction. The tracked documents
    /// (questions, petitions, conclusion notices) keep the seed's counts unless the year is
    /// too small to hold them.
    pub scale: f64,
    /// The same seed gives the same documents.
    pub seed: u64,
    /// The demo's "today": what happened after it has not happened yet. By default the
    /// earlier of today (in Vietnam) and 31 December of the year.
    pub as_of: Option<NaiveDate>,
    /// Documents written per transaction.
    pub batch_size: usize,
    /// How many attachments are stored at the same time.
    pub parallel_uploads: usize,
    /// The share of documents that get their one-page PDF (1.0: all). Every PDF is a new
    /// file (and often a new folder) in the blob store: about a fifth of the loading time
    /// here, more on a slow disk.
    pub attachment_share: f64,
}

impl DocumentOptions {
    pub fn for_year(year: i32) -> Self {
        Self {
            year,
            scale: 1.0,
            seed: 20_201_217,
            as_of: None,
            batch_size: 500,
            // Measured on two cores: 16 files in flight store about twice as fast as 8;
            // more gain nothing, since every file is flushed to disk.
            parallel_uploads: 16,
            attachment_share: 1.0,
        }
    }
}

/// What was loaded, for the command to print.
// The command prints some of these; the tests read the rest.
#[allow(dead_code)]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocumentSummary {
    pub year: i32,
    /// The demo's "today".
    pub as_of: Option<NaiveDate>,
    pub incoming: usize,
    pub outgoing: usize,
    /// Outgoing documents that answer an incoming one.
    pub replies: usize,
    pub deputy_questions: usize,
    pub petitions_from_petitions_committee: usize,
    pub petitions_from_government_office: usize,
    pub petitions_from_fatherland_front: usize,
    pub conclusion_notices: usize,
    /// Incoming documents still registered, awaiting an instruction, or in progress.
    pub registered: usize,
    pub awaiting_instruction: usize,
    pub in_progress: usize,
    pub done: usize,
    /// Open lead assignments past their due date on the demo's "today".
    pub overdue: usize,
    /// Open lead assignments due within three working days.
    pub due_soon: usize,
    pub attachments: usize,
}

/// Loads a year of documents like the seed article's into a database that holds the demo
/// organisation and no documents of that year. `progress` is called with (done, total).
// Called by `vanphong demo`; the tests load a smaller year through `load_documents_with`.
#[allow(dead_code)]
pub async fn load_documents(
    db: &Db,
    blobs: &BlobStore,
    organisation: &DemoOrganisation,
    year: i32,
    progress: &dyn Fn(u64, u64),
) -> anyhow::Result<DocumentSummary> {
    load_documents_with(
        db,
        blobs,
        organisation,
        &DocumentOptions::for_year(year),
        progress,
    )
    .await
}

/// [`load_documents`] with every option.
pub async fn load_documents_with(
    db: &Db,
    blobs: &BlobStore,
    organisation: &DemoOrganisation,
    options: &DocumentOptions,
    progress: &dyn Fn(u64, u64),
) -> anyhow::Result<DocumentSummary> {
    let year = options.year;
    ensure!(
        options.scale > 0.0 && options.scale <= 10.0,
        "the demo scale must be above 0 and at most 10"
    );
    ensure!(
        (0.0..=1.0).contains(&options.attachment_share),
        "the share of documents with attachments must be between 0 and 1"
    );
    let year_end = date(year, 12, 31)?;
    let today = (Utc::now() + Duration::hours(7)).date_naive();
    let as_of = options.as_of.unwrap_or(today.min(year_end));
    ensure!(
        as_of.year() == year,
        "the demo's day {as_of} is not in {year}: a year that has not begun cannot be loaded"
    );
    let agency = org::agency(db)
        .await?
        .context("load the demo organisation before its documents")?;
    let existing: i64 = on_pool!(db, pool => {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM documents WHERE arrival_year = $1 OR issue_year = $1",
        )
        .bind(i64::from(year))
        .fetch_one(pool)
        .await?
    });
    if existing > 0 {
        bail!("the database already holds {existing} documents of {year}; the demo documents are loaded into an empty year only");
    }
    let calendar = WorkingCalendar::for_years(year - 1..=year + 3, &BTreeMap::new())
        .context("building the working calendar for the demo year")?;
    let directory = Directory::read(db, organisation, year).await?;
    let staff = Staff::new(organisation)?;
    let rules = series_rules(db).await?;
    let counters_now = counter_values(db, year).await?;

    let plan = Planner::new(options, as_of, &calendar, &directory, &staff).plan()?;
    let numbered = number(&plan, &rules, &agency.abbreviation, &staff, &counters_now)?;
    let mut summary = summarise(&plan, year, as_of, &calendar);
    let context = WriteContext {
        plan: &plan,
        numbered: &numbered,
        staff: &staff,
        agency_name: &agency.name,
        agency_abbreviation: &agency.abbreviation,
        year,
        notify_from: at_minute(calendar.add_working_days(as_of, -1).unwrap_or(as_of), 0),
        attachment_share: options.attachment_share,
    };
    summary.attachments = numbered
        .events
        .iter()
        .filter(|e| context.has_attachment(**e))
        .count();
    write(db, blobs, &context, options, progress).await?;
    tracing::info!(
        year,
        incoming = summary.incoming,
        outgoing = summary.outgoing,
        open = summary.registered + summary.awaiting_instruction + summary.in_progress,
        "Loaded the demo documents."
    );
    Ok(summary)
}

fn date(year: i32, month: u32, day: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
        .with_context(|| format!("{year}-{month}-{day} is not a date"))
}

/// A moment of the office's day, in Vietnam's time (UTC+7).
type Moment = NaiveDateTime;

fn utc(moment: Moment) -> DateTime<Utc> {
    (moment - Duration::hours(7)).and_utc()
}

fn at_minute(day: NaiveDate, minute: u32) -> Moment {
    day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(i64::from(minute))
}

/// "15/6/2020", as dates are written in Vietnamese text.
fn vietnamese_date(day: NaiveDate) -> String {
    format!("{}/{}/{}", day.day(), day.month(), day.year())
}

async fn series_rules(db: &Db) -> anyhow::Result<Vec<SeriesRule>> {
    let rows: Vec<(i64, bool, String, bool)> = on_pool!(db, pool => {
        sqlx::query_as("SELECT id, secret, type_codes, active FROM numbering_series ORDER BY id")
            .fetch_all(pool)
            .await?
    });
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, active)| *active)
        .map(|(id, secret, codes, _)| SeriesRule {
            id,
            secret,
            type_codes: codes
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
        })
        .collect())
}

async fn counter_values(db: &Db, year: i32) -> anyhow::Result<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = on_pool!(db, pool => {
        sqlx::query_as("SELECT name, last_value FROM counters WHERE year = $1")
            .bind(i64::from(year))
            .fetch_all(pool)
            .await?
    });
    Ok(rows.into_iter().collect())
}

// ---------------------------------------------------------------------------------------
// Who is who: the directory of senders and the agency's staff.

#[derive(Clone, Debug)]
struct OrganisationEntry {
    id: OrganisationId,
    name: String,
    abbreviation: String,
}

/// A province with its two directory bodies, named as in the demo year.
#[derive(Clone, Debug)]
struct ProvinceEntry {
    /// "tỉnh Quảng Ninh", "thành phố Hải Phòng".
    administrative_name: String,
    committee: OrganisationId,
    department: OrganisationId,
}

struct Directory {
    names: HashMap<OrganisationId, String>,
    /// The ministry the agency reported to in the demo year.
    ministry: OrganisationEntry,
    government_office: OrganisationEntry,
    petitions_committee: OrganisationEntry,
    fatherland_front: OrganisationEntry,
    other_ministries: Vec<OrganisationEntry>,
    central_agencies: Vec<OrganisationEntry>,
    political_bodies: Vec<OrganisationEntry>,
    associations: Vec<OrganisationEntry>,
    provinces: Vec<ProvinceEntry>,
    /// Province names for subjects from central senders: the 63 before the 2025 reform,
    /// the 34 after it.
    province_names: Vec<String>,
    /// What the provincial environment departments were called in the year.
    department_symbol: &'static str,
    department_plural: &'static str,
}

/// Ministries created, and ministries merged away, in March 2025.
const MINISTRIES_FROM_2025: &[&str] = &["BNNMT", "BDTTG"];
const MINISTRIES_UNTIL_2025: &[&str] = &["BTNMT", "BNNPTNT", "BKHĐT", "BGTVT", "BTTTT"];
/// Political bodies whose symbols do not have the shape "number/symbol".
const POLITICAL_BODIES_WITHOUT_NUMBERS: &[&str] = &["VPTW"];
/// Cities directly under the central government before the reform, by GSO code.
const CITIES_BEFORE_REFORM: &[&str] = &["01", "31", "48", "79", "92"];

impl Directory {
    async fn read(db: &Db, organisation: &DemoOrganisation, year: i32) -> anyhow::Result<Self> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let page = org::organisations(db, None, after, 500)
                .await
                .context("reading the directory of organisations")?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            all.extend(page);
        }
        let names: HashMap<OrganisationId, String> =
            all.iter().map(|o| (o.id, o.name.clone())).collect();
        let entry = |id: OrganisationId| -> anyhow::Result<OrganisationEntry> {
            let found = all
                .iter()
                .find(|o| o.id == id)
                .with_context(|| format!("the organisation {id} is not in the directory"))?;
            Ok(OrganisationEntry {
                id,
                name: found.name.clone(),
                abbreviation: found.abbreviation.clone(),
            })
        };
        let keys = &organisation.organisations;
        let reformed = year >= 2025;
        let ministry = entry(if reformed {
            keys.ministry
        } else {
            keys.former_ministry
        })?;
        let special = [
            keys.ministry,
            keys.former_ministry,
            keys.government_office,
            keys.petitions_committee,
            keys.fatherland_front,
        ];
        let of_kind = |kind: OrganisationKind| -> Vec<OrganisationEntry> {
            all.iter()
                .filter(|o| o.kind == kind && o.active && !special.contains(&o.id))
                .filter(|o| {
                    let abbreviation = o.abbreviation.as_str();
                    if reformed {
                        !MINISTRIES_UNTIL_2025.contains(&abbreviation)
                    } else {
                        !MINISTRIES_FROM_2025.contains(&abbreviation) && abbreviation != "LNKL"
                    }
                })
                .filter(|o| !POLITICAL_BODIES_WITHOUT_NUMBERS.contains(&o.abbreviation.as_str()))
                .map(|o| OrganisationEntry {
                    id: o.id,
                    name: o.name.clone(),
                    abbreviation: o.abbreviation.clone(),
                })
                .collect()
        };
        let mut provinces = Vec::new();
        for province in &areas::PROVINCES {
            let find = |list: &Vec<(&'static str, OrganisationId)>| {
                list.iter()
                    .find(|(code, _)| *code == province.code)
                    .map(|(_, id)| *id)
                    .with_context(|| {
                        format!("the province {} has no directory bodies", province.name)
                    })
            };
            let administrative_name = if !reformed && province.code == "46" {
                "tỉnh Thừa Thiên Huế".to_owned()
            } else {
                province.administrative_name()
            };
            provinces.push(ProvinceEntry {
                administrative_name,
                committee: find(&keys.provincial_committees)?,
                department: find(&keys.provincial_environment_departments)?,
            });
        }
        let province_names = if reformed {
            provinces
                .iter()
                .map(|p| p.administrative_name.clone())
                .collect()
        } else {
            areas::FORMER_PROVINCES
                .iter()
                .map(|(code, name)| {
                    let name = areas::RENAMED_BEFORE_REFORM
                        .iter()
                        .find(|(c, _, _)| c == code)
                        .map_or(*name, |(_, old, _)| *old);
                    if *code == "79" {
                        name.to_owned()
                    } else if CITIES_BEFORE_REFORM.contains(code) {
                        format!("thành phố {name}")
                    } else {
                        format!("tỉnh {name}")
                    }
                })
                .collect()
        };
        Ok(Self {
            names,
            ministry,
            government_office: entry(keys.government_office)?,
            petitions_committee: entry(keys.petitions_committee)?,
            fatherland_front: entry(keys.fatherland_front)?,
            other_ministries: of_kind(OrganisationKind::Ministry),
            central_agencies: of_kind(OrganisationKind::CentralAgency),
            political_bodies: of_kind(OrganisationKind::PoliticalBody),
            associations: of_kind(OrganisationKind::Other),
            provinces,
            province_names,
            department_symbol: if reformed { "SNNMT" } else { "STNMT" },
            department_plural: if reformed {
                "Sở Nông nghiệp và Môi trường các tỉnh, thành phố"
            } else {
                "Sở Tài nguyên và Môi trường các tỉnh, thành phố trực thuộc Trung ương"
            },
        })
    }

    fn name(&self, id: OrganisationId) -> String {
        self.names.get(&id).cloned().unwrap_or_default()
    }
}

/// A person of the demo as the documents need them.
#[derive(Clone, Debug)]
struct Person {
    id: UserId,
    full_name: String,
    position: &'static str,
}

/// A unit of the agency with the people who lead it and handle its work.
#[derive(Clone, Debug)]
struct UnitStaff {
    abbreviation: &'static str,
    id: UnitId,
    /// How the unit is written in the symbols of the agency's letters (`TCMT-VP`).
    symbol: &'static str,
    /// How an instruction names it ("Cục KSONMT").
    short_name: &'static str,
    leaders: Vec<Person>,
    handlers: Vec<Person>,
    /// Index into [`Staff::agency_leaders`] of the leader who oversees the unit.
    overseer: usize,
}

struct Staff {
    units: Vec<UnitStaff>,
    clerks: Vec<Person>,
    /// The head first, then the deputies.
    agency_leaders: Vec<Person>,
    origins: HashMap<UserId, Origin>,
}

/// Which agency leader oversees which units: the head keeps the office, personnel,
/// finance and legal affairs; one deputy pollution, waste and appraisal; the other
/// nature, cooperation, data and communication.
fn overseer_of(abbreviation: &str) -> usize {
    match abbreviation {
        "KSONMT" | "QLCT" | "TĐĐG" | "TTQT" | "ĐDN" | "TTRA" | "MC" => 1,
        "BTTN" | "HTQT" | "TTDL" | "TTTT" => 2,
        _ => 0,
    }
}

fn short_name(abbreviation: &str) -> &'static str {
    match abbreviation {
        "VP" => "Văn phòng Tổng cục",
        "HCVT" => "Phòng Hành chính - Văn thư",
        "TH" => "Phòng Tổng hợp",
        "MC" => "Bộ phận Một cửa",
        "ĐDN" => "Bộ phận Đường dây nóng",
        "TCCB" => "Vụ TCCB",
        "KHTC" => "Vụ KHTC",
        "PC" => "Vụ Pháp chế",
        "HTQT" => "Vụ HTQT&KHCN",
        "TTRA" => "Thanh tra Tổng cục",
        "KSONMT" => "Cục KSONMT",
        "QLCT" => "Cục QLCT&CTMT",
        "BTTN" => "Cục BTTN&ĐDSH",
        "TĐĐG" => "Cục TĐ&ĐGTĐMT",
        "TTQT" => "Trung tâm QTMT miền Bắc",
        "TTDL" => "Trung tâm ĐT,TT&DL",
        "TTTT" => "Trung tâm ĐT&TTMT",
        _ => "đơn vị",
    }
}

impl Staff {
    fn new(organisation: &DemoOrganisation) -> anyhow::Result<Self> {
        let position_of = |username: &str| {
            PEOPLE
                .iter()
                .find(|p| p.username == username)
                .map_or("Chuyên viên", |p| p.position)
        };
        let person = |u: &super::DemoUser| Person {
            id: u.id,
            full_name: u.full_name.clone(),
            position: position_of(&u.username),
        };
        let has = |u: &super::DemoUser, role: Role| u.roles.contains(&role);
        let mut agency_leaders: Vec<Person> = organisation
            .users
            .iter()
            .filter(|u| has(u, Role::AgencyLeader))
            .map(person)
            .collect();
        agency_leaders.sort_by_key(|p| p.position != "Tổng cục trưởng");
        ensure!(
            !agency_leaders.is_empty(),
            "the demo organisation has no agency leader"
        );
        let clerks: Vec<Person> = organisation
            .users
            .iter()
            .filter(|u| has(u, Role::RecordsClerk))
            .map(person)
            .collect();
        ensure!(
            !clerks.is_empty(),
            "the demo organisation has no records clerk"
        );
        let mut units = Vec::new();
        for &(abbreviation, id) in &organisation.units.all {
            let members: Vec<&super::DemoUser> = organisation
                .users
                .iter()
                .filter(|u| u.unit_id == Some(id))
                .collect();
            let leaders: Vec<Person> = members
                .iter()
                .filter(|u| has(u, Role::UnitLeader))
                .map(|u| person(u))
                .collect();
            let specialists: Vec<Person> = members
                .iter()
                .filter(|u| has(u, Role::Specialist))
                .map(|u| person(u))
                .collect();
            let others: Vec<Person> = members
                .iter()
                .filter(|u| !has(u, Role::UnitLeader) && !has(u, Role::Administrator))
                .map(|u| person(u))
                .collect();
            let handlers = if !specialists.is_empty() {
                specialists
            } else if !others.is_empty() {
                others
            } else {
                leaders.clone()
            };
            let parent = UNITS
                .iter()
                .find(|u| u.abbreviation == abbreviation)
                .and_then(|u| u.parent);
            let symbol = match (parent, abbreviation) {
                (Some(parent), _) => parent,
                (None, "TTRA") => "TTr",
                (None, own) => own,
            };
            units.push(UnitStaff {
                abbreviation,
                id,
                symbol,
                short_name: short_name(abbreviation),
                leaders,
                handlers,
                overseer: overseer_of(abbreviation).min(agency_leaders.len() - 1),
            });
        }
        // A sub-unit without a leader of its own is led by its parent's leaders.
        for index in 0..units.len() {
            if units[index].leaders.is_empty() {
                let parent = UNITS
                    .iter()
                    .find(|u| u.abbreviation == units[index].abbreviation)
                    .and_then(|u| u.parent);
                let inherited = units
                    .iter()
                    .find(|u| Some(u.abbreviation) == parent)
                    .map(|u| u.leaders.clone())
                    .unwrap_or_default();
                units[index].leaders = if inherited.is_empty() {
                    vec![agency_leaders[units[index].overseer].clone()]
                } else {
                    inherited
                };
            }
            if units[index].handlers.is_empty() {
                units[index].handlers = units[index].leaders.clone();
            }
        }
        let mut origins = HashMap::new();
        for user in &organisation.users {
            origins.insert(
                user.id,
                Origin {
                    user_id: Some(user.id),
                    label: format!("{} (demo)", user.username),
                    address: String::new(),
                },
            );
        }
        Ok(Self {
            units,
            clerks,
            agency_leaders,
            origins,
        })
    }

    fn unit(&self, abbreviation: &str) -> usize {
        self.units
            .iter()
            .position(|u| u.abbreviation == abbreviation)
            .unwrap_or(0)
    }

    fn origin(&self, user: UserId) -> Origin {
        self.origins
            .get(&user)
            .cloned()
            .unwrap_or_else(Origin::system)
    }
}

// ---------------------------------------------------------------------------------------
// The plan: every document of the year with its history, before anything is written.

#[derive(Clone, Debug)]
enum StepKind {
    NameHandler {
        handler: UserId,
    },
    Progress {
        note: &'static str,
        percent: i64,
    },
    Extend {
        due: NaiveDate,
        reason: &'static str,
    },
    Finish {
        result: String,
    },
    Return {
        reason: &'static str,
    },
}

#[derive(Clone, Debug)]
struct Step {
    at: Moment,
    actor: UserId,
    kind: StepKind,
}

#[derive(Clone, Debug)]
struct PlannedAssignment {
    unit: usize,
    role: AssignmentRole,
    due: Option<NaiveDate>,
    steps: Vec<Step>,
}

impl PlannedAssignment {
    /// The state as the leader's routing creates it.
    fn initial_state(&self) -> AssignmentState {
        AssignmentState {
            status: AssignmentStatus::Assigned,
            handler: None,
            due: self.due,
            finished_at: None,
            result: String::new(),
            last_progress_at: None,
        }
    }

    /// The status, handler, current due date, end and last progress after its steps.
    fn state(&self) -> AssignmentState {
        let mut state = self.initial_state();
        for step in &self.steps {
            state.apply(step);
        }
        state
    }

    fn finished_at(&self) -> Option<Moment> {
        self.steps.iter().find_map(|s| match s.kind {
            StepKind::Finish { .. } => Some(s.at),
            _ => None,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
struct AssignmentState {
    status: AssignmentStatus,
    handler: Option<UserId>,
    due: Option<NaiveDate>,
    finished_at: Option<Moment>,
    result: String,
    last_progress_at: Option<Moment>,
}

impl AssignmentState {
    fn apply(&mut self, step: &Step) {
        match &step.kind {
            StepKind::NameHandler { handler } => {
                self.handler = Some(*handler);
                self.status = AssignmentStatus::HandlerAssigned;
            }
            StepKind::Progress { .. } => {
                self.status = AssignmentStatus::InProgress;
                self.last_progress_at = Some(step.at);
            }
            StepKind::Extend { due, .. } => self.due = Some(*due),
            StepKind::Finish { result } => {
                self.status = AssignmentStatus::Done;
                self.finished_at = Some(step.at);
                self.result = result.clone();
            }
            StepKind::Return { reason } => {
                self.status = AssignmentStatus::Returned;
                self.finished_at = Some(step.at);
                self.result = (*reason).to_owned();
            }
        }
    }

    fn audit_json(&self, id: i64) -> serde_json::Value {
        json!({"assignment_id": id, "status": self.status.code(),
               "handler": self.handler.map(|h| h.0), "due_date": self.due})
    }
}

#[derive(Clone, Debug)]
struct PlannedRouting {
    at: Moment,
    leader: UserId,
    instruction: String,
    parts: Vec<PlannedAssignment>,
}

#[derive(Clone, Debug)]
struct PlannedTask {
    created: Moment,
    description: String,
    unit: usize,
    due: NaiveDate,
    done: Option<Moment>,
}

#[derive(Clone, Debug)]
struct IncomingPlan {
    arrival: Moment,
    kind: DocumentKind,
    type_code: &'static str,
    number_symbol: NumberAndSymbol,
    document_date: NaiveDate,
    subject: String,
    /// The subject of a reply to it.
    reply_subject: String,
    /// What a reply answers, for replies that are reports.
    reply_phrase: String,
    /// Whether it came from a body the agency reports to (ministry, Government, National
    /// Assembly), which may get a report in answer.
    superior: bool,
    pages: i64,
    urgency: Urgency,
    secrecy: Secrecy,
    signer_name: String,
    sender: Sender,
    sender_organisation: Option<OrganisationId>,
    sender_name: String,
    due_date: Option<NaiveDate>,
    petition_source: Option<PetitionSource>,
    deputy_name: String,
    clerk: usize,
    /// When the clerk put it before the leader, and which leader.
    submitted: Option<(Moment, UserId)>,
    routings: Vec<PlannedRouting>,
    /// The outgoing document that answers it, by index.
    reply: Option<usize>,
    needs_reply: bool,
    tasks: Vec<PlannedTask>,
}

impl IncomingPlan {
    /// The routing and part of the lead assignment that counts: the last routing's lead.
    fn lead(&self) -> Option<(usize, usize)> {
        let routing = self.routings.len().checked_sub(1)?;
        let part = self.routings[routing]
            .parts
            .iter()
            .position(|p| p.role == AssignmentRole::Lead)?;
        Some((routing, part))
    }

    fn lead_assignment(&self) -> Option<&PlannedAssignment> {
        self.lead().map(|(r, p)| &self.routings[r].parts[p])
    }

    fn status(&self) -> IncomingStatus {
        if self.submitted.is_none() {
            return IncomingStatus::Registered;
        }
        if self.routings.is_empty() {
            return IncomingStatus::AwaitingInstruction;
        }
        let parts: Vec<(AssignmentRole, AssignmentStatus)> = self
            .routings
            .iter()
            .flat_map(|r| r.parts.iter().map(|p| (p.role, p.state().status)))
            .collect();
        incoming_status_from(IncomingStatus::InProgress, &parts)
    }
}

#[derive(Clone, Debug)]
struct Signer {
    name: String,
    position: String,
    /// `own`, `kt` or `tl` (SigningAuthority codes).
    authority: &'static str,
}

#[derive(Clone, Debug)]
struct OutgoingPlan {
    drafted: Moment,
    issued: Moment,
    kind: DocumentKind,
    type_code: &'static str,
    unit: usize,
    drafter: UserId,
    signer: Signer,
    subject: String,
    pages: i64,
    urgency: Urgency,
    secrecy: Secrecy,
    /// Directory recipients get a dispatch record; the rest are named in the text.
    recipients: Vec<(Option<OrganisationId>, String)>,
    /// Stands for the recipients in the text when they are many.
    recipients_label: Option<String>,
    /// Lines of the "Nơi nhận" block after the recipients ("Bộ trưởng (để báo cáo)").
    also_to: Vec<String>,
    reply_to: Option<usize>,
    tasks: Vec<PlannedTask>,
    clerk: usize,
}

struct Plan {
    incoming: Vec<IncomingPlan>,
    outgoing: Vec<OutgoingPlan>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SenderClass {
    Ministry,
    GovernmentOffice,
    OtherMinistry,
    ProvincialCommittee,
    ProvincialDepartment,
    PoliticalBody,
    CentralAgency,
    Company,
    Association,
}

const SENDER_CLASSES: &[(SenderClass, u32)] = &[
    (SenderClass::Ministry, 24),
    (SenderClass::GovernmentOffice, 6),
    (SenderClass::OtherMinistry, 10),
    (SenderClass::ProvincialCommittee, 13),
    (SenderClass::ProvincialDepartment, 18),
    (SenderClass::PoliticalBody, 3),
    (SenderClass::CentralAgency, 9),
    (SenderClass::Company, 14),
    (SenderClass::Association, 3),
];

impl SenderClass {
    /// Document types this kind of sender sends, with weights.
    fn types(self) -> &'static [(&'static str, u32)] {
        match self {
            Self::Ministry => &[
                ("cong_van", 55),
                ("quyet_dinh", 18),
                ("giay_moi", 8),
                ("thong_bao", 6),
                ("ke_hoach", 4),
                ("bao_cao", 2),
                ("huong_dan", 2),
                ("chi_thi", 1),
                ("to_trinh", 1),
                ("chuong_trinh", 1),
                ("cong_dien", 1),
                ("phieu_chuyen", 1),
            ],
            Self::GovernmentOffice => &[
                ("cong_van", 68),
                ("thong_bao", 12),
                ("quyet_dinh", 12),
                ("chi_thi", 2),
                ("cong_dien", 3),
                ("giay_moi", 3),
            ],
            Self::OtherMinistry => &[
                ("cong_van", 70),
                ("giay_moi", 10),
                ("quyet_dinh", 6),
                ("bao_cao", 5),
                ("thong_bao", 4),
                ("ke_hoach", 3),
                ("huong_dan", 2),
            ],
            Self::ProvincialCommittee => &[
                ("cong_van", 55),
                ("bao_cao", 20),
                ("quyet_dinh", 10),
                ("ke_hoach", 7),
                ("to_trinh", 6),
                ("giay_moi", 2),
            ],
            Self::ProvincialDepartment => &[
                ("cong_van", 62),
                ("bao_cao", 25),
                ("giay_moi", 6),
                ("ke_hoach", 4),
                ("thong_bao", 3),
            ],
            Self::PoliticalBody => &[
                ("cong_van", 50),
                ("giay_moi", 20),
                ("thong_bao", 12),
                ("bao_cao", 8),
                ("ke_hoach", 5),
                ("nghi_quyet", 5),
            ],
            Self::CentralAgency => &[
                ("cong_van", 70),
                ("giay_moi", 10),
                ("bao_cao", 8),
                ("thong_bao", 6),
                ("ke_hoach", 3),
                ("quyet_dinh", 3),
            ],
            Self::Company => &[("cong_van", 78), ("bao_cao", 18), ("to_trinh", 4)],
            Self::Association => &[
                ("cong_van", 60),
                ("giay_moi", 25),
                ("bao_cao", 10),
                ("ke_hoach", 5),
            ],
        }
    }

    /// Fields of work this kind of sender writes about, with weights.
    fn topics(self) -> &'static [(&'static str, u32)] {
        match self {
            Self::Ministry => &[
                ("impact_assessment", 10),
                ("pollution_control", 10),
                ("waste", 8),
                ("monitoring", 5),
                ("biodiversity", 4),
                ("inspection", 6),
                ("legal", 10),
                ("finance", 10),
                ("personnel", 10),
                ("international", 6),
                ("data", 3),
                ("communication", 3),
                ("general", 14),
                ("office", 3),
                ("hotline", 2),
            ],
            Self::GovernmentOffice => &[
                ("pollution_control", 18),
                ("waste", 15),
                ("legal", 15),
                ("general", 25),
                ("inspection", 8),
                ("international", 6),
                ("impact_assessment", 8),
                ("hotline", 5),
            ],
            Self::OtherMinistry => &[
                ("legal", 35),
                ("international", 10),
                ("finance", 10),
                ("general", 15),
                ("waste", 10),
                ("pollution_control", 10),
                ("biodiversity", 5),
                ("data", 5),
            ],
            Self::ProvincialCommittee => &[
                ("impact_assessment", 20),
                ("pollution_control", 20),
                ("waste", 20),
                ("general", 15),
                ("monitoring", 5),
                ("biodiversity", 5),
                ("inspection", 5),
                ("data", 5),
                ("legal", 5),
            ],
            Self::ProvincialDepartment => &[
                ("impact_assessment", 22),
                ("pollution_control", 18),
                ("waste", 16),
                ("monitoring", 14),
                ("general", 10),
                ("biodiversity", 5),
                ("data", 5),
                ("inspection", 4),
                ("communication", 3),
                ("hotline", 3),
            ],
            Self::PoliticalBody => &[
                ("legal", 30),
                ("pollution_control", 20),
                ("waste", 20),
                ("general", 25),
                ("biodiversity", 5),
            ],
            Self::CentralAgency => &[
                ("hotline", 15),
                ("inspection", 15),
                ("monitoring", 15),
                ("legal", 10),
                ("international", 10),
                ("data", 10),
                ("office", 10),
                ("communication", 10),
                ("general", 5),
            ],
            Self::Company => &[
                ("impact_assessment", 45),
                ("waste", 20),
                ("monitoring", 15),
                ("pollution_control", 10),
                ("inspection", 10),
            ],
            Self::Association => &[
                ("communication", 35),
                ("biodiversity", 25),
                ("legal", 20),
                ("international", 20),
            ],
        }
    }

    /// Roughly how many letters and other documents such a sender numbers in a year, so
    /// numbers grow through the year as they do on real documents.
    fn yearly_volume(self, letter: bool) -> u32 {
        match (self, letter) {
            (Self::Ministry, true) => 8_000,
            (Self::Ministry, false) => 3_500,
            (Self::GovernmentOffice, true) => 11_000,
            (Self::GovernmentOffice, false) => 2_000,
            (Self::OtherMinistry, true) => 6_000,
            (Self::OtherMinistry, false) => 2_000,
            (Self::ProvincialCommittee, true) => 6_000,
            (Self::ProvincialCommittee, false) => 3_500,
            (Self::ProvincialDepartment, true) => 3_500,
            (Self::ProvincialDepartment, false) => 400,
            (Self::PoliticalBody, true) => 1_500,
            (Self::PoliticalBody, false) => 300,
            (Self::CentralAgency, true) => 2_500,
            (Self::CentralAgency, false) => 500,
            (Self::Company, true) => 300,
            (Self::Company, false) => 50,
            (Self::Association, true) => 200,
            (Self::Association, false) => 40,
        }
    }

    /// The chance that a document of this type from this sender wants a written answer.
    fn reply_chance(self, type_code: &str) -> f64 {
        let letter = match self {
            Self::Company => 0.62,
            Self::ProvincialCommittee | Self::ProvincialDepartment => 0.36,
            Self::PoliticalBody => 0.5,
            Self::Ministry => 0.3,
            Self::GovernmentOffice => 0.25,
            Self::OtherMinistry => 0.35,
            Self::CentralAgency => 0.25,
            Self::Association => 0.2,
        };
        match type_code {
            "cong_van" | "phieu_chuyen" => letter,
            "to_trinh" => 0.6,
            "cong_dien" | "ke_hoach" => 0.1,
            "chi_thi" | "thong_bao" | "huong_dan" | "bao_cao" => 0.04,
            _ => 0.0,
        }
    }
}

/// A sender picked for one document, with how its symbols are written.
struct PickedSender {
    sender: Sender,
    organisation: Option<OrganisationId>,
    name: String,
    /// The province the sender belongs to (its administrative name).
    province: Option<String>,
    /// The symbol of a letter (công văn) after the number: `BTNMT-TCMT`.
    letter_symbol: String,
    /// What follows the type in other symbols: `QĐ-{this}`.
    issuer_symbol: String,
    /// The key under which this sender's numbers are kept apart.
    key: String,
    /// The directory abbreviation, which decides what it writes about.
    abbreviation: String,
    /// Whether the sender is one of the demo's companies, which write about themselves.
    company: bool,
}

/// A company of the demo: invented, with its province.
#[derive(Clone, Debug)]
struct Company {
    name: String,
    abbreviation: String,
    province: String,
}

/// What fills the `{province}` and `{company}` slots of a phrase, when the sender or
/// recipient decides them.
#[derive(Clone, Copy, Debug, Default)]
struct Slots<'s> {
    province: Option<&'s str>,
    company: Option<&'s str>,
}

fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn weighted<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| *w).sum();
    let mut roll = rng.gen_range(0..total.max(1));
    for (item, weight) in items {
        if roll < *weight {
            return item;
        }
        roll -= weight;
    }
    &items[items.len() - 1].0
}

/// What an organisation of the directory writes about, if the demo knows its field.
fn organisation_topics(abbreviation: &str) -> Option<&'static [(&'static str, u32)]> {
    subjects::ORGANISATION_TOPICS
        .iter()
        .find(|(a, _)| *a == abbreviation)
        .map(|(_, topics)| *topics)
}

fn topic_index(code: &str) -> usize {
    TOPICS.iter().position(|t| t.code == code).unwrap_or(0)
}

/// The day-of-year weight of a working day: fewer documents around Tết, more at the
/// year's end, more on Mondays, fewer on the make-up Saturdays.
fn day_weight(day: NaiveDate, rng: &mut StdRng) -> f64 {
    const MONTHS: [f64; 12] = [
        0.85, 0.75, 1.0, 1.0, 1.05, 1.05, 1.0, 0.95, 1.0, 1.05, 1.1, 1.3,
    ];
    let weekday = match day.weekday() {
        Weekday::Mon => 1.15,
        Weekday::Tue => 1.05,
        Weekday::Fri => 0.9,
        Weekday::Sat | Weekday::Sun => 0.6,
        _ => 1.0,
    };
    MONTHS[day.month0() as usize] * weekday * rng.gen_range(0.85..1.15)
}

struct Planner<'a> {
    rng: StdRng,
    calendar: &'a WorkingCalendar,
    directory: &'a Directory,
    staff: &'a Staff,
    year: i32,
    as_of: NaiveDate,
    /// The end of the demo's "today".
    cutoff: Moment,
    scale: f64,
    /// Working days of the year up to the demo's "today", with cumulative weights.
    days: Vec<(NaiveDate, f64)>,
    /// Share of the year's working days up to "today".
    elapsed: f64,
    companies: Vec<Company>,
    used_numbers: HashSet<(String, String)>,
    incoming: Vec<IncomingPlan>,
    outgoing: Vec<OutgoingPlan>,
}

impl<'a> Planner<'a> {
    fn new(
        options: &DocumentOptions,
        as_of: NaiveDate,
        calendar: &'a WorkingCalendar,
        directory: &'a Directory,
        staff: &'a Staff,
    ) -> Self {
        let mut rng =
            StdRng::seed_from_u64(options.seed ^ (options.year as u64).wrapping_mul(0x9E37_79B9));
        let year = options.year;
        let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
        let mut days = Vec::new();
        let mut working_days_in_year = 0usize;
        let mut total = 0.0;
        for day in first.iter_days().take_while(|d| d.year() == year) {
            if !calendar.is_working_day(day).unwrap_or(false) {
                continue;
            }
            working_days_in_year += 1;
            if day <= as_of {
                total += day_weight(day, &mut rng);
                days.push((day, total));
            }
        }
        let elapsed = days.len() as f64 / working_days_in_year.max(1) as f64;
        let companies = (0..400)
            .map(|_| {
                let name = pick(&mut rng, subjects::COMPANY_NAMES);
                let sector = pick(&mut rng, subjects::COMPANY_SECTORS);
                let form = pick(&mut rng, subjects::COMPANY_FORMS);
                let province = pick(&mut rng, &directory.provinces)
                    .administrative_name
                    .clone();
                Company {
                    name: format!("Công ty {form} {sector} {name}"),
                    abbreviation: format!("{}{}", initials(sector), initials(name)),
                    province,
                }
            })
            .collect();
        Self {
            rng,
            calendar,
            directory,
            staff,
            year,
            as_of,
            cutoff: at_minute(as_of, 24 * 60 - 1),
            scale: options.scale,
            days,
            elapsed,
            companies,
            used_numbers: HashSet::new(),
            incoming: Vec::new(),
            outgoing: Vec::new(),
        }
    }

    fn plan(mut self) -> anyhow::Result<Plan> {
        ensure!(
            !self.days.is_empty(),
            "the demo year has no working day up to {}",
            self.as_of
        );
        let incoming_target = (SEED_INCOMING * self.scale * self.elapsed).round() as usize;
        let outgoing_target = (SEED_OUTGOING * self.scale * self.elapsed).round() as usize;
        // The tracked documents keep the seed's counts unless they would crowd out the rest.
        let tracked = DEPUTY_QUESTIONS
            + PETITIONS.iter().map(|(_, n)| n).sum::<usize>()
            + CONCLUSIONS_RECEIVED;
        let shrink = |n: usize, total: usize, room: usize| -> usize {
            if total <= room {
                n
            } else {
                (n * room / total.max(1)).max(1)
            }
        };
        let room = incoming_target / 3;
        self.plan_deputy_questions(shrink(DEPUTY_QUESTIONS, tracked, room));
        for (source, count) in PETITIONS {
            self.plan_petitions(source, shrink(count, tracked, room));
        }
        self.plan_received_conclusions(shrink(CONCLUSIONS_RECEIVED, tracked, room));
        let ordinary = incoming_target.saturating_sub(self.incoming.len());
        for _ in 0..ordinary {
            self.plan_ordinary_incoming();
        }
        self.incoming.sort_by_key(|p| p.arrival);

        // Answers: as many as the year's outgoing volume allows, the rest of it being the
        // agency's own letters, decisions, plans and invitations.
        let issued_conclusions =
            shrink(CONCLUSIONS_ISSUED, CONCLUSIONS_ISSUED, outgoing_target / 4);
        let own_minimum = outgoing_target / 4;
        let reply_room = outgoing_target.saturating_sub(issued_conclusions + own_minimum);
        let mut answered: Vec<usize> = (0..self.incoming.len())
            .filter(|&i| self.incoming[i].needs_reply && self.lead_finished(i).is_some())
            .collect();
        if answered.len() > reply_room {
            // Keep the tracked ones answered; drop ordinary answers at random.
            let (tracked, mut ordinary): (Vec<usize>, Vec<usize>) = answered
                .iter()
                .partition(|&&i| self.incoming[i].kind != DocumentKind::Ordinary);
            ordinary.shuffle(&mut self.rng);
            ordinary.truncate(reply_room.saturating_sub(tracked.len()));
            answered = tracked.into_iter().chain(ordinary).collect();
            answered.sort_unstable();
        }
        let answered_set: HashSet<usize> = answered.iter().copied().collect();
        for index in 0..self.incoming.len() {
            if self.incoming[index].needs_reply && !answered_set.contains(&index) {
                self.incoming[index].needs_reply = false;
                self.rewrite_finish_without_reply(index);
            }
        }
        for index in answered {
            self.plan_reply(index);
        }
        for _ in 0..issued_conclusions {
            self.plan_issued_conclusion();
        }
        let own = outgoing_target.saturating_sub(self.outgoing.len());
        for _ in 0..own {
            self.plan_own_outgoing();
        }
        Ok(Plan {
            incoming: self.incoming,
            outgoing: self.outgoing,
        })
    }

    // -- Dates ----------------------------------------------------------------------------

    fn add_working_days(&self, day: NaiveDate, n: i32) -> NaiveDate {
        self.calendar
            .add_working_days(day, n)
            .unwrap_or(day + Duration::days(i64::from(n) * 7 / 5))
    }

    fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i32 {
        self.calendar
            .working_days_between(from, to)
            .unwrap_or(((to - from).num_days() * 5 / 7) as i32)
    }

    /// A working day of the year up to "today", weighted by [`day_weight`].
    fn random_day(&mut self) -> NaiveDate {
        let total = self.days.last().map_or(1.0, |(_, w)| *w);
        let roll = self.rng.gen_range(0.0..total);
        let index = self.days.partition_point(|(_, w)| *w < roll);
        self.days[index.min(self.days.len() - 1)].0
    }

    /// A working day in the window, if the window holds one before "today".
    fn day_between(&mut self, from: NaiveDate, to: NaiveDate) -> Option<NaiveDate> {
        let candidates: Vec<NaiveDate> = self
            .days
            .iter()
            .map(|(d, _)| *d)
            .filter(|d| *d >= from && *d <= to)
            .collect();
        candidates.choose(&mut self.rng).copied()
    }

    fn office_time(&mut self, day: NaiveDate) -> Moment {
        let minute = self.rng.gen_range(465..1005);
        at_minute(day, minute)
    }

    /// A moment on `day` after `previous`: a little later on the same day, or office
    /// hours on a later day.
    fn after(&mut self, previous: Moment, day: NaiveDate) -> Moment {
        if day <= previous.date() {
            previous + Duration::minutes(self.rng.gen_range(10..120))
        } else {
            self.office_time(day)
        }
    }

    /// `n` working days after the moment's day, then at office hours (or later that day).
    fn later_by(&mut self, previous: Moment, n: i32) -> Moment {
        let day = self.add_working_days(previous.date(), n);
        self.after(previous, day)
    }

    // -- Names and subjects ---------------------------------------------------------------

    fn person_name(&mut self) -> String {
        let family = *weighted(&mut self.rng, subjects::FAMILY_NAMES);
        if self.rng.gen_bool(0.55) {
            let middle = pick(&mut self.rng, subjects::MALE_MIDDLE);
            let given = pick(&mut self.rng, subjects::MALE_GIVEN);
            format!("{family} {middle} {given}")
        } else {
            let middle = pick(&mut self.rng, subjects::FEMALE_MIDDLE);
            let given = pick(&mut self.rng, subjects::FEMALE_GIVEN);
            format!("{family} {middle} {given}")
        }
    }

    fn random_province(&mut self) -> String {
        pick(&mut self.rng, &self.directory.province_names).clone()
    }

    /// Fills the slots of a phrase. The province and company of `slots` are the sender's
    /// or recipient's, so a department writes about its own province and a company about
    /// itself.
    fn fill(&mut self, template: &str, slots: Slots<'_>, day: NaiveDate) -> String {
        let mut out = String::with_capacity(template.len() + 40);
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let Some(length) = rest[start..].find('}') else {
                break;
            };
            let slot = &rest[start + 1..start + length];
            let value = self.slot(slot, slots, day);
            out.push_str(&value);
            rest = &rest[start + length + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A river, village or reserve of the province when it has one, else `fallback`
    /// naming the province; any of them without a province.
    fn place_in(
        &mut self,
        places: &[(&'static str, &'static [&'static str])],
        province: Option<&str>,
        fallback: &str,
    ) -> String {
        let Some(province) = province else {
            return pick(&mut self.rng, places).0.to_owned();
        };
        let local: Vec<&'static str> = places
            .iter()
            .filter(|(_, provinces)| {
                provinces.is_empty() || provinces.iter().any(|p| province.ends_with(p))
            })
            .map(|(name, _)| *name)
            .collect();
        match local.choose(&mut self.rng) {
            Some(name) => (*name).to_owned(),
            None => format!("{fallback} {province}"),
        }
    }

    fn slot(&mut self, slot: &str, slots: Slots<'_>, day: NaiveDate) -> String {
        let province = slots.province;
        let province_name = |planner: &mut Self| match province {
            Some(p) => p.to_owned(),
            None => planner.random_province(),
        };
        let year = day.year();
        match slot {
            "province" => province_name(self),
            "project" => {
                let kind = pick(&mut self.rng, subjects::PROJECT_KINDS);
                let place = pick(&mut self.rng, subjects::PLACE_NAMES);
                let where_ = province_name(self);
                format!("Dự án {kind} {place} tại {where_}")
            }
            "company" => match (slots.company, province) {
                (Some(company), _) => company.to_owned(),
                (None, Some(p)) => {
                    let local: Vec<&Company> =
                        self.companies.iter().filter(|c| c.province == p).collect();
                    match local.choose(&mut self.rng) {
                        Some(company) => company.name.clone(),
                        None => pick(&mut self.rng, &self.companies).name.clone(),
                    }
                }
                (None, None) => pick(&mut self.rng, &self.companies).name.clone(),
            },
            "park" => {
                let place = pick(&mut self.rng, subjects::PLACE_NAMES);
                let where_ = province_name(self);
                format!("Khu công nghiệp {place}, {where_}")
            }
            "village" => self.place_in(
                subjects::CRAFT_VILLAGES,
                province,
                "các làng nghề trên địa bàn",
            ),
            "river" => self.place_in(subjects::RIVERS, province, "các sông, hồ trên địa bàn"),
            "reserve" => self.place_in(
                subjects::RESERVES,
                province,
                "các khu bảo tồn thiên nhiên trên địa bàn",
            ),
            "species" => pick(&mut self.rng, subjects::SPECIES).to_string(),
            "draft" => pick(&mut self.rng, subjects::DRAFTS).to_string(),
            "task" => pick(&mut self.rng, subjects::TASKS).to_string(),
            "partner" => pick(&mut self.rng, subjects::PARTNERS).to_string(),
            "convention" => pick(&mut self.rng, subjects::CONVENTIONS).to_string(),
            "media" => pick(&mut self.rng, subjects::MEDIA).to_string(),
            "year" => year.to_string(),
            "prev_year" => (year - 1).to_string(),
            "next_year" => (year + 1).to_string(),
            "quarter" => {
                ["quý I", "quý II", "quý III", "quý IV"][day.month0() as usize / 3].to_owned()
            }
            "month" => day.month().to_string(),
            "round" => self.rng.gen_range(1..=4).to_string(),
            other => other.to_owned(),
        }
    }

    /// The subject of a document of `type_code` about `topic`, and the phrase a reply to
    /// it would answer. The agency's own letters urge and guide rather than ask.
    fn subject(
        &mut self,
        type_code: &str,
        topic: &Topic,
        slots: Slots<'_>,
        day: NaiveDate,
        meeting_day: Option<NaiveDate>,
        own: bool,
    ) -> (String, String) {
        let (templates, form): (&[&str], u8) = match type_code {
            "quyet_dinh" | "nghi_quyet" => (topic.decisions, 1),
            "to_trinh" => (topic.decisions, 2),
            "bao_cao" | "bien_ban" => (topic.reports, 3),
            "ke_hoach" | "chuong_trinh" | "huong_dan" => (topic.plans, 4),
            "giay_moi" => (topic.meetings, 5),
            _ => (topic.matters, 0),
        };
        // A company writes, and is written to, about its own projects and permits.
        let about_a_company: Vec<&str> = if slots.company.is_some() {
            templates
                .iter()
                .copied()
                .filter(|t| {
                    t.contains("{company}") || t.contains("{project}") || t.contains("{park}")
                })
                .collect()
        } else {
            Vec::new()
        };
        let template = if about_a_company.is_empty() {
            *pick(&mut self.rng, templates)
        } else {
            *pick(&mut self.rng, &about_a_company)
        };
        let mut phrase = self.fill(template, slots, day);
        if own && form == 0 {
            if let Some(rest) = phrase.strip_prefix("đề nghị ") {
                phrase = rest.to_owned();
            }
            const URGED: &[&str] = &[
                "thực hiện",
                "báo cáo",
                "triển khai",
                "xử lý",
                "khắc phục",
                "kiểm soát",
                "quản lý",
                "cung cấp",
                "truyền số liệu",
                "kết nối",
                "giảm thiểu",
            ];
            if URGED.iter().any(|w| phrase.starts_with(w)) && self.rng.gen_bool(0.4) {
                phrase = format!("đôn đốc {phrase}");
            }
        }
        let subject = match form {
            1 => format!("Về việc {phrase}"),
            2 => format!("Về việc đề nghị {phrase}"),
            3 | 4 => capitalise(&phrase),
            5 => {
                let when =
                    meeting_day.map_or(String::new(), |d| format!(" ngày {}", vietnamese_date(d)));
                format!("Mời tham dự {phrase}{when}")
            }
            _ if self.rng.gen_bool(0.6) => format!("V/v {phrase}"),
            _ => format!("Về việc {phrase}"),
        };
        let answered = phrase.strip_prefix("đề nghị ").unwrap_or(&phrase);
        (subject, lower_first(answered))
    }

    // -- Senders --------------------------------------------------------------------------

    fn pick_sender(&mut self, class: SenderClass) -> PickedSender {
        let term = match self.year {
            ..=2020 => 14,
            2021..=2025 => 15,
            _ => 16,
        };
        let organisation =
            |entry: &OrganisationEntry, letter: String, issuer: String| PickedSender {
                sender: Sender::Organisation(entry.id),
                organisation: Some(entry.id),
                name: entry.name.clone(),
                province: None,
                letter_symbol: letter,
                issuer_symbol: issuer,
                key: entry.id.to_string(),
                abbreviation: entry.abbreviation.clone(),
                company: false,
            };
        match class {
            SenderClass::Ministry => {
                let entry = self.directory.ministry.clone();
                let unit = *weighted(
                    &mut self.rng,
                    &[
                        ("VP", 5),
                        ("KHTC", 3),
                        ("TCCB", 2),
                        ("PC", 2),
                        ("HTQT", 1),
                        ("KHCN", 1),
                        ("TTr", 1),
                        ("TCMT", 2),
                    ],
                );
                let abbreviation = entry.abbreviation.clone();
                organisation(
                    &entry,
                    format!("{abbreviation}-{unit}"),
                    abbreviation.clone(),
                )
            }
            SenderClass::GovernmentOffice => {
                let entry = self.directory.government_office.clone();
                let unit = pick(
                    &mut self.rng,
                    &["NN", "CN", "KTTH", "QHĐP", "PL", "V.I", "KGVX", "TCCV"],
                );
                organisation(&entry, format!("VPCP-{unit}"), "VPCP".into())
            }
            SenderClass::OtherMinistry => {
                let entry = pick(&mut self.rng, &self.directory.other_ministries).clone();
                let unit = pick(
                    &mut self.rng,
                    &["VP", "KHTC", "PC", "TCCB", "HTQT", "KHCN", "KH"],
                );
                let abbreviation = entry.abbreviation.clone();
                organisation(
                    &entry,
                    format!("{abbreviation}-{unit}"),
                    abbreviation.clone(),
                )
            }
            SenderClass::ProvincialCommittee | SenderClass::ProvincialDepartment => {
                let province = pick(&mut self.rng, &self.directory.provinces).clone();
                let committee = class == SenderClass::ProvincialCommittee;
                let id = if committee {
                    province.committee
                } else {
                    province.department
                };
                let (letter, issuer) = if committee {
                    let unit = pick(&mut self.rng, &["KT", "NN", "TH", "KTN", "NC", "XD"]);
                    (format!("UBND-{unit}"), "UBND".to_owned())
                } else {
                    let unit = pick(&mut self.rng, &["CCBVMT", "MT", "QLMT", "TTr", "VP", "KS"]);
                    let abbreviation = self.directory.department_symbol;
                    (format!("{abbreviation}-{unit}"), abbreviation.to_owned())
                };
                PickedSender {
                    sender: Sender::Organisation(id),
                    organisation: Some(id),
                    name: self.directory.name(id),
                    province: Some(province.administrative_name.clone()),
                    letter_symbol: letter,
                    issuer_symbol: issuer,
                    key: id.to_string(),
                    abbreviation: String::new(),
                    company: false,
                }
            }
            SenderClass::PoliticalBody => {
                let entry = pick(&mut self.rng, &self.directory.political_bodies).clone();
                let (letter, issuer) = match entry.abbreviation.as_str() {
                    "UBKHCNMT" => (format!("UBKHCNMT{term}"), format!("UBKHCNMT{term}")),
                    "MTTQ" => ("MTTW-BTT".to_owned(), "MTTW".to_owned()),
                    "VPQH" => ("VPQH-KHCNMT".to_owned(), "VPQH".to_owned()),
                    "KTNN" => ("KTNN-TH".to_owned(), "KTNN".to_owned()),
                    "BDN" => ("BDN".to_owned(), "BDN".to_owned()),
                    other => (format!("{other}-VP"), other.to_owned()),
                };
                organisation(&entry, letter, issuer)
            }
            SenderClass::CentralAgency => {
                let entry = pick(&mut self.rng, &self.directory.central_agencies).clone();
                let abbreviation = entry.abbreviation.clone();
                let letter = if abbreviation == "C05" {
                    format!("C05-P{}", self.rng.gen_range(1..=6))
                } else {
                    let unit = pick(&mut self.rng, &["VP", "TH", "KH", "NV", "PC"]);
                    format!("{abbreviation}-{unit}")
                };
                organisation(&entry, letter, abbreviation)
            }
            SenderClass::Company => {
                let company = pick(&mut self.rng, &self.companies).clone();
                let letter = if self.rng.gen_bool(0.4) {
                    format!("{}/CV-{}", self.year, company.abbreviation)
                } else {
                    format!("CV-{}", company.abbreviation)
                };
                PickedSender {
                    sender: Sender::Named(company.name.clone()),
                    organisation: None,
                    name: company.name.clone(),
                    province: Some(company.province.clone()),
                    letter_symbol: letter,
                    issuer_symbol: company.abbreviation.clone(),
                    key: company.name.clone(),
                    abbreviation: company.abbreviation.clone(),
                    company: true,
                }
            }
            SenderClass::Association => {
                let entry = pick(&mut self.rng, &self.directory.associations).clone();
                let abbreviation = entry.abbreviation.clone();
                organisation(&entry, abbreviation.clone(), abbreviation)
            }
        }
    }

    /// A number for the sender's document dated `day`: it grows through the year as the
    /// sender's register fills, and never repeats for the same sender and symbol.
    fn sender_number(
        &mut self,
        key: &str,
        symbol: &str,
        day: NaiveDate,
        volume: u32,
    ) -> NumberAndSymbol {
        let share = f64::from(day.ordinal()) / 366.0;
        let mut number =
            1 + (share * f64::from(volume) * self.rng.gen_range(0.9..1.0)).floor() as u32;
        loop {
            let candidate = NumberAndSymbol {
                number,
                symbol: symbol.to_owned(),
            };
            if self
                .used_numbers
                .insert((key.to_owned(), candidate.duplicate_key()))
            {
                return candidate;
            }
            number += 1;
        }
    }

    fn urgency(&mut self) -> Urgency {
        *weighted(
            &mut self.rng,
            &[
                (Urgency::Normal, 900),
                (Urgency::Urgent, 80),
                (Urgency::VeryUrgent, 15),
                (Urgency::Flash, 5),
            ],
        )
    }

    fn secrecy(&mut self) -> Secrecy {
        *weighted(
            &mut self.rng,
            &[
                (Secrecy::Normal, 9925),
                (Secrecy::Confidential, 60),
                (Secrecy::Secret, 15),
            ],
        )
    }

    fn pages(&mut self, type_code: &str) -> i64 {
        let long = matches!(type_code, "bao_cao" | "ke_hoach" | "chuong_trinh" | "de_an");
        match self.rng.gen_range(0..100) {
            0..=34 if !long => 1,
            0..=64 if !long => 2,
            0..=89 => self.rng.gen_range(3..=6),
            _ => self.rng.gen_range(7..=40),
        }
    }

    /// The day a sender dated its document, a few working days before it arrived.
    fn document_date(&mut self, arrival: NaiveDate, urgency: Urgency) -> NaiveDate {
        if urgency >= Urgency::VeryUrgent {
            return arrival;
        }
        let back = *weighted(&mut self.rng, &[(0, 5), (1, 45), (2, 30), (3, 15), (5, 5)]);
        self.add_working_days(arrival, -back)
    }

    // -- Incoming documents ---------------------------------------------------------------

    fn new_incoming(
        &mut self,
        arrival_day: NaiveDate,
        kind: DocumentKind,
        type_code: &'static str,
        picked: &PickedSender,
        number_symbol: NumberAndSymbol,
        document_date: NaiveDate,
        subject: String,
        reply_subject: String,
        urgency: Urgency,
    ) -> IncomingPlan {
        let arrival = self.office_time(arrival_day);
        let secrecy = if kind == DocumentKind::Ordinary {
            self.secrecy()
        } else {
            Secrecy::Normal
        };
        let pages = self.pages(type_code);
        IncomingPlan {
            arrival,
            kind,
            type_code,
            number_symbol,
            document_date,
            subject,
            reply_subject,
            reply_phrase: String::new(),
            superior: false,
            pages,
            urgency,
            secrecy,
            signer_name: self.person_name(),
            sender: picked.sender.clone(),
            sender_organisation: picked.organisation,
            sender_name: picked.name.clone(),
            due_date: None,
            petition_source: None,
            deputy_name: String::new(),
            clerk: self.rng.gen_range(0..self.staff.clerks.len()),
            submitted: None,
            routings: Vec::new(),
            reply: None,
            needs_reply: false,
            tasks: Vec::new(),
        }
    }

    fn plan_ordinary_incoming(&mut self) {
        let class = *weighted(&mut self.rng, SENDER_CLASSES);
        let mut picked = self.pick_sender(class);
        let affinity = organisation_topics(&picked.abbreviation);
        let type_code = if matches!(picked.abbreviation.as_str(), "VTV" | "TTXVN") {
            *weighted(&mut self.rng, &[("cong_van", 4), ("giay_moi", 1)])
        } else {
            *weighted(&mut self.rng, class.types())
        };
        let topic_code = *weighted(&mut self.rng, affinity.unwrap_or(class.topics()));
        let topic = &TOPICS[topic_index(topic_code)];
        if class == SenderClass::Ministry {
            // The ministry's own departments draft its letters, each in its field.
            let unit = match topic_code {
                "finance" => "KHTC",
                "personnel" => "TCCB",
                "legal" => "PC",
                "international" => "HTQT",
                "inspection" => "TTr",
                "general" | "office" => "VP",
                _ => *pick(&mut self.rng, &["VP", "KHCN", "TCMT", "TCMT"]),
            };
            picked.letter_symbol = format!("{}-{unit}", picked.abbreviation);
        }
        let arrival_day = self.random_day();
        let urgency = self.urgency();
        let document_date = self.document_date(arrival_day, urgency);
        let meeting_day = (type_code == "giay_moi").then(|| {
            let n = self.rng.gen_range(2..=8);
            self.add_working_days(arrival_day, n)
        });
        let slots = Slots {
            province: picked.province.as_deref(),
            company: picked.company.then_some(picked.name.as_str()),
        };
        let (subject, answered) =
            self.subject(type_code, topic, slots, document_date, meeting_day, false);
        let doc_type = DocumentType::by_code(type_code).ok();
        let letter = doc_type.is_none_or(|t| t.is_letter());
        let symbol = match doc_type {
            Some(t) if !t.is_letter() => {
                let issuer = if class == SenderClass::GovernmentOffice
                    && matches!(type_code, "quyet_dinh" | "chi_thi" | "cong_dien")
                {
                    "TTg"
                } else {
                    picked.issuer_symbol.as_str()
                };
                format!("{}-{issuer}", t.abbreviation)
            }
            _ => picked.letter_symbol.clone(),
        };
        let volume = class.yearly_volume(letter);
        let number_symbol = self.sender_number(&picked.key, &symbol, document_date, volume);
        // Replies keep the subject, name the letter they answer, or give an opinion.
        let reply_subject = match self.rng.gen_range(0..100) {
            0..=34 if letter => format!(
                "V/v trả lời Công văn số {number_symbol} ngày {} của {}",
                vietnamese_date(document_date),
                picked.name
            ),
            _ if type_code == "bao_cao" => format!("V/v ý kiến về {answered}"),
            0..=74 => format!("V/v {answered}"),
            _ => format!("V/v ý kiến về {answered}"),
        };
        let mut plan = self.new_incoming(
            arrival_day,
            DocumentKind::Ordinary,
            type_code,
            &picked,
            number_symbol,
            document_date,
            subject,
            reply_subject,
            urgency,
        );
        plan.reply_phrase = answered;
        plan.superior = matches!(
            class,
            SenderClass::Ministry | SenderClass::GovernmentOffice | SenderClass::PoliticalBody
        );
        plan.needs_reply = self.rng.gen_bool(class.reply_chance(type_code));
        let lead_abbreviation = *weighted(&mut self.rng, topic.leads);
        let lead = self.staff.unit(lead_abbreviation);
        let handling = Handling {
            lead,
            coordinating: self.coordinating_units(topic, lead),
            informed: self.informed_units(lead),
            due: DueRule::Ordinary { meeting_day },
            may_return: type_code != "giay_moi",
            topic: Some(topic),
        };
        self.handle(&mut plan, handling);
        self.incoming.push(plan);
    }

    fn coordinating_units(&mut self, topic: &Topic, lead: usize) -> Vec<usize> {
        let count = *weighted(&mut self.rng, &[(0, 40), (1, 40), (2, 15), (3, 5)]);
        let mut candidates: Vec<usize> = topic
            .coordinating
            .iter()
            .map(|a| self.staff.unit(a))
            .filter(|u| *u != lead)
            .collect();
        candidates.shuffle(&mut self.rng);
        candidates.truncate(count);
        candidates
    }

    fn informed_units(&mut self, lead: usize) -> Vec<usize> {
        let count = *weighted(&mut self.rng, &[(0, 55), (1, 35), (2, 10)]);
        let mut chosen = Vec::new();
        for _ in 0..count {
            let abbreviation = *weighted(
                &mut self.rng,
                &[
                    ("TH", 4),
                    ("VP", 2),
                    ("KHTC", 1),
                    ("PC", 1),
                    ("TTDL", 1),
                    ("TTRA", 1),
                ],
            );
            let unit = self.staff.unit(abbreviation);
            if unit != lead && !chosen.contains(&unit) {
                chosen.push(unit);
            }
        }
        chosen
    }

    fn plan_deputy_questions(&mut self, count: usize) {
        // The two sessions of the National Assembly: late May to June, late October to
        // November; question slips arrive while the session sits.
        let windows = [
            (date_or(self.year, 5, 20), date_or(self.year, 6, 18)),
            (date_or(self.year, 10, 20), date_or(self.year, 11, 17)),
        ];
        for index in 0..count {
            let (from, to) = windows[usize::from(index * 5 >= count * 3)];
            let Some(day) = self.day_between(from, to) else {
                continue;
            };
            let deputy = self.person_name();
            let province = self.random_province();
            let (issue, unit) = *pick(&mut self.rng, subjects::PUBLIC_ISSUES);
            let picked = self.pick_sender(SenderClass::Ministry);
            let number_symbol = self.sender_number(
                &picked.key,
                &format!("PC-{}", picked.issuer_symbol),
                day,
                900,
            );
            let subject = format!(
                "Phiếu chất vấn của Đại biểu Quốc hội {deputy} (Đoàn ĐBQH {province}) về {issue}"
            );
            let reply = format!(
                "V/v dự thảo văn bản trả lời chất vấn của Đại biểu Quốc hội {deputy} về {issue}"
            );
            let mut plan = self.new_incoming(
                day,
                DocumentKind::DeputyQuestion,
                "phieu_chuyen",
                &picked,
                number_symbol,
                day,
                subject,
                reply,
                Urgency::Urgent,
            );
            plan.deputy_name = format!("{deputy} (Đoàn ĐBQH {province})");
            plan.due_date = Some(self.add_working_days(day, 7));
            plan.needs_reply = true;
            let technical = self.staff.unit(unit);
            let handling = Handling {
                lead: self.staff.unit("TH"),
                coordinating: vec![technical],
                informed: Vec::new(),
                due: DueRule::Tracked { working_days: 5 },
                may_return: false,
                topic: None,
            };
            self.handle(&mut plan, handling);
            self.incoming.push(plan);
        }
    }

    fn plan_petitions(&mut self, source: PetitionSource, count: usize) {
        // Petitions are gathered before each session and forwarded after it.
        let windows = [
            (date_or(self.year, 4, 1), date_or(self.year, 5, 15)),
            (date_or(self.year, 7, 1), date_or(self.year, 8, 31)),
            (date_or(self.year, 11, 20), date_or(self.year, 12, 31)),
        ];
        for index in 0..count {
            let (from, to) = windows[index * 3 / count.max(1)];
            let Some(day) = self.day_between(from, to) else {
                continue;
            };
            let province = self.random_province();
            let (issue, unit) = *pick(&mut self.rng, subjects::PUBLIC_ISSUES);
            let (entry, symbol, subject) = match source {
                PetitionSource::GovernmentOffice => (
                    self.directory.government_office.clone(),
                    "VPCP-QHĐP".to_owned(),
                    format!("V/v kiến nghị của cử tri {province} về {issue}"),
                ),
                PetitionSource::FatherlandFront => (
                    self.directory.fatherland_front.clone(),
                    "MTTW-BTT".to_owned(),
                    format!("V/v kiến nghị của cử tri và Nhân dân {province} về {issue}"),
                ),
                _ => (
                    self.directory.petitions_committee.clone(),
                    "BDN".to_owned(),
                    format!("V/v chuyển kiến nghị của cử tri {province} về {issue}"),
                ),
            };
            let picked = PickedSender {
                sender: Sender::Organisation(entry.id),
                organisation: Some(entry.id),
                name: entry.name.clone(),
                province: None,
                letter_symbol: symbol.clone(),
                issuer_symbol: symbol.clone(),
                key: entry.id.to_string(),
                abbreviation: entry.abbreviation.clone(),
                company: false,
            };
            let document_date = self.document_date(day, Urgency::Normal);
            let number_symbol = self.sender_number(&picked.key, &symbol, document_date, 1_500);
            let reply =
                format!("V/v dự thảo văn bản trả lời kiến nghị của cử tri {province} về {issue}");
            let mut plan = self.new_incoming(
                day,
                DocumentKind::VoterPetition,
                "cong_van",
                &picked,
                number_symbol,
                document_date,
                subject,
                reply,
                Urgency::Normal,
            );
            plan.petition_source = Some(source);
            plan.due_date = Some(self.add_working_days(day, 20));
            plan.needs_reply = true;
            let technical = self.staff.unit(unit);
            let handling = Handling {
                lead: self.staff.unit("TH"),
                coordinating: vec![technical],
                informed: Vec::new(),
                due: DueRule::Tracked {
                    working_days: self.rng.gen_range(12..=15),
                },
                may_return: false,
                topic: None,
            };
            self.handle(&mut plan, handling);
            self.incoming.push(plan);
        }
    }

    fn plan_received_conclusions(&mut self, count: usize) {
        for index in 0..count {
            let day = self.random_day();
            let meeting = *pick(&mut self.rng, subjects::MEETING_SUBJECTS);
            let from_government = index % 7 < 3;
            let (picked, subject) = if from_government {
                let picked = self.pick_sender(SenderClass::GovernmentOffice);
                let subject =
                    format!("Kết luận của Phó Thủ tướng Chính phủ tại cuộc họp về {meeting}");
                (picked, subject)
            } else {
                let picked = self.pick_sender(SenderClass::Ministry);
                let subject = format!(
                    "Kết luận của Bộ trưởng tại buổi làm việc với Tổng cục Môi trường về {meeting}"
                );
                (picked, subject)
            };
            let document_date = self.document_date(day, Urgency::Normal);
            let symbol = format!("TB-{}", picked.issuer_symbol);
            let number_symbol = self.sender_number(&picked.key, &symbol, document_date, 700);
            let reply =
                format!("V/v báo cáo kết quả thực hiện Thông báo số {number_symbol} về {meeting}");
            let mut plan = self.new_incoming(
                day,
                DocumentKind::ConclusionNotice,
                "thong_bao",
                &picked,
                number_symbol,
                document_date,
                subject,
                reply,
                Urgency::Normal,
            );
            plan.needs_reply = self.rng.gen_bool(0.5);
            let technical_abbreviation = *pick(
                &mut self.rng,
                &["KSONMT", "QLCT", "TĐĐG", "PC", "KHTC", "BTTN"],
            );
            let technical = self.staff.unit(technical_abbreviation);
            let handling = Handling {
                lead: self.staff.unit("TH"),
                coordinating: vec![technical],
                informed: Vec::new(),
                due: DueRule::Tracked {
                    working_days: self.rng.gen_range(15..=25),
                },
                may_return: false,
                topic: None,
            };
            self.handle(&mut plan, handling);
            let created = plan
                .routings
                .first()
                .map_or(plan.arrival, |r| r.at + Duration::minutes(5));
            plan.tasks = self.tasks(created, &[technical, self.staff.unit("TH")]);
            self.incoming.push(plan);
        }
    }

    /// Two to four tasks of a conclusion notice, for the given units and a few others.
    fn tasks(&mut self, created: Moment, units: &[usize]) -> Vec<PlannedTask> {
        if created > self.cutoff {
            return Vec::new();
        }
        let count = self.rng.gen_range(2..=4);
        let mut tasks = Vec::new();
        for index in 0..count {
            let unit = match units.get(index) {
                Some(u) => *u,
                None => {
                    let abbreviation = *pick(
                        &mut self.rng,
                        &[
                            "KSONMT", "QLCT", "TĐĐG", "KHTC", "PC", "TTRA", "BTTN", "TTDL",
                        ],
                    );
                    self.staff.unit(abbreviation)
                }
            };
            let topic = &TOPICS[self.rng.gen_range(0..TOPICS.len())];
            let template = *pick(&mut self.rng, topic.plans);
            let phrase = self.fill(template, Slots::default(), created.date());
            let verb = pick(
                &mut self.rng,
                &[
                    "Chủ trì xây dựng",
                    "Khẩn trương hoàn thiện",
                    "Rà soát, báo cáo về",
                    "Đôn đốc thực hiện",
                ],
            );
            let days = self.rng.gen_range(10..=30);
            let due = self.add_working_days(created.date(), days);
            let spread = self.rng.gen_range(-8..=4);
            let finish_day = self.add_working_days(due, spread);
            let done = (self.rng.gen_bool(0.85) && finish_day >= created.date()).then(|| {
                let moment = self.office_time(finish_day);
                moment.max(created + Duration::minutes(30))
            });
            tasks.push(PlannedTask {
                created,
                description: format!("{verb} {}", lower_first(&phrase)),
                unit,
                due,
                done: done.filter(|d| *d <= self.cutoff),
            });
        }
        tasks
    }

    /// Plans the clerk's submission, the leader's routing and each unit's handling, then
    /// drops whatever would happen after the demo's "today".
    fn handle(&mut self, plan: &mut IncomingPlan, handling: Handling) {
        let arrival = plan.arrival;
        // Registered and put before the leader the same day, or the next working day when
        // it came in late in the afternoon.
        let submitted = if arrival.time()
            < chrono::NaiveTime::from_hms_opt(15, 0, 0).unwrap_or_default()
            || plan.urgency > Urgency::Normal
        {
            arrival + Duration::minutes(self.rng.gen_range(15..150))
        } else {
            self.later_by(arrival, 1)
        };
        let overseer = self.staff.units[handling.lead].overseer;
        let leader = self.staff.agency_leaders[if plan.kind == DocumentKind::Ordinary {
            overseer
        } else {
            0
        }]
        .id;
        plan.submitted = Some((submitted, leader));
        let delay = if plan.urgency > Urgency::Normal {
            0
        } else {
            *weighted(&mut self.rng, &[(0, 55), (1, 38), (2, 7)])
        };
        let mut routed = self.later_by(submitted, delay);
        if routed < submitted {
            routed = submitted + Duration::minutes(20);
        }

        let returned = handling.may_return && self.rng.gen_bool(0.015);
        let mut lead = handling.lead;
        if returned {
            // The first lead unit sends it back; the leader routes it again elsewhere.
            let unit = &self.staff.units[lead];
            let unit_leader = pick(&mut self.rng, &unit.leaders).id;
            let days = self.rng.gen_range(0..=2);
            let return_at = self.later_by(routed, days);
            let reason = *pick(&mut self.rng, subjects::RETURN_REASONS);
            plan.routings.push(PlannedRouting {
                at: routed,
                leader,
                instruction: self.instruction(plan, lead, &[], None),
                parts: vec![PlannedAssignment {
                    unit: lead,
                    role: AssignmentRole::Lead,
                    due: None,
                    steps: vec![Step {
                        at: return_at,
                        actor: unit_leader,
                        kind: StepKind::Return { reason },
                    }],
                }],
            });
            let alternatives: Vec<usize> = handling
                .topic
                .map(|t| t.coordinating.iter().map(|a| self.staff.unit(a)).collect())
                .unwrap_or_default();
            lead = alternatives
                .into_iter()
                .find(|u| *u != lead)
                .unwrap_or_else(|| self.staff.unit("TH"));
            let days = self.rng.gen_range(0..=1);
            routed = self.later_by(return_at, days);
        }
        let coordinating: Vec<usize> = handling
            .coordinating
            .iter()
            .copied()
            .filter(|u| *u != lead)
            .collect();
        let informed: Vec<usize> = handling
            .informed
            .iter()
            .copied()
            .filter(|u| *u != lead && !coordinating.contains(u))
            .collect();

        let routed_day = routed.date();
        let urgent = plan.urgency > Urgency::Normal;
        let lead_due = match handling.due {
            DueRule::Tracked { working_days } => Some(
                self.add_working_days(plan.arrival.date(), working_days)
                    .max(routed_day),
            ),
            DueRule::Ordinary {
                meeting_day: Some(day),
            } => Some(day.max(routed_day)),
            DueRule::Ordinary { meeting_day: None } => {
                let informative = matches!(
                    plan.type_code,
                    "quyet_dinh"
                        | "bao_cao"
                        | "thong_bao"
                        | "ke_hoach"
                        | "huong_dan"
                        | "chi_thi"
                        | "chuong_trinh"
                        | "nghi_quyet"
                );
                let with_due = plan.needs_reply
                    || urgent
                    || if informative {
                        self.rng.gen_bool(0.45)
                    } else {
                        self.rng.gen_bool(0.6)
                    };
                with_due.then(|| {
                    let n = if urgent {
                        self.rng.gen_range(1..=5)
                    } else if informative {
                        self.rng.gen_range(10..=25)
                    } else {
                        self.rng.gen_range(5..=15)
                    };
                    self.add_working_days(routed_day, n)
                })
            }
        };
        let instruction = self.instruction(plan, lead, &coordinating, lead_due);
        let lead_assignment = self.lead_handling(plan, lead, routed, lead_due, leader);
        let lead_finish = lead_assignment.finished_at();
        let mut parts = vec![lead_assignment];
        for unit in coordinating {
            let due = lead_due.map(|d| self.add_working_days(d, -2).max(routed_day));
            parts.push(self.coordinating_handling(unit, routed, due, lead_finish));
        }
        for unit in informed {
            parts.push(self.informed_handling(unit, routed));
        }
        plan.routings.push(PlannedRouting {
            at: routed,
            leader,
            instruction,
            parts,
        });
        self.truncate(plan);
    }

    fn instruction(
        &mut self,
        plan: &IncomingPlan,
        lead: usize,
        coordinating: &[usize],
        due: Option<NaiveDate>,
    ) -> String {
        let lead_name = self.staff.units[lead].short_name;
        let helpers = coordinating
            .iter()
            .map(|u| self.staff.units[*u].short_name)
            .collect::<Vec<_>>()
            .join(", ");
        let by = due.map_or(String::new(), |d| {
            format!(" trước ngày {}", vietnamese_date(d))
        });
        match plan.kind {
            DocumentKind::DeputyQuestion => format!(
                "Khẩn. Giao {lead_name} chủ trì, phối hợp với {helpers} chuẩn bị nội dung trả lời chất vấn, trình Lãnh đạo Tổng cục{by} để báo cáo Bộ."
            ),
            DocumentKind::VoterPetition => format!(
                "Giao {lead_name} chủ trì, phối hợp với {helpers} dự thảo văn bản trả lời kiến nghị của cử tri, trình Lãnh đạo Tổng cục{by}."
            ),
            DocumentKind::ConclusionNotice => format!(
                "Giao {lead_name} theo dõi, đôn đốc các đơn vị thực hiện kết luận; {helpers} chủ trì các nội dung liên quan, báo cáo kết quả{by}."
            ),
            DocumentKind::Ordinary if plan.type_code == "giay_moi" => {
                format!("Giao {lead_name} cử cán bộ tham dự, báo cáo kết quả.")
            }
            DocumentKind::Ordinary if plan.needs_reply && !helpers.is_empty() => format!(
                "Giao {lead_name} chủ trì, phối hợp với {helpers} nghiên cứu, tham mưu văn bản trả lời{by}."
            ),
            DocumentKind::Ordinary if plan.needs_reply => {
                format!("Giao {lead_name} chủ trì xử lý, dự thảo văn bản trả lời, trình{by}.")
            }
            DocumentKind::Ordinary if !helpers.is_empty() => format!(
                "Giao {lead_name} chủ trì, phối hợp với {helpers} nghiên cứu, đề xuất{by}."
            ),
            DocumentKind::Ordinary => match self.rng.gen_range(0..3) {
                0 => format!("Chuyển {lead_name} nghiên cứu, xử lý theo chức năng, nhiệm vụ."),
                1 => format!("Giao {lead_name} theo dõi, triển khai thực hiện{by}."),
                _ => format!("Giao {lead_name} nghiên cứu, tham mưu xử lý{by}."),
            },
        }
    }

    fn lead_handling(
        &mut self,
        plan: &IncomingPlan,
        unit: usize,
        routed: Moment,
        due: Option<NaiveDate>,
        agency_leader: UserId,
    ) -> PlannedAssignment {
        let all_staff: &'a Staff = self.staff;
        let staff = &all_staff.units[unit];
        let unit_leader = pick(&mut self.rng, &staff.leaders).id;
        let handler = pick(&mut self.rng, &staff.handlers).id;
        let delay = *weighted(&mut self.rng, &[(0, 50), (1, 40), (2, 10)]);
        let named = self.later_by(routed, delay);
        let named_day = named.date();
        let mut steps = vec![Step {
            at: named,
            actor: unit_leader,
            kind: StepKind::NameHandler { handler },
        }];
        // Most work ends on time; some late, some far past its date.
        let outcome = *weighted(&mut self.rng, &[(0u8, 84), (1, 13), (2, 3)]);
        let finish_day = match (due, outcome) {
            (Some(d), _) if plan.type_code == "giay_moi" => d.max(named_day),
            (Some(d), 0) => {
                // Done somewhere before the date, more often early than late.
                let span = self.working_days_between(named_day, d).max(0);
                let share: f64 = self.rng.gen_range(0.1..1.0) * self.rng.gen_range(0.5..1.0);
                let n = (f64::from(span) * share).round() as i32;
                self.add_working_days(named_day, n).max(named_day)
            }
            (Some(d), 1) => {
                let late = self.rng.gen_range(1..=8);
                if self.rng.gen_bool(0.35) {
                    // The unit asked for more time before the date and got it.
                    let more = late + self.rng.gen_range(0..=6);
                    let extended = self.add_working_days(d, more);
                    let asked = self.add_working_days(d, -1).max(named_day);
                    let at = self.after(named, asked);
                    let reason = *pick(&mut self.rng, subjects::EXTENSION_REASONS);
                    steps.push(Step {
                        at,
                        actor: agency_leader,
                        kind: StepKind::Extend {
                            due: extended,
                            reason,
                        },
                    });
                }
                self.add_working_days(d, late)
            }
            (Some(d), _) => {
                let late = self.rng.gen_range(15..=150);
                self.add_working_days(d, late)
            }
            (None, 2) => {
                let days = self.rng.gen_range(30..=150);
                self.add_working_days(named_day, days)
            }
            (None, _) => {
                // Without a date most documents are read, noted and filed within days.
                let days = *weighted(
                    &mut self.rng,
                    &[(0, 25), (1, 30), (2, 20), (3, 10), (5, 10), (8, 5)],
                );
                self.add_working_days(named_day, days)
            }
        };
        let span = self.working_days_between(named_day, finish_day).max(0);
        let notes = match span {
            0 | 1 => 0,
            2..=4 => self.rng.gen_range(0..=1),
            5..=10 => self.rng.gen_range(1..=2),
            _ => self.rng.gen_range(1..=3),
        };
        let mut picked: Vec<usize> = (0..subjects::LEAD_PROGRESS.len()).collect();
        picked.shuffle(&mut self.rng);
        picked.truncate(notes);
        picked.sort_unstable();
        let mut previous = steps.last().map_or(named, |s| s.at);
        for (k, index) in picked.into_iter().enumerate() {
            let offset = (span * (k as i32 + 1)) / (notes as i32 + 1);
            let day = self.add_working_days(named_day, offset);
            let at = self.after(previous, day);
            let (note, percent) = subjects::LEAD_PROGRESS[index];
            steps.push(Step {
                at,
                actor: handler,
                kind: StepKind::Progress { note, percent },
            });
            previous = at;
        }
        steps.sort_by_key(|s| s.at);
        let previous = steps.last().map_or(named, |s| s.at);
        let finished = self.after(previous, finish_day);
        let result = if plan.type_code == "giay_moi" {
            let attendee = pick(&mut self.rng, &staff.handlers).full_name.clone();
            format!("Đã cử đồng chí {attendee} tham dự.")
        } else if plan.needs_reply {
            // Replaced with the reply's number once the reply is numbered.
            "Đã trả lời bằng văn bản.".to_owned()
        } else {
            pick(
                &mut self.rng,
                &[
                    "Đã nghiên cứu, triển khai thực hiện theo chỉ đạo.",
                    "Đã nắm nội dung, lưu hồ sơ công việc.",
                    "Đã tổng hợp, báo cáo Lãnh đạo Tổng cục.",
                    "Đã xử lý theo chức năng, nhiệm vụ.",
                ],
            )
            .to_string()
        };
        steps.push(Step {
            at: finished,
            actor: handler,
            kind: StepKind::Finish { result },
        });
        PlannedAssignment {
            unit,
            role: AssignmentRole::Lead,
            due,
            steps,
        }
    }

    fn coordinating_handling(
        &mut self,
        unit: usize,
        routed: Moment,
        due: Option<NaiveDate>,
        lead_finish: Option<Moment>,
    ) -> PlannedAssignment {
        let staff = &self.staff.units[unit];
        let unit_leader = pick(&mut self.rng, &staff.leaders).id;
        let handler = pick(&mut self.rng, &staff.handlers).id;
        let delay = *weighted(&mut self.rng, &[(0, 45), (1, 40), (2, 15)]);
        let named = self.later_by(routed, delay);
        let mut steps = vec![Step {
            at: named,
            actor: unit_leader,
            kind: StepKind::NameHandler { handler },
        }];
        // Coordinating units answer by their own date, even when the lead unit runs late.
        let own_limit = match due {
            Some(d) => {
                let slack = self.rng.gen_range(0..=3);
                Some(self.add_working_days(d, slack))
            }
            None => None,
        };
        let latest = match (own_limit, lead_finish.map(|f| f.date())) {
            (Some(limit), Some(finish)) => limit.min(finish),
            (Some(limit), None) => limit,
            (None, Some(finish)) => finish,
            (None, None) => self.add_working_days(named.date(), 5),
        }
        .max(named.date());
        let span = self.working_days_between(named.date(), latest).max(0);
        let days = self.rng.gen_range(0..=span);
        let finish_day = self.add_working_days(named.date(), days);
        let mut previous = named;
        if span >= 3 && self.rng.gen_bool(0.3) {
            let (note, percent) = *pick(&mut self.rng, subjects::COORDINATING_PROGRESS);
            let day = self.add_working_days(named.date(), span / 2);
            let at = self.after(previous, day);
            steps.push(Step {
                at,
                actor: handler,
                kind: StepKind::Progress { note, percent },
            });
            previous = at;
        }
        let mut finished = self.after(previous, finish_day);
        if let Some(lead_finish) = lead_finish {
            if finished >= lead_finish {
                finished =
                    (lead_finish - Duration::minutes(5)).max(previous + Duration::minutes(1));
            }
        }
        let result = pick(
            &mut self.rng,
            &[
                "Đã gửi ý kiến phối hợp cho đơn vị chủ trì.",
                "Đã cung cấp thông tin, số liệu cho đơn vị chủ trì.",
                "Thống nhất với dự thảo của đơn vị chủ trì.",
            ],
        )
        .to_string();
        steps.push(Step {
            at: finished,
            actor: handler,
            kind: StepKind::Finish { result },
        });
        PlannedAssignment {
            unit,
            role: AssignmentRole::Coordinating,
            due,
            steps,
        }
    }

    fn informed_handling(&mut self, unit: usize, routed: Moment) -> PlannedAssignment {
        let leader = pick(&mut self.rng, &self.staff.units[unit].leaders).id;
        let delay = *weighted(&mut self.rng, &[(0, 60), (1, 40)]);
        let named = self.later_by(routed, delay);
        let read = named + Duration::minutes(self.rng.gen_range(5..90));
        PlannedAssignment {
            unit,
            role: AssignmentRole::ForInformation,
            due: None,
            steps: vec![
                Step {
                    at: named,
                    actor: leader,
                    kind: StepKind::NameHandler { handler: leader },
                },
                Step {
                    at: read,
                    actor: leader,
                    kind: StepKind::Finish {
                        result: "Đã nắm thông tin.".to_owned(),
                    },
                },
            ],
        }
    }

    /// Drops whatever happens after the demo's "today".
    fn truncate(&self, plan: &mut IncomingPlan) {
        let cutoff = self.cutoff;
        if plan.submitted.is_some_and(|(at, _)| at > cutoff) {
            plan.submitted = None;
            plan.routings.clear();
        }
        plan.routings.retain(|r| r.at <= cutoff);
        for routing in &mut plan.routings {
            for part in &mut routing.parts {
                part.steps.retain(|s| s.at <= cutoff);
            }
        }
    }

    fn lead_finished(&self, index: usize) -> Option<Moment> {
        self.incoming[index].lead_assignment()?.finished_at()
    }

    fn rewrite_finish_without_reply(&mut self, index: usize) {
        let Some((r, p)) = self.incoming[index].lead() else {
            return;
        };
        let result = pick(
            &mut self.rng,
            &[
                "Đã trao đổi, thống nhất với cơ quan gửi; không cần văn bản trả lời.",
                "Đã báo cáo Lãnh đạo Tổng cục, lưu hồ sơ công việc.",
            ],
        )
        .to_string();
        for step in &mut self.incoming[index].routings[r].parts[p].steps {
            if let StepKind::Finish { result: old } = &mut step.kind {
                *old = result.clone();
            }
        }
    }

    // -- Outgoing documents ---------------------------------------------------------------

    /// Who signs a document of `unit`: the head or a deputy for the agency, or the unit's
    /// head by order.
    fn signer(&mut self, unit: usize, type_code: &str) -> Signer {
        let staff = &self.staff.units[unit];
        let roll = self.rng.gen_range(0..100);
        let by_unit_head = roll >= 70
            && matches!(
                type_code,
                "cong_van" | "giay_moi" | "thong_bao" | "giay_gioi_thieu"
            );
        if by_unit_head {
            let head = pick(&mut self.rng, &staff.leaders).clone();
            return Signer {
                name: head.full_name,
                position: head.position.to_owned(),
                authority: "tl",
            };
        }
        let leader_index = if roll < 18 { 0 } else { staff.overseer };
        let leader = &self.staff.agency_leaders[leader_index];
        Signer {
            name: leader.full_name.clone(),
            position: leader.position.to_owned(),
            authority: if leader_index == 0 { "own" } else { "kt" },
        }
    }

    fn plan_reply(&mut self, index: usize) {
        let Some(finished) = self.lead_finished(index) else {
            return;
        };
        let incoming = &self.incoming[index];
        let Some(lead) = incoming.lead_assignment() else {
            return;
        };
        let unit = lead.unit;
        let drafter = lead
            .state()
            .handler
            .unwrap_or(self.staff.units[unit].handlers[0].id);
        let named = lead.steps.first().map_or(incoming.arrival, |s| s.at);
        let kind = incoming.kind;
        let superior = incoming.superior;
        let sender = (incoming.sender_organisation, incoming.sender_name.clone());
        let mut subject = incoming.reply_subject.clone();
        let phrase = incoming.reply_phrase.clone();
        let tracked = kind != DocumentKind::Ordinary;
        let urgency = if tracked {
            Urgency::Urgent
        } else {
            incoming.urgency.min(Urgency::Urgent)
        };
        let secrecy = incoming.secrecy;

        // Bodies the agency reports to sometimes get a report rather than a letter.
        let type_code = if superior && !tracked && !phrase.is_empty() && self.rng.gen_bool(0.2) {
            subject = if phrase.starts_with("kết quả") || phrase.starts_with("tình hình") {
                capitalise(&phrase)
            } else {
                format!("Tình hình {phrase}")
            };
            "bao_cao"
        } else {
            "cong_van"
        };
        let (recipients, also_to) = if matches!(
            kind,
            DocumentKind::DeputyQuestion | DocumentKind::VoterPetition
        ) {
            (
                vec![(
                    Some(self.directory.ministry.id),
                    self.directory.ministry.name.clone(),
                )],
                vec!["Bộ trưởng (để báo cáo)".to_owned()],
            )
        } else if self.rng.gen_bool(0.3) {
            (vec![sender], vec!["Lãnh đạo Tổng cục".to_owned()])
        } else {
            (vec![sender], Vec::new())
        };
        let back = self.rng.gen_range(1..=3);
        let drafted_day = self.add_working_days(finished.date(), -back);
        let drafted = self
            .office_time(drafted_day)
            .max(named + Duration::minutes(10))
            .min(finished - Duration::minutes(1));
        let signer = if tracked {
            let leader = &self.staff.agency_leaders[0];
            Signer {
                name: leader.full_name.clone(),
                position: leader.position.to_owned(),
                authority: "own",
            }
        } else {
            self.signer(unit, type_code)
        };
        let pages = self.pages(type_code);
        let clerk = self.rng.gen_range(0..self.staff.clerks.len());
        self.incoming[index].reply = Some(self.outgoing.len());
        self.outgoing.push(OutgoingPlan {
            drafted,
            issued: finished,
            kind: DocumentKind::Ordinary,
            type_code,
            unit,
            drafter,
            signer,
            subject,
            pages,
            urgency,
            secrecy,
            recipients,
            recipients_label: None,
            also_to,
            reply_to: Some(index),
            tasks: Vec::new(),
            clerk,
        });
    }

    fn plan_issued_conclusion(&mut self) {
        let day = self.random_day();
        let unit = self.staff.unit("TH");
        let leader = pick(&mut self.rng, &self.staff.agency_leaders).clone();
        let occasion = if self.rng.gen_bool(0.4) {
            format!("cuộc họp giao ban tháng {}/{}", day.month(), day.year())
        } else {
            format!(
                "cuộc họp về {}",
                pick(&mut self.rng, subjects::MEETING_SUBJECTS)
            )
        };
        let subject = format!(
            "Kết luận của {} {} tại {occasion}",
            leader.position, leader.full_name
        );
        let issued = self.office_time(day);
        let drafted_day = self.add_working_days(day, -2);
        let drafted = self
            .office_time(drafted_day)
            .min(issued - Duration::minutes(30));
        let office_head = self.staff.units[self.staff.unit("VP")].leaders[0].clone();
        let mut units: Vec<usize> = ["KSONMT", "QLCT", "TĐĐG", "KHTC", "PC", "BTTN", "TTRA"]
            .iter()
            .map(|a| self.staff.unit(a))
            .collect();
        units.shuffle(&mut self.rng);
        let tasks = self.tasks(issued + Duration::minutes(10), &units);
        let drafter = pick(&mut self.rng, &self.staff.units[unit].handlers).id;
        let clerk = self.rng.gen_range(0..self.staff.clerks.len());
        let pages = self.rng.gen_range(2..=4);
        self.outgoing.push(OutgoingPlan {
            drafted,
            issued,
            kind: DocumentKind::ConclusionNotice,
            type_code: "thong_bao",
            unit,
            drafter,
            signer: Signer {
                name: office_head.full_name,
                position: office_head.position.to_owned(),
                authority: "tl",
            },
            subject,
            pages,
            urgency: Urgency::Normal,
            secrecy: Secrecy::Normal,
            recipients: vec![(None, "Các đơn vị thuộc Tổng cục".to_owned())],
            recipients_label: None,
            also_to: vec!["Lãnh đạo Tổng cục".to_owned()],
            reply_to: None,
            tasks,
            clerk,
        });
    }

    fn plan_own_outgoing(&mut self) {
        let abbreviation = *weighted(
            &mut self.rng,
            &[
                ("TĐĐG", 16),
                ("KSONMT", 14),
                ("QLCT", 11),
                ("TH", 10),
                ("KHTC", 8),
                ("TTRA", 7),
                ("BTTN", 6),
                ("PC", 6),
                ("TCCB", 6),
                ("HTQT", 5),
                ("HCVT", 3),
                ("TTQT", 3),
                ("TTTT", 3),
                ("VP", 2),
                ("TTDL", 2),
                ("ĐDN", 1),
                ("MC", 1),
            ],
        );
        let unit = self.staff.unit(abbreviation);
        let topic_code = match abbreviation {
            "TĐĐG" | "MC" => "impact_assessment",
            "KSONMT" => *weighted(
                &mut self.rng,
                &[("pollution_control", 6), ("monitoring", 2), ("hotline", 1)],
            ),
            "QLCT" => "waste",
            "TH" | "VP" => "general",
            "KHTC" => "finance",
            "TTRA" => "inspection",
            "BTTN" => "biodiversity",
            "PC" => "legal",
            "TCCB" => "personnel",
            "HTQT" => "international",
            "HCVT" => "office",
            "TTQT" => "monitoring",
            "TTTT" => "communication",
            "TTDL" => "data",
            _ => "hotline",
        };
        let topic = &TOPICS[topic_index(topic_code)];
        let type_code = *weighted(
            &mut self.rng,
            &[
                ("cong_van", 58),
                ("quyet_dinh", 14),
                ("giay_moi", 9),
                ("bao_cao", 6),
                ("ke_hoach", 4),
                ("thong_bao", 3),
                ("to_trinh", 3),
                ("huong_dan", 1),
                ("chuong_trinh", 1),
                ("giay_gioi_thieu", 1),
            ],
        );
        let day = self.random_day();
        let Addressing {
            recipients,
            label: recipients_label,
            also_to,
            province,
            company,
        } = self.recipients_for(type_code, topic_code);
        let meeting_day = (type_code == "giay_moi").then(|| {
            let n = self.rng.gen_range(3..=10);
            self.add_working_days(day, n)
        });
        let subject = if type_code == "giay_gioi_thieu" {
            let who = self.person_name();
            let place = province.clone().unwrap_or_else(|| self.random_province());
            format!("Giới thiệu ông (bà) {who} đến liên hệ công tác tại {place}")
        } else {
            let slots = Slots {
                province: province.as_deref(),
                company: company.as_deref(),
            };
            self.subject(type_code, topic, slots, day, meeting_day, true)
                .0
        };
        let issued = self.office_time(day);
        let back = self.rng.gen_range(1..=5);
        let drafted_day = self.add_working_days(day, -back);
        let drafted = self
            .office_time(drafted_day)
            .min(issued - Duration::minutes(30));
        let drafter = pick(&mut self.rng, &self.staff.units[unit].handlers).id;
        let signer = self.signer(unit, type_code);
        let urgency = self.urgency();
        let secrecy = self.secrecy();
        let pages = self.pages(type_code);
        let clerk = self.rng.gen_range(0..self.staff.clerks.len());
        self.outgoing.push(OutgoingPlan {
            drafted,
            issued,
            kind: DocumentKind::Ordinary,
            type_code,
            unit,
            drafter,
            signer,
            subject,
            pages,
            urgency,
            secrecy,
            recipients,
            recipients_label,
            also_to,
            reply_to: None,
            tasks: Vec::new(),
            clerk,
        });
    }

    /// Whom one of the agency's own documents on `topic` goes to, and the province its
    /// subject should name when one province receives it.
    fn recipients_for(&mut self, type_code: &str, topic: &str) -> Addressing {
        let directory: &'a Directory = self.directory;
        let ministry = (Some(directory.ministry.id), directory.ministry.name.clone());
        let mut addressing = Addressing::default();
        match type_code {
            "quyet_dinh" => {
                addressing.recipients = vec![(None, "Như Điều 3".to_owned())];
                addressing.also_to = vec!["Tổng cục trưởng (để báo cáo)".to_owned()];
                return addressing;
            }
            "bao_cao" | "to_trinh" => {
                addressing.recipients = vec![ministry];
                addressing.also_to = vec!["Lãnh đạo Tổng cục".to_owned()];
                return addressing;
            }
            "ke_hoach" | "chuong_trinh" => {
                addressing.recipients = vec![(None, "Các đơn vị thuộc Tổng cục".to_owned())];
                addressing.also_to = vec![format!("{} (để báo cáo)", directory.ministry.name)];
                return addressing;
            }
            _ => {}
        }
        // Who hears from the agency on each topic: one province's department, every
        // province's, the ministry, another ministry, a central agency, a company, a
        // political body.
        let weights: [u32; 7] = match topic {
            "impact_assessment" => [35, 5, 20, 5, 5, 30, 0],
            "pollution_control" => [35, 10, 20, 5, 5, 20, 5],
            "waste" => [30, 10, 20, 10, 5, 20, 5],
            "monitoring" => [35, 15, 15, 5, 10, 20, 0],
            "biodiversity" => [35, 10, 25, 10, 15, 0, 5],
            "inspection" => [30, 5, 25, 0, 10, 30, 0],
            "legal" => [15, 20, 25, 25, 10, 0, 5],
            "finance" => [0, 0, 60, 25, 15, 0, 0],
            "personnel" => [0, 0, 60, 30, 10, 0, 0],
            "international" => [10, 0, 40, 30, 20, 0, 0],
            "data" => [30, 20, 30, 5, 15, 0, 0],
            "communication" => [25, 20, 20, 10, 15, 0, 10],
            "office" => [0, 0, 50, 20, 30, 0, 0],
            "hotline" => [40, 5, 20, 0, 20, 15, 0],
            _ => [10, 20, 45, 10, 5, 0, 10],
        };
        let mut choice = *weighted(
            &mut self.rng,
            &[
                (0, weights[0]),
                (1, weights[1]),
                (2, weights[2]),
                (3, weights[3]),
                (4, weights[4]),
                (5, weights[5]),
                (6, weights[6]),
            ],
        );
        if choice == 1 && type_code == "giay_gioi_thieu" {
            choice = 0;
        }
        let fitting = |list: &'a [OrganisationEntry]| -> Vec<&'a OrganisationEntry> {
            let fit: Vec<&OrganisationEntry> = list
                .iter()
                .filter(|o| {
                    organisation_topics(&o.abbreviation)
                        .is_some_and(|topics| topics.iter().any(|(t, _)| *t == topic))
                })
                .collect();
            if fit.is_empty() {
                list.iter().collect()
            } else {
                fit
            }
        };
        match choice {
            0 => {
                let province = pick(&mut self.rng, &directory.provinces);
                if self.rng.gen_bool(0.2) {
                    addressing
                        .recipients
                        .push((Some(province.committee), directory.name(province.committee)));
                }
                addressing.recipients.push((
                    Some(province.department),
                    directory.name(province.department),
                ));
                addressing.province = Some(province.administrative_name.clone());
            }
            1 => {
                addressing.recipients = directory
                    .provinces
                    .iter()
                    .map(|p| (Some(p.department), directory.name(p.department)))
                    .collect();
                addressing.label = Some(directory.department_plural.to_owned());
            }
            2 => addressing.recipients = vec![ministry],
            3 | 4 | 6 => {
                let list = match choice {
                    3 => &directory.other_ministries,
                    4 => &directory.central_agencies,
                    _ => &directory.political_bodies,
                };
                let candidates = fitting(list);
                let entry = *pick(&mut self.rng, &candidates);
                addressing.recipients = vec![(Some(entry.id), entry.name.clone())];
            }
            _ => {
                let company = pick(&mut self.rng, &self.companies).clone();
                addressing.recipients = vec![(None, company.name.clone())];
                addressing.province = Some(company.province);
                addressing.company = Some(company.name);
            }
        }
        addressing
    }
}

/// Whom an outgoing document goes to.
#[derive(Default)]
struct Addressing {
    recipients: Vec<(Option<OrganisationId>, String)>,
    /// Stands for the recipients in the text when they are many.
    label: Option<String>,
    /// Lines of the "Nơi nhận" block after the recipients.
    also_to: Vec<String>,
    /// The province a subject should name.
    province: Option<String>,
    /// The company a subject should name, when one receives it.
    company: Option<String>,
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn date_or(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// How the leader sets the lead unit's due date.
#[derive(Clone, Copy, Debug)]
enum DueRule {
    /// Tracked documents: working days from arrival.
    Tracked { working_days: i32 },
    /// Ordinary documents: the meeting day of an invitation, else by type and urgency.
    Ordinary { meeting_day: Option<NaiveDate> },
}

struct Handling {
    lead: usize,
    coordinating: Vec<usize>,
    informed: Vec<usize>,
    due: DueRule,
    may_return: bool,
    topic: Option<&'static Topic>,
}

// ---------------------------------------------------------------------------------------
// Numbers: given in date order, predicted before writing so attachments can show them.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Arrival(usize),
    Issue(usize),
}

struct Numbered {
    /// Every arrival and issue, in the order they are written.
    events: Vec<Event>,
    arrival_numbers: Vec<i64>,
    /// Per outgoing document: series, number and the number and symbol.
    outgoing: Vec<(i64, NumberAndSymbol)>,
}

fn number(
    plan: &Plan,
    rules: &[SeriesRule],
    agency_abbreviation: &str,
    staff: &Staff,
    counters_now: &HashMap<String, i64>,
) -> anyhow::Result<Numbered> {
    let mut events: Vec<(Moment, u8, Event)> = plan
        .incoming
        .iter()
        .enumerate()
        .map(|(i, p)| (p.arrival, 0, Event::Arrival(i)))
        .chain(
            plan.outgoing
                .iter()
                .enumerate()
                .map(|(i, p)| (p.issued, 1, Event::Issue(i))),
        )
        .collect();
    events.sort();
    let mut next_arrival = counters_now.get(counters::ARRIVAL).copied().unwrap_or(0);
    let mut arrival_numbers = vec![0; plan.incoming.len()];
    let mut series_next: HashMap<i64, i64> = HashMap::new();
    let mut outgoing = vec![
        (
            0,
            NumberAndSymbol {
                number: 1,
                symbol: String::new()
            }
        );
        plan.outgoing.len()
    ];
    for (_, _, event) in &events {
        match *event {
            Event::Arrival(i) => {
                next_arrival += 1;
                arrival_numbers[i] = next_arrival;
            }
            Event::Issue(i) => {
                let document = &plan.outgoing[i];
                let series = pick_series(rules, document.type_code, document.secrecy)
                    .context("choosing the numbering series of a demo document")?;
                let next = series_next.entry(series).or_insert_with(|| {
                    counters_now
                        .get(&counters::series(series))
                        .copied()
                        .unwrap_or(0)
                });
                *next += 1;
                let doc_type = DocumentType::by_code(document.type_code)
                    .map_err(|e| anyhow::anyhow!("{e}: {}", document.type_code))?;
                let symbol = outgoing_symbol(
                    doc_type,
                    agency_abbreviation,
                    staff.units[document.unit].symbol,
                );
                outgoing[i] = (
                    series,
                    NumberAndSymbol {
                        number: u32::try_from(*next)?,
                        symbol,
                    },
                );
            }
        }
    }
    Ok(Numbered {
        events: events.into_iter().map(|(_, _, e)| e).collect(),
        arrival_numbers,
        outgoing,
    })
}

fn summarise(
    plan: &Plan,
    year: i32,
    as_of: NaiveDate,
    calendar: &WorkingCalendar,
) -> DocumentSummary {
    let mut summary = DocumentSummary {
        year,
        as_of: Some(as_of),
        incoming: plan.incoming.len(),
        outgoing: plan.outgoing.len(),
        replies: plan
            .outgoing
            .iter()
            .filter(|o| o.reply_to.is_some())
            .count(),
        ..DocumentSummary::default()
    };
    let soon = calendar.add_working_days(as_of, 3).unwrap_or(as_of);
    for document in &plan.incoming {
        match document.kind {
            DocumentKind::DeputyQuestion => summary.deputy_questions += 1,
            DocumentKind::ConclusionNotice => summary.conclusion_notices += 1,
            DocumentKind::VoterPetition => match document.petition_source {
                Some(PetitionSource::PetitionsCommittee) => {
                    summary.petitions_from_petitions_committee += 1
                }
                Some(PetitionSource::GovernmentOffice) => {
                    summary.petitions_from_government_office += 1
                }
                Some(PetitionSource::FatherlandFront) => {
                    summary.petitions_from_fatherland_front += 1
                }
                _ => {}
            },
            DocumentKind::Ordinary => {}
        }
        match document.status() {
            IncomingStatus::Registered => summary.registered += 1,
            IncomingStatus::AwaitingInstruction => summary.awaiting_instruction += 1,
            IncomingStatus::InProgress => summary.in_progress += 1,
            IncomingStatus::Done => summary.done += 1,
        }
        if let Some(state) = document.lead_assignment().map(PlannedAssignment::state) {
            if state.status.is_open() {
                match state.due {
                    Some(due) if due < as_of => summary.overdue += 1,
                    Some(due) if due <= soon => summary.due_soon += 1,
                    _ => {}
                }
            }
        }
    }
    summary.conclusion_notices += plan
        .outgoing
        .iter()
        .filter(|o| o.kind == DocumentKind::ConclusionNotice)
        .count();
    summary
}

// ---------------------------------------------------------------------------------------
// Writing.

struct WriteContext<'a> {
    plan: &'a Plan,
    numbered: &'a Numbered,
    staff: &'a Staff,
    agency_name: &'a str,
    agency_abbreviation: &'a str,
    year: i32,
    /// Notifications are written for what happened from here to the demo's "today".
    notify_from: Moment,
    attachment_share: f64,
}

impl WriteContext<'_> {
    /// Whether the document of `event` gets its PDF: the same documents for the same
    /// share, spread evenly through the year.
    fn has_attachment(&self, event: Event) -> bool {
        if self.attachment_share >= 1.0 {
            return true;
        }
        let key = match event {
            Event::Arrival(i) => 2 * i as u64,
            Event::Issue(i) => 2 * i as u64 + 1,
        };
        let spread = key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
        (spread as f64) / ((1u64 << 53) as f64) < self.attachment_share
    }
}

/// Ids written so far, for links between documents written in different batches.
#[derive(Default)]
struct Written {
    incoming_ids: HashMap<usize, i64>,
    /// The lead assignment awaiting its reply: id and its state before finishing.
    pending_finish: HashMap<usize, (i64, AssignmentState, AssignmentState)>,
}

async fn write(
    db: &Db,
    blobs: &BlobStore,
    context: &WriteContext<'_>,
    options: &DocumentOptions,
    progress: &dyn Fn(u64, u64),
) -> anyhow::Result<()> {
    let events = &context.numbered.events;
    let total = events.len() as u64;
    progress(0, total);
    let mut written = Written::default();
    let batches: Vec<&[Event]> = events.chunks(options.batch_size.max(1)).collect();
    let parallel = options.parallel_uploads.max(1);
    // The attachments of the next batch are stored while this one is written.
    let mut stored = store_attachments(
        blobs,
        context,
        batches.first().copied().unwrap_or(&[]),
        parallel,
    )
    .await?;
    let mut done = 0u64;
    for (index, batch) in batches.iter().enumerate() {
        let next = batches.get(index + 1).copied().unwrap_or(&[]);
        let (next_stored, ()) = futures::try_join!(
            store_attachments(blobs, context, next, parallel),
            write_batch(db, context, batch, &stored, &mut written),
        )?;
        stored = next_stored;
        done += batch.len() as u64;
        progress(done, total);
    }
    Ok(())
}

async fn store_attachments(
    blobs: &BlobStore,
    context: &WriteContext<'_>,
    batch: &[Event],
    parallel: usize,
) -> anyhow::Result<Vec<Option<StoredBlob>>> {
    let files: Vec<Option<Vec<u8>>> = batch
        .iter()
        .map(|e| {
            context
                .has_attachment(*e)
                .then(|| attachment_pdf(context, *e))
        })
        .collect();
    futures::stream::iter(files.into_iter().map(|bytes| async move {
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        let body = futures::stream::iter([Ok::<_, std::io::Error>(bytes.into())]);
        blobs
            .put_stream(body)
            .await
            .map(Some)
            .context("storing a demo attachment")
    }))
    .buffered(parallel)
    .try_collect()
    .await
}

async fn write_batch(
    db: &Db,
    context: &WriteContext<'_>,
    batch: &[Event],
    stored: &[Option<StoredBlob>],
    written: &mut Written,
) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    for (event, blob) in batch.iter().zip(stored) {
        match *event {
            Event::Arrival(i) => {
                write_incoming(&mut tx, context, i, blob.as_ref(), written).await?
            }
            Event::Issue(i) => write_outgoing(&mut tx, context, i, blob.as_ref(), written).await?,
        }
    }
    tx.commit().await?;
    Ok(())
}

fn file_name(number_symbol: &NumberAndSymbol) -> String {
    format!("{}.pdf", number_symbol.to_string().replace('/', "-"))
}

async fn write_incoming(
    tx: &mut Tx,
    context: &WriteContext<'_>,
    index: usize,
    blob: Option<&StoredBlob>,
    written: &mut Written,
) -> anyhow::Result<()> {
    let plan = &context.plan.incoming[index];
    let staff = context.staff;
    let clerk = &staff.clerks[plan.clerk];
    let clerk_origin = staff.origin(clerk.id);
    let new = NewIncoming {
        kind: plan.kind,
        type_code: plan.type_code.to_owned(),
        number_symbol: plan.number_symbol.clone(),
        document_date: Some(plan.document_date),
        subject: plan.subject.clone(),
        pages: Some(plan.pages),
        urgency: plan.urgency,
        secrecy: plan.secrecy,
        signer_name: plan.signer_name.clone(),
        sender: plan.sender.clone(),
        arrival_date: plan.arrival.date(),
        receiving_unit: Some(staff.units[staff.unit("HCVT")].id),
        due_date: plan.due_date,
        petition_source: plan.petition_source,
        deputy_name: plan.deputy_name.clone(),
        notes: String::new(),
        attachments: blob
            .map(|blob| NewAttachment {
                blob: blob.clone(),
                file_name: file_name(&plan.number_symbol),
                role: "main",
                draft_version: None,
            })
            .into_iter()
            .collect(),
    };
    let mut document = register_in_tx(tx, &clerk_origin, &new)
        .await
        .with_context(|| format!("registering the demo document {}", plan.number_symbol))?;
    let expected = context.numbered.arrival_numbers[index];
    ensure!(
        document.arrival_number == Some(expected),
        "the arrival counter gave {:?} where the demo expected {expected}; was something registered meanwhile?",
        document.arrival_number
    );
    let id = document.id;
    written.incoming_ids.insert(index, id);
    let mut last_change = plan.arrival;

    // What happened, in order: submission, routings, steps. Rows first, then events.
    enum Happening<'p> {
        Submit(UserId),
        Route(usize),
        Step(usize, usize, &'p Step),
    }
    let mut happenings: Vec<(Moment, u8, Happening)> = Vec::new();
    if let Some((at, leader)) = plan.submitted {
        happenings.push((at, 0, Happening::Submit(leader)));
    }
    let mut assignment_ids: Vec<Vec<i64>> = Vec::new();
    let lead = plan.lead();
    for (r, routing) in plan.routings.iter().enumerate() {
        happenings.push((routing.at, 1, Happening::Route(r)));
        let mut ids = Vec::new();
        for (p, part) in routing.parts.iter().enumerate() {
            let state = part.state();
            let is_reply_lead = lead == Some((r, p)) && plan.reply.is_some();
            let result = if is_reply_lead {
                reply_result(context, plan)
            } else {
                state.result.clone()
            };
            let assignment_id: i64 = on_tx!(tx, conn => {
                sqlx::query_scalar(
                    "INSERT INTO assignments (document_id, unit_id, role, status, instruction, due_date, handler_user_id, \
                     assigned_by, assigned_at, finished_at, result, last_progress_at, version) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                )
                .bind(id)
                .bind(staff.units[part.unit].id.0)
                .bind(part.role.code())
                .bind(state.status.code())
                .bind(&routing.instruction)
                .bind(state.due)
                .bind(state.handler.map(|h| h.0))
                .bind(routing.leader.0)
                .bind(utc(routing.at))
                .bind(state.finished_at.map(utc))
                .bind(&result)
                .bind(state.last_progress_at.map(utc))
                .bind(1 + part.steps.len() as i64)
                .fetch_one(&mut *conn)
                .await?
            });
            for step in &part.steps {
                if let StepKind::Progress { note, percent } = &step.kind {
                    on_tx!(tx, conn => {
                        sqlx::query(
                            "INSERT INTO progress_notes (assignment_id, user_id, note, percent, created_at) \
                             VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(assignment_id)
                        .bind(step.actor.0)
                        .bind(*note)
                        .bind(*percent)
                        .bind(utc(step.at))
                        .execute(&mut *conn)
                        .await?;
                    });
                }
                happenings.push((step.at, 2, Happening::Step(r, p, step)));
            }
            ids.push(assignment_id);
        }
        assignment_ids.push(ids);
    }
    for task in &plan.tasks {
        write_task(tx, context, id, task, &staff.origin(clerk.id)).await?;
    }
    happenings.sort_by_key(|(at, order, _)| (*at, *order));

    let mut states: Vec<Vec<AssignmentState>> = plan
        .routings
        .iter()
        .map(|r| {
            r.parts
                .iter()
                .map(PlannedAssignment::initial_state)
                .collect()
        })
        .collect();
    let mut version = document.version;
    for (at, _, happening) in happenings {
        last_change = last_change.max(at);
        match happening {
            Happening::Submit(leader) => {
                let before = document.snapshot();
                version += 1;
                document.status = IncomingStatus::AwaitingInstruction.code().to_owned();
                document.leader_user_id = Some(leader.0);
                document.version = version;
                audit::append(
                    tx,
                    &clerk_origin,
                    Change {
                        action: "document.submit_to_leader",
                        object_kind: "document",
                        object_id: id.to_string(),
                        before: Some(before),
                        after: Some(document.snapshot()),
                        details: json!({"leader_user_id": leader.0}),
                    },
                )
                .await?;
            }
            Happening::Route(r) => {
                let routing = &plan.routings[r];
                let before = document.snapshot();
                version += 1;
                document.status = IncomingStatus::InProgress.code().to_owned();
                document.version = version;
                let lead_due = routing
                    .parts
                    .iter()
                    .find(|p| p.role == AssignmentRole::Lead)
                    .and_then(|p| p.due);
                if document.due_date.is_none() {
                    document.due_date = lead_due;
                }
                let parts: Vec<serde_json::Value> = routing
                    .parts
                    .iter()
                    .map(|p| json!({"unit_id": staff.units[p.unit].id.0, "role": p.role.code(), "due_date": p.due}))
                    .collect();
                audit::append(
                    tx,
                    &staff.origin(routing.leader),
                    Change {
                        action: "document.route",
                        object_kind: "document",
                        object_id: id.to_string(),
                        before: Some(before),
                        after: Some(document.snapshot()),
                        details: json!({"instruction": routing.instruction, "parts": parts}),
                    },
                )
                .await?;
            }
            Happening::Step(r, p, step) => {
                let assignment_id = assignment_ids[r][p];
                let before = states[r][p].clone();
                states[r][p].apply(step);
                let after = states[r][p].clone();
                let is_reply_lead = lead == Some((r, p)) && plan.reply.is_some();
                if is_reply_lead && matches!(step.kind, StepKind::Finish { .. }) {
                    // Recorded when the reply is issued, with the reply's id.
                    written
                        .pending_finish
                        .insert(index, (assignment_id, before, after));
                    continue;
                }
                let (action, details) = match &step.kind {
                    StepKind::NameHandler { handler } => (
                        "assignment.name_handler",
                        json!({"handler_user_id": handler.0}),
                    ),
                    StepKind::Progress { note, percent } => (
                        "assignment.progress",
                        json!({"note": note, "percent": percent}),
                    ),
                    StepKind::Extend { due, reason } => (
                        "assignment.extend",
                        json!({"due_date": due, "reason": reason}),
                    ),
                    StepKind::Finish { result } => (
                        "assignment.finish",
                        json!({"result": result, "reply_document_id": null}),
                    ),
                    StepKind::Return { reason } => ("assignment.return", json!({"reason": reason})),
                };
                audit::append(
                    tx,
                    &staff.origin(step.actor),
                    Change {
                        action,
                        object_kind: "document",
                        object_id: id.to_string(),
                        before: Some(before.audit_json(assignment_id)),
                        after: Some(after.audit_json(assignment_id)),
                        details,
                    },
                )
                .await?;
            }
        }
    }
    write_notifications(tx, context, id, plan).await?;
    // The overall status follows the assignments, as the store's refresh does.
    let status = plan.status();
    if status.code() != document.status {
        version += 1;
    }
    let created = utc(plan.arrival);
    on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE documents SET status = $1, leader_user_id = $2, due_date = $3, version = $4, \
             created_at = $5, receipt_acknowledged_at = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(status.code())
        .bind(document.leader_user_id)
        .bind(document.due_date)
        .bind(version)
        .bind(created)
        .bind(utc(last_change))
        .bind(id)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE document_attachments SET created_at = $1 WHERE document_id = $2")
            .bind(created)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    });
    Ok(())
}

/// The notifications of the last working days about what still waits for someone on the
/// demo's "today", unread, as the store's routing would have sent them.
async fn write_notifications(
    tx: &mut Tx,
    context: &WriteContext<'_>,
    id: i64,
    plan: &IncomingPlan,
) -> anyhow::Result<()> {
    let recent = context.notify_from;
    let title: String = format!("{} — {}", plan.number_symbol, plan.subject)
        .chars()
        .take(300)
        .collect();
    let mut notifications: Vec<(UserId, &str, String, Moment)> = Vec::new();
    if plan.status() == IncomingStatus::AwaitingInstruction {
        if let Some((at, leader)) = plan.submitted.filter(|(at, _)| *at >= recent) {
            notifications.push((leader, "document.awaiting_instruction", title.clone(), at));
        }
    }
    for routing in &plan.routings {
        for part in &routing.parts {
            let state = part.state();
            match state.status {
                AssignmentStatus::Assigned if routing.at >= recent => {
                    for leader in &context.staff.units[part.unit].leaders {
                        notifications.push((
                            leader.id,
                            "document.assigned",
                            title.clone(),
                            routing.at,
                        ));
                    }
                }
                AssignmentStatus::HandlerAssigned | AssignmentStatus::InProgress => {
                    let named = part.steps.iter().find_map(|s| match s.kind {
                        StepKind::NameHandler { handler } => Some((handler, s.at)),
                        _ => None,
                    });
                    if let Some((handler, at)) = named.filter(|(_, at)| *at >= recent) {
                        notifications.push((
                            handler,
                            "document.handler_named",
                            format!("Được giao xử lý văn bản #{id}"),
                            at,
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    for (user, kind, title, at) in notifications {
        let at = utc(at);
        on_tx!(tx, conn => {
            sqlx::query(
                "INSERT INTO notifications (user_id, kind, title, link, dedupe_key, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, dedupe_key) DO NOTHING",
            )
            .bind(user.0)
            .bind(kind)
            .bind(&title)
            .bind(format!("/documents/{id}"))
            .bind(format!("{kind}:{id}:{}", at.timestamp_micros()))
            .bind(at)
            .execute(&mut *conn)
            .await?;
        });
    }
    Ok(())
}

fn reply_result(context: &WriteContext<'_>, plan: &IncomingPlan) -> String {
    match plan.reply {
        Some(j) => {
            let (_, number_symbol) = &context.numbered.outgoing[j];
            let issued = context.plan.outgoing[j].issued.date();
            format!(
                "Đã trả lời bằng văn bản số {number_symbol} ngày {}.",
                vietnamese_date(issued)
            )
        }
        None => String::new(),
    }
}

async fn write_task(
    tx: &mut Tx,
    context: &WriteContext<'_>,
    document_id: i64,
    task: &PlannedTask,
    origin: &Origin,
) -> anyhow::Result<()> {
    let unit_id = context.staff.units[task.unit].id.0;
    let task_id: i64 = on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO conclusion_tasks (document_id, description, unit_id, due_date, done_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(document_id)
        .bind(&task.description)
        .bind(unit_id)
        .bind(task.due)
        .bind(task.done.map(utc))
        .bind(utc(task.created))
        .fetch_one(&mut *conn)
        .await?
    });
    // The same events as the store's `tasks::add` and `tasks::complete`.
    audit::append(
        tx,
        origin,
        Change {
            action: "conclusion_task.add",
            object_kind: "document",
            object_id: document_id.to_string(),
            before: None,
            after: Some(
                json!({"task_id": task_id, "description": task.description, "unit_id": unit_id,
                               "due_date": task.due}),
            ),
            details: json!({"task_id": task_id}),
        },
    )
    .await?;
    if task.done.is_some() {
        audit::append(
            tx,
            origin,
            Change {
                action: "conclusion_task.complete",
                object_kind: "document",
                object_id: document_id.to_string(),
                before: None,
                after: None,
                details: json!({"task_id": task_id}),
            },
        )
        .await?;
    }
    Ok(())
}

async fn write_outgoing(
    tx: &mut Tx,
    context: &WriteContext<'_>,
    index: usize,
    blob: Option<&StoredBlob>,
    written: &mut Written,
) -> anyhow::Result<()> {
    let plan = &context.plan.outgoing[index];
    let staff = context.staff;
    let unit = &staff.units[plan.unit];
    let (series, number_symbol) = &context.numbered.outgoing[index];
    let number = counters::next(tx, &counters::series(*series), context.year).await?;
    ensure!(
        number == i64::from(number_symbol.number),
        "the counter of series {series} gave {number} where the demo expected {}; was something issued meanwhile?",
        number_symbol.number
    );
    let recipients_text = recipients_text(plan, unit.symbol);
    // As the store's `search_text`: the subject and the number and symbol, folded.
    let search_text =
        vanphong_core::text::fold(&format!("{} {}", plan.subject, number_symbol.search_text()));
    let issued = plan.issued.date();
    let copies = plan.recipients.len() as i64 + plan.also_to.len() as i64 + 1;
    let document: Document = on_tx!(tx, conn => {
        sqlx::query_as(
            "INSERT INTO documents (direction, kind, type_code, number, symbol, number_symbol, duplicate_key, document_date, \
             subject, pages, urgency, secrecy, signer_name, signer_position, signing_authority, status, owner_unit_id, \
             drafter_user_id, series_id, issue_year, issued_on, recipients_text, copies, notes, search_text, version, \
             created_by, created_at, updated_at) \
             VALUES ('outgoing', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'issued', $15, $16, $17, \
             $18, $19, $20, $21, '', $22, 1, $23, $24, $25) RETURNING *",
        )
        .bind(plan.kind.code())
        .bind(plan.type_code)
        .bind(i64::from(number_symbol.number))
        .bind(&number_symbol.symbol)
        .bind(number_symbol.to_string())
        .bind(number_symbol.duplicate_key())
        .bind(issued)
        .bind(&plan.subject)
        .bind(plan.pages)
        .bind(plan.urgency.rank())
        .bind(i64::from(plan.secrecy.rank()))
        .bind(&plan.signer.name)
        .bind(&plan.signer.position)
        .bind(plan.signer.authority)
        .bind(unit.id.0)
        .bind(plan.drafter.0)
        .bind(*series)
        .bind(i64::from(context.year))
        .bind(issued)
        .bind(&recipients_text)
        .bind(copies)
        .bind(&search_text)
        .bind(plan.drafter.0)
        .bind(utc(plan.drafted))
        .bind(utc(plan.issued))
        .fetch_one(&mut *conn)
        .await?
    });
    let id = document.id;
    let clerk = &staff.clerks[plan.clerk];
    if let Some(blob) = blob {
        blobs::record(tx, blob).await?;
        on_tx!(tx, conn => {
            sqlx::query(
                "INSERT INTO document_attachments (document_id, sha256, file_name, content_type, size, role, draft_version, \
                 uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, 'main', NULL, $6, $7)",
            )
            .bind(id)
            .bind(&blob.sha256)
            .bind(file_name(number_symbol))
            .bind(&blob.content_type)
            .bind(blob.size)
            .bind(clerk.id.0)
            .bind(utc(plan.issued))
            .execute(&mut *conn)
            .await?;
        });
    }
    on_tx!(tx, conn => {
        for (organisation, _) in &plan.recipients {
            if let Some(organisation) = organisation {
                // `external`: sent outside the system and recorded, as the store's issue does.
                sqlx::query(
                    "INSERT INTO dispatches (document_id, recipient_organisation_id, sent_at, method) \
                     VALUES ($1, $2, $3, 'external')",
                )
                .bind(id)
                .bind(organisation.0)
                .bind(utc(plan.issued + Duration::minutes(20)))
                .execute(&mut *conn)
                .await?;
            }
        }
    });
    let reply_to = plan
        .reply_to
        .and_then(|i| written.incoming_ids.get(&i).copied());
    audit::append(
        tx,
        &staff.origin(clerk.id),
        Change {
            action: "document.issue",
            object_kind: "document",
            object_id: id.to_string(),
            before: None,
            after: Some(document.snapshot()),
            details: json!({"series_id": series, "year": context.year, "number": number,
                            "number_symbol": document.number_symbol, "issued_on": issued, "signed_files": usize::from(blob.is_some()),
                            "dispatched_units": [], "reply_to": reply_to,
                            "dispatched_organisations": plan.recipients.iter().filter_map(|(o, _)| o.map(|o| o.0)).collect::<Vec<_>>()}),
        },
    )
    .await?;
    for task in &plan.tasks {
        write_task(tx, context, id, task, &staff.origin(clerk.id)).await?;
    }
    if let (Some(incoming_index), Some(incoming_id)) = (plan.reply_to, reply_to) {
        let (assignment_id, before, after) = written
            .pending_finish
            .remove(&incoming_index)
            .context("a demo reply whose lead assignment was not written")?;
        on_tx!(tx, conn => {
            sqlx::query("UPDATE assignments SET reply_document_id = $1 WHERE id = $2")
                .bind(id)
                .bind(assignment_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO document_links (document_id, related_id, kind, created_at) VALUES ($1, $2, 'reply_to', $3)",
            )
            .bind(id)
            .bind(incoming_id)
            .bind(utc(plan.issued))
            .execute(&mut *conn)
            .await?;
        });
        let incoming = &context.plan.incoming[incoming_index];
        let handler = after.handler.or(before.handler).unwrap_or(plan.drafter);
        audit::append(
            tx,
            &staff.origin(handler),
            Change {
                action: "assignment.finish",
                object_kind: "document",
                object_id: incoming_id.to_string(),
                before: Some(before.audit_json(assignment_id)),
                after: Some(after.audit_json(assignment_id)),
                details: json!({"result": reply_result(context, incoming), "reply_document_id": id}),
            },
        )
        .await?;
    }
    Ok(())
}

/// The "Nơi nhận" block as one line: recipients, others informed, the file copies.
fn recipients_text(plan: &OutgoingPlan, unit_symbol: &str) -> String {
    let mut lines: Vec<String> = match &plan.recipients_label {
        Some(label) => vec![label.clone()],
        None => plan
            .recipients
            .iter()
            .map(|(_, name)| name.clone())
            .collect(),
    };
    lines.extend(plan.also_to.iter().cloned());
    lines.push(format!("Lưu: VT, {unit_symbol}."));
    lines.join("; ")
}

// ---------------------------------------------------------------------------------------
// Attachments: a one-page PDF 1.4 per document, showing what the paper would.

fn attachment_pdf(context: &WriteContext<'_>, event: Event) -> Vec<u8> {
    let mut lines = Vec::new();
    match event {
        Event::Arrival(i) => {
            let plan = &context.plan.incoming[i];
            lines.push(plan.sender_name.to_uppercase());
            lines.push(format!("So: {}", plan.number_symbol));
            lines.push(format!("Ngay {}", vietnamese_date(plan.document_date)));
            lines.push(String::new());
            lines.extend(wrap(&plan.subject, 80));
            lines.push(String::new());
            lines.push(format!("Nguoi ky: {}", plan.signer_name));
            lines.push(String::new());
            lines.push(format!(
                "DEN  So: {}  Ngay: {}",
                context.numbered.arrival_numbers[i],
                vietnamese_date(plan.arrival.date())
            ));
        }
        Event::Issue(j) => {
            let plan = &context.plan.outgoing[j];
            let (_, number_symbol) = &context.numbered.outgoing[j];
            lines.push(context.agency_name.to_uppercase());
            lines.push(format!("So: {number_symbol}"));
            lines.push(format!(
                "Ha Noi, ngay {}",
                vietnamese_date(plan.issued.date())
            ));
            lines.push(String::new());
            lines.extend(wrap(&plan.subject, 80));
            lines.push(String::new());
            let prefix = match plan.signer.authority {
                "kt" => "KT. TONG CUC TRUONG",
                "tl" => "TL. TONG CUC TRUONG",
                _ => "",
            };
            if !prefix.is_empty() {
                lines.push(prefix.to_owned());
            }
            lines.push(plan.signer.position.to_uppercase());
            lines.push(plan.signer.name.clone());
            lines.push(String::new());
            lines.extend(wrap(
                &format!(
                    "Noi nhan: {}",
                    recipients_text(plan, context.staff.units[plan.unit].symbol)
                ),
                80,
            ));
        }
    }
    lines.push(String::new());
    lines.push(format!(
        "Ban dien tu tao boi du lieu demo vanphong ({}), khong co gia tri phap ly.",
        context.agency_abbreviation
    ));
    pdf(&lines)
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + word.chars().count() + 1 > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Vietnamese letters without their marks, keeping capitals, for the standard PDF font.
fn ascii(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii() {
                return c;
            }
            let folded = vanphong_core::text::fold(c.encode_utf8(&mut [0; 4]))
                .chars()
                .next()
                .filter(char::is_ascii)
                .unwrap_or('?');
            if c.is_uppercase() {
                folded.to_ascii_uppercase()
            } else {
                folded
            }
        })
        .collect()
}

/// A one-page PDF with `lines` in Helvetica.
fn pdf(lines: &[String]) -> Vec<u8> {
    let mut content = String::from("BT\n/F1 11 Tf\n15 TL\n56 800 Td\n");
    for line in lines {
        let escaped = ascii(line)
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        content.push_str(&format!("({escaped}) '\n"));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
    ];
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (index, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", index + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use vanphong_store::testing::TestDb;
    use vanphong_store::Backend;

    const PASSWORD: &str = "mật khẩu demo 2025";

    async fn rows<T>(db: &Db, sql: &str) -> Vec<T>
    where
        T: Send + Unpin,
        for<'r> T:
            sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        on_pool!(db, pool => sqlx::query_as::<_, T>(sql).fetch_all(pool).await.unwrap())
    }

    async fn a_small_year_has_gap_free_numbers_tracked_kinds_and_an_intact_trail(backend: Backend) {
        let t = TestDb::new(backend).await;
        let organisation = super::super::load_organisation(&t.db, PASSWORD)
            .await
            .unwrap();
        let blobs = BlobStore::open(
            t.dir.path().join("blobs").to_str().unwrap(),
            &t.dir.path().join("uploads"),
            1 << 20,
        )
        .unwrap();
        let options = DocumentOptions {
            scale: 0.02,
            batch_size: 100,
            ..DocumentOptions::for_year(2020)
        };
        let calls = std::sync::Mutex::new(Vec::new());
        let summary = load_documents_with(&t.db, &blobs, &organisation, &options, &|d, n| {
            calls.lock().unwrap().push((d, n))
        })
        .await
        .unwrap();

        let expected_incoming = (SEED_INCOMING * 0.02).round() as usize;
        let expected_outgoing = (SEED_OUTGOING * 0.02).round() as usize;
        assert_eq!(
            (summary.incoming, summary.outgoing),
            (expected_incoming, expected_outgoing)
        );
        let total = (expected_incoming + expected_outgoing) as u64;
        let calls = calls.into_inner().unwrap();
        assert_eq!(calls.first(), Some(&(0, total)));
        assert_eq!(calls.last(), Some(&(total, total)));

        // Arrival numbers run 1..N without gaps, in the order documents arrived.
        let arrivals: Vec<(i64, NaiveDate)> = rows(
            &t.db,
            "SELECT arrival_number, arrival_date FROM documents WHERE direction = 'incoming' \
             AND arrival_year = 2020 ORDER BY arrival_number",
        )
        .await;
        let numbers: Vec<i64> = arrivals.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, (1..=expected_incoming as i64).collect::<Vec<_>>());
        assert!(arrivals.windows(2).all(|w| w[0].1 <= w[1].1));

        // Each outgoing series numbers 1..k without gaps.
        let issued: Vec<(i64, i64, String)> = rows(
            &t.db,
            "SELECT series_id, number, number_symbol FROM documents WHERE direction = 'outgoing' \
             AND issue_year = 2020 AND status = 'issued' ORDER BY series_id, number",
        )
        .await;
        assert_eq!(issued.len(), expected_outgoing);
        let mut by_series: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (series, number, _) in &issued {
            by_series.entry(*series).or_default().push(*number);
        }
        for (series, numbers) in &by_series {
            assert_eq!(
                numbers,
                &(1..=numbers.len() as i64).collect::<Vec<_>>(),
                "series {series}"
            );
        }
        assert!(
            by_series.contains_key(&2),
            "decisions have their own series"
        );
        assert!(issued
            .iter()
            .any(|(_, _, s)| s.ends_with("/QĐ-TCMT") || s.contains("/TCMT-")));

        // The seed's tracked documents, with the petitions' sources.
        let tracked: Vec<(String, Option<String>, i64)> = rows(
            &t.db,
            "SELECT kind, petition_source, COUNT(*) FROM documents WHERE direction = 'incoming' \
             AND kind <> 'ordinary' GROUP BY kind, petition_source ORDER BY kind, petition_source",
        )
        .await;
        let count = |kind: &str, source: Option<&str>| {
            tracked
                .iter()
                .find(|(k, s, _)| k == kind && s.as_deref() == source)
                .map_or(0, |(_, _, n)| *n)
        };
        assert_eq!(count("deputy_question", None), 12);
        assert_eq!(count("voter_petition", Some("petitions_committee")), 71);
        assert_eq!(count("voter_petition", Some("government_office")), 6);
        assert_eq!(count("voter_petition", Some("fatherland_front")), 7);
        assert!(count("conclusion_notice", None) > 0);
        let deputies: Vec<(String, Option<NaiveDate>)> = rows(
            &t.db,
            "SELECT deputy_name, due_date FROM documents WHERE kind = 'deputy_question'",
        )
        .await;
        assert!(deputies
            .iter()
            .all(|(name, due)| !name.is_empty() && due.is_some()));

        // Every incoming document has a unit that keeps it; routed ones have one lead at a
        // time and a named handler once past the unit leader.
        let unowned: Vec<(i64,)> = rows(
            &t.db,
            "SELECT COUNT(*) FROM documents WHERE direction = 'incoming' AND owner_unit_id IS NULL",
        )
        .await;
        assert_eq!(unowned[0].0, 0);
        let statuses: Vec<(String, i64)> = rows(
            &t.db,
            "SELECT status, COUNT(*) FROM documents WHERE direction = 'incoming' GROUP BY status",
        )
        .await;
        let status = |s: &str| statuses.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
        assert!(status("done") > status("in_progress"));
        assert!(status("in_progress") > 0, "some work is still open");
        let handled_without_handler: Vec<(i64,)> = rows(
            &t.db,
            "SELECT COUNT(*) FROM assignments WHERE status IN ('handler_assigned', 'in_progress', 'done') \
             AND handler_user_id IS NULL",
        )
        .await;
        assert_eq!(handled_without_handler[0].0, 0);

        // Replies are linked both ways.
        let replies: Vec<(i64, i64)> = rows(
            &t.db,
            "SELECT a.reply_document_id, a.document_id FROM assignments a WHERE a.reply_document_id IS NOT NULL",
        )
        .await;
        assert_eq!(replies.len(), summary.replies);
        assert!(summary.replies > expected_outgoing / 3);
        let links: Vec<(i64, i64)> = rows(
            &t.db,
            "SELECT document_id, related_id FROM document_links WHERE kind = 'reply_to'",
        )
        .await;
        let mut replies_sorted = replies.clone();
        replies_sorted.sort_unstable();
        let mut links_sorted = links.clone();
        links_sorted.sort_unstable();
        assert_eq!(replies_sorted, links_sorted);

        // Every document has its PDF.
        let attachments: Vec<(String, String)> = rows(
            &t.db,
            "SELECT sha256, content_type FROM document_attachments",
        )
        .await;
        assert_eq!(attachments.len(), expected_incoming + expected_outgoing);
        assert!(attachments.iter().all(|(_, t)| t == "application/pdf"));
        let pdf = blobs.read_all(&attachments[0].0).await.unwrap();
        assert!(pdf.starts_with(b"%PDF-1.4") && pdf.ends_with(b"%%EOF\n"));

        let report = audit::verify(&t.db, |_| {}).await.unwrap();
        assert!(report.is_intact(), "{:?}", report.breaks);

        let again = load_documents_with(&t.db, &blobs, &organisation, &options, &|_, _| {})
            .await
            .unwrap_err();
        assert!(again.to_string().contains("already holds"), "{again}");

        // Another year, with a PDF for about half the documents only.
        let half = DocumentOptions {
            attachment_share: 0.5,
            ..DocumentOptions {
                scale: 0.005,
                ..DocumentOptions::for_year(2019)
            }
        };
        let summary = load_documents_with(&t.db, &blobs, &organisation, &half, &|_, _| {})
            .await
            .unwrap();
        let documents = summary.incoming + summary.outgoing;
        assert!(
            summary.attachments > documents / 4 && summary.attachments < documents * 3 / 4,
            "{} of {documents}",
            summary.attachments
        );
        let attached: Vec<(i64,)> = rows(
            &t.db,
            "SELECT COUNT(*) FROM document_attachments a JOIN documents d ON d.id = a.document_id \
             WHERE COALESCE(d.arrival_year, d.issue_year) = 2019",
        )
        .await;
        assert_eq!(attached[0].0 as usize, summary.attachments);
        let arrivals_2019: Vec<(i64,)> = rows(
            &t.db,
            "SELECT MAX(arrival_number) FROM documents WHERE arrival_year = 2019",
        )
        .await;
        assert_eq!(
            arrivals_2019[0].0 as usize, summary.incoming,
            "each year counts from 1"
        );
        let report = audit::verify(&t.db, |_| {}).await.unwrap();
        assert!(report.is_intact(), "{:?}", report.breaks);
    }

    vanphong_store::on_both_backends!(
        a_small_year_has_gap_free_numbers_tracked_kinds_and_an_intact_trail,
    );

    #[test]
    fn the_generated_pdf_has_a_correct_cross_reference_table() {
        let pdf = pdf(&["Công văn số 07/TCMT-VP (thử)".to_owned()]);
        let find = |needle: &[u8]| pdf.windows(needle.len()).rposition(|w| w == needle);
        let after_startxref = find(b"startxref\n").unwrap() + b"startxref\n".len();
        let start: usize = std::str::from_utf8(&pdf[after_startxref..])
            .unwrap()
            .lines()
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(pdf[start..].starts_with(b"xref\n0 6\n"));
        let table = std::str::from_utf8(&pdf[start..]).unwrap();
        for (index, line) in table.lines().skip(3).take(5).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            let object = format!("{} 0 obj", index + 1);
            assert!(pdf[offset..].starts_with(object.as_bytes()), "{object}");
        }
        assert!(find(b"(Cong van so 07/TCMT-VP \\(thu\\)) '").is_some());
    }
}
