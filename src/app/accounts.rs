//! Accounts: signing in and out, recognising a session, and one's own inbox.

use super::error::{Error, Result};
use super::{App, Caller};
use crate::domain::account::{self, Role, Scope, SESSION_IDLE_MINUTES, TOKEN_HOURS};
use crate::domain::error_code::ErrorCode;
use crate::domain::validation::{Problem, Problems};
use crate::domain::{clock, password, totp};
pub use crate::store::accounts::AccountFilter;
use crate::store::accounts::{self, NewSession, SessionKind, SessionUser, UserRow};
use crate::store::sessions::{self, Claims};

use crate::store::audit;
use crate::store::notifications::{self, Notification};
pub use crate::store::sessions::{Ending, Pending};
use chrono::{DateTime, Duration, Utc};

/// Hashes a password off the async threads.
pub async fn hash_password(password: String) -> Result<String> {
    with_argon2(move || password::hash(&password)).await.flatten().ok_or_else(Error::internal)
}

async fn verify_password(password: String, hash: String) -> bool {
    with_argon2(move || password::verify(&password, &hash)).await.unwrap_or(false)
}

/// Checks a password against the decoy hash (an unknown user name), made on
/// first use off the async threads too.
async fn verify_decoy(password: String) -> bool {
    with_argon2(move || password::verify(&password, password::decoy())).await.unwrap_or(false)
}

/// Runs an Argon2id hash or check off the async threads, on one thread kept
/// for them, one at a time. Each takes 7 MiB for a moment: a burst of sign-ins
/// queues for the core instead of stacking 7 MiB per request. And always the
/// same thread, because the allocator keeps a freed block with the thread that
/// freed it for that thread's next use: on the blocking pool, each sign-in
/// landing on another pool thread left another 7 MiB resident (docs/benchmarks.md,
/// issue 17); here the one block is used again and again.
async fn with_argon2<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    type Job = Box<dyn FnOnce() + Send>;
    static HASHER: std::sync::OnceLock<std::sync::mpsc::Sender<Job>> = std::sync::OnceLock::new();
    let jobs = HASHER.get_or_init(|| {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let run = move || {
            for job in queue {
                // a job that panics drops its answer (the caller sees None);
                // the thread lives on for the next sign-in
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            }
        };
        // if the thread cannot start, the queue's end is dropped and every
        // sign-in fails with an internal error rather than waiting forever
        let _ = std::thread::Builder::new().name("argon2".into()).spawn(run);
        jobs
    });
    let (answer, answered) = tokio::sync::oneshot::channel();
    jobs.send(Box::new(move || {
        let _ = answer.send(f());
    }))
    .ok()?;
    answered.await.ok()
}

pub enum LoginFailure {
    Wrong,
    Locked(DateTime<Utc>),
    /// The password was right; the account has a second factor and no code came.
    TotpNeeded,
    /// The password and code were right but the API cannot be used yet: the
    /// account must change its password, or enrol the second factor its role
    /// requires, in the browser first.
    BrowserFirst(Pending),
    /// Too many failed sign-ins from this client address.
    TooMany,
}

impl LoginFailure {
    pub fn error(&self) -> Error {
        match self {
            LoginFailure::Wrong => Error::code(ErrorCode::InvalidCredentials),
            LoginFailure::Locked(until) => Error::new(
                ErrorCode::AccountLocked,
                // Beijing time, as the station's clocks show it
                format!("连续登录失败5次，账号已锁定至北京时间 {}", clock::clock_text(*until)),
                format!("Locked after 5 failed logins until {} UTC", until.format("%H:%M")),
            ),
            LoginFailure::TotpNeeded => Error::code(ErrorCode::TotpRequired),
            LoginFailure::BrowserFirst(Pending::Password) => Error::code(ErrorCode::PasswordChangeRequired),
            LoginFailure::BrowserFirst(Pending::Totp) => Error::new(
                ErrorCode::TotpRequired,
                "该角色须开启两步验证：请先在网页上登录，按提示绑定验证器应用",
                "This role must use a second factor: sign in on the web pages and enrol an authenticator app first",
            ),
            LoginFailure::TooMany => Error::new(
                ErrorCode::TooManyAttempts,
                format!("该地址登录失败次数过多，请{CLIENT_WINDOW_MINUTES}分钟后再试"),
                format!("Too many failed sign-ins from this address; try again in {CLIENT_WINDOW_MINUTES} minutes"),
            ),
        }
    }
}

