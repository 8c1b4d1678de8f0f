"""TryOnBench reports: `report.md` and `report.html` with tables, charts and the worst samples.

Written beside results.json: `radar.svg` (the four dimensions, one outline per task),
`categories.svg` (Garment fidelity per garment category), `references.svg` (Overall per number of
reference garments) and `gallery/<task>-<n>.png` (inputs, output and target of the lowest-scoring
samples, one strip each).
"""

from __future__ import annotations

import io
from html import escape
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from atelier.data.layout_files import write_bytes_atomic, write_text_atomic
from atelier.eval.bench.bench_runner import GalleryEntry, TaskRun
from atelier.eval.judges.judges import DIMENSIONS
from atelier.eval.bench.svg_charts import bar_chart, radar_chart

TABLE_FIELDS = ("n", "overall", *DIMENSIONS, "ssim", "lpips", "fid", "kid")
CAPTION_HEIGHT = 16


def _format(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return str(value)
    return f"{value:.4f}" if abs(value) < 1 else f"{value:.2f}"


def gallery_strip(entry: GalleryEntry) -> np.ndarray:
    """One picture: every panel side by side at the output's height, each captioned above."""
    height = max(panel.shape[0] for _, panel in entry.panels)
    pictures = []
    for caption, panel in entry.panels:
        width = round(panel.shape[1] * height / panel.shape[0])
        picture = Image.new("RGB", (width, height + CAPTION_HEIGHT), "white")
        picture.paste(Image.fromarray(panel).resize((width, height)), (0, CAPTION_HEIGHT))
        ImageDraw.Draw(picture).text((3, 2), caption[: width // 6], fill="black")
        pictures.append(picture)
    strip = Image.new("RGB", (sum(p.width for p in pictures) + 4 * (len(pictures) - 1), height + CAPTION_HEIGHT), "white")
    x = 0
    for picture in pictures:
        strip.paste(picture, (x, 0))
        x += picture.width + 4
    return np.asarray(strip)


def _save_png(path: Path, image: np.ndarray) -> None:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    write_bytes_atomic(path, buffer.getvalue())


def write_report(out_dir: str | Path, document: dict, breakdowns: dict, runs: list[TaskRun], settings: dict) -> tuple[Path, Path]:
    """Write the charts, the gallery, report.md and report.html.

    Args:
        out_dir: the results folder.
        document: results.json's document.
        breakdowns: breakdowns.json's document.
        runs: the task runs (for the gallery).
        settings: how the run was made (judge, n, seed, command), shown at the top.

    Returns:
        paths of report.md and report.html.
    """
    out_dir = Path(out_dir)
    model = document["model"]
    tasks = document["tasks"]
    radar = radar_chart(
        ["identity", "garment", "background", "physics"],
        {task: [values[d] for d in DIMENSIONS] for task, values in tasks.items()},
        f"{model}: the four dimensions per task",
    )
    categories = bar_chart({c: v["garment"] for c, v in breakdowns["by_category"].items()}, "Garment fidelity by category")
    references = bar_chart(
        {f"{k} reference{'s' if k != '1' else ''}": v["overall"] for k, v in breakdowns["by_references"].items()},
        "Overall by number of references",
    )
    charts = {"radar.svg": radar, "categories.svg": categories, "references.svg": references}
    for name, svg in charts.items():
        write_text_atomic(out_dir / name, svg)
    gallery: dict[str, list[tuple[str, GalleryEntry]]] = {}
    for run in runs:
        for number, entry in enumerate(run.worst):
            relative = f"gallery/{run.task}-{number}.png"
            _save_png(out_dir / relative, gallery_strip(entry))
            gallery.setdefault(run.task, []).append((relative, entry))
    markdown = _markdown(model, tasks, breakdowns, gallery, settings)
    html = _html(model, tasks, breakdowns, gallery, settings, charts)
    write_text_atomic(out_dir / "report.md", markdown)
    write_text_atomic(out_dir / "report.html", html)
    return out_dir / "report.md", out_dir / "report.html"


def _markdown(model, tasks, breakdowns, gallery, settings) -> str:
    lines = [f"# TryOnBench: {model}", ""]
    lines += [f"- {name}: {value}" for name, value in settings.items()]
    lines += ["", "Dimension scores are 1–10 (see docs/tryonbench.md); SSIM higher and LPIPS, FID, KID lower is better.", ""]
    lines += ["| task | " + " | ".join(TABLE_FIELDS) + " |", "|" + " --- |" * (len(TABLE_FIELDS) + 1)]
    for task, values in tasks.items():
        lines.append(f"| {task} | " + " | ".join(_format(values[f]) for f in TABLE_FIELDS) + " |")
    lines += ["", "![radar](radar.svg)", "", "## By garment category", "", "| category | n | garment | overall |", "| --- | --- | --- | --- |"]
    for category, values in breakdowns["by_category"].items():
        lines.append(f"| {category} | {values['n']} | {_format(values['garment'])} | {_format(values['overall'])} |")
    lines += ["", "![categories](categories.svg)", "", "## By number of references", "", "| references | n | overall | garment |", "| --- | --- | --- | --- |"]
    for count, values in breakdowns["by_references"].items():
        lines.append(f"| {count} | {values['n']} | {_format(values['overall'])} | {_format(values['garment'])} |")
    lines += ["", "![references](references.svg)", "", "## Worst samples", ""]
    for task, entries in gallery.items():
        lines += [f"### {task}", ""]
        for relative, entry in entries:
            lines += [f"{entry.key}: overall {entry.overall:.2f}", "", f"![{entry.key}]({relative})", ""]
    return "\n".join(lines) + "\n"


def _html(model, tasks, breakdowns, gallery, settings, charts) -> str:
    head = "".join(f"<th>{escape(f)}</th>" for f in ("task", *TABLE_FIELDS))
    rows = "".join(
        "<tr><td>" + escape(task) + "</td>" + "".join(f"<td>{_format(v[f])}</td>" for f in TABLE_FIELDS) + "</tr>" for task, v in tasks.items()
    )
    settings_list = "".join(f"<li>{escape(str(k))}: {escape(str(v))}</li>" for k, v in settings.items())
    category_rows = "".join(
        f"<tr><td>{escape(c)}</td><td>{v['n']}</td><td>{_format(v['garment'])}</td><td>{_format(v['overall'])}</td></tr>"
        for c, v in breakdowns["by_category"].items()
    )
    reference_rows = "".join(
        f"<tr><td>{escape(k)}</td><td>{v['n']}</td><td>{_format(v['overall'])}</td><td>{_format(v['garment'])}</td></tr>"
        for k, v in breakdowns["by_references"].items()
    )
    gallery_html = "".join(
        f"<h3>{escape(task)}</h3>"
        + "".join(f'<figure><img src="{escape(r)}"><figcaption>{escape(e.key)}: overall {e.overall:.2f}</figcaption></figure>' for r, e in entries)
        for task, entries in gallery.items()
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TryOnBench: {escape(model)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}} table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}} td:first-child{{text-align:left}}
figure{{margin:1em 0}} img{{max-width:100%}} .charts{{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start}}</style></head>
<body><h1>TryOnBench: {escape(model)}</h1><ul>{settings_list}</ul>
<p>Dimension scores are 1–10 (see docs/tryonbench.md); SSIM higher and LPIPS, FID, KID lower is better.</p>
<table><tr>{head}</tr>{rows}</table>
<div class="charts">{charts["radar.svg"]}<div>{charts["categories.svg"]}<br>{charts["references.svg"]}</div></div>
<h2>By garment category</h2><table><tr><th>category</th><th>n</th><th>garment</th><th>overall</th></tr>{category_rows}</table>
<h2>By number of references</h2><table><tr><th>references</th><th>n</th><th>overall</th><th>garment</th></tr>{reference_rows}</table>
<h2>Worst samples</h2>{gallery_html}
</body></html>
"""
