//! Workbooks the station hands out: built in memory from data already read,
//! so the web and the command line send the same bytes.

pub mod import_errors;
pub mod summary;
