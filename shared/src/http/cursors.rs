//! Every list's `cursor` parameter, checked in one place: it must be the `nextCursor` of an
//! earlier page of that list, or the request is refused with one error. Where the use case
//! takes the id the cursor names, it is parsed into it here.

use crate::domain::{ConversationId, NotificationId, ReminderId, UserId};
use crate::AppError;

/// The error of a `cursor` that no earlier page gave.
fn bad_cursor() -> AppError {
    AppError::invalid("cursor: not a cursor from an earlier page")
}

/// `/v1/users`: the last user id of the previous page.
pub fn user(cursor: Option<&str>) -> Result<Option<UserId>, AppError> {
    cursor.map(|c| UserId::parse(c).map_err(|_| bad_cursor())).transpose()
}

/// `/v1/reminders`: the last reminder id of the previous page.
pub fn reminder(cursor: Option<&str>) -> Result<Option<ReminderId>, AppError> {
    cursor.map(|c| ReminderId::parse(c).map_err(|_| bad_cursor())).transpose()
}

/// `/v1/notifications`: the oldest notification (a ULID) of the previous page.
pub fn notification(cursor: Option<&str>) -> Result<Option<NotificationId>, AppError> {
    match cursor {
        Some(c) if ulid::Ulid::from_string(c).is_ok() => Ok(Some(NotificationId::parse(c)?)),
        Some(_) => Err(bad_cursor()),
        None => Ok(None),
    }
}

/// `/v1/conversations`: `{activity}.{conversationId}`, both ULIDs, of the previous page's last
/// conversation; checked only, as the use case reads it as it is.
pub fn check_conversation_list(cursor: Option<&str>) -> Result<(), AppError> {
    let Some(cursor) = cursor else { return Ok(()) };
    let (activity, id) = cursor.split_once('.').ok_or_else(bad_cursor)?;
    ulid::Ulid::from_string(activity).map_err(|_| bad_cursor())?;
    ConversationId::parse(id).map_err(|_| bad_cursor())?;
    Ok(())
}
