//! Reading a JSON object field by field, so that a wrong type or a bad value
//! becomes a named field problem instead of a generic "bad JSON".

use super::text::{non_empty, tidy, typed};
use super::validation::{Problem, Problems};
use chrono::NaiveDate;
use serde_json::{Map, Value};

pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    pub problems: Problems,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Fields { map, problems: Problems::new() }
    }

    fn get(&self, field: &str) -> Option<&'a Value> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.map.contains_key(field)
    }

    fn wrong(&mut self, field: &str, zh: &str, en: &str) {
        self.problems.push(Problem::about(field, zh, en));
    }

    /// Tidied text; empty text counts as absent.
    pub fn text(&mut self, field: &str, max_chars: usize) -> Option<String> {
        match self.get(field)? {
            Value::String(s) => {
                let t = typed(field, Some(s))?;
                if t.chars().count() > max_chars {
                    self.wrong(
                        field,
                        &format!("不能超过{max_chars}个字"),
                        &format!("must be at most {max_chars} characters"),
                    );
                    return None;
                }
                Some(t)
            }
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.wrong(field, "应为文字", "must be text");
                None
            }
        }
    }

    pub fn required_text(&mut self, field: &str, max_chars: usize) -> Option<String> {
        let v = self.text(field, max_chars);
        if v.is_none() && self.problems.get(field).is_none() {
            self.problems.push(Problem::required(field));
        }
        v
    }

    pub fn float(&mut self, field: &str) -> Option<f64> {
        match self.get(field)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => match tidy(s).parse::<f64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    self.wrong(field, "应为数字", "must be a number");
                    None
                }
            },
            _ => {
                self.wrong(field, "应为数字", "must be a number");
                None
            }
        }
    }

    pub fn int(&mut self, field: &str) -> Option<i64> {
        match self.get(field)? {
            Value::Number(n) if n.as_i64().is_some() => n.as_i64(),
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) if tidy(s).parse::<i64>().is_ok() => tidy(s).parse::<i64>().ok(),
            _ => {
                self.wrong(field, "应为整数", "must be a whole number");
                None
            }
        }
    }

    pub fn required_int(&mut self, field: &str) -> Option<i64> {
        let v = self.int(field);
        if v.is_none() && self.problems.get(field).is_none() {
            self.problems.push(Problem::required(field));
        }
        v
    }

    pub fn boolean(&mut self, field: &str) -> Option<bool> {
        match self.get(field)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) => match tidy(s).as_str() {
                "true" | "是" | "1" | "yes" | "on" => Some(true),
                "false" | "否" | "0" | "no" | "off" | "" => Some(false),
                _ => {
                    self.wrong(field, "应为是或否", "must be true or false");
                    None
                }
            },
            Value::Number(n) => Some(n.as_i64() == Some(1)),
            _ => {
                self.wrong(field, "应为是或否", "must be true or false");
                None
            }
        }
    }

    pub fn date(&mut self, field: &str) -> Option<NaiveDate> {
        let s = self.text(field, 40)?;
        match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.wrong(field, "应为 YYYY-MM-DD 格式的日期", "must be a date written YYYY-MM-DD");
                None
            }
        }
    }

    /// A list of short texts; a single comma- or 、-separated string is accepted
    /// too, as forms send it that way.
    pub fn text_list(&mut self, field: &str, max_items: usize) -> Vec<String> {
        let items: Vec<String> = match self.get(field) {
            None => return Vec::new(),
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for v in a {
                    match v {
                        Value::String(s) => out.extend(non_empty(Some(s))),
                        _ => {
                            self.wrong(field, "应为文字列表", "must be a list of texts");
                            return Vec::new();
                        }
                    }
                }
                out
            }
            Some(Value::String(s)) => {
                s.split([',', '，', '、', ';', '；']).filter_map(|x| non_empty(Some(x))).collect()
            }
            Some(_) => {
                self.wrong(field, "应为文字列表", "must be a list of texts");
                return Vec::new();
            }
        };
        let mut dedup: Vec<String> = Vec::new();
        for i in items {
            if !dedup.contains(&i) {
                dedup.push(i);
            }
        }
        if dedup.len() > max_items {
            self.wrong(field, &format!("最多{max_items}项"), &format!("may hold at most {max_items} items"));
            return Vec::new();
        }
        dedup
    }
}

