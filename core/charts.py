"""Charts as images for generated documents (.docx and PDF): matplotlib, drawn off screen.

A chart is described by plain data (`Chart`: kind, title, categories, series, unit), kept in a document's
snapshot, and drawn from it alone, so a kept document draws the same picture again. `png(chart)` gives the
bytes for python-docx; `svg(chart)` the text WeasyPrint embeds (sharp at any zoom). Both are deterministic
for the same data: no dates or tool versions in the files, a fixed hash salt in the SVG.

Chinese text uses Noto Sans CJK SC (Debian's fonts-noto-cjk, which `make` installs with the other system
packages); `font_path()` says where it is and `manage.py check` warns (changai.W004) when it is missing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LINE, BAR = "line", "bar"
FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
)
COLOURS = ("#1f5fa8", "#c0392b", "#2e8b57", "#d4a017", "#6c3483", "#17817f", "#7f8c8d", "#e67e22", "#2c3e50")
WIDTH_IN, HEIGHT_IN, DPI = 6.3, 3.2, 160  # 16 cm wide: an A4 page's text width


@dataclass
class Chart:
    kind: str  # LINE or BAR
    title: str
    categories: list[str]  # x axis: years, prefectures …
    series: list[tuple[str, list[float | None]]] = field(default_factory=list)  # (name, one value per category)
    unit: str = ""
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "categories": list(self.categories),
            "series": [[name, list(values)] for name, values in self.series],
            "unit": self.unit,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Chart:
        return cls(
            kind=data["kind"],
            title=data["title"],
            categories=list(data["categories"]),
            series=[(name, list(values)) for name, values in data["series"]],
            unit=data.get("unit", ""),
            note=data.get("note", ""),
        )


@cache
def font_path() -> Path | None:
    return next((path for path in FONT_FILES if path.exists()), None)


@cache
def _matplotlib():
    """matplotlib, imported on first use (it takes a while) and set to draw off screen."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, pyplot

    return matplotlib, font_manager, pyplot


@cache
def _font():
    path = font_path()
    return _matplotlib()[1].FontProperties(fname=str(path)) if path else None


def _figure(chart: Chart):
    font = _font()
    figure, axes = _matplotlib()[2].subplots(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    positions = list(range(len(chart.categories)))
    count = max(len(chart.series), 1)
    for index, (name, values) in enumerate(chart.series):
        colour = COLOURS[index % len(COLOURS)]
        if chart.kind == BAR:
            width = 0.8 / count
            offset = (index - (count - 1) / 2) * width
            xs = [p + offset for p, v in zip(positions, values, strict=True) if v is not None]
            ys = [v for v in values if v is not None]
            axes.bar(xs, ys, width=width, color=colour, label=name)
        else:
            points = [(p, v) for p, v in zip(positions, values, strict=True) if v is not None]
            axes.plot([p for p, _v in points], [v for _p, v in points], marker="o", color=colour, label=name)
    axes.set_xticks(positions)
    axes.set_xticklabels(chart.categories, fontproperties=font, fontsize=8)
    for label in axes.get_yticklabels():
        label.set_fontproperties(font)
        label.set_fontsize(8)
    if chart.unit:
        axes.set_ylabel(chart.unit, fontproperties=font, fontsize=9, rotation=0, ha="right", va="center")
    axes.set_title(chart.title, fontproperties=font, fontsize=11)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if len(chart.series) > 1:
        # Under the plot, in two columns: a legend inside would cover the lines it names.
        rows = (len(chart.series) + 1) // 2
        figure.set_size_inches(WIDTH_IN, HEIGHT_IN + 0.22 * rows)
        axes.legend(prop=_legend_font(font), frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    figure.tight_layout()
    return figure


def _legend_font(font):
    if font is None:
        return {"size": 8}
    legend = font.copy()
    legend.set_size(8)
    return legend


def png(chart: Chart) -> bytes:
    figure = _figure(chart)
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    _matplotlib()[2].close(figure)
    return out.getvalue()


def svg(chart: Chart) -> str:
    matplotlib, _fonts, pyplot = _matplotlib()
    with matplotlib.rc_context({"svg.hashsalt": "changai", "svg.fonttype": "path"}):
        figure = _figure(chart)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
        pyplot.close(figure)
    return out.getvalue()
