"""Turn a post's scraped body HTML into clean, safe feed content.

One lxml pass removes junk (ads, promos, page chrome), wakes lazy images, makes every
URL absolute and links the addresses written as text; one nh3 pass then enforces the
allowlist (again where a drawn rule became `<hr>`, to close the paragraph it stood in).
Safety rests on nh3 alone, so no junk rule or lxml quirk can let a script through.
(The one piece of markup feedpub writes itself, a video's still, is made of a checked
id and an escaped title; the tests hold that nh3 would keep it as is.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from typing import Any, Literal

import cssselect
import nh3
from cssselect.parser import Attrib, Class, CombinedSelector, Element, Hash
from lxml import etree
from lxml import html as lxml_html

from . import autolinks, echoes, images, linebreaks, players, summaries, trees, videos
from .model import Content
from .summaries import plain_text, summarize
from .text import ILLEGAL_XML, crowded, too_deep, xml_safe
from .urls import absolute, absolute_srcset, too_many_links

__all__ = ["DEFAULT_REMOVE", "Content", "ContentRules", "clean", "summarize", "xml_safe"]

# Junk seen in the corpus. Counts are files in the 10,321-post sample
# (../shared/corpus/archive), all in oped2's scraped pages unless noted.
DEFAULT_REMOVE: tuple[str, ...] = (
    # 联合早报 ad slots and subscription promo: the seed post (a sibling archive).
    '[id^="dfp-ad"]',
    '[id^="innity"]',
    "section#imu",
    'a[href*="subscribe."]',
    # Common ad-network markup (AdSense, Google Publisher Tag); none in the sample.
    ".adsbygoogle",
    "ins[data-ad-client]",  # not every `<ins>`: inserted text is text (a blog's edits)
    "ins[data-revive-zoneid]",
    '[id^="div-gpt-ad"]',
    '[id^="google_ads"]',
    # WordPress (iyouport.org, nei.st).
    ".code-block",  # Ad Inserter slots: 392 files, 2,523 blocks
    '[id^="atatags-"]',  # WordPress.com ad slots: 434
    ".sharedaddy",  # Jetpack share and like buttons: 434
    "#jp-relatedposts",  # Jetpack related posts: 434
    "header.entry-header",  # the title again: 497
    ".page-header",  # the title again: 401
    ".entry-meta",  # byline, categories, dates: 499
    ".entry-author-wrapper",  # "Published" dates: 434
    ".entry-footer",  # tag lists: 712
    '[class*="BarrierFailsafe"]',  # "You've hit the wall" banner: 38
    "section.collection",  # nei.st's "Related" lists of other articles' headlines: 200
    # Drupal (pao-pao.net): 97 files each.
    ".submitted",  # "X 在 <date> 提交"
    ".field-name-title",  # the title again
    ".element-invisible",
    ".element-hidden",
    ".field-name-service-links-displays-group",  # share links
    '[id^="block-views-"]',  # "您可能感兴趣的文章" (related articles)
    ".node-pao-pao-article > #comments",  # comment threads, mostly spam (not ChinaFile's)
    ".comment-add",  # "冒个泡吧！" (leave a comment): 94
    # allhistory.com (燕京书评's page copies): the column and title again, then the
    # author's avatar, name and a relative date ("5-18", "前天") before the text.
    ".column-wrap",  # 20
    ".author-wrap",  # 20
    ".article-page--related",  # nei.st's "Related" list: 1
    ".article-page--tags",
    ".medium-feed-link",  # Medium's "Continue reading on Medium »" (teahouse, oped2): 2
    # Matters (teahouse, society).
    "figure.audio > .player",  # audio player chrome repeating the title: 7
    "lt-mirror",  # a browser extension's copy of a caption: 4
    "lt-highlighter",
)

# Never content, whatever the rules say: dropped with everything inside.
_ALWAYS_DROP = (
    *("script", "style", "noscript", "template", "title", "form", "input", "button"),
    *("select", "textarea", "object", "applet", "svg", "math", "link", "meta"),
    *("frameset", "frame", "noembed", "noframes"),
)
# Tracking pixels: 1x1 or 0x0 by attribute or by inline style.
_PIXELS = etree.XPath(
    "descendant::img[translate(normalize-space(@width), 'px', '') = '0'"
    " or translate(normalize-space(@width), 'px', '') = '1'"
    " or translate(normalize-space(@height), 'px', '') = '0'"
    " or translate(normalize-space(@height), 'px', '') = '1'"
    " or contains(translate(@style, 'WIDTHEGPX ', 'widthegpx'), 'width:1px')"
    " or contains(translate(@style, 'WIDTHEGPX ', 'widthegpx'), 'height:1px')"
    " or contains(translate(@style, 'WIDTHEGPX ', 'widthegpx'), 'width:0px')"
    " or contains(translate(@style, 'WIDTHEGPX ', 'widthegpx'), 'height:0px')]"
)
_VALUE_OPERATORS = {"=", "~=", "|=", "^=", "$=", "*="}
# Comments go at parse time: nh3 would drop them anyway, and a comment is where
# two parsers most often disagree about where markup ends.
_PARSER = lxml_html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
_TRANSLATOR = cssselect.HTMLTranslator()
_WRAPPED = ("<html><body>", "</body></html>")  # around a body that is not a whole document
# What a summary leaves out: a photo's caption or credit is not how a story begins
# ("Pedro Pardo—AFP/Getty Images China's leader…" led 29 of ChinaFile's 50 entries),
# nor is its byline (as Readability finds one, by an `author` or `byline` class: 泡泡's
# Drupal pages led all 97 of their summaries with "图：法新社 文/ 陈子云").
_CAPTIONS = etree.XPath(
    "descendant::figcaption | descendant::*[contains(@class, 'caption')"
    " or contains(@class, 'credit') or contains(@class, 'image-source')"
    " or contains(@class, 'author') or contains(@class, 'byline')]"
)
# Nor is code marked as code by its class names: Rouge's `<pre class="highlight">`, a
# `<code>` of a programming `language-` or highlight.js's `hljs`. A `<pre>` alone may
# hold prose (Matters' editor writes its quotes in one), and so may plain text.
_CLASSES = "concat(' ', normalize-space(@class), ' ')"
_CODE = etree.XPath(
    f"descendant::pre[contains({_CLASSES}, ' highlight ') or code[contains({_CLASSES}, ' hljs ')"
    f" or contains({_CLASSES}, ' language-') and not(contains({_CLASSES}, ' language-plaintext ')"
    f" or contains({_CLASSES}, ' language-text ') or contains({_CLASSES}, ' language-none '))]]"
)
_CODE_NEEDLES = re.compile("highlight|language-|hljs")
# Nor are footnotes: their numbers in the text ("gear list1."), the notes at the end and
# their "↩" back (markdown-it's `footnote-ref` and `footnotes`, kramdown's as Jekyll
# writes them: `role="doc-noteref"`, `class="footnote"`, `class="footnotes"`).
_NOTES = etree.XPath(
    f"descendant::sup[@role = 'doc-noteref' or contains({_CLASSES}, ' footnote-ref ')"
    f" or a[contains({_CLASSES}, ' footnote ')]] | descendant::*[@role = 'doc-endnotes'"
    f" or contains({_CLASSES}, ' footnotes ') or contains({_CLASSES}, ' footnotes-sep ')]"
)
# A caption is short: a longer element of such a class is what holds one (WordPress's
# article of `tag-social-credit`, a `has-captions` wrapper), and stays in the summary.
_CAPTION_CHARS = 400
_CAPTION_NEEDLES = re.compile("<figcaption|caption|credit|image-source|author|byline")
_MEDIA_URLS = etree.XPath(
    "descendant::a/@href | descendant::video/@src | descendant::video/@poster"
    " | descendant::audio/@src | descendant::source/@src | descendant::source/@srcset"
)

_TAGS = {
    *("a", "abbr", "audio", "b", "blockquote", "br", "caption", "cite", "code", "dd"),
    *("del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4"),
    *("h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "picture"),
    *("pre", "q", "s", "small", "source", "span", "strong", "sub", "sup", "table", "tbody"),
    *("summary", "td", "tfoot", "th", "thead", "tr", "u", "ul", "video"),
}
_ATTRIBUTES = {
    "*": {"lang"},  # replaces nh3's default of lang and title everywhere
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "srcset", "sizes", "alt", "title", "width", "height"},
    "video": {"src", "poster", "controls", "width", "height"},
    "audio": {"src", "controls"},
    "source": {"src", "srcset", "sizes", "type", "media"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
# Dropped with their content: a second line behind the lxml pass.
_CLEAN_CONTENT = {
    *("script", "style", "noscript", "template", "iframe", "object", "embed"),
    *("svg", "math", "select", "textarea", "button", "form", "title", "noembed", "noframes"),
}

# A comment ends at its first `-->` (`.*?-->` spanned several: exponential backtracking).
_COMMENT = r"<!--[^-]*(?:-(?!->)[^-]*)*-->"
_FULL_DOCUMENT = re.compile(rf"\s*(?:{_COMMENT}\s*)*<(?:!doctype|html|head|body)\b", re.I)
# A numeric character reference as libxml2 reads it: the `;` may be missing.
_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,8})|0*([0-9]{1,10}));?")
_START_TAG = re.compile(r"<[a-zA-Z](?:[^>\"']+|\"[^\"]*\"|'[^']*')*")
# In nh3 output text has `<` and `>` escaped and attribute values are always
# double-quoted with `"` escaped: a bracket after `="` is (almost surely) in a value.
_BRACKET_IN_VALUE = re.compile(r'="[^"]*[<>]')
_TAG_WITH_ATTRIBUTES = re.compile(r'<[a-zA-Z][a-zA-Z0-9]*(?: [^\s"=/>]+="[^"]*")+>')
_IMG_WITHOUT_SRC = re.compile(r'<img(?: (?!src=)[^\s"=/>]+="[^"]*")*>')
_MEDIA = re.compile(r"<(?:img|video|audio|iframe|a)\b")
_PICTURES = re.compile(r"<(?:img|video|audio)\b")
_IMAGE_SRC = re.compile(r'<img [^>]*?\bsrc="(https?://[^"]*)"')
# A rule drawn of ten characters or more (a description's separators: 325 of the
# corpus's 3,241 shown entries, up to 100 characters long), in text, not in code or
# a link (whose text it may be).
_DRAWN_RULE = re.compile(r"([-=~#*_—━─═＝－▬])\1{9,}")
_DRAWN_RULE_IN_TEXT = re.compile(
    r"(<(pre|code|kbd|samp|a)\b.*?</\2>|<[^>]*>)|([-=~#*_—━─═＝－▬])\3{9,}", re.S
)
# What `referrer_policy = "keep"` keeps of a post's own `referrerpolicy` (the
# HTML standard's values; browsers ignore any other).
_REFERRER_POLICIES = {
    "img": {
        "referrerpolicy": {
            *("no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin"),
            *("same-origin", "strict-origin", "strict-origin-when-cross-origin", "unsafe-url"),
        }
    }
}


@dataclass(frozen=True)
class ContentRules:
    """How to clean one source's bodies; `remove` holds CSS selectors."""

    remove: tuple[str, ...] = DEFAULT_REMOVE
    iframes: Literal["drop", "link"] = "link"
    data_images: bool = True
    summary_chars: int = 300
    summary_skip: tuple[str, ...] = ()  # regular expressions: text summaries leave out
    # "no-referrer" on every image: Chinese image hosts refuse hotlinks that name
    # another site, and accept a request that names none. "keep": what the post says.
    referrer_policy: Literal["no-referrer", "keep"] = "no-referrer"


