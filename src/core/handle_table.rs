//! A slab of handles addressed by generation-tagged ids.
//!
//! A slot that is freed and reused gets a new generation, so an id (or a poll token made from
//! one) that outlived its handle never reaches the handle that took the slot over.

use mio::Token;

/// Identifies one handle of one loop: a slot index plus the slot's generation.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct HandleId {
    index: u32,
    generation: u32,
}

const _: () = assert!(
    usize::BITS >= 64,
    "poll tokens pack index and generation into 64 bits"
);

impl HandleId {
    /// An id that never names a live handle.
    pub const NONE: HandleId = HandleId {
        index: u32::MAX,
        generation: u32::MAX,
    };

    /// The poll token for this id.
    pub fn token(self) -> Token {
        Token(((self.generation as usize) << 32) | self.index as usize)
    }

    /// The id a poll token was made from.
    pub fn from_token(token: Token) -> HandleId {
        HandleId {
            index: (token.0 & 0xffff_ffff) as u32,
            generation: (token.0 >> 32) as u32,
        }
    }
}

struct Slot<T> {
    generation: u32,
    value: Option<T>,
}

/// A slab of `T` with generation-tagged ids.
pub struct HandleTable<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    len: usize,
}

impl<T> Default for HandleTable<T> {
    fn default() -> Self {
        HandleTable {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }
}

impl<T> HandleTable<T> {
    /// Stores `value` and returns its id.
    pub fn insert(&mut self, value: T) -> HandleId {
        self.len += 1;
        if let Some(index) = self.free.pop() {
            let slot = &mut self.slots[index as usize];
            slot.value = Some(value);
            return HandleId {
                index,
                generation: slot.generation,
            };
        }
        let index = u32::try_from(self.slots.len()).expect("fewer than 2^32 handles");
        self.slots.push(Slot {
            generation: 0,
            value: Some(value),
        });
        HandleId {
            index,
            generation: 0,
        }
    }

    /// The value for `id`, if it is still live.
    pub fn get(&self, id: HandleId) -> Option<&T> {
        let slot = self.slots.get(id.index as usize)?;
        if slot.generation != id.generation {
            return None;
        }
        slot.value.as_ref()
    }

    /// The value for `id`, mutably, if it is still live.
    pub fn get_mut(&mut self, id: HandleId) -> Option<&mut T> {
        let slot = self.slots.get_mut(id.index as usize)?;
        if slot.generation != id.generation {
            return None;
        }
        slot.value.as_mut()
    }

    /// Removes and returns the value for `id`; the slot's generation moves on.
    pub fn remove(&mut self, id: HandleId) -> Option<T> {
        let slot = self.slots.get_mut(id.index as usize)?;
        if slot.generation != id.generation {
            return None;
        }
        let value = slot.value.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(id.index);
        self.len -= 1;
        Some(value)
    }

    /// How many values are stored.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every live value in slot order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().filter_map(|s| s.value.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_ids_miss_reused_slots() {
        let mut t = HandleTable::default();
        let a = t.insert(1);
        assert_eq!(t.remove(a), Some(1));
        let b = t.insert(2);
        assert_ne!(a, b);
        assert_eq!(t.get(a), None);
        assert_eq!(t.get(b), Some(&2));
        assert_eq!(HandleId::from_token(b.token()), b);
        assert_eq!(t.len(), 1);
        assert_eq!(t.get(HandleId::NONE), None);
    }
}
