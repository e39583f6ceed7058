//! Laobing (老兵): a town's veterans' volunteer service, in one program.
//!
//! `domain` holds the rules, `store` the SQL, `app` the use cases, `web` the
//! API and pages over them, `cli` the commands that wire them together.

pub mod app;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod notify;
pub mod store;
pub mod synthetic;
pub mod web;
pub mod workbooks;

/// Today's date where the towns are (UTC+8), which decides "today" for rules
/// such as "a discharge date cannot be in the future".
pub fn today_local() -> chrono::NaiveDate {
    domain::clock::today()
}
