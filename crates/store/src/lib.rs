//! Persistence for vanphong: one API over SQLite (the embedded default) and PostgreSQL
//! (the cluster), the migrations of both, the content-addressed blob store, and backups.
//!
//! Each use case opens one transaction, asks `vanphong-core` for the rule or transition,
//! writes, appends its audit event in the same transaction, and commits.

#[macro_use]
mod macros;

pub mod api_keys;
pub mod audit;
pub mod backup;
pub mod blobs;
pub mod calendar;
pub mod db;
pub mod documents;
pub mod dossiers;
pub mod error;
pub mod hotline;
pub mod jobs;
pub mod migrate_data;
pub mod news;
pub mod notifications;
pub mod org;
pub mod report_archive;
pub mod reports;
pub mod search;
pub mod sessions;
pub mod users;
pub mod work_files;

#[cfg(feature = "testing")]
pub mod testing;

pub use db::{Backend, Db, Tx};
pub use error::{StoreError, StoreResult};

/// Vietnam's time zone (UTC+7, no daylight saving): the day a moment falls on.
pub(crate) fn vietnam() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// Now, rounded to microseconds: both backends keep microseconds, so values read back
/// compare equal to what was written.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
