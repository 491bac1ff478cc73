"""Atom 1.0 (RFC 4287): entries, feed documents, and RFC 5005 archive documents."""

from __future__ import annotations

from collections.abc import Mapping

from .. import language
from ..model import Content, Feed, Page, Post, from_micros
from ..settings import Settings
from .common import (
    attr,
    bound,
    categories,
    description,
    home_of,
    hub,
    images,
    iso,
    prev_archive,
    prolog,
    site_author,
    text,
    url_of,
)

NO_CONTENT = Content("", "", None)
_NAMESPACES = 'xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"'


def entry(post: Post, content: Content) -> tuple[str, str]:
    """The entry before and after where its content goes."""
    lang = f" xml:lang={attr(post.lang)}" if post.lang else ""
    parts = [
        f"<entry{lang}><id>{text(post.id)}</id><title>{text(post.title)}</title>",
        f'<link rel="alternate" type="text/html" href={attr(post.url)}/>',
        f"<published>{iso(post.published)}</published><updated>{iso(post.updated)}</updated>",
    ]
    if post.author:
        parts.append(_author(post.author, *post.author_links))
    parts.extend(f"<category term={attr(c)}/>" for c in categories(post))
    if content.summary:
        parts.append(f"<summary>{text(content.summary)}</summary>")
    thumb = f"<media:thumbnail url={attr(content.image)}/>" if content.image else ""
    return "".join(parts), thumb + "</entry>\n"


def _author(name: str, uri: str, email: str) -> str:
    uri = f"<uri>{text(uri)}</uri>" if uri else ""
    return f"<author><name>{text(name)}</name>{uri}" + (
        f"<email>{text(email)}</email></author>" if email else "</author>"
    )


def head(feed: Feed, settings: Settings, prev: str | None) -> tuple[str, str]:
    """A feed document before and after its entries."""
    self_url = url_of(settings, feed.file("atom"))
    top = (
        prolog(feed.file("atom")) + f"<feed {_NAMESPACES}{_lang(feed)}>\n"
        f"<id>{text(self_url)}</id><title>{text(feed.title)}</title>"
        f"<subtitle>{text(description(feed, settings))}</subtitle>\n"
        f"<updated>{iso(feed.updated)}</updated>\n"
        f'<link rel="self" type="application/atom+xml" href={attr(self_url)}/>\n'
        + hub(settings, "")
        + prev_archive(settings, "", prev)
        + f'<link rel="alternate" type="text/html" href={attr(home_of(settings, feed))}/>\n'
        + _author(*site_author(settings))
        + "\n<generator>feedpub</generator>\n"
        + _images(feed, settings)
    )
    return top, "</feed>\n"


def _images(feed: Feed, settings: Settings) -> str:
    icon, logo = images(feed, settings)
    return (f"<icon>{text(icon)}</icon>\n" if icon else "") + (
        f"<logo>{text(logo)}</logo>\n" if logo else ""
    )


def _lang(feed: Feed) -> str:
    return f" xml:lang={attr(feed.lang)}" if feed.lang else ""


def archive_entry(post: Post) -> bytes:
    """An archive entry: identity, title, link, times, author, categories."""
    return "".join(entry(post, NO_CONTENT)).encode()


def archive_bound(post: Post) -> int:
    """An upper bound of the size of `archive_entry(post)`, without rendering it."""
    links = [link for link in post.author_links if link]  # (none: the bound of before)
    fields = (post.id, post.url, post.title, post.author, *links, *categories(post))
    return 400 + bound("".join(fields)) + 30 * len(fields)


def archive(
    feed: Feed,
    page: Page,
    prev: str | None,
    next_: str | None,
    settings: Settings,
    entries: Mapping[str, bytes],
) -> bytes:
    """One RFC 5005 archive document, marked `fh:archive`, fully linked; `prev` and
    `next_` are the files of the documents before and after it."""
    self_url = url_of(settings, page.file)
    links = [
        ("self", page.file),
        ("current", feed.file("atom")),
        *((("prev-archive", prev),) if prev else ()),
        *((("next-archive", next_),) if next_ else ()),
    ]
    updated = from_micros(max(m.updated for m in page.members))
    # its own entries' language: what it holds decides it, as what it holds keys it
    lang = language.majority((m.lang for m in page.members), settings.lang) or "und"
    top = (
        prolog(page.file) + f"<feed {_NAMESPACES} xml:lang={attr(lang)}"
        ' xmlns:fh="http://purl.org/syndication/history/1.0">\n<fh:archive/>\n'
        f"<id>{text(self_url)}</id><title>{text(f'{feed.title} ({page.label})')}</title>\n"
        f"<updated>{iso(updated)}</updated>\n"
        + "".join(
            f'<link rel="{rel}" type="application/atom+xml" href={attr(url_of(settings, f))}/>\n'
            for rel, f in links
        )
        + f'<link rel="alternate" type="text/html" href={attr(home_of(settings, feed))}/>\n'
        + _author(*site_author(settings))
        + "\n<generator>feedpub</generator>\n"
    )
    return top.encode() + b"".join(entries[m.id] for m in page.members) + b"</feed>\n"
