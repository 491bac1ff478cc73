"""The images of a body: lazy ones woken, what every one says to the reader's
browser, and the still that stands for a video."""

from __future__ import annotations

from html import escape
from typing import Any

from lxml import etree

from . import videos
from .text import xml_safe
from .urls import absolute, absolute_srcset

_IMAGES = etree.XPath("descendant::img")
_LAZY_SRC = ("data-src", "data-original", "data-lazy-src", "data-actualsrc", "data-cfsrc")
_LAZY_SRCSET = ("data-srcset", "data-lazy-srcset")
_PLACEHOLDER_NAMES = ("placeholder", "blank.gif", "lazy", "loading")


def fix_images(body: Any, base: str | None, data_ok: bool) -> None:
    """Wake lazy images and make their URLs absolute; drop those with no usable source."""
    for img in _IMAGES(body):
        src = _image_src(img, base, data_ok)
        if src is None:
            img.drop_tree()  # its tail text stays
            continue
        img.set("src", src)
        srcset = _image_srcset(img, base)
        if srcset:
            img.set("srcset", srcset)
        else:
            img.attrib.pop("srcset", None)


def _image_src(img: Any, base: str | None, data_ok: bool) -> str | None:
    src = (img.get("src") or "").strip()
    if _is_placeholder(src):  # the lazy source, if the image has one; else a real name
        lazy = [img.get(name, "").strip() for name in _LAZY_SRC]
        lazy += [_first(img.get(name, "")) for name in _LAZY_SRCSET]  # a set's first then
        own = "" if _blank(src) or any(lazy) else src
        src = next((v for v in lazy if v and not _is_placeholder(v)), own)
    url = absolute(src, base, data_ok) if src else None
    if url is None or url == base or url.rpartition("/")[2] in _UNSET:
        return None  # (the page itself, or a script's value never set: no picture)
    return url


_UNSET = frozenset({"undefined", "null"})  # `src=".../@penfarming/undefined"`


def _first(srcset: str) -> str:
    """The first URL of a `srcset` (`a.jpg 300w, b.jpg 600w`)."""
    return srcset.strip().split(",", 1)[0].strip().split(" ", 1)[0]


def _image_srcset(img: Any, base: str | None) -> str | None:
    srcset = img.get("srcset") or ""
    if not srcset.strip() or "data:" in srcset:
        lazy = (img.get(name) for name in _LAZY_SRCSET)
        srcset = next((v for v in lazy if v), srcset)
    return absolute_srcset(srcset, base)


def _is_placeholder(src: str) -> bool:
    """Whether `src` may be a stand-in shown until a lazy loader swaps the real image
    in: nothing to show, or named like one (`lazy.gif`, but `loading-screen.gif` too,
    a blog's real picture: it stays when no lazy source stands beside it)."""
    if _blank(src):
        return True
    name = src.lower().split("?", 1)[0].rsplit("/", 1)[-1]
    return any(marker in name for marker in _PLACEHOLDER_NAMES)


def _blank(src: str) -> bool:
    """Whether `src` shows nothing: empty, `about:blank`, a data GIF or SVG."""
    low = src.lower()
    return not low or low == "about:blank" or low.startswith(("data:image/gif", "data:image/svg"))


def img_start(referrer_policy: str) -> str:
    """How every image of the content starts: loaded only when scrolled to, as a
    page of many entries would otherwise fetch every image at once; and without
    a referrer unless the rules keep the post's ("keep")."""
    if referrer_policy == "keep":
        return '<img loading="lazy" '
    return '<img loading="lazy" referrerpolicy="no-referrer" '


def video_still(video: str, title: str, referrer_policy: str) -> tuple[str, str]:
    """(a paragraph, the image's URL): the still of YouTube `video`, linked to it.

    The paragraph is written as the cleaner's sanitizer would leave it: the id
    is 11 checked characters; the title, the alt text ("Video" if there is
    none), is one line (the parser would turn CR into LF), escaped.
    """
    image = videos.thumbnail(video)
    alt = _attribute_text(" ".join(xml_safe(title).split()) or "Video")
    still = f'{img_start(referrer_policy)}src="{image}" alt="{alt}">'
    return f'<p><a href="{videos.watch_url(video)}">{still}</a></p>', image


def _attribute_text(text: str) -> str:
    """`text` as an attribute value of the sanitizer's output: `&` and `"` escaped
    as html5ever writes them, `<` and `>` as the cleaner escapes them after it.
    (html5ever writes a no-break space as `&nbsp;`: `text` has none left.)"""
    return escape(text, quote=False).replace('"', "&quot;")


def as_img(element: Any) -> None:
    """`<image>` made the `<img>` HTML's parser makes of it. lxml reads an unclosed one
    as holding what follows it: that goes after it, as it stood in the page."""
    element.tag = "img"
    text, tail, held = element.text or "", element.tail or "", list(element)
    element.text = None
    element.tail = text if held else text + tail
    before = element
    for child in held:  # (each keeps its tail: the text after it)
        before.addnext(child)
        before = child
    if held:
        before.tail = (before.tail or "") + tail
