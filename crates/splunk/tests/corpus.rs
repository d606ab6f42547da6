//! Every detection of the shared security_content snapshot: no panic, at least 99.5% of the
//! searches parse (after macro expansion), and every failure is listed with why.

use detwiki_diagnostics::{Code, LineIndex};
use detwiki_splunk::{Repo, parse_rule};

#[test]
fn the_corpus_searches_parse() {
    let Some(dir) = detwiki_testdata::require("corpus/splunk/detections") else { return };
    let repo = Repo::for_path(&dir);
    assert!(repo.is_some(), "the repository beside detections/ is found");
    let repo = repo.unwrap();
    assert!(repo.macros.len() > 100 && repo.data_sources.len() > 100 && repo.stories.len() > 100);
    let mut total = 0;
    let mut failures = Vec::new();
    let mut undefined = Vec::new();
    let mut round_trip = Vec::new();
    for e in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.path().extension().is_none_or(|x| x != "yml") {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).unwrap();
        let rel = e.path().strip_prefix(&dir).unwrap().to_string_lossy().to_string();
        let f = parse_rule(&text, &rel, Some(&repo));
        let Some(rule) = f.rule.as_ref() else {
            failures.push(format!("{rel}: no rule: {:?}", f.diagnostics));
            total += 1;
            continue;
        };
        total += 1;
        let lines = LineIndex::new(&text);
        for d in &f.diagnostics {
            let at = lines.line_col(&text, d.span.map_or(0, |s| s.start));
            let line = format!("{rel}:{}:{}: {}: {}", at.line, at.column, d.code.as_str(), d.message);
            match d.code {
                Code::QuerySyntax | Code::QueryTooComplex => failures.push(line),
                Code::UndefinedMacro => undefined.push(line),
                _ => {}
            }
        }
        if let Some(p) = rule.search.as_ref().and_then(|s| s.pipeline.as_ref()) {
            let printed = p.to_string();
            match detwiki_splunk::spl::parse(&printed) {
                Ok(again) => {
                    if shape(&again) != shape(p) {
                        round_trip.push(format!("{rel}: printed as {printed}"));
                    }
                }
                Err(e) => round_trip.push(format!("{rel}: the printed search does not parse ({e}): {printed}")),
            }
        }
        if rule.search.as_ref().is_some_and(|s| s.pipeline.is_none())
            && !f.diagnostics.iter().any(|d| matches!(d.code, Code::QuerySyntax | Code::QueryTooComplex))
        {
            failures.push(format!("{rel}: no pipeline and no finding"));
        }
    }
    let parsed = total - failures.len();
    let rate = parsed as f64 / total as f64;
    eprintln!("{parsed}/{total} searches parse ({:.2}%); {} undefined macro calls", rate * 100.0, undefined.len());
    for u in &undefined {
        eprintln!("  {u}");
    }
    assert_eq!(total, 1711, "the snapshot's detections");
    assert!(rate >= 0.995, "{parsed}/{total} parse, under 99.5%:\n{}", failures.join("\n"));
    eprintln!("failures:\n{}", failures.join("\n"));
    assert!(round_trip.is_empty(), "print → parse changes {} searches:\n{}", round_trip.len(), round_trip.join("\n"));
}

/// The tree without spans, and without the raw argument text of parsed commands.
fn shape(p: &detwiki_splunk::spl::Pipeline) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("span");
                if m.get("body").and_then(|b| b.get("type")).is_some_and(|t| t != "other") {
                    m.remove("args");
                }
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(p).unwrap();
    strip(&mut v);
    v
}
