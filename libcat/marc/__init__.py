"""Records and formats. Knows nothing of the database: the record in memory is a pymarc.Record."""
