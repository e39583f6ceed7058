//! Positions on the earth and the distance between them.

use super::validation::{Problem, Problems};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

const EARTH_RADIUS_KM: f64 = 6371.0088;

impl LatLon {
    /// Both or neither: a place with only one coordinate is a typing mistake.
    pub fn parse_pair(lat: Option<f64>, lon: Option<f64>, problems: &mut Problems) -> Option<LatLon> {
        match (lat, lon) {
            (None, None) => None,
            (Some(lat), Some(lon)) => {
                let mut ok = true;
                if !(-90.0..=90.0).contains(&lat) || !lat.is_finite() {
                    problems.push(Problem::about("lat", "应在 -90 到 90 之间", "must be between -90 and 90"));
                    ok = false;
                }
                if !(-180.0..=180.0).contains(&lon) || !lon.is_finite() {
                    problems.push(Problem::about("lon", "应在 -180 到 180 之间", "must be between -180 and 180"));
                    ok = false;
                }
                ok.then_some(LatLon { lat, lon })
            }
            (None, Some(_)) => {
                problems.push(Problem::about("lat", "与经度须同时填写", "must be given together with longitude"));
                None
            }
            (Some(_), None) => {
                problems.push(Problem::about("lon", "与纬度须同时填写", "must be given together with latitude"));
                None
            }
        }
    }

    /// Great-circle distance (haversine), in kilometres.
    pub fn distance_km(self, other: LatLon) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().asin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let a = LatLon { lat: 33.0, lon: 111.63 };
        let b = LatLon { lat: 34.0, lon: 111.63 };
        assert!((a.distance_km(b) - 111.2).abs() < 0.2);
        assert_eq!(a.distance_km(a), 0.0);
    }

    #[test]
    fn half_a_pair_is_a_problem() {
        let mut p = Problems::new();
        assert_eq!(LatLon::parse_pair(Some(33.0), None, &mut p), None);
        assert_eq!(p.0[0].field, "lon");
        let mut p = Problems::new();
        LatLon::parse_pair(Some(133.0), Some(111.0), &mut p);
        assert_eq!(p.0[0].field, "lat");
    }
}
