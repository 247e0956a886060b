"""Reports for donors: people trained, disaggregated, with the evidence behind every number;
indicator definitions, exports, transcripts and the institutions registry. This package reads
the other three; none of them imports it."""


def includeme(config):
    config.add_translation_dirs("reports:locale/")
    config.include(".routes")
