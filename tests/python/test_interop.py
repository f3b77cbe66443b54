"""The release loads in one line with common tools (pytest).

Each reader is pointed at the release folder the way its documentation
suggests (DuckDB ``read_parquet`` with a glob, a pyarrow dataset, Polars
``scan_parquet`` over ``data/**/*.parquet``, Hugging Face ``datasets`` by
config name from the card, offline), and what it reads is checked against
``manifest.json``. Also: the card's YAML front matter parses and says what
the manifest says. Release folder: ``CORPUSFORGE_RELEASE`` (default
``out/sample``).

Needs: duckdb, pyarrow, polars, datasets, pyyaml, pytest.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

# Before `datasets` is imported: never reach the network.
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

REPO = Path(__file__).resolve().parents[2]
SPLITS = ("train", "validation", "test")


def release_dir() -> Path:
    p = Path(os.environ.get("CORPUSFORGE_RELEASE", "out/sample"))
    if not p.is_absolute() and not p.exists() and (REPO / p).exists():
        p = REPO / p
    return p.resolve()


@pytest.fixture(scope="module")
def release() -> Path:
    r = release_dir()
    if not (r / "manifest.json").is_file():
        pytest.fail(f"no release at {r}; build it first or set CORPUSFORGE_RELEASE")
    return r


@pytest.fixture(scope="module")
def manifest(release: Path) -> dict:
    return json.loads((release / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ids_by_lang(release: Path, manifest: dict) -> dict[str, set[str]]:
    pq = pytest.importorskip("pyarrow.parquet")
    out: dict[str, set[str]] = {}
    for e in manifest["shards"]:
        ids = pq.read_table(release / e["path"], columns=["id"]).column("id").to_pylist()
        out.setdefault(e["lang"], set()).update(ids)
    return out


def front_matter(release: Path) -> dict:
    yaml = pytest.importorskip("yaml")
    text = (release / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n"), "card must start with YAML front matter"
    block = text[4:].split("\n---\n", 1)[0]
    return yaml.safe_load(block)


def test_card_front_matter(release: Path, manifest: dict):
    meta = front_matter(release)
    assert meta["pretty_name"] == manifest["release"]["pretty_name"]
    assert meta["license"] == manifest["release"]["license"]
    assert isinstance(meta["size_categories"], list) and len(meta["size_categories"]) == 1
    for code in meta.get("language", []):
        assert code.isalpha() and code.islower() and len(code) in (2, 3), code
    configs = {c["config_name"]: c for c in meta["configs"]}
    assert set(configs) == {"all", *manifest["languages"]}
    assert configs["all"].get("default") is True
    for lang, per in manifest["languages"].items():
        splits = {d["split"] for d in configs[lang]["data_files"]}
        assert splits == {s for s, n in per.items() if n > 0}
        for d in configs[lang]["data_files"]:
            files = sorted(release.glob(d["path"]))
            listed = sorted(
                release / e["path"] for e in manifest["shards"] if e["lang"] == lang and e["split"] == d["split"]
            )
            assert files == listed, d


def test_duckdb(release: Path, manifest: dict):
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    glob = str(release / "data" / "*" / "*.parquet")
    total = con.execute(f"SELECT count(*) FROM read_parquet('{glob}')").fetchone()[0]
    assert total == manifest["counts"]["kept"]
    rows = con.execute(
        f"SELECT lang, split, count(*), count(DISTINCT id) FROM read_parquet('{glob}') GROUP BY ALL"
    ).fetchall()
    got = {(lang, split): (n, d) for lang, split, n, d in rows}
    want = {(lang, s): (n, n) for lang, per in manifest["languages"].items() for s, n in per.items() if n > 0}
    assert got == want
    bad = con.execute(
        f"SELECT count(*) FROM read_parquet('{glob}') WHERE n_chars <> length(text) OR dup_count < 1"
    ).fetchone()[0]
    assert bad == 0


def test_pyarrow_dataset(release: Path, manifest: dict):
    ds = pytest.importorskip("pyarrow.dataset")
    pc = pytest.importorskip("pyarrow.compute")
    d = ds.dataset(release / "data", format="parquet")
    assert d.count_rows() == manifest["counts"]["kept"]
    for lang, per in manifest["languages"].items():
        n = d.count_rows(filter=ds.field("lang") == lang)
        assert n == sum(per.values()), lang
    t = d.to_table(columns=["split"])
    counts = {v["values"]: v["counts"] for v in pc.value_counts(t.column("split")).to_pylist()}
    assert counts == {s: n for s, n in manifest["splits"].items() if n > 0}
    r = ds.dataset(release / "rejected", format="parquet")
    assert r.count_rows() == manifest["counts"]["rejected"]


def test_polars_scan(release: Path, manifest: dict):
    pl = pytest.importorskip("polars")
    lf = pl.scan_parquet(str(release / "data" / "**" / "*.parquet"))
    df = lf.group_by("lang", "split").agg(pl.len().alias("n")).collect()
    got = {(r["lang"], r["split"]): r["n"] for r in df.iter_rows(named=True)}
    want = {(lang, s): n for lang, per in manifest["languages"].items() for s, n in per.items() if n > 0}
    assert got == want
    assert lf.select(pl.col("id").n_unique()).collect().item() == manifest["counts"]["kept"]


@pytest.fixture(scope="module")
def hf_cache(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("hf-cache"))


def test_hf_datasets_per_language(release: Path, manifest: dict, ids_by_lang, hf_cache: str):
    datasets = pytest.importorskip("datasets")
    for lang, per in manifest["languages"].items():
        dd = datasets.load_dataset(str(release), lang, cache_dir=hf_cache)
        assert {s: dd[s].num_rows for s in dd} == {s: n for s, n in per.items() if n > 0}, lang
        ids = {i for s in dd for i in dd[s]["id"]}
        assert ids == ids_by_lang[lang]
        for s in dd:
            assert set(dd[s]["lang"]) == {lang}
            assert set(dd[s]["split"]) == {s}


def test_hf_datasets_all(release: Path, manifest: dict, hf_cache: str):
    datasets = pytest.importorskip("datasets")
    dd = datasets.load_dataset(str(release), "all", cache_dir=hf_cache)
    assert {s: dd[s].num_rows for s in dd} == {s: n for s, n in manifest["splits"].items() if n > 0}
    assert list(dd["train"].features) == [
        "id", "text", "title", "url", "date", "source", "lang", "lang_score", "lang_mixed",
        "lang2", "lang2_score", "script",
        "n_chars", "n_words", "dup_cluster", "dup_count", "split", "source_file", "source_line",
        "removed_lines",
    ]
    # list<string>: a sequence of strings (null unless built with --keep-removed-lines)
    assert dd["train"].features["removed_lines"].feature.dtype == "string"
    row = dd["train"][0]
    assert len(row["text"]) == row["n_chars"]
