//! Fuzz target for the ES|QL parser (`detwiki_elastic::esql`): the checks in
//! `common/query.rs`, which the three Elastic query targets share.

#![no_main]

#[path = "common/query.rs"]
mod query;

use detwiki_elastic::esql;

use libfuzzer_sys::fuzz_target;

const ESQL: query::Language<esql::Query> = query::Language {
    parse: esql::parse,
    map_spans: |q, f| q.map_spans(&mut &mut *f),
    without_spans: esql::Query::without_spans,
    stages: |q, _| esql::stages(q),
};

fuzz_target!(|data: &[u8]| query::check(&ESQL, data));
