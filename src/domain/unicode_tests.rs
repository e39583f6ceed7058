//! Every parser of typed text gets arbitrary Unicode: combining marks,
//! full-width forms, emoji, lone surrogates' neighbours, control characters.
//! None may panic (a byte-index slice inside a character would), and the ones
//! that tidy text must give text that tidies to itself.

use super::account::{check_password, check_username, Role};
use super::category::{category_code, category_label, is_emergency};
use super::id_number::{mask_id_str, IdNumber};
use super::lang::Lang;
use super::phone::{mask_phone_str, Phone};
use super::region::RegionKind;
use super::report::Period;
use super::roster::{is_party_member, parse_date, parse_gender, split_items, Cell, Sheet};
use super::team::TeamKind;
use super::text::{fold_width, non_empty, tidy};
use super::volunteer::{skill_code, skill_label, veteran_category_code, Gender, VolunteerStatus};
use proptest::prelude::*;

/// Text from every corner of Unicode, weighted towards what Chinese keyboards
/// and Excel produce.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[０-９Ａ-Ｚ　，。：！？（）\\-+x年月日 0-9]{0,24}",
        "[\\u{0300}-\\u{036F}\\u{1F300}-\\u{1F5FF}\\u{4E00}-\\u{4E2F}\\u{FF01}-\\u{FF5E}\\t\\n\\r]{0,16}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn text_parsers_never_panic(s in any_text(), t in any_text()) {
        let tidied = tidy(&s);
        prop_assert_eq!(tidy(&tidied), tidied.clone());
        prop_assert!(!tidied.starts_with(' ') && !tidied.ends_with(' '));
        prop_assert_eq!(fold_width(&s).chars().count(), s.chars().count());
        let _ = non_empty(Some(&s));
        let _ = IdNumber::parse(&s);
        let _ = mask_id_str(&s);
        let _ = Phone::parse(&s);
        let _ = mask_phone_str(&s);
        let _ = check_password(&s, &t);
        let _ = check_username(&s);
        let _ = Role::parse(&s);
        let _ = Lang::from_tag(&s);
        let _ = category_code(&s);
        let _ = category_label(&s);
        let _ = is_emergency(&s);
        let _ = skill_code(&s);
        let _ = skill_label(&s);
        let _ = veteran_category_code(&s);
        let _ = RegionKind::parse(&s);
        let _ = TeamKind::parse(&s);
        let _ = Gender::parse(&s);
        let _ = VolunteerStatus::parse(&s);
        let _ = parse_gender(&s);
        let _ = is_party_member(&s);
        let _ = split_items(&s);
        let _ = super::roster::skill_code(&s);
        let _ = parse_date(&Cell::Text(s.clone()));
        let _ = Period::parse(Some(&s), Some(&t));
        let _ = Period::parse_report(Some(&s), None);
        let _ = super::care::default_campaign(&s, 2026);
    }

    #[test]
    fn a_csv_roster_of_any_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512), s in any_text()) {
        let _ = Sheet::from_csv(&bytes);
        let text = format!("姓名,身份证号,联系电话\n{s},{s},{s}\n");
        if let Ok(sheet) = Sheet::from_csv(text.as_bytes()) {
            let _ = super::roster::find_header(&sheet, &Default::default(), &Default::default());
        }
    }
}
