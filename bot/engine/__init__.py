"""The engine: jobs, the ACE-Step client, audio checks, batches and schedules."""
