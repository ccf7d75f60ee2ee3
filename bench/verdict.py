"""The last line every benchmark prints, and its exit status."""


def verdict(met: bool, *, smoke: bool) -> int:
    """Print whether the targets were met; 1 when one was missed. Under --smoke the targets are
    not judged and the status is 0 (the caller exits 1 itself when the run broke)."""
    if smoke:
        print("targets not judged (--smoke)")
        return 0
    print("all targets met" if met else "TARGET MISSED")
    return 0 if met else 1
