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

/// Text for one line of terminal or log output: control characters (a newline in a file name
/// could forge a verdict line or a workflow command) become `?`.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Text for HTML content and attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for XML content and attribute values; characters XML 1.0 cannot hold are dropped.
pub fn xml(text: &str) -> String {
    html(&text.replace(
        |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r'),
        "",
    ))
}

/// Text for a Markdown table cell: one line, pipes and markup escaped.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
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
        assert_eq!(xml("a\u{1}b"), "ab");
        assert_eq!(one_line("a\n::error::x"), "a?::error::x");
    }
}
