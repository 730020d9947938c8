// An erased person (GDPR, `DELETE /v1/admin/users/{userId}`) is no one: their messages become
// tombstones from this id (their name `""`), and it takes their place among a direct
// conversation's participants. The server refuses a token naming it.

export const ERASED = '~erased';
