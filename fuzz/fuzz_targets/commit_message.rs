//! Fuzzes the commit message parser and its helpers: none of them may panic on any input, and what they
//! return must hold together.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xtask::domain::conventional;

fuzz_target!(|data: &[u8]| {
    // Commit messages need not be UTF-8; lossy decoding is how such bytes reach the parser.
    let message = String::from_utf8_lossy(data);
    match conventional::parse(&message) {
        Ok(parsed) => {
            assert!(!parsed.kind.is_empty() && !parsed.description.is_empty());
            assert_eq!(parsed.kind, parsed.kind.to_ascii_lowercase());
            assert!(
                parsed.breaking.is_some() || !parsed.bang,
                "a `!` makes it breaking"
            );
            let _ = conventional::pr_number(&parsed.description);
            let _ = conventional::co_authors(&parsed);
        }
        Err(e) => assert!(!e.reason.is_empty()),
    }
    let subject = conventional::subject(&message);
    assert!(message.starts_with(subject) && !subject.contains('\n'));
    if conventional::is_git_generated(&message) {
        assert!(conventional::parse(&message).is_err());
    }
    if let Some(origin) = conventional::cherry_picked_from(&message) {
        assert!(origin.chars().all(|c| c.is_ascii_hexdigit()));
    }
});
