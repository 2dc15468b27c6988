//! Which regular expressions RE2 accepts, the engine Envoy runs Istio's regex matches with.
//!
//! regex-syntax (the `regex` crate's parser) is close to RE2 but not the same language: it
//! refuses `\Q…\E`, `\C`, `\0`, `x{}` and `(?)`, which RE2 accepts, and it accepts nested classes
//! and set operations (`[a[b]]`, `[a&&b]`), `\<`, `\Z`, `(?x)`, `x**` and counts over 1000, which
//! RE2 reads differently or refuses. So this module reads the pattern the way RE2's parser
//! (`re2/parse.cc`) does, refusing what it refuses with its words, and writes what it read as a
//! pattern in regex-syntax's dialect (every literal escaped, RE2-only constructs translated); that
//! pattern is then parsed by regex-syntax, which also settles the Unicode script names.
//!
//! It is proven on RE2's own syntax table (`tests/fixtures/re2-syntax.txt`, every row with the
//! verdict of the real RE2) and, locally, against the real RE2 through PyPI's `google-re2`
//! (`scripts/re2-differential.py`).

use std::fmt::Write as _;

/// RE2's largest repetition count (`kMaxRepeat`), also for nested counts multiplied together.
const MAX_REPEAT: u64 = 1000;

/// RE2's Unicode general categories (`\pL`, `\p{Lu}`); `Cn`, `LC` and `L&` are not among them.
const CATEGORIES: [&str; 37] = [
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N",
    "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So",
    "Z", "Zl", "Zp", "Zs", "Any",
];

/// Script names of four letters: four-letter names are otherwise ISO 15924 aliases (`Grek`),
/// which regex-syntax accepts and RE2 does not.
const FOUR_LETTER_SCRIPTS: [&str; 7] = ["Cham", "Kawi", "Lisu", "Modi", "Newa", "Thai", "Toto"];
/// The one script name with a capital inside a word.
const CAMEL_CASE_SCRIPTS: [&str; 1] = ["SignWriting"];

/// RE2's POSIX classes inside brackets (`[[:alpha:]]`, `[[:^alpha:]]`).
const POSIX_CLASSES: [&str; 14] = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Why RE2 refuses `pattern`, in RE2's words, or `None` when it compiles.
pub(super) fn syntax_error(pattern: &str) -> Option<String> {
    let translated = match Reader::new(pattern).read() {
        Ok(translated) => translated,
        Err(reason) => return Some(reason),
    };
    regex_syntax::ParserBuilder::new()
        .nest_limit(u32::MAX)
        .build()
        .parse(&translated)
        .err()
        .map(|error| match &error {
            regex_syntax::Error::Parse(parse) => parse.kind().to_string(),
            regex_syntax::Error::Translate(translate) => translate.kind().to_string(),
            other => other.to_string(),
        })
}

/// What came before a repetition operator.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Previous {
    /// Nothing it could repeat: the start, `(` or `|`.
    Nothing,
    /// An operand, with the product of the counted repetitions inside it.
    Operand(u64),
    /// A repetition operator starting at this position, which RE2 refuses to repeat (`a**`).
    Repetition(usize),
}

/// One open group: where its text starts, and the largest repetition product outside it so far.
struct Group {
    start: usize,
    outer_product: u64,
}

/// Reads a pattern the way RE2's parser does, writing it out in regex-syntax's dialect.
struct Reader {
    chars: Vec<char>,
    at: usize,
    out: String,
    groups: Vec<Group>,
    previous: Previous,
    /// The largest product of nested counted repetitions in the current group so far.
    product: u64,
}

type Read<T> = Result<T, String>;