/// Failed sign-ins one client address may make in `CLIENT_WINDOW_MINUTES`,
/// whatever accounts it tries (each account also locks after five).
pub const CLIENT_FAILURES: i64 = 20;
pub const CLIENT_WINDOW_MINUTES: i64 = 15;

/// What a sign-in brings: the account, the password exactly as typed, the
/// second factor's code if one was given, and where the request came from.
pub struct Credentials<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub totp: Option<&'a str>,
    pub client: std::net::IpAddr,
}

fn client_hash(app: &App, ip: std::net::IpAddr) -> String {
    app.db.vault.blind(&format!("login-client:{ip}"))
}

/// Checks a user name and password, counting failures toward the lockout.
/// The second factor is checked by [`sign_in`].
pub async fn authenticate(
    app: &App,
    username: &str,
    password: &str,
) -> Result<std::result::Result<UserRow, LoginFailure>> {
    let user = accounts::find_by_name(&app.db.pool, username.trim()).await?;
    let Some(user) = user else {
        verify_decoy(password.to_string()).await;
        return Ok(Err(LoginFailure::Wrong));
    };
    let now = Utc::now();
    if let Some(until) = user.locked_until.filter(|u| *u > now) {
        return Ok(Err(LoginFailure::Locked(until)));
    }
    if verify_password(password.to_string(), user.password_hash.clone()).await {
        Ok(Ok(user))
    } else {
        Ok(Err(count_failure(app, &user).await?))
    }
}

fn login_record(user: &UserRow, action: &str) -> audit::Record {
    audit::Record {
        user_id: Some(user.id),
        username: user.username.clone(),
        action: action.to_string(),
        target_type: "user".into(),
        target_id: user.id.to_string(),
        detail: String::new(),
    }
}

async fn count_failure(app: &App, user: &UserRow) -> Result<LoginFailure> {
    let locked = accounts::record_failure(&app.db.pool, user.id, |locked| {
        login_record(user, if locked { "login_locked" } else { "login_failed" })
    })
    .await?;
    Ok(match locked {
        Some(until) => LoginFailure::Locked(until),
        None => LoginFailure::Wrong,
    })
}

/// Whether a code is the account's current TOTP code (used once) or one of
/// its unused recovery codes (used up).
async fn second_factor_ok(app: &App, user: &UserRow, code: &str) -> Result<bool> {
    let Some(secret) = user.totp_secret.as_deref().and_then(|s| app.db.vault.open(s)) else {
        return Ok(false);
    };
    let Some(key) = totp::from_base32(&secret) else {
        return Ok(false);
    };
    if let Some(step) = totp::check(&key, code, Utc::now().timestamp(), user.totp_last_step) {
        return Ok(accounts::use_totp_step(&app.db.pool, user.id, step).await?);
    }
    if let Some(r) = totp::normalize_recovery(code) {
        let h = app.db.vault.blind(&format!("recovery:{}:{r}", user.id));
        if accounts::use_recovery_code(&app.db.pool, user.id, &h).await? {
            let mut rec = login_record(user, "recovery_code_used");
            rec.detail = "recovery code used to sign in".into();
            audit::append(&app.db.pool, &rec.entry()).await?;
            return Ok(true);
        }
    }
    Ok(false)
}

