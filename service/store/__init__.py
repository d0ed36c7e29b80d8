"""The store: articles, scores and stories on SQLite or PostgreSQL, and the engine over it.

db.py (tables, the Store, one writer for SQLite), migrations/ (Alembic), story_index.py (the
in-memory nearest-article index rebuilt from the store) and scoring_service.py
(`ScoringService.score`: the one entry point that scores an article against the stored corpus,
used by the API, `reliability score --db`, `reliability batch --db` and the CMS queue).

Imports the engine; never the API, batch or CMS packages.
"""
