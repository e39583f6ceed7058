//! A person's gender as the roster and the ID number record it. Its own
//! module because both `id_number` (the 17th digit says it) and `volunteer`
//! need it, and neither should lean on the other.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
    pub fn parse<S: AsRef<str> + ?Sized>(s: &S) -> Option<Gender> {
        let s = s.as_ref();
        match s {
            "male" | "男" | "m" | "M" => Some(Gender::Male),
            "female" | "女" | "f" | "F" => Some(Gender::Female),
            _ => None,
        }
    }
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Gender::Male => ("男", "Male"),
            Gender::Female => ("女", "Female"),
        }
    }
}

impl std::fmt::Display for Gender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
