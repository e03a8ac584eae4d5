//! Commit-message rules (`commits.conventional`, `commits.types`): Conventional Commits subjects.

use super::*;

/// Subjects git writes itself (merges, reverts, autosquash markers): they always pass, since
/// refusing them would only get in the way of git's own commands.
const GIT_SUBJECTS: [&str; 5] = ["Merge ", "Revert \"", "fixup! ", "squash! ", "amend! "];

/// What `git commit --verbose` puts above the diff; git drops everything from here on.
const SCISSORS: &str = "# ------------------------ >8 ------------------------";

/// The commit types allowed when the configuration names none: every type the default changelog groups
/// list (`change`, `deprecate`, `remove`, `security` included), so the hook never warns on a commit the
/// changelog wants, and the usual housekeeping types.
pub fn default_types() -> Vec<String> {
    [
        "feat",
        "fix",
        "docs",
        "refactor",
        "perf",
        "test",
        "build",
        "ci",
        "chore",
        "revert",
        "style",
        "change",
        "deprecate",
        "remove",
        "security",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect()
}

/// What is wrong with a subject line.
enum SubjectFault<'a> {
    MissingPrefix,
    LeadingSpace,
    UnknownType(&'a str),
    UnclosedScope,
    EmptyScope,
    MissingColon,
    MissingSpace,
    EmptyDescription,
}

/// Checks that the subject line follows Conventional Commits: `type(scope)!: description`, with
/// `type` one of `types` (any case) and the scope and `!` optional.
///
/// A deliberately small check, not a parser: it only needs the subject. Comment lines (`#`) and
/// leading blank lines are skipped as git skips them; an empty message is allowed, because git
/// refuses it anyway and says so better.
pub fn check_message(message: &str, types: &[String]) -> Verdict {
    check_message_of(message, types, None)
}

/// [`check_message`] for a commit whose parents are known (the server, `verify`): a `Merge ` subject
/// passes only on a merge, a commit with two or more distinct parents. `distinct_parents` is `None` where
/// they are not known (the commit-msg hook, before the commit exists), and git's subjects all pass.
pub fn check_commit_message(message: &str, types: &[String], distinct_parents: usize) -> Verdict {
    check_message_of(message, types, Some(distinct_parents))
}

fn check_message_of(message: &str, types: &[String], distinct_parents: Option<usize>) -> Verdict {
    let Some(subject) = subject_line(message) else {
        return Verdict::Allowed;
    };
    let is_git_subject = GIT_SUBJECTS.iter().any(|start| {
        subject.starts_with(start)
            && (*start != "Merge " || distinct_parents.is_none_or(|parents| parents > 1))
    });
    if is_git_subject {
        return Verdict::Allowed;
    }
    let Err(problem) = check_subject(subject, types) else {
        return Verdict::Allowed;
    };
    let what = match problem {
        SubjectFault::MissingPrefix => "does not start with a `type: ` prefix".to_owned(),
        SubjectFault::LeadingSpace => "starts with whitespace before the type".to_owned(),
        SubjectFault::UnknownType(kind) if types.is_empty() => format!(
            "uses the type `{}`, but no commit types are allowed (the list is empty)",
            shown(kind)
        ),
        SubjectFault::UnknownType(kind) => format!(
            "uses the unknown type `{}` (allowed types: {})",
            shown(kind),
            types
                .iter()
                .map(|t| shown(t))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        SubjectFault::UnclosedScope => {
            "opens a scope with `(` but does not close it with `)`".to_owned()
        }
        SubjectFault::EmptyScope => "has an empty scope `()`".to_owned(),
        SubjectFault::MissingColon => "needs a `:` right after the type, scope and `!`".to_owned(),
        SubjectFault::MissingSpace => "needs a space after the colon".to_owned(),
        SubjectFault::EmptyDescription => "has an empty description".to_owned(),
    };
    let reason = format!("subject line `{}` {what}", shown(subject));
    // The example uses a type the user may actually write, `feat` when it is allowed.
    let example_type = types
        .iter()
        .find(|t| t.eq_ignore_ascii_case("feat"))
        .or(types.first())
        .map_or("feat", String::as_str);
    let hint = format!(
        "write the subject as `type(scope)!: description`, e.g. `{}(cli): add --json`; the scope \
         and `!` are optional",
        shown(example_type)
    );
    Verdict::refused("commits.conventional", reason, hint)
}

/// The first line git would keep as the subject, without trailing whitespace.
fn subject_line(message: &str) -> Option<&str> {
    for line in message.lines() {
        if line == SCISSORS {
            return None;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        return Some(line.trim_end());
    }
    None
}

fn check_subject<'a>(subject: &'a str, types: &[String]) -> Result<(), SubjectFault<'a>> {
    if subject.starts_with(char::is_whitespace) {
        return Err(SubjectFault::LeadingSpace);
    }
    let end = subject
        .find(['(', '!', ':'])
        .ok_or(SubjectFault::MissingPrefix)?;
    let (kind, rest) = subject
        .split_at_checked(end)
        .ok_or(SubjectFault::MissingPrefix)?;
    // Whitespace before the first `:` means prose such as `Update docs: typo`, not a misspelt type.
    if kind.is_empty() || kind.contains(char::is_whitespace) {
        return Err(SubjectFault::MissingPrefix);
    }
    if !types.iter().any(|t| t.eq_ignore_ascii_case(kind)) {
        return Err(SubjectFault::UnknownType(kind));
    }
    let rest = match rest.strip_prefix('(') {
        Some(scoped) => {
            let (scope, after) = scoped.split_once(')').ok_or(SubjectFault::UnclosedScope)?;
            if scope.trim().is_empty() {
                return Err(SubjectFault::EmptyScope);
            }
            after
        }
        None => rest,
    };
    let rest = rest.strip_prefix('!').unwrap_or(rest);
    let description = rest.strip_prefix(':').ok_or(SubjectFault::MissingColon)?;
    if description.trim().is_empty() {
        return Err(SubjectFault::EmptyDescription);
    }
    if !description.starts_with(' ') {
        return Err(SubjectFault::MissingSpace);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        #[track_caller]
        fn case(message: &str, expected: Result<(), &str>) {
            let verdict = check_message(message, &default_types());
            match (verdict, expected) {
                (Verdict::Allowed, Ok(())) => {}
                (Verdict::Refused(Problem { rule, reason, .. }), Err(part)) => {
                    assert_eq!(rule, "commits.conventional");
                    assert!(reason.contains(part), "`{reason}` lacks `{part}`");
                }
                (verdict, expected) => panic!("`{message}`: {verdict:?}, expected {expected:?}"),
            }
        }
        case("feat: add it", Ok(()));
        case("feat(cli): add --json", Ok(()));
        case("feat(cli)!: drop --xml", Ok(()));
        case("feat!: drop --xml", Ok(()));
        case("FEAT: shouting is fine", Ok(()));
        case("Fix: capitalised", Ok(()));
        case("fix:  two spaces", Ok(()));
        case("feat: subject\n\nbody: anything\nwip: too", Ok(()));
        case("feat: crlf\r\n\r\nbody\r\n", Ok(()));
        case("# comment\n\n  \nfeat: after comments", Ok(()));
        case("#feat: not this\nfix: this", Ok(()));
        case("", Ok(()));
        case("\n\n# only comments\n", Ok(()));
        case(&format!("{SCISSORS}\ndiff --git a/x b/x\n"), Ok(()));
        case(&format!("fix: kept\n{SCISSORS}\nwip: ignored\n"), Ok(()));
        case("Merge branch 'main' into feature/x", Ok(()));
        case("Revert \"feat: add it\"", Ok(()));
        case("fixup! feat: add it", Ok(()));
        case("squash! feat: add it", Ok(()));
        case("amend! feat: add it", Ok(()));

        case(
            "wip: stuff",
            Err(
                "subject line `wip: stuff` uses the unknown type `wip` (allowed types: feat, fix, docs, refactor, perf, test, build, ci, chore, revert, style, change, deprecate, remove, security)",
            ),
        );
        case("feature(x): y", Err("unknown type `feature`"));
        case(
            "Add the parser",
            Err("subject line `Add the parser` does not start with a `type: ` prefix"),
        );
        case(
            "Update docs: typo",
            Err("does not start with a `type: ` prefix"),
        );
        case(": nothing", Err("does not start with a `type: ` prefix"));
        case(
            "(cli): no type",
            Err("does not start with a `type: ` prefix"),
        );
        case(" feat: indented", Err("starts with whitespace"));
        case(
            "feat:",
            Err("subject line `feat:` has an empty description"),
        );
        case("feat:   ", Err("has an empty description"));
        case("feat(cli): ", Err("has an empty description"));
        case("feat:no space", Err("needs a space after the colon"));
        case("feat(): x", Err("has an empty scope `()`"));
        case("feat( ): x", Err("has an empty scope `()`"));
        case("feat(cli: x", Err("does not close it"));
        case("feat(cli) x", Err("needs a `:`"));
        case("feat!! x", Err("needs a `:`"));
        case("feat x", Err("does not start with a `type: ` prefix"));
        case("Merge: not git's", Err("unknown type `Merge`"));
        // `revert` is a type of its own, in any case.
        case("Revert: not git's", Ok(()));
    }

    #[test]
    fn a_merge_subject_passes_only_on_a_merge() {
        let types = default_types();
        // (subject, distinct parents, allowed)
        let table = [
            ("Merge branch 'x'", 2, true),
            ("Merge branch 'x'", 3, true),
            ("Merge branch 'x'", 1, false),
            ("Merge branch 'x'", 0, false),
            ("Merge pull request #1 from a/b", 1, false),
            ("Revert \"feat: x\"", 1, true),
            ("fixup! feat: x", 1, true),
            ("feat: x", 1, true),
            ("wip", 2, false),
        ];
        for (subject, parents, allowed) in table {
            let verdict = check_commit_message(subject, &types, parents);
            assert_eq!(
                verdict == Verdict::Allowed,
                allowed,
                "{subject} with {parents} parents"
            );
        }
        assert_eq!(check_message("Merge branch 'x'", &types), Verdict::Allowed);
    }

    #[test]
    fn message_refusal_text() {
        let Verdict::Refused(Problem { hint, .. }) = check_message("wip", &default_types()) else {
            panic!("`wip` must be refused");
        };
        assert_eq!(
            hint,
            "write the subject as `type(scope)!: description`, e.g. `feat(cli): add --json`; the \
             scope and `!` are optional"
        );
        let Verdict::Refused(Problem { hint, .. }) = check_message("wip", &["fix".to_owned()])
        else {
            panic!("`wip` must be refused");
        };
        assert!(hint.contains("`fix(cli): add --json`"), "{hint}");
        let Verdict::Refused(Problem { reason, .. }) = check_message("feat: x", &[]) else {
            panic!("no type is allowed by an empty list");
        };
        assert!(reason.contains("the list is empty"), "{reason}");
    }
}
