//! Care (走访慰问): the people looked after, visit campaigns, visits and coverage.
