//! Reading a roster (花名册) as town offices keep it: an Excel workbook (.xlsx
//! or the older .xls) or a csv, with an instructions sheet in front or one
//! sheet per village, title rows and 填表单位 lines above a header that may
//! span two rows, column names that vary from town to town, and the habits
//! Excel and hurried typing leave behind.
//!
//! Every data row becomes either a `VolunteerDraft` (checked by the same
//! `volunteer::validate` as the API's create) or a list of errors naming the
//! sheet, the sheet's own row number, the header as written, the person and
//! what to do about it.

use super::id_number::IdNumberError;
use super::text::{fold_width, tidy};
use super::validation::{label, Problem};
use super::volunteer::{self, Gender, VolunteerDraft};
use chrono::{Datelike, Days, NaiveDate};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

/// One cell as read from a workbook or a csv.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// Numbers, and dates as Excel stores them (days since 1899-12-30).
    Number(f64),
}

impl Cell {
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            Cell::Number(_) => false,
        }
    }

    /// The cell as text; whole numbers without a decimal point.
    pub fn text(&self) -> Option<String> {
        match self {
            Cell::Empty => None,
            Cell::Text(s) => Some(tidy(s)).filter(|t| !t.is_empty()),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", *n as i64)),
            Cell::Number(n) => Some(n.to_string()),
        }
    }
}

/// One worksheet: `rows[i][j]` is the cell at the sheet's row `first_row + i`
/// (1-based, as Excel shows it) and column `first_col + j` (0-based).
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    pub first_row: u32,
    pub first_col: u32,
    pub rows: Vec<Vec<Cell>>,
    /// Cells (row, column index into `rows`) that Excel formats as dates.
    pub dates: std::collections::HashSet<(usize, usize)>,
}

/// Every sheet of a workbook, in the workbook's order (a csv is one sheet).
#[derive(Debug, Clone, Default)]
pub struct Book {
    pub sheets: Vec<Sheet>,
}

/// What kind of file the bytes are, by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `.xlsx`: a zip.
    Xlsx,
    /// `.xls` (Excel 97–2003): an OLE compound file.
    Xls,
    Csv,
}

impl FileKind {
    pub fn of(bytes: &[u8]) -> FileKind {
        if bytes.starts_with(b"PK\x03\x04") {
            FileKind::Xlsx
        } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            FileKind::Xls
        } else {
            FileKind::Csv
        }
    }
}

/// Limits that keep a hostile file from taking the server's memory: checked
/// while the file is read, before anything grows with what it claims to hold.
pub mod limits {
    /// Columns of one row (a real roster has 10–30).
    pub const MAX_COLUMNS: usize = 200;
    /// Characters in one cell (an address or a list of honours is a few dozen).
    pub const MAX_CELL_CHARS: usize = 2_000;
    /// Cells (and rows, each counted as one cell) kept for the whole file:
    /// 100 000 rows of 50 columns, so that a county's roster with every
    /// column it keeps still goes in one file.
    pub const MAX_CELLS: usize = 5_000_000;
    /// Bytes one part of an `.xlsx` (a sheet, the shared strings) may inflate to:
    /// the sheet of a 100 000-row roster is some 50 MB.
    pub const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;
    /// Bytes the whole `.xlsx` may inflate to.
    pub const MAX_UNZIPPED_BYTES: u64 = 512 * 1024 * 1024;
    /// How many times larger than stored a part of 1 MB or more may inflate
    /// (Excel's own parts are 5–30 times, a sheet formatted down whole columns
    /// more; a zip bomb thousands).
    pub const MAX_RATIO: u64 = 250;
}

/// Why a file could not be read as a roster at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetError {
    Unreadable,
    Empty,
    /// No sheet has a name column or an ID-number column.
    NoHeader,
    /// A row of more than `limits::MAX_COLUMNS` columns.
    TooManyColumns,
    /// A cell of more than `limits::MAX_CELL_CHARS` characters.
    CellTooLong,
    /// More than `limits::MAX_CELLS` cells in all.
    TooManyCells,
    /// An `.xlsx` whose parts inflate beyond the limits: a zip bomb.
    ExpandsTooMuch,
}

impl SheetError {
    pub fn problem(&self) -> Problem {
        use limits::*;
        let (zh, en) = match self {
            SheetError::Unreadable => (
                "无法读取，请上传 Excel 工作簿(.xlsx 或 .xls)或 csv 文件".to_string(),
                "cannot be read; upload an Excel workbook (.xlsx or .xls) or a csv file".to_string(),
            ),
            SheetError::Empty => ("是空的".to_string(), "is empty".to_string()),
            SheetError::NoHeader => (
                "中找不到表头行：没有一张工作表有“姓名”或“身份证号”列（表头应含姓名、身份证号、联系电话、所在村(社区)等列）".to_string(),
                "has no header row: no sheet has a name or an ID-number column (such as 姓名, 身份证号, 联系电话, 所在村(社区))".to_string(),
            ),
            SheetError::TooManyColumns => (
                format!("列数太多：一行最多 {MAX_COLUMNS} 列，请只保留花名册的列"),
                format!("has too many columns: at most {MAX_COLUMNS} in a row; keep only the roster's columns"),
            ),
            SheetError::CellTooLong => (
                format!("中有单元格内容太长：一个单元格最多 {MAX_CELL_CHARS} 个字"),
                format!("has a cell that is too long: at most {MAX_CELL_CHARS} characters in a cell"),
            ),
            SheetError::TooManyCells => (
                format!("太大：最多 {MAX_CELLS} 个单元格（10 万行、每行 50 列），请分成几个文件导入"),
                format!("is too large: at most {MAX_CELLS} cells (100 000 rows of 50 columns); import it in parts"),
            ),
            SheetError::ExpandsTooMuch => (
                "解压后太大（可能是压缩炸弹），不是正常的 Excel 工作簿，已拒绝".to_string(),
                "expands far too much when unzipped (a zip bomb?); it is not a normal Excel workbook and was refused"
                    .to_string(),
            ),
        };
        Problem::new("file", format!("文件{zh}"), format!("The file {en}"))
    }
}

/// Checks the zip of an `.xlsx` before calamine inflates any of it: each
/// part's declared size and ratio from the central directory (cheap), then
/// each part inflated into nothing, counting, so that a part that lies about
/// its size is caught at the limit instead of in memory.
pub fn check_zip(bytes: &[u8]) -> Result<(), SheetError> {
    use limits::*;
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| SheetError::Unreadable)?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|_| SheetError::Unreadable)?;
        let (size, packed) = (part.size(), part.compressed_size().max(1));
        total = total.saturating_add(size);
        if size > MAX_PART_BYTES || total > MAX_UNZIPPED_BYTES || (size >= 1 << 20 && size / packed > MAX_RATIO) {
            return Err(SheetError::ExpandsTooMuch);
        }
    }
    let mut inflated: u64 = 0;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|_| SheetError::Unreadable)?;
        let packed = part.compressed_size().max(1);
        let n = std::io::copy(&mut part.take(MAX_PART_BYTES + 1), &mut std::io::sink())
            .map_err(|_| SheetError::Unreadable)?;
        inflated = inflated.saturating_add(n);
        if n > MAX_PART_BYTES || inflated > MAX_UNZIPPED_BYTES || (n >= 1 << 20 && n / packed > MAX_RATIO) {
            return Err(SheetError::ExpandsTooMuch);
        }
    }
    Ok(())
}

/// Counts what a file holds as it is read, and stops it at the limits.
#[derive(Default)]
struct Budget {
    cells: usize,
}

impl Budget {
    /// One cell kept at `col` (0-based) holding `text`.
    fn take(&mut self, col: usize, text: Option<&str>) -> Result<(), SheetError> {
        if col >= limits::MAX_COLUMNS {
            return Err(SheetError::TooManyColumns);
        }
        // bytes first: a cell is never shorter in bytes than in characters
        if text.is_some_and(|t| t.len() > limits::MAX_CELL_CHARS && t.chars().count() > limits::MAX_CELL_CHARS) {
            return Err(SheetError::CellTooLong);
        }
        self.count(1)
    }

    /// `n` more rows (or cells) kept.
    fn count(&mut self, n: usize) -> Result<(), SheetError> {
        self.cells = self.cells.saturating_add(n);
        if self.cells > limits::MAX_CELLS {
            return Err(SheetError::TooManyCells);
        }
        Ok(())
    }
}

impl Book {
    /// Reads a workbook (.xlsx, .xls) or a csv, told apart by its first bytes.
    pub fn read(bytes: &[u8]) -> Result<Book, SheetError> {
        match FileKind::of(bytes) {
            FileKind::Csv => Ok(Book { sheets: vec![Sheet::from_csv(bytes)?] }),
            FileKind::Xlsx => {
                check_zip(bytes)?;
                Book::from_workbook(bytes)
            }
            FileKind::Xls => Book::from_workbook(bytes),
        }
    }

