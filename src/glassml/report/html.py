"""A self-contained HTML report: per experiment the claim, the numbers, the verdict, the figure.

Figures are embedded as base64 PNG data, styles inline, no scripts and no external resources, so
``index.html`` opens anywhere (and offline). ``results.json`` beside it holds the same numbers
for machines.
"""

from __future__ import annotations

import base64
import html
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

__all__ = ["render_report", "write_report"]

_STATUS_STYLE = {
    "passed": ("#1a7f37", "claim supported"),
    "failed": ("#cf222e", "claim NOT supported"),
    "reported": ("#9a6700", "reported (weak claim, not asserted)"),
    "error": ("#6e7781", "error while running"),
}

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1f2328;
background:#f6f8fa}
header{background:#24292f;color:#fff;padding:18px 32px}
header h1{margin:0;font-size:1.6em}
header p{margin:4px 0 0;color:#d0d7de}
main{max-width:1100px;margin:0 auto;padding:16px 32px}
nav ul{columns:3;font-size:.9em}
section.topic h2{border-bottom:2px solid #d0d7de;padding-bottom:4px;margin-top:32px}
article{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:14px 18px;margin:14px 0}
article h3{margin:0 0 6px}
.badge{display:inline-block;color:#fff;border-radius:12px;padding:2px 10px;font-size:.8em;
margin-left:8px;vertical-align:middle}
.claims{color:#57606a;font-size:.9em}
table{border-collapse:collapse;font-size:.88em;margin:8px 0}
td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
td.ok{color:#1a7f37;font-weight:600} td.bad{color:#cf222e;font-weight:600}
img{max-width:100%;height:auto;display:block;margin-top:8px}
pre{background:#f6f8fa;padding:8px;overflow:auto;font-size:.8em}
.summary{font-size:1.0em}
"""


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | tuple):
        if len(value) > 12:
            shown = ", ".join(_fmt(v) for v in value[:12])
            return f"[{shown}, … ({len(value)} values)]"
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) + "}"
    return str(value)


def _experiment_html(r) -> str:
    color, label = _STATUS_STYLE.get(r.status, ("#6e7781", r.status))
    parts = [
        f'<article id="{html.escape(r.name)}" data-status="{r.status}">',
        f"<h3>{html.escape(r.title)}"
        f'<span class="badge" style="background:{color}">{html.escape(label)}</span></h3>',
        f'<div class="claims">{html.escape(", ".join(r.claims))} · <code>{html.escape(r.name)}'
        f"</code> · {r.seconds:.2f} s</div>",
    ]
    if r.summary:
        parts.append(f'<p class="summary">{html.escape(r.summary)}</p>')
    if r.checks:
        rows = "".join(
            f'<tr><td>{html.escape(k)}</td><td class="{"ok" if v else "bad"}">'
            f"{'yes' if v else 'no'}</td></tr>"
            for k, v in r.checks.items()
        )
        parts.append(f"<table><tr><th>check</th><th>holds</th></tr>{rows}</table>")
    if r.metrics:
        rows = "".join(
            f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(_fmt(v))}</td></tr>"
            for k, v in r.metrics.items()
        )
        parts.append(f"<table><tr><th>measured</th><th>value</th></tr>{rows}</table>")
    if r.figure_png:
        b64 = base64.b64encode(r.figure_png).decode("ascii")
        parts.append(
            f'<img alt="figure for {html.escape(r.name)}" src="data:image/png;base64,{b64}">'
        )
    if r.error:
        parts.append(f"<pre>{html.escape(r.error)}</pre>")
    parts.append("</article>")
    return "\n".join(parts)


def render_report(
    results,
    *,
    quick: bool,
    title: str = "glassml — the curriculum, measured",
    bench_link: str | None = None,
) -> str:
    """The report page as one HTML string."""
    counts = Counter(r.status for r in results)
    by_topic = defaultdict(list)
    for r in results:
        by_topic[r.topic].append(r)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    summary = ", ".join(
        f"{counts[s]} {s}" for s in ("passed", "failed", "reported", "error") if counts[s]
    )
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{html.escape(title)}</h1><p>{len(results)} experiments ({summary}) · "
        f"{'quick' if quick else 'full'} mode · {stamp}</p></header><main>",
        "<p>Each claim of the ML curriculum (IDs <code>CL-xxx</code> from the seed inventory) is "
        "run as an experiment with fixed seeds on synthetic or offline data: the numbers it "
        "measured, the checks that decide whether the claim holds, and a figure.</p>",
    ]
    if bench_link:
        out.append(
            f'<p>Speed: <a href="{html.escape(bench_link)}">benchmark ratios '
            "against the reference libraries</a>.</p>"
        )
    out.append("<nav><h2>Contents</h2><ul>")
    for topic in sorted(by_topic):
        for r in by_topic[topic]:
            out.append(f'<li><a href="#{html.escape(r.name)}">{html.escape(r.title)}</a></li>')
    out.append("</ul></nav>")
    for topic in sorted(by_topic):
        out.append(f'<section class="topic"><h2>{html.escape(topic)}</h2>')
        out.extend(_experiment_html(r) for r in by_topic[topic])
        out.append("</section>")
    out.append("</main></body></html>")
    return "\n".join(out)


def write_report(results, out_dir, *, quick: bool, bench_link: str | None = None) -> Path:
    """Write ``index.html`` and ``results.json`` to ``out_dir``; return the HTML path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    page = out / "index.html"
    page.write_text(render_report(results, quick=quick, bench_link=bench_link), encoding="utf-8")
    payload = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "quick": quick,
        "counts": dict(Counter(r.status for r in results)),
        "experiments": [r.to_json() for r in results],
    }
    (out / "results.json").write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return page
