//! `shiplint completions SHELL` and `shiplint man`: both generated from the clap
//! definition ([`super::Cli`]) at run time, so they never fall behind the arguments and
//! no generated file is kept in the repository.

use clap::CommandFactory;

use crate::error::Error;
use crate::exit::ExitStatus;

use super::{output, Cli, CompletionsArgs, ManArgs};

/// The name the scripts complete and the pages are titled with.
const BIN: &str = "shiplint";

pub fn run(args: CompletionsArgs) -> Result<ExitStatus, Error> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), BIN, &mut script);
    output::write(None, &String::from_utf8_lossy(&script))?;
    Ok(ExitStatus::Clean)
}

pub fn man(args: ManArgs) -> Result<ExitStatus, Error> {
    let pages = pages().map_err(Error::Stdout)?;
    match args.dir {
        None => output::write(None, &pages[0].1)?,
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(|source| Error::Write {
                path: dir.clone(),
                source,
            })?;
            for (name, text) in &pages {
                output::write(Some(&dir.join(name)), text)?;
            }
            eprintln!("wrote {} man pages to {}", pages.len(), dir.display());
        }
    }
    Ok(ExitStatus::Clean)
}

/// `(file name, roff)` of shiplint(1), first, then of each subcommand's page
/// (`shiplint-audit.1`, …).
fn pages() -> std::io::Result<Vec<(String, String)>> {
    // `help` is not a page of its own; building names the subcommands `shiplint-audit`, ….
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let subcommands: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    let see_also: Vec<String> = subcommands.iter().map(page_name).collect();
    let mut main = render(clap_mangen::Man::new(cmd.clone()))?;
    main.push_str(EXIT_STATUS);
    main.push_str(&see_also_section(&see_also));
    let mut pages = vec![(format!("{BIN}.1"), main)];
    for sub in subcommands {
        let name = format!("{}.1", page_name(&sub));
        let mut text = render(clap_mangen::Man::new(sub))?;
        text.push_str(&see_also_section(&[BIN.to_string()]));
        pages.push((name, text));
    }
    Ok(pages)
}

/// `shiplint-audit` for the `audit` subcommand (the name clap gives it once built).
fn page_name(cmd: &clap::Command) -> String {
    cmd.get_display_name().unwrap_or(cmd.get_name()).to_string()
}

fn render(man: clap_mangen::Man) -> std::io::Result<String> {
    let mut roff = Vec::new();
    man.render(&mut roff)?;
    Ok(String::from_utf8_lossy(&roff).into_owned())
}

fn see_also_section(pages: &[String]) -> String {
    let refs: Vec<String> = pages
        .iter()
        .map(|p| format!("\\fB{}\\fR(1)", p.replace('-', "\\-")))
        .collect();
    format!(
        ".SH \"SEE ALSO\"\n{}\n.PP\nhttps://github.com/shiplint/shiplint\n",
        refs.join(", ")
    )
}

/// What CI scripts branch on (`crate::exit::ExitStatus`, docs/ci.md).
const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
No finding at or above \fB\-\-fail\-on\fR (default \fBerror\fR).
.TP
\fB1\fR
A finding at or above \fB\-\-fail\-on\fR remains, or a policy test failed.
.TP
\fB2\fR
A usage, configuration, policy or input error; what could be audited is still reported.
.TP
\fB3\fR
The GitHub API could not be reached, refused the token, or stopped the run.
"#;
