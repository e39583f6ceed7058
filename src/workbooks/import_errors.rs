//! The roster a clerk sent, handed back with a red 错误原因 column: every
//! sheet as it was read (cells in their places, ID numbers as text, dates as
//! dates), and beside each row that cannot be imported what is wrong with it
//! and what to do, so the clerk fixes it in place and imports again.
//! Formatting, formulas and pictures of the original are not kept.

use crate::domain::roster::{Book, Cell, Header, RowError};
use rust_xlsxwriter::{Color, Format, Workbook, XlsxError};
use std::collections::HashMap;

pub const COLUMN: &str = "错误原因";

/// `errors` name their sheet and row; `headers` say where each sheet's header is.
pub fn annotated(book: &Book, headers: &[Header], errors: &[RowError]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let red = Format::new().set_font_color(Color::Red).set_text_wrap();
    let red_head = Format::new().set_font_color(Color::White).set_background_color(Color::Red).set_bold();
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for sheet in &book.sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&sheet.name)?;
        let width = sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
        for (i, row) in sheet.rows.iter().enumerate() {
            let r = sheet.first_row - 1 + i as u32;
            for (j, c) in row.iter().enumerate() {
                let col = (sheet.first_col as usize + j) as u16;
                match c {
                    Cell::Empty => {}
                    Cell::Text(s) => {
                        ws.write_string_with_format(r, col, s, &text)?;
                    }
                    Cell::Number(n) if sheet.dates.contains(&(i, j)) => {
                        ws.write_number_with_format(r, col, *n, &date)?;
                    }
                    Cell::Number(n) => {
                        ws.write_number(r, col, *n)?;
                    }
                }
            }
        }
        let Some(h) = headers.iter().find(|h| h.sheet == sheet.name) else {
            continue;
        };
        let col = (sheet.first_col as usize + width) as u16;
        ws.write_string_with_format(h.row - 1, col, COLUMN, &red_head)?;
        ws.set_column_width(col, 60)?;
        let mut by_row: HashMap<u32, Vec<String>> = HashMap::new();
        for e in errors.iter().filter(|e| e.sheet == sheet.name) {
            by_row.entry(e.row).or_default().push(e.zh.clone());
        }
        for (row, list) in by_row {
            ws.write_string_with_format(row - 1, col, list.join("；"), &red)?;
        }
    }
    wb.save_to_buffer()
}
