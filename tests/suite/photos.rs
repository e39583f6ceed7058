//! Photos on activities, care visits and needs: what a phone sends comes back
//! shrunk and without EXIF, only to people in scope, within the limits, and
//! survives a backup and restore.

use crate::both;
use crate::common::{self, hours_from_now, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A JPEG as a phone writes it: the picture, and an EXIF block with the GPS
/// position where it was taken and the phone's make and serial number.
pub fn phone_jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7 % 256) as u8, (y * 3 % 256) as u8, 120]));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 85).encode_image(&img).expect("encode");
    let exif = exif_block();
    let mut out = Vec::with_capacity(plain.len() + exif.len() + 4);
    out.extend_from_slice(&plain[..2]); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    assert!(laobing::domain::photo::has_exif(&out));
    out
}

/// `Exif\0\0` and a little-endian TIFF: IFD0 with Make and a pointer to the
/// GPS IFD (latitude 33°21′N, longitude 111°38′E), and a body serial number.
fn exif_block() -> Vec<u8> {
    fn entry(tag: u16, kind: u16, count: u32, value: u32) -> Vec<u8> {
        [
            tag.to_le_bytes().to_vec(),
            kind.to_le_bytes().to_vec(),
            count.to_le_bytes().to_vec(),
            value.to_le_bytes().to_vec(),
        ]
        .concat()
    }
    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes());
    // IFD0 at 8: 3 entries (2 + 36 + 4 = 42 bytes) → data from 50
    let make_at = 50u32; // "Xiaomi\0\0"
    let serial_at = 58u32; // "SN-8848-0042\0" (13 bytes, padded to 16)
    let gps_at = 74u32;
    t.extend_from_slice(&3u16.to_le_bytes());
    t.extend(entry(0x010F, 2, 8, make_at));
    t.extend(entry(0x8825, 4, 1, gps_at));
    t.extend(entry(0xA431, 2, 13, serial_at));
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(b"Xiaomi\0\0");
    t.extend_from_slice(b"SN-8848-0042\0\0\0\0");
    assert_eq!(t.len() as u32, gps_at);
    // GPS IFD: 4 entries (2 + 48 + 4 = 54) → rationals from 128
    let lat_at = gps_at + 54;
    let lon_at = lat_at + 24;
    t.extend_from_slice(&4u16.to_le_bytes());
    t.extend(entry(1, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
    t.extend(entry(2, 5, 3, lat_at));
    t.extend(entry(3, 2, 2, u32::from_le_bytes(*b"E\0\0\0")));
    t.extend(entry(4, 5, 3, lon_at));
    t.extend_from_slice(&0u32.to_le_bytes());
    for (num, den) in [(33u32, 1u32), (21, 1), (0, 1), (111, 1), (38, 1), (0, 1)] {
        t.extend_from_slice(&num.to_le_bytes());
        t.extend_from_slice(&den.to_le_bytes());
    }
    [b"Exif\0\0".to_vec(), t].concat()
}

/// A PNG whose header claims 60 000 × 60 000 pixels, with a few bytes of data:
/// it must be refused from the header, not decoded.
fn png_bomb() -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for b in bytes {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        !c
    }
    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let body = [kind, data].concat();
        [(data.len() as u32).to_be_bytes().to_vec(), body.clone(), crc32(&body).to_be_bytes().to_vec()].concat()
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&60_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    [
        b"\x89PNG\r\n\x1a\n".to_vec(),
        chunk(b"IHDR", &ihdr),
        chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00]),
        chunk(b"IEND", &[]),
    ]
    .concat()
}

pub async fn upload(app: &TestApp, token: &str, path: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let r = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", "image/jpeg")
        .body(bytes)
        .send()
        .await
        .expect("send");
    common::split(r).await
}

async fn fetch(app: &TestApp, token: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let r = app.client.get(app.url(path)).bearer_auth(token).send().await.expect("send");
    (r.status(), r.bytes().await.expect("bytes").to_vec())
}

both!(a_phone_photo_comes_back_shrunk_and_without_exif, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let a = app.activity(&staff, "清理河道", &hours_from_now(-3), &hours_from_now(-1), 10, "civilization").await;
    let sent = phone_jpeg(2400, 1800);
    let (s, p) = upload(&app, &staff, &format!("/api/v1/activities/{}/photos?caption=河道清理前", a["id"]), sent).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!((p["width"].as_i64(), p["height"].as_i64()), (Some(1600), Some(1200)), "shrunk to 1600 px");
    assert_eq!(p["caption"], "河道清理前");
    for path in [format!("/api/v1/photos/{}", p["id"]), format!("/api/v1/photos/{}/thumb", p["id"])] {
        let (s, served) = fetch(&app, &staff, &path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert_eq!(&served[..2], &[0xFF, 0xD8], "a JPEG");
        assert!(!laobing::domain::photo::has_exif(&served), "{path} carries no EXIF");
        assert!(!served.windows(6).any(|w| w == b"Xiaomi"), "nor the phone's make");
        assert!(!served.windows(12).any(|w| w == b"SN-8848-0042"), "nor its serial");
        assert!(image::load_from_memory(&served).is_ok(), "and it is a picture");
    }
    let (_, thumb) = fetch(&app, &staff, &format!("/api/v1/photos/{}/thumb", p["id"])).await;
    let t = image::load_from_memory(&thumb).expect("thumb");
    assert_eq!((t.width(), t.height()), (320, 240));
    // nothing with EXIF is stored either
    let stored: Vec<Vec<u8>> = laobing::on_db!(&app.db.pool, |p| sqlx::query_scalar("SELECT jpeg FROM photos")
        .fetch_all(p)
        .await
        .expect("stored"));
    assert!(stored.iter().all(|b| !laobing::domain::photo::has_exif(b)));
    let (s, list) = app.get(&staff, &format!("/api/v1/activities/{}/photos", a["id"])).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
});

