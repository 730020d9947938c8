//! Moderation: what a tenant lets its people write, per kind of conversation. Rules match words
//! (case- and accent-insensitive, whole words), the tenant's regular expressions, and contact
//! details — phone numbers (French and international forms), e-mail addresses, links — and
//! either block the message or mask what matched. Regular expressions run in linear time
//! (the `regex` crate has no backtracking), so a tenant's pattern cannot stall a send.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::{fold, ConversationKind, TenantId};
use crate::AppError;

pub const MAX_RULES: usize = 20;
pub const MAX_WORDS: usize = 1000;
pub const MAX_WORD_CHARS: usize = 100;
pub const MAX_PATTERNS: usize = 50;
pub const MAX_PATTERN_CHARS: usize = 500;
/// What one compiled expression may weigh: a tenant's list cannot eat a function's memory.
const COMPILED_SIZE_LIMIT: usize = 4 << 20;
/// What replaces each masked character (whitespace is kept, so the text keeps its shape).
pub const MASK: char = '•';

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModerationAction {
    /// The message is refused (`moderated`) and nothing is stored.
    Block,
    /// What matched is masked; the rest of the message is sent.
    Mask,
}

/// Contact details Missive recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContactKind {
    Phone,
    Email,
    Link,
}

/// Why a message was blocked or masked: what matched, or the tenant's pre-send hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModerationReason {
    Word,
    Pattern,
    Phone,
    Email,
    Link,
    Hook,
}

impl ModerationReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ModerationReason::Word => "word",
            ModerationReason::Pattern => "pattern",
            ModerationReason::Phone => "phone",
            ModerationReason::Email => "email",
            ModerationReason::Link => "link",
            ModerationReason::Hook => "hook",
        }
    }

    /// The sentence a sender reads when a message is refused for this reason.
    pub fn refusal(self) -> &'static str {
        match self {
            ModerationReason::Word => "message not sent: it contains a word this conversation does not allow",
            ModerationReason::Pattern => "message not sent: it contains text this conversation does not allow",
            ModerationReason::Phone => "message not sent: phone numbers are not allowed in this conversation",
            ModerationReason::Email => "message not sent: e-mail addresses are not allowed in this conversation",
            ModerationReason::Link => "message not sent: links are not allowed in this conversation",
            ModerationReason::Hook => "message not sent: refused by moderation",
        }
    }
}

impl From<ContactKind> for ModerationReason {
    fn from(kind: ContactKind) -> Self {
        match kind {
            ContactKind::Phone => ModerationReason::Phone,
            ContactKind::Email => ModerationReason::Email,
            ContactKind::Link => ModerationReason::Link,
        }
    }
}

/// One rule: where it applies (`kinds`, empty = every kind), what it looks for, what it does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModerationRule {
    #[serde(default)]
    pub kinds: Vec<ConversationKind>,
    /// Words or phrases, matched whole, whatever their case and accents.
    #[serde(default)]
    pub words: Vec<String>,
    /// Regular expressions (Rust `regex` syntax: no look-around, no back-references).
    #[serde(default)]
    pub patterns: Vec<String>,
    #[serde(default)]
    pub contacts: Vec<ContactKind>,
    pub action: ModerationAction,
}

/// What happens to a send when the pre-send hook does not answer in time (or answers nonsense).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HookFailure {
    /// The message goes as it is (what Missive's rules made of it).
    #[default]
    Open,
    /// The message is refused (`moderated`).
    Closed,
}

/// A tenant's service asked about every message before it is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreSendHook {
    pub url: String,
    #[serde(default)]
    pub failure: HookFailure,
}

/// A tenant's moderation as kept: the rules, the hook, and the secret that signs the hook's
/// requests (never shown after it was made).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModerationPolicy {
    pub tenant_id: TenantId,
    pub rules: Vec<ModerationRule>,
    pub pre_send_hook: Option<PreSendHook>,
    pub hook_secret: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// A tenant's moderation as its admins see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModerationView {
    pub rules: Vec<ModerationRule>,
    #[schema(required = true)]
    pub pre_send_hook: Option<PreSendHook>,
    /// When it was last saved; null while the tenant never set one.
    #[schema(required = true)]
    pub updated_at: Option<DateTime<Utc>>,
}