    /// Every worksheet of an `.xlsx` or `.xls` workbook.
    pub fn from_workbook(bytes: &[u8]) -> Result<Book, SheetError> {
        use calamine::{Data, DataRef, Reader};
        let mut book =
            calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|_| SheetError::Unreadable)?;
        let mut budget = Budget::default();
        let mut sheets = Vec::new();
        for name in book.sheet_names() {
            // an .xlsx is read cell by cell, each counted as it comes: its
            // dimensions are never trusted to size anything
            if let calamine::Sheets::Xlsx(x) = &mut book {
                let Ok(mut reader) = x.worksheet_cells_reader(&name) else {
                    continue;
                };
                let mut cells = Vec::new();
                while let Some(c) = reader.next_cell().map_err(|_| SheetError::Unreadable)? {
                    let (row, col) = c.get_position();
                    let (cell, date) = match c.get_value() {
                        DataRef::Empty | DataRef::Error(_) => continue,
                        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                            (Cell::Text(s.clone()), false)
                        }
                        DataRef::SharedString(s) => (Cell::Text(s.to_string()), false),
                        DataRef::Int(i) => (Cell::Number(*i as f64), false),
                        DataRef::Float(f) => (Cell::Number(*f), false),
                        DataRef::Bool(b) => (Cell::Text(if *b { "是" } else { "否" }.into()), false),
                        DataRef::DateTime(d) => (Cell::Number(d.as_f64()), true),
                    };
                    budget.take(col as usize, if let Cell::Text(t) = &cell { Some(t) } else { None })?;
                    cells.push((row, col, cell, date));
                }
                if let (Some(first), Some(last)) = (cells.iter().map(|c| c.0).min(), cells.iter().map(|c| c.0).max()) {
                    budget.count((last - first) as usize + 1)?;
                }
                if let Some(sheet) = Sheet::from_cells(name, cells) {
                    sheets.push(sheet);
                }
                continue;
            }
            let Ok(range) = book.worksheet_range(&name) else {
                continue;
            };
            let Some((row0, col0)) = range.start() else {
                continue;
            };
            let mut dates = std::collections::HashSet::new();
            let mut rows = Vec::new();
            for (i, r) in range.rows().enumerate() {
                budget.count(1)?;
                let mut row = Vec::new();
                for (j, c) in r.iter().enumerate() {
                    let cell = match c {
                        Data::Empty | Data::Error(_) => Cell::Empty,
                        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
                        Data::Int(i) => Cell::Number(*i as f64),
                        Data::Float(f) => Cell::Number(*f),
                        Data::Bool(b) => Cell::Text(if *b { "是" } else { "否" }.into()),
                        Data::DateTime(d) => {
                            dates.insert((i, j));
                            Cell::Number(d.as_f64())
                        }
                    };
                    if !cell.is_blank() {
                        budget.take(col0 as usize + j, if let Cell::Text(t) = &cell { Some(t) } else { None })?;
                    }
                    row.push(cell);
                }
                trim_row(&mut row);
                rows.push(row);
            }
            sheets.push(Sheet { name, first_row: row0 + 1, first_col: col0, rows, dates });
        }
        if sheets.is_empty() {
            return Err(SheetError::Empty);
        }
        Ok(Book { sheets })
    }
}

/// Drops a row's empty cells after its last filled one.
fn trim_row(row: &mut Vec<Cell>) {
    while row.last().is_some_and(|c| *c == Cell::Empty) {
        row.pop();
    }
}

impl Sheet {
    /// A sheet from its filled cells as read (row, column, cell, whether Excel
    /// formats it as a date), in any order: rows from the first filled one to
    /// the last, each as long as its own last filled cell.
    fn from_cells(name: String, mut cells: Vec<(u32, u32, Cell, bool)>) -> Option<Sheet> {
        let row0 = cells.iter().map(|c| c.0).min()?;
        let col0 = cells.iter().map(|c| c.1).min()?;
        let last = cells.iter().map(|c| c.0).max()?;
        cells.sort_by_key(|c| (c.0, c.1));
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        rows.resize_with((last - row0) as usize + 1, Vec::new);
        let mut dates = std::collections::HashSet::new();
        for (r, c, cell, date) in cells {
            let (i, j) = ((r - row0) as usize, (c - col0) as usize);
            let row = &mut rows[i];
            if row.len() <= j {
                row.resize(j, Cell::Empty);
                row.push(cell);
            } else {
                row[j] = cell;
            }
            if date {
                dates.insert((i, j));
            }
        }
        Some(Sheet { name, first_row: row0 + 1, first_col: col0, rows, dates })
    }

    /// Reads the first worksheet of an `.xlsx` or `.xls` workbook.
    pub fn from_xlsx(bytes: &[u8]) -> Result<Sheet, SheetError> {
        Book::read(bytes)?.sheets.into_iter().next().ok_or(SheetError::Empty)
    }

    /// Reads a csv in UTF-8 (with or without a byte-order mark) or, failing
    /// that, GBK, which Chinese Excel uses when it saves "CSV". Each record is
    /// checked against the limits as it is read.
    pub fn from_csv(bytes: &[u8]) -> Result<Sheet, SheetError> {
        let decoded;
        let text: &str = match std::str::from_utf8(bytes) {
            Ok(s) => s.trim_start_matches('\u{feff}'),
            Err(_) => {
                let (s, _, bad) = encoding_rs::GBK.decode(bytes);
                if bad {
                    return Err(SheetError::Unreadable);
                }
                decoded = s;
                &decoded
            }
        };
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut budget = Budget::default();
        let mut rows = Vec::new();
        let mut rec = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(_) => return Err(SheetError::Unreadable),
            }
            budget.count(1)?;
            // empty fields after the last filled one take no room (nor count as columns)
            let width = (0..rec.len()).rev().find(|&j| rec.get(j).is_some_and(|s| !s.is_empty())).map_or(0, |j| j + 1);
            if width > limits::MAX_COLUMNS {
                return Err(SheetError::TooManyColumns);
            }
            let mut row = Vec::with_capacity(width);
            for (j, s) in rec.iter().take(width).enumerate() {
                if s.is_empty() {
                    row.push(Cell::Empty);
                } else {
                    budget.take(j, Some(s))?;
                    row.push(Cell::Text(s.to_string()));
                }
            }
            rows.push(row);
        }
        if rows.is_empty() {
            return Err(SheetError::Empty);
        }
        Ok(Sheet { name: "csv".into(), first_row: 1, first_col: 0, rows, dates: Default::default() })
    }
}

/// The fields a roster's columns fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Name,
    Gender,
    IdNumber,
    Phone,
    Village,
    Enlisted,
    Discharged,
    Branch,
    Politics,
    Skills,
    Honors,
    BirthDate,
    VeteranCategory,
    Address,
}

/// The vocabulary of real rosters and of the national forms: each header
/// text and the field it fills (`None`: a column to ignore, such as 序号).
/// Headers are compared after `header_key` has folded widths and dropped
/// spaces, stars and colons; a note in brackets after a known name
/// (`联系电话（手机）`) still counts.
pub const VOCABULARY: &[(&str, Option<Column>)] = &[
    ("姓名", Some(Column::Name)),
    ("名字", Some(Column::Name)),
    ("队员姓名", Some(Column::Name)),
    ("志愿者姓名", Some(Column::Name)),
    ("身份证号", Some(Column::IdNumber)),
    ("身份证号码", Some(Column::IdNumber)),
    ("公民身份号码", Some(Column::IdNumber)),
    ("证件号码", Some(Column::IdNumber)),
    ("身份证", Some(Column::IdNumber)),
    ("身份证件号码", Some(Column::IdNumber)),
    ("公民身份证号码", Some(Column::IdNumber)),
    ("联系电话", Some(Column::Phone)),
    ("手机", Some(Column::Phone)),
    ("手机号", Some(Column::Phone)),
    ("手机号码", Some(Column::Phone)),
    ("电话", Some(Column::Phone)),
    ("电话号码", Some(Column::Phone)),
    ("联系方式", Some(Column::Phone)),
    ("所在村(社区)", Some(Column::Village)),
    ("村(社区)", Some(Column::Village)),
    ("所属村", Some(Column::Village)),
    ("村组", Some(Column::Village)),
    ("居住村组", Some(Column::Village)),
    ("所在村", Some(Column::Village)),
    ("所在村组", Some(Column::Village)),
    ("所属村(社区)", Some(Column::Village)),
    ("所在村(居)", Some(Column::Village)),
    ("村(居)", Some(Column::Village)),
    ("所在村居", Some(Column::Village)),
    ("村居", Some(Column::Village)),
    ("村名", Some(Column::Village)),
    ("村", Some(Column::Village)),
    ("社区", Some(Column::Village)),
    ("所在社区", Some(Column::Village)),
    // an address names the village in it: it places the person when no village column does
    ("地址", Some(Column::Address)),
    ("现住址", Some(Column::Address)),
    ("住址", Some(Column::Address)),
    ("家庭住址", Some(Column::Address)),
    ("家庭地址", Some(Column::Address)),
    ("居住地址", Some(Column::Address)),
    ("性别", Some(Column::Gender)),
    ("出生日期", Some(Column::BirthDate)),
    ("出生年月", Some(Column::BirthDate)),
    ("出生年月日", Some(Column::BirthDate)),
    ("入伍时间", Some(Column::Enlisted)),
    ("参军时间", Some(Column::Enlisted)),
    ("入伍年月", Some(Column::Enlisted)),
    ("入伍日期", Some(Column::Enlisted)),
    ("退役时间", Some(Column::Discharged)),
    ("退伍时间", Some(Column::Discharged)),
    ("退伍年月", Some(Column::Discharged)),
    ("退役年月", Some(Column::Discharged)),
    ("退伍日期", Some(Column::Discharged)),
    ("退役日期", Some(Column::Discharged)),
    ("军种", Some(Column::Branch)),
    ("服役部队", Some(Column::Branch)),
    ("服役单位", Some(Column::Branch)),
    ("原部队", Some(Column::Branch)),
    ("原服役部队", Some(Column::Branch)),
    ("兵种", Some(Column::Branch)),
    ("服役军种", Some(Column::Branch)),
    ("政治面貌", Some(Column::Politics)),
    ("是否党员", Some(Column::Politics)),
    ("特长", Some(Column::Skills)),
    ("专长", Some(Column::Skills)),
    ("技能", Some(Column::Skills)),
    ("技能特长", Some(Column::Skills)),
    ("特长技能", Some(Column::Skills)),
    ("专业特长", Some(Column::Skills)),
    ("个人特长", Some(Column::Skills)),
    ("荣誉", Some(Column::Honors)),
    ("获得荣誉", Some(Column::Honors)),
    ("立功受奖", Some(Column::Honors)),
    ("立功受奖情况", Some(Column::Honors)),
    ("所获荣誉", Some(Column::Honors)),
    ("荣誉称号", Some(Column::Honors)),
    ("获奖情况", Some(Column::Honors)),
    ("退役军人类别", Some(Column::VeteranCategory)),
    ("人员类别", Some(Column::VeteranCategory)),
    ("类别", Some(Column::VeteranCategory)),
    ("序号", None),
    ("编号", None),
    ("备注", None),
    ("民族", None),
    ("年龄", None),
];

