"""Release checks for a corpusforge output folder (pytest).

The release folder comes from ``CORPUSFORGE_RELEASE`` (default ``out/sample``,
relative to the current directory, else to the repository root). Build it first,
e.g. ``corpusforge build --config configs/<sample config>.toml``, then run::

    pytest tests/python/test_release.py -rs

The generic tests (manifest, shards, schema, funnel, per-row invariants) run on
any release. The sample tests compare against ``tests/fixtures/sample_expected.json``
(written by ``scripts/make_sample.py``) and are skipped, with the reason, when the
release was not built from ``datasets/sample``. Set ``CORPUSFORGE_RELEASE_IS_SAMPLE``
to ``1`` or ``0`` to override the detection.

Needs: pyarrow, polars, pandas, pytest.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

REPO = Path(__file__).resolve().parents[2]
EXPECTED_PATH = REPO / "tests" / "fixtures" / "sample_expected.json"
SAMPLE_DIR = REPO / "datasets" / "sample"

SPLITS = ("train", "validation", "test")
SHARD_RE = re.compile(r"^data/(?P<lang>[a-z]{3}_[A-Z][a-z]{3})/(?P<split>train|validation|test)-(?P<i>\d{5})-of-(?P<n>\d{5})\.parquet$")
REJECTED_RE = re.compile(r"^rejected/rejected-(?P<i>\d{5})-of-(?P<n>\d{5})\.parquet$")

STRING_TYPES = (pa.string(), pa.large_string())
DATA_COLUMNS = [
    ("id", "str"),
    ("text", "str"),
    ("title", "str"),
    ("url", "str"),
    ("date", "str"),
    ("source", "str"),
    ("lang", "str"),
    ("lang_score", pa.float32()),
    ("lang_mixed", pa.bool_()),
    ("lang2", "str"),
    ("lang2_score", pa.float32()),
    ("script", "str"),
    ("n_chars", pa.int64()),
    ("n_words", pa.int64()),
    ("dup_cluster", "str"),
    ("dup_count", pa.int32()),
    ("split", "str"),
    ("source_file", "str"),
    ("source_line", pa.int64()),
    ("removed_lines", pa.list_(pa.string())),
]
REJECTED_COLUMNS = [
    ("id", "str"),
    ("stage", "str"),
    ("reason", "str"),
    ("detail", "str"),
    ("dup_of", "str"),
    ("dup_cluster", "str"),
    ("dup_jaccard", pa.float32()),
    ("lang", "str"),
    ("source_file", "str"),
    ("source_line", pa.int64()),
    ("text", "str"),
]
ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
# whatlang labels Mandarin `cmn`; a fastText model may say `zho`.
LANG_ALIASES = {"cmn": {"cmn", "zho"}}


# --------------------------------------------------------------------------
# Loading (cached: the release is read once per session)
# --------------------------------------------------------------------------

def release_dir() -> Path:
    raw = os.environ.get("CORPUSFORGE_RELEASE", "out/sample")
    p = Path(raw)
    if not p.is_absolute() and not p.exists() and (REPO / p).exists():
        p = REPO / p
    return p


@lru_cache(maxsize=None)
def manifest() -> dict:
    rel = release_dir()
    path = rel / "manifest.json"
    if not path.is_file():
        pytest.fail(f"no release at {rel} (missing manifest.json); build it first or set CORPUSFORGE_RELEASE")
    with path.open(encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=None)
def expected() -> dict:
    with EXPECTED_PATH.open(encoding="utf-8") as f:
        exp = json.load(f)
    exp.setdefault("cases", [])
    for key in ("boilerplate_lines", "body_lines", "exact_texts", "near_duplicate_pairs", "invalid_utf8_repaired"):
        exp.setdefault(key, [])
    exp.setdefault("input_documents", len(exp["cases"]))
    return exp


def counts() -> dict:
    c = manifest().get("counts")
    assert isinstance(c, dict), "manifest.json has no `counts` object"
    for key in ("input", "kept", "rejected", "rejected_by_reason"):
        assert key in c, f"manifest counts lack `{key}`"
    return c


def shard_entries(key: str) -> list[dict]:
    entries = manifest().get(key)
    assert isinstance(entries, list), f"manifest.json has no `{key}` list"
    for e in entries:
        for field in ("path", "rows", "bytes", "sha256"):
            assert field in e, f"{key} entry lacks `{field}`: {e}"
    return entries


def data_entries() -> list[dict]:
    return shard_entries("shards")


def rejected_entries() -> list[dict]:
    return shard_entries("rejected_shards")


def shard_path(entry: dict) -> Path:
    p = entry["path"]
    assert not Path(p).is_absolute() and ".." not in Path(p).parts, f"shard path must be relative to the release: {p}"
    return release_dir() / p


@lru_cache(maxsize=None)
def read_table(rel_path: str):
    return pq.read_table(release_dir() / rel_path)


@lru_cache(maxsize=None)
def data_rows() -> tuple:
    """Every kept row as a dict, plus the shard (lang, split) it came from."""
    rows = []
    for e in data_entries():
        m = SHARD_RE.match(e["path"])
        lang, split = (m["lang"], m["split"]) if m else (None, None)
        for r in read_table(e["path"]).to_pylist():
            r["_shard"] = e["path"]
            r["_shard_lang"] = lang
            r["_shard_split"] = split
            rows.append(r)
    return tuple(rows)


@lru_cache(maxsize=None)
def rejected_rows() -> tuple:
    rows = []
    for e in rejected_entries():
        for r in read_table(e["path"]).to_pylist():
            r["_shard"] = e["path"]
            rows.append(r)
    return tuple(rows)


def kept_by_id() -> dict:
    return {r["id"]: r for r in data_rows()}


def rejected_by_id() -> dict:
    out = defaultdict(list)
    for r in rejected_rows():
        out[r["id"]].append(r)
    return out


def rejected_by_place() -> dict:
    out = defaultdict(list)
    for r in rejected_rows():
        out[(r["source_file"], r["source_line"])].append(r)
    return out


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def type_ok(actual, want) -> bool:
    if want == "str":
        return actual in STRING_TYPES
    return actual == want


# --------------------------------------------------------------------------
# Is this release built from datasets/sample?
# --------------------------------------------------------------------------

def _strings(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)
    elif isinstance(obj, str):
        yield obj


@lru_cache(maxsize=None)
def sample_status() -> tuple[bool, str]:
    forced = os.environ.get("CORPUSFORGE_RELEASE_IS_SAMPLE")
    if forced is not None:
        return forced.strip().lower() in ("1", "true", "yes"), f"CORPUSFORGE_RELEASE_IS_SAMPLE={forced}"
    names = sorted({c["source_file"] for c in expected()["cases"]})
    inputs = manifest().get("inputs")
    if inputs:
        strings = {s.lower().removeprefix("sha256:") for s in _strings(inputs)}
        hashes = {sha256_file(SAMPLE_DIR / n) for n in names if (SAMPLE_DIR / n).is_file()}
        if hashes and hashes <= strings:
            return True, "manifest inputs carry the sha256 of every sample file"
        if any(re.fullmatch(r"[0-9a-f]{64}", s) for s in strings):
            return False, "manifest input hashes differ from the files in datasets/sample"
        ends = all(any(s.replace("\\", "/").endswith(n) for s in strings) for n in names)
        if ends:
            return True, "manifest inputs name every sample file"
        return False, "manifest inputs do not name the sample files"
    if counts().get("input") == expected()["input_documents"] and "datasets/sample" in json.dumps(manifest()):
        return True, "no `inputs` in manifest; input count and config path match the sample"
    return False, "manifest has no `inputs` and does not look like a release of datasets/sample"


@pytest.fixture
def sample():
    is_sample, why = sample_status()
    if not is_sample:
        msg = f"release {release_dir()} is not of datasets/sample: {why}"
        print(msg)
        pytest.skip(msg)
    return expected()


# --------------------------------------------------------------------------
# Manifest and shard files
# --------------------------------------------------------------------------

def test_manifest_lists_every_shard_on_disk():
    rel = release_dir()
    on_disk = {p.relative_to(rel).as_posix() for p in rel.glob("data/*/*.parquet")}
    listed = [e["path"] for e in data_entries()]
    assert len(listed) == len(set(listed)), "a data shard is listed twice"
    assert on_disk == set(listed), f"on disk only: {sorted(on_disk - set(listed))}; listed only: {sorted(set(listed) - on_disk)}"
    rej_disk = {p.relative_to(rel).as_posix() for p in rel.glob("rejected/*.parquet")}
    rej_listed = [e["path"] for e in rejected_entries()]
    assert len(rej_listed) == len(set(rej_listed)), "a rejected shard is listed twice"
    assert rej_disk == set(rej_listed)
    assert listed, "release has no data shards"


def test_shard_names_follow_hf_layout():
    groups = defaultdict(list)
    for e in data_entries():
        m = SHARD_RE.match(e["path"])
        assert m, f"bad data shard path {e['path']!r}; want data/<lll_Ssss>/<split>-NNNNN-of-MMMMM.parquet"
        assert e.get("lang") == m["lang"], f"{e['path']}: manifest lang {e.get('lang')!r}"
        assert e.get("split") == m["split"], f"{e['path']}: manifest split {e.get('split')!r}"
        groups[(m["lang"], m["split"])].append((int(m["i"]), int(m["n"])))
    for key, shards in groups.items():
        n = {t for _, t in shards}
        assert len(n) == 1, f"{key}: inconsistent -of- totals {n}"
        assert sorted(i for i, _ in shards) == list(range(n.pop())), f"{key}: shard indices not 0..M-1: {shards}"
    rej = []
    for e in rejected_entries():
        m = REJECTED_RE.match(e["path"])
        assert m, f"bad rejected shard path {e['path']!r}"
        assert e.get("lang") is None and e.get("split") is None, f"{e['path']}: lang/split must be null"
        rej.append((int(m["i"]), int(m["n"])))
    if rej:
        assert {t for _, t in rej} == {len(rej)}
        assert sorted(i for i, _ in rej) == list(range(len(rej)))


@pytest.mark.parametrize("key", ["shards", "rejected_shards"])
def test_shard_bytes_and_sha256_match_manifest(key):
    for e in shard_entries(key):
        p = shard_path(e)
        assert p.is_file(), f"missing {p}"
        assert p.stat().st_size == e["bytes"], f"{e['path']}: {p.stat().st_size} bytes, manifest says {e['bytes']}"
        assert sha256_file(p) == e["sha256"].lower().removeprefix("sha256:"), f"{e['path']}: sha256 differs from manifest"


@pytest.mark.parametrize("key", ["shards", "rejected_shards"])
def test_row_counts_match_manifest(key):
    for e in shard_entries(key):
        md = pq.ParquetFile(shard_path(e)).metadata
        assert md.num_rows == e["rows"], f"{e['path']}: {md.num_rows} rows, manifest says {e['rows']}"


def test_data_schema_is_stable():
    want = [name for name, _ in DATA_COLUMNS]
    for e in data_entries():
        schema = pq.read_schema(shard_path(e))
        assert schema.names == want, f"{e['path']}: columns {schema.names}"
        for name, typ in DATA_COLUMNS:
            actual = schema.field(name).type
            assert type_ok(actual, typ), f"{e['path']}: column {name} is {actual}, want {typ}"


def test_rejected_schema_is_stable():
    want = [name for name, _ in REJECTED_COLUMNS]
    for e in rejected_entries():
        schema = pq.read_schema(shard_path(e))
        assert schema.names == want, f"{e['path']}: columns {schema.names}"
        for name, typ in REJECTED_COLUMNS:
            actual = schema.field(name).type
            assert type_ok(actual, typ), f"{e['path']}: column {name} is {actual}, want {typ}"


def test_removed_lines_are_null_or_whole_lines():
    """`removed_lines` is null (the build did not keep them) or a list of
    the whole lines cleaned away (each non-empty, without a line break)."""
    for e in data_entries():
        for r in pq.read_table(shard_path(e), columns=["removed_lines"]).to_pylist():
            lines = r["removed_lines"]
            assert lines is None or all(isinstance(x, str) and x and "\n" not in x for x in lines)


# --------------------------------------------------------------------------
# Three readers
# --------------------------------------------------------------------------

def test_pyarrow_reads_every_shard():
    total = 0
    for e in data_entries():
        t = pq.read_table(shard_path(e))
        assert t.num_rows == e["rows"], e["path"]
        total += t.num_rows
    assert total == counts()["kept"]
    # and the whole folder as one dataset, the way a user loads it
    import pyarrow.dataset as ds

    assert ds.dataset(str(release_dir() / "data"), format="parquet").count_rows() == counts()["kept"]


def test_polars_reads_every_shard():
    pl = pytest.importorskip("polars")
    total = 0
    for e in data_entries():
        df = pl.read_parquet(shard_path(e))
        assert df.height == e["rows"], e["path"]
        assert df.columns == [n for n, _ in DATA_COLUMNS]
        assert df.schema["lang_score"] == pl.Float32
        assert df.schema["n_chars"] == pl.Int64 and df.schema["n_words"] == pl.Int64
        assert df.schema["dup_count"] == pl.Int32 and df.schema["source_line"] == pl.Int64
        assert df.schema["text"] == pl.Utf8
        total += df.height
    assert total == counts()["kept"]
    # one-line load of the whole release
    assert pl.scan_parquet(str(release_dir() / "data" / "**" / "*.parquet")).select(pl.len()).collect().item() == counts()["kept"]


def test_pandas_reads_every_shard():
    pd = pytest.importorskip("pandas")
    total = 0
    for e in data_entries():
        df = pd.read_parquet(shard_path(e))
        assert len(df) == e["rows"], e["path"]
        assert list(df.columns) == [n for n, _ in DATA_COLUMNS]
        assert str(df["lang_score"].dtype) == "float32"
        assert str(df["n_chars"].dtype) == "int64"
        assert str(df["dup_count"].dtype) == "int32"
        total += len(df)
    assert total == counts()["kept"]


# --------------------------------------------------------------------------
# Funnel
# --------------------------------------------------------------------------

def test_funnel_adds_up():
    c = counts()
    by_reason = c["rejected_by_reason"]
    assert all(isinstance(v, int) and v > 0 for v in by_reason.values()), f"bad rejected_by_reason {by_reason}"
    assert c["input"] == c["kept"] + c["rejected"], c
    assert c["rejected"] == sum(by_reason.values()), c
    assert c["input"] == c["kept"] + sum(by_reason.values())
    assert sum(e["rows"] for e in data_entries()) == c["kept"]
    assert sum(e["rows"] for e in rejected_entries()) == c["rejected"]


def test_rejected_rows_match_reasons():
    rows = rejected_rows()
    assert len(rows) == counts()["rejected"]
    got = Counter(r["reason"] for r in rows)
    assert dict(got) == counts()["rejected_by_reason"]
    for r in rows:
        assert r["stage"], f"rejected row without stage: {r['id']}"
        assert r["source_file"], f"rejected row without source_file: {r['id']}"
        assert r["id"], "rejected row without id (a missing id must be derived from provenance)"
        if r["reason"] == "exact_duplicate":
            assert r["dup_of"] in kept_by_id(), f"{r['id']}: dup_of {r['dup_of']!r} is not a kept id"


# --------------------------------------------------------------------------
# Per-row invariants (any release)
# --------------------------------------------------------------------------

def test_ids_unique_across_data_shards():
    ids = Counter(r["id"] for r in data_rows())
    assert None not in ids, "a kept row has a null id"
    dupes = {k: v for k, v in ids.items() if v > 1}
    assert not dupes, f"ids in more than one data row: {dupes}"
    rejected = {r["id"] for r in rejected_rows()}
    both = rejected & set(ids)
    assert not both, f"ids both kept and rejected: {sorted(both)[:10]}"


def test_rows_agree_with_their_shard():
    for r in data_rows():
        assert r["split"] == r["_shard_split"], f"{r['id']}: split {r['split']!r} in {r['_shard']}"
        assert r["lang"] == r["_shard_lang"], f"{r['id']}: lang {r['lang']!r} in {r['_shard']}"
        assert r["lang"].endswith("_" + r["script"]), f"{r['id']}: lang {r['lang']!r} vs script {r['script']!r}"
        assert 0.0 <= r["lang_score"] <= 1.0, f"{r['id']}: lang_score {r['lang_score']}"


def test_lengths_and_dup_fields():
    for r in data_rows():
        assert r["text"], f"{r['id']}: empty text kept"
        assert r["n_chars"] == len(r["text"]), f"{r['id']}: n_chars {r['n_chars']} != {len(r['text'])} code points"
        assert r["n_words"] > 0, r["id"]
        assert r["dup_count"] >= 1, f"{r['id']}: dup_count {r['dup_count']}"
        assert r["dup_cluster"], f"{r['id']}: empty dup_cluster"
        assert r["source_file"], r["id"]
        assert r["source_line"] is None or r["source_line"] >= 1, r["id"]


def test_near_duplicate_clusters_do_not_leak_across_splits():
    splits = defaultdict(set)
    for r in data_rows():
        splits[r["dup_cluster"]].add(r["split"])
    leaks = {k: v for k, v in splits.items() if len(v) > 1}
    assert not leaks, f"dup clusters in more than one split: {leaks}"


def test_kept_text_is_normalized():
    for r in data_rows():
        t = r["text"]
        assert unicodedata.is_normalized("NFC", t), f"{r['id']}: text not NFC"
        joiners = ("\u200c", "\u200d")
        bad = {
            ch
            for ch in t
            if (ch in ZERO_WIDTH and ch not in joiners) or (unicodedata.category(ch) == "Cc" and ch != "\n")
        }
        # ZWNJ/ZWJ are kept only between two letters or marks, where they are
        # orthography (Persian, Indic scripts, Arabic joining).
        def letterish(c):
            return unicodedata.category(c)[0] in "LMN" or ord(c) >= 0x1F000

        for i, ch in enumerate(t):
            if ch in joiners and not (0 < i < len(t) - 1 and letterish(t[i - 1]) and letterish(t[i + 1])):
                bad.add(ch)
        assert not bad, f"{r['id']}: control/zero-width characters left: {sorted(map(hex, map(ord, bad)))}"
        for line in t.split("\n"):
            assert line == line.strip(), f"{r['id']}: untrimmed line {line!r}"
            assert not re.search(r"\s{2,}", line), f"{r['id']}: whitespace run in {line!r}"


# --------------------------------------------------------------------------
# The sample (skipped for other releases)
# --------------------------------------------------------------------------

def test_sample_input_count(sample):
    assert counts()["input"] == sample["input_documents"]


def test_sample_rejection_counts(sample):
    want = Counter(c["expect"] for c in sample["cases"] if c["expect"] != "kept")
    got = counts()["rejected_by_reason"]
    for reason, n in want.items():
        assert got.get(reason) == n, f"{reason}: manifest says {got.get(reason)}, sample has {n}"
    # near-duplicate removal (a later stage) may reject more; nothing else may
    extra = {k: v for k, v in got.items() if k not in want and "near" not in k}
    assert not extra, f"unexpected rejection reasons: {extra}"


def _find_rejected(case: dict) -> list[dict]:
    if case.get("id"):
        return rejected_by_id().get(case["id"], [])
    return rejected_by_place().get((case["source_file"], case["source_line"]), [])


def test_sample_every_case_accounted(sample):
    kept, problems = kept_by_id(), []
    near = {}
    for a, b in sample["near_duplicate_pairs"]:
        near[a], near[b] = b, a
    for c in sample["cases"]:
        cid = c.get("id")
        rej = _find_rejected(c)
        where = f"{c['source_file']}:{c['source_line']}"
        if c["expect"] == "kept":
            if cid in near and cid not in kept:
                # allowed once near-duplicate removal exists: one copy goes, its twin stays
                other = near[cid]
                ok = other in kept and len(rej) == 1 and "near" in (rej[0]["reason"] or "") and rej[0]["dup_of"] == other
                if not ok:
                    problems.append(f"{cid} ({where}): near-duplicate copy neither kept nor rejected against {other}: {rej}")
                continue
            if cid not in kept:
                problems.append(f"{cid} ({where}): expected kept, rejected as {[r['reason'] for r in rej]}")
                continue
            r = kept[cid]
            if r["source_file"] != c["source_file"] or r["source_line"] != c["source_line"]:
                problems.append(f"{cid}: provenance {r['source_file']}:{r['source_line']}, want {where}")
            code = (r["lang"] or "").split("_")[0]
            if c.get("lang") and code not in LANG_ALIASES.get(c["lang"], {c["lang"]}):
                problems.append(f"{cid}: lang {r['lang']!r}, want {c['lang']}")
        else:
            if cid and cid in kept:
                problems.append(f"{cid} ({where}): expected {c['expect']}, but kept")
                continue
            if len(rej) != 1:
                problems.append(f"{cid or where}: expected one rejected row ({c['expect']}), found {len(rej)}")
                continue
            r = rej[0]
            if r["reason"] != c["expect"]:
                problems.append(f"{cid or where}: reason {r['reason']!r}, want {c['expect']!r}")
            if r["dup_of"] != c.get("dup_of"):
                problems.append(f"{cid or where}: dup_of {r['dup_of']!r}, want {c.get('dup_of')!r}")
            if r["source_file"] != c["source_file"] or r["source_line"] != c["source_line"]:
                problems.append(f"{cid or where}: provenance {r['source_file']}:{r['source_line']}")
            if not cid and c.get("derived_id") and r["id"] != c["derived_id"]:
                problems.append(f"{where}: derived id {r['id']!r}, want {c['derived_id']!r}")
    assert not problems, "\n".join(problems)


def test_sample_boilerplate_lines_removed(sample):
    kept = kept_by_id()
    all_lines = Counter(line for r in data_rows() for line in r["text"].split("\n"))
    problems = []
    for b in sample["boilerplate_lines"]:
        line = unicodedata.normalize("NFC", b["line"]).strip()
        if all_lines.get(line):
            problems.append(f"boilerplate line still present in {all_lines[line]} kept text(s): {line!r}")
        r = kept.get(b["id"])
        if r is not None and line in r["text"]:
            problems.append(f"{b['id']}: boilerplate {line!r} left in text")
    assert not problems, "\n".join(problems)


def test_sample_body_lines_survive(sample):
    kept = kept_by_id()
    problems = []
    for b in sample["body_lines"]:
        r = kept.get(b["id"])
        if r is None:
            continue  # reported by test_sample_every_case_accounted
        if b["line"] not in r["text"].split("\n") and b["line"] not in r["text"]:
            problems.append(f"{b['id']}: body line lost: {b['line'][:80]!r}")
    assert not problems, "\n".join(problems)


def test_sample_seed_like_arabic_doc_is_exactly_the_body(sample):
    assert sample["exact_texts"], "expected file lists no exact_texts"
    kept = kept_by_id()
    for x in sample["exact_texts"]:
        assert x["id"] in kept, f"{x['id']} not kept"
        text = kept[x["id"]]["text"]
        lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
        assert not any(ln.startswith("[ad_") for ln in lines), lines[:2] + lines[-2:]
        assert "المصدر" not in lines
        assert not any(ln.endswith("(غيتي)") for ln in lines)
        assert lines == x["lines"]


def test_sample_invalid_utf8_repaired_and_kept(sample):
    kept = kept_by_id()
    for cid in sample["invalid_utf8_repaired"]:
        assert cid in kept, f"{cid}: document with invalid UTF-8 must be repaired and kept"
        assert "\ufffd" in kept[cid]["text"], f"{cid}: no U+FFFD where the invalid bytes were"


def test_sample_near_duplicates_stay_in_one_split(sample):
    kept = kept_by_id()
    for a, b in sample["near_duplicate_pairs"]:
        assert a in kept or b in kept, f"both of the near-duplicate pair {a}, {b} were dropped"
        if a in kept and b in kept and kept[a]["dup_cluster"] == kept[b]["dup_cluster"]:
            assert kept[a]["split"] == kept[b]["split"]
