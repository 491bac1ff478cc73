"""Feed paths are safe, readable and stable for any name."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from feedpub.slugs import MAX_BYTES, _short_hash, assign_slugs, slugify


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
    assert [slugify(n) for n in ("COM¹", "lpt³", "CONIN$")] == ["com¹-", "lpt³-", "conin$-"]
    assert slugify("a\x00b\x1fc") == "a-b-c"
    assert slugify("#?%&").startswith("_")
    # a posts folder's name: the output folder would hold posts (a tag `archived`)
    assert [slugify(n) for n in ("archived", "Archived", "_posts", "archived.x")] == [
        "archived-",
        "archived-",
        "_posts-",
        "archived.x",
    ]


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


def test_a_suffixed_slug_is_never_another_names_plain_one() -> None:
    """`C++` would move to `c-<hash>`, the plain slug of a tag named so: two feeds
    in one folder. It moves one step further, whatever the order."""
    moved = f"c-{_short_hash('C++')}"
    names = ["C", "C++", moved]
    slugs, collisions = assign_slugs(names)
    assert slugs == {"C": "c", moved: moved, "C++": f"{moved}-2"}
    assert collisions == [("c", ["C", "C++"])]
    assert assign_slugs(reversed(names))[0] == slugs


def test_every_name_keeps_the_slug_it_had() -> None:
    """A feed's URL never changes meaning: when `C` goes, `C++` keeps its own slug
    rather than take `c` from under `C`'s subscribers; a newcomer to a slug some
    name had never takes it; a slug that is not the name's own is not kept."""
    first, _ = assign_slugs(["C", "C++"])
    assert assign_slugs(["C++"], first)[0] == {"C++": first["C++"]}
    assert assign_slugs(["C++", "c"], {"C++": first["C++"]})[0] == {
        "C++": first["C++"],
        "c": "c",
    }
    newcomer, collisions = assign_slugs(["c", "C"], {"c": "c"})
    assert newcomer == {"c": "c", "C": f"c-{_short_hash('C')}"}
    assert collisions == [("c", ["c", "C"])]
    assert assign_slugs(["C"], {"C": "../../etc"})[0] == {"C": "c"}
    assert assign_slugs(["C"], {"C": "c-x"})[0] == {"C": "c"}
    # a posts folder's name, had before such names got their `-`: its URL is kept
    assert assign_slugs(["archived", "B"], {"archived": "archived"})[0] == {
        "archived": "archived",
        "B": "b",
    }
    assert assign_slugs(["B"], {"B": "archived"})[0] == {"B": "b"}


@given(st.text())
def test_any_name_gives_one_safe_segment(name: str) -> None:
    slug = slugify(name)
    assert slug and slug not in (".", "..")
    assert "/" not in slug and "\\" not in slug and "\x00" not in slug
    assert not slug.startswith(".")
    assert len(slug.encode("utf-8", "surrogatepass")) <= MAX_BYTES + 9
