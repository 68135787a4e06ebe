//! What a shell script runs, read without a shell parser: the logical commands of a
//! script (continuation lines joined, comments dropped) and the programs each one starts.
//! Policies classify commands by program before they run a regex, so these readers
//! decide which commands a rule ever looks at.

use super::types::Command;

/// The programs a command line runs (see [`Command::tools`]).
pub fn tools(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for segment in text.split(['&', '|', ';', '(', '`']) {
        let mut words = segment.split_whitespace();
        let tool = loop {
            match words.next() {
                None => break None,
                Some(
                    "sudo" | "env" | "time" | "exec" | "if" | "elif" | "while" | "until" | "then"
                    | "do" | "else" | "!" | "-E",
                ) => {}
                Some(w) if w.contains('=') && !w.starts_with('-') => {}
                Some(w) => break Some(w),
            }
        };
        let Some(t) = tool else {
            continue;
        };
        let mut push = |t: &str| {
            let t = t.trim_matches(|c| c == '"' || c == '\'' || c == '$' || c == '{' || c == '}');
            let base = t.rsplit('/').next().unwrap_or(t).to_string();
            if !base.is_empty() && !out.contains(&base) {
                out.push(base);
            }
        };
        push(t);
        // A runner that starts another program (`bundle exec kamal`, `npx eslint`,
        // `poetry run pytest`, `eval helm upgrade ...`): that program runs too.
        let runner = t.rsplit('/').next().unwrap_or(t);
        let inner = match runner {
            "npx" | "bunx" | "eval" => words.next(),
            "bundle" | "pnpm" | "pipenv" | "poetry" | "uv" => match words.next() {
                Some("exec" | "run") => words.next(),
                _ => None,
            },
            _ => None,
        };
        if let Some(inner) = inner.filter(|w| !w.starts_with('-')) {
            push(inner);
        }
    }
    out
}

/// Splits a script into logical commands.
pub fn commands(script: &str) -> Vec<Command> {
    let mut out: Vec<Command> = Vec::new();
    let mut open = false;
    for (i, line) in script.split('\n').enumerate() {
        let t = line.trim();
        let (body, cont) = match t.strip_suffix('\\') {
            Some(b) => (b.trim_end(), true),
            None => (t, false),
        };
        if open {
            if let Some(last) = out.last_mut() {
                last.text.push(' ');
                last.text.push_str(body);
                last.last_line = i;
            }
        } else if !body.is_empty() && !body.starts_with('#') {
            out.push(Command {
                line: i,
                last_line: i,
                text: body.to_string(),
                tools: Vec::new(),
            });
        } else {
            open = false;
            continue;
        }
        open = cont;
    }
    for c in &mut out {
        c.tools = tools(&c.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_started_by_runners_are_tools_too() {
        assert_eq!(tools("bundle exec kamal build push"), ["bundle", "kamal"]);
        assert_eq!(
            tools("npx eslint . && poetry run pytest -q"),
            ["npx", "eslint", "poetry", "pytest"]
        );
        assert_eq!(tools("sudo bin/kamal deploy"), ["kamal"]);
        assert_eq!(tools("bundle install"), ["bundle"]);
        assert_eq!(tools("npx --yes cowsay"), ["npx"]);
        // Compound-command keywords are not programs: the command after them runs.
        assert_eq!(tools("if git push origin main; then"), ["git"]);
        assert_eq!(tools("until helm upgrade x ./chart; do"), ["helm"]);
    }

    #[test]
    fn commands_join_continuations_and_name_their_tools() {
        let cs = commands("# build\nFOO=1 sudo docker build \\\n  -t x . && /usr/bin/docker push x\n\ncd app; npm test | tee log\n");
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].line, 1);
        assert_eq!(
            cs[0].text,
            "FOO=1 sudo docker build -t x . && /usr/bin/docker push x"
        );
        assert_eq!(cs[0].tools, vec!["docker"]);
        assert_eq!(cs[1].tools, vec!["cd", "npm", "tee"]);
    }

    #[test]
    fn eval_runs_its_command() {
        assert_eq!(
            tools("eval helm upgrade --install x ."),
            vec!["eval", "helm"]
        );
    }
}
