//! `detwiki serve`: the wiki from memory on a local address.
//!
//! - Pages are made by the same code as `detwiki build`, each on its first
//!   request, then kept ([`detwiki_site::Site`]); requests are answered from
//!   the site's own list of files, so no request can reach a file outside it
//!   (and paths with `..`, backslashes or NUL are refused anyway).
//! - `GET /api/search?q=…&limit=…` ranks rules in Rust exactly as the page's
//!   script does over the static index.
//! - The corpus folders are watched. A change re-reads only the files the
//!   watcher names (a new or removed folder, or a watcher overflow, re-reads
//!   everything), rebuilds the catalog from the kept files
//!   ([`Catalog::updated`]) and swaps in a new site at once; its pages are
//!   made again as they are asked for.
//! - Requests are logged with `tracing` (`RUST_LOG` sets the level); Ctrl-C
//!   or SIGTERM shut down cleanly.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, mpsc};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use detwiki_catalog::{Catalog, CorpusSpec, FileChange, LoadOptions};
use detwiki_site::Site;
use notify::{EventKind, RecursiveMode, Watcher};

use crate::args::ServeArgs;
use crate::build::load_or_demo;

/// The site being served; a rebuild replaces the inner `Arc` at once.
type Shared = Arc<RwLock<Arc<Site>>>;

fn current(shared: &Shared) -> Arc<Site> {
    shared.read().map(|g| Arc::clone(&g)).unwrap_or_else(|p| Arc::clone(&p.into_inner()))
}

fn swap(shared: &Shared, site: Site) {
    let site = Arc::new(site);
    match shared.write() {
        Ok(mut g) => *g = Arc::clone(&site),
        Err(p) => *p.into_inner() = Arc::clone(&site),
    }
    // Build the search index now rather than on the first search after the change.
    std::thread::spawn(move || {
        site.search();
    });
}

/// `detwiki serve`.
pub fn run(args: &ServeArgs) -> anyhow::Result<crate::Outcome> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let specs = match crate::catalog::specs(&args.corpora) {
        Ok(s) => s,
        Err(_) => return Ok(crate::Outcome::Usage),
    };
    // The address first: a port in use is reported at once, not after loading a big corpus.
    let listener = match listen(&args.addr) {
        Ok(l) => l,
        Err((code, message)) => {
            eprintln!("error: {message}");
            return Ok(code);
        }
    };
    let local = listener.local_addr()?;
    // Keeps each file's parse: a saved rule re-analyses only what changed.
    let cat = match load_or_demo(&args.corpora, args.corpora.quiet, &LoadOptions::default()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let started = Instant::now();
    let site = Site::new(cat, detwiki_site::Options::default());
    tracing::info!(
        rules = site.catalog().rules.len(),
        files = site.len(),
        ms = started.elapsed().as_millis() as u64,
        "site ready (pages are made on first request)"
    );
    if !site.catalog().failed.is_empty() {
        tracing::warn!(
            "{} left out of the wiki (they do not parse); each is listed with its findings at http://{local}/{}",
            crate::render::counted(site.catalog().failed.len(), "rule file is", "rule files are"),
            detwiki_site::paths::LEFT_OUT_URL.trim_end_matches("index.html"),
        );
    }
    let shared: Shared = Arc::new(RwLock::new(Arc::new(site)));
    {
        let site = current(&shared);
        std::thread::spawn(move || {
            site.search();
        });
    }
    let _watcher = if specs.is_empty() { None } else { Some(watch(&specs, shared.clone(), local)?) };
    if !local.ip().is_loopback() {
        tracing::warn!(addr = %local, "listening on a non-loopback address: the wiki is reachable from the network");
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(serve(listener, shared))?;
    Ok(crate::Outcome::Success)
}

/// Resolve `--addr` (`IP:PORT` or `HOST:PORT`) and listen on the first address that takes
/// (IPv4 first, so `localhost` is 127.0.0.1 where it has both). On failure: the outcome
/// (usage for an address that does not resolve, failed for one that cannot be listened on) and
/// the message.
fn listen(addr: &str) -> Result<std::net::TcpListener, (crate::Outcome, String)> {
    use std::net::ToSocketAddrs;
    let mut addrs: Vec<SocketAddr> = match addr.to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => {
            return Err((
                crate::Outcome::Usage,
                format!(
                    "--addr {addr}: not an address to listen on ({e}); write HOST:PORT, e.g. 127.0.0.1:8080 or localhost:8080"
                ),
            ));
        }
    };
    addrs.sort_by_key(|a| !a.is_ipv4());
    let mut last: Option<(SocketAddr, std::io::Error)> = None;
    for a in addrs {
        match std::net::TcpListener::bind(a) {
            Ok(l) => {
                l.set_nonblocking(true).map_err(|e| (crate::Outcome::Failed, format!("cannot listen on {a}: {e}")))?;
                return Ok(l);
            }
            Err(e) => last = Some((a, e)),
        }
    }
    let Some((a, e)) = last else {
        return Err((
            crate::Outcome::Usage,
            format!("--addr {addr}: the name resolves to no address; write HOST:PORT, e.g. 127.0.0.1:8080"),
        ));
    };
    let mut other = a;
    other.set_port(if a.port() == u16::MAX { a.port() - 1 } else { a.port() + 1 });
    Err((
        crate::Outcome::Failed,
        match e.kind() {
            std::io::ErrorKind::AddrInUse => format!("{a} is already in use; pick another with --addr {other}"),
            std::io::ErrorKind::PermissionDenied => {
                format!(
                    "cannot listen on {a}: permission denied (ports below 1024 need privileges); pick another with --addr {other}"
                )
            }
            std::io::ErrorKind::AddrNotAvailable => {
                format!(
                    "cannot listen on {a}: no network interface of this machine has that address; use --addr 127.0.0.1:{}",
                    a.port()
                )
            }
            _ => format!("cannot listen on {a}: {e}; pick another address with --addr"),
        },
    ))
}

