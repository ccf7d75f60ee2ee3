"""The listening test's engine side: storing reference files, and sealing pairs once their
candidates' jobs have finished."""
