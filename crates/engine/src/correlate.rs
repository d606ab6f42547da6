//! Sigma correlation rules (specification 2.0): `event_count`, `value_count`, `temporal` and
//! `temporal_ordered`, chained or not, with `group-by`, `aliases`, `timespan`, `condition`
//! and `generate`.
//!
//! A hunt reads every input once; each match of a rule that a correlation refers to becomes
//! an *observation* (its time, its group-by values, its value-count value). After the last
//! input, each correlation groups its observations by their group-by values, orders each
//! group by time and slides the timespan over it: from the oldest observation not yet part of
//! a correlation hit, the window holds every observation up to `timespan` later; when the
//! window satisfies the condition, that window is one correlation hit, and the next window
//! starts after it (windows of one group never overlap, so one burst is one hit). A
//! correlation's hits are observations of the correlations that refer to it.
//!
//! - `event_count`: the number of observations in the window;
//! - `value_count`: the number of distinct values of `condition.field` in it (observations
//!   without the field add none);
//! - `temporal`: the number of distinct referenced rules in it (without `condition`: all);
//! - `temporal_ordered`: the same, counting the rules matched in the order written (a window
//!   starts at a match of the first rule).
//!
//! As the specification says for `generate` (default false), the rules a correlation refers
//! to give no hits of their own unless one of the correlations referring to them says
//! `generate: true`. Observations without a readable time (`TimeCreated_SystemTime`,
//! `@timestamp` …) cannot be placed in a window: they are counted and reported. Group-by and
//! value fields are read as the matching rule instance's event source names them (the
//! taxonomy's field map, then the pipelines), as the rule's own fields are. A missing
//! group-by field is a group value of its own (as `GROUP BY` does with NULL). Observations are
//! kept until the last input is read: with correlations, memory grows with the matches of
//! the rules they refer to (about 200 bytes each), not with the input.
//!
//! Not evaluated (the rule is reported as skipped, with why): `value_sum`, `value_avg`,
//! `value_percentile`, `value_median`; a correlation without `timespan`, without `rules`, or
//! whose rules are not all loaded; correlations that refer to each other in a loop.

use std::collections::{HashMap, HashSet};

use detwiki_sigma::{CompareOp, CorrelationRule, CorrelationType};

use crate::event::Event;
use crate::hit::Hit;
use crate::rules::{RuleInfo, SkipReason, Skipped};

/// The correlations of a ruleset, compiled.
#[derive(Debug, Default)]
pub(crate) struct Correlations {
    list: Vec<Correlation>,
    /// Evaluation order: every correlation after those it refers to.
    order: Vec<usize>,
    /// Rule index → the (correlation, position in its `rules`) referring to it.
    refs_of: HashMap<u32, Vec<(usize, usize)>>,
    /// Rules whose own hits are not output (`generate` is false for all that refer to them).
    silent: HashSet<u32>,
    /// (instance, correlation) → the group-by fields and the value-count field, as the events
    /// of that instance name them.
    names: HashMap<(u32, usize), Names>,
}

/// A correlation's fields as one rule instance's events name them.
#[derive(Debug)]
struct Names {
    group_by: Vec<String>,
    field: Option<String>,
}

#[derive(Debug)]
struct Correlation {
    /// Its index in `Ruleset::rules`.
    rule: u32,
    kind: CorrelationType,
    /// The referred rules (indexes in `Ruleset::rules`; correlations too).
    refs: Vec<u32>,
    /// Per `group-by` name: the field to read in the matches of each referred rule.
    group_by: Vec<(String, Vec<String>)>,
    /// `value_count`'s field.
    field: Option<String>,
    span_ns: i128,
    thresholds: Vec<(CompareOp, f64)>,
}

/// One match of a rule a correlation refers to.
#[derive(Clone, Debug)]
pub(crate) struct Observation {
    corr: usize,
    /// Position of the matched rule in the correlation's `rules`.
    pos: usize,
    time: i128,
    key: Vec<Option<String>>,
    value: Option<String>,
    hit: Hit,
}

impl Observation {
    /// Time, then where in the input, then which rule and what it read: a total order.
    fn order(&self, other: &Self) -> std::cmp::Ordering {
        let at = |o: &Self| (o.time, o.hit.input, o.hit.record_id, o.hit.line, o.pos, o.hit.rule);
        at(self).cmp(&at(other)).then_with(|| self.key.cmp(&other.key)).then_with(|| self.value.cmp(&other.value))
    }
}

