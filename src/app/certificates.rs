//! Certificates of service: issuing and verifying.