def clean(
    html: str,
    page_url: str | None,
    rules: ContentRules = ContentRules(),
    title: str = "",
    shared: tuple[str, ...] = (),
    promotion: bool = False,
) -> Content:
    """`html`, the body of the page at `page_url`, as safe feed content: junk gone,
    lazy images woken and loaded lazily, URLs absolute (against `page_url`).

    A body nested deeper than NESTING_LIMIT, or one lxml makes nothing of, becomes its
    plain text: lxml drops what nests too deep without an error, and an entry must not
    be published empty. (The collector reports the first, by the same estimate: FP202.)

    Content without an image of its own, of a YouTube video's page (else of a body
    embedding one), is led by the video's still, `title` its alt text: a reader shows a
    video post, mostly a title and a short description or nothing, with no picture
    otherwise. A description that is the title again goes (the still alone), as does
    one of its channel's promotion alone (parts `shared` with its source's stories, or
    all of it: `promotion`). The summary stays the body's text: the still adds none (its
    alt text is no text a reader sees), and one repeating the title would show twice.
    """
    content, embedded = _cleaned(html, page_url, rules, shared, title)
    if content.image is not None:
        return content
    video = (videos.video_id(page_url) if page_url else None) or embedded
    if video is None:
        return content
    still, image = images.video_still(video, title, rules.referrer_policy)
    text = plain_text(content.html)
    alone = echoes.repeats(text, title) and not _MEDIA.search(content.html)
    promoted = promotion or summaries.promotion_only(text, shared, title)
    if alone or (promoted and not _PICTURES.search(content.html)):
        return Content(still, content.summary, image)  # (a description of nothing its own)
    return Content(still + content.html, content.summary, image)


