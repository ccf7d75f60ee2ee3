"""The `generation_info` markdown of a finished job, in the real server's layout.

Its first line says plainly that the audio is a placeholder, so the notice travels with every
track the stand-in makes, wherever the text is shown.
"""

from standin.config import PLACEHOLDER_NOTICE
from standin.plan import JobPlan


def generation_info(plan: JobPlan, *, seconds: float, tracks: int) -> str:
    """Notice, per-track time, the LM's metadata (if it ran), a summary and the total time."""
    if plan.analysis_only:
        return f"{PLACEHOLDER_NOTICE}\n\nAnalysis Only Mode Complete"
    parts = [PLACEHOLDER_NOTICE]
    if tracks:
        parts.append(f"**🎯 Average Time per Track: {seconds / tracks:.2f}s** ({tracks} track(s))")
    if plan.uses_lm:
        parts.append(_lm_section(plan))
    seeds = ",".join(str(seed) for seed in plan.seeds)
    parts.append(
        "**🎵 Generation Complete**\n"
        f"  - **Seeds:** {seeds}\n"
        f"  - **Steps:** {plan.inference_steps}\n"
        f"  - **Audio Count:** {tracks} audio(s)"
    )
    parts.append(f"**⏱️ Total Time: {seconds:.2f}s**")
    return "\n\n".join(parts)


def _lm_section(plan: JobPlan) -> str:
    metas = plan.metas
    lines = [
        f"- **BPM:** {metas['bpm']}",
        f"- **Duration:** {metas['duration']} seconds",
        f"- **Key Scale:** {metas['keyscale']}",
        f"- **Time Signature:** {metas['timesignature']}",
    ]
    return "**🤖 LM-Generated Metadata (stand-in rules):**\n" + "\n".join(lines)
