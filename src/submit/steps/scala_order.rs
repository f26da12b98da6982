//! Emulation of the iteration order of Scala's immutable hash collections, so that the
//! feature steps that iterate them (user volumes, mounted secrets, secretKeyRef env vars)
//! emit their lists in exactly the order of the real `spark-submit`.
//!
//! # What Spark does
//!
//! `SparkConf.getAllWithPrefix(p)` walks the conf's `java.util.concurrent.ConcurrentHashMap`
//! and `.toMap` turns the result into an immutable Scala `Map`; the steps then iterate that map
//! (env vars, secret mounts), or a `Set` built from it (`keys.map` of the secret volumes, the
//! `(type, name)` pairs and the `KubernetesVolumeSpec`s of user volumes).
//!
//! * Up to 4 entries, Scala builds `Map1`..`Map4` / `Set1`..`Set4`, which iterate in insertion
//!   order. For a map built straight from `getAllWithPrefix` that is the `ConcurrentHashMap`'s
//!   order, which depends on every entry of the whole conf (table size, bins, resize history):
//!   **not emulated**, [`hash_map_order`] answers `None` and callers keep their sorted order.
//!   A set built from an already hash-ordered collection is deterministic: [`set_order`].
//! * From 5 entries on it is a hash trie, whose order depends only on the elements' hashes:
//!   `improve(x.##)` ([`improve`]), consumed 5 bits at a time from the least significant end.
//!   - Scala 2.12 (`HashTrieMap`/`HashTrieSet`): the leaves in depth-first, index order, i.e.
//!     sorted by the 5-bit chunks of the improved hash, lowest chunk first.
//!   - Scala 2.13 (CHAMP `BitmapIndexedMapNode`/`SetNode`): at each node first the elements
//!     stored inline (those alone in their 5-bit slot), in slot order, then the sub-nodes in
//!     slot order, recursively.
//!   - Equal improved hashes land in a collision node: **not emulated** (`None`); with 32-bit
//!     hashes that needs a collision among a handful of strings, which is very rare.
//!
//! Hash codes follow the JVM: [`java_string_hash`] (UTF-16), Scala's `MurmurHash3`
//! (`Statics.mix`/`mixLast`/`finalizeHash`), case-class hashes ([`product_hash`]: 2.13 mixes in
//! the class's simple name first, 2.12 does not), `Some`/`None` ([`option_hash`]), the 2.13
//! `Map` hash ([`map_hash_2_13`]) and fabric8's Lombok-style `Volume.hashCode`
//! ([`fabric8_secret_volume_hash`]).
//!
//! Spark 3.x is built with Scala 2.12, Spark 4.x with Scala 2.13 ([`Scala::for_spark`]).
//! The vectors in the tests come from `tests/oracle/probe/OrderProbe.java`, which runs Spark's
//! own feature steps; `tests/scala_order_probe.rs` compares random cases against it.

use crate::conf::SparkVersion;

/// The Scala library generation whose collections Spark was built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scala {
    /// Scala 2.12: hash tries (`HashTrieMap`), case-class hashes without the class name.
    V2_12,
    /// Scala 2.13: CHAMP tries, case-class hashes mixing in the class name first.
    V2_13,
}

impl Scala {
    /// The Scala generation of a Spark release: 2.12 before 4.0, 2.13 from 4.0 on.
    pub fn for_spark(version: &SparkVersion) -> Scala {
        if version.at_least(4, 0) {
            Scala::V2_13
        } else {
            Scala::V2_12
        }
    }
}

/// Java's `String.hashCode`: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units, wrapping.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// Java's `Boolean.hashCode`, which Scala's `##` uses for a `Boolean` field.
pub fn java_bool_hash(b: bool) -> i32 {
    if b { 1231 } else { 1237 }
}

/// `MurmurHash3.mixLast`.
pub fn mix_last(hash: i32, data: i32) -> i32 {
    let mut k = data.wrapping_mul(0xcc9e_2d51_u32 as i32);
    k = k.rotate_left(15);
    k = k.wrapping_mul(0x1b87_3593);
    hash ^ k
}

/// `MurmurHash3.mix`.
pub fn mix(hash: i32, data: i32) -> i32 {
    let h = mix_last(hash, data).rotate_left(13);
    h.wrapping_mul(5).wrapping_add(0xe654_6b64_u32 as i32)
}

/// `MurmurHash3.finalizeHash`: the length mixed in, then the avalanche.
pub fn finalize_hash(hash: i32, length: i32) -> i32 {
    let mut h = (hash ^ length) as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h as i32
}

/// `MurmurHash3.productSeed` (`0xcafebabe`), the seed of case-class and tuple hashes.
pub const PRODUCT_SEED: i32 = 0xcafe_babe_u32 as i32;

