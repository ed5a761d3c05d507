//! The domain of vanphong: types parsed at the edge, rules, state transitions and deadline
//! arithmetic. This crate does no IO: no database, no HTTP, no files, no clock reads of its own.

pub mod attachment;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod document;
pub mod dossier;
pub mod hotline;
pub mod ids;
pub mod news;
pub mod org;
pub mod permission;
pub mod report;
pub mod search;
pub mod text;
pub mod work_file;
