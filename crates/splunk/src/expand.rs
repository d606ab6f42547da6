//! Macro expansion: `` `name` `` and `` `name(arg, …)` `` replaced by their definitions
//! (`$arg$` substituted), nested macros expanded in turn, with a map from every byte of the
//! result back to the search as written (bytes that come from a definition map to the call).
//!
//! security_content's conventions: every detection ends in `` `<name>_filter` ``, a macro
//! its users define to tune it, empty by default (no file in `macros/`); some macros only
//! format the output (`drop_dm_object_name`, `security_content_ctime`,
//! `security_content_summariesonly`). `drop_dm_object_name(X)` comes with Splunk's CIM app,
//! not with `macros/`: it is `rename X.* as *`.

use detwiki_diagnostics::Span;

use crate::repo::Repo;

/// Deepest nesting of macros in macros.
pub const MAX_NESTING: usize = 16;
/// Largest expanded search, in bytes.
pub const MAX_EXPANDED: usize = 1 << 20;

/// Macros that only shape the output (formatting, summaries options), known as such.
pub const FORMATTING: &[&str] = &[
    "drop_dm_object_name",
    "security_content_ctime",
    "security_content_summariesonly",
    "summariesonly_config",
    "oldsummaries_config",
    "fillnull_config",
];

/// What a macro call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MacroKind {
    /// Defined in `macros/`.
    Defined,
    /// A `<name>_filter` macro: empty unless its user defines it.
    Filter,
    /// Formatting only ([`FORMATTING`]).
    Formatting,
    /// Defined nowhere: left as written.
    Undefined,
}

/// One macro call of the search as written (nested calls are not listed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroUse {
    /// The name.
    pub name: String,
    /// The arguments as written.
    pub args: Vec<String>,
    /// What it is.
    pub kind: MacroKind,
    /// Where the call is (backticks included), in the search as written.
    pub span: Span,
}

/// A problem found while expanding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpandError {
    /// What is wrong and what to do.
    pub message: String,
    /// The call, in the search as written.
    pub span: Span,
    /// True for an undefined macro (other problems: nesting, size).
    pub undefined: bool,
}

/// The expanded search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expanded {
    /// The search with every known macro replaced.
    pub text: String,
    origin: Vec<usize>,
    /// The calls of the search as written, in order.
    pub uses: Vec<MacroUse>,
    /// Problems.
    pub errors: Vec<ExpandError>,
}

impl Expanded {
    /// The offset in the search as written of expanded byte `i`.
    pub fn origin(&self, i: usize) -> usize {
        self.origin.get(i).or(self.origin.last()).copied().unwrap_or(0)
    }

    /// An expanded span → a span of the search as written.
    pub fn span(&self, s: Span) -> Span {
        let start = self.origin(s.start);
        let end = if s.end > s.start { self.origin(s.end - 1) + 1 } else { start };
        Span::new(start, end.max(start))
    }
}

