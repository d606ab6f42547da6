//! `detwiki serve` as a user meets it: a rule file with an error has a page with its findings
//! (not a 404), saved broken while serving it is logged with its file and reason; the home page
//! links the files left out; `--addr` takes host names; a port in use is named with what to do.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const GOOD: &str = "title: Whoami Run
id: 0a1b2c3d-1111-4222-8333-944445555666
status: test
level: low
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith: '\\whoami.exe'
    condition: selection
";

/// The same rule with a misspelt modifier and markup in a value.
const BROKEN: &str = "title: Whoami Run
id: 0a1b2c3d-1111-4222-8333-944445555666
status: test
level: low
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswtih: '<b>\\whoami.exe'
    condition: selection
";

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("detwiki")
}

/// A running `detwiki serve`, stopped when dropped; its stderr is collected.
struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(bin())
            .arg("serve")
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Some(rest) = line.strip_prefix("detwiki: serving on http://") {
                        let _ = tx.send(rest.trim_end_matches('/').to_string());
                    }
                    let mut l = log.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
            });
        }
        let addr = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("serve did not start: {}", log.lock().unwrap())
        });
        let port = addr.rsplit(':').next().unwrap().parse().unwrap();
        Server { child, port, log }
    }

    fn get(&self, path: &str) -> (u16, String) {
        get(self.port, path)
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Wait until `cond` holds for the page at `path` (the watcher rebuilds after a save).
    fn wait_for(&self, path: &str, what: &str, cond: impl Fn(u16, &str) -> bool) -> (u16, String) {
        let started = Instant::now();
        loop {
            let (status, body) = self.get(path);
            if cond(status, &body) {
                return (status, body);
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{what}: still {status} after 20 s; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET path` on 127.0.0.1:`port`: the status and the body.
fn get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn corpus_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn corpus_arg(dir: &Path) -> String {
    format!("acme={}", dir.display())
}

#[test]
fn a_rule_file_with_an_error_has_a_page_with_its_findings() {
    let dir = corpus_with(&[("proc_creation_whoami.yml", BROKEN), ("other.yml", &GOOD.replace("0a1b", "9a1b"))]);
    let server = Server::start(&["--quiet", "--corpus", &corpus_arg(dir.path()), "--addr", "127.0.0.1:0"]);
    // Where the rule's page would be: the findings as lint prints them, escaped.
    let (status, page) = server.get("/rules/acme/proc_creation_whoami/");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("This file is left out of the wiki"), "{page}");
    assert!(page.contains("error[unknown-modifier]</span>: <b>unknown modifier `endswtih`</b>"), "{page}");
    assert!(page.contains(" --&gt; proc_creation_whoami.yml:10:15"), "{page}");
    assert!(page.contains("10 |         Image|endswtih: '&lt;b&gt;\\whoami.exe'"), "the source line, escaped");
    assert!(page.contains("<span class=\"mark\">^^^^^^^^</span>"), "the misspelt modifier is marked");
    assert!(page.contains("= help: did you mean `endswith`?"), "{page}");
    assert!(!page.contains("<b>\\whoami"), "markup from the file is escaped");
    // The home page's count links to the list of files left out, which links the page.
    let (_, home) = server.get("/");
    assert!(home.contains("<a href=\"left-out/index.html#corpus-acme\">1</a>"), "home links the count");
    let (status, list) = server.get("/left-out/");
    assert_eq!(status, 200);
    assert!(list.contains("1 rule file does not parse"), "{list}");
    assert!(list.contains("<a href=\"../rules/acme/proc_creation_whoami/index.html\">proc_creation_whoami.yml</a>"));
    assert!(list.contains("unknown modifier `endswtih`"));
    assert!(server.log().contains("1 rule file is left out of the wiki"), "{}", server.log());
}

#[test]
fn a_rule_saved_with_an_error_shows_its_findings_and_the_log_names_the_file() {
    let dir = corpus_with(&[("proc_creation_whoami.yml", GOOD)]);
    let server = Server::start(&["--quiet", "--corpus", &corpus_arg(dir.path()), "--addr", "127.0.0.1:0"]);
    let path = "/rules/acme/proc_creation_whoami/";
    let (status, page) = server.get(path);
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Whoami Run</h1>"));

    let file = dir.path().join("proc_creation_whoami.yml");
    std::fs::write(&file, BROKEN).unwrap();
    let (_, page) = server.wait_for(path, "the left-out page", |s, b| s == 200 && b.contains("left out of the wiki"));
    assert!(page.contains("unknown modifier `endswtih`"));
    // The log names the file and the reason.
    let started = Instant::now();
    while !server.log().contains("is left out of the wiki") && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = server.log();
    let line = log.lines().find(|l| l.contains("is left out of the wiki:")).unwrap_or_else(|| panic!("{log}"));
    assert!(line.contains(&file.display().to_string()), "{line}");
    assert!(line.contains("error[unknown-modifier] at 10:15: unknown modifier `endswtih`"), "{line}");
    assert!(line.contains(&format!("http://127.0.0.1:{}/rules/acme/proc_creation_whoami/", server.port)), "{line}");

    // Fixed again: the rule's page is back at the same place.
    std::fs::write(&file, GOOD).unwrap();
    server.wait_for(path, "the rule page again", |s, b| s == 200 && b.contains("<h1>Whoami Run</h1>"));
}

#[test]
fn addr_takes_a_host_name() {
    let port = free_port();
    let server = Server::start(&["--quiet", "--addr", &format!("localhost:{port}")]);
    assert_eq!(server.port, port);
    let (status, home) = get(port, "/");
    assert_eq!(status, 200);
    assert!(home.contains("<h1>Detection wiki</h1>"));
}

#[test]
fn a_port_in_use_is_named_with_what_to_do() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = Command::new(bin()).args(["serve", "--quiet", "--addr", &format!("127.0.0.1:{port}")]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!(
            "error: 127.0.0.1:{port} is already in use; pick another with --addr 127.0.0.1:{}",
            port + 1
        )),
        "{err}"
    );
}

#[test]
fn an_addr_that_does_not_resolve_is_a_usage_error() {
    let out = Command::new(bin()).args(["serve", "--quiet", "--addr", "8080"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("error: --addr 8080: not an address to listen on"), "{err}");
    assert!(err.contains("write HOST:PORT, e.g. 127.0.0.1:8080 or localhost:8080"), "{err}");
}

#[test]
fn serve_with_events_shows_the_sample_hits_and_runs_the_changed_rules_again() {
    let dir = corpus_with(&[("proc_creation_whoami.yml", GOOD)]);
    let events = tempfile::tempdir().unwrap();
    let event = r#"{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Computer":"WS01","Image":"C:\\Windows\\System32\\whoami.exe"}"#;
    std::fs::write(events.path().join("logs & more.jsonl"), format!("{event}\n")).unwrap();
    let server = Server::start(&[
        "--quiet",
        "--corpus",
        &corpus_arg(dir.path()),
        "--events",
        &events.path().display().to_string(),
        "--addr",
        "127.0.0.1:0",
    ]);
    let path = "/rules/acme/proc_creation_whoami/";
    let (status, page) = server.get(path);
    assert_eq!(status, 200);
    assert!(page.contains("<strong>1 hit</strong> in 1 file"), "{page}");
    assert!(
        page.contains("<a href=\"../../../samples/logs-more-jsonl/index.html\">logs &amp; more.jsonl</a>"),
        "{page}"
    );
    let (status, sample) = server.get("/samples/logs-more-jsonl/");
    assert_eq!(status, 200);
    assert!(sample.contains(">Whoami Run</a>"), "{sample}");
    // The rule changed so that it no longer matches: its page says so after the rebuild.
    std::fs::write(dir.path().join("proc_creation_whoami.yml"), GOOD.replace("whoami.exe", "who.exe")).unwrap();
    server.wait_for(path, "the rule run again", |s, b| s == 200 && b.contains("Never fired on the"));
}
