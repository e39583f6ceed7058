//! Notices (通知公告): posting to a region and read receipts.
