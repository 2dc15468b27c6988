//! The fixed spellings of the model's enumerations (`istio`, `v1beta1`, `deadline-exceeded`): one
//! table per type, read by its `FromStr`, written by its `Display`, listed in errors, in the CLI's
//! `--help` and in the `mesh!` DSL's suggestions.

use std::fmt;

/// A type written as one of a fixed set of words.
///
/// ```
/// use connectum_mesh_core::{MeshMode, Words};
///
/// assert_eq!("none".parse::<MeshMode>(), Ok(MeshMode::None));
/// assert_eq!(MeshMode::Istio.word(), "istio");
/// let error = "linkerd".parse::<MeshMode>().unwrap_err();
/// assert_eq!(error.to_string(), "`linkerd` is not a mesh mode: expected one of istio, none");
/// ```
pub trait Words: Sized + Copy + PartialEq + 'static {
    /// What a value is, for messages: `mesh mode`.
    const WHAT: &'static str;
    /// Every word and the value it stands for, in the order they are listed.
    const WORDS: &'static [(&'static str, Self)];

    /// The words alone, in order.
    fn words() -> impl Iterator<Item = &'static str> {
        Self::WORDS.iter().map(|(word, _)| *word)
    }

    /// The word for this value, or `""` for a value that is written otherwise (an HTTP status
    /// in [`RetryOn`](super::RetryOn)).
    fn word(self) -> &'static str {
        Self::WORDS
            .iter()
            .find(|(_, value)| *value == self)
            .map_or("", |(word, _)| word)
    }

    /// Reads one of [`Words::WORDS`].
    ///
    /// # Errors
    /// [`UnknownWord`], which lists the words, when `text` is none of them.
    fn from_word(text: &str) -> Result<Self, UnknownWord> {
        Self::WORDS
            .iter()
            .find(|(word, _)| *word == text)
            .map(|(_, value)| *value)
            .ok_or_else(|| UnknownWord::new::<Self>(text))
    }
}

/// A word that is none of a type's [`Words::WORDS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownWord {
    /// What was read.
    pub input: String,
    /// What a value is: `mesh mode`.
    pub what: &'static str,
    /// The words that would have been accepted.
    pub expected: Vec<&'static str>,
    /// Anything else accepted besides the words (`an HTTP status 100-599`), if any.
    pub otherwise: Option<&'static str>,
}

impl UnknownWord {
    /// The error for `input` read as a `T`.
    #[must_use]
    pub fn new<T: Words>(input: &str) -> Self {
        Self {
            input: input.to_owned(),
            what: T::WHAT,
            expected: T::words().collect(),
            otherwise: None,
        }
    }
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a {}: expected one of {}",
            self.input,
            self.what,
            self.expected.join(", ")
        )?;
        if let Some(otherwise) = self.otherwise {
            write!(f, ", or {otherwise}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownWord {}

/// `FromStr` through a type's [`Words`]: `words_from_str!(IstioApi)`.
#[doc(hidden)]
#[macro_export]
macro_rules! words_from_str {
    ($type:ty) => {
        impl ::std::str::FromStr for $type {
            type Err = $crate::UnknownWord;

            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                <$type as $crate::Words>::from_word(text)
            }
        }
    };
}

/// `FromStr` and `Display` through a type's [`Words`].
macro_rules! spelled {
    ($type:ty) => {
        $crate::words_from_str!($type);

        impl ::std::fmt::Display for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::model::Words::word(*self))
            }
        }
    };
}
pub(crate) use spelled;
