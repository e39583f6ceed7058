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

/// Fields whose text is prose a person wrote: kept exactly as typed, full-width
/// punctuation, digits and line breaks included.
const PROSE: &[&str] = &["body", "notes", "description", "reason", "comment", "help_given", "summary", "answer"];

/// Fields of one line a person wrote (a title, a place): kept as typed except
/// that line breaks and runs of spaces become one space.
const LINE: &[&str] = &["title", "caption", "place", "address", "organiser", "awarded_by", "employer", "contact"];

/// A text field as the rules keep it, by what the field holds: prose exactly
/// as typed (only a browser's `\r\n` becomes `\n`, and blank edges go), one
/// line with its spacing tidied, and codes, numbers and names folded by
/// `tidy` so that `１３８` and `138` are one phone. `None` when blank.
pub fn typed(field: &str, s: Option<&str>) -> Option<String> {
    let s = s?;
    let t = if PROSE.contains(&field) {
        s.replace("\r\n", "\n").trim().to_string()
    } else if LINE.contains(&field) {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        tidy(s)
    };
    (!t.is_empty()).then_some(t)
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

    #[test]
    fn prose_and_titles_keep_what_was_typed_codes_are_folded() {
        let typed_in = "通知：明天８点集合，\r\n请带好雨具！（必到）";
        assert_eq!(typed("body", Some(typed_in)).as_deref(), Some("通知：明天８点集合，\n请带好雨具！（必到）"));
        assert_eq!(typed("title", Some(" 防汛：\n集合！ ")).as_deref(), Some("防汛： 集合！"));
        assert_eq!(typed("phone", Some("１３８ ００１３")).as_deref(), Some("138 0013"));
        assert_eq!(typed("notes", Some(" \r\n ")), None);
    }
}
