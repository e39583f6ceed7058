//! Reading a roster (花名册) as town offices keep it: an Excel workbook or a
//! csv, with a title row or two above the header, column names that vary from
//! town to town, and the habits Excel and hurried typing leave behind.
//!
//! Every data row becomes either a `VolunteerDraft` (checked by the same
//! `volunteer::validate` as the API's create) or a list of errors naming the
//! sheet's own row number and the header as written in the sheet.

use super::id_number::IdNumberError;
use super::text::{fold_width, tidy};
use super::validation::{label, Problem};
use super::volunteer::{self, Gender, VolunteerDraft};
use chrono::{Datelike, Days, NaiveDate};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// One cell as read from a workbook or a csv.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// Numbers, and dates as Excel stores them (days since 1899-12-30).
    Number(f64),
}

impl Cell {
    fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            Cell::Number(_) => false,
        }
    }

    /// The cell as text; whole numbers without a decimal point.
    fn text(&self) -> Option<String> {
        match self {
            Cell::Empty => None,
            Cell::Text(s) => Some(tidy(s)).filter(|t| !t.is_empty()),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", *n as i64)),
            Cell::Number(n) => Some(n.to_string()),
        }
    }
}

/// The first sheet of a workbook: `rows[i]` is the sheet's row `first_row + i`
/// (1-based, as Excel shows it).
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub first_row: u32,
    pub rows: Vec<Vec<Cell>>,
}

/// Why a file could not be read as a roster at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetError {
    Unreadable,
    Empty,
    NoHeader,
    MissingColumn(&'static str, &'static str),
}

impl SheetError {
    pub fn problem(&self) -> Problem {
        let (zh, en) = match self {
            SheetError::Unreadable => (
                "无法读取，请上传 Excel 工作簿(.xlsx)或 csv 文件".to_string(),
                "cannot be read; upload an Excel workbook (.xlsx) or a csv file".to_string(),
            ),
            SheetError::Empty => ("是空的".to_string(), "is empty".to_string()),
            SheetError::NoHeader => (
                "中找不到表头行（应含姓名、身份证号、联系电话、所在村(社区)等列）".to_string(),
                "has no header row (with columns such as 姓名, 身份证号, 联系电话, 所在村(社区))".to_string(),
            ),
            SheetError::MissingColumn(zh, en) => (format!("缺少“{zh}”列"), format!("lacks the column {zh} ({en})")),
        };
        Problem::new("file", format!("文件{zh}"), format!("The file {en}"))
    }
}

impl Sheet {
    /// Reads the first worksheet of an `.xlsx` workbook.
    pub fn from_xlsx(bytes: &[u8]) -> Result<Sheet, SheetError> {
        use calamine::{Data, Reader, Xlsx};
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|_| SheetError::Unreadable)?;
        let range = book.worksheet_range_at(0).ok_or(SheetError::Empty)?.map_err(|_| SheetError::Unreadable)?;
        let Some((row0, _)) = range.start() else {
            return Err(SheetError::Empty);
        };
        let rows = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty | Data::Error(_) => Cell::Empty,
                        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
                        Data::Int(i) => Cell::Number(*i as f64),
                        Data::Float(f) => Cell::Number(*f),
                        Data::Bool(b) => Cell::Text(if *b { "是" } else { "否" }.into()),
                        Data::DateTime(d) => Cell::Number(d.as_f64()),
                    })
                    .collect()
            })
            .collect();
        // calamine's range starts at the first used cell; columns are counted from
        // there too, which does not matter since columns are found by header
        Ok(Sheet { first_row: row0 + 1, rows })
    }

    /// Reads a csv in UTF-8 (with or without a byte-order mark) or, failing
    /// that, GBK, which Chinese Excel uses when it saves "CSV".
    pub fn from_csv(bytes: &[u8]) -> Result<Sheet, SheetError> {
        let text = match std::str::from_utf8(bytes) {
            Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
            Err(_) => {
                let (s, _, bad) = encoding_rs::GBK.decode(bytes);
                if bad {
                    return Err(SheetError::Unreadable);
                }
                s.into_owned()
            }
        };
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(|_| SheetError::Unreadable)?;
            rows.push(rec.iter().map(|s| if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_string()) }).collect());
        }
        if rows.is_empty() {
            return Err(SheetError::Empty);
        }
        Ok(Sheet { first_row: 1, rows })
    }
}

