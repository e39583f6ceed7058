//! The two languages every page and message comes in. Chinese is the default.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Reads a `lang` cookie or query value, or an `Accept-Language` header.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let first = tag.split([',', ';']).next().unwrap_or("").trim().to_ascii_lowercase();
        if first.starts_with("zh") {
            Some(Lang::Zh)
        } else if first.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn html_tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Picks one of a pair of texts. Texts are kept side by side at the place
    /// they are used so the two languages cannot drift apart unnoticed.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_first_known() {
        assert_eq!(Lang::from_tag("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_tag("zh-CN,zh;q=0.9,en;q=0.8"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("fr"), None);
    }
}
