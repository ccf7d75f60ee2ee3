"""The stand-in's placeholder synthesis: theory, score, bars, voices, synth."""