async fn serve(listener: std::net::TcpListener, shared: Shared) -> anyhow::Result<()> {
    let app = Router::new().fallback(handle).layer(middleware::from_fn(log)).with_state(shared);
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let local = listener.local_addr()?;
    tracing::info!("serving the wiki on http://{local}/ (Ctrl-C to stop)");
    eprintln!("detwiki: serving on http://{local}/");
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

async fn log(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    tracing::info!(%method, path, status = res.status().as_u16(), us = started.elapsed().as_micros() as u64, "request");
    res
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        _ => "text/plain; charset=utf-8",
    }
}

fn respond(status: StatusCode, ctype: &'static str, body: impl Into<Body>) -> Response {
    let mut res = (status, body.into()).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    res
}

/// Decode `application/x-www-form-urlencoded` query parameters.
fn query_params(q: &str) -> HashMap<String, String> {
    q.split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let d = |s: &str| detwiki_site::html::pct_decode(&s.replace('+', " "));
            (d(k), d(v))
        })
        .collect()
}

/// A cached file of one site generation, kept alive while its response is sent.
struct CachedFile(Arc<Site>, String);

impl AsRef<[u8]> for CachedFile {
    fn as_ref(&self) -> &[u8] {
        self.0.cached(&self.1).unwrap_or_default()
    }
}

async fn handle(State(shared): State<Shared>, method: Method, uri: axum::http::Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return respond(StatusCode::METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "only GET\n");
    }
    let path = detwiki_site::html::pct_decode(uri.path());
    if path.contains(['\\', '\0']) || path.split('/').any(|s| s == "..") {
        return respond(StatusCode::BAD_REQUEST, "text/plain; charset=utf-8", "path refused\n");
    }
    let site = current(&shared);
    if path == "/api/search" {
        let params = query_params(uri.query().unwrap_or(""));
        let q = params.get("q").cloned().unwrap_or_default();
        let limit = params.get("limit").and_then(|l| l.parse().ok()).unwrap_or(20usize).min(200);
        let hits = match site.search_if_built() {
            Some(s) => s.search(&q, limit),
            None => {
                let (site, q) = (Arc::clone(&site), q.clone());
                match tokio::task::spawn_blocking(move || site.search().search(&q, limit)).await {
                    Ok(h) => h,
                    Err(e) => return internal_error(&path, &e),
                }
            }
        };
        let body = serde_json::json!({ "query": q, "hits": hits });
        return respond(StatusCode::OK, "application/json", body.to_string());
    }
    let rel = path.trim_start_matches('/');
    let key = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_string() };
    if site.contains(&key) {
        if site.cached(&key).is_none() {
            // Made on first request, off the async workers (the search index of a big corpus takes a while).
            let (s, k) = (Arc::clone(&site), key.clone());
            match tokio::task::spawn_blocking(move || s.get(&k).map(|r| r.map(|_| ()))).await {
                Ok(Some(Ok(()))) => {}
                Ok(Some(Err(e))) => return internal_error(&key, &e),
                Ok(None) => {}
                Err(e) => return internal_error(&key, &e),
            }
        }
        let ctype = content_type(&key);
        return respond(StatusCode::OK, ctype, Bytes::from_owner(CachedFile(site, key)));
    }
    if site.contains(&format!("{key}/index.html")) {
        let mut res = respond(StatusCode::PERMANENT_REDIRECT, "text/plain; charset=utf-8", "");
        if let Ok(v) = HeaderValue::from_str(&format!("{}/", uri.path())) {
            res.headers_mut().insert(header::LOCATION, v);
        }
        return res;
    }
    respond(
        StatusCode::NOT_FOUND,
        "text/html; charset=utf-8",
        "<!doctype html><title>Not found</title><h1>Not found</h1><p><a href=\"/\">Home</a></p>\n",
    )
}