def _cleaned(
    html: str, base_url: str | None, rules: ContentRules, shared: tuple[str, ...], title: str
) -> tuple[Content, str | None]:
    """The content, and the first YouTube video the body embeds (or None)."""
    if too_deep(html) or crowded(html):
        return _as_text(html, rules, shared, title), None
    body = _parse(html)
    if body is None or (len(body) == 0 and not (body.text or "").strip()):
        return _as_text(html, rules, shared, title), None  # "" when no text: nothing lost
    tags = _tags_text(html)
    if "<image" in tags:  # an `<img>`, as HTML parses it (lxml does not): then junk or not
        for element in list(body.iter("image")):
            images.as_img(element)
        tags = tags.replace("<image", "<img")  # (the junk rules' needles: pixels', `img.ad`)
    base_url = base_url if base_url is None or not too_many_links(html, base_url) else None
    if "<svg" in tags or "<math" in tags:  # (before the junk rules drop them)
        trees.break_out(body)
    if "<object" in tags or "<embed" in tags:
        players.from_objects(body, base_url)
        tags += " <iframe <img"
    _remove_junk(body, tags, rules.remove)
    trees.drop_title(body, title)
    images.fix_images(body, base_url, rules.data_images)
    _fix_urls(body, base_url)
    autolinks.link_bare_urls(body, html)
    embedded, hosts = players.as_links(body, base_url, rules.iframes)
    trees.collapse_empty(body)
    safe = xml_safe(_sanitize(_serialize(body), rules).strip())
    summary = _summary(plain_text(safe), rules, shared, title)
    captions = _CAPTIONS(body) if _CAPTION_NEEDLES.search(tags) else []
    captions = [c for c in captions if c.tag == "figcaption" or _short(c)]
    captions += _CODE(body) if "<pre" in tags and _CODE_NEEDLES.search(tags) else []
    captions += _NOTES(body) if "footnote" in tags or "doc-" in tags else []
    if hosts or captions:  # a player's link, a photo's caption or credit: not its text
        for link in hosts:
            link.text = ""
        trees.drop_all(body, captions)  # their tails stay
        text = plain_text(_sanitize(_serialize(body), rules))
        summary = _summary(text, rules, shared, title) if text.strip() else summary
    if _DRAWN_RULE.search(safe):  # (after the summary, which leaves the rules out)
        safe = _ruled(safe, rules)
    image = _IMAGE_SRC.search(safe)
    return Content(safe, summary, unescape(image[1]) if image else None), embedded


