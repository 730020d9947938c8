//! The texts Missive writes for people, in French (the default) and English.

use crate::domain::Locale;

/// The text of a system message about a group change, in the tenant's language. Clients can
/// render their own from the structured `system` field instead.
pub fn group_change(locale: Locale, change: &GroupChange<'_>) -> String {
    match (locale, change) {
        (Locale::Fr, GroupChange::Renamed { actor, title }) => format!("{actor} a renommé le groupe « {title} »"),
        (Locale::En, GroupChange::Renamed { actor, title }) => format!("{actor} renamed the group “{title}”"),
        (Locale::Fr, GroupChange::Added { actor, names }) => format!("{actor} a ajouté {}", list(Locale::Fr, names)),
        (Locale::En, GroupChange::Added { actor, names }) => format!("{actor} added {}", list(Locale::En, names)),
        (Locale::Fr, GroupChange::Removed { actor, name }) => format!("{actor} a retiré {name}"),
        (Locale::En, GroupChange::Removed { actor, name }) => format!("{actor} removed {name}"),
        (Locale::Fr, GroupChange::Left { name }) => format!("{name} a quitté le groupe"),
        (Locale::En, GroupChange::Left { name }) => format!("{name} left the group"),
    }
}

pub enum GroupChange<'a> {
    Renamed { actor: &'a str, title: &'a str },
    Added { actor: &'a str, names: &'a [String] },
    Removed { actor: &'a str, name: &'a str },
    Left { name: &'a str },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_changes_read_naturally_in_both_languages() {
        let names = ["Ben".to_string(), "Cat".to_string(), "Dee".to_string()];
        assert_eq!(group_change(Locale::Fr, &GroupChange::Added { actor: "Ann", names: &names }), "Ann a ajouté Ben, Cat et Dee");
        assert_eq!(group_change(Locale::En, &GroupChange::Added { actor: "Ann", names: &names[..1] }), "Ann added Ben");
        assert_eq!(group_change(Locale::Fr, &GroupChange::Left { name: "Cat" }), "Cat a quitté le groupe");
        assert_eq!(group_change(Locale::En, &GroupChange::Renamed { actor: "Ann", title: "Night" }), "Ann renamed the group “Night”");
    }
}
