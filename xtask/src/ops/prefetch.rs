//! Reads a long walk's commits ahead, on a second core, straight from the repository's largest pack.
//!
//! A walk of the whole history (`changelog --all`) spends most of its time inflating commits, and the walk
//! cannot go faster than one core: each commit names the next ones. But git writes a pack's commits in walk
//! order (newest first from `pack-objects`, oldest first from `fast-import`), so the commits the walk will
//! reach last are known before it starts: the far end of the pack. A second thread inflates them from that
//! end inwards while the walk comes from the other end; the walk takes what is there and reads the rest
//! itself, and the reader stops where they meet. Nothing depends on the order being right: a commit the
//! reader has not reached is read by the walk as always.
//!
//! The reader maps the pack a second time, and a page read through both maps counts twice in the process's
//! resident memory: so it looks only at its own side of the pack (the walk never reads a page there, it
//! takes the commits from here) and at the index, never at every entry. (The walk cannot read through the
//! reader's map instead: the object database has read the release tags through its own by then, across
//! the whole pack.)

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use gix::ObjectId;

use crate::domain::read_ahead::{self, Side};

/// Never hold more than this many bytes of read-ahead commits: a longer history's far end is left to the
/// walk, so that memory stays bounded.
const MAX_BYTES: usize = 64 << 20;
/// Commits handed over per lock.
const BATCH: usize = 128;

/// Commits read ahead, for one walk.
#[derive(Default)]
pub struct ReadAhead {
    commits: Mutex<HashMap<ObjectId, Box<[u8]>>>,
    /// The walk has taken a commit read ahead: it has reached the reader's side, and reading on would
    /// only read what the walk has read already.
    met: AtomicBool,
    done: AtomicBool,
}

impl ReadAhead {
    /// Tells the reader to stop (the walk is over).
    pub fn finish(&self) {
        self.done.store(true, Ordering::Relaxed);
    }

    fn stopped(&self) -> bool {
        self.done.load(Ordering::Relaxed) || self.met.load(Ordering::Relaxed)
    }

    /// Reads the far end of the largest pack under `objects` for a walk starting at `head`, until the walk
    /// comes near or [`ReadAhead::finish`] is called. Any problem just ends the read-ahead.
    pub fn fill(&self, objects: &Path, kind: gix::hash::Kind, head: ObjectId) {
        let Some(bundle) = largest_pack(objects, kind) else {
            return;
        };
        let Some(entries) = self.far_side(&bundle, kind, head) else {
            return;
        };
        // The ids are read from the file: through the map, the pages holding them would count twice.
        let Ok(index_file) = std::fs::File::open(bundle.index.path()) else {
            return;
        };
        let version = match bundle.index.version() {
            gix::odb::pack::index::Version::V1 => 1,
            gix::odb::pack::index::Version::V2 => 2,
        };
        let mut inflate = gix::zlib::Inflate::default();
        let mut batch = Vec::with_capacity(BATCH);
        let mut bytes = 0;
        for &key in &entries {
            if self.stopped() || bytes > MAX_BYTES {
                break;
            }
            let (offset, index) = read_ahead::unkey(key);
            // An entry's first byte holds its type: enough to pass over the trees and blobs.
            let first = bundle.pack.entry_slice(offset..offset + 1);
            if !first.is_some_and(|b| read_ahead::is_commit_entry(b[0])) {
                continue;
            }
            let Ok(entry) = bundle.pack.entry(offset) else {
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
            let at = read_ahead::id_position(version, index, kind.len_in_bytes());
            let Some(id) = read_id(&index_file, at, kind) else {
                break;
            };
            bytes += size;
            batch.push((id, data.into_boxed_slice()));
            if batch.len() == BATCH {
                self.hand_over(&mut batch);
            }
        }
        self.hand_over(&mut batch);
    }

    /// The entries of the side of the pack the walk reaches last, as [`read_ahead::key`]s, the far end
    /// first; `None` when there is nothing to read ahead.
    fn far_side(
        &self,
        bundle: &gix::odb::pack::Bundle,
        kind: gix::hash::Kind,
        head: ObjectId,
    ) -> Option<Vec<u64>> {
        let index = &bundle.index;
        let all = 0..index.num_objects();
        let offset = |i: u32| index.pack_offset_at_index(i);
        if let Some(at) = index.lookup(head).map(offset) {
            let below = all.clone().filter(|&i| offset(i) < at).count();
            let above = (index.num_objects() as usize).saturating_sub(below + 1);
            let side = read_ahead::far_side(below, above);
            let mut entries = Vec::with_capacity(below.max(above));
            for i in all {
                let o = offset(i);
                if (side == Side::Below && o < at) || (side == Side::Above && o > at) {
                    entries.push(read_ahead::key(o, i)?);
                }
            }
            read_ahead::far_end_first(&mut entries, side);
            return Some(entries);
        }
        // The newest commits are loose or in a smaller pack: the walk enters at the end holding the newer
        // commit.
        let mut entries = all
            .map(|i| read_ahead::key(offset(i), i))
            .collect::<Option<Vec<u64>>>()?;
        entries.sort_unstable();
        let is_commit = |&&key: &&u64| {
            let (o, _) = read_ahead::unkey(key);
            bundle
                .pack
                .entry_slice(o..o + 1)
                .is_some_and(|b| read_ahead::is_commit_entry(b[0]))
        };
        let first = read_ahead::unkey(*entries.iter().find(is_commit)?).0;
        let last = read_ahead::unkey(*entries.iter().rev().find(is_commit)?).0;
        let time = |offset: u64| commit_time(bundle, offset, kind);
        let side = read_ahead::far_side_of_newer_end(time(first) >= time(last));
        read_ahead::far_end_first(&mut entries, side);
        (!self.stopped()).then_some(entries)
    }

    fn hand_over(&self, batch: &mut Vec<(ObjectId, Box<[u8]>)>) {
        if let Ok(mut commits) = self.commits.lock() {
            commits.extend(batch.drain(..));
        }
    }

    fn take(&self, id: &gix::oid) -> Option<Vec<u8>> {
        let data = self.commits.lock().ok()?.remove(id)?;
        self.met.store(true, Ordering::Relaxed);
        Some(data.into_vec())
    }
}

/// The object id of `kind` at byte `at` of `file`.
fn read_id(file: &std::fs::File, at: u64, kind: gix::hash::Kind) -> Option<ObjectId> {
    let mut buffer = [0u8; 64];
    let id = buffer.get_mut(..kind.len_in_bytes())?;
    #[cfg(unix)]
    std::os::unix::fs::FileExt::read_exact_at(file, id, at).ok()?;
    #[cfg(windows)]
    {
        let mut read = 0;
        while read < id.len() {
            let rest = id.get_mut(read..)?;
            match std::os::windows::fs::FileExt::seek_read(file, rest, at + read as u64) {
                Ok(0) | Err(_) => return None,
                Ok(n) => read += n,
            }
        }
    }
    #[cfg(not(any(unix, windows)))]
    return None;
    ObjectId::try_from(&*id).ok()
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
