//! Photos of activities, care visits and needs: sent as the picture's bytes,
//! kept shrunk and without EXIF, served only to those who see what they show.

use crate::app::photos::{self as app, PhotoMeta};
use crate::domain::photo::PhotoSubject;
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

/// The largest request a photo route reads: one photo of at most 12 MB with room to spare.
pub const MAX_PHOTO_REQUEST: usize = 13 * 1024 * 1024;

/// The photo of a request: a body past `MAX_PHOTO_REQUEST` is a 413, read
/// to its end first so that a phone still sending it gets the answer.
async fn photo_body(headers: &HeaderMap, body: axum::body::Body) -> ApiResult<Vec<u8>> {
    fn too_large() -> ApiError {
        ApiError::new(
            crate::domain::error_code::ErrorCode::PayloadTooLarge,
            "照片太大：每张不能超过12 MB",
            "The photo is too large: at most 12 MB each",
        )
    }
    super::imports::limited_body(headers, body, MAX_PHOTO_REQUEST, too_large).await
}

/// A photo as sent: the bytes of a JPEG or PNG.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PhotoFile(#[allow(dead_code)] Vec<u8>);

#[derive(Deserialize, IntoParams, Default)]
pub struct CaptionQuery {
    /// A line about the photo (at most 100 characters).
    pub caption: Option<String>,
}

async fn add(
    state: &AppState,
    caller: &Caller,
    subject: PhotoSubject,
    id: i64,
    caption: Option<String>,
    body: Vec<u8>,
) -> ApiResult<(StatusCode, Json<PhotoMeta>)> {
    Ok((StatusCode::CREATED, Json(app::add(state, caller, subject, id, body, caption).await?)))
}

#[utoipa::path(post, path = "/api/v1/activities/{id}/photos", tag = "photos", params(("id" = i64, Path, description = "the activity's id"), CaptionQuery), security(("bearer" = [])),
    request_body(content = PhotoFile, description = "a JPEG or PNG of at most 12 MB and 50 megapixels; kept at most 1600 px, EXIF removed", content_type = "image/jpeg"),
    responses((status = 201, body = PhotoMeta), (status = 403), (status = 404), (status = 409, description = "the activity holds 9 photos already"), (status = 413), (status = 422)))]
pub async fn add_to_activity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<CaptionQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult<(StatusCode, Json<PhotoMeta>)> {
    let body = photo_body(&headers, body).await?;
    add(&state, &caller, PhotoSubject::Activity, id, q.caption, body).await
}

#[utoipa::path(get, path = "/api/v1/activities/{id}/photos", tag = "photos", params(("id" = i64, Path, description = "the activity's id")), security(("bearer" = [])),
    responses((status = 200, body = [PhotoMeta]), (status = 403), (status = 404)))]
pub async fn of_activity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<PhotoMeta>>> {
    Ok(Json(app::list(&state, &caller, PhotoSubject::Activity, id).await?))
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/photos", tag = "photos", params(("id" = i64, Path, description = "the need's id"), CaptionQuery), security(("bearer" = [])),
    request_body(content = PhotoFile, description = "a JPEG or PNG; see the activity's photos", content_type = "image/jpeg"),
    responses((status = 201, body = PhotoMeta), (status = 403), (status = 404), (status = 409), (status = 413), (status = 422)))]
pub async fn add_to_need(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<CaptionQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult<(StatusCode, Json<PhotoMeta>)> {
    let body = photo_body(&headers, body).await?;
    add(&state, &caller, PhotoSubject::Need, id, q.caption, body).await
}

#[utoipa::path(get, path = "/api/v1/needs/{id}/photos", tag = "photos", params(("id" = i64, Path, description = "the need's id")), security(("bearer" = [])),
    responses((status = 200, body = [PhotoMeta]), (status = 403), (status = 404)))]
pub async fn of_need(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<PhotoMeta>>> {
    Ok(Json(app::list(&state, &caller, PhotoSubject::Need, id).await?))
}

#[utoipa::path(post, path = "/api/v1/care-visits/{id}/photos", tag = "photos", params(("id" = i64, Path, description = "the care visit's id"), CaptionQuery), security(("bearer" = [])),
    request_body(content = PhotoFile, description = "a JPEG or PNG; see the activity's photos", content_type = "image/jpeg"),
    responses((status = 201, body = PhotoMeta), (status = 403), (status = 404), (status = 409), (status = 413), (status = 422)))]
pub async fn add_to_care_visit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<CaptionQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult<(StatusCode, Json<PhotoMeta>)> {
    let body = photo_body(&headers, body).await?;
    add(&state, &caller, PhotoSubject::CareVisit, id, q.caption, body).await
}

#[utoipa::path(get, path = "/api/v1/care-visits/{id}/photos", tag = "photos", params(("id" = i64, Path, description = "the care visit's id")), security(("bearer" = [])),
    responses((status = 200, body = [PhotoMeta]), (status = 403), (status = 404)))]
pub async fn of_care_visit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<PhotoMeta>>> {
    Ok(Json(app::list(&state, &caller, PhotoSubject::CareVisit, id).await?))
}

fn jpeg(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            // people's homes are in these pictures: no shared cache keeps them
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        bytes,
    )
        .into_response()
}

#[utoipa::path(get, path = "/api/v1/photos/{id}", tag = "photos", params(("id" = i64, Path, description = "the photo's id")), security(("bearer" = [])),
    responses((status = 200, content_type = "image/jpeg", description = "the kept photo (at most 1600 px, no EXIF)"), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(jpeg(app::bytes(&state, &caller, id, false).await?))
}

#[utoipa::path(get, path = "/api/v1/photos/{id}/thumb", tag = "photos", params(("id" = i64, Path, description = "the photo's id")), security(("bearer" = [])),
    responses((status = 200, content_type = "image/jpeg", description = "the thumbnail (at most 320 px)"), (status = 403), (status = 404)))]
pub async fn thumb(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(jpeg(app::bytes(&state, &caller, id, true).await?))
}

#[utoipa::path(delete, path = "/api/v1/photos/{id}", tag = "photos", params(("id" = i64, Path, description = "the photo's id")), security(("bearer" = [])),
    responses((status = 200, body = PhotoMeta, description = "the photo removed"), (status = 403), (status = 404)))]
pub async fn delete(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<PhotoMeta>> {
    Ok(Json(app::delete(&state, &caller, id).await?))
}