impl Reader {
    fn new(pattern: &str) -> Self {
        Self {
            chars: pattern.chars().collect(),
            at: 0,
            out: String::with_capacity(pattern.len() * 2),
            groups: Vec::new(),
            previous: Previous::Nothing,
            product: 1,
        }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn text(&self, from: usize, to: usize) -> String {
        let to = to.min(self.chars.len());
        self.chars
            .get(from..to)
            .unwrap_or_default()
            .iter()
            .collect()
    }

    fn to_end(&self, from: usize) -> String {
        self.text(from, self.chars.len())
    }

    fn read(mut self) -> Read<String> {
        while let Some(c) = self.peek(0) {
            match c {
                '(' => self.open_group()?,
                ')' => self.close_group()?,
                '|' => {
                    self.at += 1;
                    self.out.push('|');
                    self.previous = Previous::Nothing;
                }
                '*' | '+' | '?' => self.repetition(1, 1)?,
                '{' => self.braces()?,
                '[' => self.class()?,
                '\\' => self.escape()?,
                '^' | '$' | '.' => {
                    self.at += 1;
                    self.out.push(c);
                    self.operand(1);
                }
                _ => {
                    self.at += 1;
                    self.literal(c);
                }
            }
        }
        if let Some(group) = self.groups.last() {
            return Err(format!("missing ): {}", self.to_end(group.start)));
        }
        Ok(self.out)
    }

    fn operand(&mut self, product: u64) {
        self.previous = Previous::Operand(product);
        self.product = self.product.max(product);
    }

    fn literal(&mut self, c: char) {
        push_literal(&mut self.out, c);
        self.operand(1);
    }

    fn open_group(&mut self) -> Read<()> {
        let start = self.at;
        self.at += 1;
        if self.peek(0) != Some('?') {
            self.push_group(start, "(");
            return Ok(());
        }
        self.at += 1;
        match (self.peek(0), self.peek(1)) {
            (Some('P'), Some('<')) => {
                self.at += 2;
                self.named_group(start)
            }
            (Some('<'), Some(c)) if c != '=' && c != '!' => {
                self.at += 1;
                self.named_group(start)
            }
            _ => self.flags(start),
        }
    }

    fn push_group(&mut self, start: usize, open: &str) {
        self.groups.push(Group {
            start,
            outer_product: self.product,
        });
        self.out.push_str(open);
        self.previous = Previous::Nothing;
        self.product = 1;
    }

    /// `(?P<name>re)` or `(?<name>re)`: names are letters, digits and `_`, each used once.
    fn named_group(&mut self, start: usize) -> Read<()> {
        let name_start = self.at;
        while self.peek(0).is_some_and(|c| c != '>') {
            self.at += 1;
        }
        if self.peek(0).is_none() {
            return Err(format!(
                "invalid named capture group: {}",
                self.to_end(start)
            ));
        }
        let name = self.text(name_start, self.at);
        self.at += 1;
        let valid = !name.is_empty() && name.chars().all(|c| c == '_' || c.is_alphanumeric());
        if !valid {
            return Err(format!(
                "invalid named capture group: {}",
                self.text(start, self.at)
            ));
        }
        // RE2 takes a name twice (Go's regexp does not); regex-syntax would refuse it, so the
        // translation writes a plain group.
        self.push_group(start, "(");
        Ok(())
    }

    /// `(?flags)` or `(?flags:re)`: flags are `i`, `m`, `s` and `U`; one `-` must clear one.
    fn flags(&mut self, start: usize) -> Read<()> {
        let (mut negated, mut saw_flag) = (false, false);
        while let Some(c) = self.peek(0) {
            self.at += 1;
            match c {
                'i' | 'm' | 's' | 'U' => saw_flag = true,
                '-' if !negated => {
                    negated = true;
                    saw_flag = false;
                }
                ':' | ')' if negated && !saw_flag => break,
                ':' => {
                    self.push_group(start, "(?:");
                    return Ok(());
                }
                ')' => {
                    // Flags for the rest of the group: nothing to write, and RE2 lets a
                    // repetition after them repeat what came before (`a(?i)*` is `a*`).
                    return Ok(());
                }
                _ => break,
            }
        }
        Err(format!(
            "invalid perl operator: {}",
            self.text(start, self.at)
        ))
    }

    fn close_group(&mut self) -> Read<()> {
        let Some(group) = self.groups.pop() else {
            return Err(format!("unexpected ): {}", self.text(0, self.at + 1)));
        };
        self.at += 1;
        self.out.push(')');
        let inner = self.product;
        self.product = group.outer_product;
        self.operand(inner);
        Ok(())
    }

    /// A repetition operator of `length` characters at the cursor, counting up to `count`, with
    /// an optional non-greedy `?`.
    fn repetition(&mut self, length: usize, count: u64) -> Read<()> {
        let start = self.at;
        self.at += length;
        if self.peek(0) == Some('?') {
            self.at += 1;
        }
        let operator = self.text(start, self.at);
        let inner = match self.previous {
            Previous::Nothing => {
                return Err(format!(
                    "missing argument to repetition operator: {operator}"
                ));
            }
            Previous::Repetition(before) => {
                return Err(format!(
                    "bad repetition operator: {}",
                    self.text(before, self.at)
                ));
            }
            Previous::Operand(inner) => inner,
        };
        // RE2 multiplies the counts of nested repetitions (`(a{10}){100}` is 1000).
        let product = inner.saturating_mul(count.max(1));
        if count >= 2 && product > MAX_REPEAT {
            return Err(format!("invalid repetition size: {operator}"));
        }
        self.out.push_str(&operator);
        self.product = self.product.max(product);
        self.previous = Previous::Repetition(start);
        Ok(())
    }

    /// `{n}`, `{n,}` or `{n,m}` is a repetition; any other `{` is a literal.
    fn braces(&mut self) -> Read<()> {
        let Some((length, min, max)) = self.counted_repetition() else {
            self.at += 1;
            self.literal('{');
            return Ok(());
        };
        if min > MAX_REPEAT || max.is_some_and(|max| max > MAX_REPEAT || max < min) {
            return Err(format!(
                "invalid repetition size: {}",
                self.text(self.at, self.at + length)
            ));
        }
        self.repetition(length, max.unwrap_or(min))
    }

    /// The length, minimum and maximum of a counted repetition at the cursor, if it is one.
    fn counted_repetition(&self) -> Option<(usize, u64, Option<u64>)> {
        let mut at = self.at + 1;
        let number = |at: &mut usize| -> Option<u64> {
            let start = *at;
            while self.chars.get(*at).is_some_and(char::is_ascii_digit) {
                *at += 1;
            }
            let digits = self.text(start, *at);
            // RE2 refuses leading zeros and numbers of nine digits or more.
            if digits.is_empty()
                || (digits.len() > 1 && digits.starts_with('0'))
                || digits.len() > 8
            {
                return None;
            }
            digits.parse().ok()
        };
        let min = number(&mut at)?;
        let max = match self.chars.get(at) {
            Some(',') if self.chars.get(at + 1) == Some(&'}') => {
                at += 1;
                None
            }
            Some(',') => {
                at += 1;
                Some(number(&mut at)?)
            }
            _ => Some(min),
        };
        (self.chars.get(at) == Some(&'}')).then_some((at + 1 - self.at, min, max))
    }

    fn escape(&mut self) -> Read<()> {
        let start = self.at;
        let Some(c) = self.peek(1) else {
            return Err("trailing \\".to_owned());
        };
        match c {
            'b' | 'B' | 'A' | 'z' => {
                self.at += 2;
                self.out.push('\\');
                self.out.push(c);
                self.operand(1);
            }
            'C' => {
                // Any byte; regex-syntax's closest is any character.
                self.at += 2;
                self.out.push_str("(?s:.)");
                self.operand(1);
            }
            'Q' => {
                self.at += 2;
                while let Some(c) = self.peek(0) {
                    if c == '\\' && self.peek(1) == Some('E') {
                        self.at += 2;
                        break;
                    }
                    self.at += 1;
                    self.literal(c);
                }
            }
            'd' | 'D' | 's' | 'S' | 'w' | 'W' => {
                self.at += 2;
                self.out.push('\\');
                self.out.push(c);
                self.operand(1);
            }
            'p' | 'P' => {
                let class = self.unicode_class()?;
                self.out.push_str(&class);
                self.operand(1);
            }
            _ => {
                let literal = self.escaped_character(start)?;
                self.literal(literal);
            }
        }
        Ok(())
    }

    /// `\pN`, `\p{Name}` or `\p{^Name}` (and `\P…`) at the cursor, in regex-syntax's spelling.
    fn unicode_class(&mut self) -> Read<String> {
        let start = self.at;
        let negated = self.peek(1) == Some('P');
        self.at += 2;
        let name = match self.peek(0) {
            Some('{') => {
                let name_start = self.at + 1;
                while self.peek(0).is_some_and(|c| c != '}') {
                    self.at += 1;
                }
                if self.peek(0).is_none() {
                    return Err(format!(
                        "invalid character class range: {}",
                        self.to_end(start)
                    ));
                }
                self.at += 1;
                self.text(name_start, self.at - 1)
            }
            Some(c) => {
                self.at += 1;
                c.to_string()
            }
            None => return Err(format!("invalid escape sequence: {}", self.to_end(start))),
        };
        let (negated, name) = match name.strip_prefix('^') {
            Some(name) => (!negated, name.to_owned()),
            None => (negated, name),
        };
        let letter = if negated { 'P' } else { 'p' };
        if name == "Cs" {
            // Surrogates, which regex-syntax cannot hold: another class stands in.
            return Ok(format!("\\{letter}{{gc=Co}}"));
        }
        if CATEGORIES.contains(&name.as_str()) {
            let name = if name == "Any" {
                "Any".to_owned()
            } else {
                format!("gc={name}")
            };
            return Ok(format!("\\{letter}{{{name}}}"));
        }
        if is_script_name(&name) {
            return Ok(format!("\\{letter}{{sc={name}}}"));
        }
        Err(format!(
            "invalid character class range: {}",
            self.text(start, self.at)
        ))
    }

    /// The character an escape other than a class or an assertion stands for: octal, hex, a
    /// control character, or escaped punctuation.
    fn escaped_character(&mut self, start: usize) -> Read<char> {
        let bad = |reader: &Self, end: usize| {
            Err(format!(
                "invalid escape sequence: {}",
                reader.text(start, end)
            ))
        };
        let Some(c) = self.peek(1) else {
            return Err("trailing \\".to_owned());
        };
        self.at += 2;
        let octal = |c: Option<char>| c.is_some_and(|c| ('0'..='7').contains(&c));
        match c {
            // `\1`..`\7` alone are backreferences; followed by an octal digit, octal codes.
            '1'..='7' if !octal(self.peek(0)) => bad(self, self.at),
            '0'..='7' => {
                let mut value = c.to_digit(8).unwrap_or_default();
                for _ in 0..2 {
                    match self.peek(0).and_then(|d| d.to_digit(8)) {
                        Some(digit) => {
                            value = value * 8 + digit;
                            self.at += 1;
                        }
                        None => break,
                    }
                }
                char::from_u32(value).map_or_else(|| bad(self, self.at), Ok)
            }
            'x' => self.hex(start),
            'a' => Ok('\u{7}'),
            'f' => Ok('\u{c}'),
            'n' => Ok('\n'),
            'r' => Ok('\r'),
            't' => Ok('\t'),
            'v' => Ok('\u{b}'),
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok(c),
            _ => bad(self, self.at),
        }
    }

    /// `\xHH` or `\x{H…}` after the `\x` already read.
    fn hex(&mut self, start: usize) -> Read<char> {
        let digits_start;
        let digits_end;
        if self.peek(0) == Some('{') {
            digits_start = self.at + 1;
            let mut at = digits_start;
            while self.chars.get(at).is_some_and(char::is_ascii_hexdigit) {
                at += 1;
            }
            if self.chars.get(at) != Some(&'}') || at == digits_start {
                return Err(format!(
                    "invalid escape sequence: {}",
                    self.text(start, at + 1)
                ));
            }
            digits_end = at;
            self.at = at + 1;
        } else {
            digits_start = self.at;
            digits_end = self.at + 2;
            if !(digits_start..digits_end)
                .all(|i| self.chars.get(i).is_some_and(char::is_ascii_hexdigit))
            {
                return Err(format!(
                    "invalid escape sequence: {}",
                    self.text(start, digits_end)
                ));
            }
            self.at = digits_end;
        }
        u32::from_str_radix(&self.text(digits_start, digits_end), 16)
            .ok()
            .filter(|value| *value <= 0x10_FFFF)
            // RE2 takes surrogates, which no Rust `char` holds; any character stands in for one.
            .map(|value| char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER))
            .ok_or_else(|| format!("invalid escape sequence: {}", self.text(start, self.at)))
    }

