"""The catalogue store: SQLAlchemy 2, SQLite by default, PostgreSQL for large installations."""
