//! Every rule language through the command line: `lint` and `rule`/`catalog` read Elastic
//! rule files beside Sigma's, a file of no known format is reported, and hunt stays Sigma-only.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../elastic/tests/fixtures/rules").join(name)
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("detwiki")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    (
        out.status.code().expect("killed by a signal (or the timeout)"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A folder with one Sigma rule, one Elastic rule whose EQL query is broken, one good Elastic
/// rule, a README (documentation: left out silently) and a `.json` file (reported).
fn mixed(dir: &Path) -> std::path::PathBuf {
    let root = dir.join("rules");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::copy(fixture("query-syntax_eql.toml"), root.join("broken.toml")).unwrap();
    std::fs::copy(fixture("esql.toml"), root.join("esql.toml")).unwrap();
    std::fs::write(
        root.join("whoami.yml"),
        "title: Whoami\nid: 0b9c6c7a-1111-4111-8111-111111111111\nstatus: test\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel\nlevel: low\n",
    )
    .unwrap();
    std::fs::write(root.join("README.md"), "# rules\n").unwrap();
    std::fs::write(root.join("notes.json"), "{}").unwrap();
    root
}

#[test]
fn lint_reads_elastic_files_and_locates_query_errors_in_the_toml_file() {
    let tmp = tempfile::tempdir().unwrap();
    mixed(tmp.path());
    let (code, out, err) = run(tmp.path(), &["lint", "--color", "never", "rules"]);
    assert_eq!(code, 1, "an error was found: {out}{err}");
    // The query error is at its line and column in the TOML file, not inside the query string.
    assert!(out.contains("error[query-syntax]"), "{out}");
    assert!(out.contains("--> rules/broken.toml:18:"), "{out}");
    // A file of no known format is reported; documentation is not.
    assert!(out.contains("warning[unknown-format]: a `.json` file is no rule format detwiki reads"), "{out}");
    assert!(out.contains("rules/notes.json"), "{out}");
    assert!(!out.contains("README.md"), "{out}");
    // 4 files read: the two Elastic rules, the Sigma rule and the unknown file.
    assert!(out.contains("checked 4 files (3 rules, 0 filters, 0 correlations)"), "{out}");
}

#[test]
fn lint_json_names_the_elastic_file_and_code() {
    let tmp = tempfile::tempdir().unwrap();
    mixed(tmp.path());
    let (_, out, _) = run(tmp.path(), &["lint", "--format", "json", "rules/broken.toml"]);
    assert!(out.contains("\"code\":\"query-syntax\""), "{out}");
    assert!(out.contains("broken.toml"), "{out}");
}

#[test]
fn the_catalog_holds_both_languages_with_their_language() {
    let tmp = tempfile::tempdir().unwrap();
    mixed(tmp.path());
    let (code, out, err) = run(tmp.path(), &["catalog", "-q", "--corpus", "mixed=rules"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut langs: Vec<(String, String)> = json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["slug"].as_str().unwrap().to_string(), r["language"].as_str().unwrap().to_string()))
        .collect();
    langs.sort();
    assert_eq!(
        langs,
        vec![("broken".into(), "elastic".into()), ("esql".into(), "elastic".into()), ("whoami".into(), "sigma".into())]
    );
    // The unknown file is listed as left out, with its finding.
    let failed = json["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["path"], "notes.json");
    assert_eq!(failed[0]["diagnostics"][0]["code"], "unknown-format");
    // `rule` finds an Elastic rule by its file path too.
    let (code, out, err) = run(tmp.path(), &["rule", "--corpus", "mixed=rules", "rules/esql.toml"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.is_empty());
}

#[test]
fn lint_on_the_elastic_corpus_parses_every_query() {
    let Some(elastic) = detwiki_testdata::require("corpus/elastic") else { return };
    let (_, out, err) = run(Path::new("."), &["lint", "--format", "json", elastic.to_str().unwrap()]);
    assert!(!out.contains("\"code\":\"query-syntax\""), "{err}");
    assert!(!out.contains("\"code\":\"query-too-complex\""));
    assert!(!out.contains("\"code\":\"toml-syntax\""));
}

#[test]
fn an_elastic_rule_page_per_rule_type() {
    let tmp = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../elastic/tests/fixtures/rules");
    let corpus = format!("elastic={}", fixtures.display());
    for stem in [
        "threshold_building_block",
        "new_terms",
        "machine_learning",
        "threat_match",
        "esql",
        "behavior",
        "deprecated",
        "query-syntax_eql",
    ] {
        let (code, out, err) = run(tmp.path(), &["rule", "-q", "--corpus", &corpus, &format!("elastic/{stem}")]);
        assert_eq!(code, 0, "{stem}: {err}");
        assert!(out.starts_with("Detection rules › Elastic\n"), "{stem}: {out}");
        assert!(out.contains("\nDetails\n| Rule type | "), "{stem}: {out}");
        assert!(out.contains("\nRule body toml\n"), "{stem}: {out}");
        insta::assert_snapshot!(format!("elastic_page_{stem}"), out);
    }
    // The HTML page: the breadcrumb names the language, the Details block is there.
    let (code, _, err) = run(tmp.path(), &["build", "-q", "--corpus", &corpus, "--out", "site"]);
    assert_eq!(code, 0, "{err}");
    let page = std::fs::read_to_string(tmp.path().join("site/rules/elastic/esql/index.html")).unwrap();
    assert!(page.contains("<section id=\"details\""), "{page}");
    assert!(page.contains("<span class=\"tag\">toml</span>"));
}