fn internal_error(what: &str, e: &dyn std::fmt::Display) -> Response {
    tracing::error!("{what}: {e}");
    respond(StatusCode::INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", "internal error\n")
}

/// What a batch of watcher events asks for.
#[derive(Debug, PartialEq, Eq)]
enum Reload {
    /// Nothing that the catalog reads changed.
    Nothing,
    /// These rule files changed.
    Files(Vec<FileChange>),
    /// Read every folder again (a folder appeared or went, or events were lost).
    Everything,
}

/// A file of a rule language the catalog reads (`.yml`/`.yaml`, `.toml` …).
fn is_rule_file(p: &Path) -> bool {
    detwiki_catalog::lang::of_path(p).is_some()
}

/// Turn the paths of a burst of events into changes, mirroring what the
/// corpus walk reads: rule files of every language (not symbolic links) under a corpus
/// path, outside hidden folders. `known` tells whether a path is a file of the
/// current catalog (to notice a folder that went away).
fn classify(specs: &[CorpusSpec], paths: &[PathBuf], known: &dyn Fn(&Path) -> bool) -> Reload {
    let mut changes: Vec<FileChange> = Vec::new();
    for p in paths {
        let mut inside = false;
        for (ci, spec) in specs.iter().enumerate() {
            for root in &spec.paths {
                let Ok(rel) = p.strip_prefix(root) else { continue };
                inside = true;
                let hidden = rel.components().any(|c| c.as_os_str().to_str().is_some_and(|n| n.starts_with('.')));
                if hidden {
                    continue;
                }
                let meta = std::fs::symlink_metadata(p).ok();
                if is_rule_file(p) && meta.as_ref().is_none_or(|m| !m.is_dir()) {
                    if meta.as_ref().is_some_and(|m| m.is_file()) {
                        changes.push(FileChange::Changed { corpus: ci, root: root.clone(), path: p.clone() });
                    } else {
                        changes.push(FileChange::Removed(p.clone()));
                    }
                } else if meta.as_ref().is_some_and(|m| m.is_dir()) || (meta.is_none() && known(p)) {
                    return Reload::Everything;
                }
            }
        }
        if !inside && known(p) {
            return Reload::Everything;
        }
    }
    changes.dedup();
    if changes.is_empty() { Reload::Nothing } else { Reload::Files(changes) }
}

/// Watch the corpus folders; on a change (debounced) rebuild from the changed files and swap the site.
fn watch(specs: &[CorpusSpec], shared: Shared, local: SocketAddr) -> anyhow::Result<notify::RecommendedWatcher> {
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(move |ev| {
        let _ = tx.send(ev);
    })?;
    for s in specs {
        for p in &s.paths {
            if p.exists() {
                watcher.watch(p, RecursiveMode::Recursive)?;
            }
        }
    }
    let specs = specs.to_vec();
    std::thread::spawn(move || {
        // Ok(paths): the paths of a relevant event; Err: reload everything.
        let relevant = |ev: notify::Result<notify::Event>| -> Option<Result<Vec<PathBuf>, ()>> {
            match ev {
                Ok(e) if e.need_rescan() => Some(Err(())),
                Ok(e) if matches!(e.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)) => {
                    Some(Ok(e.paths))
                }
                Ok(e) if matches!(e.kind, EventKind::Any | EventKind::Other) => Some(Err(())),
                Ok(_) => None,
                Err(e) => {
                    tracing::warn!("watcher: {e}");
                    Some(Err(()))
                }
            }
        };
        while let Ok(ev) = rx.recv() {
            let Some(first) = relevant(ev) else { continue };
            let started = Instant::now();
            let mut paths: Vec<PathBuf> = Vec::new();
            let mut everything = false;
            let mut take = |r: Result<Vec<PathBuf>, ()>| match r {
                Ok(p) => paths.extend(p),
                Err(()) => everything = true,
            };
            take(first);
            // Let a burst of writes (an editor's save) settle, but not forever.
            while started.elapsed() < Duration::from_secs(2) {
                match rx.recv_timeout(Duration::from_millis(40)) {
                    Ok(ev) => {
                        if let Some(r) = relevant(ev) {
                            take(r);
                        }
                    }
                    Err(_) => break,
                }
            }
            let site = current(&shared);
            let reload = if everything {
                Reload::Everything
            } else {
                let files: std::collections::HashSet<&Path> =
                    site.catalog().files.iter().map(|f| f.path.as_path()).collect();
                classify(&specs, &paths, &|p| files.contains(p) || files.iter().any(|f| f.starts_with(p)))
            };
            let cat: Catalog = match &reload {
                Reload::Nothing => continue,
                Reload::Files(changes) => site.catalog().updated(&specs, changes, &LoadOptions::default()),
                Reload::Everything => match crate::catalog::load(&specs, true) {
                    Ok(c) => c,
                    Err(_) => {
                        tracing::warn!("reload failed: a corpus folder is gone; still serving the previous pages");
                        continue;
                    }
                },
            };
            let was_left_out: std::collections::HashSet<(String, String)> =
                site.catalog().failed.iter().map(|f| (f.corpus.clone(), f.path.clone())).collect();
            drop(site);
            let (rules, failed) = (cat.rules.len(), cat.failed.len());
            let analysed = started.elapsed();
            let new_site = Site::new(cat, detwiki_site::Options::default());
            log_left_out(&new_site, &was_left_out, local);
            swap(&shared, new_site);
            let what = match &reload {
                Reload::Files(c) => format!("{} file(s)", c.len()),
                _ => "every file".to_string(),
            };
            tracing::info!(
                rules,
                failed,
                reread = %what,
                catalog_ms = analysed.as_millis() as u64,
                ms = started.elapsed().as_millis() as u64,
                "rebuilt after a change"
            );
        }
    });
    Ok(watcher)
}

