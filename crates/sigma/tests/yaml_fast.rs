//! The fast YAML path gives exactly saphyr's tree — nodes, texts, spans — for every file it
//! takes, and takes nearly every rule file; what it leaves, saphyr reads as before.

use detwiki_sigma::yaml::{Limits, parse_documents_fast, parse_documents_saphyr};

fn yaml_files(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    out.sort();
    out
}

/// Compare both paths on every file under `root`; returns (files, taken by the fast path).
fn compare(root: &std::path::Path) -> (usize, usize) {
    let limits = Limits::default();
    let (mut files, mut fast) = (0, 0);
    let mut wrong = Vec::new();
    for p in yaml_files(root) {
        let Ok(text) = std::fs::read_to_string(&p) else { continue };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        files += 1;
        if let Some(docs) = parse_documents_fast(text, &limits) {
            fast += 1;
            match parse_documents_saphyr(text, &limits) {
                Ok(slow) if slow == docs => {}
                Ok(slow) => wrong.push(format!("{}: fast {docs:#?}\nsaphyr {slow:#?}", p.display())),
                Err(e) => wrong.push(format!("{}: fast path took a file saphyr rejects: {e}", p.display())),
            }
        }
    }
    assert!(wrong.is_empty(), "{} files read differently; the first:\n{}", wrong.len(), wrong[0]);
    (files, fast)
}

#[test]
fn the_fast_path_reads_sigmahq_as_saphyr_does() {
    let Some(root) = detwiki_testdata::require("corpus/sigma") else { return };
    let (files, fast) = compare(&root);
    eprintln!("SigmaHQ: {fast} of {files} files on the fast path");
    assert!(files > 3_900, "{files} files");
    assert!(fast * 100 >= files * 95, "only {fast} of {files} SigmaHQ files on the fast path");
}

#[test]
fn the_fast_path_reads_other_languages_yaml_as_saphyr_does() {
    let Some(root) = detwiki_testdata::require("corpus") else { return };
    for lang in ["splunk", "kusto", "panther", "sublime"] {
        let (files, fast) = compare(&root.join(lang));
        eprintln!("{lang}: {fast} of {files} files on the fast path");
        assert!(files > 0, "no YAML under corpus/{lang}");
    }
}