/// Signs in: the client address's limit, the password, the second factor,
/// then a new session of the given kind — or why not. A browser session of an
/// account that must change its password, or enrol the second factor its role
/// requires, is limited to doing that (`Pending`); the API refuses such an
/// account until it has.
pub async fn sign_in(
    app: &App,
    cred: &Credentials<'_>,
    kind: SessionKind,
) -> Result<std::result::Result<NewSession, LoginFailure>> {
    let client = client_hash(app, cred.client);
    let since = Utc::now() - Duration::minutes(CLIENT_WINDOW_MINUTES);
    if accounts::client_failures_since(&app.db.pool, &client, since).await? >= CLIENT_FAILURES {
        return Ok(Err(LoginFailure::TooMany));
    }
    let user = match authenticate(app, cred.username, cred.password).await? {
        Ok(u) => u,
        Err(f) => {
            accounts::record_client_failure(&app.db.pool, &client).await?;
            return Ok(Err(f));
        }
    };
    if user.totp_secret.is_some() {
        match cred.totp.map(str::trim).filter(|c| !c.is_empty()) {
            None => return Ok(Err(LoginFailure::TotpNeeded)),
            Some(code) => {
                if !second_factor_ok(app, &user, code).await? {
                    accounts::record_client_failure(&app.db.pool, &client).await?;
                    return Ok(Err(count_failure(app, &user).await?));
                }
            }
        }
    }
    let pending = if user.must_change_password {
        Some(Pending::Password)
    } else if user.totp_secret.is_none() && accounts::totp_roles(&app.db.pool).await?.contains(&user.role) {
        Some(Pending::Totp)
    } else {
        None
    };
    if let (Some(p), SessionKind::Api) = (pending, kind) {
        return Ok(Err(LoginFailure::BrowserFirst(p)));
    }
    accounts::record_success(&app.db.pool, user.id, &login_record(&user, "login")).await?;
    Ok(Ok(accounts::create_session(&app.db, &user, kind, Duration::hours(TOKEN_HOURS), pending).await?))
}

/// Ends the caller's own session (logout, or a revoked API token).
pub async fn sign_out(app: &App, caller: &Caller) -> Result<()> {
    end_sessions(app, Ending::Session(&caller.token_hash)).await?;
    Ok(())
}

/// Ends sessions — the one way to sign people out: the rows go, this server
/// refuses them at once and every other server within `sessions::SYNC_EVERY`
/// (it reads its sessions' rows again every second). Returns how many ended.
pub async fn end_sessions(app: &App, which: Ending<'_>) -> Result<u64> {
    Ok(sessions::end_sessions(&app.db.pool, &app.db.sessions, which).await?)
}

fn caller_from(s: &SessionUser) -> Caller {
    let role = s.role;
    Caller {
        user_id: s.user_id,
        username: s.username.clone(),
        display_name: s.display_name.clone(),
        role,
        scope: Scope { role, region_path: s.region_path.clone() },
        volunteer_id: s.volunteer_id,
        csrf: s.csrf.clone(),
        token_hash: s.token_hash.clone(),
        pending: s.pending,
    }
}

/// Checks a session's clocks: absolute expiry for all, idle time for browsers.
/// Returns whether `last_seen_at` is worth refreshing.
fn session_alive(s: &SessionUser, now: DateTime<Utc>) -> Option<bool> {
    if s.expires_at <= now {
        return None;
    }
    if s.kind == SessionKind::Web {
        if now - s.last_seen_at > Duration::minutes(SESSION_IDLE_MINUTES) {
            return None;
        }
        // refreshing once a minute keeps idle expiry right without a write per request
        return Some(now - s.last_seen_at > Duration::seconds(60));
    }
    Some(false)
}

/// Whether the account is still what it was when the token was signed: a
/// lock, or a new role, region or volunteer, ends its sessions.
fn account_unchanged(s: &SessionUser, c: &Claims, now: DateTime<Utc>) -> bool {
    s.user_id == c.user_id
        && s.kind == c.kind
        && s.role == c.role
        && s.region_id == c.region_id
        && s.volunteer_id == c.volunteer_id
        && s.locked_until.is_none_or(|until| until <= now)
}

/// The caller a token or session cookie stands for, if it is still alive —
/// the only place a token becomes a `Caller`. The signature is checked first
/// (a forged token never reaches the database), then the session as this
/// server holds it in memory (`store::sessions`: read from its row the first
/// time, then again every second).
pub async fn caller_from_token(app: &App, token: &str) -> Result<Option<Caller>> {
    let Some(claims) = sessions::verify(&app.db.vault, token) else {
        return Ok(None);
    };
    let now = Utc::now();
    if claims.expires_at <= now {
        return Ok(None);
    }
    let hash = sessions::token_hash(token);
    let Some(s) = app.db.sessions.get(&hash).await? else {
        return Ok(None);
    };
    if !account_unchanged(&s, &claims, now) {
        return Ok(None);
    }
    match session_alive(&s, now) {
        None => Ok(None),
        Some(refresh) => {
            if refresh {
                app.db.sessions.touch(&hash, now);
            }
            Ok(Some(caller_from(&s)))
        }
    }
}