    /// `[…]`: RE2 takes `[` inside a class literally (no nesting, no `&&` or `--` set operations)
    /// apart from `[:name:]`, and refuses a range that runs backwards.
    fn class(&mut self) -> Read<()> {
        let start = self.at;
        self.at += 1;
        self.out.push('[');
        if self.peek(0) == Some('^') {
            self.at += 1;
            self.out.push('^');
        }
        let mut first = true;
        loop {
            let Some(c) = self.peek(0) else {
                return Err(format!("missing closing ]: {}", self.to_end(start)));
            };
            if c == ']' && !first {
                self.at += 1;
                break;
            }
            first = false;
            if c == '[' && self.peek(1) == Some(':') && self.posix_class()? {
                continue;
            }
            if c == '\\' && matches!(self.peek(1), Some('d' | 'D' | 's' | 'S' | 'w' | 'W')) {
                self.out.push('\\');
                self.out.push(self.peek(1).unwrap_or('d'));
                self.at += 2;
                continue;
            }
            if c == '\\' && matches!(self.peek(1), Some('p' | 'P')) {
                let class = self.unicode_class()?;
                self.out.push_str(&class);
                continue;
            }
            let range_start = self.at;
            let low = self.class_character(start)?;
            let high = if self.peek(0) == Some('-') && self.peek(1).is_some_and(|c| c != ']') {
                self.at += 1;
                self.class_character(start)?
            } else {
                low
            };
            if high < low {
                return Err(format!(
                    "invalid character class range: {}",
                    self.text(range_start, self.at)
                ));
            }
            push_literal(&mut self.out, low);
            if high != low {
                self.out.push('-');
                push_literal(&mut self.out, high);
            }
        }
        self.out.push(']');
        self.operand(1);
        Ok(())
    }

