//! Text matching for search: case- and accent-insensitive, so that "fete" finds "Fête".

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lowercase, decomposed, without combining marks: "Fête Œuvre" → "fete œuvre".
pub fn fold(text: &str) -> String {
    text.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// A search query, folded once and matched against many texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery(String);

impl SearchQuery {
    /// `None` for a blank query (no filter).
    pub fn parse(q: Option<&str>) -> Result<Option<Self>, crate::AppError> {
        let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) else { return Ok(None) };
        if q.chars().count() > 100 {
            return Err(crate::AppError::invalid("invalid q: at most 100 characters"));
        }
        Ok(Some(Self(fold(q))))
    }

    pub fn matches(&self, text: &str) -> bool {
        fold(text).contains(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Fête à l'École"), "fete a l'ecole");
        let q = SearchQuery::parse(Some(" fete ")).unwrap().unwrap();
        assert!(q.matches("Bonne FÊTE !"));
        assert!(!q.matches("faite"));
        assert_eq!(SearchQuery::parse(Some("  ")).unwrap(), None);
    }
}
