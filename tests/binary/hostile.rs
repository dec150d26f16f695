//! Hostile names and text in every output: a spec, its data file, its repository folder and a
//! policy file named with markup, quotes, `]]>`, newlines, `::error::` and `##[error]`, and a
//! description of over 10,000 characters. The HTML page shows them as text and holds no tag
//! but its own, the Markdown keeps its blocks and its tables' columns, the JUnit XML parses
//! and names the spec exactly, and a CI runner reading standard output and error finds exactly
//! the annotations gauntlet meant (one per failed check), none forged.
//!
//! Every expected string below is escaped by hand, not by the code under test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use common::*;
use serde_json::Value;

/// The spec's file stem: first `::` (the verdict table's row starts with it), markup, quotes,
/// `]]>`, a pipe, a comma and `=` (annotation properties), then a newline and a workflow
/// command, and GitHub's legacy command form.
const SPEC_NAME: &str =
    "::error::stem <script>alert(1)&amp;'\"]]>|,x=y\n::error::forged ##[error]legacy";
/// `SPEC_NAME` for one line of terminal output: a backslash before the leading `::`, the
/// newline as `?`, a backslash inside `##[`.
const SPEC_NAME_ONE_LINE: &str =
    "\\::error::stem <script>alert(1)&amp;'\"]]>|,x=y?::error::forged ##\\[error]legacy";
/// `SPEC_NAME` in HTML.
const SPEC_NAME_HTML: &str = "::error::stem &lt;script&gt;alert(1)&amp;amp;&#39;&quot;]]&gt;|,x=y\n::error::forged ##[error]legacy";
/// `SPEC_NAME` in Markdown.
const SPEC_NAME_MD: &str = "::error::stem \\<script\\>alert(1)&amp;'\"\\]\\]\\>\\|,x=y ::error::forged \\#\\#\\[error\\]legacy";

/// The data file (a copy of the shipped S&P 500 bars), also the benchmark.
const DATA_FILE: &str =
    "data <img src=x onerror=alert(3)> <iframe>|pipe|\n::warning::data ##[warning]d.csv";
const DATA_FILE_HTML: &str = "data &lt;img src=x onerror=alert(3)&gt; &lt;iframe&gt;|pipe|\n::warning::data ##[warning]d.csv (a path from the spec's folder; 5031 bars)";
const DATA_FILE_MD: &str = "data \\<img src=x onerror=alert(3)\\> \\<iframe\\>\\|pipe\\| ::warning::data \\#\\#\\[warning\\]d.csv (a path from the spec's folder; 5031 bars, sha256 ";

/// The folder holding `specs/`: its name labels the repository's policy (`<folder>/gate.toml`).
const REPOSITORY: &str = "repo <x-hostile>'\"&\n::notice::repo ##[notice]r";
/// The `--policy` file.
const POLICY_FILE: &str = "policy <x-hostile>&\"'\n::error::policy ##[error]p.toml";
/// The policy line of each page, up to the policy file's hash.
const POLICY_HTML: &str = "<p>Policy: desk defaults (built in) ← repo &lt;x-hostile&gt;&#39;&quot;&amp;\n::notice::repo ##[notice]r/gate.toml ← --policy policy &lt;x-hostile&gt;&amp;&quot;&#39;\n::error::policy ##[error]p.toml (sha256 ";
const POLICY_MD: &str = "Policy: desk defaults (built in) ← repo \\<x-hostile\\>'\"& ::notice::repo \\#\\#\\[notice\\]r/gate.toml ← --policy policy \\<x-hostile\\>&\"' ::error::policy \\#\\#\\[error\\]p.toml (sha256 ";

/// Hostile text at the head of the description; 10,000 digits follow it.
const DESCRIPTION_HEAD: &str =
    "<script>alert(1)</script> \"]]> '&\n::error::forged\r\n##[error]legacy | a | b |\n~~~\n";
const DESCRIPTION_HEAD_HTML: &str = "<p class=\"description\">&lt;script&gt;alert(1)&lt;/script&gt; &quot;]]&gt; &#39;&amp;\n::error::forged\r\n##[error]legacy | a | b |\n~~~\n";
const DESCRIPTION_HEAD_MD: &str = "Description: \\<script\\>alert(1)\\</script\\> \"\\]\\]\\> '& ::error::forged  \\#\\#\\[error\\]legacy \\| a \\| b \\| ~~~ ";

fn description() -> String {
    format!("{DESCRIPTION_HEAD}{}", "0123456789".repeat(1000))
}

