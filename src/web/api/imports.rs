//! `/api/v1/imports/volunteers`: a roster workbook (or csv) in, a row-by-row
//! report out; and the template a town fills in.

use crate::app::roster::{self as app, report, ImportReport};
use crate::domain::id_number::check_char;
use crate::domain::roster::Column;
use crate::web::auth::{request_lang, Caller};
use crate::web::error::{ApiError, ApiResult};
use crate::web::xlsx::{self, download_headers, Col, Table, XCell};
use crate::web::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

pub use crate::app::roster::MAX_UPLOAD;

#[derive(Deserialize, IntoParams, Default)]
pub struct ImportQuery {
    /// The region whose villages the roster's village names are matched in;
    /// default: the caller's whole scope.
    pub region_id: Option<String>,
    /// `true` checks everything and imports nothing.
    pub dry_run: Option<String>,
    /// `true` imports the valid rows even when others are invalid.
    pub skip_invalid: Option<String>,
    /// Columns the importer does not recognise, mapped to fields as JSON:
    /// `{"参军日期":"enlisted_on","家庭人口":"ignore"}`. Fields: name, gender,
    /// id_number, phone, village, birth_date, enlisted_on, discharged_on, branch,
    /// party_member, skills, honors, veteran_category, address, or ignore.
    /// Remembered for the region's next import.
    pub mapping: Option<String>,
}

/// How much of a body over `MAX_UPLOAD` is read (and dropped) before the 413
/// is answered, so that a client still sending a too-large file reads the
/// answer instead of a closed connection; past this the connection is dropped.
const DRAIN: usize = 128 * 1024 * 1024;

fn too_large() -> ApiError {
    let mb = MAX_UPLOAD >> 20;
    ApiError::new(
        crate::domain::error_code::ErrorCode::PayloadTooLarge,
        format!("文件太大：花名册文件最大 {mb} MB，请分成几个文件导入"),
        format!("The file is too large: a roster file may be at most {mb} MB; import it in parts"),
    )
}

/// The roster file of a request, read as it arrives: at most `MAX_UPLOAD`
/// bytes are kept; a larger file (by its declared length, or as it turns out)
/// is a 413 and nothing of it is kept.
pub async fn roster_body(headers: &HeaderMap, body: axum::body::Body) -> ApiResult<Vec<u8>> {
    limited_body(headers, body, MAX_UPLOAD, too_large).await
}

/// A file upload read as it arrives: at most `max` bytes are kept; a larger
/// one is `too_large()` (a 413), answered after the rest is read and dropped
/// (up to `DRAIN`), so that the sender reads the answer instead of a broken
/// connection.
pub async fn limited_body(
    headers: &HeaderMap,
    mut body: axum::body::Body,
    max: usize,
    too_large: fn() -> ApiError,
) -> ApiResult<Vec<u8>> {
    use axum::body::HttpBody;
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > DRAIN) {
        return Err(too_large());
    }
    // a body declared too large is only drained: nothing of it is kept
    let keep = declared.is_none_or(|n| n <= max);
    let mut kept = Vec::with_capacity(declared.filter(|_| keep).unwrap_or(0));
    let mut seen = 0usize;
    while let Some(frame) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await {
        let Ok(frame) = frame else {
            return Err(ApiError::bad_request(
                "上传中断，请重新上传",
                "The upload was interrupted; send the file again",
            ));
        };
        let Ok(data) = frame.into_data() else { continue };
        seen = seen.saturating_add(data.len());
        if keep && seen <= max {
            kept.extend_from_slice(&data);
        } else {
            kept = Vec::new();
            if seen > DRAIN {
                break;
            }
        }
    }
    if seen > max {
        return Err(too_large());
    }
    Ok(kept)
}

/// The roster file as sent: the bytes of the workbook or the csv.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct RosterFile(#[allow(dead_code)] Vec<u8>);

#[utoipa::path(post, path = "/api/v1/imports/volunteers", tag = "imports", params(ImportQuery), security(("bearer" = [])),
    request_body(content = RosterFile, description = "the workbook (.xlsx or .xls; every sheet is read) or a csv (UTF-8 or GBK)",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = ImportReport, description = "what was read, what is wrong row by row, what was stored"),
        (status = 403), (status = 413), (status = 422, description = "the file is not a roster")))]
