//! What the integration tests share.

use std::sync::Mutex;

use detwiki_engine::read::ReadProblem;
use detwiki_engine::{Hit, HitSink};

/// A sink that keeps every hit and problem.
#[derive(Default)]
pub struct Collect {
    pub hits: Mutex<Vec<Hit>>,
    pub problems: Mutex<Vec<ReadProblem>>,
}

impl HitSink for Collect {
    fn hits(&self, hits: &mut Vec<Hit>) {
        self.hits.lock().unwrap().append(hits);
    }
    fn problem(&self, problem: ReadProblem) {
        self.problems.lock().unwrap().push(problem);
    }
}
