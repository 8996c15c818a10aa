//! Facet counts (municipality, prefecture, year, municipality type, theme) over every
//! matching passage.
//!
//! A query on a large index can match a tenth of all passages, and facets must count every
//! one of them, so counting a hit has to cost a few nanoseconds. Two facts make that possible:
//!
//! - municipality, prefecture, year and type belong to a document, and a document's passages sit
//!   next to each other in a segment (one writer adds them together; merges keep the order).
//!   A segment is thus a short list of *runs* of passages sharing those values, and counting a
//!   hit is one increment of its run's count;
//! - segments never change, so what a segment holds is read once (its runs, and the few
//!   distinct sets of themes its passages have) and cached for every later query.
//!
//! Values are interned into ids shared by all segments, so per-segment counts merge by adding
//! vectors and names are written out once per query, only for the values that occurred.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Facet counts: for each facet, how many matching passages have each value.
pub type FacetCounts = BTreeMap<String, BTreeMap<String, u64>>;

/// The facets, in the order of the arrays below.
const FACETS: [&str; 5] = ["municipality", "prefecture", "year", "municipality_type", "theme"];
const MUNICIPALITY: usize = 0;
const PREFECTURE: usize = 1;
const YEAR: usize = 2;
const TYPE: usize = 3;
const THEME: usize = 4;

/// Values seen in any segment, by id.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn intern(&mut self, name: String) -> u32 {
        if let Some(&id) = self.ids.get(&name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(name.clone());
        self.ids.insert(name, id);
        id
    }
}

/// What every segment seen so far holds for facets, shared by all searches of an open index.
#[derive(Default)]
pub struct FacetCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentFacets>>>,
    names: Mutex<[Interner; 5]>,
}

impl FacetCache {
    fn segment(&self, segment: &SegmentReader) -> tantivy::Result<Arc<SegmentFacets>> {
        let id = segment.segment_id();
        if let Some(facets) = lock(&self.segments).get(&id) {
            return Ok(Arc::clone(facets));
        }
        // Read outside the segment lock: the search executor reads segments in parallel.
        let facets = Arc::new(SegmentFacets::read(segment, &self.names)?);
        lock(&self.segments).insert(id, Arc::clone(&facets));
        Ok(facets)
    }

    /// Names the ids that were counted.
    pub fn name(&self, counts: [Vec<u64>; 5]) -> FacetCounts {
        let names = lock(&self.names);
        FACETS
            .iter()
            .zip(names.iter().zip(counts))
            .map(|(facet, (interner, counts))| {
                let values = interner
                    .names
                    .iter()
                    .zip(counts)
                    .filter(|(_, count)| *count > 0)
                    .map(|(name, count)| (name.clone(), count))
                    .collect();
                ((*facet).to_owned(), values)
            })
            .collect()
    }
}

/// A poisoned lock is still consistent here: every update is a single insert or push.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One segment's facet values, ready for counting.
struct SegmentFacets {
    /// Per passage, in one word so that a hit costs one memory load and two increments: the
    /// index of its run (a stretch of passages with equal metadata) in the high half, and of
    /// its theme set (the distinct combinations of themes are few) in the low half.
    doc_keys: Vec<u64>,
    /// Interned municipality, prefecture, year and type of each run.
    run_values: Vec<[Option<u32>; 4]>,
    /// Theme set `i` holds the interned themes `set_themes[set_offsets[i]..set_offsets[i + 1]]`.
    set_offsets: Vec<u32>,
    set_themes: Vec<u32>,
    /// One more than the largest interned id in this segment, per facet: the counts'
    /// lengths, so that harvesting never reallocates.
    id_ends: [usize; 5],
}

impl SegmentFacets {
    fn read(segment: &SegmentReader, names: &Mutex<[Interner; 5]>) -> tantivy::Result<Self> {
        let fast = segment.fast_fields();
        let municipality = fast.str("municipality")?;
        let prefecture = fast.str("prefecture")?;
        let kind = fast.str("municipality_type")?;
        let year = fast.i64("year")?;
        let themes = segment.facet_reader("themes")?;
        let (municipality_ids, prefecture_ids, kind_ids, theme_ids) = {
            let mut names = lock(names);
            let theme_names = theme_dictionary(&themes)?;
            (
                intern_all(&mut names[MUNICIPALITY], dictionary(&municipality)),
                intern_all(&mut names[PREFECTURE], dictionary(&prefecture)),
                intern_all(&mut names[TYPE], dictionary(&kind)),
                intern_all(&mut names[THEME], theme_names),
            )
        };
        let local = |ids: &[u32], ord: Option<u64>| {
            ord.and_then(|ord| ids.get(usize::try_from(ord).ok()?)).copied()
        };
        let ord = |column: &Option<StrColumn>, doc: DocId| {
            column.as_ref().and_then(|c| c.ords().first(doc))
        };
        let mut years: HashMap<i64, u32> = HashMap::new();
        let mut facets = SegmentFacets {
            doc_keys: Vec::with_capacity(segment.max_doc() as usize),
            run_values: Vec::new(),
            set_offsets: vec![0],
            set_themes: Vec::new(),
            id_ends: [0; 5],
        };
        // Theme sets by their positions in the theme dictionary; `set` is reused per passage.
        let mut set_index: HashMap<Vec<u32>, u64> = HashMap::new();
        let mut set: Vec<u32> = Vec::new();
        for doc in 0..segment.max_doc() {
            let year_id = year.first(doc).map(|y| {
                *years.entry(y).or_insert_with(|| lock(names)[YEAR].intern(y.to_string()))
            });
            let run = [
                local(&municipality_ids, ord(&municipality, doc)),
                local(&prefecture_ids, ord(&prefecture, doc)),
                year_id,
                local(&kind_ids, ord(&kind, doc)),
            ];
            if facets.run_values.last() != Some(&run) {
                facets.run_values.push(run);
            }
            let run_index = facets.run_values.len().saturating_sub(1) as u64;
            set.clear();
            set.extend(themes.facet_ords(doc).filter_map(|o| u32::try_from(o).ok()));
            let set_id = match set_index.get(&set) {
                Some(&id) => id,
                None => {
                    let id = set_index.len() as u64;
                    let interned = set.iter().filter_map(|&at| theme_ids.get(at as usize));
                    facets.set_themes.extend(interned);
                    let end = u32::try_from(facets.set_themes.len()).unwrap_or(u32::MAX);
                    facets.set_offsets.push(end);
                    set_index.insert(set.clone(), id);
                    id
                }
            };
            facets.doc_keys.push(run_index << 32 | set_id);
        }
        let end = |ids: &mut dyn Iterator<Item = u32>| ids.max().map_or(0, |max| max as usize + 1);
        for facet in [MUNICIPALITY, PREFECTURE, YEAR, TYPE] {
            facets.id_ends[facet] = end(&mut facets.run_values.iter().filter_map(|run| run[facet]));
        }
        facets.id_ends[THEME] = end(&mut facets.set_themes.iter().copied());
        Ok(facets)
    }
}

