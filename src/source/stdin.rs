//! `shiplint audit -`: one workflow read from standard input, as a repository of its own
//! with no folder. Nothing else is read: a `uses: ./path` it makes names no file that can
//! be audited, and says so (a notice).

use std::io::Read;

use crate::discover::FileKind;
use crate::finding::InputError;
use crate::source::{follow_own_uses, parse_file, Fetched, Repository, RepositoryInfo};

/// How reports name the repository of standard input (what was typed).
pub const DISPLAY: &str = "-";

/// How reports name its one file.
pub const FILE: &str = "<stdin>";

/// The workflow read from standard input, or why it could not be: read when the command
/// line is planned (standard input can be read once), parsed with the other targets.
#[derive(Debug, Clone)]
pub struct StdinWorkflow(Result<Vec<u8>, InputError>);

/// Reads `input` to its end, at most `max_bytes` (the `--max-file-size` cap).
pub fn read(mut input: impl Read, max_bytes: u64) -> StdinWorkflow {
    let mut bytes = Vec::new();
    // One byte over the cap tells a file at the cap from a bigger one.
    let read = input
        .by_ref()
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes);
    StdinWorkflow(match read {
        Err(e) => Err(InputError::new(
            Some(FILE.into()),
            format!("cannot read standard input: {e}"),
        )),
        Ok(n) if n as u64 > max_bytes => Err(InputError::new(
            Some(FILE.into()),
            format!(
                "skipped: more than the size cap of {max_bytes} bytes (raise it with --max-file-size)"
            ),
        )),
        Ok(_) => Ok(bytes),
    })
}

/// Parses the workflow as the one file of a repository with no folder.
pub fn load(workflow: StdinWorkflow) -> Repository {
    let mut repo = Repository {
        root: None,
        display: DISPLAY.to_string(),
        info: RepositoryInfo {
            owner: String::new(),
            name: DISPLAY.to_string(),
            default_branch: None,
            source: "local".into(),
            visibility: None,
        },
        files: Vec::new(),
        errors: Vec::new(),
        notices: Vec::new(),
        settings: None,
        history: None,
    };
    match workflow
        .0
        .and_then(|bytes| parse_file(FILE, FileKind::Workflow, bytes))
    {
        Ok(f) => repo.files.push(f),
        Err(e) => repo.errors.push(e),
    }
    let followed = follow_own_uses(
        &repo.info,
        &mut repo.files,
        &mut repo.errors,
        &mut repo.notices,
        |_| Ok::<_, std::convert::Infallible>(Fetched::Missing),
    );
    match followed {
        Ok(()) => {}
        Err(never) => match never {},
    }
    repo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workflow_on_standard_input_is_one_file_of_a_folderless_repository() {
        let text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./local\n";
        let repo = load(read(text.as_bytes(), 1024));
        assert_eq!(repo.display, "-");
        assert!(repo.root.is_none());
        assert_eq!(repo.files.len(), 1);
        assert_eq!(repo.files[0].rel, "<stdin>");
        assert!(repo.errors.is_empty(), "{:?}", repo.errors);
        // `./local` names nothing that could be read: said, not followed.
        assert_eq!(repo.notices.len(), 1, "{:?}", repo.notices);
    }

    #[test]
    fn standard_input_over_the_size_cap_is_an_error_not_a_truncated_workflow() {
        let repo = load(read("on: push\n".repeat(10).as_bytes(), 20));
        assert!(repo.files.is_empty());
        assert!(repo.errors[0].message.contains("size cap of 20 bytes"));
    }
}