impl Column {
    pub const ALL: [Column; 14] = [
        Column::Name,
        Column::Gender,
        Column::IdNumber,
        Column::Phone,
        Column::Village,
        Column::Enlisted,
        Column::Discharged,
        Column::Branch,
        Column::Politics,
        Column::Skills,
        Column::Honors,
        Column::BirthDate,
        Column::VeteranCategory,
        Column::Address,
    ];

    /// The header the template uses, the first of the vocabulary's names.
    pub fn header(self) -> &'static str {
        VOCABULARY.iter().find(|(_, c)| *c == Some(self)).map(|(n, _)| *n).unwrap_or("")
    }

    /// Every name of the vocabulary for this field.
    pub fn names(self) -> Vec<&'static str> {
        VOCABULARY.iter().filter(|(_, c)| *c == Some(self)).map(|(n, _)| *n).collect()
    }

    pub fn english(self) -> &'static str {
        match self {
            Column::Name => "Name",
            Column::Gender => "Gender",
            Column::IdNumber => "ID number",
            Column::Phone => "Phone",
            Column::Village => "Village/community",
            Column::Enlisted => "Enlisted",
            Column::Discharged => "Discharged",
            Column::Branch => "Service branch",
            Column::Politics => "Political status",
            Column::Skills => "Skills",
            Column::Honors => "Honours",
            Column::BirthDate => "Birth date",
            Column::VeteranCategory => "Veteran category",
            Column::Address => "Address",
        }
    }

    /// The field's name in a mapping (`mapping={"参军日期":"enlisted_on"}`).
    pub fn code(self) -> &'static str {
        match self {
            Column::Village => "village",
            Column::Politics => "party_member",
            c => c.field(),
        }
    }

    pub fn from_code(code: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.code() == code.trim())
    }

    /// The volunteer field the column fills, so that a problem the volunteer
    /// rules report on that field lands on this column.
    fn field(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Gender => "gender",
            Column::IdNumber => "id_number",
            Column::Phone => "phone",
            Column::Village => "region_id",
            Column::Enlisted => "enlisted_on",
            Column::Discharged => "discharged_on",
            Column::Branch => "branch",
            Column::Politics => "party_member",
            Column::Skills => "skills",
            Column::Honors => "honors",
            Column::BirthDate => "birth_date",
            Column::VeteranCategory => "veteran_category",
            Column::Address => "address",
        }
    }

    /// What the clerk does about a wrong cell in this column.
    fn fix(self) -> (&'static str, &'static str) {
        match self {
            Column::Name => ("请填写本人姓名", "enter the person's name"),
            Column::IdNumber => (
                "请对照身份证填写18位号码，该列设为文本格式",
                "enter the 18 characters from the ID card, in a text-formatted column",
            ),
            Column::Phone => ("请核对后重新填写", "check it and enter it again"),
            Column::Village => (
                "请填写本镇村(社区)的名称，或先在系统中添加该村",
                "enter a village of this town, or add the village to the system first",
            ),
            Column::Gender => {
                ("请填写男或女，也可留空（按身份证号）", "enter 男 or 女, or leave it blank (the ID number says)")
            }
            Column::BirthDate => (
                "请按身份证填写出生年月（如 1991年2月），也可留空",
                "enter the birth month as on the ID card (e.g. 1991年2月), or leave it blank",
            ),
            Column::Enlisted | Column::Discharged => (
                "请写成 1991年2月、1991-02 或 1991-02-01 这样的日期",
                "write a date such as 1991年2月, 1991-02 or 1991-02-01",
            ),
            Column::VeteranCategory => (
                "请填写退役士兵、转业干部、伤残军人、烈士遗属等，或留空",
                "enter a category such as 退役士兵, or leave it blank",
            ),
            Column::Skills | Column::Honors | Column::Branch | Column::Politics | Column::Address => {
                ("请核对后改正", "check and correct it")
            }
        }
    }
}

/// Folds a header to compare it: full-width brackets and letters, spaces, line
/// breaks, required-field stars and trailing colons do not count.
fn header_key(s: &str) -> String {
    fold_width(s)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | ':' | '※' | '：'))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

/// How a header was understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// A field, from the vocabulary, the mapping sent with the file, or the
    /// town's last mapping.
    Field(Column),
    /// A column to leave out (序号, 备注, or mapped to "ignore").
    Ignore,
    /// Nobody has said what the column holds.
    Unknown,
}

/// Header texts mapped to fields by the person importing: `None` ignores the column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping(BTreeMap<String, Option<Column>>);

impl Mapping {
    /// From `{"列名": "field"}` pairs; `ignore` (or 忽略, or blank) leaves the column out.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Mapping, Problem> {
        let mut m = BTreeMap::new();
        for (header, field) in pairs {
            let key = header_key(header);
            if key.is_empty() {
                continue;
            }
            let target = match field.trim() {
                "" | "ignore" | "忽略" => None,
                f => match Column::from_code(f) {
                    Some(c) => Some(c),
                    None => {
                        let codes: Vec<&str> = Column::ALL.iter().map(|c| c.code()).collect();
                        return Err(Problem::new(
                            "mapping",
                            format!("对应关系中“{header}”的字段“{f}”不存在，可选：{}、ignore", codes.join("、")),
                            format!(
                                "mapping: '{f}' for '{header}' is no field; choose one of {}, ignore",
                                codes.join(", ")
                            ),
                        ));
                    }
                },
            };
            m.insert(key, target);
        }
        Ok(Mapping(m))
    }

    /// `{"列名":"field",…}` as the API takes it.
    pub fn from_json(s: &str) -> Result<Mapping, Problem> {
        let bad = || {
            Problem::new("mapping", "对应关系应为 {\"列名\":\"字段\"} 形式", "mapping must be {\"header\":\"field\"}")
        };
        let v: Map<String, Value> = serde_json::from_str(s).map_err(|_| bad())?;
        let pairs: Vec<(String, String)> = v
            .into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k, s)),
                Value::Null => Ok((k, String::new())),
                _ => Err(bad()),
            })
            .collect::<Result<_, _>>()?;
        Mapping::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The mapping as JSON, to remember it.
    pub fn to_json(&self) -> String {
        let m: Map<String, Value> =
            self.0.iter().map(|(k, v)| (k.clone(), json!(v.map(Column::code).unwrap_or("ignore")))).collect();
        Value::Object(m).to_string()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// This mapping, with `other`'s entries where this one has none.
    pub fn or(&self, other: &Mapping) -> Mapping {
        let mut m = other.0.clone();
        m.extend(self.0.iter().map(|(k, v)| (k.clone(), *v)));
        Mapping(m)
    }

    fn get(&self, header: &str) -> Option<Option<Column>> {
        self.0.get(&header_key(header)).copied()
    }

    /// The entries of headers that appear in `headers`, keeping only what was used.
    pub fn used(&self, headers: &[String]) -> Mapping {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        Mapping(self.0.iter().filter(|(k, _)| keys.contains(k)).map(|(k, v)| (k.clone(), *v)).collect())
    }
}

/// The vocabulary's word for a header: exact, or a known name followed by a
/// note in brackets.
pub fn vocabulary(text: &str) -> Option<Option<Column>> {
    let key = header_key(text);
    if key.is_empty() {
        return None;
    }
    let find = |k: &str| VOCABULARY.iter().find(|(n, _)| header_key(n) == k).map(|(_, c)| *c);
    find(&key).or_else(|| {
        let base = key.split_once('(').map(|(b, _)| b).filter(|b| !b.is_empty())?;
        find(base)
    })
}