/// A correlation hit, with what the correlations referring to it read from it.
struct Found {
    hit: Hit,
    time: i128,
    group: Vec<(String, Option<String>)>,
}

impl Correlations {
    /// Compile `correlations` against the rules loaded so far (`rules`, with their `name`s):
    /// the correlations that can be evaluated are appended to `rules`, the others to `skipped`.
    pub(crate) fn compile(
        correlations: Vec<(RuleInfo, CorrelationRule)>,
        rules: &mut Vec<RuleInfo>,
        skipped: &mut Vec<Skipped>,
    ) -> Correlations {
        let mut out = Correlations::default();
        if correlations.is_empty() {
            return out;
        }
        // Names and ids of rules and correlations: a reference may name either.
        let mut by_ref: HashMap<String, Ref> = HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            for k in r.id.iter().chain(&r.name) {
                by_ref.entry(k.clone()).or_insert(Ref::Rule(i as u32));
            }
        }
        for (i, (info, _)) in correlations.iter().enumerate() {
            for k in info.id.iter().chain(&info.name) {
                by_ref.entry(k.clone()).or_insert(Ref::Correlation(i));
            }
        }
        let reasons: Vec<Option<String>> = correlations.iter().map(|(_, c)| unsupported(c, &by_ref)).collect();
        let mut refused = reasons;
        let order = order_of(&correlations, &by_ref, &mut refused);
        let mut index_of = vec![None; correlations.len()];
        let mut generate: HashMap<u32, bool> = HashMap::new();
        for &i in &order {
            let (info, c) = &correlations[i];
            let refs: Option<Vec<u32>> = c
                .rules
                .iter()
                .map(|r| match by_ref.get(&r.value)? {
                    Ref::Rule(k) => Some(*k),
                    Ref::Correlation(k) => index_of[*k].map(|j: usize| out.list[j].rule),
                })
                .collect();
            let Some(refs) = refs else {
                // It refers to a correlation that is skipped.
                refused[i] = Some("it refers to a correlation that is not evaluated".into());
                continue;
            };
            let rule = rules.len() as u32;
            rules.push(info.clone());
            // An alias names a field per rule (by the name the correlation uses for it, or the
            // rule's own `name`); other group-by fields have one name for all.
            let group_by = c
                .group_by
                .iter()
                .map(|g| {
                    let alias = c.aliases.iter().find(|a| &a.alias == g);
                    let per_ref = c
                        .rules
                        .iter()
                        .zip(&refs)
                        .map(|(written, &r)| {
                            let own = &rules[r as usize].name;
                            alias
                                .and_then(|a| {
                                    a.mapping.iter().find(|(k, _)| *k == written.value || Some(k) == own.as_ref())
                                })
                                .map_or_else(|| g.clone(), |(_, f)| f.clone())
                        })
                        .collect();
                    (g.clone(), per_ref)
                })
                .collect();
            let cond = c.condition.clone().unwrap_or_default();
            let j = out.list.len();
            index_of[i] = Some(j);
            for (pos, &r) in refs.iter().enumerate() {
                out.refs_of.entry(r).or_default().push((j, pos));
                *generate.entry(r).or_insert(false) |= c.generate == Some(true);
            }
            out.list.push(Correlation {
                rule,
                kind: c.kind.unwrap_or(CorrelationType::EventCount),
                refs,
                group_by,
                field: cond.field,
                span_ns: i128::from(c.timespan.as_ref().map_or(0, |t| t.value.seconds)) * 1_000_000_000,
                thresholds: cond.thresholds,
            });
            out.order.push(j);
        }
        for (i, (info, _)) in correlations.into_iter().enumerate() {
            if let Some(why) = refused[i].take().filter(|_| index_of[i].is_none()) {
                skipped.push(Skipped { rule: info, reason: SkipReason::Correlation(why) });
            }
        }
        out.silent = generate.into_iter().filter(|(_, g)| !g).map(|(r, _)| r).collect();
        out
    }

    /// Name the fields of each correlation as the events of each instance (`instance_rules[i]`
    /// is the rule of instance i) of a rule it refers to name them: `map(instance, field)`.
    pub(crate) fn name_fields(&mut self, instance_rules: &[u32], map: &dyn Fn(u32, &str) -> String) {
        for (instance, rule) in instance_rules.iter().enumerate() {
            let Some(refs) = self.refs_of.get(rule) else { continue };
            for &(corr, pos) in refs {
                let c = &self.list[corr];
                let names = Names {
                    group_by: c.group_by.iter().map(|(_, per_ref)| map(instance as u32, &per_ref[pos])).collect(),
                    field: c.field.as_deref().map(|f| map(instance as u32, f)),
                };
                self.names.insert((instance as u32, corr), names);
            }
        }
    }

    /// True when there is nothing to correlate.
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The rule (index in `Ruleset::rules`) of correlation `corr`.
    pub(crate) fn rule_of(&self, corr: usize) -> u32 {
        self.list[corr].rule
    }

    /// Whether rule `rule`'s own hits are output.
    pub(crate) fn outputs(&self, rule: u32) -> bool {
        !self.silent.contains(&rule)
    }

    /// The observations a match of rule instance `instance` (of rule `rule`) on `ev` makes
    /// (none when no correlation refers to the rule); `Err(correlation)` for one without a
    /// readable time.
    pub(crate) fn observe(
        &self,
        instance: u32,
        rule: u32,
        ev: &Event,
        hit: &Hit,
        out: &mut Vec<Result<Observation, usize>>,
    ) {
        let Some(refs) = self.refs_of.get(&rule) else { return };
        let time = hit.timestamp.as_deref().and_then(parse_time);
        for &(corr, pos) in refs {
            let Some(time) = time else {
                out.push(Err(corr));
                continue;
            };
            // Named for every instance of every rule a correlation refers to (`name_fields`).
            let Some(names) = self.names.get(&(instance, corr)) else { continue };
            let read = |name: &str| ev.get(name).filter(|v| !v.is_null()).map(|v| v.raw.to_string());
            let key = names.group_by.iter().map(|f| read(f)).collect();
            let value = names.field.as_deref().and_then(read);
            // The hit without its fields: a correlation hit has its own, and observations are
            // kept until the last input is read.
            let hit = Hit { fields: Vec::new(), ..hit.clone() };
            out.push(Ok(Observation { corr, pos, time, key, value, hit }));
        }
    }

    /// Evaluate every correlation over `observations` (in any order): its hits.
    pub(crate) fn evaluate(&self, observations: Vec<Observation>) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut by_corr: Vec<Vec<Observation>> = (0..self.list.len()).map(|_| Vec::new()).collect();
        for o in observations {
            let corr = o.corr;
            by_corr[corr].push(o);
        }
        for &j in &self.order {
            let c = &self.list[j];
            let mut mine = std::mem::take(&mut by_corr[j]);
            // Observations come in the order threads found them, and hits of the correlations it
            // refers to after its own: sorted by time, then by a total order, so that the hits
            // do not depend on threads.
            mine.sort_by(Observation::order);
            let found = c.evaluate(mine);
            // What refers to this correlation sees its hits.
            for f in &found {
                for &(outer, pos) in self.refs_of.get(&c.rule).map_or(&[][..], Vec::as_slice) {
                    let o = &self.list[outer];
                    let read = |name: &str| f.group.iter().find(|(g, _)| g == name).and_then(|(_, v)| v.clone());
                    by_corr[outer].push(Observation {
                        corr: outer,
                        pos,
                        time: f.time,
                        key: o.group_by.iter().map(|(_, per_ref)| read(&per_ref[pos])).collect(),
                        value: o.field.as_deref().and_then(read),
                        hit: f.hit.clone(),
                    });
                }
            }
            if self.outputs(c.rule) {
                hits.extend(found.into_iter().map(|f| f.hit));
            }
        }
        hits
    }
}

