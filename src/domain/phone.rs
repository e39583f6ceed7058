//! Phone numbers as people write them: `138 0012 3456`, `+86-138-0012-3456`,
//! full-width digits, or a landline `0377-6123456`.

use super::text::fold_width;
use super::validation::Problem;
use std::fmt;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Phone, Problem> {
        let folded = fold_width(input);
        let mut digits: String = folded.chars().filter(|c| c.is_ascii_digit()).collect();
        let junk = folded
            .chars()
            .any(|c| !(c.is_ascii_digit() || c.is_whitespace() || matches!(c, '-' | '+' | '(' | ')' | '（' | '）')));
        if digits.is_empty() {
            return Err(Problem::required("phone"));
        }
        if junk {
            return Err(Problem::about(
                "phone",
                "含有无法识别的字符",
                "holds characters that are not part of a number",
            ));
        }
        if folded.trim_start().starts_with('+') || digits.starts_with("0086") {
            digits = digits.trim_start_matches("00").to_string();
            if !digits.starts_with("86") {
                return Err(Problem::about("phone", "只支持中国大陆号码", "must be a mainland China number"));
            }
            digits.drain(..2);
        } else if digits.len() == 13 && digits.starts_with("861") {
            digits.drain(..2);
        }
        let b = digits.as_bytes();
        if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
            return Ok(Phone(digits));
        }
        if b[0] == b'0' && (10..=12).contains(&b.len()) {
            // 010 and 02x have three-digit area codes, the rest four
            let area = if b[1] == b'1' || b[1] == b'2' { 3 } else { 4 };
            let local = b.len() - area;
            if (7..=8).contains(&local) {
                return Ok(Phone(format!("{}-{}", &digits[..area], &digits[area..])));
            }
        }
        Err(Problem::about(
            "phone",
            "应为11位手机号或带区号的固定电话",
            "must be an 11-digit mobile number or a landline with its area code",
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`.
    pub fn masked(&self) -> String {
        mask_phone_str(&self.0)
    }
}

pub fn mask_phone_str(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers_in_every_habit() {
        for s in [
            "13800125678",
            "138 0012 5678",
            "138-0012-5678",
            "+86 138 0012 5678",
            "0086-13800125678",
            "８６１３８００１２５６７８",
            "１３８００１２５６７８",
        ] {
            assert_eq!(Phone::parse(s).map(|p| p.as_str().to_string()), Ok("13800125678".into()), "{s}");
        }
        assert_eq!(Phone::parse("13800125678").expect("ok").masked(), "138****5678");
    }

    #[test]
    fn landlines_keep_their_area_code() {
        assert_eq!(Phone::parse("0377-6123456").expect("ok").as_str(), "0377-6123456");
        assert_eq!(Phone::parse("010 12345678").expect("ok").as_str(), "010-12345678");
    }

    #[test]
    fn bad_numbers_are_refused_naming_the_field() {
        for s in ["1380012567", "12800125678", "abc", "+1 415 555 0100", "138001256789"] {
            let p = Phone::parse(s).expect_err(s);
            assert_eq!(p.field, "phone");
            assert!(p.zh.starts_with("手机号"), "{}", p.zh);
        }
    }
}
