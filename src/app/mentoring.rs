//! 老兵带新兵: mentor pairs and their outcomes, and the board of job and business leads.
