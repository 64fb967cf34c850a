"""Reports: papermill notebooks rendered to HTML, and what they are made of.

- :mod:`.params`: the notebooks' parameters and their validation;
- :mod:`.narrative`: the story of a corpus (loading, windows, wording, citations, totals);
- :mod:`.costs`, :mod:`.trajectory`, :mod:`.sources`: the sections of each notebook;
- :mod:`.plots`: charts (one colour per party, linear scales, a map with borders);
- :mod:`.runner`: ``sahel report`` (papermill, HTML without code, partial success).

Nothing is imported here, so ``import sahel.report.params`` stays light.
What stays out: extraction, reconciliation and tables (other packages of ``sahel``).
"""