/// Log each file that a change left out of the wiki (its path, its first finding, its page), and
/// each that parses again.
fn log_left_out(site: &Site, was: &std::collections::HashSet<(String, String)>, local: SocketAddr) {
    let cat = site.catalog();
    let mut now = std::collections::HashSet::new();
    for (k, f) in cat.failed.iter().enumerate() {
        now.insert((f.corpus.as_str(), f.path.as_str()));
        if was.contains(&(f.corpus.clone(), f.path.clone())) {
            continue;
        }
        let file =
            site.left_out_file(k).map_or_else(|| format!("{}/{}", f.corpus, f.path), |s| s.path.display().to_string());
        let reason = f.diagnostics.first().map_or_else(
            || "it holds no Sigma document".to_string(),
            |d| match (d.line, d.column) {
                (Some(l), Some(c)) => format!("{}[{}] at {l}:{c}: {}", d.severity.as_str(), d.code, d.message),
                _ => format!("{}[{}]: {}", d.severity.as_str(), d.code, d.message),
            },
        );
        let more = match f.diagnostics.len() {
            0 | 1 => String::new(),
            n => format!(" (and {})", crate::render::counted(n - 1, "more finding", "more findings")),
        };
        let page = site.left_out_page(k).unwrap_or_default().trim_end_matches("index.html");
        tracing::warn!(
            "{file} is left out of the wiki: {reason}{more}; its page shows every finding: http://{local}/{page}"
        );
    }
    for (corpus, path) in was {
        if !now.contains(&(corpus.as_str(), path.as_str()))
            && cat.rules.iter().any(|r| &r.corpus == corpus && &r.path == path)
        {
            tracing::info!("{corpus}/{path} parses again: its rules are back in the wiki");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watcher_paths_become_changes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("rules");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join("sub/a.yml"), "title: a").unwrap();
        std::fs::write(root.join(".git/x.yml"), "").unwrap();
        std::fs::write(root.join("notes.txt"), "").unwrap();
        std::fs::write(root.join("b.toml"), "[rule]").unwrap();
        let specs = vec![CorpusSpec { name: "x".into(), paths: vec![root.clone()] }];
        let none = |_: &Path| false;
        let r = classify(
            &specs,
            &[
                root.join("sub/a.yml"),
                root.join("gone.yml"),
                root.join("notes.txt"),
                root.join(".git/x.yml"),
                root.join("b.toml"),
            ],
            &none,
        );
        // An Elastic rule file is a rule file too.
        assert_eq!(
            r,
            Reload::Files(vec![
                FileChange::Changed { corpus: 0, root: root.clone(), path: root.join("sub/a.yml") },
                FileChange::Removed(root.join("gone.yml")),
                FileChange::Changed { corpus: 0, root: root.clone(), path: root.join("b.toml") },
            ])
        );
        assert_eq!(classify(&specs, &[root.join("notes.txt"), root.join("4913")], &none), Reload::Nothing);
        // A new folder may hold rules; a folder that went away held some.
        assert_eq!(classify(&specs, &[root.join("sub")], &none), Reload::Everything);
        let old = root.join("old");
        let known = |p: &Path| p == old.as_path();
        assert_eq!(classify(&specs, std::slice::from_ref(&old), &known), Reload::Everything);
    }
}