/// The caller's own account as stored (for its region).
pub async fn account_of(app: &App, caller: &Caller) -> Result<UserRow> {
    accounts::find_by_name(&app.db.pool, &caller.username).await?.ok_or_else(Error::unauthorized)
}

/// The caller's inbox, newest first.
pub async fn inbox(app: &App, caller: &Caller) -> Result<Vec<Notification>> {
    Ok(notifications::inbox(&app.db.pool, caller.user_id, caller.volunteer_id).await?)
}

/// Marks one of the caller's notifications read; not found when it is not theirs.
pub async fn mark_read(app: &App, caller: &Caller, id: i64) -> Result<()> {
    if notifications::mark_read(&app.db.pool, id, caller.user_id, caller.volunteer_id).await? {
        Ok(())
    } else {
        Err(Error::not_found())
    }
}

/// A new token for a caller that is already known (sessions' random part).
pub fn random_token() -> String {
    accounts::random_token()
}

// ---- one's own account: password, second factor, sessions ----

/// One of the caller's sessions as listed to them: a short handle to end it
/// by (a prefix of the stored hash, never the token), its kind and times.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MySession {
    pub id: String,
    pub kind: SessionKind,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The session this request came with.
    pub current: bool,
}

fn handle_of(hash: &str) -> String {
    hash.chars().take(16).collect()
}

pub async fn my_sessions(app: &App, caller: &Caller) -> Result<Vec<MySession>> {
    Ok(accounts::sessions_of(&app.db.pool, caller.user_id)
        .await?
        .into_iter()
        .map(|s| MySession {
            id: handle_of(&s.token_hash),
            kind: s.kind,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
            current: s.token_hash == caller.token_hash,
        })
        .collect())
}

/// Ends one of the caller's own sessions by its handle; not found when the
/// caller has none by it.
pub async fn end_my_session(app: &App, caller: &Caller, id: &str) -> Result<()> {
    let all = accounts::sessions_of(&app.db.pool, caller.user_id).await?;
    let Some(s) = all.iter().find(|s| id.len() == 16 && handle_of(&s.token_hash) == id) else {
        return Err(Error::not_found());
    };
    end_sessions(app, Ending::Session(&s.token_hash)).await?;
    caller.audit(app, "session_ended", "user", &caller.user_id.to_string(), "own session").await;
    Ok(())
}

/// Ends every session of the caller's but the one in use.
pub async fn end_my_other_sessions(app: &App, caller: &Caller) -> Result<u64> {
    let n = end_sessions(app, Ending::AllOfExcept { user_id: caller.user_id, keep: &caller.token_hash }).await?;
    caller.audit(app, "sessions_ended", "user", &caller.user_id.to_string(), "own other sessions").await;
    Ok(n)
}

async fn own_account(app: &App, caller: &Caller) -> Result<UserRow> {
    accounts::find_by_id(&app.db.pool, caller.user_id).await?.ok_or_else(Error::unauthorized)
}

/// Checks the caller's current password again before a change to the
/// account; a wrong one counts toward the lockout like a failed sign-in.
async fn confirm_password(app: &App, user: &UserRow, field: &str, password: &str) -> Result<()> {
    if !password.is_empty() && verify_password(password.to_string(), user.password_hash.clone()).await {
        return Ok(());
    }
    if !password.is_empty() {
        if let LoginFailure::Locked(_) = count_failure(app, user).await? {
            return Err(LoginFailure::Locked(Utc::now()).error());
        }
    }
    Err(Error::field(Problem::about(field, "密码不正确", "is not the account's password")))
}

/// Whether the account's role must use a second factor (installation setting).
pub async fn totp_required_for(app: &App, role: Role) -> Result<bool> {
    Ok(accounts::totp_roles(&app.db.pool).await?.contains(&role))
}

