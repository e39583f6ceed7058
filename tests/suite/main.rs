//! The integration suite: the real app over HTTP against real SQLite and
//! PostgreSQL databases (see `common`), the CLI as a process, and browser
//! journeys in headless Chromium.

mod common;

mod access;
mod activities;
mod announcements;
mod architecture;
mod auth;
mod browser;
mod care;
mod cli;
mod crash;
mod crawl;
mod erase;
mod exports;
mod field;
mod grids;
mod hardening;
mod hostile_files;
mod hostile_input;
mod imports;
mod incentives;
mod mentoring;
mod mobilizations;
mod needs;
mod notifications;
mod openapi;
mod pages;
mod photos;
mod privacy;
mod records;
mod recruitment;
mod regions_teams;
mod reports;
mod roster_layouts;
mod scale;
mod schema;
mod second_factor;
mod security;
mod sessions;
mod speed;
mod volunteers;
