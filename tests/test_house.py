"""The shape of the package, as ../shared/DESIGN.md draws it: imports go one way, down
the layers below; the stages never reach the cache; modules and classes stay small."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import POSTS, ROOT

PACKAGE = ROOT / "feedpub"

# A module may import modules of lower layers only (lazy imports inside functions
# count too). The stages sit in the middle; the helpers and values at the bottom.
LAYERS: list[set[str]] = [
    {
        "problems",
        "text",
        "settings",
        "timestamps",
        "urls",
        "shifts",
        "language",
        "tomllines",
        "videos",
        "typography",
        "emphasis",
        "liquidsite",
        "kramdown",
        "linebreaks",
        "jekyllexclude",
    },
    {"__init__", "titles", "checks", "sitedata", "commonmark", "trees", "autolinks", "echoes"}
    | {"slugs"},
    {"model", "summaries", "encoding", "images", "players", "plugins", "jekyllfilters"},
    {
        "liquid",
        "html",
        "frontmatter",
        "postfiles",
        "scan",
        "workers",
        "writer",
        "permalinks",
        "jekyllfeed",
        "includes",
    },
    {"fields"},
    {"collector"},
    {"normalizer"},
    {"formats"},
    {"planner"},
    {"pages", "config"},
    {"render", "incremental", "websub", "rewrite", "misconfig"},
    {"build", "report", "places"},
    {"cli"},
    {"__main__"},
]
LAYER = {name: n for n, names in enumerate(LAYERS) for name in names}
STAGES = {"scan", "collector", "normalizer", "planner", "formats", "render", "pages", "writer"}


def unit(path: Path) -> str:
    """The layer unit of a module: its top package below feedpub/, or its own name."""
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imports(path: Path) -> set[str]:
    """The feedpub units `path` imports, at any depth of its code."""
    tree = ast.parse(path.read_text("utf-8"))
    here = path.relative_to(PACKAGE).parts[:-1]  # the package of the module
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
            if node.module:
                target = [*base, *node.module.split(".")]
                found.add(target[0] if target else "")
            else:
                for alias in node.names:
                    target = [*base, alias.name]
                    module = PACKAGE.joinpath(*target)
                    if not (module.with_suffix(".py").is_file() or module.is_dir()):
                        target = [*base] or ["__init__"]  # a name, not a module
                    found.add(target[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("feedpub"):
            found.add((node.module or "").split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("feedpub."):
                    found.add(alias.name.split(".")[1])
    return found - {""}


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        edges.setdefault(unit(path), set()).update(imports(path) - {unit(path)})
    return edges


def test_every_module_has_a_layer() -> None:
    assert set(graph()) - set(LAYER) == set()


def test_imports_go_down_the_layers_and_never_in_a_circle() -> None:
    upward = [
        f"{a} (layer {LAYER[a]}) imports {b} (layer {LAYER[b]})"
        for a, targets in sorted(graph().items())
        for b in sorted(targets)
        if LAYER[b] >= LAYER[a]
    ]
    assert upward == []  # strictly downward: a cycle would need an edge upward


def test_the_stages_never_reach_the_cache_and_it_never_reaches_the_build() -> None:
    edges = graph()
    assert [s for s in sorted(STAGES) if "incremental" in edges[s]] == []
    assert edges["incremental"] & {"build", "render", "cli"} == set()
    users = sorted(a for a, targets in edges.items() if "incremental" in targets)
    assert users == ["build"]  # the cache's one door


def test_modules_and_classes_stay_small() -> None:
    big = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text("utf-8")
        name = path.relative_to(PACKAGE).as_posix()
        if text.count("\n") > 470:
            big.append(f"{name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            size = (node.end_lineno or 0) - node.lineno if isinstance(node, ast.ClassDef) else 0
            if size > 210:
                big.append(f"{name}: class {getattr(node, 'name', '')}: {size} lines")
    assert big == []


def test_the_test_sees_lazy_imports(tmp_path: Path) -> None:
    """The graph is built from every import, those inside functions too."""
    assert "incremental" in imports(PACKAGE / "build.py")
    assert "lxml" not in graph()["text"]


def test_a_build_with_nothing_to_do_imports_no_lxml_and_no_yaml(tmp_path: Path) -> None:
    # (nor `includes`, which imports hashlib, signal and threading: 15 ms of a 0.35 s
    # build, through `config`, until it imported it only for a site with `_includes/`)
    """The nothing-changed check comes before the pipeline's imports, `[feeds.X]` tables
    and all (the config asks the planner, which imports nothing heavy, for the kinds)."""
    site = tmp_path / "site"
    shutil.copytree(POSTS, site)
    with (site / "feedpub.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[feeds.tag]\ntitle = "#{name}"\n')
    args = ["build", str(site), "--out", str(tmp_path / "out"), "--cache", str(tmp_path / "c")]
    script = (
        "import sys\nfrom feedpub.cli import app\n"
        f"try:\n    app({[*args, '-q']!r})\nexcept SystemExit as e:\n    assert not e.code, e\n"
        "print(sorted({'lxml', 'nh3', 'yaml', 'feedpub.includes'} & set(sys.modules)))"
    )
    found = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    first = "['feedpub.includes', 'lxml', 'nh3', 'yaml']"  # the first reads all
    assert found[0].stdout.splitlines()[-1] == first
    assert found[1].stdout.splitlines()[-1] == "[]", found[1].stdout
