//! A rule's Python, read with `rustpython-parser` (a full Python 3 parser: Panther rules are
//! ordinary Python modules, so a real grammar is the only honest reader), and the predicates
//! read from its `rule()` function.
//!
//! What is read (see `docs/panther.md`):
//! - field reads: `event.get("f")`, `event.get("a", {}).get("b")`, `event["f"]`,
//!   `event.deep_get("a", "b")`, `deep_get(event, "a", "b")`, `event.deep_walk(…)`,
//!   `event.udm("x")` (through the data models of the rule's log types), optionally followed by
//!   `.lower()`/`.upper()`/`.casefold()`/`.strip()`, and local names bound to them;
//! - comparisons `==`, `!=`, `<` …, `in {…}`/`[…]`/`(…)` and `not in`, `"x" in field`
//!   (contains), `.startswith()`/`.endswith()` (a string or a tuple), `re.search`/`re.match`/
//!   `re.fullmatch` and compiled patterns' `.search`/`.match`, `fnmatch`, `is None`,
//!   `any(… for x in CONST)`, a field's truth (exists);
//! - `and`/`or`/`not`, `if … return …` paths (an early `return False` is a guard), the final
//!   `return`;
//! - module-level constants (sets, lists, tuples, strings, numbers, `re.compile`), also those
//!   imported from `global_helpers/`;
//! - calls of the module's own functions and of global helpers, inlined two levels deep when
//!   they read as comparisons; anything else is an opaque part with its source text.
//!
//! Untrusted input: the token stream is checked (size, bracket and block nesting, operators in
//! one logical line) before the parser builds a tree, and the lowering has a depth and a size
//! budget; past them the logic is one opaque part, never a crash.

use std::collections::HashMap;
use std::sync::Arc;

use detwiki_diagnostics::Span;
use rustpython_parser::ast::{self, Constant, Expr, Ranged, Stmt};
use rustpython_parser::{Mode, Tok, lexer};

use crate::predicate::{Kind, Predicate, PredicateTree, Value, simplify};

/// Largest Python file read.
pub const MAX_SOURCE: usize = 1 << 20;
/// Deepest bracket nesting accepted.
pub const MAX_BRACKETS: usize = 64;
/// Deepest block nesting accepted.
pub const MAX_BLOCKS: usize = 48;
/// Most operator tokens in one logical line.
pub const MAX_LINE_OPERATORS: usize = 3000;
/// Deepest lowering recursion.
const MAX_DEPTH: usize = 120;
/// Largest predicate tree built for one rule before it becomes opaque.
const MAX_NODES: usize = 4000;

/// Why a Python file was not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyError {
    /// What is wrong.
    pub message: String,
    /// Where, as a byte offset into the Python text.
    pub offset: usize,
}

/// A parsed Python module and what its top level defines.
#[derive(Debug)]
pub struct Module {
    /// The module's name (file stem).
    pub name: String,
    /// The text.
    pub text: String,
    suite: Vec<Stmt>,
    constants: HashMap<String, usize>,
    functions: HashMap<String, usize>,
    /// Imported names: local name → (module, name in it).
    imports: HashMap<String, (String, String)>,
    /// Imported modules: local name → module (`import panther_event_type_helpers as event_type`).
    modules: HashMap<String, String>,
}

fn off(r: ast::text_size::TextSize) -> usize {
    r.to_usize()
}

fn span_of<T: Ranged>(n: &T) -> Span {
    let r = n.range();
    Span::new(off(r.start()), off(r.end()))
}

/// Check the token stream of `text` against the limits.
fn check_tokens(text: &str) -> Result<(), PyError> {
    if text.len() > MAX_SOURCE {
        return Err(PyError { message: format!("file is {} bytes, more than {MAX_SOURCE}", text.len()), offset: 0 });
    }
    let (mut brackets, mut blocks, mut ops) = (0usize, 0usize, 0usize);
    for tok in lexer::lex(text, Mode::Module) {
        let (tok, range) = match tok {
            Ok(t) => t,
            Err(e) => return Err(PyError { message: e.error.to_string(), offset: off(e.location) }),
        };
        let at = off(range.start());
        match tok {
            Tok::Lpar | Tok::Lsqb | Tok::Lbrace => {
                brackets += 1;
                if brackets > MAX_BRACKETS {
                    return Err(PyError {
                        message: format!("brackets nest deeper than {MAX_BRACKETS} levels"),
                        offset: at,
                    });
                }
            }
            Tok::Rpar | Tok::Rsqb | Tok::Rbrace => brackets = brackets.saturating_sub(1),
            Tok::Indent => {
                blocks += 1;
                if blocks > MAX_BLOCKS {
                    return Err(PyError {
                        message: format!("blocks nest deeper than {MAX_BLOCKS} levels"),
                        offset: at,
                    });
                }
            }
            Tok::Dedent => blocks = blocks.saturating_sub(1),
            Tok::Newline => ops = 0,
            Tok::Name { .. }
            | Tok::String { .. }
            | Tok::Int { .. }
            | Tok::Float { .. }
            | Tok::Complex { .. }
            | Tok::Comma
            | Tok::Colon => {}
            _ => {
                ops += 1;
                if ops > MAX_LINE_OPERATORS {
                    return Err(PyError {
                        message: format!("more than {MAX_LINE_OPERATORS} operators in one statement"),
                        offset: at,
                    });
                }
            }
        }
    }
    Ok(())
}