def _ruled(safe: str, rules: ContentRules) -> str:
    """`safe` with its drawn rules as `<hr>`: no line breaks inside a run of `=` or `-`,
    so a phone's reader scrolled sideways to see 罗宾's 96. nh3 then closes the
    paragraph a rule stood in, as a browser would."""
    ruled = _DRAWN_RULE_IN_TEXT.sub(lambda m: m[1] or "<hr>", safe)
    return xml_safe(_sanitize(ruled, rules).strip())


def _summary(text: str, rules: ContentRules, shared: tuple[str, ...], title: str) -> str:
    """The summary of `text`, without the parts it shares with its source's posts, and
    without what its `title` and hashtags say (`echoes`)."""
    text = echoes.text_of_its_own(text, title)
    summary = summarize(text, rules.summary_chars, rules.summary_skip, shared)
    summary = echoes.without_trailing_hashtags(echoes.text_of_its_own(summary, title))
    return "" if echoes.links_alone(summary) else xml_safe(summary)


def _short(element: Any) -> bool:
    """Whether `element` holds at most `_CAPTION_CHARS` of text (counted no further)."""
    count = 0
    for text in element.itertext():
        count += len(text)
        if count > _CAPTION_CHARS:
            return False
    return True


def _as_text(html: str, rules: ContentRules, shared: tuple[str, ...], title: str) -> Content:
    """`html` as the paragraphs of its text, for a body the parser cannot hold."""
    safe = summaries.paragraphs(html)
    return Content(safe, _summary(plain_text(safe), rules, shared, title), None)


