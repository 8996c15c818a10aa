//! Facet counts over every matching passage, read from fast-field columns.
//!
//! tantivy's `FacetCollector` resolves facet paths per segment, which costs far more than the
//! query itself when a facet has thousands of values (one per municipality). Counting column
//! ordinals and naming only the ordinals that occurred keeps facets cheap.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Counts the values of a fast string field over the matching documents.
pub struct StrCounts {
    field: &'static str,
}

impl StrCounts {
    pub fn new(field: &'static str) -> Self {
        StrCounts { field }
    }
}

pub struct StrCountsSegment {
    column: Option<StrColumn>,
    counts: Vec<u64>,
}

impl Collector for StrCounts {
    type Fruit = BTreeMap<String, u64>;
    type Child = StrCountsSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let column = segment.fast_fields().str(self.field)?;
        let counts = vec![0; column.as_ref().map_or(0, |c| c.num_terms())];
        Ok(StrCountsSegment { column, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        Ok(merge_counts(fruits))
    }
}

impl SegmentCollector for StrCountsSegment {
    type Fruit = BTreeMap<String, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(column) = &self.column {
            for ord in column.ords().values_for_doc(doc) {
                if let Some(count) = self.counts.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
    }

    /// Names the ordinals that occurred by streaming the segment's dictionary once, in
    /// ordinal order (much cheaper than one random lookup per ordinal).
    fn harvest(self) -> Self::Fruit {
        let mut out = BTreeMap::new();
        let Some(column) = self.column else { return out };
        let Ok(mut terms) = column.dictionary().stream() else { return out };
        let mut ord = 0;
        while terms.advance() {
            if let Some(&count) = self.counts.get(ord).filter(|&&c| c > 0) {
                out.insert(String::from_utf8_lossy(terms.key()).into_owned(), count);
            }
            ord += 1;
        }
        out
    }
}

/// Counts the values of a fast i64 field over the matching documents.
pub struct I64Counts {
    field: &'static str,
}

impl I64Counts {
    pub fn new(field: &'static str) -> Self {
        I64Counts { field }
    }
}

pub struct I64CountsSegment {
    column: Column<i64>,
    counts: BTreeMap<i64, u64>,
}

impl Collector for I64Counts {
    type Fruit = BTreeMap<String, u64>;
    type Child = I64CountsSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(I64CountsSegment {
            column: segment.fast_fields().i64(self.field)?,
            counts: BTreeMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        Ok(merge_counts(fruits))
    }
}

impl SegmentCollector for I64CountsSegment {
    type Fruit = BTreeMap<String, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for value in self.column.values_for_doc(doc) {
            *self.counts.entry(value).or_default() += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.counts.into_iter().map(|(value, count)| (value.to_string(), count)).collect()
    }
}

fn merge_counts(fruits: Vec<BTreeMap<String, u64>>) -> BTreeMap<String, u64> {
    let mut merged = BTreeMap::new();
    for fruit in fruits {
        for (key, count) in fruit {
            *merged.entry(key).or_default() += count;
        }
    }
    merged
}
