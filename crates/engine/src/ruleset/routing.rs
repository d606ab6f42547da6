//! Routing: which instances an event meets (by channel and event id), and the per-thread
//! index of an event's fields by field-table id that evaluation reads through.

use std::collections::HashMap;

use super::{Guarded, Prefilter, Ruleset, Scratch};
use crate::compile::FieldTable;
use crate::event::{Event, FieldKey, FieldValue, Fields};
use crate::matcher::WordBuild;

impl Ruleset {
    /// The instances an event is routed to (channel-wide, this event id), looked up by name
    /// (the reference for [`Ruleset::routed_indexed`]; no prefilter).
    pub(super) fn routed<'a>(&'a self, ev: &Event, scratch: &mut Scratch) -> (&'a [u32], &'a [u32]) {
        if !self.routing {
            return (&self.all.list, &[]);
        }
        let Some(ch) = self.channel_fields.iter().find_map(|f| ev.get(f)) else { return (&[], &[]) };
        scratch.channel.clear();
        scratch.channel.push_str(ch.lower);
        let Some(route) = self.routes.get(scratch.channel.as_str()) else { return (&[], &[]) };
        let id = self.event_id_fields.iter().find_map(|f| ev.get(f)).and_then(|v| v.raw.trim().parse::<u32>().ok());
        match id.and_then(|id| route.by_id.get(&id)) {
            Some(g) => (&route.any.list, &g.list),
            None => (&route.any.list, &[]),
        }
    }

    /// The instances an event meets, by the field index (built for `ev`): the channel-wide
    /// ones, then those of its event id, each list with its prefilter (none when the prefilter
    /// is off or not built yet: see [`Ruleset::guard`]).
    pub(super) fn routed_indexed<'a>(&'a self, ev: &Event, index: &FieldIndex) -> [Part<'a>; 2] {
        const NONE: Part<'static> = (&[], None);
        let part = |g: &'a Guarded| -> Part<'a> { (&g.list, self.guard(g)) };
        if !self.routing {
            return [part(&self.all), NONE];
        }
        let view = Indexed { ev, index };
        let (channel, event_id) = &self.route_field_ids;
        let Some(ch) = channel.iter().find_map(|&f| view.values_by_id(f).next()) else { return [NONE, NONE] };
        let Some(route) = self.routes.get(ch.lower) else { return [NONE, NONE] };
        let id =
            event_id.iter().find_map(|&f| view.values_by_id(f).next()).and_then(|v| v.raw.trim().parse::<u32>().ok());
        let own = id.and_then(|id| route.by_id.get(&id)).map_or(NONE, part);
        [part(&route.any), own]
    }
}

/// A list of instances and its prefilter (if built).
pub(super) type Part<'a> = (&'a [u32], Option<&'a Prefilter>);

/// Per-thread index of an event's fields by [`FieldTable`] id, rebuilt for
/// each event that reaches rule evaluation (stamped, never cleared). The field
/// ids of an event's slots depend only on its list of names, which events of
/// one kind share: they are kept per list (up to [`MAX_SHAPES`]), so that most
/// events are indexed without looking a single name up.
#[derive(Debug, Default)]
pub(super) struct FieldIndex {
    /// Per field id: 1 + first slot with that exact name (0 = none).
    pub(super) first: Vec<u32>,
    /// Per field id: 1 + first slot whose name, without spaces, is it.
    pub(super) alias: Vec<u32>,
    pub(super) stamp: Vec<u32>,
    /// Per slot: 1 + next slot of the same chain.
    pub(super) next: Vec<u32>,
    pub(super) generation: u32,
    pub(super) key: String,
    /// Slot ids of recently seen name lists, by hash of the names.
    pub(super) shapes: HashMap<u64, Shape, WordBuild>,
    /// The field table the shapes were computed with (address, size).
    pub(super) shapes_of: (usize, usize),
}

/// Most name lists a [`FieldIndex`] remembers (then it starts again).
const MAX_SHAPES: usize = 1024;

/// Per slot of events with this list of names: (exact id, id without spaces), [`NO_ID`] for none.
#[derive(Debug)]
pub(super) struct Shape {
    pub(super) names: String,
    pub(super) ends: Vec<u32>,
    pub(super) ids: Vec<(u32, u32)>,
}