/// The policy of the run, chosen so the verdict does not hang on the figures: nothing reaches
/// a Sharpe ratio of 1e9 or 1e9 trades (two failed checks); the shipped spec's drawdown
/// (18.1%), DSR (0.21) and PBO (0.32) pass the widest bounds; no look-ahead check.
const POLICY: &str = "min_oos_sharpe = 1e9\nmax_drawdown = 1.0\nmin_trades = 1000000000\n\
                      min_dsr = 0.0\nmax_pbo = 1.0\nrequire_lookahead_pass = false\n";

/// The explanations of the two failed checks (36 out-of-sample trades, Sharpe 0.47: the
/// shipped spec's figures, tests/binary/report.rs).
const FAILED: [(&str, &str); 2] = [
    (
        "oos_sharpe",
        "out-of-sample Sharpe 0.47 not above 1000000000.00",
    ),
    (
        "min_trades",
        "36 out-of-sample closed trades, 1000000000 needed",
    ),
];

/// `text` as a TOML basic string (JSON's string escapes are TOML's).
fn toml_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string")
}

/// The scratch layout: `<tmp>/<REPOSITORY>/specs/<SPEC_NAME>.toml` beside its data file,
/// `<tmp>/<REPOSITORY>/gate.toml`, `<tmp>/<POLICY_FILE>`. Returns the spec's path.
fn layout(dir: &Path, spec_name: &str, description: &str) -> PathBuf {
    let repository = dir.join(REPOSITORY);
    let specs = repository.join("specs");
    std::fs::create_dir_all(&specs).expect("scratch folders");
    std::fs::copy(
        root().join("strategies/gate.toml"),
        repository.join("gate.toml"),
    )
    .expect("repository policy");
    std::fs::copy(root().join("data/sp500_daily.csv"), specs.join(DATA_FILE)).expect("data");
    std::fs::write(dir.join(POLICY_FILE), POLICY).expect("policy");
    let shipped = std::fs::read_to_string(root().join(SPEC)).expect("the shipped spec");
    let mut replaced = 0;
    let text: String = shipped
        .lines()
        .map(|line| {
            if line.starts_with("description = ") {
                replaced += 1;
                format!(
                    "description = {}\nbenchmark = {}",
                    toml_string(description),
                    toml_string(DATA_FILE)
                )
            } else if line.starts_with("files = ") {
                replaced += 1;
                format!("files = [{}]", toml_string(DATA_FILE))
            } else {
                line.to_string()
            }
        })
        .map(|line| line + "\n")
        .collect();
    assert_eq!(replaced, 2, "the shipped spec changed:\n{shipped}");
    let spec = specs.join(format!("{spec_name}.toml"));
    std::fs::write(&spec, text).expect("spec");
    spec
}

/// The hostile spec validated once for the tests of this file: the scratch folder (kept for
/// the process), the spec's path, and the run.
fn validated() -> &'static (PathBuf, PathBuf, Output) {
    static RUN: OnceLock<(PathBuf, PathBuf, Output)> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("binary_hostile");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        let spec = layout(&dir, SPEC_NAME, &description());
        let run = gauntlet(&[
            "validate",
            path_str(&spec),
            "--quiet",
            "--threads",
            "2",
            "--out",
            path_str(&dir.join("out")),
            "--junit",
            path_str(&dir.join("junit.xml")),
            "--format",
            "github",
            "--policy",
            path_str(&dir.join(POLICY_FILE)),
        ]);
        assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
        (dir, spec, run)
    })
}

fn out() -> PathBuf {
    validated().0.join("out").join(SPEC_NAME)
}

fn read(name: &str) -> String {
    let path = out().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A workflow command as GitHub's runner reads it from a line of a job's output.
#[derive(Debug, PartialEq)]
struct Command {
    name: String,
    properties: Vec<(String, String)>,
    data: String,
}

/// Every workflow command GitHub's runner would read from `output` (stdout or stderr): it
/// splits lines at `\n` and `\r`; a line is a command when it starts with `::` once leading
/// blanks are trimmed (`::name k=v,k=v::data`), or else when it holds `##[` anywhere (the
/// legacy `##[name k=v;]data`, which is returned with its text unparsed).
fn workflow_commands(output: &str) -> Vec<Command> {
    let unescape = |s: &str| {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let mut commands = Vec::new();
    for line in output.split(['\n', '\r']) {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("::")
            && let Some((info, data)) = rest.split_once("::")
        {
            let (name, properties) = info.split_once(' ').unwrap_or((info, ""));
            commands.push(Command {
                name: name.to_string(),
                properties: properties
                    .split(',')
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        let (k, v) = p.split_once('=').unwrap_or((p, ""));
                        (k.to_string(), unescape(v))
                    })
                    .collect(),
                data: unescape(data),
            });
        } else if let Some(at) = line.find("##[") {
            commands.push(Command {
                name: "(legacy)".to_string(),
                properties: Vec::new(),
                data: line[at..].to_string(),
            });
        }
    }
    commands
}