    /// `[:name:]` or `[:^name:]` at the cursor: `Ok(true)` when read, `Ok(false)` when the text
    /// has no closing `:]` (the `[` is then a literal), an error for an unknown name.
    fn posix_class(&mut self) -> Read<bool> {
        let Some(end) = (self.at + 2..self.chars.len().saturating_sub(1))
            .find(|&i| self.chars[i] == ':' && self.chars.get(i + 1) == Some(&']'))
        else {
            return Ok(false);
        };
        let name = self.text(self.at + 2, end);
        let bare = name.strip_prefix('^').unwrap_or(&name);
        if !POSIX_CLASSES.contains(&bare) {
            return Err(format!(
                "invalid character class range: {}",
                self.text(self.at, end + 2)
            ));
        }
        let _ = write!(self.out, "[:{name}:]");
        self.at = end + 2;
        Ok(true)
    }

    /// One character of a class: itself, or an escape for one.
    fn class_character(&mut self, class_start: usize) -> Read<char> {
        match self.peek(0) {
            None => Err(format!("missing closing ]: {}", self.to_end(class_start))),
            Some('\\') => {
                let start = self.at;
                self.escaped_character(start)
            }
            Some(c) => {
                self.at += 1;
                Ok(c)
            }
        }
    }
}

/// Writes `c` so regex-syntax reads it as that one character, wherever it stands.
fn push_literal(out: &mut String, c: char) {
    let _ = write!(out, "\\x{{{:X}}}", u32::from(c));
}