impl ModerationPolicy {
    pub fn view(&self) -> ModerationView {
        ModerationView {
            rules: self.rules.clone(),
            pre_send_hook: self.pre_send_hook.clone(),
            updated_at: Some(self.updated_at),
        }
    }
}

/// Checks rules as a tenant admin gives them: at most 20; each looking for something; words
/// 1..=100 characters without control characters (at most 1,000 a rule); patterns that compile
/// (at most 50 a rule, 500 characters each). The error names the field.
pub fn check_rules(rules: &[ModerationRule]) -> Result<(), AppError> {
    if rules.len() > MAX_RULES {
        return Err(AppError::invalid(format!("rules: at most {MAX_RULES}")));
    }
    for (i, rule) in rules.iter().enumerate() {
        compile_rule(i, rule)?;
    }
    Ok(())
}

/// A rule ready to match.
#[derive(Debug)]
struct CompiledRule {
    kinds: Vec<ConversationKind>,
    words: Option<Regex>,
    patterns: Vec<Regex>,
    contacts: Vec<ContactKind>,
    action: ModerationAction,
}

fn compile_rule(i: usize, rule: &ModerationRule) -> Result<CompiledRule, AppError> {
    let field = |name: &str| format!("rules[{i}].{name}");
    if rule.words.is_empty() && rule.patterns.is_empty() && rule.contacts.is_empty() {
        return Err(AppError::invalid(format!("rules[{i}]: give words, patterns or contacts to look for")));
    }
    if rule.words.len() > MAX_WORDS {
        return Err(AppError::invalid(format!("{}: at most {MAX_WORDS}", field("words"))));
    }
    if rule.patterns.len() > MAX_PATTERNS {
        return Err(AppError::invalid(format!("{}: at most {MAX_PATTERNS}", field("patterns"))));
    }
    let mut alternatives = Vec::with_capacity(rule.words.len());
    for (j, word) in rule.words.iter().enumerate() {
        let word = word.trim();
        let len = word.chars().count();
        if len == 0 || len > MAX_WORD_CHARS || word.chars().any(char::is_control) {
            return Err(AppError::invalid(format!(
                "{}[{j}]: 1 to {MAX_WORD_CHARS} characters without control characters",
                field("words")
            )));
        }
        alternatives.push(word_expression(&fold(word)));
    }
    let words = if alternatives.is_empty() {
        None
    } else {
        let expression = format!("(?:{})", alternatives.join("|"));
        Some(build(&expression).map_err(|e| AppError::invalid(format!("{}: {e}", field("words"))))?)
    };
    let mut patterns = Vec::with_capacity(rule.patterns.len());
    for (j, pattern) in rule.patterns.iter().enumerate() {
        let at = format!("{}[{j}]", field("patterns"));
        if pattern.is_empty() || pattern.chars().count() > MAX_PATTERN_CHARS {
            return Err(AppError::invalid(format!("{at}: 1 to {MAX_PATTERN_CHARS} characters")));
        }
        patterns.push(build(pattern).map_err(|e| AppError::invalid(format!("{at}: {e}")))?);
    }
    Ok(CompiledRule {
        kinds: rule.kinds.clone(),
        words,
        patterns,
        contacts: rule.contacts.clone(),
        action: rule.action,
    })
}

/// A folded word or phrase as an expression: its words in order, any spacing between them, and
/// word boundaries where it starts or ends with a letter or digit ("sex" does not match "Essex").
fn word_expression(word: &str) -> String {
    let body = word.split_whitespace().map(regex::escape).collect::<Vec<_>>().join(r"\s+");
    let edge = |c: Option<char>| if c.is_some_and(char::is_alphanumeric) { r"\b" } else { "" };
    format!("{}{body}{}", edge(word.chars().next()), edge(word.chars().last()))
}