impl Module {
    /// Parse `text` as a Python module named `name`.
    pub fn parse(name: &str, text: String) -> Result<Module, PyError> {
        check_tokens(&text)?;
        let suite = match rustpython_parser::parse(&text, Mode::Module, name) {
            Ok(ast::Mod::Module(m)) => m.body,
            Ok(_) => Vec::new(),
            Err(e) => {
                let message = match &e.error {
                    rustpython_parser::ParseErrorType::Eof => "unexpected end of file".to_string(),
                    other => other.to_string(),
                };
                return Err(PyError { message, offset: off(e.offset) });
            }
        };
        let mut m = Module {
            name: name.to_string(),
            text,
            suite,
            constants: HashMap::new(),
            functions: HashMap::new(),
            imports: HashMap::new(),
            modules: HashMap::new(),
        };
        for (i, s) in m.suite.iter().enumerate() {
            match s {
                Stmt::Assign(a) => {
                    for t in &a.targets {
                        if let Expr::Name(n) = t {
                            m.constants.insert(n.id.to_string(), i);
                        }
                    }
                }
                Stmt::AnnAssign(a) => {
                    if let (Expr::Name(n), Some(_)) = (&*a.target, &a.value) {
                        m.constants.insert(n.id.to_string(), i);
                    }
                }
                Stmt::FunctionDef(f) => {
                    m.functions.insert(f.name.to_string(), i);
                }
                Stmt::Import(imp) => {
                    for a in &imp.names {
                        let local = a.asname.as_ref().unwrap_or(&a.name).to_string();
                        m.modules.insert(local, a.name.to_string());
                    }
                }
                Stmt::ImportFrom(imp) => {
                    if let Some(module) = &imp.module {
                        for a in &imp.names {
                            let local = a.asname.as_ref().unwrap_or(&a.name).to_string();
                            m.imports.insert(local, (module.to_string(), a.name.to_string()));
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(m)
    }

    /// The function `name` defined at the top level.
    pub fn function(&self, name: &str) -> Option<&ast::StmtFunctionDef> {
        match self.suite.get(*self.functions.get(name)?)? {
            Stmt::FunctionDef(f) => Some(f),
            _ => None,
        }
    }

    /// The names of the top-level functions.
    pub fn function_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.functions.keys().map(|s| s.as_str()).collect();
        v.sort_unstable();
        v
    }

    fn constant(&self, name: &str) -> Option<&Expr> {
        match self.suite.get(*self.constants.get(name)?)? {
            Stmt::Assign(a) => Some(&a.value),
            Stmt::AnnAssign(a) => a.value.as_deref(),
            _ => None,
        }
    }

    fn source(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

/// What the lowering may look up outside the rule's module.
#[derive(Default)]
pub struct Env<'a> {
    /// Global helper modules by module name (`panther_base_helpers`).
    pub helpers: Option<&'a HashMap<String, Arc<Module>>>,
    /// Data-model names → event paths, for the rule's log types (`Path` mappings).
    pub udm_paths: HashMap<String, String>,
}

#[derive(Clone)]
enum Bound<'a> {
    /// A Python expression, to be read in frame `frame`.
    Expr(&'a Expr, usize),
    /// The event itself.
    Event,
    /// A list of values (an `any(… for x in CONST)` target).
    Values(Vec<Value>),
    /// Assigned in a loop: its value is not known statically.
    Unknown,
}

struct Frame<'a> {
    module: &'a Module,
    binds: Vec<(String, Bound<'a>)>,
    /// Spans of an inlined function in another module are reported at the call.
    call_span: Option<Span>,
}

/// A field read: path, UDM name, case folding.
#[derive(Clone, Debug)]
struct FieldRef {
    path: String,
    udm: Option<String>,
    ci: bool,
}

struct Lower<'a, 'e> {
    env: &'e Env<'a>,
    frames: Vec<Frame<'a>>,
    cur: usize,
    depth: usize,
    nodes: usize,
    inline_depth: usize,
}

/// The result of the `rule()` function of `module`: a predicate tree (spans into the module's
/// text), or `None` when the module defines no `rule`.
pub fn lower_rule(module: &Module, env: &Env<'_>) -> Option<PredicateTree> {
    let f = module.function("rule")?;
    Some(lower_function(module, f, env))
}

fn lower_function<'a>(module: &'a Module, f: &'a ast::StmtFunctionDef, env: &Env<'a>) -> PredicateTree {
    let mut binds = Vec::new();
    if let Some(p) = f.args.posonlyargs.iter().chain(&f.args.args).next() {
        binds.push((p.def.arg.to_string(), Bound::Event));
    }
    let mut l = Lower {
        env,
        frames: vec![Frame { module, binds, call_span: None }],
        cur: 0,
        depth: 0,
        nodes: 0,
        inline_depth: 0,
    };
    let body: Vec<&Stmt> = f.body.iter().collect();
    let tree = l.block(&body);
    if l.nodes > MAX_NODES {
        return PredicateTree::Opaque {
            text: "rule(event): logic too large to show as predicates".into(),
            span: span_of(f),
        };
    }
    simplify(tree)
}

/// Read one Python boolean expression (the printer's output, or a test's) as a predicate tree:
/// `event` is the event, constants are literal.
pub fn lower_expr(text: &str) -> Result<PredicateTree, PyError> {
    lower_expr_in(text, &Env::default())
}

/// [`lower_expr`] with the helpers and data models of `env`.
pub fn lower_expr_in(text: &str, env: &Env<'_>) -> Result<PredicateTree, PyError> {
    let module = Module::parse("<expr>", format!("def rule(event):\n    return {text}\n"))?;
    Ok(lower_rule(&module, env).unwrap_or(PredicateTree::Bool(false)))
}

fn and2(a: PredicateTree, b: PredicateTree) -> PredicateTree {
    simplify(PredicateTree::And(vec![a, b]))
}

fn or2(a: PredicateTree, b: PredicateTree) -> PredicateTree {
    simplify(PredicateTree::Or(vec![a, b]))
}

fn not(a: PredicateTree) -> PredicateTree {
    simplify(PredicateTree::Not(Box::new(a)))
}

fn ends(stmts: &[&Stmt]) -> bool {
    match stmts.last() {
        Some(Stmt::Return(_) | Stmt::Raise(_)) => true,
        Some(Stmt::If(i)) => {
            let body: Vec<&Stmt> = i.body.iter().collect();
            let orelse: Vec<&Stmt> = i.orelse.iter().collect();
            !orelse.is_empty() && ends(&body) && ends(&orelse)
        }
        _ => false,
    }
}

fn has_return(stmts: &[Stmt]) -> (bool, bool) {
    // (returns something truthy-or-unknown, returns at all)
    let mut any = false;
    let mut truthy = false;
    for s in stmts {
        match s {
            Stmt::Return(r) => {
                any = true;
                let falsy = matches!(
                    r.value.as_deref(),
                    None | Some(Expr::Constant(ast::ExprConstant {
                        value: Constant::Bool(false) | Constant::None,
                        ..
                    }))
                );
                truthy |= !falsy;
            }
            _ => {
                // The blocks a statement holds (an `if`'s two branches, a loop's, `with`'s or
                // `try`'s body).
                let blocks: &[&[Stmt]] = match s {
                    Stmt::If(i) => &[&i.body, &i.orelse],
                    Stmt::For(f) => &[&f.body],
                    Stmt::While(w) => &[&w.body],
                    Stmt::With(w) => &[&w.body],
                    Stmt::Try(t) => &[&t.body],
                    _ => &[],
                };
                for b in blocks {
                    let (t, a) = has_return(b);
                    truthy |= t;
                    any |= a;
                }
            }
        }
    }
    (truthy, any)
}

impl<'a> Lower<'a, '_> {
    fn module(&self) -> &'a Module {
        self.frames[self.cur].module
    }

    fn span<T: Ranged>(&self, n: &T) -> Span {
        self.frames[self.cur].call_span.unwrap_or_else(|| span_of(n))
    }

    fn opaque<T: Ranged>(&mut self, n: &T) -> PredicateTree {
        self.nodes += 1;
        let text = self.module().source(span_of(n)).split_whitespace().collect::<Vec<_>>().join(" ");
        PredicateTree::Opaque { text, span: self.span(n) }
    }

    fn lookup(&self, name: &str) -> Option<Bound<'a>> {
        self.frames[self.cur].binds.iter().rev().find(|(n, _)| n == name).map(|(_, b)| b.clone())
    }

    /// Statements as a path tree: the condition under which the block returns truthy.
    fn block(&mut self, stmts: &[&'a Stmt]) -> PredicateTree {
        if self.depth > MAX_DEPTH || self.nodes > MAX_NODES {
            self.nodes = MAX_NODES + 1;
            return PredicateTree::Bool(false);
        }
        self.depth += 1;
        let out = self.block_inner(stmts);
        self.depth -= 1;
        out
    }

    fn block_inner(&mut self, stmts: &[&'a Stmt]) -> PredicateTree {
        let Some((first, rest)) = stmts.split_first() else { return PredicateTree::Bool(false) };
        match first {
            Stmt::Return(r) => match r.value.as_deref() {
                None => PredicateTree::Bool(false),
                Some(e) => self.truth(e),
            },
            Stmt::Raise(_) => PredicateTree::Bool(false),
            Stmt::If(i) => {
                let cond = self.truth(&i.test);
                let mut then: Vec<&Stmt> = i.body.iter().collect();
                let mut orelse: Vec<&Stmt> = i.orelse.iter().collect();
                let then_ends = ends(&then);
                let else_ends = ends(&orelse);
                if !then_ends {
                    then.extend_from_slice(rest);
                }
                if !else_ends {
                    orelse.extend_from_slice(rest);
                }
                let a = self.block(&then);
                let b = self.block(&orelse);
                self.nodes += 2;
                match (&a, &b) {
                    (PredicateTree::Bool(false), _) => and2(not(cond), b),
                    (PredicateTree::Bool(true), _) => or2(cond, b),
                    (_, PredicateTree::Bool(false)) => and2(cond, a),
                    _ => or2(and2(cond.clone(), a), and2(not(cond), b)),
                }
            }
            Stmt::Assign(a) => {
                let mark = self.frames[self.cur].binds.len();
                for t in &a.targets {
                    if let Expr::Name(n) = t {
                        let cur = self.cur;
                        self.frames[cur].binds.push((n.id.to_string(), Bound::Expr(&a.value, cur)));
                    }
                }
                let out = self.block(rest);
                self.frames[self.cur].binds.truncate(mark);
                out
            }
            Stmt::AnnAssign(a) => {
                let mark = self.frames[self.cur].binds.len();
                if let (Expr::Name(n), Some(v)) = (&*a.target, &a.value) {
                    let cur = self.cur;
                    self.frames[cur].binds.push((n.id.to_string(), Bound::Expr(v, cur)));
                }
                let out = self.block(rest);
                self.frames[self.cur].binds.truncate(mark);
                out
            }
            Stmt::Try(t) => {
                let mut body: Vec<&Stmt> = t.body.iter().collect();
                if !ends(&body) {
                    body.extend_from_slice(rest);
                }
                self.block(&body)
            }
            Stmt::With(w) => {
                let mut body: Vec<&Stmt> = w.body.iter().collect();
                if !ends(&body) {
                    body.extend_from_slice(rest);
                }
                self.block(&body)
            }
            Stmt::For(_) | Stmt::While(_) | Stmt::AsyncFor(_) | Stmt::Match(_) => {
                let inner: &[Stmt] = match first {
                    Stmt::For(f) => &f.body,
                    Stmt::While(w) => &w.body,
                    Stmt::AsyncFor(f) => &f.body,
                    _ => &[],
                };
                let (truthy, any) = if matches!(first, Stmt::Match(_)) { (true, true) } else { has_return(inner) };
                // Names the loop assigns are unknown after it.
                let mut assigned = Vec::new();
                assigned_names(inner, &mut assigned);
                if let Stmt::For(f) = first {
                    target_names(&f.target, &mut assigned);
                }
                let cur = self.cur;
                let mark = self.frames[cur].binds.len();
                self.frames[cur].binds.extend(assigned.into_iter().map(|n| (n, Bound::Unknown)));
                let out = if !any {
                    self.block(rest)
                } else {
                    let head = self.loop_head(first);
                    let rest_tree = self.block(rest);
                    if truthy { or2(head, rest_tree) } else { and2(not(head), rest_tree) }
                };
                self.frames[cur].binds.truncate(mark);
                out
            }
            _ => self.block(rest),
        }
    }

    /// A loop as an opaque part: its header line.
    fn loop_head(&mut self, s: &'a Stmt) -> PredicateTree {
        self.nodes += 1;
        let full = self.module().source(span_of(s));
        let head = full.lines().next().unwrap_or("").trim().trim_end_matches(':').to_string();
        let head = if head.is_empty() { "loop".into() } else { format!("{head}: …") };
        PredicateTree::Opaque { text: head, span: self.span(s) }
    }

    /// The condition under which `e` is truthy.
    fn truth(&mut self, e: &'a Expr) -> PredicateTree {
        if self.depth > MAX_DEPTH || self.nodes > MAX_NODES {
            self.nodes = MAX_NODES + 1;
            return PredicateTree::Bool(false);
        }
        self.depth += 1;
        let out = self.truth_inner(e);
        self.depth -= 1;
        out
    }

    fn truth_inner(&mut self, e: &'a Expr) -> PredicateTree {
        self.nodes += 1;
        match e {
            Expr::BoolOp(b) => {
                let items: Vec<PredicateTree> = b.values.iter().map(|v| self.truth(v)).collect();
                simplify(match b.op {
                    ast::BoolOp::And => PredicateTree::And(items),
                    ast::BoolOp::Or => PredicateTree::Or(items),
                })
            }
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => not(self.truth(&u.operand)),
            Expr::Constant(c) => match &c.value {
                Constant::Bool(b) => PredicateTree::Bool(*b),
                Constant::None => PredicateTree::Bool(false),
                Constant::Str(s) => PredicateTree::Bool(!s.is_empty()),
                Constant::Int(i) => PredicateTree::Bool(i.to_string() != "0"),
                _ => self.opaque(e),
            },
            Expr::Compare(c) => {
                let mut items = Vec::new();
                let mut left: &'a Expr = &c.left;
                for (op, right) in c.ops.iter().zip(&c.comparators) {
                    items.push(self.compare(e, left, *op, right));
                    left = right;
                }
                simplify(PredicateTree::And(items))
            }
            Expr::Call(call) => self.call(e, call),
            Expr::Name(n) => match self.lookup(n.id.as_str()) {
                Some(Bound::Expr(x, frame)) => {
                    if let Some(f) = self.field_of(e) {
                        return self.pred(e, f, Kind::Exists, Vec::new());
                    }
                    let saved = self.cur;
                    self.cur = frame;
                    let out = self.truth(x);
                    self.cur = saved;
                    out
                }
                _ => self.opaque(e),
            },
            Expr::NamedExpr(n) => self.truth(&n.value),
            _ => match self.field_of(e) {
                Some(f) => self.pred(e, f, Kind::Exists, Vec::new()),
                None => self.opaque(e),
            },
        }
    }

    fn pred(&mut self, at: &'a Expr, f: FieldRef, kind: Kind, values: Vec<Value>) -> PredicateTree {
        self.nodes += 1;
        PredicateTree::Pred(Predicate {
            field: f.path,
            udm: f.udm,
            kind,
            values,
            case_insensitive: f.ci,
            span: self.span(at),
        })
    }

    fn compare(&mut self, whole: &'a Expr, left: &'a Expr, op: ast::CmpOp, right: &'a Expr) -> PredicateTree {
        use ast::CmpOp as C;
        let lf = self.field_of(left);
        let rf = if lf.is_none() { self.field_of(right) } else { None };
        match (lf, rf) {
            (Some(f), _) => {
                let Some(vals) = self.values_of(right) else { return self.opaque(whole) };
                let none = vals.len() == 1 && vals[0] == Value::None;
                match op {
                    C::Eq | C::Is if none => not(self.pred(whole, f, Kind::Exists, Vec::new())),
                    C::NotEq | C::IsNot if none => self.pred(whole, f, Kind::Exists, Vec::new()),
                    C::Eq | C::Is => self.pred(whole, f, Kind::Eq, vals),
                    C::NotEq | C::IsNot => self.pred(whole, f, Kind::Ne, vals),
                    C::Gt => self.pred(whole, f, Kind::Gt, vals),
                    C::GtE => self.pred(whole, f, Kind::Gte, vals),
                    C::Lt => self.pred(whole, f, Kind::Lt, vals),
                    C::LtE => self.pred(whole, f, Kind::Lte, vals),
                    C::In | C::NotIn => {
                        let is_str = matches!(self.resolve(right), Some(Expr::Constant(_)));
                        // `field in "some text"`: rare; kept opaque.
                        if is_str {
                            return self.opaque(whole);
                        }
                        let p = self.pred(whole, f, Kind::In, vals);
                        if op == C::NotIn { not(p) } else { p }
                    }
                }
            }
            (None, Some(f)) => {
                let Some(vals) = self.values_of(left) else { return self.opaque(whole) };
                let none = vals.len() == 1 && vals[0] == Value::None;
                match op {
                    C::Eq | C::Is if none => not(self.pred(whole, f, Kind::Exists, Vec::new())),
                    C::NotEq | C::IsNot if none => self.pred(whole, f, Kind::Exists, Vec::new()),
                    C::Eq | C::Is => self.pred(whole, f, Kind::Eq, vals),
                    C::NotEq | C::IsNot => self.pred(whole, f, Kind::Ne, vals),
                    C::Gt => self.pred(whole, f, Kind::Lt, vals),
                    C::GtE => self.pred(whole, f, Kind::Lte, vals),
                    C::Lt => self.pred(whole, f, Kind::Gt, vals),
                    C::LtE => self.pred(whole, f, Kind::Gte, vals),
                    C::In => self.pred(whole, f, Kind::Contains, vals),
                    C::NotIn => not(self.pred(whole, f, Kind::Contains, vals)),
                }
            }
            (None, None) => self.opaque(whole),
        }
    }

    /// Follow local names and module constants to the expression they stand for.
    fn resolve(&mut self, e: &'a Expr) -> Option<&'a Expr> {
        let mut e = e;
        for _ in 0..8 {
            let Expr::Name(n) = e else { return Some(e) };
            match self.lookup(n.id.as_str()) {
                Some(Bound::Expr(x, _)) => e = x,
                Some(_) => return None,
                None => return self.constant(n.id.as_str()).map(|(x, _)| x),
            }
        }
        None
    }

    /// A module constant, here or imported from a global helper: (expression, its module).
    fn constant(&self, name: &str) -> Option<(&'a Expr, &'a Module)> {
        let m = self.module();
        if let Some(x) = m.constant(name) {
            return Some((x, m));
        }
        let (module, orig) = m.imports.get(name)?;
        let h = self.env.helpers?.get(module)?;
        h.constant(orig).map(|x| (x, &**h))
    }

    /// The values an expression stands for: a constant, a collection of constants, a name
    /// bound to one.
    fn values_of(&mut self, e: &'a Expr) -> Option<Vec<Value>> {
        self.values_in(e, self.module(), 0)
    }

    fn values_in(&mut self, e: &'a Expr, module: &'a Module, depth: usize) -> Option<Vec<Value>> {
        if depth > 8 {
            return None;
        }
        match e {
            Expr::Constant(c) => constant_value(&c.value),
            Expr::List(ast::ExprList { elts, .. })
            | Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. }) => {
                let mut out = Vec::new();
                for x in elts {
                    match x {
                        Expr::Starred(s) => out.extend(self.values_in(&s.value, module, depth + 1)?),
                        _ => out.extend(self.values_in(x, module, depth + 1)?),
                    }
                }
                Some(out)
            }
            Expr::Dict(d) => {
                let mut out = Vec::new();
                for k in d.keys.iter().flatten() {
                    out.extend(self.values_in(k, module, depth + 1)?);
                }
                Some(out)
            }
            Expr::Call(c) => {
                if let Expr::Attribute(a) = &*c.func
                    && matches!(a.attr.as_str(), "keys" | "copy")
                    && c.args.is_empty()
                {
                    return self.values_in(&a.value, module, depth + 1);
                }
                let name = match &*c.func {
                    Expr::Name(n) => n.id.as_str(),
                    _ => return None,
                };
                match (name, c.args.as_slice()) {
                    ("set" | "frozenset" | "list" | "tuple" | "sorted", [a]) => self.values_in(a, module, depth + 1),
                    ("set" | "frozenset" | "list" | "tuple", []) => Some(Vec::new()),
                    _ => None,
                }
            }
            Expr::BinOp(b) if b.op == ast::Operator::BitOr || b.op == ast::Operator::Add => {
                let mut l = self.values_in(&b.left, module, depth + 1)?;
                l.extend(self.values_in(&b.right, module, depth + 1)?);
                Some(l)
            }
            Expr::Attribute(a) => {
                let Expr::Name(obj) = &*a.value else { return None };
                let target = module.modules.get(obj.id.as_str())?;
                let h: &'a Module = self.env.helpers?.get(target)?;
                let x = h.constant(a.attr.as_str())?;
                self.values_in(x, h, depth + 1)
            }
            Expr::Name(n) => {
                if std::ptr::eq(module, self.module()) {
                    match self.lookup(n.id.as_str()) {
                        Some(Bound::Values(v)) => return Some(v),
                        Some(Bound::Expr(x, frame)) => {
                            let saved = self.cur;
                            self.cur = frame;
                            let m = self.module();
                            let out = self.values_in(x, m, depth + 1);
                            self.cur = saved;
                            return out;
                        }
                        Some(Bound::Event | Bound::Unknown) => return None,
                        None => {}
                    }
                }
                let (x, m) = if std::ptr::eq(module, self.module()) {
                    self.constant(n.id.as_str())?
                } else {
                    (module.constant(n.id.as_str())?, module)
                };
                self.values_in(x, m, depth + 1)
            }
            _ => None,
        }
    }

    /// A regex pattern: a string, or a name bound to `re.compile("…")`.
    fn pattern_of(&mut self, e: &'a Expr) -> Option<Vec<Value>> {
        if let Some(v) = self.values_of(e) {
            return Some(v);
        }
        let x = self.resolve(e)?;
        match x {
            Expr::Call(c) if is_attr_call(&c.func, "re", "compile") => self.values_of(c.args.first()?),
            _ => None,
        }
    }

    /// The event field an expression reads.
    fn field_of(&mut self, e: &'a Expr) -> Option<FieldRef> {
        self.field_in(e, 0)
    }

    fn is_event(&mut self, e: &'a Expr) -> bool {
        match e {
            Expr::Name(n) => match self.lookup(n.id.as_str()) {
                Some(Bound::Event) => true,
                Some(Bound::Expr(x, frame)) => {
                    let saved = self.cur;
                    self.cur = frame;
                    let out = self.depth < MAX_DEPTH && {
                        self.depth += 1;
                        let r = self.is_event(x);
                        self.depth -= 1;
                        r
                    };
                    self.cur = saved;
                    out
                }
                _ => false,
            },
            _ => false,
        }
    }

    fn field_in(&mut self, e: &'a Expr, depth: usize) -> Option<FieldRef> {
        if depth > 16 {
            return None;
        }
        match e {
            Expr::Call(c) => {
                let args = &c.args;
                match &*c.func {
                    Expr::Attribute(a) => {
                        let method = a.attr.as_str();
                        match method {
                            "get" | "deep_get" | "deep_walk" | "udm" | "get_path" => {}
                            "lower" | "upper" | "casefold" if args.is_empty() => {
                                let mut f = self.field_in(&a.value, depth + 1)?;
                                f.ci = true;
                                return Some(f);
                            }
                            "strip" | "rstrip" | "lstrip" if args.is_empty() => {
                                return self.field_in(&a.value, depth + 1);
                            }
                            _ => return None,
                        }
                        let mut keys = string_args(args)?;
                        if method == "get" || method == "udm" {
                            keys.truncate(1);
                        }
                        if keys.is_empty() {
                            return None;
                        }
                        if self.is_event(&a.value) {
                            return Some(match method {
                                "udm" => {
                                    let name = keys.join(".");
                                    match self.env.udm_paths.get(&name) {
                                        Some(p) => FieldRef { path: p.clone(), udm: Some(name), ci: false },
                                        None => FieldRef { path: name.clone(), udm: Some(name), ci: false },
                                    }
                                }
                                _ => FieldRef { path: keys.join("."), udm: None, ci: false },
                            });
                        }
                        if method == "get" && keys.len() == 1 {
                            let mut f = self.field_in(&a.value, depth + 1)?;
                            if f.udm.is_some() && f.path == *f.udm.as_ref()? {
                                return None;
                            }
                            f.path.push('.');
                            f.path.push_str(&keys[0]);
                            f.udm = None;
                            return Some(f);
                        }
                        None
                    }
                    Expr::Name(n) if matches!(n.id.as_str(), "deep_get" | "deep_walk") => {
                        let (first, rest) = args.split_first()?;
                        if !self.is_event(first) {
                            return None;
                        }
                        let keys = string_args(rest)?;
                        (!keys.is_empty()).then(|| FieldRef { path: keys.join("."), udm: None, ci: false })
                    }
                    Expr::Name(n) if matches!(n.id.as_str(), "str") && args.len() == 1 => {
                        self.field_in(&args[0], depth + 1)
                    }
                    _ => None,
                }
            }
            Expr::Subscript(s) => {
                let key = match &*s.slice {
                    Expr::Constant(ast::ExprConstant { value: Constant::Str(k), .. }) => k.clone(),
                    _ => return None,
                };
                if self.is_event(&s.value) {
                    return Some(FieldRef { path: key, udm: None, ci: false });
                }
                let mut f = self.field_in(&s.value, depth + 1)?;
                f.path.push('.');
                f.path.push_str(&key);
                Some(f)
            }
            Expr::Name(n) => match self.lookup(n.id.as_str()) {
                Some(Bound::Expr(x, frame)) => {
                    let saved = self.cur;
                    self.cur = frame;
                    let out = self.field_in(x, depth + 1);
                    self.cur = saved;
                    out
                }
                _ => None,
            },
            Expr::BoolOp(b) if b.op == ast::BoolOp::Or && b.values.len() == 2 => {
                // `event.get("x") or ""`: a default.
                let f = self.field_in(&b.values[0], depth + 1)?;
                matches!(b.values[1], Expr::Constant(_) | Expr::List(_) | Expr::Dict(_)).then_some(f)
            }
            _ => None,
        }
    }

    fn call(&mut self, whole: &'a Expr, call: &'a ast::ExprCall) -> PredicateTree {
        let args = &call.args;
        match &*call.func {
            Expr::Attribute(a) => {
                let method = a.attr.as_str();
                match method {
                    "startswith" | "endswith" if args.len() == 1 => {
                        let kind = if method == "startswith" { Kind::StartsWith } else { Kind::EndsWith };
                        if let (Some(f), Some(v)) = (self.field_of(&a.value), self.values_of(&args[0])) {
                            return self.pred(whole, f, kind, v);
                        }
                        return self.opaque(whole);
                    }
                    "search" | "match" | "fullmatch" if is_name(&a.value, "re") && args.len() >= 2 => {
                        if let (Some(f), Some(v)) = (self.field_of(&args[1]), self.pattern_of(&args[0])) {
                            return self.pred(whole, f, Kind::Regex, v);
                        }
                        return self.opaque(whole);
                    }
                    "search" | "match" | "fullmatch" | "findall" if args.len() == 1 => {
                        if let (Some(f), Some(v)) = (self.field_of(&args[0]), self.pattern_of(&a.value)) {
                            return self.pred(whole, f, Kind::Regex, v);
                        }
                        return self.opaque(whole);
                    }
                    "issubset" | "intersection" | "isdisjoint" => return self.opaque(whole),
                    _ => {}
                }
                if let Some(f) = self.field_of(whole) {
                    return self.pred(whole, f, Kind::Exists, Vec::new());
                }
                self.opaque(whole)
            }
            Expr::Name(n) => {
                let name = n.id.as_str();
                match name {
                    "__opaque__" if args.len() == 1 => {
                        if let Expr::Constant(ast::ExprConstant { value: Constant::Str(text), .. }) = &args[0] {
                            self.nodes += 1;
                            return PredicateTree::Opaque { text: text.clone(), span: self.span(whole) };
                        }
                        return self.opaque(whole);
                    }
                    "bool" if args.len() == 1 => return self.truth(&args[0]),
                    "all" | "any" if args.len() == 1 && matches!(args[0], Expr::List(_) | Expr::Tuple(_)) => {
                        let elts = match &args[0] {
                            Expr::List(l) => &l.elts,
                            Expr::Tuple(t) => &t.elts,
                            _ => return self.opaque(whole),
                        };
                        let items: Vec<PredicateTree> = elts.iter().map(|x| self.truth(x)).collect();
                        return simplify(if name == "all" {
                            PredicateTree::And(items)
                        } else {
                            PredicateTree::Or(items)
                        });
                    }
                    "any" if args.len() == 1 => {
                        if let Expr::GeneratorExp(g) = &args[0]
                            && g.generators.len() == 1
                            && g.generators[0].ifs.is_empty()
                            && let Expr::Name(target) = &g.generators[0].target
                            && let Some(vals) = self.values_of(&g.generators[0].iter)
                        {
                            let cur = self.cur;
                            let mark = self.frames[cur].binds.len();
                            self.frames[cur].binds.push((target.id.to_string(), Bound::Values(vals)));
                            let out = self.truth(&g.elt);
                            self.frames[cur].binds.truncate(mark);
                            return out;
                        }
                        return self.opaque(whole);
                    }
                    "fnmatch" if args.len() == 2 => {
                        if let (Some(f), Some(v)) = (self.field_of(&args[0]), self.values_of(&args[1])) {
                            return self.pred(whole, f, Kind::Wildcard, v);
                        }
                        return self.opaque(whole);
                    }
                    _ => {}
                }
                if let Some(f) = self.field_of(whole) {
                    return self.pred(whole, f, Kind::Exists, Vec::new());
                }
                self.inline(whole, call, name)
            }
            _ => self.opaque(whole),
        }
    }

    /// A call of the module's own function or of a global helper: its result, read from its
    /// body with the arguments bound, when it reads as comparisons; else the call, opaque.
    fn inline(&mut self, whole: &'a Expr, call: &'a ast::ExprCall, name: &str) -> PredicateTree {
        if self.inline_depth >= 2 {
            return self.opaque(whole);
        }
        let m = self.module();
        let (module, f): (&'a Module, &'a ast::StmtFunctionDef) = if let Some(f) = m.function(name) {
            (m, f)
        } else if let Some((module, orig)) = m.imports.get(name)
            && let Some(h) = self.env.helpers.and_then(|h| h.get(module))
            && let Some(f) = h.function(orig)
        {
            (&**h, f)
        } else {
            return self.opaque(whole);
        };
        let params: Vec<&ast::ArgWithDefault> = f.args.posonlyargs.iter().chain(&f.args.args).collect();
        let mut binds = Vec::new();
        for (p, a) in params.iter().zip(&call.args) {
            let b = if self.is_event(a) { Bound::Event } else { Bound::Expr(a, self.cur) };
            binds.push((p.def.arg.to_string(), b));
        }
        for kw in &call.keywords {
            if let Some(arg) = &kw.arg {
                binds.push((arg.to_string(), Bound::Expr(&kw.value, self.cur)));
            }
        }
        for p in params.iter().skip(call.args.len()) {
            if let Some(d) = &p.default
                && !binds.iter().any(|(n, _)| n == p.def.arg.as_str())
            {
                binds.push((p.def.arg.to_string(), Bound::Expr(d, self.frames.len())));
            }
        }
        // Arguments bound to caller expressions are read in the caller's frame; the callee's
        // defaults in its own (the new frame's index).
        let call_span = if std::ptr::eq(module, m) { self.frames[self.cur].call_span } else { Some(self.span(whole)) };
        self.frames.push(Frame { module, binds, call_span });
        let saved = self.cur;
        self.cur = self.frames.len() - 1;
        self.inline_depth += 1;
        let body: Vec<&Stmt> = f.body.iter().collect();
        let tree = self.block(&body);
        self.inline_depth -= 1;
        self.cur = saved;
        self.frames.pop();
        if tree.predicates().is_empty() {
            return self.opaque(whole);
        }
        tree
    }
}

fn target_names(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Name(n) => out.push(n.id.to_string()),
        Expr::Tuple(t) => t.elts.iter().for_each(|x| target_names(x, out)),
        Expr::List(t) => t.elts.iter().for_each(|x| target_names(x, out)),
        _ => {}
    }
}

/// Names assigned anywhere in `stmts` (loops and branches included).
fn assigned_names(stmts: &[Stmt], out: &mut Vec<String>) {
    for s in stmts {
        match s {
            Stmt::Assign(a) => a.targets.iter().for_each(|t| target_names(t, out)),
            Stmt::AugAssign(a) => target_names(&a.target, out),
            Stmt::AnnAssign(a) => target_names(&a.target, out),
            Stmt::If(i) => {
                assigned_names(&i.body, out);
                assigned_names(&i.orelse, out);
            }
            Stmt::For(f) => {
                target_names(&f.target, out);
                assigned_names(&f.body, out);
            }
            Stmt::While(w) => assigned_names(&w.body, out),
            Stmt::With(w) => assigned_names(&w.body, out),
            Stmt::Try(t) => {
                assigned_names(&t.body, out);
                assigned_names(&t.orelse, out);
                assigned_names(&t.finalbody, out);
            }
            _ => {}
        }
    }
}

fn is_name(e: &Expr, name: &str) -> bool {
    matches!(e, Expr::Name(n) if n.id.as_str() == name)
}

fn is_attr_call(func: &Expr, object: &str, method: &str) -> bool {
    matches!(func, Expr::Attribute(a) if a.attr.as_str() == method && is_name(&a.value, object))
}

fn string_args(args: &[Expr]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for a in args {
        match a {
            Expr::Constant(ast::ExprConstant { value: Constant::Str(s), .. }) => out.push(s.clone()),
            Expr::Constant(ast::ExprConstant { value: Constant::Int(i), .. }) => out.push(i.to_string()),
            // A default value (`event.get("x", {})`) ends the keys.
            _ => break,
        }
    }
    Some(out)
}

fn constant_value(c: &Constant) -> Option<Vec<Value>> {
    Some(vec![match c {
        Constant::Str(s) => Value::Str(s.clone()),
        Constant::Int(i) => Value::Number(i.to_string()),
        Constant::Float(f) if f.is_finite() => Value::Number(f.to_string()),
        Constant::Bool(b) => Value::Bool(*b),
        Constant::None => Value::None,
        Constant::Tuple(items) => {
            let mut out = Vec::new();
            for i in items {
                out.extend(constant_value(i)?);
            }
            return Some(out);
        }
        _ => return None,
    }])
}

/// 1-based line and column of `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
