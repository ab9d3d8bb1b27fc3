//! Process-wide, type-stable slot storage for the objects behind C pointers, and the tagged
//! ids C gets instead of addresses.
//!
//! A table is a fixed directory of chunks; chunk `c` holds `CHUNK0 << c` slots, is allocated the
//! first time an index in it is needed, and is never freed. So looking up any index, however
//! old or made up, touches only memory that exists, without a lock. Each slot starts with a
//! [`SlotState`]: an atomic word holding the slot's generation (odd while the slot is in use,
//! even while free) and its handle kind. Beside each chunk, an array counts the slots'
//! cross-thread readers ("pins"; apart, so that a reader's writes do not bounce the cache line
//! the slot's own thread reads). The C
//! pointer of an object is a [`Token`]: its slot index and the generation it was given, with the
//! low bits zero; it is never NULL and never dereferenced. A call checks the token's generation
//! against the slot's: a pointer whose object is gone no longer matches, ever, because a
//! generation only grows and a slot whose next generation would not fit in a token is retired
//! (never reused). Free slots are reused most recently freed first, from a free list under a
//! lock (the handle table puts a per-thread cache in front of it, `handle_obj`).

use crate::core::sync_mutex::SyncMutex;
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, Ordering};

/// Slots in the first chunk; each next chunk is twice as big.
const CHUNK0_SHIFT: u32 = 6;
const CHUNK0: usize = 1 << CHUNK0_SHIFT;
/// Chunks in a directory: enough for every index a token can carry.
const CHUNKS: usize = 23;

/// Bits of a token: 3 zero bits, the class bit, the index (+1), then the generation.
const CLASS_BIT: usize = 1 << 3;
const INDEX_SHIFT: u32 = 4;
#[cfg(target_pointer_width = "64")]
const GEN_SHIFT: u32 = 32;
#[cfg(not(target_pointer_width = "64"))]
const GEN_SHIFT: u32 = 20;
const INDEX_MASK: usize = (1 << (GEN_SHIFT - INDEX_SHIFT)) - 1;
/// The largest generation a token can carry; a live generation never goes past it.
const MAX_LIVE_GEN: u64 = (1u64 << (usize::BITS - GEN_SHIFT)) - 3;

/// The state word: generation (high 32 bits), kind (low 8 bits).
const STATE_GEN_SHIFT: u32 = 32;

// Every index a token can carry has a chunk.
const _: () = assert!(CHUNK0 * ((1 << CHUNKS) - 1) >= INDEX_MASK);

/// Which table a token belongs to (so a loop pointer is never taken for a handle).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Class {
    /// Handle tokens.
    Handle,
    /// Loop tokens.
    Loop,
}

/// A decoded C pointer: slot index, the generation it was given, and its class.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Token {
    /// The slot index.
    pub(crate) index: usize,
    /// The (odd) generation the slot had when the pointer was handed out.
    pub(crate) gen: u64,
}

impl Token {
    /// The pointer-sized value C gets: never 0, the low 3 bits zero.
    pub(crate) fn encode(self, class: Class) -> usize {
        let class_bit = if class == Class::Loop { CLASS_BIT } else { 0 };
        // The generation is at most MAX_LIVE_GEN, which fits above GEN_SHIFT.
        ((self.gen as usize) << GEN_SHIFT) | ((self.index + 1) << INDEX_SHIFT) | class_bit
    }

    /// Decodes any pointer-sized value as a token of `class`; `None` if it cannot be one.
    #[inline]
    pub(crate) fn decode(value: usize, class: Class) -> Option<Token> {
        let class_bit = if class == Class::Loop { CLASS_BIT } else { 0 };
        if value & (CLASS_BIT | 0b111) != class_bit {
            return None;
        }
        let index = ((value >> INDEX_SHIFT) & INDEX_MASK).checked_sub(1)?;
        let gen = (value >> GEN_SHIFT) as u64;
        Some(Token { index, gen })
    }
}

