"""What a reader sees of a body as text: its summary, and its paragraphs when the
HTML parser cannot hold it.

And what a source says in every post, which its summaries leave out: a YouTube
channel leads each video's description with its promotion ("訂閱頻道，每天免費收看…：
https://bit.ly/…"), and ends it with another, glued to the description in one text
node (30% of the corpus's source-feed summaries began so). A reading keeps its
body's `openings`: a hash of each part of its first OPENING_CHARS of text, between
the places it may break (a sentence's, a link's, a drawn rule's, a line's end). A
source's `leads` are the parts at least one in LEAD_SHARE of its stories hold, and
LEAD_STORIES; an entry's summary leaves out those it holds (`skip_of`, `shared_of`).
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from html import unescape
from itertools import accumulate
from typing import NamedTuple

from . import echoes
from .text import TAG, unescape_references, xml_safe, xml_text

_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|dd|dt|dl|h[1-6]|tr|td|th|table|caption|blockquote|pre"
    r"|figure|figcaption)\b[^>\"]*(?:\"[^\"]*\"[^>\"]*)*>",
    re.I,
)
_ANY_TAG = re.compile(r"<[^>\"]*(?:\"[^\"]*\"[^>\"]*)*>")
# What a body that lxml cannot parse shows of itself as text: not comments, doctypes,
# processing instructions, nor what these elements hold.
_HIDDEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<[!?][^>]*>?"
    r"|<(script|style|noscript|template|title|textarea|svg|math)\b.*?(?:</\1\s*>|\Z)",
    re.I | re.S,
)
# Tags that end a paragraph of that text (the others are dropped).
_BLOCKS = frozenset(
    {"p", "div", "br", "hr", "li", "ul", "ol", "dd", "dt", "dl", "tr", "td", "th", "table"}
    | {"caption", "blockquote", "pre", "figure", "figcaption", "section", "article"}
    | {"header", "footer", "aside", "nav", "main", "h1", "h2", "h3", "h4", "h5", "h6"}
)
# The longest summary, as `summary_chars` may be: an author's summary of 500 KB made
# every feed drop its entries to stay in its byte budget.
LONGEST = 10_000
_SCHEME = re.compile(r"https?://", re.I)
_URL_CHARS = re.compile(r"[!-~]*\Z")  # what a link the cut falls in holds from its start
_GLUED_WORD = re.compile(r"(?<=[\u2e80-\U0010ffff])[A-Za-z0-9]+\Z")  # a word glued to CJK
_ASCII_WORD = re.compile("[A-Za-z0-9]")
# A rule drawn of characters: four or more of one (`----`, `=====`, `－－－－`), six of
# those that also mean something in fewer (`****` a censor's mask, `__` a blank).
_RULE = re.compile(r"([-=~#＝－━─═▬])\1{3,}|([*_—])\2{5,}")
_LONGEST_WORD = 30  # a cut goes back to a space only over a word at most this long
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
# Scripts written without spaces between words (Han, kana, their punctuation and
# full-width forms; not Hangul, which spaces its words).
_CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
# A line or block break after a CJK sentence, before more CJK text, is no space:
# "第一段。</p><p>第二段" reads "第一段。第二段" (CSS Text 3 drops such segment breaks).
# After a heading, which has no full stop, it stays one: "标题 正文".
_CJK_BREAK = re.compile(f"(?=\\s)(?<=[。！？；：，、」』）】〉》〕…”’])[^\\S\n]*\n\\s*(?=[{_CJK}])")
# A sentence ends at 。！？ anywhere; at . ! ? only before a space or the end (not in
# "3.14" or "watch?v="), or, for ! and ?, before CJK ("真的吗?然后"); a full stop not
# after an initial ("John T. Smith", "the U.S. economy") or a title ("Dr. Li").
_CLOSERS = "[」』”’\"')）]*"
_ABBREVIATED = "(?<![\\s.(][A-Z])(?<!^[A-Z])" + "".join(
    f"(?<!\\b{word})" for word in ("Mr", "Mrs", "Ms", "Dr", "Jr", "Sr", "St", "vs", "No")
)
# Each alternative starts at one of 。！？!?. (the first test: a position without one is
# passed at once, not tried against each look-behind); possessive: a run is tried once.
_SENTENCE_END = re.compile(
    f"(?=[。！？!?.])(?:[。！？]++{_CLOSERS}|(?<![!?])[!?]++{_CLOSERS}(?=\\s|$|[{_CJK}])"
    f"|(?<!\\.){_ABBREVIATED}\\.++{_CLOSERS}(?=\\s|$))"
)


def paragraphs(html: str) -> str:
    """`html` as paragraphs of its text, split at blank lines and block tags: its
    tags stripped, its character references decoded once, the text escaped."""
    text = unescape_references(TAG.sub(_paragraph_break, _HIDDEN.sub(" ", html)))
    found = (" ".join(para.split()) for para in _BLANK_LINE.split(xml_safe(text)))
    return "".join(f"<p>{xml_text(para)}</p>" for para in found if para)


def _paragraph_break(tag: re.Match[str]) -> str:
    return "\n\n" if tag[2].lower() in _BLOCKS else ""


# YouTube's invitation to a channel's membership, glued to a hashtag (27 corpus summaries).
_PITCHES = (
    r"想要成[為为]\S{1,40}?[頻频]道的[會会][員员][並并][獲获]得相[關关][獎奖][勵励][嗎吗][？?]",
    r"成为此频道的会员即可获享以下福利[：:]?",
)


def summarize(text: str, limit: int, skip: tuple[str, ...] = (), shared: Sequence[str] = ()) -> str:
    """At most `limit` chars of `text`, ending on a sentence if one ends late enough,
    without the parts it `shared` with its source's posts (each where it first stands,
    white space aside) and the text that the regular expressions of `skip` match, in
    its start (its white space collapsed first, as the summary shows it). After a last
    part that `shared_of` marks _UNREAD, nothing of the text is the summary's.

    Otherwise the cut falls between words (Latin) or characters (CJK) and gets "…".
    YouTube's invitation to a channel's membership is left out too (`_PITCHES`).
    """
    if "的會員" in text or "的会员" in text:
        skip = (*_PITCHES, *skip)
    if skip or shared:  # (not all of a long text: a pattern like `a.*?b` is quadratic in it)
        span = 2 * limit + _SKIP_SPAN
        head = _flat(text[:span])
        unread = bool(shared) and shared[-1] == _UNREAD
        parts = shared[:-1] if unread else shared
        for n, part in enumerate(parts, 1):
            found = _find_part(head, _bare(part))
            if found and unread and n == len(parts) and head[: found[0]].strip():
                head, text = head[: found[0]], ""  # (see `shared_of`)
                break
            if found:
                head = head[: found[0]] + _gap_at(head, *found) + head[found[1] :]
        for pattern in skip:
            head = re.sub(pattern, _gap, head)
        text = head + " " + text[span:] if len(text) > span else head
    text = _collapse_spaces(text, limit + 2)
    if len(text) <= limit:
        return text
    if limit < 1:
        return ""
    sentence = _last_sentence_end(text, limit)
    if sentence:
        return text[:sentence].rstrip()
    head = text[: limit - 1]
    if not text[limit - 1].isspace() and not echoes.is_cjk(head[-1:]):
        space = head.rfind(" ")
        links = list(_SCHEME.finditer(text, 0, limit + 6))  # (one the cut comes before or in)
        scheme = links[-1].start() if links else -1
        url = _URL_CHARS.match(head, scheme) if 0 <= scheme < len(head) else None
        glued = _GLUED_WORD.search(head, len(head) - _LONGEST_WORD)  # (once: no square)
        if url and url.start() >= limit // 2 and "!" <= text[limit - 1] <= "~":
            head = head[: url.start()]  # not half a link ("订阅：https://bit.…", "https:/…")
        elif space > 0 and _a_word(head[space + 1 :]):
            head = head[:space]
        elif glued and glued.start() >= limit // 2 and _ASCII_WORD.match(text, limit - 1):
            head = head[: glued.start()]  # not half a word glued to CJK ("保养DI…")
    return head.rstrip(" ,;:、，；：") + "…"


def promotion_only(text: str, shared: Sequence[str], title: str = "") -> bool:
    """Whether `text` holds parts it `shared` with its source's posts (all of it read:
    no _UNREAD) and, besides them and the `title` leading it, nothing a reader reads:
    no letter or link, only hashtags and marks (a channel's promotion, under a video
    with no description of its own; "Part 2 of 3." or a link of its own is one)."""
    if not shared or shared[-1] == _UNREAD:
        return False
    head, found = _flat(text), 0
    for part in shared:
        if at := _find_part(head, _bare(part)):
            head, found = head[: at[0]] + " " + head[at[1] :], found + 1
    rest = echoes.without_trailing_hashtags(echoes.text_of_its_own(head, title))
    return bool(found) and echoes.says_nothing(rest)


def _find_part(head: str, part: str) -> tuple[int, int] | None:
    """Where in `head` (text whose only white space is spaces: `_flat`'s, and the gaps
    parts before it left) `part` (text without white space) first stands, spaces
    aside: where a part starts (the text's start, or after a space or a break's end)
    if it does anywhere so, else anywhere. As `\\s*` between its characters would
    find it, without a regular expression of each part's hundreds of characters (7 ms
    to compile: a third of the cleaning's time in the corpus, past `re`'s cache)."""
    if not part:
        return 0, 0
    bare = head.replace(" ", "")
    at = bare.find(part)
    if at < 0:
        return None
    starts = list(accumulate(map(len, head.split(" ")), initial=0))  # in `bare`, by word

    def in_head(k: int) -> int:  # the place in `head` of `bare[k]`
        word = bisect_right(starts, k) - 1
        return k + word

    first = at
    while at >= 0:
        start = in_head(at)
        if start == 0 or head[start - 1] in _PART_BREAKS:
            return start, in_head(at + len(part) - 1) + 1
        at = bare.find(part, at + 1)
    return in_head(first), in_head(first + len(part) - 1) + 1


def _gap(left_out: re.Match[str]) -> str:
    return _gap_at(left_out.string, left_out.start(), left_out.end())


def _gap_at(text: str, start: int, end: int) -> str:
    """What stands for text left out: a space between words, none beside CJK text (nor
    for an empty match: a look-ahead would space every two characters)."""
    if start == end or echoes.is_cjk(text[start - 1 : start]) or echoes.is_cjk(text[end : end + 1]):
        return ""
    return " "


def _a_word(cut: str) -> bool:
    """Whether `cut`, the text a summary would end with, is one word begun (the cut
    goes back to the space before it), not a run of text without spaces: a URL, an
    e-mail address glued to CJK text ("支付：524926114@qq.comFallow…" left 50
    characters of a 300-character summary)."""
    return len(cut) <= _LONGEST_WORD and not any(map(echoes.is_cjk, cut))


def whole(text: str) -> str:
    """All a reader sees of `text` (HTML or plain), its white space collapsed: a summary
    its author wrote is used whole, as Pelican and Hugo use theirs, up to LONGEST."""
    return summarize(plain_text(paragraphs(text)), LONGEST)


def _collapse_spaces(text: str, enough: int) -> str:
    """`text` with runs of whitespace as one space, trimmed, and without the rules
    drawn of characters (`=====`, `－－－－`: a video description's separators); only
    the start of a long text, as long as that start still holds `enough` chars."""
    head = _flat(text[: 2 * enough])
    if len(head) >= enough or 2 * enough >= len(text):
        return head
    return _flat(text)


@lru_cache(maxsize=4096)  # a source's parts, in thousands of its summaries
def _bare(part: str) -> str:
    """A shared part as `_find_part` looks for it: `_flat`, without white space."""
    return "".join(_flat(part).split())


def _flat(text: str) -> str:
    return " ".join(_RULE.sub(" ", _CJK_BREAK.sub("", text)).split())


def _last_sentence_end(text: str, limit: int) -> int:
    """Where the last sentence ending in the second half of `text[:limit]` ends, or 0."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit + 1) if m.end() <= limit]
    return ends[-1] if ends and ends[-1] >= limit // 2 else 0


def plain_text(html: str) -> str:
    """What a reader sees of `html` (nh3 output: every attribute double-quoted), its
    blocks on lines of their own; no zero-width space or BOM (8 corpus summaries')."""
    text = unescape(_ANY_TAG.sub("", _BLOCK_TAG.sub("\n", html)))
    return text.replace("\u200b", "").replace("\ufeff", "")


_SKIP_SPAN = 4_000  # chars of a summary's text, beyond twice its length, `skip` runs on
_PART_BREAKS = frozenset(" 。！？!?.=~＝－━─═▬-")  # before a part's start (`_find_part`)
OPENING_CHARS = 600  # of a body's text, the start its openings are of
OPENING_HTML = 2_400  # chars of a body's HTML read for them
_SHORTEST_PART = 10
_MOST_PARTS = 50  # of an opening (9 in the corpus's; "a. b. c. …" would make 300)
LEAD_STORIES = 5  # a lead: shared by this many of a source's stories at least,
LEAD_SHARE = 50  # ... and by one in this many
_HIDDEN_NEEDLE = re.compile(r"<(?:!|script|style|noscript|template|title|textarea|svg|math)", re.I)
# Where a text may break: after a link, a run of sentence ends (a full stop before a
# space, not a list's "1."), a rule drawn of characters (`-----`), before a line's end.
_BREAK = re.compile(
    "(?=[。！？!?.\nh=~＝－━─═▬-])(?:(https?://[!-~]+)|[。！？!?]+|(?<![0-9])\\.+(?=\\s|$)"
    "|[-=~＝－━─═▬]{4,}|(?=\n))"
)
_LINK_RULE = re.compile(r"[-=~]{4,}")  # glued to a link ("…/41JvFcx=====罗宾频道…")
# What a link glued to the text after it ends with that is the text's, mostly: a list's
# number ("…/support1，《BBC》"), a date's ("…/chan1月18日"), a hashtag's `#`; a number
# of more digits is the link's ("…/groups/471141690573865#苗华").
_GLUED = "#.,;:!?)]'\""
_GLUED_DIGITS = 2
# A part's key: its length in chars, the CRC-32 of its UTF-8.
_KEY = struct.Struct(">HI")  # (6 bytes)
_ALL = 0xFFFF  # the length of a whole body's key (no part of an opening is as long)
_ALL_LENGTH = _KEY.pack(_ALL, 0)[:2]
_UNREAD = "\0"  # last of `shared_of`'s parts: the text after the last is not the summary's


def opening(body: str) -> str:
    """The start of the text of `body` (HTML) a reader sees, its lines' white space
    collapsed (a line's end is where a promotion ends, often; a space is not)."""
    head = body[:OPENING_HTML]
    if _HIDDEN_NEEDLE.search(head):
        head = _HIDDEN.sub(" ", head)
    lines, size = [], 0
    for line in plain_text(head).split("\n"):
        if line and not line.isspace():
            lines.append(" ".join(line.split()))
            size += len(lines[-1]) + 1
            if size > OPENING_CHARS:  # (enough)
                break
    return "\n".join(lines)[:OPENING_CHARS]


def _crc(text: str) -> int:
    """The CRC-32 of `text`'s UTF-8."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def _parts(text: str, whole: bool, title: str = "") -> list[tuple[int, int, bytes]]:
    """Where each part of `text` (a body's `opening`) between the places it may break
    starts and ends, and its key (of its text, white space around it aside); to the
    text's end if it is `whole` (the text ends there, not the window). The post's
    `title` leading it is a part of its own: a channel's promotion glued to it (老楊's
    "…後續影響訂閱楊錦麟頻道，…") is then one its stories share."""
    ends = {len(text)} if whole else set()
    if title and (after := echoes.title_end(text, title)):
        ends.add(after)
    for m in _BREAK.finditer(text):
        if not (link := m[1]):
            ends.add(m.end())
            continue
        glued = m.end() < len(text) and not text[m.end()].isspace()
        if rule := _LINK_RULE.search(link):  # (a rule glued to a link is a part of its own)
            ends.add(m.start(1) + rule.end())
            link, glued = link[: rule.start()], False
        ends.add(m.start(1) + _link_end(link, glued))
    ends.discard(0)
    ends.discard(OPENING_CHARS)  # (the window's: mid-sentence)
    found, start = [], 0
    for end in sorted(ends)[:_MOST_PARTS]:
        if part := text[start:end].strip():
            found.append((start, end, _KEY.pack(len(part), _crc(part))))
        start = end
    return found


def _link_end(link: str, glued: bool) -> int:
    """Where `link` ends, if `glued` to the text after it (see _GLUED); else its digits
    are its own ("…/episode-10 Episode 11")."""
    bare = link.rstrip(_GLUED)
    digits = len(bare) - len(bare.rstrip("0123456789"))
    return len(bare) - digits if glued and digits <= _GLUED_DIGITS else len(bare)


def _whole(body: str, text: str) -> bool:
    """Whether `text`, the `opening` of `body`, is all of its text."""
    return len(body) < OPENING_HTML and len(text) < OPENING_CHARS


def openings(body: str, title: str = "", digest: int = 0) -> bytes:
    """The keys of the parts of `body`'s opening (see the module doc), in order, and
    last the key of all of it and the post's `title` (of length 0: no part's). That one
    tells one text under several addresses, whose parts are no source's, from the
    videos of a channel whose promotion fills each description (see `leads`).

    If the opening is not all of the body, `digest` (the whole body's) is a part too,
    of length _ALL: a channel's description under every video, longer than the
    opening (the 1,400 characters of 无修饰的中国's), is then its source's in all."""
    text = opening(body)
    if len(text) < _SHORTEST_PART:
        return b""
    whole = _whole(body, text)
    found = [key for _, _, key in _parts(text, whole, title)]
    if digest and not whole:
        found.append(_KEY.pack(_ALL, digest & 0xFFFFFFFF))
    found.append(_KEY.pack(0, _crc(f"{text}\0{title}")))
    return b"".join(found)


def all_shared(skip: bytes) -> bool:
    """Whether the keys `skip` hold the whole body's (see `openings`): it has nothing
    of its own to summarise."""
    return any(key[:2] == _ALL_LENGTH for key in _keys(skip))


def _keys(found: bytes) -> Iterator[bytes]:
    """The keys packed in `found`, in order."""
    return (found[i : i + _KEY.size] for i in range(0, len(found), _KEY.size))


class Leads(NamedTuple):
    """The parts a source's stories share, and how many more stories its most shared
    part needs to be one (0: one is, or as good as): a warm build need not count them
    again after fewer changes than that (`incremental.delta`)."""

    found: frozenset[bytes] = frozenset()
    margin: int = 0


def leads(stories: Iterable[Sequence[bytes]]) -> Leads:
    """The parts that LEAD_STORIES of `stories` share, and one in LEAD_SHARE (each
    story the openings of its copies: what they share counts once). Stories of the same
    keys count once: one article under several addresses (not merged: the same to
    OPENING_CHARS, under one title) is no source's promotion, and a channel's videos
    have titles of their own. Every part of every story is counted: one source of
    100,000 stories of 9 parts holds ~70 MB while it is (0.8 s)."""
    counts: Counter[bytes] = Counter()
    texts, seen = 0, set()
    size = _KEY.size
    for story in stories:
        keys = {o[i : i + size] for o in story for i in range(0, len(o), size)}
        texts += bool(keys)
        same = hashlib.blake2b(b"".join(sorted(keys)), digest_size=16).digest()
        if same not in seen:  # (stories of the same keys: one text, whatever their order)
            seen.add(same)
            keys.difference_update(o[-size:] for o in story)  # (each text's, last: no part)
            counts.update(keys)
    need = max(LEAD_STORIES, texts // LEAD_SHARE)
    found = frozenset(key for key, n in counts.items() if n >= need)
    return Leads(found, 0 if found else need - max(counts.values(), default=0))


def source_leads(stories: Iterable[Iterable[tuple[str, bytes]]]) -> dict[str, Leads]:
    """The leads of each source whose posts have openings, of `stories` given as the
    (source, openings) of their copies."""
    by_source: dict[str, list[tuple[bytes, ...]]] = {}
    for story in stories:
        mine: dict[str, list[bytes]] = {}
        for source, opened in story:
            if opened:
                mine.setdefault(source, []).append(opened)
        for source, copies in mine.items():
            by_source.setdefault(source, []).append(tuple(copies))
    return {source: leads(by_source[source]) for source in sorted(by_source)}


def holds(found: bytes, keys: frozenset[bytes]) -> bool:
    """Whether the openings `found` hold one of `keys`."""
    return bool(keys) and any(key in keys for key in _keys(found))


def skip_of(found: bytes, shared: Leads | None) -> bytes:
    """The keys of the parts of the openings `found` that their source's stories share,
    in runs of _SHORTEST_PART characters at least: a short one alone ("謝謝。") may be
    anyone's, next to a promotion it is of it ("…：https://bit.ly/chan 歡迎支持！")."""
    if shared is None or not shared.found:
        return b""
    kept: list[bytes] = []
    run: list[bytes] = []
    for key in (*_keys(found), b""):
        if key in shared.found:
            run.append(key)
        elif run:
            if sum(_KEY.unpack(k)[0] for k in run) >= _SHORTEST_PART:
                kept += run
            run = []
    return b"".join(kept)


def shared_of(body: str, skip: bytes, title: str = "") -> tuple[str, ...]:
    """The text of each run of parts of `body` whose keys `skip` holds (see `skip_of`;
    none if the body changed since), and _UNREAD last if the last run ends the opening,
    after text of the body's own, short of the body's end: what follows it was never
    compared with the source's other posts, and is most often more of the promotion
    (罗宾's: past the window, 🎵 MUSIC and 打赏 filled 38 of his 50 newest summaries)."""
    if not skip:
        return ()
    keys, text = set(_keys(skip)), opening(body)
    runs: list[list[int]] = []  # (start, end, length of its parts, as `skip_of` counts)
    after = False  # (whether the part before is in one)
    for start, end, key in _parts(text, _whole(body, text), title):
        if key in keys and after:
            runs[-1][1:] = end, runs[-1][2] + len(text[start:end].strip())
        elif key in keys:
            runs.append([start, end, len(text[start:end].strip())])
        after = key in keys
    found = tuple(text[a:b].strip() for a, b, size in runs if size >= _SHORTEST_PART)
    own = after and runs[-1][2] >= _SHORTEST_PART and text[: runs[-1][0]].strip()
    if own and not _whole(body, text):  # (its last part is shared, after text of its own)
        return (*found, _UNREAD)
    return found
