"""Storage around the per-article step: folder scan (:mod:`.scan`), per-article cache (:mod:`.cache`),
ordered parallel map (:mod:`.parallel`) and the CSV tables (:mod:`.tables`). What stays out: the
order in which they are used (:mod:`sahel.pipeline`) and the extraction and reconciliation rules."""
