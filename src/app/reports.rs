//! Reports: the summary of a region and period, and the dashboard's figures.
