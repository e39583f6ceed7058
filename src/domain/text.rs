//! Text clean-up shared by every parser: full-width forms and stray spaces are
//! what people type on Chinese keyboards and what Excel sheets carry.

/// Folds full-width ASCII (`０-９`, `Ａ-Ｚ`, `－`, `＋`, the ideographic space)
/// into plain ASCII.
pub fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Trims, folds width and collapses runs of white space into one space.
pub fn tidy(s: &str) -> String {
    fold_width(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Trims and folds width; `None` when nothing is left.
pub fn non_empty(s: Option<&str>) -> Option<String> {
    let t = tidy(s?);
    if t.is_empty() {
        None
    } else {
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_digits_and_spaces() {
        assert_eq!(fold_width("１３８　０１２３"), "138 0123");
        assert_eq!(tidy("  张  三 "), "张 三");
        assert_eq!(non_empty(Some("　")), None);
    }
}