fn build(expression: &str) -> Result<Regex, String> {
    RegexBuilder::new(expression).size_limit(COMPILED_SIZE_LIMIT).build().map_err(|e| match e {
        regex::Error::CompiledTooBig(_) => "too large once compiled; split it".to_string(),
        // The syntax error's own text spans lines (the expression, a caret): its last line says what.
        e => format!("not a valid regular expression: {}", e.to_string().lines().last().unwrap_or("").trim()),
    })
}

/// Phone numbers: French national (`06 12 34 56 78`, `06.12.34.56.78`, `0612345678`) and any
/// international form (`+33 6 12 34 56 78`, `+33 (0)6…`, `0033 6…`, `+1 415 555 0100`).
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?: (?:\+|\b00)[1-9][0-9]{0,2} (?:[\ \t\u{a0}.\-]?\(0\))? (?:[\ \t\u{a0}.\-]?[0-9]){6,13}
          | \b0[1-9](?:[\ \t\u{a0}.\-]?[0-9]{2}){4}
        )\b",
    )
    .expect("a valid expression")
});

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)[a-z0-9._%+\-]+@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,}",
    )
    .expect("a valid expression")
});

/// Links: with a scheme or `www.`, or a bare domain under a common top-level domain
/// (`fleurs-de-paul.fr/contact`).
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        \b(?:https?://|www\.)[^\s<>]+
      | \b[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*
        \.(?:com|fr|net|org|io|co|me|be|ch|eu|info|biz|app|dev|shop|store|site|online|link|ly|gl|gg)\b
        (?:/[^\s<>]*)?",
    )
    .expect("a valid expression")
});

fn contact_expression(kind: ContactKind) -> &'static Regex {
    match kind {
        ContactKind::Phone => &PHONE,
        ContactKind::Email => &EMAIL,
        ContactKind::Link => &LINK,
    }
}

/// What the rules make of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judgement {
    Accept,
    /// The text with what matched masked, and why (each reason once).
    Mask {
        text: String,
        reasons: Vec<ModerationReason>,
    },
    Block {
        reason: ModerationReason,
    },
}

/// A tenant's rules compiled, and its pre-send hook: what a send consults.
#[derive(Debug, Default)]
pub struct Moderator {
    rules: Vec<CompiledRule>,
    /// The hook and the secret its requests are signed with.
    pub hook: Option<(PreSendHook, String)>,
}

impl Moderator {
    /// A tenant's policy, compiled (its rules were checked when saved: one that no longer
    /// compiles is left out, and logged).
    pub fn of(policy: &ModerationPolicy) -> Self {
        let rules = policy
            .rules
            .iter()
            .enumerate()
            .filter_map(|(i, rule)| match compile_rule(i, rule) {
                Ok(rule) => Some(rule),
                Err(e) => {
                    tracing::error!(tenant = %policy.tenant_id, rule = i, error = %e, "moderation rule left out");
                    None
                }
            })
            .collect();
        let hook = policy.pre_send_hook.clone().zip(policy.hook_secret.clone());
        Self { rules, hook }
    }

    /// Whether nothing is ever checked: no rule, no hook.
    pub fn is_idle(&self) -> bool {
        self.rules.is_empty() && self.hook.is_none()
    }

    /// Judges `text` sent in a conversation of `kind`: blocked if a blocking rule matches
    /// anything; otherwise masked where masking rules match.
    pub fn judge(&self, kind: ConversationKind, text: &str) -> Judgement {
        let applicable = || self.rules.iter().filter(|r| r.kinds.is_empty() || r.kinds.contains(&kind));
        let folded = Folded::of(text);
        for rule in applicable().filter(|r| r.action == ModerationAction::Block) {
            if let Some((reason, _)) = rule.matches(text, &folded).next() {
                return Judgement::Block { reason };
            }
        }
        let mut reasons = Vec::new();
        let mut masked: Vec<Range<usize>> = Vec::new();
        for rule in applicable().filter(|r| r.action == ModerationAction::Mask) {
            for (reason, range) in rule.matches(text, &folded) {
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
                masked.push(range);
            }
        }
        if masked.is_empty() {
            Judgement::Accept
        } else {
            Judgement::Mask { text: mask(text, &masked), reasons }
        }
    }
}