/// The hash of a case class with fields of hashes `fields` (`ScalaRunTime._hashCode`, or the
/// equivalent code scalac inlines into `hashCode`): 2.13 first mixes in the hash of the class's
/// simple name (`productPrefix`), 2.12 does not. `fields` must not be empty (case objects hash
/// as their name).
pub fn product_hash(scala: Scala, prefix: &str, fields: &[i32]) -> i32 {
    let mut h = PRODUCT_SEED;
    if scala == Scala::V2_13 {
        h = mix(h, java_string_hash(prefix));
    }
    for &f in fields {
        h = mix(h, f);
    }
    finalize_hash(h, fields.len() as i32)
}

/// The hash of an `Option` whose content hashes to `inner`: `Some` is a case class of one
/// field, `None` a case object (the hash of its name).
pub fn option_hash(scala: Scala, inner: Option<i32>) -> i32 {
    match inner {
        Some(x) => product_hash(scala, "Some", &[x]),
        None => java_string_hash("None"),
    }
}

/// The hash of an `Option[String]`.
pub fn option_string_hash(scala: Scala, value: Option<&str>) -> i32 {
    option_hash(scala, value.map(java_string_hash))
}

/// The hash of a `Tuple2` of elements hashing to `a` and `b` (a case class in both versions).
pub fn tuple2_hash(scala: Scala, a: i32, b: i32) -> i32 {
    product_hash(scala, "Tuple2", &[a, b])
}

/// Scala 2.13's `MurmurHash3.mapHash` of an immutable `Map[String, String]`: order-free sum,
/// xor and product of the entries' `Tuple2` hashes, mixed into the seed `"Map".hashCode`.
pub fn map_hash_2_13<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> i32 {
    let (mut a, mut b, mut n, mut c) = (0i32, 0i32, 0i32, 1i32);
    for (k, v) in entries {
        let h = tuple2_hash(Scala::V2_13, java_string_hash(k), java_string_hash(v));
        a = a.wrapping_add(h);
        b ^= h;
        c = c.wrapping_mul(h | 1);
        n += 1;
    }
    let mut h = java_string_hash("Map");
    h = mix(h, a);
    h = mix(h, b);
    h = mix_last(h, c);
    finalize_hash(h, n)
}

/// The fabric8 `io.fabric8.kubernetes.api.model` release Spark bundles, which decides the
/// fields of the Lombok-style `Volume.hashCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fabric8 {
    /// 6.x (Spark 3.x): `Volume` has 31 hashed fields, `name` 19th, `secret` 28th.
    V6,
    /// 7.x (Spark 4.x): `Volume` gained `image`: 32 fields, `name` 20th, `secret` 29th.
    V7,
}

impl Fabric8 {
    /// The fabric8 generation of a Spark release.
    pub fn for_spark(version: &SparkVersion) -> Fabric8 {
        if version.at_least(4, 0) {
            Fabric8::V7
        } else {
            Fabric8::V6
        }
    }
}

/// Lombok's `hashCode`: `h = 1; h = h * 59 + (field == null ? 43 : field.hashCode())`.
fn lombok_hash(fields: &[Option<i32>]) -> i32 {
    fields.iter().fold(1i32, |h, f| {
        h.wrapping_mul(59).wrapping_add(f.unwrap_or(43))
    })
}

/// `hashCode` of the fabric8 `Volume` that `MountSecretsFeatureStep` builds: name `volume_name`,
/// `secret.secretName` `secret_name`, every other field null except the empty `items` list
/// (hash 1) and the empty `additionalProperties` maps (hash 0).
pub fn fabric8_secret_volume_hash(fabric8: Fabric8, volume_name: &str, secret_name: &str) -> i32 {
    // SecretVolumeSource: defaultMode, optional, items, secretName, additionalProperties.
    let secret = lombok_hash(&[
        None,
        None,
        Some(1),
        Some(java_string_hash(secret_name)),
        Some(0),
    ]);
    let (count, name_at, secret_at) = match fabric8 {
        Fabric8::V6 => (31, 18, 27),
        Fabric8::V7 => (32, 19, 28),
    };
    let mut fields = vec![None; count];
    fields[name_at] = Some(java_string_hash(volume_name));
    fields[secret_at] = Some(secret);
    fields[count - 1] = Some(0);
    lombok_hash(&fields)
}

/// The bit spreader of Scala's hash tries (`HashMap.improve` in 2.12, `Hashing.improve` in
/// 2.13) applied to `x.##` before indexing.
pub fn improve(hcode: i32) -> i32 {
    let mut h = hcode.wrapping_add(!(hcode.wrapping_shl(9)));
    h ^= ((h as u32) >> 14) as i32;
    h = h.wrapping_add(h.wrapping_shl(4));
    h ^ ((h as u32) >> 10) as i32
}

/// The 5-bit slot of an improved hash at trie depth `depth` (0..=6; depth 6 has 2 bits).
fn slot(improved: i32, depth: u32) -> u32 {
    ((improved as u32) >> (5 * depth)) & 0x1f
}

