//! Regions: county, town, village and grid, and one-team-per-village coverage.
