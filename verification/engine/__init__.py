"""The screening engine: methodology calculators, plausibility rules, the risk model and the decision.

Pure functions over plain data (:mod:`verification.engine.types`): the database is reached only through
a factor provider and a history context passed in, so a stored assessment can be replayed and the
training generator can run without a database. scikit-learn is imported lazily by
:mod:`verification.ml.runtime`, never at import time.
"""

# Bump when a formula, rule, threshold default or feature changes meaning; stored with every assessment.
ENGINE_VERSION = "engine-1.1.0"
