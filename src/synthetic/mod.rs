//! Made-up data at benchmark scale, never a town's real data: a whole county
//! for the summary report, and roster workbooks for the import. The demo town
//! people try the program with is `demo`.

pub mod county;
pub mod roster;

pub use county::{synthetic_county, CountyLoad};
pub use roster::roster_workbook;
