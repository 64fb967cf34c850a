"""Reports: papermill notebooks rendered to HTML by ``sahel report`` (:mod:`.runner`); the modules
are listed in docs/architecture.md. Nothing is imported here, so ``import sahel.report.params`` stays light.
"""
