//! Every error code the API answers with, as one enum: the contract's
//! snake_case code, the HTTP status it goes with, and a default text in
//! Chinese and English. A typo in a code is a compile error, not a silent
//! fall into a generic branch.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // requests as such
    BadRequest,
    BadJson,
    ValidationFailed,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    InternalError,
    // who is calling
    Unauthorized,
    Forbidden,
    CsrfFailed,
    InvalidCredentials,
    AccountLocked,
    TotpRequired,
    PasswordChangeRequired,
    TooManyAttempts,
    NotAVolunteer,
    // states that do not allow the change
    InvalidState,
    ActivityNotOpen,
    AlreadySignedUp,
    AlreadyMember,
    AlreadyCorrected,
    RecordExists,
    BlockedForNoShows,
    LeaderCannotLeave,
    NeedFull,
    NotOffered,
    NotAccepted,
    NotCalled,
    InsufficientPoints,
    OutOfStock,
    MenteeHasOpenMentorship,
    ApplicationDecided,
    CheckinExpired,
    CertificateNotFound,
    TooManyPhotos,
    TooFarAway,
    HasOpenWork,
    Erased,
}

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::BadRequest,
        ErrorCode::BadJson,
        ErrorCode::ValidationFailed,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::InternalError,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::CsrfFailed,
        ErrorCode::InvalidCredentials,
        ErrorCode::AccountLocked,
        ErrorCode::TotpRequired,
        ErrorCode::PasswordChangeRequired,
        ErrorCode::TooManyAttempts,
        ErrorCode::NotAVolunteer,
        ErrorCode::InvalidState,
        ErrorCode::ActivityNotOpen,
        ErrorCode::AlreadySignedUp,
        ErrorCode::AlreadyMember,
        ErrorCode::AlreadyCorrected,
        ErrorCode::RecordExists,
        ErrorCode::BlockedForNoShows,
        ErrorCode::LeaderCannotLeave,
        ErrorCode::NeedFull,
        ErrorCode::NotOffered,
        ErrorCode::NotAccepted,
        ErrorCode::NotCalled,
        ErrorCode::InsufficientPoints,
        ErrorCode::OutOfStock,
        ErrorCode::MenteeHasOpenMentorship,
        ErrorCode::ApplicationDecided,
        ErrorCode::CheckinExpired,
        ErrorCode::CertificateNotFound,
        ErrorCode::TooManyPhotos,
        ErrorCode::TooFarAway,
        ErrorCode::HasOpenWork,
        ErrorCode::Erased,
    ];

    /// The contract's code, as the JSON body carries it.
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            BadRequest => "bad_request",
            BadJson => "bad_json",
            ValidationFailed => "validation_failed",
            NotFound => "not_found",
            MethodNotAllowed => "method_not_allowed",
            PayloadTooLarge => "payload_too_large",
            UnsupportedMediaType => "unsupported_media_type",
            InternalError => "internal_error",
            Unauthorized => "unauthorized",
            Forbidden => "forbidden",
            CsrfFailed => "csrf_failed",
            InvalidCredentials => "invalid_credentials",
            AccountLocked => "account_locked",
            TotpRequired => "totp_required",
            PasswordChangeRequired => "password_change_required",
            TooManyAttempts => "too_many_attempts",
            NotAVolunteer => "not_a_volunteer",
            InvalidState => "invalid_state",
            ActivityNotOpen => "activity_not_open",
            AlreadySignedUp => "already_signed_up",
            AlreadyMember => "already_member",
            AlreadyCorrected => "already_corrected",
            RecordExists => "record_exists",
            BlockedForNoShows => "blocked_for_no_shows",
            LeaderCannotLeave => "leader_cannot_leave",
            NeedFull => "need_full",
            NotOffered => "not_offered",
            NotAccepted => "not_accepted",
            NotCalled => "not_called",
            InsufficientPoints => "insufficient_points",
            OutOfStock => "out_of_stock",
            MenteeHasOpenMentorship => "mentee_has_open_mentorship",
            ApplicationDecided => "application_decided",
            CheckinExpired => "checkin_expired",
            CertificateNotFound => "certificate_not_found",
            TooManyPhotos => "too_many_photos",
            TooFarAway => "too_far_away",
            HasOpenWork => "has_open_work",
            Erased => "erased",
        }
    }

    /// The HTTP status the code goes with.
    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            BadRequest | BadJson => 400,
            Unauthorized | InvalidCredentials | AccountLocked | TotpRequired => 401,
            TooManyAttempts => 429,
            Forbidden | CsrfFailed | NotAVolunteer | TooFarAway | PasswordChangeRequired => 403,
            NotFound | CheckinExpired | CertificateNotFound => 404,
            MethodNotAllowed => 405,
            PayloadTooLarge => 413,
            UnsupportedMediaType => 415,
            ValidationFailed | NotAccepted => 422,
            InternalError => 500,
            InvalidState
            | ActivityNotOpen
            | AlreadySignedUp
            | AlreadyMember
            | AlreadyCorrected
            | RecordExists
            | BlockedForNoShows
            | LeaderCannotLeave
            | NeedFull
            | NotOffered
            | NotCalled
            | InsufficientPoints
            | OutOfStock
            | MenteeHasOpenMentorship
            | ApplicationDecided
            | TooManyPhotos
            | HasOpenWork
            | Erased => 409,
        }
    }

    /// What the code says when the place that raises it has nothing more precise.
    pub fn text(self) -> (&'static str, &'static str) {
        use ErrorCode::*;
        match self {
            BadRequest => ("请求不正确", "The request is not valid"),
            BadJson => ("请求内容不是有效的JSON", "The request body is not valid JSON"),
            ValidationFailed => ("提交的内容有误，请按提示修改", "Some fields are not valid"),
            NotFound => ("找不到该记录", "Not found"),
            MethodNotAllowed => ("该地址不支持此操作", "This method is not allowed here"),
            PayloadTooLarge => ("上传内容太大", "The request body is too large"),
            UnsupportedMediaType => ("请以 application/json 提交", "Send the body as application/json"),
            InternalError => ("服务器内部错误，请稍后再试", "Internal error; please try again later"),
            Unauthorized => ("请先登录", "Please sign in first"),
            Forbidden => ("无权访问该数据", "You may not access this"),
            CsrfFailed => ("页面已过期，请刷新后重试", "The page has expired; reload and try again"),
            InvalidCredentials => ("用户名或密码错误", "Wrong user name or password"),
            AccountLocked => ("连续登录失败5次，账号已锁定", "Locked after 5 failed logins"),
            TotpRequired => (
                "需要动态验证码：请在 totp 中填写验证器应用显示的6位数字或一个恢复码",
                "A one-time code is needed: send the 6 digits your authenticator app shows (or a recovery code) as totp",
            ),
            PasswordChangeRequired => (
                "请先在网页上登录并修改密码",
                "Sign in on the web pages and change the password first",
            ),
            TooManyAttempts => ("尝试次数过多，请稍后再试", "Too many attempts; try again later"),
            NotAVolunteer => ("该账号没有关联志愿者", "This account is not linked to a volunteer"),
            InvalidState => ("当前状态不允许此操作", "Not allowed in the current state"),
            ActivityNotOpen => ("活动已结束或已取消", "The activity is over or cancelled"),
            AlreadySignedUp => ("已经报过名了", "Already signed up for this activity"),
            AlreadyMember => ("该志愿者已在队中", "The volunteer is already on this team"),
            AlreadyCorrected => ("该记录已被更正过", "This record has already been corrected"),
            RecordExists => ("已有该志愿者的服务记录", "A service record for this volunteer exists already"),
            BlockedForNoShows => ("多次报名未到，暂停报名", "Sign-ups are paused after repeated no-shows"),
            LeaderCannotLeave => {
                ("队长不能移出本队，请先更换队长", "The leader cannot leave the team; appoint another leader first")
            }
            NeedFull => ("所需人数已满", "Enough volunteers have already accepted"),
            NotOffered => ("没有待回复的派单", "There is no open offer for this volunteer"),
            NotAccepted => ("服务明细中有未接单的志愿者", "Only volunteers who accepted can be recorded as serving"),
            NotCalled => ("该志愿者不在本次召集名单中", "This volunteer was not called out"),
            InsufficientPoints => ("积分不足", "Not enough points"),
            OutOfStock => ("库存不足或已下架", "Out of stock or withdrawn"),
            MenteeHasOpenMentorship => ("该新兵已有进行中的结对", "The mentee already has an open mentorship"),
            ApplicationDecided => ("该申请已审核完毕", "The application has been decided already"),
            CheckinExpired => {
                ("签到码无效或已过期，请向队长索取新的签到码", "This check-in code is invalid or has expired")
            }
            CertificateNotFound => ("找不到该证明", "No certificate has this code"),
            TooManyPhotos => {
                ("照片已达上限（每项最多9张），请先删除不需要的照片", "At most 9 photos each; delete one first")
            }
            TooFarAway => ("离活动地点太远，不能签到", "Too far from the activity to check in"),
            HasOpenWork => ("此人还有未完成的工作，暂不能注销", "This person still has open work and cannot be erased yet"),
            Erased => ("此人已注销，个人信息已删除，不能再修改", "This person was erased; their record can no longer be changed"),
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_serialises_as_its_contract_name() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "{c} listed twice");
            assert_eq!(serde_json::to_value(c).ok(), Some(serde_json::Value::from(c.as_str())));
            assert!((400..600).contains(&c.status()));
            let (zh, en) = c.text();
            assert!(!zh.is_empty() && !en.is_empty());
        }
    }
}
