//! Who is calling, as every use case sees it: the account, its role and the
//! region subtree it may act in. How a caller is recognised (a bearer token,
//! a session cookie) is the web's business; what a caller may do is here.

use super::error::{Error, Result};
use super::App;
use crate::domain::account::{Role, Scope};
use crate::store::audit;

#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: i64,
    pub username: String,
    /// The person's name (姓名), for wherever the account is named to people.
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
    pub volunteer_id: Option<i64>,
    pub csrf: String,
    pub token_hash: String,
    /// A session that may only choose a new password or enrol the second
    /// factor (`store::sessions::Pending`) until that is done.
    pub pending: Option<crate::store::sessions::Pending>,
}

impl Caller {
    /// The path prefix of everything this caller may see; `/` is the whole tree.
    pub fn scope_path(&self) -> &str {
        match &self.scope.region_path {
            Some(p) => p,
            None if self.role == Role::Admin => "/",
            // a non-admin account without a region sees nothing
            None => "/none/",
        }
    }

    pub fn covers(&self, path: &str) -> bool {
        self.scope.covers(path)
    }

    pub fn ensure_covers(&self, path: &str) -> Result<()> {
        if self.covers(path) {
            Ok(())
        } else {
            Err(Error::forbidden())
        }
    }

    pub fn ensure(&self, allowed: bool) -> Result<()> {
        if allowed {
            Ok(())
        } else {
            Err(Error::forbidden())
        }
    }

    /// Whether this caller reads a volunteer's ID number and phone in full.
    pub fn sees_personal_data_of(&self, volunteer_id: i64, region_path: &str) -> bool {
        (self.role.sees_personal_data() && self.covers(region_path)) || self.volunteer_id == Some(volunteer_id)
    }

    /// The audit record of something this caller does, to be written by the
    /// store in the same transaction as the change itself.
    pub fn record(&self, action: &str, target_type: &str, target_id: impl ToString, detail: &str) -> audit::Record {
        audit::Record {
            user_id: Some(self.user_id),
            username: self.username.clone(),
            action: action.to_string(),
            target_type: target_type.to_string(),
            target_id: target_id.to_string(),
            detail: detail.to_string(),
        }
    }

    /// Records an unmasked view of personal data before it is shown; when the
    /// record cannot be written, the view is refused.
    pub async fn audit_view(&self, app: &App, target_type: &str, target_id: &str, detail: &str) -> Result<()> {
        let r = self.record("view_personal_data", target_type, target_id, detail);
        audit::append(&app.db.pool, &r.entry()).await.map_err(Error::from)
    }

    /// Records an act that changed nothing stored beside it. Changes write
    /// their record in their own transaction instead (`record`).
    pub async fn audit(&self, app: &App, action: &str, target_type: &str, target_id: &str, detail: &str) {
        let r = self.record(action, target_type, target_id, detail);
        if let Err(err) = audit::append(&app.db.pool, &r.entry()).await {
            // An audit that cannot be written is an operational alarm, not a user error.
            tracing::error!(error = %err, action, "audit append failed");
        }
    }
}
