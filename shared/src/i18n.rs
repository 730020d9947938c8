//! The texts Missive writes for people, in French (the default) and English.

use crate::domain::Locale;

/// The text of a system message about a group change, in the tenant's language. Clients can
/// render their own from the structured `system` field instead.
pub fn group_change(locale: Locale, change: &GroupChangeText<'_>) -> String {
    match (locale, change) {
        (Locale::Fr, GroupChangeText::Renamed { actor, title }) => format!("{actor} a renommé le groupe « {title} »"),
        (Locale::En, GroupChangeText::Renamed { actor, title }) => format!("{actor} renamed the group “{title}”"),
        (Locale::Fr, GroupChangeText::Added { actor, names }) => {
            format!("{actor} a ajouté {}", list(Locale::Fr, names))
        }
        (Locale::En, GroupChangeText::Added { actor, names }) => format!("{actor} added {}", list(Locale::En, names)),
        (Locale::Fr, GroupChangeText::Removed { actor, name }) => format!("{actor} a retiré {name}"),
        (Locale::En, GroupChangeText::Removed { actor, name }) => format!("{actor} removed {name}"),
        (Locale::Fr, GroupChangeText::Left { name }) => format!("{name} a quitté le groupe"),
        (Locale::En, GroupChangeText::Left { name }) => format!("{name} left the group"),
        (Locale::Fr, GroupChangeText::Pinned { actor }) => format!("{actor} a épinglé un message"),
        (Locale::En, GroupChangeText::Pinned { actor }) => format!("{actor} pinned a message"),
        (Locale::Fr, GroupChangeText::Unpinned { actor }) => format!("{actor} a désépinglé un message"),
        (Locale::En, GroupChangeText::Unpinned { actor }) => format!("{actor} unpinned a message"),
    }
}

pub enum GroupChangeText<'a> {
    Renamed { actor: &'a str, title: &'a str },
    Added { actor: &'a str, names: &'a [String] },
    Removed { actor: &'a str, name: &'a str },
    Left { name: &'a str },
    Pinned { actor: &'a str },
    Unpinned { actor: &'a str },
}

fn list(locale: Locale, names: &[String]) -> String {
    let and = match locale {
        Locale::Fr => "et",
        Locale::En => "and",
    };
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {and} {last}", rest.join(", ")),
    }
}

/// The words of e-mails, by locale: the templates take them as `t`.
pub fn email_texts(locale: Locale) -> serde_json::Value {
    match locale {
        Locale::Fr => serde_json::json!({
            "greeting": "Bonjour,",
            "intro_message": "Vous avez des messages non lus :",
            "intro_mention": "On vous a mentionné :",
            "intro_reminder": "Votre rappel :",
            "intro_event": "Du nouveau pour vous :",
            "intro_system": "Information importante :",
            "intro_digest": "Voici ce que vous avez manqué :",
            "open": "Ouvrir",
            "footer": "Vous recevez cet e-mail selon vos préférences de notification.",
            "unsubscribe": "Ne plus recevoir d'e-mails",
        }),
        Locale::En => serde_json::json!({
            "greeting": "Hello,",
            "intro_message": "You have unread messages:",
            "intro_mention": "You were mentioned:",
            "intro_reminder": "Your reminder:",
            "intro_event": "Something new for you:",
            "intro_system": "Important information:",
            "intro_digest": "Here is what you missed:",
            "open": "Open",
            "footer": "You receive this e-mail because of your notification preferences.",
            "unsubscribe": "Unsubscribe from e-mails",
        }),
    }
}

/// An e-mail's subject: what it holds, in the recipient's language.
pub fn email_subject(locale: Locale, template: &str, count: usize, first_title: &str, brand: &str) -> String {
    match (locale, template, count) {
        (Locale::Fr, "message", 1) => format!("Nouveau message de {first_title}"),
        (Locale::En, "message", 1) => format!("New message from {first_title}"),
        (Locale::Fr, "message", n) => format!("{n} nouveaux messages"),
        (Locale::En, "message", n) => format!("{n} new messages"),
        (Locale::Fr, "reminder", 1) => format!("Rappel : {first_title}"),
        (Locale::En, "reminder", 1) => format!("Reminder: {first_title}"),
        (Locale::Fr, "digest", n) => {
            format!("Votre récapitulatif {brand} : {n} notification{}", if n > 1 { "s" } else { "" })
        }
        (Locale::En, "digest", n) => format!("Your {brand} digest: {n} notification{}", if n > 1 { "s" } else { "" }),
        (_, _, 1) => first_title.to_string(),
        (Locale::Fr, _, n) => format!("{brand} : {n} notifications"),
        (Locale::En, _, n) => format!("{brand}: {n} notifications"),
    }
}

/// The page a one-click unsubscribe link opens.
pub fn unsubscribed_page(locale: Locale) -> &'static str {
    match locale {
        Locale::Fr => {
            "Vous ne recevrez plus d'e-mails de notification. Vous pouvez les réactiver dans vos préférences."
        }
        Locale::En => "You will no longer receive notification e-mails. You can turn them back on in your preferences.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_changes_read_naturally_in_both_languages() {
        let names = ["Ben".to_string(), "Cat".to_string(), "Dee".to_string()];
        assert_eq!(
            group_change(Locale::Fr, &GroupChangeText::Added { actor: "Ann", names: &names }),
            "Ann a ajouté Ben, Cat et Dee"
        );
        assert_eq!(
            group_change(Locale::En, &GroupChangeText::Added { actor: "Ann", names: &names[..1] }),
            "Ann added Ben"
        );
        assert_eq!(group_change(Locale::Fr, &GroupChangeText::Left { name: "Cat" }), "Cat a quitté le groupe");
        assert_eq!(
            group_change(Locale::En, &GroupChangeText::Renamed { actor: "Ann", title: "Night" }),
            "Ann renamed the group “Night”"
        );
    }
}
