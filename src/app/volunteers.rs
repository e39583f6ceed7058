//! Volunteers: the roster's people, their profiles, with personal data shown only to those who may see it.
