"""`/music stats`: what the ratings, approvals and audio checks say per preset, model and rater."""
