//! Reads a long walk's commits ahead, on a second core, straight from the repository's largest pack.
//!
//! A walk of the whole history (`changelog --all`) spends most of its time inflating commits, and the walk
//! cannot go faster than one core: each commit names the next ones. But git writes a pack's commits in walk
//! order (newest first from `pack-objects`, oldest first from `fast-import`), so the commits the walk will
//! reach last are known before it starts: the far end of the pack. A second thread inflates them from that
//! end inwards while the walk comes from the other end; the walk takes what is there and reads the rest
//! itself, and the reader stops where they meet. Nothing depends on the order being right: a commit the
//! reader has not reached is read by the walk as always.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use gix::ObjectId;

use crate::domain::read_ahead;

/// Never hold more than this many bytes of read-ahead commits.
const MAX_BYTES: usize = 512 << 20;
/// Commits handed over per lock.
const BATCH: usize = 128;

/// Commits read ahead, for one walk.
#[derive(Default)]
pub struct ReadAhead {
    commits: Mutex<HashMap<ObjectId, Vec<u8>>>,
    /// Commits the walk has asked for so far: how far it has come.
    walked: AtomicUsize,
    done: AtomicBool,
}

impl ReadAhead {
    /// Tells the reader to stop (the walk is over).
    pub fn finish(&self) {
        self.done.store(true, Ordering::Relaxed);
    }

    /// Reads the far end of the largest pack under `objects` for a walk starting at `head`, until the walk
    /// comes near or [`ReadAhead::finish`] is called. Any problem just ends the read-ahead.
    pub fn fill(&self, objects: &Path, kind: gix::hash::Kind, head: ObjectId) {
        let Some(bundle) = largest_pack(objects, kind) else {
            return;
        };
        let mut commits: Vec<(u64, ObjectId)> = Vec::new();
        for entry in bundle.index.iter() {
            if self.done.load(Ordering::Relaxed) {
                return;
            }
            // An entry's first byte holds its type: enough to pick the commits out of every object in the
            // pack without decoding a header each.
            let first = bundle
                .pack
                .entry_slice(entry.pack_offset..entry.pack_offset + 1);
            if first.is_some_and(|b| read_ahead::is_commit_entry(b[0])) {
                commits.push((entry.pack_offset, entry.oid));
            }
        }
        commits.sort_unstable();
        // Where the walk enters the pack: at `head`, or, when the newest commits are loose or in a smaller
        // pack, at the end holding the newer commit.
        let start = match commits.iter().position(|(_, id)| *id == head) {
            Some(at) => at,
            None => {
                let (Some(first), Some(last)) = (commits.first(), commits.last()) else {
                    return;
                };
                let time = |offset: u64| commit_time(&bundle, offset, kind);
                read_ahead::entry_point(commits.len(), time(first.0) >= time(last.0))
            }
        };
        let mut inflate = gix::zlib::Inflate::default();
        let mut batch = Vec::with_capacity(BATCH);
        let mut bytes = 0;
        for (distance, index) in read_ahead::far_end_first(commits.len(), start) {
            let (offset, id) = &commits[index];
            // Stop where the walk is about to be: from there on it reads the commits itself.
            if self.done.load(Ordering::Relaxed)
                || read_ahead::walk_is_near(self.walked.load(Ordering::Relaxed), distance, BATCH)
                || bytes > MAX_BYTES
            {
                break;
            }
            let Ok(entry) = bundle.pack.entry(*offset) else {
                break;
            };
            let Ok(size) = usize::try_from(entry.decompressed_size) else {
                break;
            };
            let mut data = vec![0; size];
            if bundle
                .pack
                .decompress_entry(&entry, &mut inflate, &mut data)
                .is_err()
            {
                break;
            }
            bytes += size;
            batch.push((*id, data));
            if batch.len() == BATCH {
                self.hand_over(&mut batch);
            }
        }
        self.hand_over(&mut batch);
    }

    fn hand_over(&self, batch: &mut Vec<(ObjectId, Vec<u8>)>) {
        if let Ok(mut commits) = self.commits.lock() {
            commits.extend(batch.drain(..));
        }
    }

    fn take(&self, id: &gix::oid) -> Option<Vec<u8>> {
        self.walked.fetch_add(1, Ordering::Relaxed);
        self.commits.lock().ok()?.remove(id)
    }
}

/// The committer time of the commit at `offset` in the pack (0 when it cannot be read).
fn commit_time(bundle: &gix::odb::pack::Bundle, offset: u64, kind: gix::hash::Kind) -> i64 {
    let read = || -> Option<i64> {
        let entry = bundle.pack.entry(offset).ok()?;
        let mut data = vec![0; usize::try_from(entry.decompressed_size).ok()?];
        let mut inflate = gix::zlib::Inflate::default();
        bundle
            .pack
            .decompress_entry(&entry, &mut inflate, &mut data)
            .ok()?;
        let commit = gix::objs::CommitRef::from_bytes(&data, kind).ok()?;
        Some(commit.committer().ok()?.time().ok()?.seconds)
    };
    read().unwrap_or(0)
}

/// The pack with the most objects under `objects/pack`, if any can be opened.
fn largest_pack(objects: &Path, kind: gix::hash::Kind) -> Option<gix::odb::pack::Bundle> {
    let mut best: Option<gix::odb::pack::Bundle> = None;
    for entry in std::fs::read_dir(objects.join("pack")).ok()?.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "idx") {
            continue;
        }
        if let Ok(bundle) = gix::odb::pack::Bundle::at(&path, kind)
            && best
                .as_ref()
                .is_none_or(|b| b.index.num_objects() < bundle.index.num_objects())
        {
            best = Some(bundle);
        }
    }
    best
}

/// An object database that answers from the read-ahead first.
pub struct WithReadAhead<'a, F> {
    pub objects: F,
    pub ahead: &'a ReadAhead,
}

impl<F: gix::objs::Find> gix::objs::Find for WithReadAhead<'_, F> {
    fn try_find<'b>(
        &self,
        id: &gix::oid,
        buffer: &'b mut Vec<u8>,
    ) -> gix::Result<Option<gix::objs::Data<'b>>> {
        match self.ahead.take(id) {
            Some(data) => {
                *buffer = data;
                Ok(Some(gix::objs::Data::new(
                    buffer,
                    gix::objs::Kind::Commit,
                    id.kind(),
                )))
            }
            None => self.objects.try_find(id, buffer),
        }
    }
}
