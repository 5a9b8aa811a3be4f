//! Misspellings: which of a few known words a user most likely meant (`comand` → `command`,
//! `helth` → `health`). Pure string functions.

/// The candidate closest to `word` by edit distance, when it is at most `max` edits away (and
/// `word` is not itself a candidate).
pub fn nearest<'a>(word: &str, candidates: &[&'a str], max: usize) -> Option<&'a str> {
    if candidates.contains(&word) {
        return None;
    }
    candidates
        .iter()
        .map(|c| (distance(word, c), *c))
        .filter(|(d, _)| *d <= max)
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance (the words are short).
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_known_word() {
        assert_eq!(distance("comand", "command"), 1);
        assert_eq!(nearest("comand", &["command", "cwd"], 2), Some("command"));
        assert_eq!(nearest("helth", &["health", "help"], 2), Some("health"));
        assert_eq!(nearest("command", &["command"], 2), None);
        assert_eq!(nearest("zzzzzz", &["command"], 2), None);
    }
}