impl CompiledRule {
    /// What the rule finds in `text`, as reasons and byte ranges of `text`.
    fn matches<'a>(
        &'a self,
        text: &'a str,
        folded: &'a Folded,
    ) -> impl Iterator<Item = (ModerationReason, Range<usize>)> + 'a {
        let words = self.words.iter().flat_map(move |w| {
            w.find_iter(&folded.text).map(move |m| (ModerationReason::Word, folded.origin(m.range())))
        });
        let patterns =
            self.patterns.iter().flat_map(move |p| p.find_iter(text).map(|m| (ModerationReason::Pattern, m.range())));
        let contacts = self.contacts.iter().flat_map(move |kind| {
            contact_expression(*kind).find_iter(text).map(move |m| (ModerationReason::from(*kind), m.range()))
        });
        words.chain(patterns).chain(contacts).filter(|(_, range)| !range.is_empty())
    }
}

/// A text folded as search folds it, with where each folded byte came from in the original, so
/// that a word found in the folded text is masked in the original.
struct Folded {
    text: String,
    /// For each byte of `text`, the byte range of the original character it came from.
    from: Vec<Range<usize>>,
}

impl Folded {
    fn of(original: &str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut from = Vec::with_capacity(original.len());
        for (at, c) in original.char_indices() {
            let source = at..at + c.len_utf8();
            for f in std::iter::once(c).nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase) {
                text.push(f);
                from.extend(std::iter::repeat_n(source.clone(), f.len_utf8()));
            }
        }
        Self { text, from }
    }

    fn origin(&self, folded: Range<usize>) -> Range<usize> {
        match (self.from.get(folded.start), folded.end.checked_sub(1).and_then(|e| self.from.get(e))) {
            (Some(first), Some(last)) => first.start..last.end,
            _ => 0..0,
        }
    }
}

