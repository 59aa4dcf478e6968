//! Stable sorting with one copy of the sorting code.
//!
//! `slice::sort_by` is generic over the element and the comparison, so every call
//! site compiles its own copy of the standard library's sort (about 3 kB of
//! WebAssembly each; the app had eleven). These functions sort a list of
//! positions with one non-generic instance of `sort_by` and then move the items
//! into that order: the result is exactly `sort_by`'s (stable, same comparison),
//! at the cost of one `Vec<usize>` per call.

use std::cmp::Ordering;

/// Sorts `items` stably by `compare`, exactly as `items.sort_by(compare)`.
pub fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    let order = stable_order(items.len(), &|a, b| compare(&items[a], &items[b]));
    permute(items, order);
}

/// Sorts `items` stably by a key, exactly as `items.sort_by_key(key)`.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` stably by a key computed once per item, exactly as
/// `items.sort_by_cached_key(key)`.
pub fn sort_by_cached_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    let keys: Vec<K> = items.iter().map(key).collect();
    let order = stable_order(items.len(), &|a, b| keys[a].cmp(&keys[b]));
    permute(items, order);
}

/// Puts `item` into `items`, kept sorted by `key`: in place of the item with the
/// same key (the last one put wins, as with `BTreeMap::insert`), or where it
/// belongs. Code that ships in the wasm keeps such a list instead of a map type
/// of its own (each map type brings kilobytes of B-tree code).
pub fn put_sorted<T, K: Ord + ?Sized>(items: &mut Vec<T>, item: T, key: impl Fn(&T) -> &K) {
    match items.binary_search_by(|probe| key(probe).cmp(key(&item))) {
        Ok(index) => items[index] = item,
        Err(index) => items.insert(index, item),
    }
}

/// The positions `0..len`, stably sorted by `compare`. The one instance of the
/// standard library's stable sort behind this module.
#[inline(never)]
fn stable_order(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    #[allow(clippy::disallowed_methods)] // the one sort that clippy.toml points to
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Moves `items[order[i]]` to position `i`, in place, one cycle at a time.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..items.len() {
        let mut position = start;
        while order[position] != DONE {
            let source = order[position];
            order[position] = DONE;
            if source == start {
                break;
            }
            items.swap(position, source);
            position = source;
        }
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // compared with the standard library's sorts
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn put_sorted_keeps_order_and_the_last_of_a_key() {
        let mut items: Vec<(&str, u32)> = Vec::new();
        for item in [("b", 1), ("a", 2), ("c", 3), ("b", 4)] {
            put_sorted(&mut items, item, |(key, _)| key);
        }
        assert_eq!(items, [("a", 2), ("b", 4), ("c", 3)]);
    }

    proptest! {
        // Pairs (key, original position): equal keys show whether the sort is stable.
        #[test]
        fn sorts_exactly_as_the_standard_library(keys in proptest::collection::vec(0u8..8, 0..200)) {
            let items: Vec<(u8, usize)> = keys.iter().copied().zip(0..).collect();

            let mut expected = items.clone();
            expected.sort_by_key(|item| item.0);
            let mut sorted = items.clone();
            sort_by(&mut sorted, |a, b| a.0.cmp(&b.0));
            prop_assert_eq!(&sorted, &expected);

            let mut by_key = items.clone();
            sort_by_key(&mut by_key, |item| item.0);
            prop_assert_eq!(&by_key, &expected);

            let mut cached = items.clone();
            sort_by_cached_key(&mut cached, |item| item.0);
            prop_assert_eq!(&cached, &expected);

            let mut descending = items.clone();
            descending.sort_by_key(|item| std::cmp::Reverse(item.0));
            let mut ours = items;
            sort_by(&mut ours, |a, b| b.0.cmp(&a.0));
            prop_assert_eq!(ours, descending);
        }
    }

    #[test]
    fn moves_owned_items_without_cloning_them() {
        let mut items = vec![String::from("c"), String::from("a"), String::from("b")];
        sort_by(&mut items, |a, b| a.cmp(b));
        assert_eq!(items, ["a", "b", "c"]);
    }
}
