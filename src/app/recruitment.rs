//! Recruitment (招募): applications, the reviewers' checklist, approval.
