//! `shiplint input`: the input documents, one JSON array element per repository, so
//! policy authors can see exactly what their rules receive.

use crate::discover::{self, DiscoverOptions};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::finding::InputError;
use crate::model;
use crate::source::local;

use super::{output, setup, InputArgs};

pub fn run(args: InputArgs) -> Result<ExitStatus, Error> {
    let settings = setup::settings(args.settings.as_deref())?;
    let (found, mut errors) = discover::discover(&args.paths, &DiscoverOptions::default());
    let mut docs = Vec::new();
    for repo_files in found {
        // The repository's config file gives `input.config`, as in `audit`.
        let config =
            crate::audit::config::repository_config(&repo_files.root).map(|(config, errors)| {
                match errors.is_empty() {
                    true => Ok(config),
                    false => Err(errors),
                }
            });
        let mut repo = local::load(repo_files);
        repo.settings.clone_from(&settings);
        let (mut input, model_errors) = model::build_input(&repo);
        match config {
            Some(Ok(config)) => input.config = config.input_json(),
            Some(Err(config_errors)) => errors.extend(
                config_errors
                    .into_iter()
                    .map(|e| InputError::at(&e.file, e.line, e.column, e.message)),
            ),
            None => {}
        }
        errors.extend(repo.errors);
        errors.extend(model_errors);
        docs.push(input);
    }
    for e in &errors {
        eprintln!("error: {}", crate::escape::line(&e.to_string()));
    }
    let mut text = serde_json::to_string_pretty(&docs).unwrap_or_default();
    text.push('\n');
    output::write(None, &text)?;
    Ok(if errors.is_empty() {
        ExitStatus::Clean
    } else {
        ExitStatus::Error
    })
}