def _parse(html: str) -> Any:
    """The `<body>` of `html`, parsed as a fragment unless it is a whole document.
    What XML forbids goes first, written raw or as a reference (`&#8;`): lxml
    refuses to set a text or attribute holding it, and the cleaning sets both."""
    html = xml_safe(html)
    if "&#" in html:
        html = _NUMERIC_REFERENCE.sub(_forbidden_dropped, html)
    if not html.strip():
        return None
    if not _FULL_DOCUMENT.match(html):
        html = _WRAPPED[0] + html + _WRAPPED[1]
    try:
        doc = lxml_html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return doc.find("body")


def _forbidden_dropped(ref: re.Match[str]) -> str:
    """`ref` itself, or "" if it names a character XML forbids."""
    hexadecimal, decimal = ref.groups()
    code = int(hexadecimal, 16) if hexadecimal is not None else int(decimal)
    return "" if code < 0x110000 and ILLEGAL_XML.match(chr(code)) else ref[0]


def _tags_text(html: str) -> str:
    """The start tags of `html`, lowercased: where any selector's needles must be."""
    return " ".join(_START_TAG.findall(html)).lower()


def _remove_junk(body: Any, tags: str, selectors: tuple[str, ...]) -> None:
    """Delete what `selectors` match, plus the fixed drops and tracking pixels. An
    `<embed>` goes but not what follows it, which libxml2's HTML 4 parser puts inside
    (to HTML it is void): a post's text after one was lost."""
    if "<embed" in tags:
        etree.strip_tags(body, "embed")
    if "<xmp" in tags or "<plaintext" in tags:  # text shown as written: a `<pre>` now
        for element in body.iter("xmp", "plaintext"):
            element.tag = "pre"  # (its text was escaped twice, `&amp;lt;b&amp;gt;`)
            if element.text and element.text.endswith(_WRAPPED[1]):
                element.text = element.text[: -len(_WRAPPED[1])]  # (`_parse`'s, not the body's)
    for needles, query in _junk_queries(selectors):
        if all(needle in tags for needle in needles):
            trees.drop_all(body, query(body))


@lru_cache(maxsize=256)
def _junk_queries(selectors: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], Any], ...]:
    """Each selector as (needles, compiled query); the query runs only if the
    body's start tags contain every needle. Most selectors can never match most
    bodies, and a query costs a walk over the tree; a substring test next to nothing."""
    queries: list[tuple[tuple[str, ...], Any]] = [(("<img",), _PIXELS)]
    for css in _ALWAYS_DROP + selectors:
        try:
            for selector in cssselect.parse(css):
                if selector.pseudo_element:
                    raise cssselect.ExpressionError("pseudo-elements are not supported")
                xpath = _TRANSLATOR.selector_to_xpath(selector, prefix="descendant::")
                queries.append((_needles(selector.parsed_tree), etree.XPath(xpath)))
        except cssselect.SelectorError as err:
            raise ValueError(f"invalid CSS selector {css!r}: {err}") from err
    return tuple(queries)


