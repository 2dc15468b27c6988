//! The YAML writer every emit path shares: block-style YAML written straight into the output,
//! byte-identical to serde-saphyr with [`super::yaml_options`].
//!
//! Why not serde-saphyr itself: it decides every key and value by re-running its ambiguity
//! checks (numbers, bools, timestamps, nulls) and a `chars()` scan for control characters, and
//! builds a `String` per key; that made serialization three quarters of gen-mesh's instructions
//! (BENCHMARKS.md, "stop 19: the emitter"). Our keys and most of our values are plainly safe
//! words, which one pass over their bytes proves.
//!
//! What stays serde-saphyr's:
//! - **Quoting.** A string the byte-class test does not prove plain ([`is_plainly_safe`]) is
//!   written by serde-saphyr itself (one scalar, same options), so every quoting rule (`"yes"`,
//!   `"1e3"`, `'-'`, escapes, leading spaces) lives in one place: theirs. Floats go the same way.
//! - **Anything unusual.** Tuple and struct variants, byte strings, non-string keys, keys over
//!   1,024 characters, serde-saphyr's own wrapper types: the writer gives the document up and
//!   serde-saphyr writes all of it. (Newtype variants, `Variant: value`, are ours: Istio's
//!   string matches are made of them.)
//!
//! The layout follows serde-saphyr 2.2.0's block serializer (`ser/serializer.rs` and
//! `ser/serializer/compound.rs`, MIT OR Apache-2.0) for the options we use (indent 2, lists
//! indented under their key, empty collections as `{}`/`[]`, no block scalars), state for
//! state, so the two agree on every shape, including the odd ones (an empty map that declared
//! entries, a map of unknown length). The workspace pins serde-saphyr exactly (`=2.2.0`);
//! the tests beside this file compare the two on every document we emit and on generated
//! values, and fail first when an upgrade changes its output.

use std::fmt::{self, Write as _};

use serde::ser::{self, Impossible, Serialize};

/// Serializes one document at the end of `text`, as serde-saphyr with
/// [`super::yaml_options`] would.
///
/// # Errors
/// serde-saphyr's error when the value cannot be serialized (only serde-saphyr reports errors:
/// whatever this writer cannot do, it hands to serde-saphyr).
pub(super) fn append<T: Serialize>(
    value: &T,
    text: &mut String,
) -> Result<(), serde_saphyr::SerializeError> {
    let start = text.len();
    let mut writer = Writer::new(text);
    if value.serialize(&mut writer).is_ok() {
        return Ok(());
    }
    text.truncate(start);
    // Erased: the fallback shares the one erased build of every kind's `Serialize` code.
    serde_saphyr::to_fmt_writer_with_options(
        text,
        &crate::render::erased(value),
        super::yaml_options(),
    )
}

/// Whether serde-saphyr writes `text` plain, both as a value and as a key, proved by one pass
/// over its bytes: only ASCII letters, digits and `-._/`; starting with a letter, `/`, or a
/// digit followed somewhere by a letter no number or date can hold; not one of the YAML 1.1
/// words (`yes`, `on`, `null`, `nan` …); at most 1,024 bytes (longer keys take the `? ` form).
/// `false` means only "not proved": serde-saphyr decides those.
pub(super) fn is_plainly_safe(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    if bytes.len() > 1024 || !bytes.iter().all(|&b| PLAIN_BYTES[usize::from(b)]) {
        return false;
    }
    if first.is_ascii_alphabetic() {
        // Every ambiguous word that starts with a letter is at most 5 bytes long.
        return bytes.len() > 5 || !AMBIGUOUS_WORDS.iter().any(|w| text.eq_ignore_ascii_case(w));
    }
    if first.is_ascii_digit() {
        // Numbers (any radix, exponent, `0x`/`0o`/`0b`), sexagesimals and dates hold no
        // letter outside `a-f`, `o` and `x`; every other letter makes the text a word.
        return bytes.iter().any(|&b| {
            let lower = b.to_ascii_lowercase();
            lower.is_ascii_lowercase() && lower > b'f' && lower != b'o' && lower != b'x'
        });
    }
    first == b'/'
}

/// The bytes [`is_plainly_safe`] accepts anywhere: ASCII letters, digits and `-._/` (a table,
/// since every key and value goes through it).
const PLAIN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'/');
        byte += 1;
    }
    table
};