/// The columns a roster may have. Each knows its usual names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

    /// Header texts seen on real rosters; the first is the one the template uses.
    /// Compared after `header_key` has folded widths and dropped spaces and marks.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Column::Name => &["姓名", "名字", "队员姓名"],
            Column::Gender => &["性别"],
            Column::IdNumber => &["身份证号", "身份证号码", "公民身份号码", "身份证", "身份证件号码"],
            Column::Phone => &["联系电话", "手机号", "手机号码", "电话", "手机", "联系方式", "电话号码"],
            Column::Village => &[
                "所在村(社区)",
                "所在村",
                "村(社区)",
                "村居",
                "所在村居",
                "所属村(社区)",
                "所在村(居)",
                "村(居)",
                "村名",
                "村",
                "社区",
            ],
            Column::Enlisted => &["入伍时间", "入伍年月", "入伍日期"],
            Column::Discharged => &["退役时间", "退伍时间", "退役年月", "退伍年月", "退役日期", "退伍日期"],
            Column::Branch => &["军种", "服役部队", "服役军种", "兵种"],
            Column::Politics => &["政治面貌"],
            Column::Skills => &["特长", "专长", "技能", "技能特长", "特长技能", "专业特长"],
            Column::Honors => &["荣誉", "所获荣誉", "获得荣誉", "荣誉称号", "获奖情况"],
            Column::BirthDate => &["出生日期", "出生年月"],
            Column::VeteranCategory => &["退役军人类别", "人员类别", "类别"],
            Column::Address => &["地址", "家庭住址", "住址", "现住址", "家庭地址"],
        }
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

    fn from_header(text: &str) -> Option<Column> {
        let key = header_key(text);
        if key.is_empty() {
            return None;
        }
        Column::ALL.into_iter().find(|c| c.names().iter().any(|n| header_key(n) == key))
    }
}

/// Folds a header to compare it: full-width brackets and letters, spaces, line
/// breaks, required-field stars and trailing colons do not count.
fn header_key(s: &str) -> String {
    fold_width(s)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | ':' | '※'))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

/// Where each known column is in the sheet, and how its header was written.
#[derive(Debug, Clone)]
pub struct Header {
    pub row: u32,
    index: usize,
    columns: HashMap<Column, (usize, String)>,
}

impl Header {
    pub fn text(&self, c: Column) -> String {
        self.columns.get(&c).map(|(_, t)| t.clone()).unwrap_or_else(|| c.names()[0].to_string())
    }
}

/// A header row needs this many known columns, so a title such as
/// "姓名册" above it is not taken for one.
const MIN_KNOWN_HEADERS: usize = 3;
/// Title and note rows are few; the header is looked for this far down.
const HEADER_SEARCH_ROWS: usize = 20;

pub fn find_header(sheet: &Sheet) -> Result<Header, SheetError> {
    for (i, row) in sheet.rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        let mut columns = HashMap::new();
        for (j, cell) in row.iter().enumerate() {
            if let Cell::Text(t) = cell {
                if let Some(c) = Column::from_header(t) {
                    // the first of two columns with the same meaning wins
                    columns.entry(c).or_insert((j, t.trim().to_string()));
                }
            }
        }
        if columns.len() >= MIN_KNOWN_HEADERS {
            for c in [Column::Name, Column::IdNumber, Column::Phone, Column::Village] {
                if !columns.contains_key(&c) {
                    return Err(SheetError::MissingColumn(c.names()[0], c.english()));
                }
            }
            return Ok(Header { row: sheet.first_row + i as u32, index: i, columns });
        }
    }
    Err(SheetError::NoHeader)
}

/// One thing wrong with one row, placed on the column as the sheet names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: u32,
    pub column: String,
    pub zh: String,
    pub en: String,
}

/// A row that passed every rule the sheet alone can check.
#[derive(Debug, Clone)]
pub struct GoodRow {
    pub row: u32,
    pub draft: VolunteerDraft,
}