both!(photos_are_seen_only_in_scope, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let other = app.token("other_staff").await;
    let grid = app.token("grid_a").await;
    let a = app.activity(&staff, "义诊", &hours_from_now(-3), &hours_from_now(-1), 10, "veteran_assistance").await;
    let (_, p) = upload(&app, &staff, &format!("/api/v1/activities/{}/photos", a["id"]), phone_jpeg(300, 200)).await;
    let photo = format!("/api/v1/photos/{}", p["id"]);
    assert_eq!(fetch(&app, &other, &photo).await.0, StatusCode::FORBIDDEN, "another town's staff");
    assert_eq!(fetch(&app, &other, &format!("{photo}/thumb")).await.0, StatusCode::FORBIDDEN);
    let (s, _) = upload(&app, &other, &format!("/api/v1/activities/{}/photos", a["id"]), phone_jpeg(300, 200)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "nor adds to it");
    let (s, _) = app.call(&other, reqwest::Method::DELETE, &photo, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "nor removes it");
    assert_eq!(app.client.get(app.url(&photo)).send().await.expect("send").status(), StatusCode::UNAUTHORIZED);

    // a care visit's photos: staff and leaders, not a plain volunteer
    let (s, r) = app
        .post(
            &staff,
            "/api/v1/care-recipients",
            json!({"name": "李秀英", "category": "martyr_family", "region_id": app.town.village_a}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, _) = app
        .post(
            &staff,
            &format!("/api/v1/care-recipients/{}/visits", r["id"]),
            json!({"visited_on": chrono::Utc::now().date_naive().to_string(), "notes": "送米面油"}),
        )
        .await;
    assert!(s.is_success());
    let visit = app.scalar("SELECT MAX(id) FROM care_visits").await;
    let (s, vp) = upload(&app, &staff, &format!("/api/v1/care-visits/{visit}/photos"), phone_jpeg(400, 300)).await;
    assert_eq!(s, StatusCode::CREATED, "{vp}");
    let v = app.volunteer(&staff, "张志愿", app.town.village_a, 61, &[]).await;
    app.account_for(
        "zhang",
        laobing::domain::account::Role::Volunteer,
        app.town.village_a,
        v["id"].as_i64().expect("id"),
    )
    .await;
    let zhang = app.token("zhang").await;
    assert_eq!(fetch(&app, &zhang, &format!("/api/v1/photos/{}", vp["id"])).await.0, StatusCode::FORBIDDEN);
    assert_eq!(fetch(&app, &staff, &format!("/api/v1/photos/{}", vp["id"])).await.0, StatusCode::OK);

    // a grid case (a need filed in the grid): its grid worker adds and sees photos
    let (s, n) = app
        .post(
            &grid,
            "/api/v1/needs",
            json!({"title": "路灯不亮", "category": "social_governance", "region_id": app.town.grid_a}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    let (s, np) = upload(&app, &grid, &format!("/api/v1/needs/{}/photos", n["id"]), phone_jpeg(400, 300)).await;
    assert_eq!(s, StatusCode::CREATED, "{np}");
    assert_eq!(fetch(&app, &staff, &format!("/api/v1/photos/{}/thumb", np["id"])).await.0, StatusCode::OK);
    assert_eq!(fetch(&app, &other, &format!("/api/v1/photos/{}/thumb", np["id"])).await.0, StatusCode::FORBIDDEN);
});

both!(bad_pictures_and_too_many_are_refused_plainly, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let a = app.activity(&staff, "植树", &hours_from_now(-3), &hours_from_now(-1), 10, "civilization").await;
    let path = format!("/api/v1/activities/{}/photos", a["id"]);
    let (s, e) = upload(&app, &staff, &path, png_bomb()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["error"]["fields"]["photo"].as_str().unwrap_or("").contains("尺寸过大"), "{e}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM photos").await, 0);
    let (s, e) = upload(&app, &staff, &path, b"GIF89a...".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["photo"].as_str().unwrap_or("").contains("JPEG"), "{e}");
    let (s, e) = upload(&app, &staff, &path, vec![0xFF; 13 * 1024 * 1024]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["error"]["fields"]["photo"].as_str().unwrap_or("").contains("不能超过12 MB"), "{e}");
    let (s, _) = upload(&app, &staff, &path, vec![0xFF; 14 * 1024 * 1024]).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "a body past the limit is not even read");
    // nine at most, even when uploads race for the last places
    for _ in 0..7 {
        let (s, _) = upload(&app, &staff, &path, phone_jpeg(64, 48)).await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let img = phone_jpeg(64, 48);
    let (r1, r2, r3, r4) = tokio::join!(
        upload(&app, &staff, &path, img.clone()),
        upload(&app, &staff, &path, img.clone()),
        upload(&app, &staff, &path, img.clone()),
        upload(&app, &staff, &path, img.clone())
    );
    let results = [r1, r2, r3, r4];
    assert_eq!(results.iter().filter(|(s, _)| *s == StatusCode::CREATED).count(), 2, "two places were left");
    let refused = results.iter().find(|(s, _)| *s == StatusCode::CONFLICT).expect("a refusal");
    assert_eq!(refused.1["error"]["code"], "too_many_photos");
    assert!(refused.1["error"]["message"].as_str().unwrap_or("").contains("最多9张"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM photos").await, 9);
});

// The page form: two photos from the camera in one post, back to the activity.
both!(a_leader_uploads_photos_from_the_page, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let a = app.activity(&staff, "防汛巡查", &hours_from_now(-3), &hours_from_now(-1), 10, "flood_relief").await;
    let csrf = crate::pages::sign_in(&app, "staff").await;
    let boundary = "----laobing-test-boundary";
    let mut body = Vec::new();
    let mut part = |name: &str, file: Option<&str>, bytes: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    };
    part("csrf", None, csrf.as_bytes());
    part("photo", Some("IMG_0001.jpg"), &phone_jpeg(1200, 900));
    part("photo", Some("IMG_0002.jpg"), &phone_jpeg(900, 1200));
    part("caption", None, "巡查河堤".as_bytes());
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let r = app
        .client
        .post(app.url(&format!("/photos/activity/{}", a["id"])))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_string();
    assert!(to.starts_with(&format!("/activities/{}#photos", a["id"])), "{to}");
    let html = app.page(&format!("/activities/{}", a["id"])).await;
    assert_eq!(html.matches("/thumb\"").count(), 2, "two thumbnails on the page");
    assert!(html.contains("capture=\"environment\""), "the camera opens from the form");
    // a file that is no picture: said in red, in Chinese
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n").as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.txt\"\r\n\r\nhello\r\n--{boundary}--\r\n")
            .as_bytes(),
    );
    let r = app
        .client
        .post(app.url(&format!("/photos/activity/{}", a["id"])))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("text");
    assert!(html.contains("class=\"alert\" role=\"alert\">只能上传 JPEG 或 PNG 格式的照片"), "{html}");
});

