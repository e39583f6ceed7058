//! Sessions are checked in memory on each app server; ending one, locking an
//! account or changing its role must still reach every server on the database
//! within seconds. Two servers share each test's database here, as a county
//! runs several behind one address.

use crate::both;
use crate::common::TestApp;
use reqwest::StatusCode;
use std::time::{Duration, Instant};

async fn status(app: &TestApp, base: &str, token: &str, path: &str) -> StatusCode {
    app.client.get(format!("{base}{path}")).bearer_auth(token).send().await.expect("send").status()
}

/// Asks `base` until it answers `want`, for at most ten seconds (servers read
/// their sessions again every second); the answer it settled on.
async fn settles(app: &TestApp, base: &str, token: &str, want: StatusCode) -> StatusCode {
    let started = Instant::now();
    loop {
        let s = status(app, base, token, "/api/v1/me").await;
        if s == want || started.elapsed() > Duration::from_secs(10) {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

both!(signing_out_on_one_server_ends_the_session_on_the_other, |app: TestApp| async move {
    let second = app.second_server().await;
    let t = app.token("staff").await;
    let kept = app.token("staff").await;
    // both servers know the sessions (each read them once, then holds them)
    for base in [&app.base, &second] {
        assert_eq!(status(&app, base, &t, "/api/v1/me").await, StatusCode::OK);
        assert_eq!(status(&app, base, &kept, "/api/v1/me").await, StatusCode::OK);
    }
    let (s, _) = app.call(&t, reqwest::Method::DELETE, "/api/v1/auth/token", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // the server that ended it refuses at once, the other within its next sync
    assert_eq!(status(&app, &app.base, &t, "/api/v1/me").await, StatusCode::UNAUTHORIZED);
    assert_eq!(settles(&app, &second, &t, StatusCode::UNAUTHORIZED).await, StatusCode::UNAUTHORIZED);
    // the account's other session goes on
    assert_eq!(status(&app, &second, &kept, "/api/v1/me").await, StatusCode::OK);
    assert_eq!(status(&app, &app.base, &kept, "/api/v1/me").await, StatusCode::OK);
});

both!(a_session_row_deleted_by_hand_stops_working_everywhere, |app: TestApp| async move {
    let second = app.second_server().await;
    let t = app.token("staff").await;
    for base in [&app.base, &second] {
        assert_eq!(status(&app, base, &t, "/api/v1/me").await, StatusCode::OK);
    }
    app.exec("DELETE FROM sessions").await;
    for base in [&app.base, &second] {
        assert_eq!(settles(&app, base, &t, StatusCode::UNAUTHORIZED).await, StatusCode::UNAUTHORIZED, "{base}");
    }
});

both!(a_locked_account_is_refused_everywhere_until_the_lock_ends, |app: TestApp| async move {
    let second = app.second_server().await;
    let t = app.token("staff").await;
    let other = app.token("admin").await;
    for base in [&app.base, &second] {
        assert_eq!(status(&app, base, &t, "/api/v1/me").await, StatusCode::OK);
    }
    let later = match app.db.pool {
        laobing::store::Pool::Sqlite(_) => "datetime('now', '+15 minutes') || '+00:00'",
        laobing::store::Pool::Postgres(_) => "now() + interval '15 minutes'",
    };
    app.exec(&format!("UPDATE users SET locked_until = {later} WHERE username = 'staff'")).await;
    for base in [&app.base, &second] {
        assert_eq!(settles(&app, base, &t, StatusCode::UNAUTHORIZED).await, StatusCode::UNAUTHORIZED, "{base}");
        assert_eq!(status(&app, base, &other, "/api/v1/me").await, StatusCode::OK, "other accounts go on");
    }
    app.exec("UPDATE users SET locked_until = NULL WHERE username = 'staff'").await;
    for base in [&app.base, &second] {
        assert_eq!(settles(&app, base, &t, StatusCode::OK).await, StatusCode::OK, "unlocked again: {base}");
    }
});

both!(a_new_role_or_region_ends_the_accounts_sessions_everywhere, |app: TestApp| async move {
    let second = app.second_server().await;
    let staff = app.token("staff").await;
    let leader = app.token("leader_a").await;
    for base in [&app.base, &second] {
        assert_eq!(status(&app, base, &staff, "/api/v1/me").await, StatusCode::OK);
        assert_eq!(status(&app, base, &leader, "/api/v1/me").await, StatusCode::OK);
    }
    // staff made a plain volunteer; the leader moved to the other village
    app.exec("UPDATE users SET role = 'volunteer' WHERE username = 'staff'").await;
    app.exec(&format!("UPDATE users SET region_id = {} WHERE username = 'leader_a'", app.town.village_b)).await;
    for base in [&app.base, &second] {
        for t in [&staff, &leader] {
            assert_eq!(settles(&app, base, t, StatusCode::UNAUTHORIZED).await, StatusCode::UNAUTHORIZED, "{base}");
        }
    }
    // signing in again gives a session with the new role
    let (s, me) = app.get(&app.token("staff").await, "/api/v1/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["role"], "volunteer", "{me}");
});

both!(a_new_password_ends_every_session_of_the_account, |app: TestApp| async move {
    let second = app.second_server().await;
    let t = app.token("staff").await;
    for base in [&app.base, &second] {
        assert_eq!(status(&app, base, &t, "/api/v1/me").await, StatusCode::OK);
    }
    let user = app.scalar("SELECT id FROM users WHERE username = 'staff'").await;
    let hash = laobing::domain::password::hash("Another#Pass2026").expect("hash");
    laobing::store::accounts::set_password(&app.db.pool, user, &hash).await.expect("set password");
    for base in [&app.base, &second] {
        assert_eq!(settles(&app, base, &t, StatusCode::UNAUTHORIZED).await, StatusCode::UNAUTHORIZED, "{base}");
    }
});

both!(a_token_whose_claims_were_edited_is_refused, |app: TestApp| async move {
    let t = app.token("staff").await;
    assert_eq!(app.get(&t, "/api/v1/me").await.0, StatusCode::OK);
    let promoted = t.replace(".town_staff.", ".admin.");
    assert_ne!(promoted, t, "the token names its role: {t}");
    assert_eq!(app.get(&promoted, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    // a session from before signed tokens (a bare random string) is refused too
    let bare = t.split('.').next().expect("random part");
    assert_eq!(app.get(bare, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
});