fn intern_all(interner: &mut Interner, values: Vec<String>) -> Vec<u32> {
    values.into_iter().map(|value| interner.intern(value)).collect()
}

/// Every value of a string column in ordinal order.
fn dictionary(column: &Option<StrColumn>) -> Vec<String> {
    let mut out = Vec::new();
    let Some(column) = column else { return out };
    let Ok(mut terms) = column.dictionary().stream() else { return out };
    while terms.advance() {
        out.push(String::from_utf8_lossy(terms.key()).into_owned());
    }
    out
}

/// Theme ids (the last part of each facet path) in ordinal order.
fn theme_dictionary(themes: &tantivy::fastfield::FacetReader) -> tantivy::Result<Vec<String>> {
    let mut out = Vec::with_capacity(themes.num_facets());
    let mut facet = Facet::root();
    for ord in 0..themes.num_facets() as u64 {
        themes.facet_from_ord(ord, &mut facet)?;
        out.push(facet.to_path().last().map(|s| (*s).to_owned()).unwrap_or_default());
    }
    Ok(out)
}

/// Counts municipality, prefecture, year, type and theme over the matching passages.
pub struct FacetCounter<'a> {
    cache: &'a FacetCache,
}

impl<'a> FacetCounter<'a> {
    pub fn new(cache: &'a FacetCache) -> Self {
        FacetCounter { cache }
    }
}

pub struct SegmentFacetCounter {
    facets: Arc<SegmentFacets>,
    /// Matching passages per run.
    run_counts: Vec<u64>,
    /// Matching passages per theme set.
    set_counts: Vec<u64>,
}

impl Collector for FacetCounter<'_> {
    type Fruit = [Vec<u64>; 5];
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let facets = self.cache.segment(segment)?;
        Ok(SegmentFacetCounter {
            run_counts: vec![0; facets.run_values.len()],
            set_counts: vec![0; facets.set_offsets.len() - 1],
            facets,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut merged: [Vec<u64>; 5] = Default::default();
        for fruit in fruits {
            for (into, counts) in merged.iter_mut().zip(fruit) {
                add_into(into, &counts);
            }
        }
        Ok(merged)
    }
}

fn add_into(into: &mut Vec<u64>, counts: &[u64]) {
    if into.len() < counts.len() {
        into.resize(counts.len(), 0);
    }
    for (total, count) in into.iter_mut().zip(counts) {
        *total += count;
    }
}

fn add_at(counts: &mut Vec<u64>, id: u32, count: u64) {
    let id = id as usize;
    if counts.len() <= id {
        counts.resize(id + 1, 0);
    }
    counts[id] += count;
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = [Vec<u64>; 5];

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(&key) = self.facets.doc_keys.get(doc as usize) else { return };
        if let Some(count) = self.run_counts.get_mut((key >> 32) as usize) {
            *count += 1;
        }
        if let Some(count) = self.set_counts.get_mut((key & 0xffff_ffff) as usize) {
            *count += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out: [Vec<u64>; 5] = self.facets.id_ends.map(|end| vec![0; end]);
        let runs = self.facets.run_values.iter().zip(&self.run_counts);
        for (values, &count) in runs.filter(|(_, count)| **count > 0) {
            for (facet, id) in values.iter().enumerate() {
                if let Some(id) = id {
                    add_at(&mut out[facet], *id, count);
                }
            }
        }
        let facets = &self.facets;
        for (set, &count) in self.set_counts.iter().enumerate().filter(|(_, count)| **count > 0) {
            let (start, end) =
                (facets.set_offsets[set] as usize, facets.set_offsets[set + 1] as usize);
            for &id in facets.set_themes.get(start..end).unwrap_or_default() {
                add_at(&mut out[THEME], id, count);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_values_keep_their_first_id() {
        let mut interner = Interner::default();
        assert_eq!(intern_all(&mut interner, vec!["b".into(), "a".into()]), [0, 1]);
        assert_eq!(intern_all(&mut interner, vec!["a".into(), "c".into()]), [1, 2]);
    }
}
