//! # detwiki-engine: Sigma rules compiled to matchers, hunted over EVTX and JSON logs
//!
//! ```text
//! Sigma rules (detwiki-sigma) ──compile (once; per logsource event source,
//!     │                                   taxonomy field maps applied)──▶ Ruleset
//!     │                                         │ routes: channel + event id → instances
//!     │                                         │ prefilter: Aho-Corasick over required literals
//! inputs ──read (EVTX chunks / JSON-line batches, rayon)──▶ Event (flattened, reused buffers)
//!                                               │
//!                         Ruleset::matches ─────┴──▶ Hit (rule, event info, matched fields) ──▶ HitSink
//! ```
//!
//! - [`event`]: the flattened event, with field naming as SigmaHQ's Windows rules expect;
//! - `binxml`: EVTX records → event straight from their template instance values (no JSON),
//!   checked against, and falling back to, the JSON the `evtx` crate renders;
//! - [`json`]: JSON → event in one streaming pass;
//! - [`read`]: inputs (EVTX, JSON lines, `.gz`, folders, stdin) and their problems;
//! - [`compile`] / [`matcher`]: the semantics of detections and modifiers;
//! - [`pipeline`]: pySigma processing pipelines (field mappings …) applied to rules before compiling
//!   (their own crate, `detwiki-pipeline`: they need only the Sigma model);
//! - [`rules`] / [`hit`]: leaf modules naming rules ([`rules::RuleInfo`], why one is skipped) and
//!   matches ([`Hit`]), shared by the ruleset, correlations and hunting;
//! - [`ruleset`]: compiling rules into instances (`build`), routing by logsource (`routing`),
//!   the literal prefilter (`prefilter`), matching;
//! - [`correlate`]: Sigma correlation rules, evaluated over the matches after the last input;
//! - [`hunt`]: the whole run, parallel over files and within them.
//!
//! ```
//! use detwiki_engine::{event::Event, ruleset::{Options, RulesetBuilder}};
//!
//! let file = detwiki_sigma::parse_str(
//!     "title: Whoami\nid: 1\nlogsource:\n  category: process_creation\n  product: windows\n\
//!      detection:\n  selection:\n    Image|endswith: '\\whoami.exe'\n  condition: selection\nlevel: high\n",
//! );
//! let mut b = RulesetBuilder::new();
//! b.add_file("sigma", "whoami.yml".as_ref(), &file, &|_| true);
//! let rules = b.build(&Options::default());
//! // Security 4688 names the image `NewProcessName`: the taxonomy maps it.
//! let ev = Event::from_pairs([
//!     ("Channel", "Security"),
//!     ("EventID", "4688"),
//!     ("NewProcessName", r"C:\Windows\System32\WHOAMI.EXE"),
//! ]);
//! let mut hits = Vec::new();
//! rules.matches(&ev, &mut rules.scratch(), |i| hits.push(rules.rule_of(i)));
//! assert_eq!(hits, [0]);
//! ```

#[cfg(feature = "evtx")]
mod binxml;
pub mod compile;
pub mod correlate;
pub mod event;
pub mod hit;
pub mod hunt;
pub mod json;
pub mod matcher;
pub mod read;
pub mod rules;
pub mod ruleset;

/// pySigma processing pipelines (the `detwiki-pipeline` crate), applied to rules before they are compiled.
pub use detwiki_pipeline as pipeline;

pub use compile::{Placeholders, load_placeholders};
pub use event::Event;
pub use hunt::{Hit, HitSink, Totals, hunt};
pub use pipeline::{Pipeline, Pipelines};
pub use ruleset::{Options, Ruleset, RulesetBuilder};
