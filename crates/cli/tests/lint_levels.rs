//! `lint --allow CODE` / `--deny CODE` and the same in a `detwiki.toml` found in the current
//! folder or a parent: allowed findings are hidden and counted apart, denied ones are errors,
//! the flags override the file, and every mistake (unknown code, malformed file) is a usage
//! error that says where and what to do.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// A project folder holding `rules/` with the warning fixtures (one `nonstandard-quantifier`,
/// one `unused-identifier`), and a `sub/` folder to run from (detwiki.toml is looked for upwards).
fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/warnings");
    let rules = tmp.path().join("sub/rules");
    std::fs::create_dir_all(&rules).unwrap();
    for e in std::fs::read_dir(fixtures).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, rules.join(p.file_name().unwrap())).unwrap();
    }
    tmp
}

fn sub(tmp: &tempfile::TempDir) -> PathBuf {
    tmp.path().join("sub")
}

fn lint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("detwiki")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .arg("lint")
        .args(args)
        .output()
        .unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn summary(json: &str) -> Value {
    serde_json::from_str(json.lines().last().unwrap()).unwrap()
}

#[test]
fn allow_hides_a_warning_and_counts_it_apart() {
    let tmp = project();
    let (code, out, _) = lint(&sub(&tmp), &["--color", "never", "--allow", "unused-identifier", "rules"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("unused-identifier"), "{out}");
    assert!(out.contains("warning[nonstandard-quantifier]"), "other codes are still shown: {out}");
    assert!(out.contains(": 0 errors, 1 warning, 1 allowed in "), "{out}");
    let (_, out, _) = lint(&sub(&tmp), &["--format", "json", "--allow", "unused-identifier", "rules"]);
    let s = summary(&out);
    assert_eq!((s["warnings"].as_u64(), s["allowed"].as_u64()), (Some(1), Some(1)), "{s}");
    assert!(s["by_code"].get("unused-identifier").is_none(), "{s}");
}

#[test]
fn deny_turns_a_warning_into_an_error_and_the_exit_code_with_it() {
    let tmp = project();
    let (code, out, _) = lint(&sub(&tmp), &["--color", "never", "--deny", "unused-identifier", "rules"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[unused-identifier]: search identifier `filter_main` is never used"), "{out}");
    assert!(out.contains(": 1 error, 1 warning in "), "{out}");
    let (_, out, _) = lint(&sub(&tmp), &["--format", "sarif", "--deny", "unused-identifier", "rules"]);
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let r = &sarif["runs"][0]["results"];
    assert!(r.as_array().unwrap().iter().any(|r| r["ruleId"] == "unused-identifier" && r["level"] == "error"), "{r}");
}

#[test]
fn unknown_codes_and_impossible_levels_are_usage_errors() {
    let tmp = project();
    let (code, _, err) = lint(&sub(&tmp), &["--allow", "unused-identifer", "rules"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: --allow unused-identifer: unknown lint code `unused-identifer`; did you mean `unused-identifier`?\n"
    );
    let (code, _, err) = lint(&sub(&tmp), &["--deny", "nonsense", "rules"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: --deny nonsense: unknown lint code `nonsense`; the codes are: io-error, "),
        "{err}"
    );
    assert!(err.contains("unused-identifier") && err.contains("(docs/lint-codes.md)"), "{err}");
    let (code, _, err) = lint(&sub(&tmp), &["--allow", "unknown-modifier", "rules"]);
    assert_eq!(code, 2);
    assert!(err.contains("`unknown-modifier` is an error") && err.contains("only warnings can be allowed"), "{err}");
    let (code, _, err) = lint(&sub(&tmp), &["--allow", "unused-identifier", "--deny", "unused-identifier", "rules"]);
    assert_eq!(code, 2);
    assert!(err.contains("`unused-identifier` is given to both --allow and --deny"), "{err}");
}

#[test]
fn detwiki_toml_in_a_parent_folder_sets_levels_and_the_flags_override_it() {
    let tmp = project();
    std::fs::write(
        tmp.path().join("detwiki.toml"),
        "[lint]\nallow = [\"unused-identifier\"]\ndeny = [\"nonstandard-quantifier\"]\n",
    )
    .unwrap();
    let (code, out, _) = lint(&sub(&tmp), &["--color", "never", "rules"]);
    assert_eq!(code, 1, "the denied code is an error: {out}");
    assert!(out.contains("error[nonstandard-quantifier]"), "{out}");
    assert!(out.contains(": 1 error, 0 warnings, 1 allowed in "), "{out}");
    // The command line wins, code by code.
    let (code, out, _) = lint(
        &sub(&tmp),
        &["--color", "never", "--allow", "nonstandard-quantifier", "--deny", "unused-identifier", "rules"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[unused-identifier]") && !out.contains("nonstandard-quantifier"), "{out}");
    assert!(out.contains(": 1 error, 0 warnings, 1 allowed in "), "{out}");
}

#[test]
fn a_malformed_detwiki_toml_is_an_error_at_its_line_and_column() {
    let tmp = project();
    let cfg = tmp.path().join("detwiki.toml");
    let shown = cfg.display().to_string();
    std::fs::write(&cfg, "[lint]\nallow = [\"unused-identifier\"\n").unwrap();
    let (code, out, err) = lint(&sub(&tmp), &["rules"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.starts_with("error: detwiki.toml: "), "{err}");
    assert!(err.contains(&format!(" --> {shown}:2:")), "{err}");
    assert!(err.contains("2 | allow = [\"unused-identifier\""), "the line is shown: {err}");

    std::fs::write(&cfg, "[lint]\nalow = []\n").unwrap();
    let (code, _, err) = lint(&sub(&tmp), &["rules"]);
    assert_eq!(code, 2);
    assert!(err.contains("error: detwiki.toml: unknown field `alow`, expected `allow` or `deny`"), "{err}");
    assert!(err.contains(&format!(" --> {shown}:2:1\n")) && err.contains("  | ^^^^"), "{err}");

    std::fs::write(&cfg, "[lint]\nallow = [\"unused-identifer\"]\n").unwrap();
    let (code, _, err) = lint(&sub(&tmp), &["rules"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error: detwiki.toml: unknown lint code `unused-identifer`; did you mean `unused-identifier`?"),
        "{err}"
    );
    assert!(err.contains(&format!(" --> {shown}:2:10\n")), "{err}");
}