impl Correlation {
    /// The hits of this correlation over its observations (sorted by time).
    fn evaluate(&self, observations: Vec<Observation>) -> Vec<Found> {
        let mut groups: HashMap<Vec<Option<String>>, Vec<Observation>> = HashMap::new();
        let mut keys = Vec::new();
        for o in observations {
            let g = groups.entry(o.key.clone()).or_insert_with(|| {
                keys.push(o.key.clone());
                Vec::new()
            });
            g.push(o);
        }
        let mut found = Vec::new();
        for key in keys {
            let group = &groups[&key];
            let mut i = 0;
            while i < group.len() {
                match self.window(group, i) {
                    Some((last, count)) => {
                        found.push(self.found(&key, &group[i..=last], count));
                        i = last + 1;
                    }
                    None => i += 1,
                }
            }
        }
        found.sort_by_key(|f| f.time);
        found
    }

    /// The window starting at `start`: its last observation and its count, when it holds.
    fn window(&self, group: &[Observation], start: usize) -> Option<(usize, f64)> {
        let t0 = group[start].time;
        let len = group[start..].iter().take_while(|o| o.time - t0 <= self.span_ns).count();
        let window = &group[start..start + len];
        let last = start + len - 1;
        let all = self.refs.len();
        let (count, holds) = match self.kind {
            CorrelationType::EventCount => (len, self.holds(len as f64)),
            CorrelationType::ValueCount => {
                let n = window.iter().filter_map(|o| o.value.as_deref()).collect::<HashSet<_>>().len();
                (n, self.holds(n as f64))
            }
            CorrelationType::Temporal => {
                let mut seen = vec![false; all];
                window.iter().for_each(|o| seen[o.pos] = true);
                let n = seen.iter().filter(|s| **s).count();
                (n, if self.thresholds.is_empty() { n == all } else { self.holds(n as f64) })
            }
            CorrelationType::TemporalOrdered => {
                // A window starts at a match of the first rule; the others follow in order.
                if window[0].pos != 0 {
                    return None;
                }
                let (mut next, mut end) = (1, start);
                for (k, o) in window.iter().enumerate().skip(1) {
                    if next < all && o.pos == next {
                        next += 1;
                        end = start + k;
                    }
                }
                let holds = if self.thresholds.is_empty() { next == all } else { self.holds(next as f64) };
                return holds.then_some((end, next as f64));
            }
            _ => return None,
        };
        holds.then_some((last, count as f64))
    }

