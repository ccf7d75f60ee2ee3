"""Schema migrations, applied automatically when the database is opened."""