/// `text` with every character in `ranges` but whitespace replaced by [`MASK`].
fn mask(text: &str, ranges: &[Range<usize>]) -> String {
    text.char_indices()
        .map(|(at, c)| if !c.is_whitespace() && ranges.iter().any(|r| r.contains(&at)) { MASK } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(action: ModerationAction) -> ModerationRule {
        ModerationRule { kinds: vec![], words: vec![], patterns: vec![], contacts: vec![], action }
    }

    fn moderator(rules: Vec<ModerationRule>) -> Moderator {
        check_rules(&rules).unwrap();
        let policy = ModerationPolicy {
            tenant_id: TenantId::parse("t").unwrap(),
            rules,
            pre_send_hook: None,
            hook_secret: None,
            updated_at: Utc::now(),
        };
        Moderator::of(&policy)
    }

    fn masked(m: &Moderator, text: &str) -> String {
        match m.judge(ConversationKind::Storefront, text) {
            Judgement::Mask { text, .. } => text,
            other => panic!("{text:?}: {other:?}"),
        }
    }

    #[test]
    fn phone_numbers_in_french_and_international_forms_are_masked() {
        let m = moderator(vec![ModerationRule { contacts: vec![ContactKind::Phone], ..rule(ModerationAction::Mask) }]);
        for (text, expected) in [
            ("appelez le 06 12 34 56 78 !", "appelez le •• •• •• •• •• !"),
            ("06.12.34.56.78", "••••••••••••••"),
            ("0612345678", "••••••••••"),
            ("06-12-34-56-78.", "••••••••••••••."),
            ("+33 6 12 34 56 78", "••• • •• •• •• ••"),
            ("+33 (0)6 12 34 56 78", "••• •••• •• •• •• ••"),
            ("0033 612345678", "•••• •••••••••"),
            ("call +1 415 555 0100", "call •• ••• ••• ••••"),
            ("+447911123456", "•••••••••••••"),
        ] {
            assert_eq!(masked(&m, text), expected, "{text}");
        }
        for harmless in ["le 12/06/2026 à 14h30", "budget 2500 €", "commande n° 12345", "1 234 567"] {
            assert_eq!(m.judge(ConversationKind::Storefront, harmless), Judgement::Accept, "{harmless}");
        }
    }

    #[test]
    fn e_mail_addresses_and_links_are_found() {
        let m = moderator(vec![ModerationRule {
            contacts: vec![ContactKind::Email, ContactKind::Link],
            ..rule(ModerationAction::Mask)
        }]);
        let hidden = |s: &str| MASK.to_string().repeat(s.chars().count());
        assert_eq!(
            masked(&m, "écrivez à paul.fleurs@gmail.com merci"),
            format!("écrivez à {} merci", hidden("paul.fleurs@gmail.com"))
        );
        assert_eq!(
            masked(&m, "voir https://fleurs.example/x?y=1"),
            format!("voir {}", hidden("https://fleurs.example/x?y=1"))
        );
        assert_eq!(masked(&m, "www.fleurs-de-paul.fr"), hidden("www.fleurs-de-paul.fr"));
        assert_eq!(
            masked(&m, "sur fleurs-de-paul.fr/contact ok"),
            format!("sur {} ok", hidden("fleurs-de-paul.fr/contact"))
        );
        assert_eq!(m.judge(ConversationKind::Storefront, "À bientôt. Merci !"), Judgement::Accept);
    }

    #[test]
    fn words_match_whole_whatever_their_case_and_accents() {
        let m = moderator(vec![ModerationRule {
            words: vec!["arnaque".into(), "paiement direct".into()],
            ..rule(ModerationAction::Block)
        }]);
        let block = Judgement::Block { reason: ModerationReason::Word };
        assert_eq!(m.judge(ConversationKind::Group, "C'est une ARNAQUE"), block);
        assert_eq!(m.judge(ConversationKind::Group, "arnaqué"), block, "accents folded");
        assert_eq!(m.judge(ConversationKind::Group, "un Paiement   Direct ?"), block);
        assert_eq!(m.judge(ConversationKind::Group, "les arnaques"), Judgement::Accept, "whole words only");
        let masking = moderator(vec![ModerationRule { words: vec!["fête".into()], ..rule(ModerationAction::Mask) }]);
        assert_eq!(masked(&masking, "Bonne FETE, Fête !"), "Bonne ••••, •••• !");
    }

    #[test]
    fn rules_apply_to_their_kinds_and_block_wins_over_mask() {
        let m = moderator(vec![
            ModerationRule {
                kinds: vec![ConversationKind::Storefront],
                contacts: vec![ContactKind::Phone],
                ..rule(ModerationAction::Mask)
            },
            ModerationRule { patterns: vec![r"(?i)whats?app".into()], ..rule(ModerationAction::Block) },
        ]);
        assert_eq!(m.judge(ConversationKind::Group, "06 12 34 56 78"), Judgement::Accept);
        assert_eq!(
            m.judge(ConversationKind::Storefront, "06 12 34 56 78 sur WhatsApp"),
            Judgement::Block { reason: ModerationReason::Pattern }
        );
    }

    #[test]
    fn bad_rules_are_refused_naming_the_field() {
        let err = |rules: Vec<ModerationRule>| check_rules(&rules).unwrap_err().to_string();
        assert!(err(vec![rule(ModerationAction::Mask)]).starts_with("rules[0]: give"));
        let bad = ModerationRule { patterns: vec!["ok".into(), "(unclosed".into()], ..rule(ModerationAction::Block) };
        assert!(err(vec![bad]).starts_with("rules[0].patterns[1]: not a valid regular expression"));
        let blank = ModerationRule { words: vec!["  ".into()], ..rule(ModerationAction::Block) };
        assert!(err(vec![blank]).starts_with("rules[0].words[0]"));
        let huge = ModerationRule { patterns: vec![r"\w{1000}{1000}".into()], ..rule(ModerationAction::Block) };
        assert!(err(vec![huge]).contains("too large"));
        let many = vec![ModerationRule { contacts: vec![ContactKind::Link], ..rule(ModerationAction::Mask) }; 21];
        assert!(err(many).starts_with("rules: at most 20"));
    }
}