/// The words YAML 1.1 or 1.2 readers take for a bool, null or float (compared ignoring case).
const AMBIGUOUS_WORDS: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
];

/// Why the writer stopped: the document then goes to serde-saphyr whole.
#[derive(Debug)]
struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to serde-saphyr")
    }
}

impl std::error::Error for GiveUp {}

impl ser::Error for GiveUp {
    fn custom<T: fmt::Display>(_message: T) -> Self {
        Self
    }
}

type Written<T = ()> = Result<T, GiveUp>;

/// serde-saphyr's layout state, the fields its block serializer reads with our options
/// (its `depth` stays 0 without complex keys, so it is not kept).
struct Writer<'o> {
    out: &'o mut String,
    at_line_start: bool,
    pending_space_after_colon: bool,
    pending_inline_map: bool,
    inline_map_after_dash: bool,
    last_value_was_block: bool,
    after_dash_depth: Option<usize>,
    current_map_depth: Option<usize>,
    /// serde-saphyr's text for one scalar, reused.
    scratch: String,
}

impl<'o> Writer<'o> {
    fn new(out: &'o mut String) -> Self {
        Self {
            out,
            at_line_start: true,
            pending_space_after_colon: false,
            pending_inline_map: false,
            inline_map_after_dash: false,
            last_value_was_block: false,
            after_dash_depth: None,
            current_map_depth: None,
            scratch: String::new(),
        }
    }

    fn write_space_if_pending(&mut self) {
        if self.pending_space_after_colon {
            self.out.push(' ');
            self.pending_space_after_colon = false;
        }
        self.last_value_was_block = false;
    }

    fn write_indent(&mut self, depth: usize) {
        if self.at_line_start {
            self.spaces(2 * depth);
            self.at_line_start = false;
        }
    }

    fn spaces(&mut self, count: usize) {
        const SPACES: &str = "                                                                ";
        let mut left = count;
        while left > 0 {
            let step = left.min(SPACES.len());
            self.out.push_str(&SPACES[..step]);
            left -= step;
        }
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.at_line_start = true;
    }

    /// The indentation of a key (or `{}`) in a map opened after `- `: two columns past the dash.
    fn write_aligned_after_dash(&mut self, map_depth: usize) {
        self.spaces(2 * map_depth.saturating_sub(1) + 2);
        self.at_line_start = false;
    }

    /// A scalar in value (or top-level) position, its text already decided.
    fn scalar(&mut self, text: &str) {
        self.write_space_if_pending();
        self.write_indent(0);
        self.out.push_str(text);
        self.newline();
    }

    /// A scalar whose text serde-saphyr decides: its output for the scalar alone, which is the
    /// text a value gets, then a newline.
    fn scalar_by_serde_saphyr<T: Serialize>(&mut self, value: &T) -> Written {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        serde_saphyr::to_fmt_writer_with_options(&mut scratch, value, super::yaml_options())
            .map_err(|_| GiveUp)?;
        let Some(text) = scratch.strip_suffix('\n').filter(|t| !t.contains('\n')) else {
            return Err(GiveUp);
        };
        self.scalar(text);
        self.scratch = scratch;
        Ok(())
    }

    /// An integer, in Rust's own spelling (serde-saphyr's too).
    fn integer(&mut self, value: impl fmt::Display) {
        self.write_space_if_pending();
        self.write_indent(0);
        // Writing into a String cannot fail.
        let _ = write!(self.out, "{value}");
        self.newline();
    }

    fn str_value(&mut self, text: &str) -> Written {
        if is_plainly_safe(text) {
            self.scalar(text);
            Ok(())
        } else {
            self.scalar_by_serde_saphyr(&text)
        }
    }

    /// A key's text: as is when plainly safe, else serde-saphyr's (from a one-entry map).
    fn write_key_text(&mut self, key: &str) -> Written {
        if is_plainly_safe(key) {
            self.out.push_str(key);
            return Ok(());
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        serde_saphyr::to_fmt_writer_with_options(&mut scratch, &OneKey(key), super::yaml_options())
            .map_err(|_| GiveUp)?;
        // `? key` (an over-long key) is the explicit form this writer leaves to serde-saphyr.
        let Some(text) = scratch
            .strip_suffix(": null\n")
            .filter(|t| !t.starts_with("? ") && !t.contains('\n'))
        else {
            return Err(GiveUp);
        };
        self.out.push_str(text);
        self.scratch = scratch;
        Ok(())
    }
}

/// `{key: null}`, for serde-saphyr's spelling of a key.
struct OneKey<'k>(&'k str);

