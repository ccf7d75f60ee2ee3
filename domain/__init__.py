"""Domain types, vocabulary and constants every layer shares; imports no project code."""
