//! Fuzzes the commit message parser and its helpers: none of them may panic on any input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xtask::domain::commit;

fuzz_target!(|data: &[u8]| {
    // Commit messages need not be UTF-8; lossy decoding is how such bytes reach the parser.
    let message = String::from_utf8_lossy(data);
    if let Ok(parsed) = commit::parse(&message) {
        let _ = commit::pr_number(&parsed.description);
        let _ = commit::co_authors(&parsed);
    }
    let _ = commit::subject(&message);
    let _ = commit::is_git_generated(&message);
    let _ = commit::cherry_picked_from(&message);
});