const NO_ID: u32 = u32::MAX;

impl Shape {
    fn is_of(&self, ev: &Event) -> bool {
        self.names == ev.names_text()
            && self.ends.len() == ev.len()
            && (0..ev.len()).all(|i| self.ends[i] == ev.name_end(i))
    }
}

impl FieldIndex {
    pub(super) fn build(&mut self, ev: &Event, table: &FieldTable) {
        if self.first.len() < table.len() {
            self.first.resize(table.len(), 0);
            self.alias.resize(table.len(), 0);
            self.stamp.resize(table.len(), 0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        let g = self.generation;
        self.next.clear();
        self.next.resize(ev.len(), 0);
        let of = (std::ptr::from_ref(table) as usize, table.len());
        if self.shapes_of != of || self.shapes.len() >= MAX_SHAPES {
            self.shapes.clear();
            self.shapes_of = of;
        }
        let hash = {
            use std::hash::{BuildHasher, Hasher};
            let mut h = WordBuild.build_hasher();
            h.write(ev.names_text().as_bytes());
            h.write_usize(ev.len());
            h.finish()
        };
        if !self.shapes.get(&hash).is_some_and(|s| s.is_of(ev)) {
            let shape = self.shape(ev, table);
            self.shapes.insert(hash, shape);
        }
        let FieldIndex { first, alias, stamp, next, shapes, .. } = self;
        let Some(shape) = shapes.get(&hash) else { return };
        // Backwards, so that chains are in event order.
        for (i, &(exact, spaceless)) in shape.ids.iter().enumerate().rev() {
            for (id, is_alias) in [(exact, false), (spaceless, true)] {
                if id == NO_ID {
                    continue;
                }
                let id = id as usize;
                if stamp[id] != g {
                    stamp[id] = g;
                    first[id] = 0;
                    alias[id] = 0;
                }
                let head = if is_alias { &mut alias[id] } else { &mut first[id] };
                // An alias slot is never also in the exact chain (its name has spaces).
                next[i] = *head;
                *head = i as u32 + 1;
            }
        }
    }

    /// The field ids of `ev`'s slots, looked up by name.
    fn shape(&mut self, ev: &Event, table: &FieldTable) -> Shape {
        let spaced = ev.has_spaced_names();
        let mut ids = Vec::with_capacity(ev.len());
        for i in 0..ev.len() {
            let name = ev.name_at(i);
            let exact = table.get(name).unwrap_or(NO_ID);
            let mut spaceless = NO_ID;
            if spaced && name.contains(' ') {
                self.key.clear();
                self.key.extend(name.chars().filter(|&c| c != ' '));
                spaceless = table.get(&self.key).unwrap_or(NO_ID);
            }
            ids.push((exact, spaceless));
        }
        Shape { names: ev.names_text().to_string(), ends: (0..ev.len()).map(|i| ev.name_end(i)).collect(), ids }
    }
}

/// An event seen through its [`FieldIndex`].
pub(super) struct Indexed<'a> {
    pub(super) ev: &'a Event,
    pub(super) index: &'a FieldIndex,
}

impl<'e> Indexed<'e> {
    /// The values of field `id`, as [`Fields::values`] gives them.
    pub(super) fn values_by_id(&self, id: u32) -> impl Iterator<Item = FieldValue<'e>> + 'e {
        let id = id as usize;
        let ix = self.index;
        let ev = self.ev;
        let mut at = match ix.stamp.get(id) {
            Some(&s) if s == ix.generation => {
                if ix.first[id] != 0 {
                    ix.first[id]
                } else {
                    ix.alias[id]
                }
            }
            _ => 0,
        };
        std::iter::from_fn(move || {
            if at == 0 {
                return None;
            }
            let slot = at as usize - 1;
            at = ix.next[slot];
            Some(ev.value_at(slot))
        })
    }
}

impl Fields for Indexed<'_> {
    fn event(&self) -> &Event {
        self.ev
    }

    fn values<'a>(&'a self, key: &'a FieldKey) -> impl Iterator<Item = FieldValue<'a>> + 'a {
        self.values_by_id(key.id)
    }
}
