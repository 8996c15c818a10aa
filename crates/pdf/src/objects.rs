//! Small helpers over lopdf's object model: following references, reading numbers and
//! names, and decompressing streams within the document's byte budget.

use std::cell::Cell;
use std::time::Instant;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

/// Resource limits shared by everything that reads one document.
#[derive(Debug)]
pub(crate) struct Budget {
    pub(crate) deadline: Instant,
    pub(crate) max_seconds: f64,
    pub(crate) max_decompressed: u64,
    pub(crate) decompressed: Cell<u64>,
    pub(crate) max_depth: u32,
}

/// Why reading stopped before the end: a limit of the [`Budget`] was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LimitHit {
    Bytes,
    Time,
}

impl Budget {
    pub(crate) fn check_time(&self) -> Result<(), LimitHit> {
        if Instant::now() > self.deadline { Err(LimitHit::Time) } else { Ok(()) }
    }

    /// The decoded content of a stream, counted against the decompression budget.
    pub(crate) fn stream_content(&self, stream: &Stream) -> Result<Option<Vec<u8>>, LimitHit> {
        let remaining = self.max_decompressed.saturating_sub(self.decompressed.get());
        let limit = usize::try_from(remaining).unwrap_or(usize::MAX);
        let content = if stream.filters().map(|f| f.is_empty()).unwrap_or(true) {
            Ok(stream.content.clone())
        } else {
            stream.decompressed_content_with_limit(limit)
        };
        match content {
            Ok(bytes) => {
                let used = self.decompressed.get() + bytes.len() as u64;
                self.decompressed.set(used);
                if used > self.max_decompressed {
                    return Err(LimitHit::Bytes);
                }
                Ok(Some(bytes))
            }
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => Err(LimitHit::Bytes),
            Err(_) => Ok(None),
        }
    }
}

/// Follows references until a direct object (with a bound, for reference loops).
pub(crate) fn resolve<'a>(doc: &'a Document, mut object: &'a Object) -> &'a Object {
    for _ in 0..32 {
        match object {
            Object::Reference(id) => match doc.get_object(*id) {
                Ok(next) => object = next,
                Err(_) => return &Object::Null,
            },
            _ => return object,
        }
    }
    &Object::Null
}

pub(crate) fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().map(|object| resolve(doc, object)).filter(|object| !object.is_null())
}

pub(crate) fn get_dict<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Dictionary> {
    match get(doc, dict, key)? {
        Object::Dictionary(inner) => Some(inner),
        Object::Stream(stream) => Some(&stream.dict),
        _ => None,
    }
}

pub(crate) fn get_stream<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Stream> {
    match get(doc, dict, key)? {
        Object::Stream(stream) => Some(stream),
        _ => None,
    }
}

pub(crate) fn get_name<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a str> {
    match get(doc, dict, key)? {
        Object::Name(name) => std::str::from_utf8(name).ok(),
        _ => None,
    }
}

pub(crate) fn get_array<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a [Object]> {
    match get(doc, dict, key)? {
        Object::Array(items) => Some(items),
        _ => None,
    }
}

pub(crate) fn number(doc: &Document, object: &Object) -> Option<f32> {
    match resolve(doc, object) {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) if r.is_finite() => Some(*r),
        _ => None,
    }
}

pub(crate) fn get_number(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<f32> {
    number(doc, dict.get(key).ok()?)
}

/// The object id behind `dict[key]` when it is a reference (for caches and cycle checks).
pub(crate) fn reference_id(dict: &Dictionary, key: &[u8]) -> Option<ObjectId> {
    dict.get(key).ok()?.as_reference().ok()
}

/// A six-number matrix from an array object, or None when it is malformed.
pub(crate) fn matrix(doc: &Document, items: &[Object]) -> Option<[f32; 6]> {
    if items.len() != 6 {
        return None;
    }
    let mut out = [0.0; 6];
    for (slot, item) in out.iter_mut().zip(items) {
        *slot = number(doc, item)?;
    }
    Some(out)
}
