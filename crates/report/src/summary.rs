//! What CI reads: one line per spec, GitHub workflow annotations, and JUnit XML (one test case
//! per spec, one failure element per failed check).

use gauntlet_validate::gate::Verdict;

use crate::text::{github_message, github_property, one_line, xml};

/// One spec's verdict, as the summaries need it.
#[derive(Debug, Clone)]
pub struct SpecVerdict<'a> {
    /// The spec's name.
    pub spec: &'a str,
    /// The file its annotations point at (the spec, or the report re-judged).
    pub file: String,
    /// The gate's verdict.
    pub verdict: &'a Verdict,
}

/// `PASS name` or `FAIL name: check (explanation); ...`.
pub fn line(v: &SpecVerdict) -> String {
    let spec = one_line(v.spec);
    if v.verdict.pass {
        format!("PASS {spec}")
    } else {
        let failed: Vec<String> = v
            .verdict
            .failed()
            .map(|c| format!("{} ({})", one_line(&c.name), one_line(&c.explanation)))
            .collect();
        format!("FAIL {spec}: {}", failed.join("; "))
    }
}

/// One `::error` workflow command per failed check.
pub fn github(v: &SpecVerdict) -> Vec<String> {
    v.verdict
        .failed()
        .map(|c| {
            format!(
                "::error file={},title={}::{}",
                github_property(&v.file),
                github_property(&format!("gauntlet gate: {} {}", v.spec, c.name)),
                github_message(&c.explanation)
            )
        })
        .collect()
}

/// JUnit XML: one suite, one test case per spec, one failure element per failed check.
pub fn junit(verdicts: &[SpecVerdict]) -> String {
    let failures = verdicts.iter().filter(|v| !v.verdict.pass).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"gauntlet\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">\n",
        verdicts.len()
    ));
    out.push_str(&format!(
        "  <testsuite name=\"gauntlet.gate\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
        verdicts.len()
    ));
    for v in verdicts {
        out.push_str(&format!(
            "    <testcase classname=\"gauntlet.gate\" name=\"{}\"",
            xml(v.spec)
        ));
        if v.verdict.pass {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        for c in v.verdict.failed() {
            let value = c
                .value
                .value()
                .map_or_else(|| "undefined".to_string(), |x| format!("{x}"));
            out.push_str(&format!(
                "      <failure type=\"{}\" message=\"{}\">check {}: value {value}, needed {} {}</failure>\n",
                xml(&c.name),
                xml(&c.explanation),
                xml(&c.name),
                xml(&c.comparison),
                c.threshold,
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