mod generated {
    use super::*;
    use proptest::prelude::*;

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z]{1,5}",
            Just("\"k y\"".to_string()),
            Just("'k'".to_string()),
            Just("1".to_string()),
            Just("true".to_string()),
            Just("a b".to_string()),
            Just("-x".to_string()),
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 :#\\\\'\"./*|>&!-]{0,12}",
            Just("null".to_string()),
            Just("~".to_string()),
            Just("12".to_string()),
            Just("-1.5e3".to_string()),
            Just("'it''s'".to_string()),
            Just("\"a\\\\b\\\"c\\n\"".to_string()),
            Just("\"x\"  # c".to_string()),
            Just("v # c".to_string()),
            Just("C:\\Windows\\".to_string()),
            Just("[a, b]".to_string()),
            Just("é ü".to_string()),
        ]
    }

    fn line() -> impl Strategy<Value = String> {
        let body = prop_oneof![
            4 => (key(), value()).prop_map(|(k, v)| format!("{k}: {v}")),
            2 => key().prop_map(|k| format!("{k}:")),
            2 => value().prop_map(|v| format!("- {v}")),
            2 => (key(), value()).prop_map(|(k, v)| format!("- {k}: {v}")),
            1 => Just("-".to_string()),
            1 => Just("# comment".to_string()),
            1 => Just(String::new()),
            2 => (key(), prop_oneof![Just("|"), Just("|-"), Just(">"), Just(">-"), Just("|+"), Just("|2")])
                .prop_map(|(k, h)| format!("{k}: {h}")),
            1 => value(),
            1 => Just("---".to_string()),
        ];
        (0usize..7, body).prop_map(|(indent, b)| format!("{}{b}", " ".repeat(indent)))
    }

    /// A YAML tree, rendered in block style below.
    #[derive(Clone, Debug)]
    enum Tree {
        Scalar(String),
        Block(String, Vec<String>),
        Map(Vec<(String, Tree)>),
        Seq(Vec<Tree>),
    }

    fn tree() -> impl Strategy<Value = Tree> {
        let leaf = prop_oneof![
            4 => value().prop_map(Tree::Scalar),
            1 => (prop_oneof![Just("|"), Just("|-"), Just(">"), Just(">-")], prop::collection::vec("[a-z #:]{0,8}", 1..4))
                .prop_map(|(h, l)| Tree::Block(h.to_string(), l)),
        ];
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                prop::collection::vec((key(), inner.clone()), 1..5).prop_map(Tree::Map),
                prop::collection::vec(inner, 1..5).prop_map(Tree::Seq),
            ]
        })
    }

    /// Render `t` as the value of a key or item whose line starts at column `col`; `extra`
    /// choices: indentation step, indentless sequences, comments.
    fn render(t: &Tree, col: usize, step: usize, indentless: bool, comments: bool, out: &mut String) {
        let pad = |n: usize| " ".repeat(n);
        match t {
            Tree::Scalar(v) => {
                out.push(' ');
                out.push_str(v);
                out.push('\n');
            }
            Tree::Block(h, lines) => {
                out.push(' ');
                out.push_str(h);
                out.push('\n');
                for l in lines {
                    out.push_str(&pad(col + step));
                    out.push_str(l);
                    out.push('\n');
                }
            }
            Tree::Map(entries) => {
                out.push('\n');
                for (k, v) in entries {
                    if comments {
                        out.push_str(&pad(col + step));
                        out.push_str("# note\n\n");
                    }
                    out.push_str(&pad(col + step));
                    out.push_str(k);
                    out.push(':');
                    render(v, col + step, step, indentless, comments, out);
                }
            }
            Tree::Seq(items) => {
                out.push('\n');
                let at = if indentless { col } else { col + step };
                for v in items {
                    out.push_str(&pad(at));
                    out.push('-');
                    match v {
                        Tree::Map(entries) => {
                            // A compact mapping: its first key on the `-` line.
                            for (i, (k, vv)) in entries.iter().enumerate() {
                                if i == 0 {
                                    out.push(' ');
                                } else {
                                    out.push_str(&pad(at + 2));
                                }
                                out.push_str(k);
                                out.push(':');
                                render(vv, at + 2 - step.min(at + 2), step, indentless, comments, out);
                            }
                        }
                        _ => render(v, at, step, indentless, comments, out),
                    }
                }
            }
        }
    }

    fn document() -> impl Strategy<Value = String> {
        (prop::collection::vec((key(), tree()), 1..6), prop_oneof![Just(2usize), Just(4)], any::<bool>(), any::<bool>())
            .prop_map(|(entries, step, indentless, comments)| {
                let mut out = String::new();
                for (k, v) in &entries {
                    out.push_str(k);
                    out.push(':');
                    // Top-level values are indented by `step` from column 0.
                    render(v, 0, step, indentless, comments, &mut out);
                }
                out
            })
    }

    /// The generated texts are not all left to saphyr: the property below tests something.
    #[test]
    fn many_generated_texts_take_the_fast_path() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = document();
        let (mut fast, n) = (0, 2000);
        for _ in 0..n {
            let text = strategy.new_tree(&mut runner).unwrap().current();
            fast += usize::from(parse_documents_fast(&text, &Limits::default()).is_some());
        }
        eprintln!("{fast} of {n} generated texts on the fast path");
        assert!(fast * 10 >= n, "only {fast} of {n} generated texts on the fast path");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

        /// Whatever block YAML is generated, the fast path either reads it as saphyr does or
        /// leaves it to saphyr.
        #[test]
        fn the_fast_path_never_reads_differently(lines in prop::collection::vec(line(), 1..16), nl in any::<bool>()) {
            let mut text = lines.join("\n");
            if nl {
                text.push('\n');
            }
            let limits = Limits::default();
            if let Some(fast) = parse_documents_fast(&text, &limits) {
                let slow = parse_documents_saphyr(&text, &limits);
                prop_assert!(slow.is_ok(), "fast path took a text saphyr rejects: {:?}\n{}", slow, text);
                prop_assert_eq!(fast, slow.unwrap(), "{}", text);
            }
        }

        /// The same for whole documents of nested mappings, sequences and block scalars.
        #[test]
        fn the_fast_path_reads_documents_as_saphyr_does(text in document()) {
            let limits = Limits::default();
            if let Some(fast) = parse_documents_fast(&text, &limits) {
                let slow = parse_documents_saphyr(&text, &limits);
                prop_assert!(slow.is_ok(), "fast path took a text saphyr rejects: {:?}\n{}", slow, text);
                prop_assert_eq!(fast, slow.unwrap(), "{}", text);
            }
        }
    }
}
