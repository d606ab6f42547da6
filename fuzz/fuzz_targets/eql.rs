//! Fuzz target for the EQL parser (`detwiki_elastic::eql`): the checks in
//! `common/query.rs`, which the three Elastic query targets share.

#![no_main]

#[path = "common/query.rs"]
mod query;

use detwiki_elastic::eql;

use libfuzzer_sys::fuzz_target;

const EQL: query::Language<eql::Query> = query::Language {
    parse: eql::parse,
    map_spans: |q, f| q.map_spans(&mut &mut *f),
    without_spans: eql::Query::without_spans,
    stages: |q, _| eql::stages(q),
};

fuzz_target!(|data: &[u8]| query::check(&EQL, data));