/// The annotations gauntlet means to write for `file`: one `::error` per failed check.
fn intended(file: &str) -> Vec<Command> {
    FAILED
        .iter()
        .map(|(check, explanation)| Command {
            name: "error".to_string(),
            properties: vec![
                ("file".to_string(), file.to_string()),
                (
                    "title".to_string(),
                    format!("gauntlet gate: {SPEC_NAME} {check}"),
                ),
            ],
            data: explanation.to_string(),
        })
        .collect()
}

#[test]
fn a_ci_runner_reads_only_the_intended_annotations() {
    let (_, spec, run) = validated();
    let (text, err) = (stdout(run), stderr(run));
    assert_eq!(
        workflow_commands(&text),
        intended(path_str(spec)),
        "stdout:\n{text}"
    );
    assert_eq!(workflow_commands(&err), vec![], "stderr:\n{err}");

    // The verdict table's row and the verdict line name the spec on one line each.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        5,
        "header, row, verdict, two annotations:\n{text}"
    );
    assert!(
        lines[1].starts_with(&format!("{SPEC_NAME_ONE_LINE} ")),
        "{text}"
    );
    assert!(
        lines[1].ends_with("  FAIL (oos_sharpe, min_trades)"),
        "{text}"
    );
    assert_eq!(
        lines[2],
        format!(
            "FAIL {SPEC_NAME_ONE_LINE}: oos_sharpe ({}); min_trades ({})",
            FAILED[0].1, FAILED[1].1
        )
    );
    assert_eq!(
        err,
        format!("FAILED: 1 of 1 spec failed the gate: {SPEC_NAME_ONE_LINE}\n")
    );
}

#[test]
fn gate_re_reading_the_report_writes_the_same_annotations() {
    let (dir, _, _) = validated();
    let report = out().join("report.json");
    let junit = dir.join("gate.xml");
    let run = gauntlet(&[
        "gate",
        path_str(&report),
        "--format",
        "github",
        "--junit",
        path_str(&junit),
    ]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert_eq!(
        workflow_commands(&stdout(&run)),
        intended(path_str(&report))
    );
    assert_eq!(workflow_commands(&stderr(&run)), vec![]);
    junit_names_the_spec(&junit);
}

fn junit_names_the_spec(path: &Path) {
    let xml = std::fs::read_to_string(path).expect("junit");
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 1, "{xml}");
    // The newline survives as a character reference, so the name reads back exactly.
    assert_eq!(cases[0].attribute("name"), Some(SPEC_NAME), "{xml}");
    let failures: Vec<_> = cases[0]
        .children()
        .filter(|n| n.has_tag_name("failure"))
        .map(|n| (n.attribute("type"), n.attribute("message")))
        .collect();
    let expected: Vec<_> = FAILED.iter().map(|(c, e)| (Some(*c), Some(*e))).collect();
    assert_eq!(failures, expected, "{xml}");
}

#[test]
fn the_junit_xml_parses_and_names_the_spec() {
    junit_names_the_spec(&validated().0.join("junit.xml"));
}

/// Tag names a report page may hold: the page's own (crates/report/src/html.rs) and those
/// plotters writes into an SVG chart.
const TAGS: &[&str] = &[
    "!DOCTYPE",
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "h1",
    "h2",
    "span",
    "p",
    "b",
    "code",
    "table",
    "tr",
    "th",
    "td",
    "figure",
    "figcaption",
    "pre",
    "svg",
    "rect",
    "line",
    "polyline",
    "polygon",
    "circle",
    "path",
    "text",
];

#[test]
fn the_html_page_shows_hostile_text_as_text_and_runs_nothing() {
    let html = read("report.html");
    // Every `<` opens one of the page's own tags.
    for (at, _) in html.match_indices('<') {
        let rest = html[at + 1..].trim_start_matches('/');
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!' || *c == '-')
            .collect();
        assert!(
            TAGS.contains(&name.as_str()),
            "a tag <{name}> at byte {at}: {}",
            &html[at..(at + 80).min(html.len())]
        );
    }
    let lower = html.to_lowercase();
    for tag in ["<script", "<img", "<iframe", "<x-hostile", "</script"] {
        assert!(!lower.contains(tag), "{tag}");
    }
    assert!(html.contains("&lt;script&gt;"));
    assert_eq!(
        html.matches("<svg").count(),
        6,
        "the six charts still drawn"
    );

    assert!(
        html.contains(&format!(
            "<title>{SPEC_NAME_HTML} — gauntlet report</title>"
        )),
        "title"
    );
    assert!(html.contains(&format!(
        "<h1>{SPEC_NAME_HTML} <span class=\"fail\">FAIL</span></h1>"
    )));
    // The description in full, 10,000 digits included.
    assert!(html.contains(&format!(
        "{DESCRIPTION_HEAD_HTML}{}</p>",
        "0123456789".repeat(1000)
    )));
    assert!(html.contains(DATA_FILE_HTML), "data file");
    assert!(html.contains(POLICY_HTML), "policy sources");
}

