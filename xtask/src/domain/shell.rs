//! Quoting for the commands the kit prints for the user to copy: a branch, tag or remote name is data, and
//! must reach git as one word whatever it contains (`feature/$(touch x)` included).

/// `word` as one POSIX shell word: unchanged when it holds only characters no shell treats specially,
/// otherwise in single quotes (inside which nothing is special), each `'` written as `'\''`.
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'-' | b'.' | b'/' | b':' | b',' | b'+' | b'=' | b'@' | b'%'
                )
        });
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A whole command line, each word quoted.
pub fn join<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| quote(w.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_a_shell_would_interpret() {
        let cases = [
            ("main", "main"),
            ("feature/x-1.2", "feature/x-1.2"),
            (
                "refs/heads/main:refs/heads/main",
                "refs/heads/main:refs/heads/main",
            ),
            ("", "''"),
            ("feature/$(touch${IFS}x)", "'feature/$(touch${IFS}x)'"),
            ("a b", "'a b'"),
            ("it's", r"'it'\''s'"),
            ("`id`", "'`id`'"),
            ("a;b", "'a;b'"),
            ("~", "'~'"),
            ("*", "'*'"),
            ("new\nline", "'new\nline'"),
        ];
        for (word, quoted) in cases {
            assert_eq!(quote(word), quoted, "{word:?}");
        }
        assert_eq!(join(&["git", "push", "a b"]), "git push 'a b'");
    }
}