/// Whether RE2 knows `name` as a script: its long Unicode name, exactly as Unicode writes it
/// (`Greek`, `Old_Italic`), which regex-syntax confirms. RE2 takes no aliases (`Grek`), no other
/// case (`greek`) and no other properties (`Letter`), all of which regex-syntax would take.
fn is_script_name(name: &str) -> bool {
    let words_capitalized = !name.is_empty()
        && name.split('_').all(|word| {
            let mut chars = word.chars();
            chars.next().is_some_and(|c| c.is_ascii_uppercase())
                && chars.all(|c| c.is_ascii_lowercase())
        });
    let shaped = match name.len() {
        4 => FOUR_LETTER_SCRIPTS.contains(&name),
        _ => words_capitalized || CAMEL_CASE_SCRIPTS.contains(&name),
    };
    shaped
        && regex_syntax::Parser::new()
            .parse(&format!("\\p{{sc={name}}}"))
            .is_ok()
}

#[cfg(test)]
mod tests {
    use super::syntax_error;

    /// RE2's verdict on every construct of its syntax table and on a corpus of tricky and random
    /// patterns, from the real RE2 (`scripts/re2-verdicts.py`).
    const VERDICTS: &str = include_str!("../../tests/fixtures/re2/verdicts.tsv");

    #[test]
    fn accepts_exactly_what_re2_accepts() {
        let mut disagreements = Vec::new();
        let mut table_rows = 0;
        for line in VERDICTS.lines().filter(|l| !l.starts_with('#')) {
            let mut fields = line.splitn(3, '\t');
            let (Some(verdict), Some(pattern), Some(source)) =
                (fields.next(), fields.next(), fields.next())
            else {
                panic!("malformed line {line:?}");
            };
            table_rows += usize::from(source.starts_with("table"));
            let ours = syntax_error(pattern);
            let agrees = match verdict {
                "accept" => ours.is_none(),
                "refuse" => ours.is_some(),
                other => panic!("unknown verdict {other:?}"),
            };
            if !agrees {
                disagreements.push(format!("{verdict} {pattern:?} ({source}): we say {ours:?}"));
            }
        }
        assert!(
            table_rows > 250,
            "the syntax table is missing: {table_rows} rows"
        );
        assert!(
            disagreements.is_empty(),
            "{} disagreements with RE2:\n{}",
            disagreements.len(),
            disagreements.join("\n")
        );
    }