def _needles(tree: Any) -> tuple[str, ...]:
    """Lowercased text that start tags must contain for `tree` to match an element.

    Only what every match needs: tag names, classes, ids, attribute values,
    never what sits inside `:not()`, `:is()` or `:has()`. A name written with
    character references in the source escapes the test: junk may then stay,
    which is harmless, as nh3 alone guards safety.
    """
    if isinstance(tree, Element):
        return (f"<{tree.element.lower()}",) if tree.element else ()
    found: tuple[str, ...] = ()
    if isinstance(tree, Class):
        found = (tree.class_name.lower(),)
    elif isinstance(tree, Hash):
        found = (tree.id.lower(),)
    elif isinstance(tree, Attrib) and tree.operator in _VALUE_OPERATORS and tree.value:
        found = (str(tree.value.value).lower(),)
    elif isinstance(tree, CombinedSelector):
        found = _needles(tree.subselector)
    return found + _needles(tree.selector)


def _fix_urls(body: Any, base: str | None) -> None:
    """Make link and media URLs absolute; drop the ones that cannot be."""
    for value in _MEDIA_URLS(body):
        element, name = value.getparent(), value.attrname
        url = absolute_srcset(value, base) if name == "srcset" else absolute(value, base)
        if url is None:
            del element.attrib[name]
        elif url != value:
            element.set(name, url)


def _serialize(body: Any) -> str:
    """The HTML inside `body`."""
    body.attrib.clear()
    body.tail = None
    markup: str = etree.tostring(body, encoding="unicode", method="html")
    return markup[len("<body>") : -len("</body>")]


def _sanitize(html: str, rules: ContentRules) -> str:
    """The allowlist, then `<` and `>` escaped in attribute values, where nh3 leaves
    them: valid HTML, but a naive reader of the feed could take `alt="<script>"`
    for a tag. Then every image gets `images.img_start`'s attributes.

    Those are written into nh3's output, not set by nh3: its
    `set_tag_attribute_values` writes two attributes in an order that changes
    from one process to the next, and builds must not differ. Every `<img ` of
    that output starts an image: text and attribute values have no `<` left.
    """
    result: str = _cleaner(rules.data_images, rules.referrer_policy == "keep").clean(html)
    if _BRACKET_IN_VALUE.search(result):
        result = _TAG_WITH_ATTRIBUTES.sub(_escape_brackets, result)
    if "<img" in result:
        result = _IMG_WITHOUT_SRC.sub("", result)  # nh3 dropped a src it could not parse
        result = result.replace("<img ", images.img_start(rules.referrer_policy))
    # html5ever turns a stray </p> (a block that closed its paragraph) into <p></p>.
    return linebreaks.joined(result.replace("<p></p>", ""))


@lru_cache(maxsize=4)
def _cleaner(data_images: bool, keep_referrer_policy: bool) -> Any:
    """nh3's sanitizer for these rules, made once per process: `nh3.clean` makes one
    from its arguments on every call, a third of its time over the corpus."""
    schemes = {"http", "https", "mailto", "data"} if data_images else {"http", "https", "mailto"}
    return nh3.Cleaner(
        tags=_TAGS,
        clean_content_tags=_CLEAN_CONTENT,
        attributes=_ATTRIBUTES,
        tag_attribute_values=_REFERRER_POLICIES if keep_referrer_policy else None,
        url_schemes=schemes,
        link_rel=None,
        strip_comments=True,
    )


def _escape_brackets(tag: re.Match[str]) -> str:
    return "<" + tag[0][1:-1].replace("<", "&lt;").replace(">", "&gt;") + ">"