/// The result of reading and checking a whole roster.
#[derive(Debug, Clone)]
pub struct Checked {
    pub header: Header,
    /// Data rows (blank rows are not counted).
    pub rows: usize,
    pub good: Vec<GoodRow>,
    pub errors: Vec<RowError>,
    /// What was taken differently from how the sheet has it, without refusing the row.
    pub warnings: Vec<RowError>,
}

impl Checked {
    /// Moves good rows to the errors, e.g. when the database already holds their
    /// ID number; keeps errors in row order.
    pub fn reject(&mut self, bad: &HashMap<u32, (String, String)>) {
        let column = self.header.text(Column::IdNumber);
        let mut kept = Vec::with_capacity(self.good.len());
        for g in self.good.drain(..) {
            match bad.get(&g.row) {
                Some((zh, en)) => {
                    self.errors.push(RowError { row: g.row, column: column.clone(), zh: zh.clone(), en: en.clone() })
                }
                None => kept.push(g),
            }
        }
        self.good = kept;
        self.errors.sort_by_key(|e| e.row);
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
            None => Err(("不在本次导入的区域内", "is not a village of the region being imported into")),
        }
    }
}

/// Reads every data row under the header and checks it.
pub fn check(sheet: &Sheet, villages: &Villages, today: NaiveDate) -> Result<Checked, SheetError> {
    let header = find_header(sheet)?;
    let mut good = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut rows = 0;
    let mut first_seen: HashMap<String, u32> = HashMap::new();
    for (i, row) in sheet.rows.iter().enumerate().skip(header.index + 1) {
        let number = sheet.first_row + i as u32;
        let cell = |c: Column| header.columns.get(&c).and_then(|(j, _)| row.get(*j)).unwrap_or(&Cell::Empty);
        if Column::ALL.iter().all(|c| cell(*c).is_blank()) {
            continue;
        }
        rows += 1;
        match check_row(&header, &cell, villages, today) {
            Ok((draft, stated)) => {
                if stated.is_some_and(|g| g != draft.gender) {
                    let (zh, en) = draft.gender.label();
                    warnings.push(RowError {
                        row: number,
                        column: header.text(Column::Gender),
                        zh: format!("{}与身份证号不一致，已按身份证号登记为{zh}", header.text(Column::Gender)),
                        en: format!("Gender does not match the ID number; recorded as {en}, as the ID number says"),
                    });
                }
                // the second of two rows with one ID number is the mistake
                let id = draft.id_number.as_str().to_string();
                if let Some(first) = first_seen.get(&id) {
                    errors.push(RowError {
                        row: number,
                        column: header.text(Column::IdNumber),
                        zh: format!("{}与第{first}行重复", header.text(Column::IdNumber)),
                        en: format!("ID number repeats row {first}"),
                    });
                } else {
                    first_seen.insert(id, number);
                    good.push(GoodRow { row: number, draft });
                }
            }
            Err(list) => {
                for (column, zh, en) in list {
                    errors.push(RowError { row: number, column, zh, en });
                }
            }
        }
    }
    Ok(Checked { header, rows, good, errors, warnings })
}

type CellErrors = Vec<(String, String, String)>;

