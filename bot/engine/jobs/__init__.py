"""The job runner: the database is the queue; dispatch, poll, collect."""
