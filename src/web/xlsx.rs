//! Workbooks the station hands out: a title row, a bilingual header row
//! (Chinese over English, so the sheet can be read back by the roster import),
//! columns wide enough for their content, the header frozen while scrolling.

use axum::http::{header, HeaderMap, HeaderValue};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub enum XCell {
    Empty,
    Text(String),
    Number(f64),
}

impl From<String> for XCell {
    fn from(s: String) -> Self {
        XCell::Text(s)
    }
}

impl From<&str> for XCell {
    fn from(s: &str) -> Self {
        XCell::Text(s.to_string())
    }
}

impl From<Option<String>> for XCell {
    fn from(s: Option<String>) -> Self {
        s.map(XCell::Text).unwrap_or(XCell::Empty)
    }
}

impl From<f64> for XCell {
    fn from(n: f64) -> Self {
        XCell::Number(n)
    }
}

impl From<i64> for XCell {
    fn from(n: i64) -> Self {
        XCell::Number(n as f64)
    }
}

/// One column: Chinese header, English header, width in characters, and
/// whether it holds digits that must stay text (ID numbers, phones).
pub struct Col(pub &'static str, pub &'static str, pub f64, pub bool);

pub struct Table {
    pub sheet: &'static str,
    pub title: String,
    pub columns: Vec<Col>,
    pub rows: Vec<Vec<XCell>>,
}

pub fn write(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    add_table(&mut book, table, true)?;
    book.save_to_buffer()
}

/// Adds one sheet; `english` puts the English name under each header.
pub fn add_table(book: &mut Workbook, t: &Table, english: bool) -> Result<(), XlsxError> {
    let title = Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center);
    let head = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Center).set_background_color("E8EEF4");
    let text = Format::new().set_num_format("@");
    let ws = book.add_worksheet();
    ws.set_name(t.sheet)?;
    let last = t.columns.len().saturating_sub(1) as u16;
    if last > 0 {
        ws.merge_range(0, 0, 0, last, &t.title, &title)?;
    } else {
        ws.write_string_with_format(0, 0, &t.title, &title)?;
    }
    ws.set_row_height(0, 24)?;
    for (i, c) in t.columns.iter().enumerate() {
        let i = i as u16;
        let name = if english { format!("{}\n{}", c.0, c.1) } else { c.0.to_string() };
        ws.write_string_with_format(1, i, name, &head)?;
        ws.set_column_width(i, c.2)?;
        if c.3 {
            ws.set_column_format(i, &text)?;
        }
    }
    if english {
        ws.set_row_height(1, 32)?;
    }
    ws.set_freeze_panes(2, 0)?;
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 2;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                XCell::Empty => {}
                XCell::Text(s) if t.columns.get(c as usize).is_some_and(|col| col.3) => {
                    ws.write_string_with_format(r, c, s, &text)?;
                }
                XCell::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                XCell::Number(n) => {
                    ws.write_number(r, c, *n)?;
                }
            }
        }
    }
    Ok(())
}

/// Headers for a download: the file name in plain ASCII and in UTF-8 for
/// browsers that keep Chinese names.
pub fn download_headers(ascii_name: &str, chinese_name: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let disposition = format!(
        "attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{}",
        crate::web::auth::urlencode(chinese_name)
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h
}
