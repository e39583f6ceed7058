//! Attendance: the leader's sheet and the volunteers' own QR check-in and check-out.