impl Serialize for OneKey<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.0, &())?;
        map.end()
    }
}

/// `serialize_<type>` methods that write an integer in Rust's spelling (serde-saphyr's too).
macro_rules! integers {
    ($($method:ident: $type:ty),* $(,)?) => {$(
        fn $method(self, v: $type) -> Written {
            self.integer(v);
            Ok(())
        }
    )*};
}

/// `serialize_<type>` methods that leave the document to serde-saphyr.
macro_rules! give_up {
    ($($method:ident: $type:ty),* $(,)?) => {$(
        fn $method(self, _v: $type) -> Written {
            Err(GiveUp)
        }
    )*};
}

impl<'w, 'o> ser::Serializer for &'w mut Writer<'o> {
    type Ok = ();
    type Error = GiveUp;
    type SerializeSeq = Seq<'w, 'o>;
    type SerializeTuple = Seq<'w, 'o>;
    type SerializeTupleStruct = Seq<'w, 'o>;
    type SerializeTupleVariant = Impossible<(), GiveUp>;
    type SerializeMap = Map<'w, 'o>;
    type SerializeStruct = Map<'w, 'o>;
    type SerializeStructVariant = Impossible<(), GiveUp>;

    fn serialize_bool(self, v: bool) -> Written {
        self.scalar(if v { "true" } else { "false" });
        Ok(())
    }
    integers! {
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128,
    }
    fn serialize_f32(self, v: f32) -> Written {
        self.scalar_by_serde_saphyr(&v)
    }
    fn serialize_f64(self, v: f64) -> Written {
        self.scalar_by_serde_saphyr(&v)
    }
    fn serialize_char(self, v: char) -> Written {
        self.str_value(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Written {
        self.str_value(v)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Written {
        Err(GiveUp)
    }
    fn serialize_none(self) -> Written {
        self.scalar("null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Written {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Written {
        self.scalar("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Written {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Written {
        self.str_value(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Written {
        // serde-saphyr's wrappers (flow style, block strings, anchors …) are newtypes named so.
        if name.starts_with("__yaml") {
            return Err(GiveUp);
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Written {
        // `Variant: value`, a map of one entry; as a map's value it starts on the next line,
        // one level in (`key:` then `  Variant: value`).
        let w = self;
        let variant_depth = if w.pending_space_after_colon {
            w.pending_space_after_colon = false;
            if !w.at_line_start {
                w.newline();
            }
            let depth = w.current_map_depth.unwrap_or(0) + 1;
            w.write_indent(depth);
            Some(depth)
        } else {
            w.write_indent(0);
            // After `- `, what the variant holds nests under the label.
            w.after_dash_depth.take().map(|dash| dash + 1)
        };
        w.write_key_text(variant)?;
        w.out.push(':');
        w.pending_space_after_colon = true;
        w.at_line_start = false;
        w.pending_inline_map = false;
        let Some(depth) = variant_depth else {
            return value.serialize(w);
        };
        let saved_map_depth = w.current_map_depth.replace(depth);
        let result = value.serialize(&mut *w);
        w.current_map_depth = saved_map_depth;
        result
    }
    fn serialize_seq(self, _len: Option<usize>) -> Written<Seq<'w, 'o>> {
        let w = self;
        let was_inline_value = !w.at_line_start;
        // A value following a block sibling starts on a new line.
        if w.pending_space_after_colon && w.last_value_was_block {
            w.pending_space_after_colon = false;
            if !w.at_line_start {
                w.newline();
            }
            w.last_value_was_block = false;
        }
        // A sequence right after a dash starts on the dash's line: `- - a`.
        let after_dash =
            !w.at_line_start && w.after_dash_depth.is_some() && !w.pending_space_after_colon;
        let depth = match (after_dash, was_inline_value, w.current_map_depth) {
            (true, _, _) => w.after_dash_depth.unwrap_or(0) + 1,
            (false, true, Some(map_depth)) => map_depth + 1,
            (false, true, None) => 1,
            (false, false, _) => 0,
        };
        Ok(Seq {
            w,
            depth,
            first: true,
        })
    }
    fn serialize_tuple(self, len: usize) -> Written<Seq<'w, 'o>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Written<Seq<'w, 'o>> {
        if name.starts_with("__yaml") {
            return Err(GiveUp);
        }
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Written<Impossible<(), GiveUp>> {
        Err(GiveUp)
    }
    fn serialize_map(self, len: Option<usize>) -> Written<Map<'w, 'o>> {
        let w = self;
        let inline_first = w.pending_inline_map;
        let was_inline_value = w.pending_space_after_colon;
        let mut forced_newline = false;
        if was_inline_value && w.last_value_was_block {
            w.pending_space_after_colon = false;
            if !w.at_line_start {
                w.newline();
            }
            forced_newline = true;
            w.last_value_was_block = false;
        }
        if inline_first {
            // The first key goes on the dash's line: `- name: a`.
            w.pending_inline_map = false;
            w.inline_map_after_dash = true;
        } else if was_inline_value && matches!(len, Some(n) if n > 0) {
            // A map known to have entries starts on the next line; one that may be empty
            // stays on the key's line until its first key, so an empty one is `key: {}`.
            w.pending_space_after_colon = false;
            if !w.at_line_start {
                w.newline();
            }
        }
        let base = if inline_first {
            w.after_dash_depth.unwrap_or(0)
        } else if was_inline_value {
            w.current_map_depth.unwrap_or(0)
        } else {
            0
        };
        let depth = if inline_first || was_inline_value {
            base + 1
        } else {
            base
        };
        let inline_value_start =
            was_inline_value && len.is_none() && !inline_first && !forced_newline;
        Ok(Map {
            w,
            depth,
            align_after_dash: inline_first,
            inline_value_start,
            entries: 0,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Written<Map<'w, 'o>> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Written<Impossible<(), GiveUp>> {
        Err(GiveUp)
    }
}

/// A block sequence: serde-saphyr's `SeqSer` without flow style.
struct Seq<'w, 'o> {
    w: &'w mut Writer<'o>,
    depth: usize,
    first: bool,
}

impl ser::SerializeSeq for Seq<'_, '_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Written {
        let w = &mut *self.w;
        if self.first && w.pending_space_after_colon {
            // A sequence that is a map's value: its first dash goes on the next line.
            w.pending_space_after_colon = false;
            if !w.at_line_start {
                w.newline();
            }
            w.pending_inline_map = false;
        }
        if !self.first {
            w.inline_map_after_dash = false;
        }
        if !(self.first && (!w.at_line_start || w.pending_inline_map)) {
            w.write_indent(self.depth);
        }
        w.out.push_str("- ");
        w.at_line_start = false;
        if self.first {
            w.inline_map_after_dash = false;
        }
        w.after_dash_depth = Some(self.depth);
        w.pending_inline_map = true;
        w.last_value_was_block = false;
        value.serialize(&mut *w)?;
        self.first = false;
        Ok(())
    }

    fn end(self) -> Written {
        let w = self.w;
        if self.first {
            if w.pending_space_after_colon {
                w.out.push(' ');
                w.pending_space_after_colon = false;
            } else {
                w.write_indent(self.depth);
            }
            w.out.push_str("[]");
            w.newline();
        } else {
            w.last_value_was_block = true;
            w.pending_inline_map = false;
            w.after_dash_depth = None;
            w.inline_map_after_dash = false;
        }
        Ok(())
    }
}

impl ser::SerializeTuple for Seq<'_, '_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Written {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Written {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Seq<'_, '_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Written {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Written {
        ser::SerializeSeq::end(self)
    }
}

/// A block map: serde-saphyr's `MapSer` without flow style or complex keys.
struct Map<'w, 'o> {
    w: &'w mut Writer<'o>,
    depth: usize,
    /// Opened after `- `: keys align two columns past the dash.
    align_after_dash: bool,
    /// Of unknown length as a value: still on the key's line until the first key.
    inline_value_start: bool,
    entries: usize,
}

impl Map<'_, '_> {
    fn key(&mut self, key: &str) -> Written {
        let w = &mut *self.w;
        if std::mem::take(&mut self.inline_value_start) {
            w.pending_space_after_colon = false;
            if !w.at_line_start {
                w.newline();
            }
        } else if !w.at_line_start {
            w.write_space_if_pending();
        }
        w.after_dash_depth = None;
        w.pending_inline_map = false;
        w.last_value_was_block = false;
        if self.align_after_dash && w.at_line_start {
            w.write_aligned_after_dash(self.depth);
        } else {
            w.write_indent(self.depth);
        }
        w.write_key_text(key)?;
        w.out.push(':');
        w.pending_space_after_colon = true;
        w.at_line_start = false;
        Ok(())
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Written {
        let w = &mut *self.w;
        let saved_pending_inline_map = w.pending_inline_map;
        let saved_map_depth = w.current_map_depth.replace(self.depth);
        let result = value.serialize(&mut *w);
        w.current_map_depth = saved_map_depth;
        w.pending_inline_map = saved_pending_inline_map;
        result?;
        self.entries += 1;
        Ok(())
    }

    fn finish(self) -> Written {
        let w = self.w;
        if self.entries == 0 {
            if w.pending_space_after_colon {
                w.out.push(' ');
                w.pending_space_after_colon = false;
            }
            if w.at_line_start {
                if self.align_after_dash {
                    w.write_aligned_after_dash(self.depth);
                } else {
                    w.write_indent(self.depth);
                }
            }
            w.out.push_str("{}");
            w.newline();
        } else {
            w.last_value_was_block = true;
        }
        Ok(())
    }
}

impl ser::SerializeMap for Map<'_, '_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Written {
        key.serialize(KeyText(self))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Written {
        self.value(value)
    }
    fn end(self) -> Written {
        self.finish()
    }
}

impl ser::SerializeStruct for Map<'_, '_> {
    type Ok = ();
    type Error = GiveUp;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Written {
        self.key(key)?;
        self.value(value)
    }
    fn end(self) -> Written {
        self.finish()
    }
}

/// A map key: strings (and what serializes as one) are written; any other key is left to
/// serde-saphyr.
struct KeyText<'m, 'w, 'o>(&'m mut Map<'w, 'o>);

impl ser::Serializer for KeyText<'_, '_, '_> {
    type Ok = ();
    type Error = GiveUp;
    type SerializeSeq = Impossible<(), GiveUp>;
    type SerializeTuple = Impossible<(), GiveUp>;
    type SerializeTupleStruct = Impossible<(), GiveUp>;
    type SerializeTupleVariant = Impossible<(), GiveUp>;
    type SerializeMap = Impossible<(), GiveUp>;
    type SerializeStruct = Impossible<(), GiveUp>;
    type SerializeStructVariant = Impossible<(), GiveUp>;

    fn serialize_str(self, v: &str) -> Written {
        self.0.key(v)
    }
    fn serialize_char(self, v: char) -> Written {
        self.0.key(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Written {
        self.0.key(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Written {
        if name.starts_with("__yaml") {
            return Err(GiveUp);
        }
        value.serialize(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Written {
        value.serialize(self)
    }
    give_up! {
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_f32: f32, serialize_f64: f64, serialize_bytes: &[u8],
    }
    fn serialize_none(self) -> Written {
        Err(GiveUp)
    }
    fn serialize_unit(self) -> Written {
        Err(GiveUp)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Written {
        Err(GiveUp)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Written {
        Err(GiveUp)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Written<Impossible<(), GiveUp>> {
        Err(GiveUp)
    }
    fn serialize_tuple(self, _len: usize) -> Written<Impossible<(), GiveUp>> {
        Err(GiveUp)
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Written<Impossible<(), GiveUp>> {
        Err(GiveUp)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Written<Impossible<(), GiveUp>> {
        Err(GiveUp)
    }
    fn serialize_map(self, _len: Option<usize>) -> Written<Impossible<(), GiveUp>> {
        Err(GiveUp)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Written<Impossible<(), GiveUp>> {
        Err(GiveUp)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Written<Impossible<(), GiveUp>> {
        Err(GiveUp)
    }
}

#[cfg(test)]
mod tests;