/// The words at the start of every slot (see the module docs). Only the slot's owner (the
/// thread of the handle's loop) changes the generation and kind; any thread may pin.
pub(crate) struct SlotState {
    tag: AtomicU64,
    /// The slot's index in its table (fixed when its chunk is made).
    index: u32,
}

impl SlotState {
    /// The state of the unused slot at `index`.
    pub(crate) fn new(index: u32) -> Self {
        SlotState {
            tag: AtomicU64::new(0),
            index,
        }
    }

    /// The slot's token: its index and its generation while in use (the next one while free,
    /// which is what `publish` will give it).
    pub(crate) fn token(&self) -> Token {
        Token {
            index: self.index as usize,
            gen: self.gen() | 1,
        }
    }

    /// The kind stored with `gen` if the slot is in use with exactly that generation (a free
    /// slot's kind is 0, an used one's never).
    #[inline]
    pub(crate) fn live_kind(&self, gen: u64) -> Option<u8> {
        let s = self.tag.load(Ordering::Acquire);
        (s >> STATE_GEN_SHIFT == gen && s as u8 != 0).then_some(s as u8)
    }

    /// The generation and kind, for one comparison against [`SlotState::expect`].
    #[inline]
    pub(crate) fn load_tag(&self) -> u64 {
        self.tag.load(Ordering::Acquire)
    }

    /// What [`SlotState::load_tag`] returns while the slot is in use with `gen` and `kind`
    /// (`kind` is never 0).
    #[inline]
    pub(crate) fn expect(gen: u64, kind: u8) -> u64 {
        (gen << STATE_GEN_SHIFT) | u64::from(kind)
    }

    fn gen(&self) -> u64 {
        self.tag.load(Ordering::Acquire) >> STATE_GEN_SHIFT
    }

    /// Marks the slot in use with the next (odd) generation and `kind` (not 0); everything
    /// written to the slot before this is visible to whoever sees the new generation. Owner
    /// thread only.
    fn publish(&self, kind: u8) -> u64 {
        debug_assert_ne!(kind, 0);
        let gen = (self.tag.load(Ordering::Relaxed) >> STATE_GEN_SHIFT) + 1;
        self.tag.store(Self::expect(gen, kind), Ordering::Release);
        gen
    }

    /// Ends the slot's use: the generation moves on, so stale tokens fail from here. With
    /// `pinnable` (a kind other threads may pin) the store is SeqCst: it pairs with `pin`'s.
    fn unpublish(&self, pinnable: bool) {
        let next = (self.gen() + 1) << STATE_GEN_SHIFT;
        let order = if pinnable {
            Ordering::SeqCst
        } else {
            Ordering::Release
        };
        self.tag.store(next, order);
    }

    #[cfg(test)]
    fn set_gen(&self, gen: u64) {
        self.tag.store(gen << STATE_GEN_SHIFT, Ordering::Release);
    }
}

/// What a table holds: a type with a [`SlotState`] and an empty value for unused slots.
pub(crate) trait Slot: Sync + 'static {
    /// The unused slot at `index` (its state: `SlotState::new(index)`).
    fn new(index: u32) -> Self;
    /// The slot's state word.
    fn state(&self) -> &SlotState;
}

/// Pin counts of 16 slots, alone on a cache line (no other data shares it).
#[repr(align(64))]
struct PinLine([AtomicU32; PINS_PER_LINE]);

const PINS_PER_LINE: usize = 16;
const _: () = assert!(CHUNK0 % PINS_PER_LINE == 0);

/// Indices handed out so far and the free ones.
struct FreeList {
    free: Vec<u32>,
    next: usize,
}

/// A process-wide table of `T` slots (see the module docs).
pub(crate) struct SlotTable<T: Slot> {
    chunks: [AtomicPtr<T>; CHUNKS],
    /// The pin counts of each chunk's slots (made before the chunk is published).
    pins: [AtomicPtr<PinLine>; CHUNKS],
    free: SyncMutex<FreeList>,
}