/// The iteration order of a hash trie holding distinct elements of `##` `hashes` (more than 4
/// of them, else Scala builds `Set1`..`Set4`/`Map1`..`Map4`): the indices into `hashes` in the
/// order Scala iterates them, or `None` when two improved hashes are equal (collision nodes
/// are not emulated).
pub fn trie_order(scala: Scala, hashes: &[i32]) -> Option<Vec<usize>> {
    let improved: Vec<i32> = hashes.iter().map(|&h| improve(h)).collect();
    let mut sorted = improved.clone();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return None;
    }
    let all: Vec<usize> = (0..hashes.len()).collect();
    Some(match scala {
        Scala::V2_12 => {
            let mut order = all;
            order.sort_by_key(|&i| (0..7).map(|d| slot(improved[i], d)).collect::<Vec<_>>());
            order
        }
        Scala::V2_13 => {
            let mut order = Vec::with_capacity(all.len());
            champ_order(&improved, all, 0, &mut order);
            order
        }
    })
}

/// Appends the CHAMP iteration order of `members` (distinct improved hashes) at `depth`:
/// the elements alone in their slot first, by slot, then each shared slot's sub-node.
fn champ_order(improved: &[i32], members: Vec<usize>, depth: u32, out: &mut Vec<usize>) {
    let mut by_slot: Vec<Vec<usize>> = vec![Vec::new(); 32];
    for i in members {
        by_slot[slot(improved[i], depth) as usize].push(i);
    }
    for group in &by_slot {
        if let [only] = group[..] {
            out.push(only);
        }
    }
    for group in by_slot {
        if group.len() > 1 {
            champ_order(improved, group, depth + 1, out);
        }
    }
}

/// The iteration order of an immutable `Map` built by `.toMap` from the `ConcurrentHashMap`
/// behind `SparkConf`, given its String keys: `None` for up to 4 keys (`Map1`..`Map4` keep the
/// `ConcurrentHashMap` order, which is not emulated) or on a hash collision, else the
/// indices into `keys` in hash-trie order.
pub fn hash_map_order<S: AsRef<str>>(scala: Scala, keys: &[S]) -> Option<Vec<usize>> {
    if keys.len() <= 4 {
        return None;
    }
    let hashes: Vec<i32> = keys.iter().map(|k| java_string_hash(k.as_ref())).collect();
    trie_order(scala, &hashes)
}

/// The iteration order of an immutable `Set` built by adding `elements` in this order (the
/// `Set` builder of `toSet`, `Set.map`, …), with `hash` giving each element's `##`: duplicates
/// (by `==`) keep their first position; up to 4 distinct elements stay in insertion order
/// (`Set1`..`Set4`), more are ordered as a hash trie. `None` on a hash collision.
pub fn set_order<T: PartialEq>(
    scala: Scala,
    elements: impl IntoIterator<Item = T>,
    hash: impl Fn(&T) -> i32,
) -> Option<Vec<T>> {
    let mut distinct: Vec<T> = Vec::new();
    for e in elements {
        if !distinct.contains(&e) {
            distinct.push(e);
        }
    }
    if distinct.len() <= 4 {
        return Some(distinct);
    }
    let hashes: Vec<i32> = distinct.iter().map(&hash).collect();
    let order = trie_order(scala, &hashes)?;
    let mut slots: Vec<Option<T>> = distinct.into_iter().map(Some).collect();
    Some(order.into_iter().filter_map(|i| slots[i].take()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_in_order<'a>(scala: Scala, keys: &[&'a str]) -> Vec<&'a str> {
        hash_map_order(scala, keys)
            .unwrap()
            .into_iter()
            .map(|i| keys[i])
            .collect()
    }

    #[test]
    fn java_string_hash_matches_the_jvm() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("s1"), 3614);
        assert_eq!(java_string_hash("s1-volume"), -1728395863);
        assert_eq!(java_string_hash("None"), 2433880);
        // UTF-16: a character outside the BMP counts as two code units.
        assert_eq!(java_string_hash("\u{1F600}"), 0xD83D * 31 + 0xDE00);
    }

    #[test]
    fn fabric8_volume_hash_matches_the_jvm() {
        // Printed by the JVM for VolumeBuilder().withName("s1-volume").withNewSecret()
        // .withSecretName("s1").endSecret().build().hashCode().
        assert_eq!(
            fabric8_secret_volume_hash(Fabric8::V6, "s1-volume", "s1"),
            1870665138
        );
        assert_eq!(
            fabric8_secret_volume_hash(Fabric8::V7, "s1-volume", "s1"),
            974730769
        );
    }

    #[test]
    fn small_maps_are_not_emulated_and_small_sets_keep_insertion_order() {
        assert_eq!(hash_map_order(Scala::V2_12, &["a", "b", "c", "d"]), None);
        let set = set_order(Scala::V2_13, ["d", "a", "d", "c"], |s| java_string_hash(s));
        assert_eq!(set, Some(vec!["d", "a", "c"]));
    }

    #[test]
    fn env_order_matches_spark() {
        // From OrderProbe (env), identical in 3.5.9 and 4.0.5.
        let keys = ["E1", "E2", "E3", "E4", "E5"];
        for scala in [Scala::V2_12, Scala::V2_13] {
            assert_eq!(keys_in_order(scala, &keys), ["E3", "E2", "E1", "E5", "E4"]);
        }
    }
}
