//! `detwiki serve`: the wiki from memory on a local address.
//!
//! - Every page is rendered into memory by the same code as `detwiki build`;
//!   requests are answered from that map, so no request can reach a file
//!   outside it (and paths with `..`, backslashes or NUL are refused anyway).
//! - `GET /api/search?q=…&limit=…` ranks rules in Rust exactly as the page's
//!   script does over the static index.
//! - The corpus folders are watched; a change reloads the catalog and
//!   re-renders, then swaps the new pages in at once.
//! - Requests are logged with `tracing` (`RUST_LOG` sets the level); Ctrl-C
//!   or SIGTERM shut down cleanly.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, RwLock, mpsc};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use detwiki_catalog::{Catalog, CorpusSpec};
use detwiki_site::search::SearchIndex;
use notify::{EventKind, RecursiveMode, Watcher};

use crate::args::ServeArgs;
use crate::build::load_or_demo;

/// One rendered generation of the site.
struct Built {
    files: HashMap<String, Bytes>,
    search: SearchIndex,
}

type Shared = Arc<RwLock<Arc<Built>>>;

fn render(cat: &Catalog) -> anyhow::Result<Built> {
    let (files, _) = detwiki_site::render_to_memory(cat, &detwiki_site::Options::default())?;
    Ok(Built { files: files.into_iter().map(|(k, v)| (k, Bytes::from(v))).collect(), search: SearchIndex::build(cat) })
}

/// `detwiki serve`.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let specs = match crate::catalog::specs(&args.corpora) {
        Ok(s) => s,
        Err(_) => return Ok(ExitCode::from(2)),
    };
    let cat = match load_or_demo(&args.corpora, args.corpora.quiet) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let started = Instant::now();
    let built = render(&cat)?;
    tracing::info!(
        rules = cat.rules.len(),
        files = built.files.len(),
        ms = started.elapsed().as_millis() as u64,
        "rendered"
    );
    drop(cat);
    let shared: Shared = Arc::new(RwLock::new(Arc::new(built)));
    let _watcher = if specs.is_empty() { None } else { Some(watch(&specs, shared.clone())?) };
    if !args.addr.ip().is_loopback() {
        tracing::warn!(addr = %args.addr, "listening on a non-loopback address: the wiki is reachable from the network");
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(serve(args.addr, shared))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(addr: SocketAddr, shared: Shared) -> anyhow::Result<()> {
    let app = Router::new().fallback(handle).layer(middleware::from_fn(log)).with_state(shared);
    let listener = tokio::net::TcpListener::bind(addr).await?;
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

async fn handle(State(shared): State<Shared>, method: Method, uri: axum::http::Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return respond(StatusCode::METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "only GET\n");
    }
    let path = detwiki_site::html::pct_decode(uri.path());
    if path.contains(['\\', '\0']) || path.split('/').any(|s| s == "..") {
        return respond(StatusCode::BAD_REQUEST, "text/plain; charset=utf-8", "path refused\n");
    }
    let site = shared.read().map(|g| Arc::clone(&g)).unwrap_or_else(|p| Arc::clone(&p.into_inner()));
    if path == "/api/search" {
        let params = query_params(uri.query().unwrap_or(""));
        let q = params.get("q").cloned().unwrap_or_default();
        let limit = params.get("limit").and_then(|l| l.parse().ok()).unwrap_or(20usize).min(200);
        let hits = site.search.search(&q, limit);
        let body = serde_json::json!({ "query": q, "hits": hits });
        return respond(StatusCode::OK, "application/json", body.to_string());
    }
    let rel = path.trim_start_matches('/');
    let key = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_string() };
    if let Some(bytes) = site.files.get(&key) {
        return respond(StatusCode::OK, content_type(&key), bytes.clone());
    }
    if site.files.contains_key(&format!("{key}/index.html")) {
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

/// Watch the corpus folders; reload and re-render on change (debounced).
fn watch(specs: &[CorpusSpec], shared: Shared) -> anyhow::Result<notify::RecommendedWatcher> {
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
        let relevant = |ev: &notify::Result<notify::Event>| matches!(ev, Ok(e) if matches!(e.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any));
        while let Ok(ev) = rx.recv() {
            if !relevant(&ev) {
                continue;
            }
            // Let a burst of writes (an editor's save) settle.
            while rx.recv_timeout(Duration::from_millis(60)).is_ok() {}
            let started = Instant::now();
            let Ok(cat) = crate::catalog::load(&specs, true) else {
                tracing::warn!("reload failed: a corpus folder is gone");
                continue;
            };
            match render(&cat) {
                Ok(built) => {
                    if let Ok(mut g) = shared.write() {
                        *g = Arc::new(built);
                    }
                    tracing::info!(
                        rules = cat.rules.len(),
                        ms = started.elapsed().as_millis() as u64,
                        "rebuilt after a change"
                    );
                }
                Err(e) => tracing::warn!("rebuild failed, still serving the previous pages: {e:#}"),
            }
        }
    });
    Ok(watcher)
}
