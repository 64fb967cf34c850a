"""Reports: papermill notebooks rendered to HTML, and what they are made of: :mod:`.params` (the
parameters), :mod:`.narrative` (what every notebook shares), :mod:`.costs`, :mod:`.trajectory`,
:mod:`.sources` (the sections), :mod:`.plots` (charts), :mod:`.runner` (``sahel report``).

Nothing is imported here, so ``import sahel.report.params`` stays light.
"""
