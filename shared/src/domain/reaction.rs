//! Reactions: one per person per emoji on a message, at most 20 distinct emoji a message.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// Distinct emoji one message may carry.
pub const MAX_REACTIONS_PER_MESSAGE: usize = 20;

/// One emoji as Unicode draws it (a flag, a keycap, a person with a skin tone, a family joined
/// by zero-width joiners, a subdivision flag), or a short `:name:` a platform maps to its own
/// images (`:party_parrot:`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "👍")]
pub struct Emoji(String);

static ONE_EMOJI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)^(?:
            \p{Regional_Indicator}\p{Regional_Indicator}                        # a flag
          | [0-9\#*]\x{FE0F}?\x{20E3}                                           # a keycap
          | \p{Extended_Pictographic}\x{FE0F}?\p{Emoji_Modifier}?               # one pictograph
            (?:\x{200D}\p{Extended_Pictographic}\x{FE0F}?\p{Emoji_Modifier}?)*  # joined to others
            (?:[\x{E0020}-\x{E007E}]+\x{E007F})?                                # a subdivision's tag
          | :[a-z0-9_+\-]{1,32}:                                                # a platform's name
        )$",
    )
    .expect("a valid expression")
});

impl Emoji {
    pub fn parse(value: &str) -> Result<Self, AppError> {
        // A pictograph written without its emoji variation selector is the same emoji.
        if value.len() <= 64 && ONE_EMOJI.is_match(value) {
            Ok(Self(value.to_string()))
        } else {
            Err(AppError::invalid("invalid emoji: one emoji (👍, 🇫🇷, 👩🏽‍🚒) or a :short_name:"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Emoji {
    type Error = AppError;
    fn try_from(value: String) -> Result<Self, AppError> {
        Emoji::parse(&value)
    }
}

impl From<Emoji> for String {
    fn from(emoji: Emoji) -> String {
        emoji.0
    }
}

impl std::fmt::Display for Emoji {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How many people reacted with an emoji, and whether the reader is one of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reaction {
    pub emoji: Emoji,
    pub count: u32,
    /// The reader reacted with it (always false in a pushed event: each reader knows their own).
    #[serde(default)]
    pub me: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_emoji_or_a_short_name_is_taken() {
        for ok in ["👍", "❤️", "❤", "🇫🇷", "1️⃣", "#⃣", "👩🏽‍🚒", "👨‍👩‍👧‍👦", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "👍🏿", ":party_parrot:", ":+1:"]
        {
            assert!(Emoji::parse(ok).is_ok(), "{ok:?}");
        }
        for bad in ["", "a", "👍👍", "👍 ", "ok", "::", ":Bad Name:", "🇫", "1", "<script>", &"x".repeat(100)] {
            assert!(Emoji::parse(bad).is_err(), "{bad:?}");
        }
    }
}