    fn holds(&self, n: f64) -> bool {
        self.thresholds.iter().all(|&(op, t)| match op {
            CompareOp::Gt => n > t,
            CompareOp::Gte => n >= t,
            CompareOp::Lt => n < t,
            CompareOp::Lte => n <= t,
            CompareOp::Eq => n == t,
            CompareOp::Neq => n != t,
        })
    }

    fn found(&self, key: &[Option<String>], window: &[Observation], count: f64) -> Found {
        let (first, last) = (&window[0], &window[window.len() - 1]);
        let group: Vec<(String, Option<String>)> =
            self.group_by.iter().map(|(name, _)| name.clone()).zip(key.iter().cloned()).collect();
        let mut fields: Vec<(String, String)> =
            group.iter().map(|(n, v)| (n.clone(), v.clone().unwrap_or_default())).collect();
        let what = match (self.kind, &self.field) {
            (CorrelationType::ValueCount, Some(f)) => format!("distinct {f}"),
            (CorrelationType::Temporal | CorrelationType::TemporalOrdered, _) => "rules".to_string(),
            _ => "events".to_string(),
        };
        fields.push((what, format!("{count}")));
        if !matches!(self.kind, CorrelationType::EventCount) {
            fields.push(("events".into(), window.len().to_string()));
        }
        fields.push(("first".into(), first.hit.timestamp.clone().unwrap_or_default()));
        fields.push(("last".into(), last.hit.timestamp.clone().unwrap_or_default()));
        let mut hit = last.hit.clone();
        hit.rule = self.rule;
        hit.fields = fields;
        Found { hit, time: last.time, group }
    }
}

#[derive(Clone, Copy, Debug)]
enum Ref {
    Rule(u32),
    Correlation(usize),
}

