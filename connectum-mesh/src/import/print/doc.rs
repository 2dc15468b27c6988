//! A little layout engine for printed code, shared by the `mesh!` and the builder printer: a
//! value is written on one line when it fits, and otherwise broken the way rustfmt breaks it
//! (one link of a method chain, or one item of a list, per line).

/// The widest line the printers aim for (rustfmt's default).
const WIDTH: usize = 100;
/// One level of indentation.
pub(super) const INDENT: usize = 4;

/// A piece of printed code whose line breaks are decided when it is written.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Doc {
    /// Text that never breaks.
    Text(String),
    /// Pieces written one after the other (`key: ` then a value, `Scaling::Autoscale` then its
    /// argument list).
    Concat(Vec<Doc>),
    /// A delimited list: `(a, b)`, `[a, b]`, or `{ a, b }` when `padded`. Broken, it is written
    /// one item per line, each followed by a comma.
    List {
        /// `(`, `[` or `{`.
        open: &'static str,
        /// The items.
        items: Vec<Doc>,
        /// `)`, `]` or `}`.
        close: &'static str,
        /// Whether the flat form has spaces inside the delimiters (`{ a }`).
        padded: bool,
    },
    /// A method chain: the head, then links (`.name(args)`), one per line when broken.
    Chain(Box<Doc>, Vec<Doc>),
    /// A node of the DSL (`subset canary { .. }`): in a broken block no comma follows it.
    Node(Box<Doc>),
}

impl Doc {
    /// Text that never breaks.
    pub(super) fn text(text: impl Into<String>) -> Self {
        Self::Text(text.into())
    }

    /// `name(args)`.
    pub(super) fn call(name: impl Into<String>, args: Vec<Doc>) -> Self {
        Self::Concat(vec![Self::text(name), Self::list("(", args, ")")])
    }

    /// `.name(args)`, a link of a chain.
    pub(super) fn link(name: &str, args: Vec<Doc>) -> Self {
        Self::call(format!(".{name}"), args)
    }

    /// `open items close`, unpadded.
    pub(super) fn list(open: &'static str, items: Vec<Doc>, close: &'static str) -> Self {
        Self::List {
            open,
            items,
            close,
            padded: false,
        }
    }

    /// `{ items }`, as the DSL writes a block.
    pub(super) fn block(items: Vec<Doc>) -> Self {
        Self::List {
            open: "{",
            items,
            close: "}",
            padded: true,
        }
    }

    /// The doc on one line.
    pub(super) fn flat(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Concat(parts) => parts.iter().map(Self::flat).collect(),
            Self::List {
                open,
                items,
                close,
                padded,
            } => {
                let inner = items.iter().map(Self::flat).collect::<Vec<_>>().join(", ");
                if *padded && !items.is_empty() {
                    format!("{open} {inner} {close}")
                } else {
                    format!("{open}{inner}{close}")
                }
            }
            Self::Node(node) => node.flat(),
            Self::Chain(head, links) => {
                let mut out = head.flat();
                for link in links {
                    out.push_str(&link.flat());
                }
                out
            }
        }
    }

    /// The doc written at column `column` of a line indented by `indent`: flat when it fits,
    /// broken otherwise.
    pub(super) fn layout(&self, column: usize, indent: usize) -> String {
        let flat = self.flat();
        if column + flat.len() <= WIDTH && !flat.contains('\n') {
            return flat;
        }
        match self {
            Self::Text(text) => text.clone(),
            Self::Concat(parts) => {
                let mut out = String::new();
                for part in parts {
                    out.push_str(&part.layout(column_after(column, &out), indent));
                }
                out
            }
            Self::List {
                open,
                items,
                close,
                padded,
            } => {
                if items.is_empty() {
                    return flat;
                }
                // rustfmt's overflow: a lone list or call argument opens on the same line
                // (`.listeners([`, `Scaling::Autoscale(Autoscaler::builder()`).
                if let (false, [only @ (Self::List { .. } | Self::Concat(_))]) =
                    (*padded, items.as_slice())
                {
                    let opened = column + open.len();
                    return format!("{open}{}{close}", only.layout(opened, indent));
                }
                let inner = indent + INDENT;
                let mut out = (*open).to_owned();
                for item in items {
                    out.push('\n');
                    out.push_str(&" ".repeat(inner));
                    out.push_str(&item.layout(inner, inner));
                    if !matches!(item, Self::Node(_)) {
                        out.push(',');
                    }
                }
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                out.push_str(close);
                out
            }
            Self::Node(node) => node.layout(column, indent),
            Self::Chain(head, links) => {
                let mut out = head.layout(column, indent);
                let inner = indent + INDENT;
                for link in links {
                    out.push('\n');
                    out.push_str(&" ".repeat(inner));
                    out.push_str(&link.layout(inner, inner));
                }
                out
            }
        }
    }
}

/// The column after writing `written` from `column`.
fn column_after(column: usize, written: &str) -> usize {
    match written.rfind('\n') {
        Some(newline) => written.len() - newline - 1,
        None => column + written.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::Doc;

    #[test]
    fn a_doc_that_fits_stays_on_one_line() {
        let doc = Doc::Chain(
            Box::new(Doc::text("Probe::builder()")),
            vec![
                Doc::link("path", vec![Doc::text("\"/healthz\"")]),
                Doc::link("build", vec![]),
            ],
        );
        assert_eq!(
            doc.layout(0, 0),
            "Probe::builder().path(\"/healthz\").build()"
        );
    }

    #[test]
    fn a_long_chain_breaks_one_link_per_line_and_a_long_list_one_item_per_line() {
        let long = Doc::text(format!("\"{}\"", "x".repeat(60)));
        let doc = Doc::Chain(
            Box::new(Doc::text("Thing::builder()")),
            vec![
                Doc::link("items", vec![Doc::list("[", vec![long.clone(), long], "]")]),
                Doc::link("build", vec![]),
            ],
        );
        let x = "x".repeat(60);
        assert_eq!(
            doc.layout(4, 4),
            format!(
                "Thing::builder()\n        .items([\n            \"{x}\",\n            \"{x}\",\n        ])\n        .build()"
            )
        );
    }
}
