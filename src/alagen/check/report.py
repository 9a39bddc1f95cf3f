"""The report of `alagen check` as text for people, JSON for tools, or GitHub annotations."""

from __future__ import annotations

import json

from alagen.check.findings import Finding, Report


def as_text(report: Report) -> str:
    """`path:line: rule: message` lines grouped by file, skipped rules, then counts by rule."""
    lines: list[str] = []
    path = None
    for finding in report.findings:
        if path is not None and finding.path != path:
            lines.append("")
        path = finding.path
        lines.append(f"{finding}{_where_seen(finding)}")
    if report.skipped:
        lines += ["", "Skipped by front matter:"] if lines else ["Skipped by front matter:"]
        for skip in report.skipped:
            hid = f" ({skip.hidden} finding{'s' if skip.hidden != 1 else ''} not shown)" if skip.hidden else ""
            lines.append(f"  {skip.path}:{skip.line}: {', '.join(skip.rules)}: {skip.reason}{hid}")
    if lines:
        lines.append("")
    lines.append(summary(report))
    return "\n".join(lines)


def summary(report: Report) -> str:
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    if not report.findings:
        return f"No findings in {files}."
    counts = ", ".join(f"{rule} {n}" for rule, n in report.counts.items())
    total = len(report.findings)
    return f"{total} finding{'s' if total != 1 else ''} in {files}: {counts}"


def as_json(report: Report) -> str:
    data = {
        "findings": [
            {"path": f.path, "line": f.line, "rule": f.rule, "message": f.message, "pages": list(f.pages)}
            for f in report.findings
        ],
        "skipped": [
            {"path": s.path, "line": s.line, "rules": list(s.rules), "reason": s.reason, "hidden": s.hidden}
            for s in report.skipped
        ],
        "summary": {"files": report.files, "findings": len(report.findings), "by_rule": report.counts},
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def as_github(report: Report) -> str:
    """Workflow commands: each finding becomes an annotation on its file and line."""
    lines = []
    for finding in report.findings:
        where = f"file={_property(finding.path)}" + (f",line={finding.line}" if finding.line else "")
        lines.append(f"::error {where},title={_property(finding.rule)}::{_data(finding.message + _where_seen(finding))}")
    for skip in report.skipped:
        where = f"file={_property(skip.path)},line={skip.line}"
        lines.append(f"::notice {where},title=check skipped::{_data(', '.join(skip.rules) + ': ' + skip.reason)}")
    lines.append(summary(report))
    return "\n".join(lines)


FORMATS = {"text": as_text, "json": as_json, "github": as_github}


def _where_seen(finding: Finding) -> str:
    """Which built pages show a finding, when that is not plain from its path."""
    if len(finding.pages) > 1:
        return f" (on {len(finding.pages)} pages, e.g. {finding.pages[0]})"
    if finding.pages and not finding.path.startswith("content/") and finding.pages[0] != finding.path:
        return f" (in {finding.pages[0]})"
    return ""


def _data(text: str) -> str:
    # GitHub's workflow command escaping: a message may not break the command's line.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
