//! Typed inputs: every request body is a struct, parsed here from the API's
//! JSON or from a page's form, so both adapters hand the use case the same
//! value. A field of the wrong type is a 422 that names the field.

use super::error::{Error, Result};
use crate::domain::validation::{Problem, Problems};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Parses a JSON value into a typed input. The first field that does not fit
/// is named in Chinese and English.
fn holds_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(holds_nul),
        Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

pub fn parse<T: DeserializeOwned>(v: Value) -> Result<T> {
    if !v.is_object() {
        return Err(Error::bad_request("请求内容应为JSON对象", "The request body must be a JSON object"));
    }
    if holds_nul(&v) {
        // never typed by a person, and PostgreSQL refuses it in text
        return Err(Error::bad_request("请求中含有空字符", "The request holds a NUL character"));
    }
    let probe = v.clone();
    serde_path_to_error::deserialize::<_, T>(v).map_err(|e| {
        let mut inner = e.inner().to_string();
        let field = match e.path().iter().next() {
            Some(serde_path_to_error::Segment::Map { key }) => key.clone(),
            // a missing field is reported at the struct itself: its name is in the message
            _ if inner.starts_with("missing field") => inner.split('`').nth(1).unwrap_or("body").to_string(),
            // fields of a flattened part are read after the path is lost: find the one at fault
            _ => match culprit::<T>(&probe) {
                Some((key, message)) => {
                    inner = message;
                    key
                }
                None => inner.split('`').nth(1).unwrap_or("body").to_string(),
            },
        };
        // our lenient field types say `中文|English`; serde's own errors are English
        let (zh, en) = match inner.split_once('|') {
            Some((zh, en)) => (zh.to_string(), en.split(" at line ").next().unwrap_or(en).to_string()),
            None if inner.starts_with("missing field") => ("不能为空".into(), "is required".into()),
            None if inner.starts_with("unknown variant") => {
                ("不在可选范围内".into(), "is not one of the allowed values".into())
            }
            None => ("格式不正确".into(), "has the wrong type".into()),
        };
        Error::invalid(Problems(vec![Problem::about(&field, &zh, &en)]))
    })
}

/// The first field that fails to read on its own, with its error: how a
/// wrong type inside a `#[serde(flatten)]` part is named (serde reads those
/// parts from a buffer, out of sight of the path tracking above).
fn culprit<T: DeserializeOwned>(body: &Value) -> Option<(String, String)> {
    body.as_object()?.iter().find_map(|(k, v)| {
        let one = Value::Object(Map::from_iter([(k.clone(), v.clone())]));
        match serde_json::from_value::<T>(one) {
            Err(e) if !e.to_string().starts_with("missing field") => Some((k.clone(), e.to_string())),
            _ => None,
        }
    })
}

/// A page's form, already gathered into a JSON object (`pages::form_to_map`), as a typed input.
pub fn from_form<T: DeserializeOwned>(m: Map<String, Value>) -> Result<T> {
    parse(Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::input::de;
    use proptest::prelude::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)] // read through Debug only
    struct Sample {
        #[serde(default, deserialize_with = "de::text")]
        title: Option<String>,
        #[serde(default, deserialize_with = "de::int")]
        volunteers_needed: Option<i64>,
        #[serde(default, deserialize_with = "de::float")]
        lat: Option<f64>,
        #[serde(default, deserialize_with = "de::flag")]
        insurance: Option<bool>,
        #[serde(default, deserialize_with = "de::list")]
        required_skills: Vec<String>,
        #[serde(default, deserialize_with = "de::ids")]
        volunteer_ids: Vec<i64>,
        stars: i64,
    }

    #[test]
    fn a_form_and_json_parse_alike_and_a_wrong_type_names_its_field() {
        let from_form: Sample = parse(json!({"volunteers_needed": "３", "lat": "33.5", "insurance": "on",
            "required_skills": "电工、驾驶", "volunteer_ids": ["7", 8], "stars": 5}))
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(from_form.volunteers_needed, Some(3));
        assert_eq!(from_form.insurance, Some(true));
        assert_eq!(from_form.required_skills, vec!["电工", "驾驶"]);
        assert_eq!(from_form.volunteer_ids, vec![7, 8]);
        let e = parse::<Sample>(json!({"volunteers_needed": "three", "stars": 1})).err().map(|e| e.fields);
        let p = e.and_then(|f| f.into_iter().next()).map(|p| (p.field, p.en));
        assert_eq!(p.as_ref().map(|(f, _)| f.as_str()), Some("volunteers_needed"));
        assert!(p.is_some_and(|(_, en)| en.ends_with("must be a whole number")));
        let missing = parse::<Sample>(json!({})).err().map(|e| (e.status.as_u16(), e.fields[0].field.clone()));
        assert_eq!(missing, Some((422, "stars".to_string())));
        assert_eq!(parse::<Sample>(json!([1, 2])).err().map(|e| e.status.as_u16()), Some(400));
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                proptest::collection::btree_map("[a-z_]{1,18}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)] // read through Debug only
    struct WithFlattened {
        #[serde(flatten)]
        part: Part,
        #[serde(default, deserialize_with = "de::flag")]
        confirmed: Option<bool>,
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Part {
        #[serde(default, deserialize_with = "de::int")]
        region_id: Option<i64>,
    }

    #[test]
    fn a_wrong_type_inside_a_flattened_part_still_names_its_field() {
        let e = parse::<WithFlattened>(json!({"confirmed": true, "region_id": "东村"})).err().map(|e| e.fields);
        let p = e.and_then(|f| f.into_iter().next()).map(|p| (p.field, p.zh));
        assert_eq!(p.as_ref().map(|(f, _)| f.as_str()), Some("region_id"));
        assert!(p.is_some_and(|(_, zh)| zh.contains("应为整数")));
    }

    proptest! {
        #[test]
        fn any_body_parses_or_is_a_named_4xx(
            fields in proptest::collection::btree_map(
                prop_oneof![Just("title".to_string()), Just("volunteers_needed".to_string()), Just("lat".to_string()),
                    Just("insurance".to_string()), Just("required_skills".to_string()), Just("volunteer_ids".to_string()),
                    Just("stars".to_string()), "[a-z]{1,8}"],
                any_json(), 0..8)
        ) {
            let v = Value::Object(fields.into_iter().collect());
            if let Err(e) = parse::<Sample>(v) {
                prop_assert!(e.status.is_client_error());
                prop_assert!(!e.fields.is_empty());
            }
        }
    }
}