/// Chunk number and offset of an index.
#[inline]
fn locate(index: usize) -> (usize, usize) {
    let j = index + CHUNK0;
    let chunk = (usize::BITS - 1 - j.leading_zeros() - CHUNK0_SHIFT) as usize;
    (chunk, j - (CHUNK0 << chunk))
}

impl<T: Slot> SlotTable<T> {
    /// An empty table (no chunk allocated yet).
    pub(crate) const fn new() -> Self {
        SlotTable {
            chunks: [const { AtomicPtr::new(std::ptr::null_mut()) }; CHUNKS],
            pins: [const { AtomicPtr::new(std::ptr::null_mut()) }; CHUNKS],
            free: SyncMutex::new(FreeList {
                free: Vec::new(),
                next: 0,
            }),
        }
    }

    /// The slot at `index`, if its chunk exists. Lock-free; any index is safe to ask for.
    #[inline]
    pub(crate) fn get(&self, index: usize) -> Option<&T> {
        if index > INDEX_MASK {
            return None;
        }
        let (chunk, offset) = locate(index);
        let base = self.chunks[chunk].load(Ordering::Acquire);
        if base.is_null() {
            return None;
        }
        // SAFETY: a non-NULL directory entry points at a leaked `Box<[T]>` of `CHUNK0 << chunk`
        // slots that is never freed (see `grow`), and `offset < CHUNK0 << chunk`; `T: Sync`.
        Some(unsafe { &*base.add(offset) })
    }

    /// The pin count of a slot of this table (`grow` makes it before the slot, so it is
    /// always there; `None` is never expected).
    fn pins_of(&self, slot: &T) -> Option<&AtomicU32> {
        let (chunk, offset) = locate(slot.state().index as usize);
        let base = self.pins[chunk].load(Ordering::Acquire);
        if base.is_null() {
            return None;
        }
        // SAFETY: non-NULL, it points at a leaked `Box<[PinLine]>` of `CHUNK0 << chunk` counts
        // that is never freed (see `grow`), and `offset < CHUNK0 << chunk`.
        let line = unsafe { &*base.add(offset / PINS_PER_LINE) };
        Some(&line.0[offset % PINS_PER_LINE])
    }

    /// Pins `slot` for a cross-thread reader if it is in use with `gen` and `kind`: until
    /// [`SlotTable::unpin`], its owner cannot finish freeing it (when it frees it as
    /// `pinnable`). Lock-free and async-signal-safe. The SeqCst add and load pair with
    /// `retire`'s SeqCst store and load: either the reader sees the new generation, or the
    /// owner sees the pin.
    pub(crate) fn pin(&self, slot: &T, gen: u64, kind: u8) -> bool {
        let Some(pins) = self.pins_of(slot) else {
            return false;
        };
        pins.fetch_add(1, Ordering::SeqCst);
        if slot.state().tag.load(Ordering::SeqCst) == SlotState::expect(gen, kind) {
            return true;
        }
        pins.fetch_sub(1, Ordering::Release);
        false
    }

    /// Ends a pin taken by [`SlotTable::pin`].
    pub(crate) fn unpin(&self, slot: &T) {
        if let Some(pins) = self.pins_of(slot) {
            pins.fetch_sub(1, Ordering::Release);
        }
    }

