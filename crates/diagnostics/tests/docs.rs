//! `docs/lint-codes.md` must list exactly the codes there are.

#[test]
fn lint_codes_doc_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/lint-codes.md");
    let want = detwiki_diagnostics::codes_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/lint-codes.md is stale: run `UPDATE_DOCS=1 cargo test -p detwiki-diagnostics --test docs`"
    );
}
