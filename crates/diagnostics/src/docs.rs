//! `docs/lint-codes.md`, generated from the codes (kept in sync by `tests/docs.rs`).

use crate::code::Domain;

/// The page: how lint levels are set, then one table of codes per [`Domain`].
pub fn codes_markdown() -> String {
    let mut s = String::from(
        "# Lint codes\n\nEvery finding of `detwiki lint` has one of these stable codes. \
         Errors make `lint` exit with 1; warnings do not.\n\n\
         A warning code can be silenced or raised to an error, on the command line or in a \
         `detwiki.toml` in the current folder or a parent (the command line wins, code by code):\n\n\
         ```sh\n\
         detwiki lint --allow tactic-without-technique --deny unused-identifier rules/\n\
         ```\n\n\
         ```toml\n\
         [lint]\n\
         allow = [\"tactic-without-technique\"]  # hidden; counted as \"N allowed\" in the summary\n\
         deny = [\"unused-identifier\"]          # reported as an error: lint exits 1\n\
         ```\n\n\
         An unknown code, a code both allowed and denied, allowing an error code (the rule cannot be \
         used as written: `hunt` skips it) and a malformed `detwiki.toml` are usage errors (exit 2), \
         the file's with its line and column.\n\n\
         <!-- generated from crates/diagnostics/src/code.rs by `UPDATE_DOCS=1 cargo test -p detwiki-diagnostics --test docs` -->\n\n",
    );
    table(&mut s, Domain::Rule);
    s.push_str(
        "\n## Other files\n\n\
         Problems in the other files detwiki reads have codes too. They are not lint codes: they \
         cannot be allowed or denied, and are shown with the message alone in their title. An error \
         in such a file is a usage error (exit 2), shown with its file:line:col and the offending \
         line.\n",
    );
    for d in Domain::ALL.iter().filter(|d| !d.is_lint()) {
        s.push_str(&format!("\n### {}\n\n", d.title()));
        table(&mut s, *d);
    }
    s
}

fn table(s: &mut String, domain: Domain) {
    s.push_str("| code | severity | what it means |\n|---|---|---|\n");
    for c in domain.codes() {
        s.push_str(&format!("| `{}` | {} | {} |\n", c.as_str(), c.severity().as_str(), c.summary()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::Code;

    #[test]
    fn every_code_is_in_the_page_once() {
        let page = codes_markdown();
        for c in Code::ALL {
            assert_eq!(page.matches(&format!("| `{}` |", c.as_str())).count(), 1, "{c}");
        }
    }
}
