//! Resident identity card numbers (公民身份号码, GB 11643-1999).
//!
//! Eighteen characters: six of the place of first registration, eight of the
//! birth date, three of sequence (odd for men, even for women) and a check
//! character computed with ISO 7064 MOD 11-2. Old fifteen-digit numbers (born
//! 19xx, no check character) are still printed on some records and are upgraded.

use super::gender::Gender;
use super::text::fold_width;
use super::validation::Problem;
use chrono::{Datelike, NaiveDate};
use std::fmt;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A valid 18-character ID number. The only way to get one is `parse`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

/// What is wrong with a typed ID number, in words a clerk can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdNumberError {
    Empty,
    Length,
    Characters,
    /// Excel shows long numbers as `4.10123E+17` and loses the last digits.
    Scientific,
    BirthDate,
    CheckDigit,
}

impl IdNumberError {
    pub fn problem(self, field: &str) -> Problem {
        let (zh, en) = match self {
            IdNumberError::Empty => ("不能为空", "is required"),
            IdNumberError::Length => ("应为18位", "must have 18 characters"),
            IdNumberError::Characters => ("只能由数字和末位X组成", "may hold only digits and a final X"),
            IdNumberError::Scientific => (
                "被Excel转成了科学计数法，请把该列设为文本后重新录入",
                "was turned into scientific notation by Excel; format the column as text and enter it again",
            ),
            IdNumberError::BirthDate => ("中的出生日期不存在", "holds a birth date that does not exist"),
            IdNumberError::CheckDigit => ("校验位不正确", "has a wrong check digit"),
        };
        Problem::about(field, zh, en)
    }
}

/// The check character for the first seventeen digits.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK[(sum % 11) as usize]
}

impl IdNumber {
    pub fn parse(input: &str) -> Result<IdNumber, IdNumberError> {
        let s: String = fold_width(input)
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\'' && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if s.is_empty() {
            return Err(IdNumberError::Empty);
        }
        if s.contains('E') && (s.contains('+') || s.contains('.')) {
            return Err(IdNumberError::Scientific);
        }
        let s = match s.len() {
            18 => s,
            15 if s.bytes().all(|b| b.is_ascii_digit()) => {
                let mut up = format!("{}19{}", &s[..6], &s[6..]);
                up.push(check_char(up.as_bytes()));
                up
            }
            _ => {
                return Err(if s.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    IdNumberError::Length
                } else {
                    IdNumberError::Characters
                })
            }
        };
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(IdNumberError::Characters);
        }
        let given_check = b[17] as char;
        let id = IdNumber(s);
        let birth = id.parse_birth().ok_or(IdNumberError::BirthDate)?;
        if birth.year() < 1880 {
            return Err(IdNumberError::BirthDate);
        }
        if check_char(&id.0.as_bytes()[..17]) != given_check {
            return Err(IdNumberError::CheckDigit);
        }
        Ok(id)
    }

    fn parse_birth(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").ok()
    }

    pub fn birth_date(&self) -> NaiveDate {
        // parse() refused any number whose birth date does not exist
        self.parse_birth().unwrap_or_default()
    }

    pub fn gender(&self) -> Gender {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `410***********1234`: enough to tell two people apart on a list, not
    /// enough to be used for anything else.
    pub fn masked(&self) -> String {
        mask_id_str(&self.0)
    }
}

/// Masks any stored ID-like string the same way, even one that was never parsed.
pub fn mask_id_str(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

impl fmt::Debug for IdNumber {
    // Never print the whole number, not even in a debug log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Numbers made up for tests, with correct check characters.
    const MAN: &str = "11010519491231002X";

    #[test]
    fn accepts_a_valid_number_and_reads_it() {
        let id = IdNumber::parse(MAN).expect("valid");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).expect("date"));
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.masked(), "110***********002X");
    }

    #[test]
    fn lower_case_x_full_width_and_spaces_are_tidied() {
        let id = IdNumber::parse(" １１０１０５ 19491231002x ").expect("valid");
        assert_eq!(id.as_str(), MAN);
    }

    #[test]
    fn wrong_check_digit_is_refused() {
        assert_eq!(IdNumber::parse("110105194912310021"), Err(IdNumberError::CheckDigit));
    }

    #[test]
    fn impossible_birth_date_is_refused() {
        let mut s = String::from("41102519800230001");
        s.push(check_char(s.as_bytes()));
        assert_eq!(IdNumber::parse(&s), Err(IdNumberError::BirthDate));
    }

    #[test]
    fn excel_scientific_notation_is_named() {
        assert_eq!(IdNumber::parse("4.11025E+17"), Err(IdNumberError::Scientific));
    }

    #[test]
    fn short_and_odd_inputs_are_refused() {
        assert_eq!(IdNumber::parse("4110251980"), Err(IdNumberError::Length));
        assert_eq!(IdNumber::parse(""), Err(IdNumberError::Empty));
        assert_eq!(IdNumber::parse("41102519800101001?"), Err(IdNumberError::Characters));
    }

    #[test]
    fn fifteen_digit_numbers_are_upgraded() {
        let id = IdNumber::parse("411025800101001").expect("valid old number");
        assert_eq!(id.as_str().len(), 18);
        assert!(id.as_str().starts_with("41102519800101001"));
        assert_eq!(id.gender(), Gender::Male);
    }

    proptest! {
        #[test]
        fn any_number_with_its_own_check_char_parses(
            area in 110000u32..660000, y in 1900i32..2020, doy in 0u32..365, seq in 0u32..1000
        ) {
            let date = NaiveDate::from_yo_opt(y, 1).expect("jan 1") + chrono::Days::new(doy.into());
            let mut s = format!("{area}{}{seq:03}", date.format("%Y%m%d"));
            s.push(check_char(s.as_bytes()));
            let id = IdNumber::parse(&s).expect("valid");
            prop_assert_eq!(id.birth_date(), date);
            // changing any one digit of the first 17 always breaks the check
            let mut bad = s.clone().into_bytes();
            bad[14] = if bad[14] == b'9' { b'0' } else { bad[14] + 1 };
            let bad = String::from_utf8(bad).expect("ascii");
            prop_assert!(IdNumber::parse(&bad).is_err());
        }
    }
}
