//! One stable sort for the whole program, to keep the wasm small.
//!
//! `slice::sort_by` (driftsort) is a few KiB of code, and it is instantiated once per
//! element type and comparison closure: measured in the release wasm, 44 copies took
//! 160 KiB of code. These functions sort a list of positions with the standard stable
//! sort, instantiated once for `usize` and a `dyn` comparison, then move the items
//! into that order; per call site only the small adapters are new code. They keep the
//! standard sort's semantics: stable, and the same order for the same comparison
//! (a stable sort is also a valid `sort_unstable`).

use std::cmp::Ordering;

/// Sorts `items` stably by `compare`, like `<[T]>::sort_by`.
pub fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    let order = sorted_positions(items.len(), &|a, b| match (items.get(a), items.get(b)) {
        (Some(x), Some(y)) => compare(x, y),
        _ => Ordering::Equal,
    });
    permute(items, &order);
}

/// Sorts `items` stably by the key `key` extracts, like `<[T]>::sort_by_key` (which
/// also extracts each key anew for every comparison).
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` stably in their natural order, like `<[T]>::sort`.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The positions `0..len` in the order `compare` puts them, equal ones keeping their
/// order: the only instance of the standard library's sort this module needs.
#[inline(never)]
fn sorted_positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..len).collect();
    positions.sort_by(|a, b| compare(*a, *b));
    positions
}

/// Moves `items` into `order` (`order[i]` is the old position of the item that goes to
/// position `i`), in place: each swap puts one item where it belongs.
fn permute<T>(items: &mut [T], order: &[usize]) {
    let mut destination = destinations(order);
    for i in 0..items.len() {
        while let Some(&to) = destination.get(i) {
            if to == i || to >= items.len() {
                break;
            }
            items.swap(i, to);
            destination.swap(i, to);
        }
    }
}

/// The inverse permutation: where the item now at each position goes.
#[inline(never)]
fn destinations(order: &[usize]) -> Vec<usize> {
    let mut destination: Vec<usize> = (0..order.len()).collect();
    for (new, &old) in order.iter().enumerate() {
        if let Some(slot) = destination.get_mut(old) {
            *slot = new;
        }
    }
    destination
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        // Pairs with many equal keys: stability shows in the second field.
        let mut seed = 7u64;
        for len in [0usize, 1, 2, 3, 10, 33, 200] {
            let items: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (((seed >> 33) % 5) as u8, i)
                })
                .collect();
            let mut ours = items.clone();
            let mut std_sorted = items.clone();
            sort_by_key(&mut ours, |p| p.0);
            std_sorted.sort_by_key(|p| p.0);
            assert_eq!(ours, std_sorted, "len {len}");

            let mut ours = items.clone();
            let mut std_sorted = items;
            sort_by(&mut ours, |a, b| b.0.cmp(&a.0));
            std_sorted.sort_by(|a, b| b.0.cmp(&a.0));
            assert_eq!(ours, std_sorted, "len {len}, reversed");
        }
    }

    #[test]
    fn sorts_strings_in_their_natural_order() {
        let mut names = vec!["web".to_string(), "api".to_string(), "db".to_string(), "api".to_string()];
        sort(&mut names);
        assert_eq!(names, ["api", "api", "db", "web"]);
    }
}
