//! Numbers and names as people read them, and escaping for each output format (user-controlled
//! names reach Markdown, HTML, XML and workflow annotations).

use gauntlet_validate::Stat;

/// `x` with `decimals` decimals, or `n/a`.
pub fn number(stat: Stat, decimals: usize) -> String {
    match stat {
        Stat::Value(x) => format!("{x:.decimals$}"),
        Stat::Undefined(_) => "n/a".to_string(),
    }
}

/// `x` as a percentage with one decimal, or `n/a`.
pub fn percent(stat: Stat) -> String {
    match stat {
        Stat::Value(x) => format!("{:.1}%", x * 100.0),
        Stat::Undefined(_) => "n/a".to_string(),
    }
}

/// A claimed win rate, `58%`, or a claimed range, `85-86%`.
pub fn claimed(range: (f64, f64)) -> String {
    if range.0 == range.1 {
        format!("{:.0}%", range.0 * 100.0)
    } else {
        format!("{:.0}-{:.0}%", range.0 * 100.0, range.1 * 100.0)
    }
}

/// A gate check's value: whole numbers without decimals, others with three.
pub fn check_value(stat: Stat) -> String {
    match stat {
        Stat::Value(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
        other => number(other, 3),
    }
}

/// `[low%, high%]` with one decimal, or empty when undefined.
pub fn percent_interval(low: Stat, high: Stat) -> String {
    match (low, high) {
        (Stat::Value(l), Stat::Value(h)) => format!("[{:.1}%, {:.1}%]", l * 100.0, h * 100.0),
        _ => String::new(),
    }
}

/// `[low, high]` with `decimals` decimals, or empty when undefined.
pub fn interval(low: Stat, high: Stat, decimals: usize) -> String {
    match (low, high) {
        (Stat::Value(l), Stat::Value(h)) => format!("[{l:.decimals$}, {h:.decimals$}]"),
        _ => String::new(),
    }
}

/// Text for one line of terminal or log output, wherever it stands in the line. A CI runner
/// reads workflow commands from a job's output (stdout and stderr), so nothing a user wrote may
/// start a line or a command:
///
/// - control characters and the Unicode line and paragraph separators become `?` (a newline in
///   a file name would otherwise start a line of its own);
/// - text that would begin with `::` (after blanks, which GitHub's runner skips) gets a
///   backslash in front, so a name placed first on a line cannot be a `::error::` command;
/// - `##[` becomes `##\[`: GitHub's runner reads its legacy `##[command]` form anywhere in a
///   line.
pub fn one_line(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                '?'
            } else {
                c
            }
        })
        .collect();
    if out.contains("##[") {
        out = out.replace("##[", "##\\[");
    }
    if out
        .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .starts_with("::")
    {
        out.insert(0, '\\');
    }
    out
}

/// Text of several lines for terminal or log output (an error message that quotes file names,
/// say): every line as [`one_line`] makes it, the line breaks kept. A newline inside a quoted
/// name still breaks the line there, but the line it starts cannot be a workflow command.
pub fn log_lines(text: &str) -> String {
    text.split('\n')
        .map(one_line)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text for HTML content and attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_html(&mut out, c);
    }
    out
}

/// `c` escaped for HTML (and XML) content and attribute values.
fn push_html(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

/// Text for XML content and attribute values. Tab, newline and carriage return are written as
/// character references, so they survive the normalization of attribute values (a parser reads
/// back exactly the text written); characters XML 1.0 cannot hold (other control characters,
/// U+FFFE and U+FFFF) are dropped.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{fffe}' | '\u{ffff}' => {}
            c if c.is_control() => {}
            c => push_html(&mut out, c),
        }
    }
    out
}

/// Text for a Markdown table cell or a line of a paragraph: one line (line breaks and tabs
/// become spaces, other control characters `?`, as a terminal would otherwise act on them), pipes and
/// markup escaped.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// Text for a GitHub workflow command's message (`%`, CR and LF encoded as GitHub documents).
pub fn github_message(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Text for a GitHub workflow command's property (`title=`): also `:` and `,`.
pub fn github_property(text: &str) -> String {
    github_message(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_escaped_for_each_format() {
        let name = "<script>alert(1)</script>\"]]>::error::\n|x";
        assert_eq!(
            html(name),
            "&lt;script&gt;alert(1)&lt;/script&gt;&quot;]]&gt;::error::\n|x"
        );
        assert_eq!(
            markdown(name),
            "\\<script\\>alert(1)\\</script\\>\"\\]\\]\\>::error:: \\|x"
        );
        assert_eq!(
            github_property(name),
            "<script>alert(1)</script>\"]]>%3A%3Aerror%3A%3A%0A|x"
        );
        assert_eq!(xml("a\u{1}b\u{ffff}c"), "abc");
        // Breaks as references, so an attribute value keeps them; `]]>` cannot close anything.
        assert_eq!(
            xml("<a>\n\t\r\"]]>'&"),
            "&lt;a&gt;&#10;&#9;&#13;&quot;]]&gt;&#39;&amp;"
        );
        assert_eq!(markdown("a\tb\u{1b}[31m~"), "a b?\\[31m~");
    }

    #[test]
    fn no_user_text_starts_a_line_or_a_workflow_command_in_terminal_output() {
        assert_eq!(one_line("a\n::error::x"), "a?::error::x");
        assert_eq!(one_line("a\r\u{2028}b\u{2029}"), "a??b?");
        // First on a line, even after blanks (GitHub's runner trims them).
        assert_eq!(one_line("::error::x"), "\\::error::x");
        assert_eq!(one_line(" \u{a0}::warning::x"), "\\ \u{a0}::warning::x");
        assert_eq!(one_line(":x::y"), ":x::y");
        // The legacy form counts anywhere in a line.
        assert_eq!(one_line("a ##[error]b ###[x"), "a ##\\[error]b ###\\[x");
        // Line by line: the breaks stay, no line can start a command.
        assert_eq!(
            log_lines("error: a/x\n::error::forged\r\n  ::set-output name=a::b"),
            "error: a/x\n\\::error::forged?\n\\  ::set-output name=a::b"
        );
    }
}
