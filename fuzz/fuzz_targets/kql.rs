//! Fuzz target for the KQL parser (`detwiki_elastic::kql`): the checks in
//! `common/query.rs`, which the three Elastic query targets share.

#![no_main]

#[path = "common/query.rs"]
mod query;

use detwiki_elastic::kql;
use detwiki_elastic::span::Span;
use libfuzzer_sys::fuzz_target;

const KQL: query::Language<kql::Query> = query::Language {
    parse: kql::parse,
    map_spans: |q, f| q.map_spans(&mut &mut *f),
    without_spans: kql::Query::without_spans,
    stages: |q, text| kql::stages(q, Span::new(0, text.len())),
};

fuzz_target!(|data: &[u8]| query::check(&KQL, data));