/// Split `name(a, b)` into its name and arguments (commas inside quotes or parentheses do not
/// split).
fn call(body: &str) -> (String, Vec<String>) {
    let body = body.trim();
    let Some(open) = body.find('(') else { return (body.to_string(), Vec::new()) };
    if !body.ends_with(')') {
        return (body.to_string(), Vec::new());
    }
    let inner = &body[open + 1..body.len() - 1];
    let mut args = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    let b = inner.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            b',' if !quoted && depth == 0 => {
                args.push(inner[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if !inner.trim().is_empty() || !args.is_empty() {
        args.push(inner[start..].trim().to_string());
    }
    (body[..open].trim().to_string(), args)
}

/// True when `body` (between backticks) is a macro call: a name of letters, digits, `_`,
/// `-`, `.`, `:`, optionally followed by `(arguments)`.
fn is_call(body: &str) -> bool {
    let body = body.trim();
    let name_end = body.find('(').unwrap_or(body.len());
    let name = &body[..name_end];
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
        && (name_end == body.len() || body.ends_with(')'))
}

/// The definition of `name(args)`, `$arg$` substituted, and its kind; `None` when undefined.
fn definition(repo: Option<&Repo>, name: &str, args: &[String]) -> Option<(String, MacroKind)> {
    let lname = name.to_ascii_lowercase();
    let formatting = FORMATTING.contains(&lname.as_str());
    if let Some(m) = repo.and_then(|r| r.macro_def(name, args.len())) {
        let mut text = m.definition.clone();
        for (a, v) in m.arguments.iter().zip(args) {
            text = text.replace(&format!("${a}$"), v);
        }
        let kind = if formatting {
            MacroKind::Formatting
        } else if lname.ends_with("_filter") {
            MacroKind::Filter
        } else {
            MacroKind::Defined
        };
        return Some((text, kind));
    }
    if lname.ends_with("_filter") && args.is_empty() {
        return Some((String::new(), MacroKind::Filter));
    }
    if lname == "drop_dm_object_name" && args.len() == 1 {
        return Some((format!("rename {}.* as *", args[0].trim_matches('"')), MacroKind::Formatting));
    }
    None
}

/// Expand the macros of `search` with those of `repo` (none known without one: only the
/// `_filter` and `drop_dm_object_name` conventions).
pub fn expand(search: &str, repo: Option<&Repo>) -> Expanded {
    let mut out = Expanded { text: String::new(), origin: Vec::new(), uses: Vec::new(), errors: Vec::new() };
    run(search, repo, 0, None, &mut out);
    out.origin.push(search.len());
    out
}

fn push(out: &mut Expanded, s: &str, at: impl Fn(usize) -> usize) {
    for (i, _) in s.bytes().enumerate() {
        out.origin.push(at(i));
    }
    out.text.push_str(s);
}

/// Expand `text` into `out`. `fixed`: the call in the search as written that this text comes
/// from (every byte maps there); `None` for the search itself.
fn run(text: &str, repo: Option<&Repo>, depth: usize, fixed: Option<Span>, out: &mut Expanded) {
    let map = |i: usize| fixed.map_or(i, |s| s.start);
    let mut i = 0;
    while let Some(p) = text[i..].find('`') {
        let open = i + p;
        push(out, &text[i..open], |k| map(i + k));
        if text[open..].starts_with("```") {
            // An inline comment: ```` ``` … ``` ````, read as a space.
            let end = text[open + 3..].find("```").map_or(text.len(), |q| open + 3 + q + 3);
            push(out, " ", |_| map(open));
            i = end;
            continue;
        }
        let Some(q) = text[open + 1..].find('`') else {
            // A lone backtick (`replace(x, "`", "")`): a plain character.
            push(out, &text[open..], |k| map(open + k));
            return;
        };
        let close = open + 1 + q + 1;
        if !is_call(&text[open + 1..close - 1]) {
            // Not a macro call (a backtick in a string, `split(x, "`")`): a plain character.
            push(out, "`", |_| map(open));
            i = open + 1;
            continue;
        }
        let span = fixed.unwrap_or(Span::new(open, close));
        let (name, args) = call(&text[open + 1..close - 1]);
        let found = definition(repo, &name, &args);
        if fixed.is_none() {
            out.uses.push(MacroUse {
                name: name.clone(),
                args: args.clone(),
                kind: found.as_ref().map_or(MacroKind::Undefined, |f| f.1),
                span,
            });
        }
        match found {
            Some((def, _)) if depth < MAX_NESTING && out.text.len() + def.len() <= MAX_EXPANDED => {
                run(&def, repo, depth + 1, Some(span), out);
            }
            Some(_) => {
                out.errors.push(ExpandError {
                    message: if depth >= MAX_NESTING {
                        format!("macro `{name}` nests more than {MAX_NESTING} macros deep (a macro that calls itself?)")
                    } else {
                        format!("macro `{name}` expands the search past {MAX_EXPANDED} bytes")
                    },
                    span,
                    undefined: false,
                });
                push(out, &text[open..close], |k| map(open + k));
            }
            None => {
                let arity = if args.is_empty() { String::new() } else { format!(" with {} argument(s)", args.len()) };
                let known: Vec<String> = repo
                    .and_then(|r| r.macros.get(&name.to_ascii_lowercase()))
                    .map(|l| l.iter().map(|m| m.arguments.len().to_string()).collect())
                    .unwrap_or_default();
                let message = if known.is_empty() {
                    format!("macro `{name}`{arity} is not defined in the repository's `macros/`")
                } else {
                    format!(
                        "macro `{name}`{arity} is not defined (`macros/` has it with {} argument(s))",
                        known.join(", ")
                    )
                };
                out.errors.push(ExpandError { message, span, undefined: true });
                push(out, &text[open..close], |k| map(open + k));
            }
        }
        i = close;
    }
    push(out, &text[i..], |k| map(i + k));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::Macro;

    fn repo() -> Repo {
        let mut r = Repo::default();
        let mut add = |name: &str, args: &[&str], def: &str| {
            r.macros.entry(name.to_string()).or_default().push(Macro {
                name: name.into(),
                arguments: args.iter().map(|a| a.to_string()).collect(),
                definition: def.into(),
                description: None,
            })
        };
        add("sysmon", &[], "sourcetype=sysmon");
        add("ctime", &["f"], "convert ctime($f$)");
        add("outer", &[], "`sysmon` EventCode=1");
        add("loop", &[], "`loop`");
        r
    }

    #[test]
    fn macros_expand_with_arguments_and_nesting() {
        let r = repo();
        let e = expand("`outer` x=1 | `ctime(firstTime)` | `rule_filter`", Some(&r));
        assert_eq!(e.text, "sourcetype=sysmon EventCode=1 x=1 | convert ctime(firstTime) | ");
        assert!(e.errors.is_empty());
        assert_eq!(
            e.uses.iter().map(|u| u.kind).collect::<Vec<_>>(),
            [MacroKind::Defined, MacroKind::Defined, MacroKind::Filter]
        );
        // A byte from a definition maps to its call; a byte of the search to itself.
        assert_eq!(e.origin(0), 0);
        let x = e.text.find("x=1").unwrap();
        assert_eq!(e.origin(x), 8);
        let c = e.text.find("convert").unwrap();
        assert_eq!(e.origin(c), 14);
    }

    #[test]
    fn undefined_and_recursive_macros_are_findings() {
        let r = repo();
        let e = expand("`nope(1)` | `loop`", Some(&r));
        assert_eq!(e.errors.len(), 2);
        assert!(e.errors[0].undefined && e.errors[0].message.contains("`nope` with 1 argument(s)"));
        assert_eq!(e.errors[0].span, Span::new(0, 9));
        assert!(!e.errors[1].undefined && e.errors[1].message.contains("nests"));
        assert!(e.text.starts_with("`nope(1)`"));
    }

    #[test]
    fn drop_dm_object_name_is_known_without_a_file() {
        let e = expand("`drop_dm_object_name(Processes)`", None);
        assert_eq!(e.text, "rename Processes.* as *");
        assert_eq!(e.uses[0].kind, MacroKind::Formatting);
    }
}
