"""Feed paths are safe, readable and stable for any name."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from feedpub.slugs import MAX_BYTES, assign_slugs, slugify


def test_cjk_stays_readable() -> None:
    assert slugify("联合早报") == "联合早报"
    assert slugify("BBC 中文网") == "bbc-中文网"
    assert slugify("纽约时报/中文") == "纽约时报-中文"


def test_hostile_names() -> None:
    assert slugify("../x") == "x"
    assert slugify("a/b") == "a-b"
    assert slugify(".").startswith("_")
    assert slugify("..").startswith("_")
    assert slugify("CON") == "con-"
    assert slugify("nul.txt") == "nul-.txt"
    assert slugify("a\x00b\x1fc") == "a-b-c"
    assert slugify("#?%&").startswith("_")


def test_long_names_are_cut_with_a_hash() -> None:
    slug = slugify("长" * 300)
    assert len(slug.encode()) <= MAX_BYTES + 9
    assert slug != slugify("长" * 299 + "短")


def test_collisions_are_reported_and_disambiguated_in_any_order() -> None:
    names = ["BBC", "bbc", "B B C", "other"]
    slugs, collisions = assign_slugs(names)
    assert len(set(slugs.values())) == len(names)
    assert slugs["B B C"] == "b-b-c"
    assert collisions == [("bbc", ["BBC", "bbc"])]
    assert assign_slugs(reversed(names))[0] == slugs


@given(st.text())
def test_any_name_gives_one_safe_segment(name: str) -> None:
    slug = slugify(name)
    assert slug and slug not in (".", "..")
    assert "/" not in slug and "\\" not in slug and "\x00" not in slug
    assert not slug.startswith(".")
    assert len(slug.encode("utf-8", "surrogatepass")) <= MAX_BYTES + 9
