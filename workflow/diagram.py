"""Render a template's stages as an SVG diagram; a document's diagram shows where it stands."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from html import escape

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workflow.spec import ROLE_LABELS, Phase, Quorum, StageSpec

BOX_WIDTH = 260
BOX_HEIGHT = 58
GAP = 26
LEFT = 132
TOP = 16
RETURN_LANE = 26
LINE_HEIGHT = 14
# Approximate widths of system-ui at the sizes used, to wrap text inside its box.
CHAR_WIDTH_BOLD = 7.2
CHAR_WIDTH = 6.4


def group_text(n: int | None, size: int | None = None) -> str:
    """Say how many of a stage's group must act in parallel (an N-of-M stage).

    ``size`` is the group a document's stage was given (its M), when known: "2 dari 5 orang";
    a template does not know it yet: "2 orang dari kelompok".
    """
    if not n or n < 1:
        return _("sebagian dari kelompok")
    if size is not None and size >= n:
        return ngettext("%(n)d dari %(m)d orang", "%(n)d dari %(m)d orang", size) % {
            "n": n,
            "m": size,
        }
    return ngettext("%(n)d orang dari kelompok", "%(n)d orang dari kelompok", n) % {"n": n}


def _quorum_text(stage: StageSpec, size: int | None) -> str:
    if stage.quorum == Quorum.ALL:
        return _("semua")
    if stage.quorum == Quorum.N_OF_M:
        return group_text(stage.quorum_n, size)
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


def _fit_parts(parts: Sequence[str], width: float, char_width: float, lines: int) -> list[str]:
    """Join ``parts`` with " · " into at most ``lines`` lines, breaking between parts; a part
    too long for a line is wrapped at spaces like ``_fit``."""
    limit = max(int(width // char_width), 4)
    result: list[str] = []
    for part in parts:
        candidate = f"{result[-1]} · {part}" if result else part
        if result and len(candidate) <= limit:
            result[-1] = candidate
        else:
            result.append(part)
    if len(result) <= lines and all(len(line) <= limit for line in result):
        return result
    return _fit(" · ".join(parts), width, char_width, lines)


def _details(stage: StageSpec, size: int | None) -> list[str]:
    """Return who acts on the stage, how many, its SLA and whether it is optional."""
    actor = ROLE_LABELS.get(stage.role, stage.role)
    if stage.team:
        actor = f"{actor}: {stage.team}"
    details = [actor]
    quorum = _quorum_text(stage, size)
    if quorum:
        details.append(quorum)
    if stage.sla_days:
        details.append(_("%(days)s hari") % {"days": stage.sla_days})
    if stage.optional:
        details.append(_("opsional"))
    return details


def render_svg(
    stages: Sequence[StageSpec],
    *,
    current: str = "",
    done: Collection[str] = (),
    title: str = "",
    group_sizes: Mapping[str, int] | None = None,
) -> str:
    """Return an SVG of the stages top to bottom, phases on the left, returns as dashed arcs.

    ``current`` highlights where a document stands; ``done`` marks stages it completed;
    ``group_sizes`` gives, by stage key, how many people a document's N-of-M stage chose
    from (a template's diagram has none). A box grows by a line when its summary needs two.
    """
    sizes = group_sizes or {}
    summaries = [
        _fit_parts(_details(stage, sizes.get(stage.key)), BOX_WIDTH - 20, CHAR_WIDTH, 2)
        for stage in stages
    ]
    heights = [BOX_HEIGHT + LINE_HEIGHT * (len(summary) - 1) for summary in summaries]
    returns = sum(len(stage.return_to) for stage in stages)
    width = LEFT + BOX_WIDTH + 20 + RETURN_LANE * max(returns, 1)
    height = TOP * 2 + sum(heights) + GAP * len(stages)
    label = escape(title or _("Diagram tahapan"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{label}" '
        'font-family="system-ui, sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#51606f"/></marker></defs>',
    ]
    middle_of: dict[str, int] = {}
    name_of = {stage.key: stage.name or stage.key for stage in stages}
    previous_phase = ""
    y = TOP
    for index, stage in enumerate(stages):
        box_height = heights[index]
        middle_of[stage.key] = y + box_height // 2
        if stage.phase != previous_phase:
            phase = Phase(stage.phase).label if stage.phase in Phase.values else stage.phase
            phase_lines = _fit(str(phase), LEFT - 16, CHAR_WIDTH_BOLD, 2)
            parts.append(
                _text(
                    8,
                    y + box_height // 2 + (4 if len(phase_lines) == 1 else -3),
                    phase_lines,
                    'fill="#51606f" font-weight="600"',
                    LINE_HEIGHT,
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
            f'<rect x="{LEFT}" y="{y}" width="{BOX_WIDTH}" height="{box_height}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{3 if stage.key == current else 1.5}"{dash}/>'
            f"<title>{escape(stage.name)}</title>"
            + _text(
                LEFT + 10,
                y + 18,
                _fit(stage.name, BOX_WIDTH - 20, CHAR_WIDTH_BOLD, 2),
                'font-weight="600"',
                LINE_HEIGHT,
            )
        )
        parts.append(
            _text(LEFT + 10, y + 48, summaries[index], 'fill="#51606f"', LINE_HEIGHT) + "</g>"
        )
        if index + 1 < len(stages):
            middle = LEFT + BOX_WIDTH // 2
            parts.append(
                f'<line x1="{middle}" y1="{y + box_height}" x2="{middle}" '
                f'y2="{y + box_height + GAP - 2}" stroke="#51606f" marker-end="url(#arrow)"/>'
            )
        y += box_height + GAP
    lane = 0
    for stage in stages:
        for target in stage.return_to:
            if target not in middle_of:
                continue
            lane += 1
            x = LEFT + BOX_WIDTH + 10 + lane * (RETURN_LANE - 6)
            y1 = middle_of[stage.key]
            y2 = middle_of[target]
            right = LEFT + BOX_WIDTH
            parts.append(
                f'<path class="return" d="M{right},{y1} H{x} V{y2} H{right + 2}" '
                'fill="none" stroke="#a1151b" stroke-dasharray="4 3" marker-end="url(#arrow)">'
                f"<title>{escape(stage.name)} → {escape(name_of[target])}</title></path>"
            )
    parts.append("</svg>")
    return "".join(parts)
