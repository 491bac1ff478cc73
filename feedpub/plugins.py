"""Jekyll plugins whose tags posts use, rendered as the plugins render them: the
jekyll-figure gem's `{% figure %}` and the `{% youtube id %}` / `{% vimeo id %}` tags
of sites' own video plugins (`liquid` calls them)."""

from __future__ import annotations

import html
import re

from . import videos
from .commonmark import render_markdown

# Blocks of common Jekyll plugins and themes that wrap a post's prose (a box, tabs, a
# disclosure): what they hold is shown, without their markup. Other names are left as
# written: `{% block %}…{% endblock %}` in a post is more likely a Django sample.
BLOCKS = frozenset(
    {"notice", "tabs", "tab", "details", "spoiler", "callout", "alert", "note", "tip"}
    | {"warning", "info", "danger", "hint", "admonition", "aside", "sidenote", "marginnote"}
    | {"pullquote", "quote", "collapse", "box", "panel", "columns", "column", "figure"}
)
_PLAYLIST = re.compile(r"videoseries\?list=[\w-]+")
_FIGURE = re.compile(r"""\b(caption|class):\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')""")


def around(name: str, args: str, content: str) -> str:
    """What a plugin's block `name` shows of itself around its `content`: jekyll-figure's
    figure (`figure`); the caption of a `{% details Caption %}`, in bold before it (the
    author's text: a feed's `<summary>` would go with its `<details>`); else nothing."""
    if name == "figure":
        return figure(args, content)
    if name == "details" and (caption := args.strip()):
        return f"<p><strong>{_inline(caption)}</strong></p>\n\n{content}"
    return content


def _inline(text: str) -> str:
    """`text`'s Markdown as the HTML of a line (a caption's), without its paragraph."""
    return render_markdown(text).strip().removeprefix("<p>").removesuffix("</p>")


def figure(args: str, content: str) -> str:
    """jekyll-figure's `{% figure caption:"…" class:"…" %}…{% endfigure %}`: a `<figure>`
    of its content's Markdown and its caption's (mademistakes.com's 540 pictures)."""
    found = {m[1]: m[2] if m[2] is not None else m[3] for m in _FIGURE.finditer(args)}
    named = html.escape(found.get("class", "").strip())
    caption = _inline(found["caption"]) if found.get("caption") else ""
    below = f"<figcaption>{caption}</figcaption>" if caption else ""
    attributes = f' class="{named}"' if named else ""
    return f"<figure{attributes}>\n{render_markdown(content)}{below}</figure>"


PLAYERS = {  # sites' plugins' tags of a video (their iframe's URL, less the id)
    "youtube": '<iframe src="https://www.youtube.com/embed/',
    "vimeo": '<iframe src="https://player.vimeo.com/video/',
}


def player(name: str, args: str) -> str | None:
    """The player of a plugin's `{% youtube id %}` or `{% vimeo id %}` (its first word:
    an id, or a video's URL), as the embedded players of pages are: the cleaner
    makes it a link to the video."""
    first = args.split(maxsplit=1)[0].strip("\"'") if args else ""
    if name == "vimeo":
        return f'{PLAYERS[name]}{first}"></iframe>' if first.isascii() and first.isdigit() else None
    video = first if videos.is_id(first) else videos.video_id(first)
    if video is None and _PLAYLIST.fullmatch(first):  # `videoseries?list=PL…`, as embedded
        video = first
    return f'{PLAYERS[name]}{video}"></iframe>' if video else None
