//! Tests of the slot table: tokens, generations, reuse, retirement, pins.

use super::*;

struct TestSlot {
    state: SlotState,
}

impl Slot for TestSlot {
    fn new(index: u32) -> Self {
        TestSlot {
            state: SlotState::new(index),
        }
    }

    fn state(&self) -> &SlotState {
        &self.state
    }
}

#[test]
fn tokens_round_trip_and_reject_other_values() {
    for (index, gen) in [(0, 1), (63, 3), (64, 5), (INDEX_MASK - 1, MAX_LIVE_GEN)] {
        let t = Token { index, gen };
        for class in [Class::Handle, Class::Loop] {
            let v = t.encode(class);
            assert_ne!(v, 0);
            assert_eq!(v & 0b111, 0, "low bits zero");
            assert_eq!(Token::decode(v, class), Some(t));
        }
        assert_eq!(Token::decode(t.encode(Class::Loop), Class::Handle), None);
        assert_eq!(Token::decode(t.encode(Class::Handle), Class::Loop), None);
    }
    assert_eq!(Token::decode(0, Class::Handle), None);
    assert_eq!(Token::decode(0x1001, Class::Handle), None);
    assert_eq!(
        Token::decode(1 << GEN_SHIFT, Class::Handle),
        None,
        "index 0 is NULL"
    );
}

#[test]
fn locate_covers_every_index_once() {
    assert_eq!(locate(0), (0, 0));
    assert_eq!(locate(CHUNK0 - 1), (0, CHUNK0 - 1));
    assert_eq!(locate(CHUNK0), (1, 0));
    assert_eq!(locate(3 * CHUNK0 - 1), (1, 2 * CHUNK0 - 1));
    assert_eq!(locate(3 * CHUNK0), (2, 0));
    let (chunk, offset) = locate(INDEX_MASK);
    assert!(chunk < CHUNKS && offset < CHUNK0 << chunk);
}

#[test]
fn a_freed_slot_is_reused_with_a_new_generation() {
    let table: &'static SlotTable<TestSlot> = Box::leak(Box::new(SlotTable::new()));
    let slot = table.alloc().unwrap();
    let before = slot.state().token();
    assert!(table.live(before).is_none(), "not live before publish");
    let t1 = table.publish(slot, 4);
    assert_eq!(t1, before);
    assert_eq!(slot.state().token(), t1);
    assert!(table.live(t1).is_some());
    assert_eq!(slot.state().live_kind(t1.gen), Some(4));
    table.free(slot, false, |_| {});
    assert!(table.live(t1).is_none(), "stale after free");
    let slot2 = table.alloc().unwrap();
    assert!(std::ptr::eq(slot, slot2), "the freed slot is reused first");
    let t2 = table.publish(slot2, 4);
    assert_eq!(t2.index, t1.index);
    assert_ne!(t2, t1);
    assert!(
        table.live(t1).is_none(),
        "the old token never reaches the new use"
    );
    assert!(table.live(t2).is_some());
    assert!(table.get(INDEX_MASK + 1).is_none());
    assert!(table.get(1 << 20).is_none(), "unallocated chunk");
}

#[test]
fn batches_hand_out_each_index_once_lowest_first() {
    let table: &'static SlotTable<TestSlot> = Box::leak(Box::new(SlotTable::new()));
    let mut got = Vec::new();
    table.alloc_batch(3 * CHUNK0, &mut got);
    assert_eq!(got.len(), 3 * CHUNK0);
    assert_eq!(got.last(), Some(&0));
    let mut sorted = got.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..3 * CHUNK0 as u32).collect::<Vec<_>>());
    for &i in &got {
        assert_eq!(
            table.get(i as usize).unwrap().state().token().index,
            i as usize
        );
    }
    table.release([5, 9]);
    let mut more = Vec::new();
    table.alloc_batch(3, &mut more);
    assert_eq!(more, vec![5, 9, 3 * CHUNK0 as u32]);
}

#[test]
fn a_slot_whose_generation_would_not_fit_is_retired() {
    let table: &'static SlotTable<TestSlot> = Box::leak(Box::new(SlotTable::new()));
    let slot = table.alloc().unwrap();
    let i = slot.state().token().index;
    table.force_gen(i, SlotTable::<TestSlot>::max_live_gen() - 1);
    let t = table.publish(slot, 1);
    assert_eq!(t.gen, SlotTable::<TestSlot>::max_live_gen());
    assert_eq!(
        Token::decode(t.encode(Class::Handle), Class::Handle),
        Some(t)
    );
    table.free(slot, false, |_| {});
    assert!(table.live(t).is_none());
    let other = table.alloc().unwrap();
    assert_ne!(
        other.state().token().index,
        i,
        "a retired slot is never handed out again"
    );
}

#[test]
fn pins_match_generation_and_kind_and_hold_off_free() {
    let table: &'static SlotTable<TestSlot> = Box::leak(Box::new(SlotTable::new()));
    let slot = table.alloc().unwrap();
    let t = table.publish(slot, 3);
    assert!(!table.pin(slot, t.gen, 2), "wrong kind");
    assert!(!table.pin(slot, t.gen + 2, 3), "wrong generation");
    assert!(table.pin(slot, t.gen, 3));
    let (tx, rx) = std::sync::mpsc::channel();
    let freer = std::thread::spawn(move || {
        table.free(slot, true, |_| {});
        tx.send(()).unwrap();
    });
    // Once the generation moved on, the free still cannot finish while the pin is held.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while table.live(t).is_some() {
        assert!(std::time::Instant::now() < deadline, "free never started");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let wait = std::time::Duration::from_millis(20);
    assert!(rx.recv_timeout(wait).is_err());
    assert!(!table.pin(slot, t.gen, 3), "no new pin once freeing began");
    table.unpin(slot);
    rx.recv().unwrap();
    freer.join().unwrap();
    assert!(table.live(t).is_none());
}
