//! "Did you mean": the known name closest to a mistyped one, for config keys, rule ids in
//! config, inline ignores and `explain`.

/// The candidate closest to `word` by edit distance, when it is close enough to be a typo
/// (at most 2 edits, or a quarter of the candidate's length for long names).
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars, in one row of memory.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn a_typo_finds_its_word_and_a_stranger_finds_none() {
        let ids = ["deploy-not-gated", "image-rebuilt", "unpinned-action"];
        assert_eq!(closest("deploy-not-gate", &ids), Some("deploy-not-gated"));
        assert_eq!(closest("unpined-action", &ids), Some("unpinned-action"));
        assert_eq!(closest("frobnicate", &ids), None);
    }
}
