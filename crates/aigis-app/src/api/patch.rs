//! A field of a partial update: absent keeps the stored value, `null`
//! clears it (back to its empty default), a value replaces it.

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Absent fields never get here (`#[serde(default)]` gives Keep).
        Ok(Option::<T>::deserialize(d)?.map_or(Patch::Clear, Patch::Set))
    }
}

impl<T: Default> Patch<T> {
    /// The value after the patch, given the stored one.
    pub fn apply(self, stored: T) -> T {
        match self {
            Patch::Keep => stored,
            Patch::Clear => T::default(),
            Patch::Set(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Patch;

    #[derive(serde::Deserialize)]
    struct P {
        #[serde(default)]
        a: Patch<Vec<u32>>,
    }

    #[test]
    fn absent_keeps_null_clears_value_sets() {
        let p = |s: &str| serde_json::from_str::<P>(s).unwrap().a;
        assert_eq!(p("{}").apply(vec![1]), vec![1]);
        assert_eq!(p(r#"{"a":null}"#).apply(vec![1]), Vec::<u32>::new());
        assert_eq!(p(r#"{"a":[2]}"#).apply(vec![1]), vec![2]);
    }
}
