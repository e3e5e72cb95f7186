"""Render a template's stages as an SVG diagram; a document's diagram shows where it stands."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from html import escape

from workflow.spec import ROLE_LABELS, Phase, Quorum, StageSpec

BOX_WIDTH = 240
BOX_HEIGHT = 58
GAP = 26
LEFT = 132
TOP = 16
RETURN_LANE = 26
# Approximate widths of system-ui at the sizes used, to wrap text inside its box.
CHAR_WIDTH_BOLD = 7.2
CHAR_WIDTH = 6.4


def _quorum_text(stage: StageSpec) -> str:
    if stage.quorum == Quorum.ALL:
        return "semua"
    if stage.quorum == Quorum.N_OF_M:
        return f"{stage.quorum_n} dari M" if stage.quorum_n else "N dari M"
    return ""


def _fit(text: str, width: float, char_width: float, lines: int) -> list[str]:
    """Wrap ``text`` at spaces into at most ``lines`` lines of ``width`` px; the last one
    ends with an ellipsis when the text is longer."""
    limit = max(int(width // char_width), 4)
    words = text.split()
    result: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            result.append(current)
        current = word
        if len(result) == lines:
            break
    if current and len(result) < lines:
        result.append(current)
    shown = " ".join(result)
    if len(shown) < len(" ".join(words)) and result:
        last = result[-1]
        result[-1] = (last[: limit - 1].rstrip() if len(last) >= limit else last) + "…"
    return [line[:limit] if len(line) > limit else line for line in result] or [""]


def _text(x: float, y: float, lines: list[str], attributes: str, line_height: int) -> str:
    spans = "".join(
        f'<tspan x="{x}" dy="{0 if index == 0 else line_height}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f'<text x="{x}" y="{y}" {attributes}>{spans}</text>'


def render_svg(
    stages: Sequence[StageSpec],
    *,
    current: str = "",
    done: Collection[str] = (),
    title: str = "",
) -> str:
    """Return an SVG of the stages top to bottom, phases on the left, returns as dashed arcs.

    ``current`` highlights where a document stands; ``done`` marks stages it completed.
    """
    returns = sum(len(stage.return_to) for stage in stages)
    width = LEFT + BOX_WIDTH + 20 + RETURN_LANE * max(returns, 1)
    height = TOP * 2 + len(stages) * (BOX_HEIGHT + GAP)
    label = escape(title or "Diagram tahapan")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{label}" '
        'font-family="system-ui, sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#51606f"/></marker></defs>',
    ]
    y_of: dict[str, int] = {}
    previous_phase = ""
    for index, stage in enumerate(stages):
        y = TOP + index * (BOX_HEIGHT + GAP)
        y_of[stage.key] = y
        if stage.phase != previous_phase:
            phase = Phase(stage.phase).label if stage.phase in Phase.values else stage.phase
            phase_lines = _fit(str(phase), LEFT - 16, CHAR_WIDTH_BOLD, 2)
            parts.append(
                _text(
                    8,
                    y + BOX_HEIGHT // 2 + (4 if len(phase_lines) == 1 else -3),
                    phase_lines,
                    'fill="#51606f" font-weight="600"',
                    14,
                )
            )
            previous_phase = stage.phase
        if stage.key == current:
            fill, stroke, css = "#fff4d6", "#d98e04", "stage current"
        elif stage.key in done:
            fill, stroke, css = "#e3f3e6", "#2e7d32", "stage done"
        else:
            fill, stroke, css = "#ffffff", "#51606f", "stage"
        dash = ' stroke-dasharray="5 3"' if stage.optional else ""
        parts.append(
            f'<g class="{css}" data-stage="{escape(stage.key)}">'
            f'<rect x="{LEFT}" y="{y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{3 if stage.key == current else 1.5}"{dash}/>'
            f"<title>{escape(stage.name)}</title>"
            + _text(
                LEFT + 10,
                y + 18,
                _fit(stage.name, BOX_WIDTH - 20, CHAR_WIDTH_BOLD, 2),
                'font-weight="600"',
                14,
            )
        )
        actor = ROLE_LABELS.get(stage.role, stage.role)
        if stage.team:
            actor = f"{actor}: {stage.team}"
        details = [actor]
        if _quorum_text(stage):
            details.append(_quorum_text(stage))
        if stage.sla_days:
            details.append(f"{stage.sla_days} hari")
        if stage.optional:
            details.append("opsional")
        summary = _fit(" · ".join(details), BOX_WIDTH - 20, CHAR_WIDTH, 1)
        parts.append(_text(LEFT + 10, y + 48, summary, 'fill="#51606f"', 14) + "</g>")
        if index + 1 < len(stages):
            middle = LEFT + BOX_WIDTH // 2
            parts.append(
                f'<line x1="{middle}" y1="{y + BOX_HEIGHT}" x2="{middle}" '
                f'y2="{y + BOX_HEIGHT + GAP - 2}" stroke="#51606f" marker-end="url(#arrow)"/>'
            )
    lane = 0
    for stage in stages:
        for target in stage.return_to:
            if target not in y_of:
                continue
            lane += 1
            x = LEFT + BOX_WIDTH + 10 + lane * (RETURN_LANE - 6)
            y1 = y_of[stage.key] + BOX_HEIGHT // 2
            y2 = y_of[target] + BOX_HEIGHT // 2
            right = LEFT + BOX_WIDTH
            parts.append(
                f'<path class="return" d="M{right},{y1} H{x} V{y2} H{right + 2}" '
                'fill="none" stroke="#a1151b" stroke-dasharray="4 3" marker-end="url(#arrow)">'
                f"<title>{escape(stage.name)} → {escape(target)}</title></path>"
            )
    parts.append("</svg>")
    return "".join(parts)
