"""The GHG statement as pure functions (no Django): inputs, allocation by days, energy, the statement.

``reports.selectors`` reads the database into :mod:`reports.ghg.inputs`; ``statement_build`` makes the
:class:`~reports.ghg.statement.Statement` that the API, the CSV and the PDF all render.
"""