    /// Waits until no reader has `slot` pinned (each pin lasts a few instructions).
    fn wait_unpinned(&self, slot: &T) {
        let Some(pins) = self.pins_of(slot) else {
            return;
        };
        let mut spins = 0u32;
        while pins.load(Ordering::SeqCst) != 0 {
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }

    /// The slot of `token` if it is in use with the token's generation (any kind).
    pub(crate) fn live(&self, token: Token) -> Option<&T> {
        let slot = self.get(token.index)?;
        slot.state().live_kind(token.gen)?;
        Some(slot)
    }

    /// Takes a free slot (a new one if none is free) for the calling thread; it is not in use
    /// until [`SlotTable::publish`]. `None` only when every index is taken.
    pub(crate) fn alloc(&self) -> Option<&T> {
        let mut one = Vec::with_capacity(1);
        self.alloc_batch(1, &mut one);
        self.get(*one.first()? as usize)
    }

    /// Moves up to `n` free slot indices (new ones when none are free) to the end of `out`, the
    /// lowest last, under one lock: a thread's cache of slots to use (`handle_obj`).
    pub(crate) fn alloc_batch(&self, n: usize, out: &mut Vec<u32>) {
        let mut list = self.free.lock();
        let reused = n.min(list.free.len());
        let from = list.free.len() - reused;
        out.extend(list.free.drain(from..));
        let fresh = (n - reused).min((INDEX_MASK + 1).saturating_sub(list.next));
        let first = list.next;
        for i in first..first + fresh {
            let (chunk, _) = locate(i);
            if self.chunks[chunk].load(Ordering::Acquire).is_null() {
                self.grow(chunk);
            }
        }
        list.next += fresh;
        // Indices fit in u32: they are at most INDEX_MASK.
        out.extend((first..first + fresh).rev().map(|i| i as u32));
    }

    /// Allocates chunk `chunk` (called with the free list locked, so once per chunk).
    fn grow(&self, chunk: usize) {
        let first = (CHUNK0 << chunk) - CHUNK0;
        let slots: Box<[T]> = (first..first + (CHUNK0 << chunk))
            .map(|i| T::new(i as u32))
            .collect();
        let pins: Box<[PinLine]> = (0..(CHUNK0 << chunk) / PINS_PER_LINE)
            .map(|_| PinLine(std::array::from_fn(|_| AtomicU32::new(0))))
            .collect();
        // Leaked on purpose: a chunk lives as long as the process (type-stable storage).
        self.pins[chunk].store(Box::leak(pins).as_mut_ptr(), Ordering::Release);
        let base = Box::leak(slots).as_mut_ptr();
        self.chunks[chunk].store(base, Ordering::Release);
    }

    /// Puts a slot (taken by `alloc`) in use with `kind`; returns its token. Everything written
    /// to the slot before is visible to whoever checks the token.
    pub(crate) fn publish(&self, slot: &T, kind: u8) -> Token {
        let gen = slot.state().publish(kind);
        Token {
            index: slot.state().index as usize,
            gen,
        }
    }

    /// Ends the use of a slot (if published; with `pinnable`, waiting out its pins), then
    /// `clear` empties it on this thread. Returns whether the slot may be reused (not when its
    /// generations are used up: it is retired); the caller then passes it to `release`.
    pub(crate) fn retire(&self, slot: &T, pinnable: bool, clear: impl FnOnce(&T)) -> bool {
        if slot.state().gen() & 1 == 1 {
            slot.state().unpublish(pinnable);
            if pinnable {
                self.wait_unpinned(slot);
            }
        }
        clear(slot);
        slot.state().gen() < MAX_LIVE_GEN
    }

    /// Puts freed slot indices back on the free list.
    pub(crate) fn release(&self, indices: impl IntoIterator<Item = u32>) {
        let mut list = self.free.lock();
        list.free.extend(indices);
    }

    /// [`SlotTable::retire`] and [`SlotTable::release`] in one.
    pub(crate) fn free(&self, slot: &T, pinnable: bool, clear: impl FnOnce(&T)) {
        if self.retire(slot, pinnable, clear) {
            self.release([slot.state().index]);
        }
    }

    #[cfg(test)]
    pub(crate) fn force_gen(&self, index: usize, gen: u64) {
        if let Some(slot) = self.get(index) {
            slot.state().set_gen(gen);
        }
    }

    #[cfg(test)]
    pub(crate) fn max_live_gen() -> u64 {
        MAX_LIVE_GEN
    }
}

#[cfg(test)]
#[path = "slot_table_tests.rs"]
mod tests;