/// The correlations in an order where each comes after those it refers to (Kahn's algorithm:
/// no recursion, whatever the chains); those in a loop, or refused already, are left out, and
/// a correlation in or behind a loop is refused with why.
fn order_of(
    all: &[(RuleInfo, CorrelationRule)],
    by_ref: &HashMap<String, Ref>,
    refused: &mut [Option<String>],
) -> Vec<usize> {
    let deps: Vec<Vec<usize>> = all
        .iter()
        .map(|(_, c)| {
            c.rules
                .iter()
                .filter_map(|r| match by_ref.get(&r.value) {
                    Some(Ref::Correlation(k)) => Some(*k),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let mut waiting: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); all.len()];
    for (i, d) in deps.iter().enumerate() {
        for &k in d {
            users[k].push(i);
        }
    }
    let mut ready: Vec<usize> = (0..all.len()).filter(|&i| waiting[i] == 0).collect();
    ready.reverse();
    let mut order = Vec::new();
    while let Some(i) = ready.pop() {
        order.push(i);
        for &u in &users[i] {
            waiting[u] -= 1;
            if waiting[u] == 0 {
                ready.push(u);
            }
        }
    }
    for (i, w) in waiting.iter().enumerate() {
        if *w > 0 && refused[i].is_none() {
            refused[i] = Some("it refers to a loop of correlations (or is part of one)".into());
        }
    }
    order.retain(|&i| refused[i].is_none());
    order
}

/// Why a correlation cannot be evaluated, if it cannot.
fn unsupported(c: &CorrelationRule, by_ref: &HashMap<String, Ref>) -> Option<String> {
    let Some(kind) = c.kind else { return Some("it has no `type`".into()) };
    if !matches!(
        kind,
        CorrelationType::EventCount
            | CorrelationType::ValueCount
            | CorrelationType::Temporal
            | CorrelationType::TemporalOrdered
    ) {
        let name = CorrelationType::NAMES.iter().find(|n| CorrelationType::parse(n) == Some(kind)).unwrap_or(&"?");
        return Some(format!("correlation type `{name}` is not evaluated"));
    }
    if c.rules.is_empty() {
        return Some("it refers to no rule".into());
    }
    if let Some(r) = c.rules.iter().find(|r| !by_ref.contains_key(&r.value)) {
        return Some(format!("it refers to `{}`, which is not loaded", r.value));
    }
    if c.timespan.is_none() {
        return Some("it has no `timespan`".into());
    }
    let cond = c.condition.as_ref();
    if matches!(kind, CorrelationType::EventCount | CorrelationType::ValueCount)
        && cond.is_none_or(|c| c.thresholds.is_empty())
    {
        return Some("it has no `condition`".into());
    }
    if kind == CorrelationType::ValueCount && cond.and_then(|c| c.field.as_ref()).is_none() {
        return Some("`value_count` needs `condition.field`".into());
    }
    None
}

/// An event time (`2019-08-14T14:06:44.4956748Z`, `2019-04-27 15:57:25.868`, with `Z`, an
/// offset or none: UTC) as nanoseconds since 1970. RFC 3339 / ISO 8601 as `jiff` reads it: a
/// date that is not in the calendar (February 30) or a time without seconds is no time.
pub fn parse_time(s: &str) -> Option<i128> {
    use jiff::fmt::temporal::Pieces;
    let s = s.trim();
    // Seconds are required (`HH:MM:SS`): a bare `HH:MM` is not how logs write event times.
    if s.as_bytes().get(16) != Some(&b':') {
        return None;
    }
    let pieces = Pieces::parse(s).ok()?;
    let datetime = pieces.date().to_datetime(pieces.time()?);
    let offset = pieces.to_numeric_offset().unwrap_or(jiff::tz::Offset::UTC);
    Some(offset.to_timestamp(datetime).ok()?.as_nanosecond())
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn event_times() {
        let s = |t: &str| parse_time(t).map(|n| n / 1_000_000_000);
        assert_eq!(s("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(s("2019-08-14T14:06:44.4956748Z"), Some(1_565_791_604));
        assert_eq!(parse_time("2019-08-14T14:06:44.4956748Z").map(|n| n % 1_000_000_000), Some(495_674_800));
        assert_eq!(s("2019-04-27 15:57:25.868"), Some(1_556_380_645));
        assert_eq!(s("2019-04-27T17:57:25+02:00"), Some(1_556_380_645));
        assert_eq!(s("2000-02-29T00:00:00Z"), Some(951_782_400));
        for bad in [
            "",
            "yesterday",
            "2019-13-01T00:00:00Z",
            "2019-01-01T25:00:00Z",
            "2019-01-01T00:00:00.Z",
            "2019-01-01",
            "2019-02-30T00:00:00Z",
            "2019-01-01T10:00Z",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