/// What the mapping sent, the vocabulary, and the town's last mapping (in
/// that order) make of a header.
pub fn meaning(text: &str, mapping: &Mapping, remembered: &Mapping) -> Meaning {
    let target = mapping.get(text).or_else(|| vocabulary(text)).or_else(|| remembered.get(text));
    match target {
        Some(Some(c)) => Meaning::Field(c),
        Some(None) => Meaning::Ignore,
        None => Meaning::Unknown,
    }
}

/// One column of a header: where it is, how it is written, what it means.
#[derive(Debug, Clone)]
pub struct HeaderColumn {
    pub index: usize,
    pub text: String,
    pub meaning: Meaning,
}

/// The header found on one sheet.
#[derive(Debug, Clone)]
pub struct Header {
    pub sheet: String,
    /// The Excel row number of the header's (last) row.
    pub row: u32,
    /// Index of the first row under the header.
    data_start: usize,
    pub columns: Vec<HeaderColumn>,
    fields: HashMap<Column, (usize, String)>,
}

impl Header {
    /// The header of a field as written in the sheet, else the template's.
    pub fn text(&self, c: Column) -> String {
        self.fields.get(&c).map(|(_, t)| t.clone()).unwrap_or_else(|| c.header().to_string())
    }

    pub fn has(&self, c: Column) -> bool {
        self.fields.contains_key(&c)
    }

    pub fn unknown(&self) -> impl Iterator<Item = &HeaderColumn> {
        self.columns.iter().filter(|c| c.meaning == Meaning::Unknown)
    }
}

/// Title and note rows are few; the header is looked for this far down.
const HEADER_SEARCH_ROWS: usize = 30;

fn cell_header(c: Option<&Cell>) -> Option<String> {
    match c {
        Some(Cell::Text(t)) => Some(t.trim().to_string()).filter(|t| !t.is_empty()),
        _ => None,
    }
}

/// Finds the header of one sheet: the first row (under titles, 填表单位 lines
/// and blank rows) with a name or an ID-number column and at least one more
/// header; the row under it belongs to the header too when it names columns
/// under merged group titles (服役情况 over 入伍时间 and 退伍时间) while the
/// name column, merged down, is blank there.
pub fn find_header(sheet: &Sheet, mapping: &Mapping, remembered: &Mapping) -> Option<Header> {
    let is_key = |t: &str| {
        matches!(meaning(t, mapping, remembered), Meaning::Field(Column::Name) | Meaning::Field(Column::IdNumber))
    };
    for (i, row) in sheet.rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        let texts: Vec<Option<String>> = row.iter().map(|c| cell_header(Some(c))).collect();
        let Some(key_col) = texts.iter().position(|t| t.as_deref().is_some_and(is_key)) else {
            continue;
        };
        if row.iter().filter(|c| !c.is_blank()).count() < 2 {
            continue;
        }
        let next = sheet.rows.get(i + 1);
        let sub = next.is_some_and(|n| {
            n.get(key_col).is_none_or(Cell::is_blank)
                && n.iter().any(|c| cell_header(Some(c)).is_some_and(|t| vocabulary(&t).is_some()))
        });
        let width = row.len().max(if sub { next.map_or(0, Vec::len) } else { 0 });
        let mut columns = Vec::new();
        for j in 0..width {
            let upper = texts.get(j).cloned().flatten();
            let lower = if sub { next.and_then(|n| cell_header(n.get(j))) } else { None };
            let known =
                |t: &Option<String>| t.as_deref().is_some_and(|t| meaning(t, mapping, remembered) != Meaning::Unknown);
            let text = match (&upper, &lower) {
                (_, Some(_)) if known(&lower) => lower,
                (Some(_), _) if known(&upper) => upper,
                (_, Some(_)) => lower,
                _ => upper,
            };
            if let Some(text) = text {
                let m = meaning(&text, mapping, remembered);
                columns.push(HeaderColumn { index: j, text, meaning: m });
            }
        }
        let mut fields = HashMap::new();
        for c in &columns {
            if let Meaning::Field(f) = c.meaning {
                // the first of two columns with the same meaning wins
                fields.entry(f).or_insert((c.index, c.text.clone()));
            }
        }
        let last = if sub { i + 1 } else { i };
        return Some(Header {
            sheet: sheet.name.clone(),
            row: sheet.first_row + last as u32,
            data_start: last + 1,
            columns,
            fields,
        });
    }
    None
}

/// One thing wrong with one row, placed on the column as the sheet names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub sheet: String,
    pub row: u32,
    pub column: String,
    /// The person's name when the row has one.
    pub name: Option<String>,
    pub zh: String,
    pub en: String,
}

/// A row that passed every rule the sheet alone can check.
#[derive(Debug, Clone)]
pub struct GoodRow {
    /// Index into `Checked::headers`.
    pub sheet: usize,
    pub row: u32,
    pub draft: VolunteerDraft,
    /// The fields the row gives (a column present and not blank): only these
    /// are compared with, and applied to, someone already on the roster.
    pub given: Vec<Column>,
}

/// The result of reading and checking a whole roster.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The header of every sheet that has one (sheets without, such as an
    /// instructions sheet, are skipped).
    pub headers: Vec<Header>,
    /// Data rows (blank rows are not counted).
    pub rows: usize,
    pub good: Vec<GoodRow>,
    pub errors: Vec<RowError>,
    /// What was taken differently from how the sheet has it, without refusing the row.
    pub warnings: Vec<RowError>,
    /// Headers nobody has said the meaning of; while there are any, no row is checked.
    pub unmapped: Vec<RowError>,
}

impl Checked {
    /// Moves good rows to the errors, e.g. when the database has their ID
    /// number in another town; keeps errors in sheet and row order.
    pub fn reject(&mut self, bad: &HashMap<(usize, u32), (String, String)>) {
        let mut kept = Vec::with_capacity(self.good.len());
        for g in self.good.drain(..) {
            match bad.get(&(g.sheet, g.row)) {
                Some((zh, en)) => {
                    let h = &self.headers[g.sheet];
                    self.errors.push(RowError {
                        sheet: h.sheet.clone(),
                        row: g.row,
                        column: h.text(Column::IdNumber),
                        name: Some(g.draft.name.clone()),
                        zh: zh.clone(),
                        en: en.clone(),
                    })
                }
                None => kept.push(g),
            }
        }
        self.good = kept;
        let order: HashMap<String, usize> =
            self.headers.iter().enumerate().map(|(i, h)| (h.sheet.clone(), i)).collect();
        self.errors.sort_by_key(|e| (order.get(&e.sheet).copied().unwrap_or(usize::MAX), e.row));
    }

    pub fn sheet_of(&self, g: &GoodRow) -> &str {
        &self.headers[g.sheet].sheet
    }
}

/// Villages of the region being imported into, by name. A name that two
/// villages share cannot place anyone.
#[derive(Debug, Default)]
pub struct Villages {
    by_name: HashMap<String, Option<i64>>,
}

impl Villages {
    pub fn new(list: &[(i64, String)]) -> Villages {
        let mut by_name: HashMap<String, Option<i64>> = HashMap::new();
        for (id, name) in list {
            let key = header_key(name);
            by_name.entry(key).and_modify(|v| *v = None).or_insert(Some(*id));
        }
        Villages { by_name }
    }

    fn find(&self, name: &str) -> Result<i64, (&'static str, &'static str)> {
        let key = header_key(name);
        // "回车" for 回车村 is a common shorthand
        let found = self
            .by_name
            .get(&key)
            .or_else(|| self.by_name.get(&format!("{key}村")))
            .or_else(|| self.by_name.get(&format!("{key}社区")));
        match found {
            Some(Some(id)) => Ok(*id),
            Some(None) => Err(("有重名，无法确定是哪一个", "names more than one village in this region")),
            None => {
                self.within(&key).ok_or(("不在本次导入的区域内", "is not a village of the region being imported into"))
            }
        }
    }

    /// The village named inside a longer text (回车村三组, 回车镇东坪村5号):
    /// the longest name found, when only one village has it.
    fn within(&self, key: &str) -> Option<i64> {
        let mut best: Option<(usize, Option<i64>)> = None;
        for (name, id) in &self.by_name {
            let stem = name.strip_suffix("社区").or_else(|| name.strip_suffix('村')).unwrap_or(name);
            let len = if key.contains(name.as_str()) {
                name.chars().count() + 1
            } else if stem.chars().count() >= 2 && key.starts_with(stem) {
                stem.chars().count()
            } else {
                continue;
            };
            best = match best {
                Some((l, _)) if l > len => best,
                Some((l, other)) if l == len && other != *id => Some((l, None)),
                _ => Some((len, *id)),
            };
        }
        best.and_then(|(_, id)| id)
    }
}

/// Rows under a roster that only sign it off.
fn is_footer(row: &[Cell]) -> bool {
    let texts: Vec<String> = row.iter().filter_map(Cell::text).collect();
    texts.len() <= 2
        && texts.iter().any(|t| {
            ["填表人", "审核人", "负责人", "制表", "合计", "总计", "签字", "盖章"].iter().any(|w| t.contains(w))
        })
}

