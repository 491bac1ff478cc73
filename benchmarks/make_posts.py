"""Generate N synthetic posts in the scraped-news archive's format.

    python benchmarks/make_posts.py OUTDIR N [--seed S]

Writes `OUTDIR/_posts/YYYY-MM-DD-<title>.md` and
`OUTDIR/archived/YYYY-MM-DD/YYYY-MM-DD-<title>.md`, deterministic for a given
(N, seed, GENERATOR_VERSION). Nothing here is copied from the real corpus: the
shapes and the size distributions were measured on ../shared/corpus/archive
once and are hard-coded below.

Two dialects, as in the real archives:

* marker (~90%): front matter, `<!--epoch ms-->`, `[title](url)`, `------`, a
  blank line, then `<div>`, one line of HTML (or plain text), `</div>`;
* oped2 (~10%): no marker, a `date` with an offset or a date only, raw
  multi-line (prettified) page HTML, always in `_posts/`.

Also generated, at roughly the real rates: `<!--NaN-->` markers, dates clamped
to the fetch time (non-zero milliseconds, marker later than the date),
duplicate `from:` URLs (copies in `_posts/` and `archived/`, copies differing by
a `comments: True` line, re-saved shifted copies, edited titles), the old
scraper's `[ news, X ]` tags, double percent-encoded URLs, a few XML-forbidden
characters, titles with `"`, `/`, `|`, `#`, `?`, emoji.
"""

from __future__ import annotations

import argparse
import bisect
import math
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

# Bump when the output for a given (N, seed) changes: run.py keys its cache on it.
GENERATOR_VERSION = 2

# --- measured on the real corpus (10,321 posts), hard-coded --------------------------
# Size in bytes of the HTML between `<div>\n` and `\n</div>` (marker dialect) and
# of the whole body after the front matter (oped2 dialect): (percentile, bytes).
MARKER_BODY_QUANTILES: list[tuple[float, int]] = [
    (0, 0), (10.5, 0), (12, 12), (15, 33), (20, 84), (25, 112), (30, 178), (35, 251),
    (40, 286), (45, 300), (50, 428), (55, 625), (60, 735), (65, 808), (70, 1149),
    (75, 1347), (80, 1718), (85, 3592), (88, 4697), (90, 5636), (92, 6913), (94, 8465),
    (95, 9520), (96, 11131), (97, 13666), (98, 18440), (99, 25916), (99.5, 35273),
    (99.8, 46188), (99.9, 59509), (100, 116201),
]  # fmt: skip
OPED_BODY_QUANTILES: list[tuple[float, int]] = [
    (0, 234), (2, 2926), (5, 5376), (8, 7602), (10, 8359), (12, 8889), (15, 9871),
    (20, 11525), (25, 13173), (30, 14641), (35, 16191), (40, 18312), (45, 20339),
    (50, 21940), (55, 23672), (60, 25894), (65, 28707), (70, 30846), (75, 35144),
    (80, 38487), (85, 43222), (88, 47459), (90, 51951), (92, 58195), (94, 64382),
    (95, 68030), (96, 72722), (97, 87278), (98, 112268), (99, 185098), (99.5, 220811),
    (99.8, 232916), (99.9, 239147), (100, 680000),
]  # fmt: skip
# Title length in characters.
TITLE_LEN_QUANTILES: list[tuple[float, int]] = [
    (0, 1), (5, 10), (10, 15), (20, 21), (30, 25), (40, 30), (50, 35), (60, 41),
    (70, 52), (80, 68), (90, 94), (95, 99), (98, 100), (99.95, 100), (100, 118),
]  # fmt: skip
# Posts per year (relative weights).
YEAR_WEIGHTS = {
    2013: 1, 2014: 10, 2015: 8, 2016: 12, 2017: 10, 2018: 40, 2019: 120, 2020: 470,
    2021: 900, 2022: 660, 2023: 700, 2024: 820, 2025: 90,
}  # fmt: skip
LAST_DAY = datetime(2025, 3, 31, 23, 59, 59, tzinfo=UTC)
POSTS_CUTOFF = datetime(2025, 1, 20, tzinfo=UTC)  # newer marker posts stay in _posts/