/// A session for an account that has just changed its password or enrolled
/// its second factor, in place of the ones that ended.
async fn fresh_session(app: &App, user_id: i64, kind: SessionKind) -> Result<NewSession> {
    let user = accounts::find_by_id(&app.db.pool, user_id).await?.ok_or_else(Error::unauthorized)?;
    let pending = if user.must_change_password {
        Some(Pending::Password)
    } else if user.totp_secret.is_none() && totp_required_for(app, user.role).await? {
        Some(Pending::Totp)
    } else {
        None
    };
    Ok(accounts::create_session(&app.db, &user, kind, Duration::hours(TOKEN_HOURS), pending).await?)
}

/// The caller chooses a new password. Every session of the account ends
/// (any stolen one with it); the new session returned replaces the caller's.
pub async fn change_own_password(
    app: &App,
    caller: &Caller,
    current: &str,
    new: &str,
    kind: SessionKind,
) -> Result<NewSession> {
    let user = own_account(app, caller).await?;
    confirm_password(app, &user, "current_password", current).await?;
    if let Err(mut p) = account::check_password(new, &user.username) {
        p.field = "new_password".into();
        return Err(Error::field(p));
    }
    if new == current {
        return Err(Error::field(Problem::about(
            "new_password",
            "不能与原密码相同",
            "must differ from the current one",
        )));
    }
    let hash = hash_password(new.to_string()).await?;
    let record = caller.record("password_changed", "user", caller.user_id, "by its owner");
    accounts::change_password(&app.db.pool, user.id, &hash, false, &record).await?;
    app.db.sessions.forget(Ending::AllOf(user.id));
    fresh_session(app, user.id, kind).await
}

/// The second factor as the caller's account stands.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TotpStatus {
    pub enabled: bool,
    /// The caller's role must use it (installation setting).
    pub required: bool,
    pub recovery_codes_left: i64,
}

pub async fn totp_status(app: &App, caller: &Caller) -> Result<TotpStatus> {
    let user = own_account(app, caller).await?;
    Ok(TotpStatus {
        enabled: user.totp_secret.is_some(),
        required: totp_required_for(app, user.role).await?,
        recovery_codes_left: accounts::recovery_codes_left(&app.db.pool, user.id).await?,
    })
}

/// A secret to enrol: shown once as text and as a QR code, kept (sealed)
/// until the first code from the app confirms it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Enrolment {
    /// Base32, as authenticator apps take it typed in.
    pub secret: String,
    /// The `otpauth://` address the QR code holds.
    pub uri: String,
}

pub async fn start_totp(app: &App, caller: &Caller) -> Result<Enrolment> {
    let user = own_account(app, caller).await?;
    if user.totp_secret.is_some() {
        return Err(Error::conflict(
            ErrorCode::InvalidState,
            "两步验证已开启；如需更换，请先关闭",
            "The second factor is on already; turn it off first to enrol another",
        ));
    }
    let mut key = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut key);
    let secret = totp::base32(&key);
    accounts::set_totp_pending(&app.db.pool, user.id, Some(&app.db.vault.seal(&secret))).await?;
    let uri = totp::otpauth_uri("老兵志愿服务", &user.username, &secret);
    Ok(Enrolment { secret, uri })
}

/// The enrolment being confirmed, as it was started (for showing it again).
pub async fn pending_enrolment(app: &App, caller: &Caller) -> Result<Option<Enrolment>> {
    let Some(sealed) = accounts::totp_pending(&app.db.pool, caller.user_id).await? else {
        return Ok(None);
    };
    Ok(app
        .db
        .vault
        .open(&sealed)
        .map(|secret| Enrolment { uri: totp::otpauth_uri("老兵志愿服务", &caller.username, &secret), secret }))
}

/// What confirming the second factor gives: the recovery codes (shown once)
/// and, when the session was waiting for it, a full session in its place.
pub struct Enrolled {
    pub recovery_codes: Vec<String>,
    pub session: Option<NewSession>,
}

