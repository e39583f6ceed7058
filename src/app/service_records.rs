//! Service records: a volunteer's records, corrections, and the town's rules that turn service into hours and points.
