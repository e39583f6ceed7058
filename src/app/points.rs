//! Points and rewards: the ledger, adjustments, the shop, redemptions, evaluations, assessments and leaderboards.