fn check_row<'a>(
    header: &Header,
    cell: &dyn Fn(Column) -> &'a Cell,
    villages: &Villages,
    today: NaiveDate,
) -> Result<(VolunteerDraft, Option<Gender>), CellErrors> {
    let mut errs: CellErrors = Vec::new();
    let mut own = |c: Column, zh: &str, en: &str| {
        errs.push((header.text(c), format!("{}{zh}", header.text(c)), format!("{} {en}", c.english())));
    };
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
            None => own(
                c,
                "不是可识别的日期（如 1991年2月、1996.02、2008-12-01）",
                "is not a date (e.g. 1991年2月, 1996.02, 2008-12-01)",
            ),
        }
    }
    if let Some((d, _)) = dates.get(&Column::BirthDate) {
        put(&mut m, "birth_date", json!(d.format("%Y-%m-%d").to_string()));
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
    if let Some(t) = cell(Column::Skills).text() {
        let mut codes = Vec::new();
        for item in split_items(&t) {
            match skill_code(&item) {
                Some(c) => codes.push(c),
                None => own(
                    Column::Skills,
                    &format!("中的“{item}”不是可选技能"),
                    &format!("holds '{item}', which is not a known skill"),
                ),
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
    if let Some(t) = cell(Column::Address).text() {
        put(&mut m, "address", json!(t));
    }
    match cell(Column::Village).text() {
        None => own(Column::Village, "不能为空", "is required"),
        Some(name) => match villages.find(&name) {
            Ok(id) => put(&mut m, "region_id", json!(id)),
            Err((zh, en)) => own(Column::Village, &format!("“{name}”{zh}"), &format!("'{name}' {en}")),
        },
    }
    let draft = volunteer::validate(&m, today);
    let problems = match draft {
        Ok(d) if errs.is_empty() => return Ok((d, stated)),
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
        errs.push((header.text(c), format!("{}{zh}", header.text(c)), format!("{} {en}", c.english())));
    }
    if errs.is_empty() {
        // validate refused something no column holds; name it on the name column
        errs.push((header.text(Column::Name), "资料不完整".into(), "the row is incomplete".into()));
    }
    let order = |col: &str| Column::ALL.iter().position(|c| header.text(*c) == col).unwrap_or(usize::MAX);
    errs.sort_by_key(|(col, _, _)| order(col));
    Err(errs)
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

pub fn parse_gender(s: &str) -> Option<Gender> {
    match tidy(s).to_lowercase().as_str() {
        "男" | "男性" | "male" | "m" => Some(Gender::Male),
        "女" | "女性" | "female" | "f" => Some(Gender::Female),
        _ => None,
    }
}

/// 中共党员 and 中共预备党员 count; 群众, 共青团员 and members of other parties do not.
pub fn is_party_member(s: &str) -> bool {
    let t = header_key(s);
    t.starts_with("中共") || t == "党员" || t == "预备党员" || t == "共产党员"
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
    let mut out: Vec<String> = Vec::new();
    for item in s.split(['、', ',', '，', ';', '；', '/', '\n', '|']) {
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
        assert_eq!(parse_date(&text("1996.02")), month(1996, 2));
        assert_eq!(parse_date(&text("2008-12")), month(2008, 12));
        assert_eq!(parse_date(&text("199803")), month(1998, 3));
        assert_eq!(parse_date(&text("1999/3/1")), Some((d(1999, 3, 1), false)));
        assert_eq!(parse_date(&text("2001年12月3日")), Some((d(2001, 12, 3), false)));
        assert_eq!(parse_date(&text("２００１年１２月")), month(2001, 12));
        assert_eq!(parse_date(&text("1999-03-01 00:00:00")), Some((d(1999, 3, 1), false)));
        assert_eq!(parse_date(&Cell::Number(36220.0)), Some((d(1999, 3, 1), false)));
        assert_eq!(parse_date(&Cell::Number(199803.0)), month(1998, 3));
        assert_eq!(parse_date(&Cell::Number(1996.1)), month(1996, 10));
        assert_eq!(parse_date(&Cell::Number(20011203.0)), Some((d(2001, 12, 3), false)));
        for bad in ["1991年13月", "去年", "2001.02.30", "12"] {
            assert_eq!(parse_date(&text(bad)), None, "{bad}");
        }
    }

    #[test]
    fn header_variants_are_recognised() {
        for (t, c) in [
            ("所在村（社区）", Column::Village),
            ("所在村(社区)", Column::Village),
            ("村居", Column::Village),
            ("公民身份号码", Column::IdNumber),
            ("身份证号码", Column::IdNumber),
            ("手机号码", Column::Phone),
            ("* 姓 名", Column::Name),
            ("退伍时间", Column::Discharged),
            ("入伍年月", Column::Enlisted),
            ("服役部队", Column::Branch),
            ("专长", Column::Skills),
            ("所获荣誉", Column::Honors),
        ] {
            assert_eq!(Column::from_header(t), Some(c), "{t}");
        }
        assert_eq!(Column::from_header("序号"), None);
    }

    fn sheet(rows: Vec<Vec<Cell>>) -> Sheet {
        Sheet { first_row: 1, rows }
    }

    fn villages() -> Villages {
        Villages::new(&[(7, "回车村".into()), (8, "东坪村".into())])
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
        check(&sheet(rows), &villages(), today()).expect("roster")
    }

    const ID: &str = "11010519491231002X";

    #[test]
    fn the_header_is_found_under_the_title_and_habits_are_tidied() {
        let c = roster(vec![
            vec![
                Cell::Number(1.0),
                text(" 张建国 "),
                Cell::Empty,
                text("11010519491231002x"),
                text("１３９ ０００５ ０００５"),
                text("回车"),
                text("1968年3月"),
                Cell::Number(1972.12),
                text("驾驶、医护，游泳/调解"),
                text("中共党员"),
            ],
            vec![Cell::Empty, Cell::Empty],
        ]);
        assert_eq!(c.header.row, 2);
        assert_eq!(c.rows, 1, "the blank row is not counted");
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let g = &c.good[0];
        assert_eq!(g.row, 3);
        assert_eq!(g.draft.name, "张建国");
        assert_eq!(g.draft.id_number.as_str(), ID);
        assert_eq!(g.draft.gender, Gender::Female, "gender comes from the ID number");
        assert_eq!(g.draft.phone.as_str(), "13900050005");
        assert_eq!(g.draft.region_id, 7);
        assert_eq!(g.draft.enlisted_on, Some(d(1968, 3, 1)));
        assert_eq!(g.draft.discharged_on, Some(d(1972, 12, 1)));
        assert_eq!(g.draft.skills, vec!["driving", "medical", "swimming", "mediation"]);
        assert!(g.draft.party_member);
    }

    #[test]
    fn mangled_id_numbers_and_contradictions_name_their_column() {
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
                text("110105194912310021"),
                text("1390000"),
                text("西坪村"),
                text("2010年3月"),
                text("2005.12"),
            ],
            vec![
                Cell::Number(4.0),
                text("丁"),
                Cell::Empty,
                text(ID),
                text("13900000004"),
                text("回车村"),
                text("1968.03"),
                text("1966.01"),
                text("杂耍"),
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
                (6, "退伍时间"),
                (6, "特长")
            ]
        );
        assert!(c.errors[0].zh.contains("科学计数法"), "{}", c.errors[0].zh);
        assert!(c.errors[2].zh.starts_with("手机号"), "{}", c.errors[2].zh);
        assert!(c.errors[5].en.contains("before the enlistment"), "{}", c.errors[5].en);
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
    fn a_sheet_without_the_needed_columns_is_refused_whole() {
        let s = sheet(vec![vec![text("姓名"), text("性别"), text("身份证号")]]);
        assert_eq!(check(&s, &villages(), today()).err(), Some(SheetError::MissingColumn("联系电话", "Phone")));
        let s = sheet(vec![vec![text("回车镇")], vec![text("a"), text("b")]]);
        assert_eq!(check(&s, &villages(), today()).err(), Some(SheetError::NoHeader));
    }

    #[test]
    fn csv_in_gbk_is_read() {
        let (bytes, _, _) =
            encoding_rs::GBK.encode("姓名,身份证号,联系电话,所在村\n张三,11010519491231002X,13900000001,回车村\n");
        let s = Sheet::from_csv(&bytes).expect("csv");
        let c = check(&s, &villages(), today()).expect("roster");
        assert_eq!(c.good.len(), 1, "{:?}", c.errors);
        assert_eq!(c.good[0].draft.name, "张三");
    }

    #[test]
    fn skills_and_party_membership_as_written() {
        assert_eq!(skill_code("医护"), Some("medical"));
        assert_eq!(skill_code("调解"), Some("mediation"));
        assert_eq!(skill_code("Driving"), Some("driving"));
        assert_eq!(skill_code("杂耍"), None);
        assert!(is_party_member("中共预备党员") && is_party_member("中共党员") && !is_party_member("群众"));
        assert_eq!(split_items("游泳、调解；驾驶 , 无"), vec!["游泳", "调解", "驾驶"]);
    }
}