pub async fn confirm_totp(app: &App, caller: &Caller, code: &str) -> Result<Enrolled> {
    let wrong = || {
        Error::field(Problem::about(
            "totp",
            "验证码不正确，请输入验证器应用当前显示的6位数字",
            "is not the code the app shows now",
        ))
    };
    let Some(e) = pending_enrolment(app, caller).await? else {
        return Err(Error::conflict(ErrorCode::InvalidState, "请先开始绑定", "Start enrolling first"));
    };
    let key = totp::from_base32(&e.secret).ok_or_else(Error::internal)?;
    let step = totp::check(&key, code, Utc::now().timestamp(), None).ok_or_else(wrong)?;
    let mut codes = Vec::with_capacity(totp::RECOVERY_CODES);
    let mut hashes = Vec::with_capacity(totp::RECOVERY_CODES);
    for _ in 0..totp::RECOVERY_CODES {
        let mut r = [0u8; 10];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut r);
        let c = totp::recovery_code(&r);
        let n = totp::normalize_recovery(&c).ok_or_else(Error::internal)?;
        hashes.push(app.db.vault.blind(&format!("recovery:{}:{n}", caller.user_id)));
        codes.push(c);
    }
    let sealed = app.db.vault.seal(&e.secret);
    let record = caller.record("totp_enabled", "user", caller.user_id, "");
    accounts::set_totp(&app.db.pool, caller.user_id, Some((&sealed, step)), &hashes, &record).await?;
    let session = if caller.pending == Some(Pending::Totp) {
        end_sessions(app, Ending::Session(&caller.token_hash)).await?;
        Some(fresh_session(app, caller.user_id, SessionKind::Web).await?)
    } else {
        None
    };
    Ok(Enrolled { recovery_codes: codes, session })
}

/// Turns the caller's second factor off (their password again), unless
/// their role must use one.
pub async fn disable_totp(app: &App, caller: &Caller, password: &str) -> Result<()> {
    let user = own_account(app, caller).await?;
    if totp_required_for(app, user.role).await? {
        return Err(Error::conflict(
            ErrorCode::InvalidState,
            "本站要求该角色使用两步验证，不能关闭",
            "This installation requires a second factor for the role; it cannot be turned off",
        ));
    }
    confirm_password(app, &user, "password", password).await?;
    let record = caller.record("totp_disabled", "user", caller.user_id, "");
    accounts::set_totp(&app.db.pool, user.id, None, &[], &record).await?;
    Ok(())
}

// ---- staff: accounts in their scope ----

pub use crate::store::accounts::AccountLine;

fn ensure_manages(caller: &Caller) -> Result<()> {
    caller.ensure(caller.role.manages_roster())
}

/// Whether staff may act on an account: admins on any, town staff on
/// non-admin accounts of their subtree; nobody on their own through this door.
fn may_manage(caller: &Caller, target: &AccountLine) -> bool {
    if !caller.role.manages_roster() || target.id == caller.user_id {
        return false;
    }
    match caller.role {
        Role::Admin => true,
        _ => target.role != Role::Admin && target.region_path.as_deref().is_some_and(|p| caller.covers(p)),
    }
}

/// A page of the accounts in the caller's scope, each with whether the caller
/// may act on it, and how many match in all.
pub async fn accounts_in_scope(
    app: &App,
    caller: &Caller,
    filter: &accounts::AccountFilter,
) -> Result<(Vec<(AccountLine, bool)>, i64)> {
    ensure_manages(caller)?;
    let filter =
        accounts::AccountFilter { limit: filter.limit.clamp(1, 1000), offset: filter.offset.max(0), ..filter.clone() };
    let (list, total) = accounts::list_accounts(&app.db.pool, caller.scope_path(), &filter).await?;
    Ok((
        list.into_iter()
            .map(|a| {
                let m = may_manage(caller, &a);
                (a, m)
            })
            .collect(),
        total,
    ))
}

async fn managed(app: &App, caller: &Caller, user_id: i64) -> Result<AccountLine> {
    ensure_manages(caller)?;
    let a = accounts::account_line(&app.db.pool, user_id).await?.ok_or_else(Error::not_found)?;
    if !may_manage(caller, &a) {
        // outside the caller's scope reads as not there
        return Err(if caller.role == Role::Admin || a.region_path.as_deref().is_some_and(|p| caller.covers(p)) {
            Error::forbidden()
        } else {
            Error::not_found()
        });
    }
    Ok(a)
}