/// `|` that separate cells in a Markdown table row (not those escaped with `\`).
fn cell_separators(row: &str) -> usize {
    let mut count = 0;
    let mut chars = row.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '|' => count += 1,
            _ => {}
        }
    }
    count
}

#[test]
fn the_markdown_keeps_its_blocks_and_its_tables_columns() {
    let md = read("report.md");
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(lines[0], format!("# {SPEC_NAME_MD}: FAIL"));
    assert_eq!(
        lines[2],
        format!("{DESCRIPTION_HEAD_MD}{}", "0123456789".repeat(1000))
    );
    assert!(
        lines[4].contains(&format!(" on {DATA_FILE_MD}")),
        "{}",
        lines[4]
    );
    assert!(md.contains(POLICY_MD), "{md}");

    // Every line starts as markdown.rs writes it: no user text opens a block.
    let starts = [
        "# ",
        "## ",
        "|",
        "Description: ",
        "Strategy ",
        "Split: ",
        "Policy: ",
        "Parameter stability: ",
        "Idle test windows: ",
        "Look-ahead guard: ",
        "Charts: ",
    ];
    for line in &lines {
        assert!(
            line.is_empty() || starts.iter().any(|s| line.starts_with(s)),
            "a line of its own: {line:?}"
        );
    }
    // No raw markup: every `<` is escaped.
    for (at, _) in md.match_indices('<') {
        assert_eq!(md.as_bytes()[at - 1], b'\\', "raw `<` at byte {at}");
    }
    // Every table row has its header's columns.
    let mut tables = 0;
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].starts_with('|') {
            i += 1;
            continue;
        }
        tables += 1;
        let columns = cell_separators(lines[i]);
        while i < lines.len() && lines[i].starts_with('|') {
            assert_eq!(cell_separators(lines[i]), columns, "{}", lines[i]);
            i += 1;
        }
    }
    assert_eq!(tables, 3, "gate, out of sample, folds");
}

#[test]
fn report_json_keeps_the_text_as_written() {
    let report: Value = serde_json::from_str(&read("report.json")).expect("JSON");
    assert_eq!(report["spec"]["name"], SPEC_NAME);
    assert_eq!(report["spec"]["description"], description().as_str());
    assert_eq!(report["spec"]["benchmark"], DATA_FILE);
    assert_eq!(report["spec"]["data"]["files"][0], DATA_FILE);
}

#[test]
fn other_commands_and_errors_forge_no_workflow_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = layout(dir.path(), SPEC_NAME, "short");
    for args in [
        vec!["splits", path_str(&spec)],
        vec!["plan", path_str(&spec)],
    ] {
        let run = gauntlet(&args);
        assert_eq!(run.status.code(), Some(0), "{args:?}: {}", stderr(&run));
        assert!(
            stdout(&run).starts_with(&format!("{SPEC_NAME_ONE_LINE}: ")),
            "{}",
            stdout(&run)
        );
        assert_eq!(workflow_commands(&stdout(&run)), vec![], "{args:?}");
    }

    // An error quoting hostile file names: the missing data file, in the spec at its path.
    let text = std::fs::read_to_string(&spec).expect("spec");
    let missing = "missing\n::error::data ##[error]m.csv";
    std::fs::write(
        &spec,
        text.replace(&toml_string(DATA_FILE), &toml_string(missing)),
    )
    .expect("spec");
    let out = dir.path().join("out");
    let run = gauntlet(&[
        "validate",
        path_str(&spec),
        "--quiet",
        "--out",
        path_str(&out),
    ]);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("missing"), "the error names the file: {err}");
    assert_eq!(workflow_commands(&err), vec![], "{err}");
    assert_eq!(workflow_commands(&stdout(&run)), vec![]);
    assert!(!out.exists());
}

#[test]
fn a_spec_named_dot_dot_cannot_write_outside_its_report_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    for stem in [".", ".."] {
        // `...toml` has the stem `..`, `..toml` the stem `.`.
        let spec = layout(dir.path(), stem, "short");
        let run = gauntlet(&[
            "validate",
            path_str(&spec),
            "--quiet",
            "--out",
            path_str(&out),
        ]);
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("the spec's name \"{stem}\"")),
            "{err}"
        );
        assert!(!out.exists());
        assert!(!dir.path().join("report.json").exists());
    }
}
