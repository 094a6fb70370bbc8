"""The preview page's HTML: one jinja2 template, autoescaped (prompts, names and URLs
are untrusted text), CSS and script inline, nothing loaded from the network."""

from __future__ import annotations

from typing import Any

__all__ = ["render_page"]

_CSS = """
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fbfbfc;--card:#fff;--mute:#5b6470;
--line:#d5d9de;--acc:#0b63c5;--err:#b3261e;--warn:#8a5a00;--ok:#1e7b34}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8eb;--bg:#15171a;--card:#1e2125;
--mute:#a4acb6;--line:#3a3f45;--acc:#6fb1ff;--err:#ff8a80;--warn:#ffcc66;--ok:#7ddc8f}}
*{box-sizing:border-box}
body{margin:0;overflow-wrap:anywhere;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}
header,main,footer{max-width:1100px;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.2rem 0}
h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
h3{font-size:1.05rem;margin:1rem 0 .3rem}
a{color:var(--acc)}
a:focus-visible,summary:focus-visible,video:focus-visible{outline:3px solid var(--acc);outline-offset:2px}
.meta{color:var(--mute);font-size:.9rem}
.totals{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;padding:0;list-style:none}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;
padding:1rem;margin:1rem 0}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.3rem 1rem;margin:.5rem 0}
.facts div{display:flex;flex-direction:column}.facts dt{color:var(--mute);font-size:.8rem}
.facts dd{margin:0;font-weight:600}
.timeline{position:relative;height:2.6rem;border:1px solid var(--line);border-radius:6px;
overflow:hidden;background:var(--bg)}
.shot{position:absolute;top:0;bottom:0;border-right:1px solid var(--line);padding:.15rem .35rem;
font-size:.75rem;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;
background:color-mix(in srgb,var(--acc) 14%,transparent)}
.shot:nth-child(even){background:color-mix(in srgb,var(--acc) 26%,transparent)}
.prompt{margin:0;padding:.5rem;border:1px solid var(--line);border-radius:6px;overflow-x:auto;
list-style:none;font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.prompt li{display:flex;gap:.75rem;white-space:pre-wrap;word-break:break-word}
.prompt .text{flex:1}.prompt .src{color:var(--mute);max-width:40%;text-align:right}
.prompt .src a{white-space:nowrap}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid var(--line);vertical-align:top}
td.url{word-break:break-all}
.takes{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:1rem}
figure{margin:0}video,img{max-width:100%;height:auto;border-radius:6px;background:#000}
.status{font-weight:600}.status.done{color:var(--ok)}.status.missing,.status.failed{color:var(--err)}
.diag{margin:.3rem 0;padding:.4rem .6rem;border-left:4px solid var(--warn)}
.diag.error{border-color:var(--err)}
.graph-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:10px;padding:.5rem;
background:var(--card)}
svg.graph{max-width:100%;height:auto;color:var(--mute);font-size:13px}
svg.graph rect{fill:var(--card);stroke:var(--acc);stroke-width:1.5}
svg.graph .node text{fill:var(--fg)}svg.graph .edge-label{fill:var(--mute);font-size:11px}
svg.graph a:focus rect{stroke-width:4}
nav ol{padding-left:1.2rem;columns:12rem}
.prompt li.template .src,.prompt li.template .src a{opacity:.7}
.refs{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:.8rem}
.ref-thumb{display:block;width:100%;aspect-ratio:16/9;object-fit:contain;border-radius:6px;background:#000}
.placeholder{display:flex;align-items:center;justify-content:center;text-align:center;
background:var(--bg);border:2px dashed var(--line);color:var(--mute);font-size:.85rem;padding:.3rem}
.ref figcaption{font-size:.85rem;margin-top:.3rem;word-break:break-word}
ol.source{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding-left:3.2rem;
margin:0;border:1px solid var(--line);border-radius:6px;background:var(--card);overflow-x:auto}
ol.source li{white-space:pre-wrap;word-break:break-word}ol.source li::marker{color:var(--mute)}
ol.source li:target{background:color-mix(in srgb,var(--acc) 25%,transparent)}
@media (max-width:600px){body{font-size:15px}header,main,footer{padding:.6rem}
.card{padding:.7rem}th,td{padding:.25rem}.prompt li{flex-direction:column;gap:0}
.prompt .src{font-size:.8rem;max-width:none;text-align:left}svg.graph{max-width:none}}
header{padding-bottom:0}main{padding-top:0}.card h2{margin-top:0}
"""

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline';{% if live_reload %} script-src 'self'; connect-src 'self';{% endif %} base-uri 'none'; form-action 'none'">
{%- if live_reload %}
<script src="/__preview/reload.js" defer></script>
{%- endif %}
<meta name="generator" content="seedance preview">
<title>{{ title }} — storyboard preview</title>
<style>{{ css }}</style>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<p class="meta">{{ file }} · source sha256 {{ source_hash[:12] }}
{%- if server %} · rendered on {{ server }}{% if rendered_at %} ({{ rendered_at }}){% endif %}
{%- else %} · not rendered yet (no manifest in {{ render_dir }}){% endif %}</p>
<h2 id="totals">Total</h2>
<ul class="totals" aria-labelledby="totals">
<li><strong>{{ cards|length }}</strong> clips</li>
<li>duration <strong>{{ "%g"|format(total_s) }} s</strong> ({{ total_tc }})</li>
<li>estimated <strong>{{ estimate }}</strong> credits</li>
<li>charged <strong>{{ charged if charged is not none else "—" }}</strong>{% if charged is not none %} credits{% endif %}</li>
{%- if errors %}<li class="status failed">{{ errors }} error{{ "s" if errors != 1 }}</li>{% endif %}
</ul>
<p class="meta">Estimates: {{ prices }}. The charge is what the server reported.</p>
</header>
<main>
{%- if general %}
<section aria-labelledby="diags"><h2 id="diags">Diagnostics</h2>
{%- for d in general %}<p class="diag {{ d.severity }}">{{ d.severity }} {{ d.code }}: {{ d.message }}{% if d.where %} <span class="meta">({{ d.where }})</span>{% endif %}{% if d.help %}<br><span class="meta">help: {{ d.help }}</span>{% endif %}</p>{% endfor %}
</section>
{%- endif %}
<section aria-labelledby="graph-h"><h2 id="graph-h">Clip graph</h2>
<div class="graph-wrap">{{ graph|safe }}</div>
{%- if edges %}
<ul class="meta">{% for e in edges %}<li><a href="#clip-{{ e.target }}">{{ e.target }}</a> {{ e.phrase }} <a href="#clip-{{ e.source }}">{{ e.source }}</a></li>{% endfor %}</ul>
{%- endif %}
</section>
<nav aria-labelledby="clips-h"><h2 id="clips-h">Clips</h2><ol>
{%- for c in cards %}<li><a href="#{{ c.anchor }}">{{ c.name }}</a></li>{% endfor %}
</ol></nav>
{%- for c in cards %}
<article class="card clip" id="{{ c.anchor }}" data-clip="{{ c.name }}" aria-labelledby="{{ c.anchor }}-h">
<h2 id="{{ c.anchor }}-h">{{ loop.index }}. {{ c.name }}{% if not c.valid %} <span class="status failed">(has errors)</span>{% endif %}</h2>
<p class="meta">{% if c.href %}<a href="{{ c.href }}">{{ c.where }}</a>{% else %}{{ c.where }}{% endif %}{% if c.depends_on %} · depends on {% for d in c.depends_on %}<a href="#clip-{{ d }}">{{ d }}</a>{{ ", " if not loop.last }}{% endfor %}{% endif %}</p>
<dl class="facts">
<div><dt>mode</dt><dd>{{ c.mode or "—" }}</dd></div>
<div><dt>tier</dt><dd>{{ c.tier or "—" }}</dd></div>
<div><dt>duration</dt><dd>{{ "%g s"|format(c.duration) if c.duration is not none else "—" }}</dd></div>
<div><dt>resolution</dt><dd>{{ c.resolution or "—" }}</dd></div>
<div><dt>aspect</dt><dd>{{ c.aspect or "—" }}</dd></div>
<div><dt>seed</dt><dd>{{ c.seed if c.seed is not none else "—" }}</dd></div>
<div><dt>estimated credits</dt><dd>{{ c.estimate }}</dd></div>
</dl>
{%- for d in c.diagnostics %}<p class="diag {{ d.severity }}">{{ d.severity }} {{ d.code }}: {{ d.message }}{% if d.where %} <span class="meta">({{ d.where }})</span>{% endif %}{% if d.help %}<br><span class="meta">help: {{ d.help }}</span>{% endif %}</p>{% endfor %}
{%- if c.shots %}
<h3>Shots</h3>
<div class="timeline" role="list" aria-label="shot timeline of {{ c.name }}">
{%- for s in c.shots %}<div class="shot" role="listitem" style="left:{{ '%.3f'|format(s.left if s.left is not none else (loop.index0 * 100 / c.shots|length)) }}%;width:{{ '%.3f'|format(s.width if s.width is not none else (100 / c.shots|length)) }}%" title="shot {{ s.number }}: {{ s.text }}">{{ s.number }}{% if s.start %} · {{ s.start }}–{{ s.end }}{% endif %}</div>{% endfor %}
</div>
<ol class="meta">{% for s in c.shots %}<li>{% if s.start %}{{ s.start }}–{{ s.end }}: {% endif %}{{ s.text }}{% if s.href %} <a href="{{ s.href }}">line {{ s.href.rsplit("-L", 1)[1] }}</a>{% endif %}</li>{% endfor %}</ol>
{%- endif %}
<h3>Prompt{% if c.prompt_where %} <span class="meta">({{ c.prompt_where }})</span>{% endif %}</h3>
<ol class="prompt">{{ c.prompt_lines|prompt_items }}
</ol>
{%- if c.references %}
<h3>References</h3>
<div class="refs">
{%- for r in c.references %}{% set t = r.thumb %}
<figure class="ref" data-role="{{ r.role }}" data-field="{{ r.field }}">
{%- if t.type == "output" and t.ready and t.video %}
<video class="ref-thumb" controls muted preload="auto" playsinline src="{{ t.video }}"{% if t.frame %} poster="{{ t.frame }}"{% endif %} aria-label="{{ r.label }}: the video of clip {{ t.clip }}"></video>
{%- elif t.type == "output" and t.ready %}
<img class="ref-thumb" src="{{ t.frame }}" alt="{{ r.label }}: the last frame of clip {{ t.clip }}" width="320" loading="lazy">
{%- elif t.type == "output" %}
<div class="ref-thumb placeholder pending" role="img" aria-label="{{ r.label }}: the {{ t.what }} of clip {{ t.clip }}, not rendered yet"><span>the {{ t.what }} of clip <a href="#clip-{{ t.clip }}">{{ t.clip }}</a><br>not rendered yet</span></div>
{%- else %}
<div class="ref-thumb placeholder {{ t.type }}" role="img" aria-label="{{ r.label }}: {{ "a remote" if r.remote else "an" }} {{ r.kind }}, not loaded"><span>{{ r.kind }}<br>({{ "remote: " if r.remote }}not loaded)</span></div>
{%- endif %}
<figcaption><strong class="ref-label">{{ r.label }}</strong><br>{{ r.name }} <span class="meta">— {{ r.phrase }}</span>
<br><span class="url">{% if r.remote %}<a href="{{ r.url }}" rel="noreferrer noopener">{{ r.url }}</a>{% elif t.type == "output" %}<a href="#clip-{{ t.clip }}">{{ t.what }} of clip {{ t.clip }}</a>{% else %}{{ r.url }}{% endif %}</span>
{%- if r.where %}<br><span class="meta">{% if r.href %}<a href="{{ r.href }}">{{ r.where }}</a>{% else %}{{ r.where }}{% endif %}</span>{% endif %}</figcaption>
</figure>
{%- endfor %}
</div>
{%- endif %}
<h3>Render</h3>
{%- if c.takes %}
<div class="takes">
{%- for t in c.takes %}
<figure>
{%- if t.video %}
<video controls preload="auto" playsinline src="{{ t.video }}"{% if t.frame %} poster="{{ t.frame }}"{% endif %} aria-label="video of clip {{ c.name }}, take {{ t.take }}"></video>
{%- endif %}
<figcaption><span class="status {{ t.status }}">take {{ t.take }}: {{ t.status }}</span>{% if t.reason %} ({{ t.reason }}){% endif %}
{%- if t.task_id %}<br>task {{ t.task_id }}{% endif %}
{%- if t.seed is not none %} · seed {{ t.seed }}{% endif %}
{%- if t.credits is not none %} · {{ t.credits }} credits{% endif %}
{%- if t.render_s is not none %} · {{ "%.1f"|format(t.render_s) }} s{% endif %}
{%- if t.error %}<br><span class="status failed">{{ t.error if t.error is string else t.error|tojson }}</span>{% endif %}
{%- if t.frame %}<br><a href="{{ t.frame }}">last frame</a>{% endif %}
{%- if not t.video and t.status == "done" %}<br><span class="status missing">the video file is missing</span>{% endif %}
</figcaption>
{%- if t.frame %}<img src="{{ t.frame }}" alt="last frame of clip {{ c.name }}, take {{ t.take }}" loading="lazy" width="320">{% endif %}
</figure>
{%- endfor %}
</div>
{%- else %}
<p class="status missing">not rendered yet</p>
{%- endif %}
</article>
{%- endfor %}
{%- if sources %}
<section aria-labelledby="sources-h"><h2 id="sources-h">Sources</h2>
<p class="meta">The <code>.shot</code> lines the prompts and references above link to.</p>
{%- for f in sources %}
<h3 class="source-file">{{ f.file }}</h3>
<ol class="source" aria-label="{{ f.file }}">{{ f|source_items }}
</ol>
{%- endfor %}
</section>
{%- endif %}
</main>
<footer class="meta">Written by <code>seedance preview</code>. This page loads nothing from the network.</footer>
</body>
</html>
"""


_TEMPLATE_LINE = ' title="written by the prompt template: links to the clip\'s line"'


def _prompt_items(lines: list[dict[str, Any]]) -> Any:
    """The ``<li>`` of each prompt line with its links (built here rather than in the
    template: a page of 100 clips has thousands of them, and a loop in jinja2 costs
    more to compile and to run)."""
    from markupsafe import Markup, escape

    out = []
    for ln in lines:
        links = " ".join(
            f'<a href="{escape(k["href"])}" title="{escape(k["where"])}">{escape(k["short"])}</a>'
            if k["href"]
            else str(escape(k["where"]))
            for k in ln["links"]
        )
        title = _TEMPLATE_LINE if ln["kind"] == "template" else ""
        out.append(
            f'<li class="{escape(ln["kind"])}"><span class="text">{escape(ln["text"])}</span>'
            f'<span class="src"{title}>{links}</span></li>'
        )
    return Markup("".join(out))


def _source_items(f: dict[str, Any]) -> Any:
    """The numbered lines of a ``.shot`` file, each with its anchor (``#src0-L12``)."""
    from markupsafe import Markup, escape

    n = int(f["id"])
    return Markup(
        "".join(
            f'<li id="src{n}-L{i}"><code>{escape(line)}</code></li>'
            for i, line in enumerate(f["lines"], 1)
        )
    )


def render_page(context: dict[str, Any]) -> str:
    """The page's HTML from :func:`.build.build_preview`'s context."""
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["prompt_items"] = _prompt_items
    env.filters["source_items"] = _source_items
    return env.from_string(_TEMPLATE).render(css=_CSS, **context)
