//! Domain rules: plain types and functions, no I/O.
//!
//! Everything that decides whether data is acceptable lives here, so that it can
//! be tested without a database and trusted by the rest of the program once parsed.

pub mod account;
pub mod activity;
pub mod announcement;
pub mod assessment;
pub mod care;
pub mod category;
pub mod clock;
pub mod erasure;
pub mod error_code;
pub mod field;
pub mod gender;
pub mod geo;
pub mod grids;
pub mod id_number;
pub mod input;
pub mod lang;
pub mod matching;
pub mod mentoring;
pub mod needs;
pub mod password;
pub mod phone;
pub mod photo;
pub mod points;
pub mod recruitment;
pub mod region;
pub mod report;
pub mod roster;
pub mod service;
pub mod team;
pub mod text;
pub mod totp;
#[cfg(test)]
mod unicode_tests;
pub mod validation;
pub mod volunteer;