/// A temporary password that passes the password rule: upper and lower case
/// letters, digits and a symbol, 14 characters.
pub fn temporary_password() -> String {
    use rand::Rng;
    const UP: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOW: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIG: &[u8] = b"23456789";
    let mut rng = rand::thread_rng();
    let mut pick =
        |set: &[u8], n: usize| -> String { (0..n).map(|_| set[rng.gen_range(0..set.len())] as char).collect() };
    format!("{}{}-{}#{}", pick(UP, 3), pick(LOW, 4), pick(DIG, 4), pick(LOW, 2))
}

pub struct NewAccount {
    pub username: String,
    pub role: Role,
    pub region_id: Option<i64>,
    pub display_name: Option<String>,
}

/// Staff create an account from the pages: it starts with a temporary
/// password, shown once, that must be changed at its first sign-in.
pub async fn create_account(app: &App, caller: &Caller, n: &NewAccount) -> Result<(i64, String)> {
    ensure_manages(caller)?;
    let mut problems = Problems::new();
    if let Err(p) = account::check_username(&n.username) {
        problems.push(p);
    }
    if n.role == Role::Admin && caller.role != Role::Admin {
        problems.push(Problem::about("role", "只有系统管理员能创建管理员账号", "only an administrator can create one"));
    }
    let region = match n.region_id {
        Some(id) => {
            let r = crate::store::regions::get(&app.db.pool, id).await?;
            match r {
                Some(r) if caller.covers(&r.path) => Some(r),
                _ => {
                    problems.push(Problem::about("region_id", "不在您的管辖范围内", "is not in your scope"));
                    None
                }
            }
        }
        None if n.role == Role::Admin => None,
        None => {
            problems.push(Problem::required("region_id"));
            None
        }
    };
    if !problems.is_empty() {
        return Err(Error::invalid(problems));
    }
    let temp = temporary_password();
    let hash = hash_password(temp.clone()).await?;
    let record = caller.record("account_created", "user", "", &format!("{} {}", n.username, n.role.as_str()));
    let id = accounts::create_with_temporary_password(
        &app.db.pool,
        &accounts::NewUser {
            username: &n.username,
            password_hash: &hash,
            role: n.role,
            region_id: region.map(|r| r.id),
            volunteer_id: None,
        },
        &record,
    )
    .await?;
    if let Some(name) = n.display_name.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        accounts::set_display_name(&app.db.pool, id, Some(name)).await?;
    }
    Ok((id, temp))
}

/// Staff reset an account's password: a temporary one (shown once) that must
/// be changed at the next browser sign-in; every session of the account ends.
pub async fn reset_password(app: &App, caller: &Caller, user_id: i64) -> Result<(AccountLine, String)> {
    let a = managed(app, caller, user_id).await?;
    let temp = temporary_password();
    let hash = hash_password(temp.clone()).await?;
    let record = caller.record("password_reset", "user", user_id, &a.username);
    accounts::change_password(&app.db.pool, user_id, &hash, true, &record).await?;
    app.db.sessions.forget(Ending::AllOf(user_id));
    Ok((a, temp))
}

/// Staff end every session of an account in their scope.
pub async fn end_sessions_of(app: &App, caller: &Caller, user_id: i64) -> Result<u64> {
    let a = managed(app, caller, user_id).await?;
    let n = end_sessions(app, Ending::AllOf(user_id)).await?;
    caller.audit(app, "sessions_ended", "user", &user_id.to_string(), &format!("{} ({n})", a.username)).await;
    Ok(n)
}

/// Roles that must use a second factor.
pub async fn totp_roles(app: &App) -> Result<Vec<Role>> {
    Ok(accounts::totp_roles(&app.db.pool).await?)
}

/// Administrators choose which roles must use a second factor.
pub async fn set_totp_roles(app: &App, caller: &Caller, roles: &[Role]) -> Result<()> {
    caller.ensure(caller.role == Role::Admin)?;
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    let record = caller.record("totp_roles_set", "settings", "totp_roles", &names.join(","));
    accounts::set_totp_roles(&app.db.pool, roles, &record).await?;
    Ok(())
}