/// Lenient field types for typed request bodies: the API's JSON and the pages'
/// forms (where every value is text) parse into the same struct. Each error
/// text is `中文|English`, which `app::input` turns into a named field problem.
pub mod de {
    use super::super::text::{non_empty, tidy};
    use serde::de::{Deserializer, Error};
    use serde::Deserialize;
    use serde_json::Value;

    fn wrong<E: Error>(zh: &str, en: &str) -> E {
        E::custom(format!("{zh}|{en}"))
    }

    /// Text as typed (a number is taken as its digits); blank is absent.
    /// Kept exactly: free text is never folded or trimmed inside.
    pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(wrong("应为文字", "must be text")),
        }
    }

    /// A whole number, from JSON or from a form's text (full-width digits too).
    pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64()),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => {
                tidy(&s).parse::<i64>().map(Some).map_err(|_| wrong("应为整数", "must be a whole number"))
            }
            Some(_) => Err(wrong("应为整数", "must be a whole number")),
        }
    }

    /// A number with decimals, from JSON or a form's text.
    pub fn float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => {
                tidy(&s).parse::<f64>().map(Some).map_err(|_| wrong("应为数字", "must be a number"))
            }
            Some(_) => Err(wrong("应为数字", "must be a number")),
        }
    }

    /// Yes or no: `true`, a checked box (`on`), 是/否, 1/0.
    pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(Value::Number(n)) => Ok(Some(n.as_i64() == Some(1))),
            Some(Value::String(s)) => match tidy(&s).as_str() {
                "true" | "是" | "1" | "yes" | "on" => Ok(Some(true)),
                "false" | "否" | "0" | "no" | "off" | "" => Ok(Some(false)),
                _ => Err(wrong("应为是或否", "must be true or false")),
            },
            Some(_) => Err(wrong("应为是或否", "must be true or false")),
        }
    }

    /// A list of short texts; a single comma- or 、-separated text is taken too,
    /// as forms send it that way. Blank items are dropped.
    pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .into_iter()
                .filter_map(|v| match v {
                    Value::String(s) => non_empty(Some(&s)).map(Ok),
                    _ => Some(Err(wrong("应为文字列表", "must be a list of texts"))),
                })
                .collect(),
            Some(Value::String(s)) => {
                Ok(s.split([',', '，', '、', ';', '；']).filter_map(|x| non_empty(Some(x))).collect())
            }
            Some(_) => Err(wrong("应为文字列表", "must be a list of texts")),
        }
    }

    /// A list of ids, as numbers or as the text of numbers.
    pub fn ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
        let bad = || wrong("应为编号列表", "must be a list of ids");
        match Option::<Value>::deserialize(d)? {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .into_iter()
                .map(|v| match v {
                    Value::Number(n) => n.as_i64().ok_or_else(bad),
                    Value::String(s) => tidy(&s).parse::<i64>().map_err(|_| bad()),
                    _ => Err(bad()),
                })
                .collect(),
            Some(Value::String(s)) => s
                .split([',', '，', '、', ' '])
                .filter(|x| !x.trim().is_empty())
                .map(|x| tidy(x).parse::<i64>().map_err(|_| bad()))
                .collect(),
            Some(_) => Err(bad()),
        }
    }
}

/// Lenient readers for a change's fields: absent is `None`, present is
/// `Some(value)`, where a null or blank value is `Some(None)` (it clears).
pub mod present {
    use super::de;
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
        de::text(d).map(Some)
    }
    pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
        de::int(d).map(Some)
    }
    pub fn float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
        de::float(d).map(Some)
    }
    pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<bool>>, D::Error> {
        de::flag(d).map(Some)
    }
    pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        de::list(d).map(Some)
    }
    /// The value as sent, null included.
    pub fn raw<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
        Value::deserialize(d).map(Some)
    }
}