OPED_SHARE = 0.10
NAN_SHARE = 0.004
CLAMPED_SHARE = 0.01
DUP_SHARE = 0.025  # of generated posts, how many get a second copy
SHIFTED_SHARE = 0.002
EXTRA_TAGS_SHARE = 0.30
OLD_NEWS_TAG_SHARE = 0.02
COMMENTS_SHARE = 0.55
DOUBLE_ENCODED_SHARE = 0.01
CONTROL_CHAR_SHARE = 0.0008

# --- names -------------------------------------------------------------------------
# (name, domain, kind, weight). kind: video (plain-text description bodies,
# YouTube URLs), news (article HTML with ads and lazy images), blog.
SOURCES: list[tuple[str, str, str, float]] = [
    ("BBC 中文网", "www.bbc.com", "news", 30),
    ("纽约时报/中文", "cn.nytimes.com", "news", 25),
    ("联合早报", "www.zaobao.com", "news", 40),
    ("美国之音 VOA", "www.voachinese.com", "news", 20),
    ("德国之声/DW 中文", "www.dw.com", "news", 15),
    ("自由亚洲电台", "www.rfa.org", "news", 18),
    ("端傳媒", "theinitium.com", "news", 12),
    ("法广 RFI", "www.rfi.fr", "news", 10),
    ("星島日報", "std.stheadline.com", "news", 8),
    ("明報/即時新聞", "news.mingpao.com", "news", 9),
    ("中央社 CNA", "www.cna.com.tw", "news", 14),
    ("上報", "www.upmedia.mg", "news", 6),
    ("報導者", "www.twreporter.org", "news", 5),
    ("香港01", "www.hk01.com", "news", 11),
    ("立場新聞", "www.thestandnews.com", "news", 7),
    ("新京报 书评周刊", "www.bjnews.com.cn", "news", 6),
    ("澎湃新闻", "www.thepaper.cn", "news", 13),
    ("财新网", "www.caixin.com", "news", 8),
    ("燕京书评", "www.allnow.com", "blog", 6),
    ("Matters", "matters.news", "blog", 60),
    ("iYouPort", "www.iyouport.org", "blog", 45),
    ("Nei.st", "nei.st", "blog", 35),
    ("medium", "medium.com", "blog", 3),
    ("泡泡", "pao-pao.net", "blog", 9),
    ("书斋夜话", "shuzhai.example.net", "blog", 6),
    ("歪脑 WHYNOT", "www.wainao.me", "blog", 5),
    ("中国数字时代", "chinadigitaltimes.net", "blog", 16),
    ("墙外楼", "www.letscorp.net", "blog", 4),
    ("独立评论@天涯", "bbs.tianya.example", "blog", 2),
    ("乌有之乡", "www.wyzxwk.com", "blog", 5),
    ("老杨到处说", "www.youtube.com", "video", 100),
    ("卢保贵", "www.youtube.com", "video", 85),
    ("柳杰克", "www.youtube.com", "video", 75),
    ("明镜历史台", "www.youtube.com", "video", 55),
    ("城寨", "www.youtube.com", "video", 45),
    ("温相说党史", "www.youtube.com", "video", 38),
    ("罗宾 Robin", "www.youtube.com", "video", 30),
    ("石炳锋", "www.youtube.com", "video", 29),
    ("时事大家谈", "www.youtube.com", "video", 28),
    ("老虎庙", "www.youtube.com", "video", 23),
    ("图森破故事会", "www.youtube.com", "video", 20),
    ("打工妹四妹", "www.youtube.com", "video", 20),
    ("九哥记", "www.youtube.com", "video", 19),
    ("方舟子", "www.youtube.com", "video", 17),
    ("无修饰的中国", "www.youtube.com", "video", 16),
    ("围城记", "www.youtube.com", "video", 14),
    ("好青年荼毒室", "www.youtube.com", "video", 11),
    ("趣哥记", "www.youtube.com", "video", 11),
    ("罗文好公民", "www.youtube.com", "video", 10),
    ("文明客厅/周孝正", "www.youtube.com", "video", 10),
    ("铁锤观世界", "www.youtube.com", "video", 8),
    ("小叔TV", "www.youtube.com", "video", 7),
    ("方斌 Fang Bin", "www.youtube.com", "video", 7),
    ("serpentza", "www.youtube.com", "video", 6),
    ("LyLy TV越南生活", "www.youtube.com", "video", 5),
    ("中参馆", "www.youtube.com", "video", 5),
    ("李永乐老师", "www.youtube.com", "video", 5),
    ("WilliamWorks Tv", "www.youtube.com", "video", 4),
    ("柴Sean你说", "www.youtube.com", "video", 3),
    ("不吐不快的有货君", "www.youtube.com", "video", 3),
    ("阳光卫视", "www.youtube.com", "video", 3),
    ("放眼看世界", "www.youtube.com", "video", 3),
    ("冲浪普拉斯", "www.youtube.com", "video", 3),
    ("HEYFLY嘿飞人", "www.youtube.com", "video", 3),
    ("渺渺看世界", "www.youtube.com", "video", 2),
    ("真实中国频道", "www.youtube.com", "video", 2),
    ("十年漂泊 Fly X", "www.youtube.com", "video", 1),
    ("8sight", "www.youtube.com", "video", 1),
    ("大牛In China", "www.youtube.com", "video", 0.5),
    ("Huli", "www.youtube.com", "video", 0.2),
]
# Topic tags added to ~30% of posts (with the source's tag first).
TOPIC_TAGS: list[str] = [
    "中美关系", "香港", "台湾/两岸", "新冠 疫情", "经济/金融", "人权", "Hong Kong", "COVID-19",
    "一带一路", "科技 / AI", "乌克兰战争", "俄罗斯", "日本", "朝鲜", "南海", "新疆", "西藏",
    "言论自由", "网络审查", "翻墙", "房地产", "股市", "人民币", "就业", "教育", "医疗",
    "环境/气候", "能源", "芯片", "华为", "TikTok", "微信", "抖音", "电动车", "农民工",
    "城市化", "户籍制度", "女权", "LGBT", "宗教自由", "法治", "反腐", "党史", "文革",
    "六四", "民主运动", "选举 2020", "选举 2024", "美国大选", "欧洲", "德国", "英国",
    "加拿大", "澳大利亚", "东南亚", "越南", "印度", "中东", "以色列/巴勒斯坦", "非洲",
    "移民", "留学生", "海外华人", "读书", "书评", "电影", "音乐", "历史", "哲学",
    "社会观察", "街头采访", "vlog", "直播 回放", "访谈", "评论", "深度报道", "调查",
    "图集", "数据新闻", "Fact Check", "国际新闻", "两会", "习近平", "李克强", "C++ 与编程",
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建红云飞海亮志文斌晓宇浩博然凯欣怡子涵梓轩思远雨泽嘉诚宁安"  # noqa: E501
COMMON_HANZI = (
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对"
    "可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公"
    "同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正"
    "名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并"
    "内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表"
    "原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风"
    "战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫"
    "连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士"
    "转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像"
    "找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜"
    "離這為們發說國來時會過還對後麼經動從無現樣聽氣關處車員書報話學體進種實總產長開問與"
)
EN_WORDS = [
    *("China", "Hong Kong", "Taiwan", "news", "live", "update", "interview", "analysis"),
    *("economy", "policy", "the", "of", "and", "in", "to", "for", "COVID", "vlog", "Eng Sub"),
    *("Part", "episode", "review", "2021", "2022", "2023", "2024", "Beijing", "Shanghai"),
]
PUNCT_TITLE = ["｜", "：", "？", "！", "，", " | ", " - ", "　", "（", "）", "《", "》", "#", "…"]
EMOJI = ["🔥", "😂", "👍", "🇨🇳", "🇺🇸", "📢", "💰", "❗"]
AD_SNIPPETS = [
    '<section id="imu"><div id="dfp-ad-imu1"></div></section>',
    '<div id="dfp-ad-mpu2" style="text-align:center;margin:10px auto;"></div>',
    '<div class="ad-container"><ins class="adsbygoogle" data-ad-slot="1234567890"></ins></div>',
    '<div id="dfp-ad-midarticle"></div>',
]
GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


def _interp_sampler(table: list[tuple[float, int]]) -> tuple[list[float], list[int]]:
    return [p / 100.0 for p, _ in table], [v for _, v in table]


def sample_quantile(rng: random.Random, table: tuple[list[float], list[int]]) -> int:
    """Inverse-CDF sample from a quantile table, log-linear between points."""
    ps, vs = table
    u = rng.random()
    i = bisect.bisect_right(ps, u)
    if i <= 0:
        return vs[0]
    if i >= len(ps):
        return vs[-1]
    p0, p1, v0, v1 = ps[i - 1], ps[i], vs[i - 1], vs[i]
    if p1 <= p0 or v0 == v1:
        return v0
    t = (u - p0) / (p1 - p0)
    if v0 <= 0:
        return int(v0 + t * (v1 - v0))
    return int(math.exp(math.log(v0) + t * (math.log(v1) - math.log(v0))))


_MARKER_SIZES = _interp_sampler(MARKER_BODY_QUANTILES)
_OPED_SIZES = _interp_sampler(OPED_BODY_QUANTILES)
_TITLE_LENS = _interp_sampler(TITLE_LEN_QUANTILES)


@dataclass
class Source:
    name: str
    domain: str
    kind: str
    weight: float
    authors: list[str] = field(default_factory=list)


@dataclass
class Post:
    """One file to write: everything needed to render it."""

    title: str
    date: datetime  # the instant written in `date:`
    date_text: str  # as written in `date:`
    marker: str | None  # "1618094400000", "NaN", or None (oped2 dialect)
    author: str
    url: str
    tags: list[str]
    categories: list[str]
    comments: bool
    html: str
    dialect: str  # "marker" or "oped"
    in_posts: bool  # _posts/ (True) or archived/DATE/ (False)

    def relpath(self) -> str:
        day = self.date_text[:10]
        name = f"{day}-{yaml_title(self.title)[:50].replace('/', '--')}.md"
        if self.in_posts:
            return f"_posts/{name}"
        return f"archived/{day}/{name}"

    def render(self) -> str:
        fm = [
            "---",
            "layout: post",
            f'title: "{yaml_title(self.title)}"',
            f"date: {self.date_text}",
            f"author: {self.author}",
            f"from: {self.url}",
            f"tags: [ {', '.join(self.tags)} ]",
        ]
        if self.comments:
            fm.append("comments: True")
        fm.append(f"categories: [ {', '.join(self.categories)} ]")
        fm.append("---")
        head = "\n".join(fm) + "\n"
        if self.dialect == "marker":
            return (
                f"{head}<!--{self.marker}-->\n[{self.title}]({self.url})\n------\n\n"
                f"<div>\n{self.html}\n</div>\n"
            )
        return f"{head}\n{self.html}\n"


def yaml_title(title: str) -> str:
    """The title as written inside YAML double quotes (also what file names use)."""
    return title.replace("\\", "\\\\").replace('"', '\\"').replace("\b", "\\b")


class Generator:
    """Deterministic post factory. Use `posts(n)` or `one_post(date)`."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.sources = [Source(n, d, k, w) for n, d, k, w in SOURCES]
        self.source_cum = _cumsum([s.weight for s in self.sources])
        self.page_sources = [s for s in self.sources if s.kind != "video"]
        self.page_cum = _cumsum([s.weight for s in self.page_sources])
        seen: set[str] = set()
        for s in self.sources:
            for _ in range(rng.randint(1, 4)):
                a = self._person_name()
                while a in seen:
                    a = self._person_name()
                seen.add(a)
                s.authors.append(a)
            # a channel name that differs from the tag, as "我是柳傑克" vs "柳傑克"
            s.authors.append(
                rng.choice(["我是", "", "频道 ", ""]) + s.name + rng.choice(["", "", " 官方", "TV"])
            )
        years = sorted(YEAR_WEIGHTS)
        self.years = years
        self.year_cum = _cumsum([YEAR_WEIGHTS[y] for y in years])
        # a big pool of running Chinese text, sliced for paragraphs and titles
        self.pool = self._make_pool(400_000)
        self.words = [self.pool[i : i + rng.randint(2, 4)] for i in range(0, 40_000, 5)]
        self.words = [w for w in self.words if "，" not in w and "。" not in w]
        self.used_paths: set[str] = set()
        self.serial = 0

    # -- small pieces ---------------------------------------------------------------
    def _person_name(self) -> str:
        rng = self.rng
        if rng.random() < 0.12:
            return (
                rng.choice(["Jack", "Lily", "Kevin", "Amy", "Tom", "Grace"])
                + " "
                + rng.choice(SURNAMES)
            )
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))

    def _make_pool(self, n: int) -> str:
        rng = self.rng
        out: list[str] = []
        size = 0
        while size < n:
            k = rng.randint(4, 22)
            chunk = "".join(rng.choices(COMMON_HANZI, k=k))
            r = rng.random()
            if r < 0.05:
                chunk += " " + rng.choice(EN_WORDS) + " "
            elif r < 0.08:
                chunk += str(rng.randint(1, 2024))
            chunk += rng.choice("，，，，。。、；：！？")
            out.append(chunk)
            size += len(chunk)
        return "".join(out)

    def text(self, nchars: int) -> str:
        if nchars <= 0:
            return ""
        start = self.rng.randrange(0, len(self.pool) - nchars - 1) if nchars < len(self.pool) else 0
        return self.pool[start : start + nchars]

    def _hex(self, n: int) -> str:
        return "%0*x" % (n, self.rng.getrandbits(4 * n))  # noqa: UP031

    def _vid(self) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        return "".join(self.rng.choices(alphabet, k=11))

    def pick_source(self, pages: bool = False) -> Source:
        """A source by weight; pages=True: only sources with web pages (oped2 dialect)."""
        sources, cum = (
            (self.page_sources, self.page_cum) if pages else (self.sources, self.source_cum)
        )
        u = self.rng.random() * cum[-1]
        return sources[bisect.bisect_right(cum, u)]

    def pick_date(self) -> datetime:
        rng = self.rng
        u = rng.random() * self.year_cum[-1]
        year = self.years[bisect.bisect_right(self.year_cum, u)]
        start = datetime(year, 1, 1, tzinfo=UTC)
        end = min(datetime(year + 1, 1, 1, tzinfo=UTC), LAST_DAY)
        span = int((end - start).total_seconds())
        return start + timedelta(seconds=rng.randrange(span))

    def title(self) -> str:
        rng = self.rng
        n = sample_quantile(rng, _TITLE_LENS)
        parts: list[str] = []
        size = 0
        while size < n:
            r = rng.random()
            if r < 0.70:
                w = rng.choice(self.words)
            elif r < 0.85:
                w = rng.choice(PUNCT_TITLE)
            elif r < 0.93:
                w = rng.choice(EN_WORDS) + " "
            elif r < 0.95:
                w = rng.choice(EMOJI)
            elif r < 0.96:
                w = "/"
            elif r < 0.97:
                w = f'"{rng.choice(self.words)}"'
            elif r < 0.98:
                w = f"{rng.randint(1, 12)}/{rng.randint(1, 28)}"
            else:
                w = "“" + rng.choice(self.words) + "”"
            parts.append(w)
            size += len(w)
        t = "".join(parts)[:n].rstrip("\\")
        if rng.random() < CONTROL_CHAR_SHARE:
            t = t[: len(t) // 2] + "\b" + t[len(t) // 2 :]
        return t

    def url(self, src: Source, when: datetime) -> str:
        rng = self.rng
        if src.kind == "video":
            return f"https://www.youtube.com/watch?v={self._vid()}"
        d = when.strftime("%Y%m%d")
        r = rng.random()
        if r < DOUBLE_ENCODED_SHARE:
            slug = "".join("%25" + "%02X" % b for b in self.text(3).encode())  # noqa: UP031
            return f"https://{src.domain}/{when.year}/{slug}-{rng.randint(1000, 99999)}"
        if r < 0.05:
            slug = "".join("%" + "%02X" % b for b in self.text(4).encode())  # noqa: UP031
            return f"https://{src.domain}/article/{slug}"
        if src.kind == "news":
            return f"https://{src.domain}/news/{d[:4]}/{d}-{rng.randint(100000, 9999999)}"
        return f"https://{src.domain}/p/{self._hex(24)}"

    # -- bodies ---------------------------------------------------------------------
    def _para_chars(self) -> int:
        return int(self.rng.lognormvariate(4.3, 0.8)) + 5

    def video_body(self, target: int) -> str:
        """Plain-text YouTube description: one line, URLs, hashtags."""
        rng = self.rng
        parts: list[str] = []
        size = 0
        while size < target:
            r = rng.random()
            if r < 0.15:
                p = f"订阅频道：https://www.youtube.com/channel/UC{self._vid()}{self._vid()}?sub_confirmation=1"
            elif r < 0.25:
                p = f"#{rng.choice(self.words)}#{rng.choice(self.words)} "
            elif r < 0.3:
                p = f"支持我们：https://paypal.me/{self._hex(8)} & https://bit.ly/{self._vid()[:7]}"
            else:
                n = min(self._para_chars(), max(1, (target - size) // 3 + 1))
                p = self.text(n)
            parts.append(p)
            size += len(p.encode()) if r < 0.3 else 3 * len(p)
        return "".join(parts)

    def html_piece(self, src: Source, budget: int) -> tuple[str, int]:
        """One piece of article HTML and its approximate size in bytes."""
        rng = self.rng
        r = rng.random()
        if r < 0.62 or budget < 150:
            n = min(self._para_chars(), max(1, budget // 3))
            style = ' style="text-align:justify;"' if rng.random() < 0.1 else ""
            t = self.text(n)
            if rng.random() < 0.03:
                t += " &nbsp;A&amp;B & C"
            s = f"<p{style}>{t}</p>"
            return s, 3 * n + 7 + len(style)
        if r < 0.70:
            s = rng.choice(AD_SNIPPETS)
        elif r < 0.80:
            s = (
                f'<figure class="image-box"><img src="{GIF}" data-src="https://img.{src.domain}/'
                f'{rng.randint(2015, 2025)}/{self._hex(16)}.jpg" class="lazyload" alt="" '
                f'referrerpolicy="no-referrer" srcset="//img.{src.domain}/s/{self._hex(8)}.jpg 2x">'
                f"<figcaption>{self.text(rng.randint(5, 30))}</figcaption></figure>"
            )
        elif r < 0.88:
            href = f"/news/{rng.randint(2015, 2025)}/{rng.randint(10000, 999999)}"
            anchor = self.text(rng.randint(8, 30))
            s = f'<p>相关阅读：<a href="{href}" target="_blank">{anchor}</a></p>'
        elif r < 0.91:
            s = (
                f'<iframe src="https://www.youtube.com/embed/{self._vid()}" width="560" '
                'height="315" frameborder="0" allowfullscreen></iframe>'
            )
        elif r < 0.93:
            s = (
                f'<img src="https://feeds.{src.domain}/~r/{self._hex(6)}/~4/{self._vid()}" '
                'height="1" width="1" alt="" onload="track(this)"/>'
            )
        elif r < 0.96:
            s = f"<h2>{self.text(rng.randint(6, 20))}</h2>"
        elif r < 0.98:
            s = f"<blockquote><p>{self.text(rng.randint(30, 200))}</p></blockquote>"
        else:
            s = f"<br><p>{self.text(10)}\u2028{self.text(10)}</p>"
        return s, len(s.encode())

    def marker_body(self, src: Source, target: int) -> str:
        if target <= 0:
            return ""
        if src.kind == "video" or (src.kind == "blog" and target < 120):
            return self.video_body(target)
        parts: list[str] = []
        size = 0
        while size < target:
            s, n = self.html_piece(src, target - size)
            parts.append(s)
            size += n
        return "".join(parts)

    def oped_body(self, src: Source, target: int, title: str) -> str:
        """Prettified multi-line page HTML (BeautifulSoup style, 1-space indents)."""
        rng = self.rng
        nid = rng.randint(1, 99999)
        lines = [
            '<section class="clearfix" id="content" role="main">',
            ' <div class="region region-content">',
            f'  <div class="node node-article clearfix" id="node-{nid}" about="/article/{nid}">',
            '   <div class="submitted">',
            f'    <a class="username" href="/author/{rng.randint(1, 999)}" title="查看用户资料">',
            f"     {self._person_name()}",
            "    </a>",
            "   </div>",
            '   <h1 class="page-title">',
            f"    {title}",
            "   </h1>",
            '   <div class="field field-name-body">',
        ]
        size = sum(len(x) for x in lines) + 3 * len(title)
        while size < target - 40:
            r = rng.random()
            if r < 0.75:
                n = self._para_chars()
                chunk = ["    <p>", f"     {self.text(n)}", "    </p>"]
                size += 3 * n + 20
            elif r < 0.85:
                chunk = [
                    '    <div class="image">',
                    f'     <img alt="" data-src="/sites/files/{self._hex(12)}.jpg" '
                    f'src="//{src.domain}/sites/files/styles/{self._hex(8)}.jpg" width="290"/>',
                    "    </div>",
                ]
                size += 130
            elif r < 0.93:
                chunk = [
                    "    <p>",
                    f'     <a href="/article/{rng.randint(1, 9999)}">',
                    f"      {self.text(15)}",
                    "     </a>",
                    "    </p>",
                ]
                size += 110
            else:
                chunk = [
                    '    <script type="text/javascript">',
                    f"     var x{nid}=1;",
                    "    </script>",
                ]
                size += 70
            lines.extend(chunk)
        lines += ["   </div>", "  </div>", " </div>", "</section>"]
        return "\n".join(lines)

    # -- posts ----------------------------------------------------------------------
    def one_post(self, when: datetime | None = None, dialect: str | None = None) -> Post:
        rng = self.rng
        if dialect is None:
            dialect = "oped" if rng.random() < OPED_SHARE else "marker"
        src = self.pick_source(pages=dialect == "oped")
        pub = when or self.pick_date()
        title = self.title()
        url = self.url(src, pub)
        tags = [src.name]
        if rng.random() < EXTRA_TAGS_SHARE:
            k = rng.randint(2, 3)
            tags += rng.sample(TOPIC_TAGS, k)
        cats = [src.name]
        if rng.random() < OLD_NEWS_TAG_SHARE:
            tags = ["news", *tags]
            cats = ["news", src.name]
        author = (
            src.authors[-1]
            if rng.random() < 0.25
            else (src.name if rng.random() < 0.33 else rng.choice(src.authors))
        )
        if dialect == "marker":
            r = rng.random()
            if r < NAN_SHARE:
                marker = "NaN"
                date = pub.replace(microsecond=rng.randint(1, 999) * 1000)
            elif r < NAN_SHARE + CLAMPED_SHARE:
                # pubDate in the future: date clamped to the fetch time
                date = pub.replace(microsecond=rng.randint(1, 999) * 1000)
                marker = str(
                    _ms(date + timedelta(hours=rng.choice([8, 16]), seconds=rng.randint(0, 3000)))
                )
            else:
                date = pub.replace(microsecond=0)
                marker = str(_ms(date))
            date_text = date.strftime("%Y-%m-%dT%H:%M:%S.") + f"{date.microsecond // 1000:03d}Z"
            html = self.marker_body(src, sample_quantile(rng, _MARKER_SIZES))
            in_posts = date >= POSTS_CUTOFF
        else:
            marker = None
            r = rng.random()
            if r < 0.025:
                date = pub.replace(hour=0, minute=0, second=0, microsecond=0)
                date_text = date.strftime("%Y-%m-%d")
            elif r < 0.035:
                date = pub.replace(microsecond=0)
                date_text = date.strftime("%Y-%m-%dT%H:%M:%SZ")
            else:
                off = rng.choice([1, 1, 2, 8, -5, 0])
                tz = timezone(timedelta(hours=off))
                date = pub.astimezone(tz).replace(microsecond=0)
                date_text = date.isoformat()
                if off == 0:
                    date_text = date_text.replace("Z", "+00:00")
            html = self.oped_body(src, sample_quantile(rng, _OPED_SIZES), title)
            in_posts = True
        if html and rng.random() < CONTROL_CHAR_SHARE:
            html = html[:10] + "\x08" + html[10:]
        return Post(
            title=title,
            date=date,
            date_text=date_text,
            marker=marker,
            author=author,
            url=url,
            tags=tags,
            categories=cats,
            comments=rng.random() < COMMENTS_SHARE,
            html=html,
            dialect=dialect,
            in_posts=in_posts,
        )

    def _unique(self, post: Post) -> Post:
        if post.relpath() in self.used_paths and post.dialect == "marker":
            post.in_posts = not post.in_posts
        while post.relpath() in self.used_paths:
            k = min(len(post.title), 40)  # file names keep only the first 50 chars
            post.title = post.title[:k] + self.rng.choice(COMMON_HANZI) + post.title[k:]
        self.used_paths.add(post.relpath())
        return post

    def duplicate(self, post: Post) -> Post:
        """A second file with the same `from:` URL, in one of the real variants."""
        rng = self.rng
        r = rng.random()
        dup = Post(
            **{**post.__dict__, "tags": list(post.tags), "categories": list(post.categories)}
        )
        if post.dialect == "marker" and rng.random() < SHIFTED_SHARE / DUP_SHARE:
            # shifted source: the first copy was clamped, re-saved with date == marker
            assert post.marker is not None
            if post.marker != "NaN":
                if int(post.marker) == _ms(post.date):  # make it look shifted
                    dup.marker = str(_ms(post.date + timedelta(hours=16)))
                dup.date = datetime.fromtimestamp(int(dup.marker or 0) / 1000, tz=UTC)
                dup.date_text = dup.date.strftime("%Y-%m-%dT%H:%M:%S.000Z")
                dup.in_posts = dup.date >= POSTS_CUTOFF
                return dup
        if r < 0.55:
            dup.in_posts = not post.in_posts  # the copy in _posts/ and archived/
        elif r < 0.8:
            dup.comments = not post.comments
            dup.in_posts = not post.in_posts
        else:
            dup.title = post.title + rng.choice(["（更新）", " [Eng Sub]", "｜完整版", "！"])
        return dup

    def posts(self, n: int) -> Iterator[Post]:
        """Yield n posts (duplicates included), one at a time."""
        made = 0
        while made < n:
            p = self._unique(self.one_post())
            yield p
            made += 1
            if made < n and self.rng.random() < DUP_SHARE:
                yield self._unique(self.duplicate(p))
                made += 1


def _cumsum(xs: Iterable[float]) -> list[float]:
    total = 0.0
    out = []
    for x in xs:
        total += x
        out.append(total)
    return out


def _ms(d: datetime) -> int:
    return int(d.timestamp() * 1000)


def write_post(root: Path, post: Post, made_dirs: set[str] | None = None) -> int:
    """Write one post under root; return its size in bytes."""
    rel = post.relpath()
    path = root / rel
    parent = os.path.dirname(rel)
    if made_dirs is None or parent not in made_dirs:
        path.parent.mkdir(parents=True, exist_ok=True)
        if made_dirs is not None:
            made_dirs.add(parent)
    data = post.render().encode()
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def generate(outdir: Path, n: int, seed: int = 1) -> int:
    """Write n posts under outdir; return the total number of bytes written."""
    gen = Generator(seed)
    made: set[str] = set()
    (outdir / "_posts").mkdir(parents=True, exist_ok=True)
    total = 0
    for post in gen.posts(n):
        total += write_post(outdir, post, made)
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    total = generate(args.outdir, args.n, args.seed)
    print(
        f"wrote {args.n} posts ({total / 1e6:.1f} MB) to {args.outdir} "
        f"in {time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