/// Reads every sheet's data rows under its header and checks them.
pub fn check(
    book: &Book,
    villages: &Villages,
    today: NaiveDate,
    mapping: &Mapping,
    remembered: &Mapping,
) -> Result<Checked, SheetError> {
    let found: Vec<(&Sheet, Header)> =
        book.sheets.iter().filter_map(|s| find_header(s, mapping, remembered).map(|h| (s, h))).collect();
    if found.is_empty() {
        return Err(SheetError::NoHeader);
    }
    let mut unmapped = Vec::new();
    for (_, h) in &found {
        for c in h.unknown() {
            unmapped.push(RowError {
                sheet: h.sheet.clone(),
                row: h.row,
                column: c.text.clone(),
                name: None,
                zh: format!("无法识别“{}”列：请为它选择对应的项目，或选择忽略此列", c.text),
                en: format!("the column '{}' is not recognised: map it to a field, or ignore it", c.text),
            });
        }
    }
    let mut good = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut rows = 0;
    let mut first_seen: HashMap<String, (usize, u32)> = HashMap::new();
    let mut headers = Vec::new();
    for (si, (sheet, header)) in found.into_iter().enumerate() {
        let sheet_village = villages.find(&sheet.name).ok();
        for (i, row) in sheet.rows.iter().enumerate().skip(header.data_start) {
            let number = sheet.first_row + i as u32;
            let cell = |c: Column| header.fields.get(&c).and_then(|(j, _)| row.get(*j)).unwrap_or(&Cell::Empty);
            if Column::ALL.iter().all(|c| cell(*c).is_blank()) || is_footer(row) {
                continue;
            }
            rows += 1;
            if !unmapped.is_empty() {
                continue;
            }
            let name = cell(Column::Name).text();
            let row_error = |column: String, zh: String, en: String| RowError {
                sheet: header.sheet.clone(),
                row: number,
                column,
                name: name.clone(),
                zh,
                en,
            };
            match check_row(&header, &cell, villages, sheet_village, today) {
                Ok(ok) => {
                    if ok.stated.is_some_and(|g| g != ok.draft.gender) {
                        let (zh, en) = ok.draft.gender.label();
                        warnings.push(row_error(
                            header.text(Column::Gender),
                            format!("{}与身份证号不一致，已按身份证号登记为{zh}", header.text(Column::Gender)),
                            format!("Gender does not match the ID number; recorded as {en}, as the ID number says"),
                        ));
                    }
                    for s in &ok.unknown_skills {
                        warnings.push(row_error(
                            header.text(Column::Skills),
                            format!("{}中的“{s}”不在技能列表中，已按原文保存", header.text(Column::Skills)),
                            format!("'{s}' is not on the skill list; kept as written"),
                        ));
                    }
                    // the second of two rows with one ID number is the mistake
                    let id = ok.draft.id_number.as_str().to_string();
                    if let Some((fs, fr)) = first_seen.get(&id) {
                        let (zh_at, en_at) = if *fs == si {
                            (format!("第{fr}行"), format!("row {fr}"))
                        } else {
                            (
                                format!("“{}”表第{fr}行", headers_name(&headers, *fs)),
                                format!("row {fr} of sheet {}", headers_name(&headers, *fs)),
                            )
                        };
                        errors.push(row_error(
                            header.text(Column::IdNumber),
                            format!(
                                "{}与{zh_at}重复：同一人只保留一行，请删除或改正其中一行",
                                header.text(Column::IdNumber)
                            ),
                            format!("ID number repeats {en_at}: keep one row per person"),
                        ));
                    } else {
                        first_seen.insert(id, (si, number));
                        good.push(GoodRow { sheet: si, row: number, draft: ok.draft, given: ok.given });
                    }
                }
                Err(list) => {
                    for (column, zh, en) in list {
                        errors.push(row_error(column, zh, en));
                    }
                }
            }
        }
        headers.push(header);
    }
    Ok(Checked { headers, rows, good, errors, warnings, unmapped })
}

fn headers_name(headers: &[Header], i: usize) -> String {
    headers.get(i).map(|h| h.sheet.clone()).unwrap_or_default()
}

type CellErrors = Vec<(String, String, String)>;

struct RowOk {
    draft: VolunteerDraft,
    /// A typed gender, which the ID number overrules.
    stated: Option<Gender>,
    unknown_skills: Vec<String>,
    given: Vec<Column>,
}

fn check_row<'a>(
    header: &Header,
    cell: &dyn Fn(Column) -> &'a Cell,
    villages: &Villages,
    sheet_village: Option<i64>,
    today: NaiveDate,
) -> Result<RowOk, CellErrors> {
    let mut errs: CellErrors = Vec::new();
    let mut own = |c: Column, zh: &str, en: &str| errs.push(with_fix(header, c, zh, en));
    let given: Vec<Column> = Column::ALL.into_iter().filter(|c| !cell(*c).is_blank()).collect();
    let mut m = Map::new();
    if let Some(t) = cell(Column::Name).text() {
        put(&mut m, "name", json!(t));
    }
    match cell(Column::IdNumber) {
        // An 18-digit number stored as a number has lost its last digits for good.
        Cell::Number(n) if *n >= 1e15 => {
            let p = IdNumberError::Scientific.problem("id_number");
            own(Column::IdNumber, strip_label("id_number", &p.zh), strip_label_en("id_number", &p.en));
        }
        c => {
            if let Some(t) = c.text() {
                put(&mut m, "id_number", json!(t));
            }
        }
    }
    if let Some(t) = cell(Column::Phone).text() {
        put(&mut m, "phone", json!(t));
    }
    // A typed gender is not given to the volunteer rules: where it contradicts
    // the ID number, the number decides and the row is kept with a warning,
    // since a 性别 column filled down by dragging in Excel is common and the
    // number is what the person's papers say.
    let mut stated = None;
    if let Some(t) = cell(Column::Gender).text() {
        match parse_gender(&t) {
            Some(g) => stated = Some(g),
            None => own(Column::Gender, "应为男或女", "must be 男 or 女"),
        }
    }
    let mut dates: HashMap<Column, (NaiveDate, bool)> = HashMap::new();
    for c in [Column::BirthDate, Column::Enlisted, Column::Discharged] {
        let v = cell(c);
        if v.is_blank() {
            continue;
        }
        match parse_date(v) {
            Some(d) => {
                dates.insert(c, d);
            }
            None => own(c, "不是可识别的日期", "is not a date"),
        }
    }
    if let Some((d, month_only)) = dates.get(&Column::BirthDate) {
        // 出生年月 gives the month only: the ID number has the day, and must agree
        let same_month = id_birth(&m).is_some_and(|b| b.year() == d.year() && b.month() == d.month());
        if !(*month_only && same_month) {
            put(&mut m, "birth_date", json!(d.format("%Y-%m-%d").to_string()));
        }
    }
    if let Some((mut d, month_only)) = dates.get(&Column::Enlisted).copied() {
        // A month alone stands for the whole month: when its first day would fall
        // on or before the birth date of the same month, the earliest day the
        // rules allow is taken instead of refusing a date the sheet cannot narrow.
        let born = dates.get(&Column::BirthDate).map(|b| b.0).or_else(|| id_birth(&m));
        if let (true, Some(b)) = (month_only, born) {
            if d <= b && b.year() == d.year() && b.month() == d.month() {
                d = b.checked_add_days(Days::new(1)).unwrap_or(d);
            }
        }
        put(&mut m, "enlisted_on", json!(d.format("%Y-%m-%d").to_string()));
    }
    if let Some((d, _)) = dates.get(&Column::Discharged) {
        put(&mut m, "discharged_on", json!(d.format("%Y-%m-%d").to_string()));
    }
    if let Some(t) = cell(Column::Branch).text() {
        put(&mut m, "branch", json!(t));
    }
    if let Some(t) = cell(Column::Politics).text() {
        put(&mut m, "party_member", json!(is_party_member(&t)));
    }
    let mut unknown_skills = Vec::new();
    if let Some(t) = cell(Column::Skills).text() {
        let mut codes = Vec::new();
        for item in split_skills(&t) {
            match skill_code(&item) {
                Some(c) if !codes.contains(&c) => codes.push(c),
                Some(_) => {}
                None => unknown_skills.push(item),
            }
        }
        put(&mut m, "skills", json!(codes));
    }
    if let Some(t) = cell(Column::Honors).text() {
        put(&mut m, "honors", json!(split_items(&t)));
    }
    if let Some(t) = cell(Column::VeteranCategory).text() {
        put(&mut m, "veteran_category", json!(veteran_category(&t)));
    }
    let address = cell(Column::Address).text();
    if let Some(t) = &address {
        put(&mut m, "address", json!(t));
    }
    match cell(Column::Village).text() {
        // one sheet per village, named after it, needs no village column
        None if sheet_village.is_some()
            && address.as_deref().is_none_or(|a| villages.within(&header_key(a)).is_none()) =>
        {
            put(&mut m, "region_id", json!(sheet_village))
        }
        None => match address.as_deref().map(|a| villages.within(&header_key(a))) {
            Some(Some(id)) => put(&mut m, "region_id", json!(id)),
            Some(None) => own(
                Column::Village,
                &format!("为空，{}中也找不到本镇的村名", header.text(Column::Address)),
                &format!("is blank and {} names no village of this town", header.text(Column::Address)),
            ),
            None => own(Column::Village, "不能为空", "is required"),
        },
        Some(name) => match villages.find(&name) {
            Ok(id) => put(&mut m, "region_id", json!(id)),
            Err((zh, en)) => own(Column::Village, &format!("“{name}”{zh}"), &format!("'{name}' {en}")),
        },
    }
    let draft = volunteer::validate(&m, today);
    let problems = match draft {
        Ok(mut d) if errs.is_empty() => {
            // skills off the list are kept as written, after the known ones
            d.skills.extend(unknown_skills.iter().cloned());
            return Ok(RowOk { draft: d, stated, unknown_skills, given });
        }
        Ok(_) => vec![],
        Err(p) => p.0,
    };
    for p in problems {
        let Some(c) = Column::ALL.into_iter().find(|c| c.field() == p.field) else {
            continue;
        };
        // a column that already has its own message keeps it
        if errs.iter().any(|(col, _, _)| *col == header.text(c)) {
            continue;
        }
        if c == Column::Village && m.get("region_id").is_none() {
            continue;
        }
        let (zh, en) = (strip_label(&p.field, &p.zh), strip_label_en(&p.field, &p.en));
        errs.push(with_fix(header, c, zh, en));
    }
    if errs.is_empty() {
        // validate refused something no column holds; name it on the name column
        errs.push((header.text(Column::Name), "资料不完整".into(), "the row is incomplete".into()));
    }
    let order = |col: &str| Column::ALL.iter().position(|c| header.text(*c) == col).unwrap_or(usize::MAX);
    errs.sort_by_key(|(col, _, _)| order(col));
    Err(errs)
}