/// Photos are in the database, so `laobing backup` carries them and `restore`
/// brings them back byte for byte.
async fn photos_survive_backup_and_restore(backend: Backend) {
    let Some(app) = common::spawn(backend).await else {
        return;
    };
    let staff = app.token("staff").await;
    let a = app.activity(&staff, "慰问演出", &hours_from_now(-3), &hours_from_now(-1), 10, "civilization").await;
    let (_, p) = upload(&app, &staff, &format!("/api/v1/activities/{}/photos", a["id"]), phone_jpeg(800, 600)).await;
    let photo = format!("/api/v1/photos/{}", p["id"]);
    let (_, before) = fetch(&app, &staff, &photo).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("town.backup");
    let out =
        crate::cli::laobing(app.dir.path()).args(["backup", "--database", &app.url]).arg(&file).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // after the backup the photo is deleted …
    let (s, _) = app.call(&staff, reqwest::Method::DELETE, &photo, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(fetch(&app, &staff, &photo).await.0, StatusCode::NOT_FOUND);
    // … and the restore brings it back
    if backend == Backend::Sqlite {
        let target = format!("sqlite://{}/restored/town.db", dir.path().display());
        let out = crate::cli::laobing(app.dir.path())
            .args(["restore", "--database", &target])
            .arg(&file)
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let db = laobing::store::Db::open(&target, app.dir.path()).await.expect("open restored");
        let after = laobing::store::photos::bytes(&db.pool, p["id"].as_i64().expect("id"), false).await.expect("read");
        assert_eq!(after.as_deref(), Some(before.as_slice()), "the same bytes");
    } else {
        let out = crate::cli::laobing(app.dir.path())
            .args(["restore", "--database", &app.url])
            .arg(&file)
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let (s, after) = fetch(&app, &staff, &photo).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(after, before, "the same bytes");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_survive_backup_and_restore_on_sqlite() {
    photos_survive_backup_and_restore(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_survive_backup_and_restore_on_postgres() {
    photos_survive_backup_and_restore(Backend::Postgres).await;
}
