//! A [`Scene`] drawn as Mermaid (which forges render in Markdown) or Graphviz DOT.

use std::fmt::Write as _;

use super::scene::{EdgeKind, Node, Scene, Shape};

/// Mermaid: a quoted label, lines joined by `<br/>`; quotes and angle brackets as entities, so
/// a header regex like `<v\d>` is text, not HTML.
fn mermaid_text(lines: &[String]) -> String {
    lines
        .iter()
        .map(|line| {
            line.replace('"', "#quot;")
                .replace('<', "#lt;")
                .replace('>', "#gt;")
        })
        .collect::<Vec<_>>()
        .join("<br/>")
}

fn mermaid_node(out: &mut String, indent: &str, node: &Node) {
    let text = mermaid_text(&node.lines);
    let (open, close) = match node.shape {
        Shape::Caller => ("[/\"", "\"/]"),
        Shape::Gateway => ("[[\"", "\"]]"),
        Shape::Host => ("([\"", "\"])"),
        Shape::Route => ("{{\"", "\"}}"),
        Shape::Subset => ("(\"", "\")"),
        Shape::Missing => ("[/\"", "\"\\]"),
        Shape::Note => ("[\"", "\"]"),
    };
    let _ = writeln!(out, "{indent}{}{open}{text}{close}", node.id);
}

/// The scene as a Mermaid flowchart.
pub(crate) fn mermaid(scene: &Scene) -> String {
    let mut out = String::from("flowchart LR\n");
    let _ = writeln!(out, "  %% {}", scene.title);
    let mut problems: Vec<&str> = Vec::new();
    let mut guarded: Vec<&str> = Vec::new();
    for node in &scene.callers {
        mermaid_node(&mut out, "  ", node);
    }
    for cluster in &scene.clusters {
        let _ = writeln!(
            out,
            "  subgraph {}[\"{}\"]",
            cluster.id,
            mermaid_text(&cluster.title)
        );
        for node in &cluster.nodes {
            mermaid_node(&mut out, "    ", node);
        }
        out.push_str("  end\n");
        if cluster.guarded {
            guarded.push(&cluster.id);
        }
    }
    for node in &scene.strays {
        mermaid_node(&mut out, "  ", node);
    }
    let all_nodes = scene
        .callers
        .iter()
        .chain(scene.clusters.iter().flat_map(|c| c.nodes.iter()))
        .chain(scene.strays.iter());
    problems.extend(all_nodes.filter(|n| n.problem).map(|n| n.id.as_str()));
    let mut problem_edges = Vec::new();
    for (index, edge) in scene.edges.iter().enumerate() {
        let arrow = match edge.kind {
            EdgeKind::Call => "==>",
            EdgeKind::Route => "-->",
        };
        match &edge.label {
            Some(label) => {
                let lines: Vec<String> = label.lines().map(str::to_owned).collect();
                let _ = writeln!(
                    out,
                    "  {} {arrow}|\"{}\"| {}",
                    edge.from,
                    mermaid_text(&lines),
                    edge.to
                );
            }
            None => {
                let _ = writeln!(out, "  {} {arrow} {}", edge.from, edge.to);
            }
        }
        if edge.problem {
            problem_edges.push(index.to_string());
        }
    }
    out.push_str("  classDef problem stroke:#d00,stroke-width:3px,color:#d00\n");
    if !problems.is_empty() {
        let _ = writeln!(out, "  class {} problem", problems.join(","));
    }
    for id in guarded {
        let _ = writeln!(out, "  style {id} stroke-width:3px");
    }
    if !problem_edges.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#d00,stroke-width:3px,color:#d00",
            problem_edges.join(",")
        );
    }
    out
}

/// DOT: a double-quoted string with `\n` line breaks.
fn dot_text(lines: &[String]) -> String {
    let escaped: Vec<String> = lines
        .iter()
        .map(|line| line.replace('\\', "\\\\").replace('"', "\\\""))
        .collect();
    format!("\"{}\"", escaped.join("\\n"))
}

fn dot_node(out: &mut String, indent: &str, node: &Node) {
    let shape = match node.shape {
        Shape::Caller => "shape=parallelogram",
        Shape::Gateway => "shape=house",
        Shape::Host => "shape=box, style=\"rounded,bold\"",
        Shape::Route => "shape=hexagon",
        Shape::Subset => "shape=box, style=rounded",
        Shape::Missing => "shape=trapezium, style=dashed",
        Shape::Note => "shape=note",
    };
    let problem = if node.problem {
        ", color=red3, fontcolor=red3, penwidth=2"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{indent}{} [{shape}, label={}{problem}];",
        node.id,
        dot_text(&node.lines)
    );
}

/// The scene as a Graphviz digraph.
pub(crate) fn dot(scene: &Scene) -> String {
    let mut out = String::from("digraph mesh {\n");
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, label={}];",
        dot_text(std::slice::from_ref(&scene.title))
    );
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for node in &scene.callers {
        dot_node(&mut out, "  ", node);
    }
    for cluster in &scene.clusters {
        let _ = writeln!(out, "  subgraph cluster_{} {{", cluster.id);
        let _ = writeln!(out, "    label={};", dot_text(&cluster.title));
        if cluster.guarded {
            out.push_str("    style=\"rounded,bold\"; penwidth=2;\n");
        } else {
            out.push_str("    style=\"rounded,dashed\";\n");
        }
        for node in &cluster.nodes {
            dot_node(&mut out, "    ", node);
        }
        out.push_str("  }\n");
    }
    for node in &scene.strays {
        dot_node(&mut out, "  ", node);
    }
    for edge in &scene.edges {
        let mut attributes = Vec::new();
        if let Some(label) = &edge.label {
            let lines: Vec<String> = label.lines().map(str::to_owned).collect();
            attributes.push(format!("label={}", dot_text(&lines)));
        }
        if edge.kind == EdgeKind::Call {
            attributes.push("penwidth=2".to_owned());
        }
        if edge.problem {
            attributes.push("color=red3, fontcolor=red3".to_owned());
        }
        if attributes.is_empty() {
            let _ = writeln!(out, "  {} -> {};", edge.from, edge.to);
        } else {
            let _ = writeln!(
                out,
                "  {} -> {} [{}];",
                edge.from,
                edge.to,
                attributes.join(", ")
            );
        }
    }
    out.push_str("}\n");
    out
}