/// A cell's problem on its column as written, with what to do unless the
/// message already says it.
fn with_fix(header: &Header, c: Column, zh: &str, en: &str) -> (String, String, String) {
    let (fz, fe) = c.fix();
    let col = header.text(c);
    if zh.contains('请') {
        (col.clone(), format!("{col}{zh}"), format!("{} {en}", c.english()))
    } else {
        (col.clone(), format!("{col}{zh}：{fz}"), format!("{} {en}: {fe}", c.english()))
    }
}

fn put(m: &mut Map<String, Value>, k: &str, v: Value) {
    m.insert(k.to_string(), v);
}

fn id_birth(m: &Map<String, Value>) -> Option<NaiveDate> {
    let id = m.get("id_number")?.as_str()?;
    super::id_number::IdNumber::parse(id).ok().map(|i| i.birth_date())
}

/// The volunteer rules start each message with their own field label; the
/// sheet's header replaces it.
fn strip_label<'a>(field: &str, zh: &'a str) -> &'a str {
    zh.strip_prefix(label(field).0).unwrap_or(zh)
}

fn strip_label_en<'a>(field: &str, en: &'a str) -> &'a str {
    en.strip_prefix(label(field).1).map(str::trim_start).unwrap_or(en)
}

/// A sample cell for the mapping step: long runs of digits (ID numbers,
/// phones) are masked as the roster masks them.
pub fn sample_text(c: &Cell) -> String {
    let t = c.text().unwrap_or_default();
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    if digits >= 7 {
        let chars: Vec<char> = t.chars().collect();
        let n = chars.len();
        return chars.iter().enumerate().map(|(i, c)| if i < 3 || i + 4 >= n { *c } else { '*' }).collect();
    }
    t
}

/// The first data rows under a header, as text, for the mapping step.
pub fn samples(book: &Book, h: &Header, n: usize) -> Vec<Vec<String>> {
    let Some(sheet) = book.sheets.iter().find(|s| s.name == h.sheet) else {
        return vec![];
    };
    sheet
        .rows
        .iter()
        .enumerate()
        .skip(h.data_start)
        .filter(|(_, r)| r.iter().any(|c| !c.is_blank()))
        .take(n)
        .map(|(i, r)| {
            h.columns
                .iter()
                .map(|c| {
                    let cell = r.get(c.index).unwrap_or(&Cell::Empty);
                    match cell {
                        // a date cell shows as the date Excel shows, not its day count
                        Cell::Number(x) if sheet.dates.contains(&(i, c.index)) => {
                            number_date(*x).map(|(d, _)| d.to_string()).unwrap_or_else(|| sample_text(cell))
                        }
                        _ => sample_text(cell),
                    }
                })
                .collect()
        })
        .collect()
}

pub fn parse_gender(s: &str) -> Option<Gender> {
    match tidy(s).to_lowercase().as_str() {
        "男" | "男性" | "male" | "m" => Some(Gender::Male),
        "女" | "女性" | "female" | "f" => Some(Gender::Female),
        _ => None,
    }
}

/// 中共党员 and 中共预备党员 count, and 是/√ under 是否党员; 否, 群众, 共青团员
/// and members of other parties do not.
pub fn is_party_member(s: &str) -> bool {
    let t = header_key(s);
    t.starts_with("中共")
        || matches!(t.as_str(), "党员" | "预备党员" | "共产党员" | "是" | "√" | "✓" | "✔" | "Y" | "y" | "yes" | "Yes")
}

fn veteran_category(s: &str) -> String {
    let t = header_key(s);
    let code = match t.as_str() {
        "转业干部" | "复员干部" | "军转干部" | "退休干部" => Some("demobilized_cadre"),
        "退伍士兵" | "退役士兵" | "士兵" => Some("discharged_soldier"),
        "伤残军人" | "残疾军人" => Some("disabled_veteran"),
        "烈属" | "烈士家属" | "烈士遗属" => Some("martyr_family"),
        _ => None,
    };
    code.map(str::to_string).unwrap_or(t)
}

/// Splits a list cell: 、，,;；/ and line breaks all separate items.
pub fn split_items(s: &str) -> Vec<String> {
    split_on(s, &['、', ',', '，', ';', '；', '/', '\n', '|'])
}

/// Splits a skills cell: spaces separate skills too (驾驶 电工).
pub fn split_skills(s: &str) -> Vec<String> {
    split_on(&fold_width(s), &['、', ',', '，', ';', '；', '/', '\n', '|', ' ', '\t'])
}

fn split_on(s: &str, seps: &[char]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in s.split(seps) {
        let t = tidy(item);
        if t.is_empty() || matches!(t.as_str(), "无" | "-" | "—" | "暂无") || out.contains(&t) {
            continue;
        }
        out.push(t);
    }
    out
}

/// Skills as rosters write them, mapped to the codes matching works on.
pub fn skill_code(s: &str) -> Option<&'static str> {
    if let Some(c) = volunteer::skill_code(s) {
        return Some(c);
    }
    let t = header_key(s);
    const SYNONYMS: &[(&str, &[&str])] = &[
        ("medical", &["医护", "医疗", "护理", "急救", "卫生", "医生", "护士", "医疗救护", "救护"]),
        ("driving", &["驾驶", "开车", "司机", "驾驶员", "汽车驾驶"]),
        ("swimming", &["游泳", "水上救援"]),
        ("machinery", &["机械", "农机", "挖掘机", "机械操作", "铲车"]),
        ("electrician", &["电工", "水电", "电力", "水电维修"]),
        ("mediation", &["调解", "矛盾调解", "纠纷调解", "人民调解"]),
        ("lecturing", &["宣讲", "演讲", "讲解", "理论宣讲"]),
        ("farming", &["农业", "农技", "种植", "养殖", "农业技术"]),
        ("rescue", &["救援", "抢险", "抢险救援", "应急救援"]),
        ("firefighting", &["消防", "灭火"]),
        ("construction", &["建筑", "维修", "木工", "瓦工", "泥瓦工", "建筑维修"]),
        ("cooking", &["烹饪", "厨师", "做饭"]),
        ("computer", &["电脑", "计算机", "电脑操作"]),
        ("psychology", &["心理", "心理疏导", "心理咨询"]),
        ("legal", &["法律", "法律咨询", "法律服务"]),
        ("photography", &["摄影", "摄像", "摄影宣传", "拍摄"]),
    ];
    SYNONYMS.iter().find(|(_, words)| words.contains(&t.as_str())).map(|(c, _)| *c)
}

/// A date as rosters write it. The flag says whether only the month was given
/// (the first of the month is returned then).
pub fn parse_date(cell: &Cell) -> Option<(NaiveDate, bool)> {
    match cell {
        Cell::Empty => None,
        Cell::Number(n) => number_date(*n),
        Cell::Text(s) => text_date(s),
    }
}

fn ymd(y: i64, m: i64, d: Option<i64>) -> Option<(NaiveDate, bool)> {
    if !(1900..=2100).contains(&y) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y as i32, u32::try_from(m).ok()?, u32::try_from(d.unwrap_or(1)).ok()?)?;
    Some((date, d.is_none()))
}

fn number_date(n: f64) -> Option<(NaiveDate, bool)> {
    if n.fract() != 0.0 {
        // 1996.02 typed into a number cell; Excel drops a trailing zero (1996.1 is October)
        let y = n.trunc() as i64;
        let m = ((n - n.trunc()) * 100.0).round() as i64;
        return ymd(y, m, None);
    }
    let i = n as i64;
    match i {
        1900..=2100 => ymd(i, 1, None),
        190001..=210012 => ymd(i / 100, i % 100, None),
        19000101..=21001231 => ymd(i / 10000, i / 100 % 100, Some(i % 100)),
        // Excel's day count from 1899-12-30 (its 1900 leap-year bug only moves dates before March 1900)
        1..=73050 => {
            let d = NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(Days::new(i as u64))?;
            Some((d, false))
        }
        _ => None,
    }
}

