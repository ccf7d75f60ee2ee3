"""The playout catalogue: delivery files of selected tracks and the manifest beside them."""
