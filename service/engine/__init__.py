"""The judging engine: articles in, explained scores out, with no storage, HTTP or batch concerns.

One module per stage, plain data (records.py) between them:
extract -> normalize -> segment -> embed -> story -> claims -> provenance -> signals -> scorer
-> explain; `pipeline.py` runs them (`score_articles`, `prepare`, `analyze`). The helpers the
stages share: mentions (names, figures, dates), lexicon (word lists), furniture, generic, names,
artifacts (the trained models of models/).

Imports nothing from service.store, service.api, service.batch, service.cms or service.cli
(an import-linter contract in pyproject.toml checks it).
"""