fn text_date(s: &str) -> Option<(NaiveDate, bool)> {
    let t: String = fold_width(s).trim().to_string();
    // "1999-03-01 00:00:00" from a date cell saved as text
    let t = t.split([' ', 'T']).next().unwrap_or("").to_string();
    if t.is_empty() {
        return None;
    }
    if t.chars().all(|c| c.is_ascii_digit()) {
        let n: i64 = t.parse().ok()?;
        return match t.len() {
            4 => ymd(n, 1, None),
            6 => ymd(n / 100, n % 100, None),
            8 => ymd(n / 10000, n / 100 % 100, Some(n % 100)),
            5 => number_date(n as f64),
            _ => None,
        };
    }
    let parts: Vec<&str> = t.split(['年', '月', '日', '号', '.', '-', '/', '．']).filter(|p| !p.is_empty()).collect();
    let nums: Option<Vec<i64>> = parts.iter().map(|p| p.parse::<i64>().ok()).collect();
    match nums?.as_slice() {
        [y] if t.ends_with('年') => ymd(*y, 1, None),
        [y, m] => ymd(*y, *m, None),
        [y, m, d] => ymd(*y, *m, Some(*d)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn today() -> NaiveDate {
        d(2026, 11, 29)
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn dates_in_every_habit() {
        let month = |y, m| Some((d(y, m, 1), true));
        assert_eq!(parse_date(&text("1991年2月")), month(1991, 2));
        assert_eq!(parse_date(&text("1991.2")), month(1991, 2));
        assert_eq!(parse_date(&text("1991/2")), month(1991, 2));
        assert_eq!(parse_date(&text("1991-02")), month(1991, 2));
        assert_eq!(parse_date(&text("1996.02")), month(1996, 2));
        assert_eq!(parse_date(&text("2008-12")), month(2008, 12));
        assert_eq!(parse_date(&text("199803")), month(1998, 3));
        assert_eq!(parse_date(&text("1999/3/1")), Some((d(1999, 3, 1), false)));
        assert_eq!(parse_date(&text("2001年12月3日")), Some((d(2001, 12, 3), false)));
        assert_eq!(parse_date(&text("２００１年１２月")), month(2001, 12));
        assert_eq!(parse_date(&text("1999-03-01 00:00:00")), Some((d(1999, 3, 1), false)));
        assert_eq!(parse_date(&text("1999-03-01T00:00:00")), Some((d(1999, 3, 1), false)), "a real date read as text");
        assert_eq!(parse_date(&Cell::Number(36220.0)), Some((d(1999, 3, 1), false)), "an Excel serial");
        assert_eq!(parse_date(&Cell::Number(199803.0)), month(1998, 3));
        assert_eq!(parse_date(&Cell::Number(1996.1)), month(1996, 10));
        assert_eq!(parse_date(&Cell::Number(20011203.0)), Some((d(2001, 12, 3), false)));
        for bad in ["1991年13月", "去年", "2001.02.30", "12"] {
            assert_eq!(parse_date(&text(bad)), None, "{bad}");
        }
    }

    /// Every name the issue lists, and every entry of the table, means its field.
    #[test]
    fn every_vocabulary_entry_is_recognised() {
        use Column::*;
        let listed: &[(&str, Option<Column>)] = &[
            ("姓名", Some(Name)),
            ("名字", Some(Name)),
            ("身份证号", Some(IdNumber)),
            ("身份证号码", Some(IdNumber)),
            ("公民身份号码", Some(IdNumber)),
            ("证件号码", Some(IdNumber)),
            ("联系电话", Some(Phone)),
            ("手机", Some(Phone)),
            ("手机号", Some(Phone)),
            ("手机号码", Some(Phone)),
            ("电话", Some(Phone)),
            ("所在村(社区)", Some(Village)),
            ("所在村（社区）", Some(Village)),
            ("村(社区)", Some(Village)),
            ("所属村", Some(Village)),
            ("村组", Some(Village)),
            ("居住村组", Some(Village)),
            ("现住址", Some(Address)),
            ("性别", Some(Gender)),
            ("出生年月", Some(BirthDate)),
            ("出生日期", Some(BirthDate)),
            ("入伍时间", Some(Enlisted)),
            ("参军时间", Some(Enlisted)),
            ("入伍年月", Some(Enlisted)),
            ("退伍时间", Some(Discharged)),
            ("退役时间", Some(Discharged)),
            ("退伍年月", Some(Discharged)),
            ("服役部队", Some(Branch)),
            ("服役单位", Some(Branch)),
            ("原部队", Some(Branch)),
            ("军种", Some(Branch)),
            ("兵种", Some(Branch)),
            ("政治面貌", Some(Politics)),
            ("是否党员", Some(Politics)),
            ("专长", Some(Skills)),
            ("特长", Some(Skills)),
            ("技能", Some(Skills)),
            ("荣誉", Some(Honors)),
            ("获得荣誉", Some(Honors)),
            ("立功受奖", Some(Honors)),
            ("退役军人类别", Some(VeteranCategory)),
            ("人员类别", Some(VeteranCategory)),
            ("备注", None),
            ("序号", None),
            ("编号", None),
            ("* 姓 名", Some(Name)),
            ("联系电话（手机）", Some(Phone)),
            ("身份证号码：", Some(IdNumber)),
        ];
        for (t, want) in listed {
            assert_eq!(vocabulary(t), Some(*want), "{t}");
        }
        for (t, want) in VOCABULARY {
            assert_eq!(vocabulary(t), Some(*want), "table entry {t}");
            assert!(listed.iter().any(|(l, _)| l == t) || !t.is_empty(), "{t}");
        }
        for c in Column::ALL {
            assert_eq!(Column::from_code(c.code()), Some(c), "{c:?}");
            assert!(!c.header().is_empty() && !c.names().is_empty(), "{c:?} has a name");
        }
        assert_eq!(vocabulary("参军日期"), None);
        assert_eq!(vocabulary("回车镇退役军人花名册"), None);
    }

    fn sheet(name: &str, rows: Vec<Vec<Cell>>) -> Sheet {
        Sheet { name: name.into(), first_row: 1, first_col: 0, rows, dates: Default::default() }
    }

    fn book(sheets: Vec<Sheet>) -> Book {
        Book { sheets }
    }

    fn villages() -> Villages {
        Villages::new(&[(7, "回车村".into()), (8, "东坪村".into())])
    }

    fn checked(b: &Book) -> Checked {
        check(b, &villages(), today(), &Mapping::default(), &Mapping::default()).expect("roster")
    }

    fn roster(data: Vec<Vec<Cell>>) -> Checked {
        let mut rows = vec![
            vec![text("回车镇老兵花名册")],
            vec![
                text("序号"),
                text("姓名"),
                text("性别"),
                text("身份证号码"),
                text("手机号"),
                text("村（社区）"),
                text("入伍年月"),
                text("退伍时间"),
                text("特长"),
                text("政治面貌"),
            ],
        ];
        rows.extend(data);
        checked(&book(vec![sheet("花名册", rows)]))
    }

    const ID: &str = "11010519491231002X";
    const ID2: &str = "110105194912310021";

    fn valid_id(first17: &str) -> String {
        let mut s = first17.to_string();
        s.push(crate::domain::id_number::check_char(first17.as_bytes()));
        s
    }

    #[test]
    fn the_header_is_found_under_the_title_and_habits_are_tidied() {
        let c = roster(vec![
            vec![
                Cell::Number(1.0),
                text(" 张建国 "),
                Cell::Empty,
                text("110105 19491231 002x"),
                text("+86 １３９-０００５-０００５"),
                text("回车"),
                text("1968年3月"),
                Cell::Number(1972.12),
                text("驾驶、医护，游泳/调解;电工 宣讲 杂耍"),
                text("中共党员"),
            ],
            vec![Cell::Empty, Cell::Empty],
        ]);
        assert_eq!(c.headers[0].row, 2);
        assert_eq!(c.rows, 1, "the blank row is not counted");
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let g = &c.good[0];
        assert_eq!(g.row, 3);
        assert_eq!(g.draft.name, "张建国");
        assert_eq!(g.draft.id_number.as_str(), ID, "spaces and a lower-case x");
        assert_eq!(g.draft.gender, Gender::Female, "gender comes from the ID number");
        assert_eq!(g.draft.phone.as_str(), "13900050005", "+86, dashes and full-width digits");
        assert_eq!(g.draft.region_id, 7);
        assert_eq!(g.draft.enlisted_on, Some(d(1968, 3, 1)));
        assert_eq!(g.draft.discharged_on, Some(d(1972, 12, 1)));
        assert_eq!(
            g.draft.skills,
            vec!["driving", "medical", "swimming", "mediation", "electrician", "lecturing", "杂耍"]
        );
        assert!(g.draft.party_member);
        assert_eq!(c.warnings.len(), 1, "the unknown skill is a warning: {:?}", c.warnings);
        assert!(c.warnings[0].zh.contains("“杂耍”不在技能列表中"), "{:?}", c.warnings[0]);
    }

    #[test]
    fn party_membership_as_written() {
        for yes in ["是", "√", "党员", "中共党员", "中共预备党员", "预备党员"] {
            assert!(is_party_member(yes), "{yes}");
        }
        for no in ["否", "群众", "共青团员", "民盟盟员", ""] {
            assert!(!is_party_member(no), "{no}");
        }
    }

    #[test]
    fn mangled_id_numbers_and_contradictions_name_sheet_row_column_and_person() {
        let c = roster(vec![
            vec![
                Cell::Number(1.0),
                text("甲"),
                Cell::Empty,
                Cell::Number(4.11323197102110e17),
                text("13900000001"),
                text("回车村"),
            ],
            vec![Cell::Number(2.0), text("乙"), text("男"), text(ID), text("13900000002"), text("东坪村")],
            vec![
                Cell::Number(3.0),
                text("丙"),
                Cell::Empty,
                text(ID2),
                text("1390000"),
                text("西坪村"),
                text("2010年3月"),
                text("2005.12"),
            ],
            vec![
                Cell::Number(4.0),
                text("丁"),
                Cell::Empty,
                text("4.11323E+17"),
                text("13900000004"),
                text("回车村"),
                text("1968.03"),
                text("1966.01"),
            ],
        ]);
        let errs: Vec<(u32, &str)> = c.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            errs,
            vec![
                (3, "身份证号码"),
                (5, "身份证号码"),
                (5, "手机号"),
                (5, "村（社区）"),
                (5, "退伍时间"),
                (6, "身份证号码"),
                (6, "退伍时间")
            ]
        );
        assert!(c.errors.iter().all(|e| e.sheet == "花名册"));
        assert_eq!(c.errors[0].name.as_deref(), Some("甲"));
        assert!(c.errors[0].zh.contains("科学计数法") && c.errors[0].zh.contains("设为文本"), "{}", c.errors[0].zh);
        assert!(c.errors[5].zh.contains("科学计数法"), "a csv's 4.11323E+17 too: {}", c.errors[5].zh);
        assert!(c.errors[2].zh.starts_with("手机号") && c.errors[2].zh.contains("：请核对"), "{}", c.errors[2].zh);
        assert!(c.errors[3].zh.contains("西坪村") && c.errors[3].zh.contains("添加"), "{}", c.errors[3].zh);
        assert!(c.errors[4].en.contains("before the enlistment"), "{}", c.errors[4].en);
        // a typed gender against the ID number: the number decides, the row is kept
        assert_eq!(c.good.len(), 1);
        assert_eq!((c.good[0].row, c.good[0].draft.gender), (4, Gender::Female));
        assert_eq!(c.warnings.len(), 1);
        assert_eq!((c.warnings[0].row, c.warnings[0].column.as_str()), (4, "性别"));
        assert!(c.warnings[0].zh.contains("已按身份证号登记为女"), "{}", c.warnings[0].zh);
    }

    #[test]
    fn a_repeated_id_number_is_an_error_on_the_second_row() {
        let row = |n: f64, name: &str| {
            vec![Cell::Number(n), text(name), Cell::Empty, text(ID), text("13900000001"), text("回车村")]
        };
        let c = roster(vec![row(1.0, "甲"), row(2.0, "乙")]);
        assert_eq!(c.good.len(), 1);
        assert_eq!(c.errors.len(), 1);
        assert_eq!((c.errors[0].row, c.errors[0].column.as_str()), (4, "身份证号码"));
        assert!(c.errors[0].zh.contains("第3行"));
    }

    #[test]
    fn every_sheet_is_read_the_instructions_skipped_and_two_row_headers_joined() {
        let notes = sheet("填表说明", vec![vec![text("填表说明")], vec![text("1. 姓名：填写身份证上的姓名")]]);
        let east = sheet(
            "东坪村",
            vec![
                vec![text("东坪村退役军人登记表")],
                vec![text("填表单位：东坪村委会"), Cell::Empty, Cell::Empty, text("填表日期：2026年3月")],
                vec![],
                vec![text("姓名"), text("公民身份号码"), text("服役情况"), Cell::Empty, text("手机")],
                vec![Cell::Empty, Cell::Empty, text("参军时间"), text("退伍年月"), Cell::Empty],
                vec![text("甲"), text(ID), text("1968.3"), text("1972/12"), text("13900000001")],
                vec![text("填表人：王五")],
            ],
        );
        let home = sheet(
            "回车村",
            vec![
                vec![text("姓名"), text("身份证号"), text("联系电话"), text("居住村组")],
                vec![text("乙"), text(&valid_id("11010519500101003")), text("13900000002"), text("回车村三组")],
                vec![text("丙"), text(ID), text("13900000003"), text("回车村")],
            ],
        );
        let c = checked(&book(vec![notes, east, home]));
        assert_eq!(c.headers.len(), 2, "the instructions sheet is skipped");
        assert_eq!((c.headers[0].sheet.as_str(), c.headers[0].row), ("东坪村", 5));
        assert_eq!(c.rows, 3, "the signing-off line is no row");
        assert_eq!(c.good.len(), 2, "{:?}", c.errors);
        let a = &c.good[0].draft;
        assert_eq!((a.enlisted_on, a.discharged_on), (Some(d(1968, 3, 1)), Some(d(1972, 12, 1))));
        assert_eq!(a.region_id, 8, "no village column: the sheet is named after the village");
        assert_eq!(c.good[1].draft.region_id, 7, "回车村三组 is 回车村");
        assert_eq!(c.errors.len(), 1);
        let e = &c.errors[0];
        assert_eq!(
            (e.sheet.as_str(), e.row, e.column.as_str(), e.name.as_deref()),
            ("回车村", 3, "身份证号", Some("丙"))
        );
        assert!(e.zh.contains("“东坪村”表第6行"), "{}", e.zh);
    }

    #[test]
    fn an_unknown_column_asks_for_a_mapping_and_the_mapping_answers() {
        let s = sheet(
            "Sheet1",
            vec![
                vec![text("姓名"), text("身份证号"), text("联系电话"), text("村"), text("参军日期"), text("备注")],
                vec![text("甲"), text(ID), text("13900000001"), text("回车"), text("1968.3"), text("好人")],
            ],
        );
        let b = book(vec![s]);
        let c = checked(&b);
        assert_eq!((c.rows, c.good.len()), (1, 0), "nothing is checked while a column is unknown");
        assert_eq!(c.unmapped.len(), 1);
        assert_eq!((c.unmapped[0].row, c.unmapped[0].column.as_str()), (1, "参军日期"));
        let m = Mapping::from_pairs([("参军日期", "enlisted_on")]).expect("mapping");
        let c = check(&b, &villages(), today(), &m, &Mapping::default()).expect("roster");
        assert_eq!(c.good.len(), 1);
        assert_eq!(c.good[0].draft.enlisted_on, Some(d(1968, 3, 1)));
        // the town's last mapping does the same, and ignoring is an answer too
        let c = check(&b, &villages(), today(), &Mapping::default(), &m).expect("roster");
        assert_eq!(c.good.len(), 1);
        let ignore = Mapping::from_json(r#"{"参军日期":"ignore"}"#).expect("json");
        let c = check(&b, &villages(), today(), &ignore, &Mapping::default()).expect("roster");
        assert_eq!((c.good.len(), c.good[0].draft.enlisted_on), (1, None));
        assert!(Mapping::from_json(r#"{"参军日期":"nonsense"}"#).is_err());
        assert_eq!(Mapping::from_json(&m.to_json()).expect("round trip"), m);
    }

    #[test]
    fn only_a_roster_without_name_and_id_columns_is_refused() {
        let s = sheet("S", vec![vec![text("姓名"), text("性别"), text("身份证号")]]);
        assert!(check(&book(vec![s]), &villages(), today(), &Mapping::default(), &Mapping::default()).is_ok());
        let s = sheet("S", vec![vec![text("回车镇")], vec![text("电话"), text("村")]]);
        assert_eq!(
            check(&book(vec![s]), &villages(), today(), &Mapping::default(), &Mapping::default()).err(),
            Some(SheetError::NoHeader)
        );
    }

    #[test]
    fn csv_in_gbk_is_read() {
        let (bytes, _, _) =
            encoding_rs::GBK.encode("姓名,身份证号,联系电话,所在村\n张三,11010519491231002X,13900000001,回车村\n");
        let b = Book::read(&bytes).expect("csv");
        let c = checked(&b);
        assert_eq!(c.good.len(), 1, "{:?}", c.errors);
        assert_eq!(c.good[0].draft.name, "张三");
    }

    #[test]
    fn skills_as_written() {
        assert_eq!(skill_code("医护"), Some("medical"));
        assert_eq!(skill_code("调解"), Some("mediation"));
        assert_eq!(skill_code("Driving"), Some("driving"));
        assert_eq!(skill_code("杂耍"), None);
        assert_eq!(split_items("游泳、调解；驾驶 , 无"), vec!["游泳", "调解", "驾驶"]);
        assert_eq!(
            split_skills("游泳 调解,驾驶;电工/医护，宣讲"),
            vec!["游泳", "调解", "驾驶", "电工", "医护", "宣讲"]
        );
    }

    #[test]
    fn samples_mask_numbers() {
        assert_eq!(sample_text(&text(ID)), "110***********002X");
        assert_eq!(sample_text(&text("张三")), "张三");
    }
}
