"""Reports for donors: people trained, disaggregated, with the evidence behind every number;
indicator definitions, exports, transcripts and the institutions registry. This package reads
the other three; none of them imports it."""
from .facts import REFRESH_INTERVAL


def includeme(config):
    config.add_translation_dirs("reports:locale/")
    config.include(".routes")
    # Reports also refresh the facts themselves; this keeps that work off the report's time.
    config.add_worker_task("report-facts", "reports.facts:refresh_task", REFRESH_INTERVAL)