    #[test]
    fn every_not_supported_construct_of_the_table_is_refused_unless_re2_reads_it_literally() {
        // Rows marked NOT SUPPORTED that RE2 nevertheless compiles, because its parser reads the
        // text as plain characters (`x=` is `x` then `=`; `\%` is an escaped `%`): the same
        // verdict as RE2's, checked above, and listed here so the exceptions stay deliberate.
        let literal_in_re2 = [
            "x{}",
            "x{-}",
            "x{-2}",
            "x=",
            "re@>",
            "%(re)",
            "re&",
            "re@=",
            "re@!",
            "re@<=",
            "re@<!",
            r"\%^",
            r"\%$",
            r"\%V",
            r"\%#",
            r"\%'m",
            r"\%23l",
            r"\%23c",
            r"\%23v",
            r"\%d123",
            r"\%xFF",
            r"\%o123",
            r"\%u1234",
            r"\%U12345678",
            r"\b",
            r"\v",
            r"\s",
            r"\S",
            r"\a",
            r"\A",
            r"\C",
            r"\x",
            r"\X",
            r"\_x",
            r"\zs",
            r"\ze",
            // Supported since the table was written (RE2 2023-07, Go 1.22).
            "(?<name>re)",
        ];
        for line in VERDICTS
            .lines()
            .filter(|l| l.contains("table NOT SUPPORTED"))
        {
            let pattern = line.split('\t').nth(1).unwrap_or_default();
            if literal_in_re2.contains(&pattern) {
                continue;
            }
            assert!(
                syntax_error(pattern).is_some(),
                "{pattern:?} should be refused"
            );
        }
    }

    #[test]
    fn names_the_construct_re2_refuses() {
        assert_eq!(syntax_error(r"\Qa.b\E"), None);
        assert_eq!(
            syntax_error("x**").as_deref(),
            Some("bad repetition operator: **")
        );
        assert_eq!(
            syntax_error("(a{10}){101}").as_deref(),
            Some("invalid repetition size: {101}")
        );
        assert_eq!(
            syntax_error(r"\Z").as_deref(),
            Some(r"invalid escape sequence: \Z")
        );
    }
}
