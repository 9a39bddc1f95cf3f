"""`alagen check`: the quality gate over a built site. One module per family of rules
(html_rules, links, file_rules, external, a11y); sources traces findings to the editor's
line; run puts them together; output prints the report."""

from alagen.check.findings import RULES, Finding, Report, Skipped
from alagen.check.run import check_build

__all__ = ["RULES", "Finding", "Report", "Skipped", "check_build"]