pub async fn volunteers(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> ApiResult<Json<ImportReport>> {
    let file = roster_body(&headers, body).await?;
    let outcome = app::import(
        &state,
        &caller,
        q.region_id.as_deref(),
        q.dry_run.as_deref(),
        q.skip_invalid.as_deref(),
        q.mapping.as_deref(),
        file,
    )
    .await?;
    Ok(Json(report(outcome, request_lang(&headers, uri.query()))))
}

#[utoipa::path(post, path = "/api/v1/imports/volunteers/errors", tag = "imports", params(ImportQuery), security(("bearer" = [])),
    request_body(content = RosterFile, description = "the workbook (.xlsx or .xls) or a csv (UTF-8 or GBK)",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, description = "the roster as read, each sheet with a red 错误原因 column beside the rows that cannot be imported; nothing is stored",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403), (status = 413), (status = 422, description = "the file is not a roster")))]
pub async fn errors(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> ApiResult<(HeaderMap, Vec<u8>)> {
    let file = roster_body(&headers, body).await?;
    let bytes = app::api_error_workbook(&state, &caller, q.region_id.as_deref(), q.mapping.as_deref(), file).await?;
    Ok((download_headers("roster-errors.xlsx", "花名册错误标注.xlsx"), bytes))
}

/// The columns the template offers, in its order, with widths.
const TEMPLATE: [(Column, f64, bool); 14] = [
    (Column::Name, 10.0, false),
    (Column::Gender, 6.0, false),
    (Column::IdNumber, 21.0, true),
    (Column::Phone, 14.0, true),
    (Column::Village, 14.0, false),
    (Column::BirthDate, 12.0, false),
    (Column::Enlisted, 11.0, false),
    (Column::Discharged, 11.0, false),
    (Column::Branch, 8.0, false),
    (Column::Politics, 10.0, false),
    (Column::VeteranCategory, 12.0, false),
    (Column::Skills, 18.0, false),
    (Column::Honors, 18.0, false),
    (Column::Address, 24.0, false),
];

pub fn template_workbook() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut id = String::from("41132319680315001");
    id.push(check_char(id.as_bytes()));
    let example: Vec<XCell> = vec![
        "张建国".into(),
        "男".into(),
        id.into(),
        "13900000001".into(),
        "回车村".into(),
        "1968-03-15".into(),
        "1986年10月".into(),
        "1990年12月".into(),
        "陆军".into(),
        "中共党员".into(),
        "退役士兵".into(),
        "驾驶、电工".into(),
        "优秀退役军人".into(),
        "回车村三组".into(),
    ];
    let roster = Table {
        sheet: "花名册",
        title: "退役军人志愿者花名册（请从第3行起填写，示例行填好后删除）".into(),
        columns: TEMPLATE
            .iter()
            .map(|(c, w, text)| {
                let name: &'static str = c.header();
                Col(name, c.english(), *w, *text)
            })
            .collect(),
        rows: vec![example],
    };
    let notes = Table {
        sheet: "填写说明",
        title: "填写说明 Notes".into(),
        columns: vec![Col("说明", "Notes", 100.0, false)],
        rows: [
            "姓名、身份证号、联系电话、所在村(社区)必填；性别和出生日期可不填，按身份证号计算。",
            "身份证号、联系电话两列已设为文本格式；请勿改成数字，否则Excel会把身份证号变成科学计数法并丢失末几位。",
            "所在村(社区)填本镇村(社区)名称，须与系统中的名称一致。",
            "日期可写 1991年2月、1996.02、2008-12、1999/3/1 等；只写到月份也可以。",
            "政治面貌填 中共党员、预备党员、共青团员、群众 等。",
            "特长用顿号或逗号分隔，如 驾驶、电工、游泳、调解、医护、宣讲。",
            "退役军人类别填 退役士兵、转业干部、伤残军人、烈士遗属 等（可不填）。",
            "上传时先“检查”，按错误报告改正后再正式导入；有错误行时不会导入任何一行，除非选择跳过错误行。",
            "Required: 姓名 name, 身份证号 ID number, 联系电话 phone, 所在村(社区) village. Gender and birth date come from the ID number.",
        ]
        .iter()
        .map(|s| vec![XCell::from(*s)])
        .collect(),
    };
    let mut book = rust_xlsxwriter::Workbook::new();
    xlsx::add_table(&mut book, &roster, false)?;
    xlsx::add_table(&mut book, &notes, false)?;
    book.save_to_buffer()
}

#[utoipa::path(get, path = "/api/v1/imports/volunteers/template", tag = "imports", security(("bearer" = [])),
    responses((status = 200, description = "an empty roster workbook with one example row and a notes sheet",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403)))]
pub async fn template(caller: Caller) -> ApiResult<(HeaderMap, Vec<u8>)> {
    app::ensure_manages(&caller)?;
    let bytes = template_workbook().map_err(|e| {
        tracing::error!(error = %e, "template workbook");
        ApiError::internal()
    })?;
    Ok((download_headers("roster-template.xlsx", "花名册模板.xlsx"), bytes))
}
