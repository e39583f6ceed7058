//! Typed inputs: every request body is a struct, parsed here from the API's
//! JSON or from a page's form, so both adapters hand the use case the same
//! value. A field of the wrong type is a 422 that names the field.

use super::error::{Error, Result};
use crate::domain::validation::{Problem, Problems};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Parses a JSON value into a typed input. The first field that does not fit
/// is named in Chinese and English.
pub fn parse<T: DeserializeOwned>(v: Value) -> Result<T> {
    if !v.is_object() {
        return Err(Error::bad_request("请求内容应为JSON对象", "The request body must be a JSON object"));
    }
    serde_path_to_error::deserialize::<_, T>(v).map_err(|e| {
        let inner = e.inner().to_string();
        let field = match e.path().iter().next() {
            Some(serde_path_to_error::Segment::Map { key }) => key.clone(),
            // a missing field is reported at the struct itself: its name is in the message
            _ => inner.split('`').nth(1).unwrap_or("body").to_string(),
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

/// A page's form, already gathered into a JSON object (`pages::form_to_map`), as a typed input.
pub fn from_form<T: DeserializeOwned>(m: Map<String, Value>) -> Result<T> {
    parse(Value::Object(m))
}
