#!/usr/bin/env python3
"""Generate the corpusforge sample input `datasets/sample/` and its expectations.

Usage (from the repository root):

    python3 -m venv /tmp/samplevenv
    /tmp/samplevenv/bin/pip install pyarrow zstandard
    /tmp/samplevenv/bin/python scripts/make_sample.py

Outputs (all rewritten on every run, byte-identical across runs):

    datasets/sample/news-en-fr.jsonl        plain JSONL
    datasets/sample/news-de-es.jsonl.gz     gzip JSONL (mtime 0)
    datasets/sample/news-ru-uk.jsonl.zst    zstd JSONL
    datasets/sample/news-ar.csv             CSV, header row, RFC 4180 quoting
    datasets/sample/news-tr-pt.tsv          TSV, header row, same quoting rules
    datasets/sample/news-zh-ja.parquet      Parquet (zstd), all string columns
    datasets/sample/articles/*.txt          one article per file, no metadata
    datasets/sample/README.md               the planted cases, file + line
    tests/fixtures/sample_expected.json     machine-readable expectations

The article texts live in `scripts/sample_src/<iso639-3>.py`; they were written
for this sample. This script plants the test cases (boilerplate lines, exact
and near duplicates, short and malformed records, invalid UTF-8), assigns the
records to files, and computes the expected outcome of every record with a
small Python model of the pipeline semantics (normalize, boilerplate lines,
length, exact-duplicate key). The model only exists to check that each planted
case does what the README says; it is asserted against the intended outcome of
every case, so a change to the texts that breaks a case fails loudly here.

Pass `--check` to regenerate into a temporary folder and compare bytes with the
committed files instead of writing.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import sys
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_src import ara, cmn, deu, eng, fra, hin, jpn, por, rus, spa, tur, ukr  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# language prefix used in ids -> (ISO 639-3, ISO 15924, module)
LANGS = {
    "en": ("eng", "Latn", eng),
    "fr": ("fra", "Latn", fra),
    "de": ("deu", "Latn", deu),
    "es": ("spa", "Latn", spa),
    "pt": ("por", "Latn", por),
    "tr": ("tur", "Latn", tur),
    "ar": ("ara", "Arab", ara),
    "ru": ("rus", "Cyrl", rus),
    "uk": ("ukr", "Cyrl", ukr),
    "zh": ("cmn", "Hani", cmn),
    "ja": ("jpn", "Jpan", jpn),
    "hi": ("hin", "Deva", hin),
}

# Invented outlets, two per language; the domain is under the reserved
# `.example` TLD so no URL points at a real site.
OUTLETS = {
    "en": [("Harbour Ledger", "harbourledger"), ("Northfield Courier", "northfieldcourier")],
    "fr": [("Le Veilleur du Val", "veilleurduval"), ("La Gazette des Collines", "gazettecollines")],
    "de": [("Landbote am Morgen", "landbote"), ("Rheintaler Rundschau", "rheintaler")],
    "es": [("Diario del Valle Alto", "diariovallealto"), ("La Voz de la Ribera", "vozribera")],
    "pt": [("Jornal da Serra", "jornaldaserra"), ("Correio do Litoral", "correiolitoral")],
    "tr": [("Kıyı Postası", "kiyipostasi"), ("Anadolu Akşamı", "anadoluaksami")],
    "ar": [("صحيفة الوادي", "alwadi"), ("أخبار الساحل", "akhbarsahel")],
    "ru": [("Северный вестник", "severvestnik"), ("Речная газета", "rechnaya")],
    # One outlet for every Ukrainian article: a source with 12 documents, enough
    # for the repeated-lines rule (a source needs 10) planted below.
    "uk": [("Вечірній Поділ", "vechirnipodil"), ("Вечірній Поділ", "vechirnipodil")],
    "zh": [("江河日报", "jianghe"), ("晨光新闻", "chenguang")],
    "ja": [("みなと新聞", "minato"), ("山里タイムズ", "yamazato")],
    "hi": [("नगर समाचार", "nagarsamachar"), ("दैनिक प्रभात", "dainikprabhat")],
}

FIELDS = ["id", "title", "url", "date", "source", "text"]


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------

def split_article(raw: str) -> tuple[str, list[str]]:
    lines = raw.split("\n")
    return lines[0], lines[1:]


def base_record(prefix: str, n: int) -> dict:
    """Record for the n-th (1-based) article of a language, with metadata."""
    iso3, _script, mod = LANGS[prefix]
    title, paras = split_article(mod.ARTICLES[n - 1])
    outlet, domain = OUTLETS[prefix][(n - 1) % 2]
    month = 1 + (n * 5) % 12
    day = 1 + (n * 7 + len(prefix)) % 28
    rid = f"{prefix}-{n:04d}"
    return {
        "id": rid,
        "title": title,
        "url": f"https://www.{domain}.example/2024/{month:02d}/{rid}",
        "date": f"2024-{month:02d}-{day:02d}",
        "source": outlet,
        "paras": list(paras),  # body paragraphs (what must survive)
        "head": [],  # boilerplate lines before the body
        "tail": [],  # boilerplate lines after the body
        "lang": iso3,
        "intent": "kept",
        "dup_of": None,
        "note": "clean article",
        # raw byte/char level tweaks applied when rendering the text
        "render": None,
    }


def text_of(rec: dict) -> str:
    if rec.get("raw_text") is not None:
        return rec["raw_text"]
    lines = rec["head"] + rec["paras"] + rec["tail"]
    text = "\n".join(lines)
    if rec["render"] is not None:
        text = rec["render"](text)
    return text


def derived(rec: dict, **changes) -> dict:
    out = dict(rec)
    out["paras"] = list(rec["paras"])
    out["head"] = list(rec["head"])
    out["tail"] = list(rec["tail"])
    out["render"] = None
    out["raw_text"] = None
    out.update(changes)
    return out


# --------------------------------------------------------------------------
# The planted cases
# --------------------------------------------------------------------------

R: dict[str, dict] = {}
for _p, (_iso3, _s, _mod) in LANGS.items():
    for _n in range(1, len(_mod.ARTICLES) + 1):
        _r = base_record(_p, _n)
        R[_r["id"]] = _r


def plant(rid: str, head=(), tail=(), note=None):
    R[rid]["head"] = list(head)
    R[rid]["tail"] = list(tail)
    R[rid]["note"] = note or "boilerplate lines around the body are removed"


# Boilerplate lines (removed by the clean stage); the body must survive.
plant("ar-0001",
      head=["[ad_1]",
            "شاحنات تنتظر دورها عند أحد المعابر الحدودية في الشمال. (غيتي)"],
      tail=["[ad_2]", "المصدر"],
      note="seed-like: [ad_1], caption ending (غيتي), body, [ad_2], bare المصدر; "
           "kept text must be exactly the body")
plant("ar-0002", head=["صورة: رويترز"], tail=["شارك على فيسبوك"])
plant("ar-0004", tail=["اقرأ أيضا: ارتفاع أسعار الخضروات في الأسواق المحلية", "اشترك في النشرة البريدية"])
plant("ar-0008", head=["سيارات الدفاع المدني على طريق جبلي بعد الأمطار. (رويترز)"], tail=["المصدر: صحيفة الوادي"])
plant("en-0001", tail=["Read more: Storm leaves thousands without power along the coast", "Share on Facebook"])
plant("en-0002", head=["Photo: AFP"], tail=["Subscribe to our newsletter"])
plant("en-0004", head=["A radar aircraft flies over the ice sheet during the survey. (Getty)"],
      tail=["This site uses cookies to improve your experience. By continuing to browse you accept their use."])
plant("en-0008", head=["[ad_1]"], tail=["[ad_2]", "Source: Harbour Ledger"])
plant("fr-0001", tail=["Lire aussi: Le tramway prolongé jusqu'aux nouveaux quartiers de l'est", "Partager sur Twitter"])
plant("fr-0006", head=["Le public lors du concert d'ouverture dans la cour du château. (AFP)"])
plant("de-0001", tail=["Quelle: Landbote am Morgen"])
plant("de-0003", head=["Foto: dpa"], tail=["Teilen auf Facebook", "Mehr lesen"])
plant("es-0001", tail=["Fuente: Diario del Valle Alto"])
plant("es-0004", tail=["Leer más: Las lluvias torrenciales inundan varios barrios de la costa"])
plant("es-0007", head=["Tractores en una avenida de la capital durante la protesta. (Reuters)"])
plant("pt-0002", tail=["Fonte: Correio do Litoral"])
plant("tr-0002", tail=["Kaynak: Kıyı Postası"])
plant("ru-0002", tail=["Источник: Речная газета"])
plant("ru-0006", head=["[ad_1]"], tail=["[ad_2]", "Читайте также: Паводок затопил прибрежные сёла"])
plant("uk-0002", tail=["Джерело: Степовий кур'єр"])
plant("zh-0002", tail=["来源"])
plant("zh-0006", tail=["阅读更多"])
plant("ja-0002", tail=["出典"])
plant("ja-0006", head=["[ad_1]"], tail=["続きを読む"])
plant("hi-0001", tail=["स्रोत"])
plant("hi-0003", tail=["और पढ़ें"])

# Navigation at either end of the document (removed by the header/footer
# heuristics, not by a rule): breadcrumbs, link bars, a menu run, a date line,
# a share bar, "back to top".
plant("en-0005", head=["Skip to content", "Home > News > Environment"],
      note="navigation header (skip link, breadcrumb) before the body")
plant("en-0006", tail=["Back to top"], note="navigation footer after the body")
plant("fr-0003", tail=["Accueil | Contact | Mentions légales | Plan du site"],
      note="footer link bar after the body")
plant("de-0005", head=["Startseite | Politik | Wirtschaft | Sport | Kultur"],
      note="menu bar before the body")
plant("es-0003", head=["Lunes, 4 de marzo de 2024"], note="date line before the body")
plant("pt-0003", tail=["Facebook Twitter WhatsApp E-mail"], note="share bar after the body")
plant("tr-0003", head=["Ana Sayfa › Gündem › Yerel"], note="breadcrumb before the body")
plant("ru-0003", head=["Главная", "Новости", "Общество", "Экономика"],
      note="menu run (one item per line) before the body")
plant("ar-0003", head=["الرئيسية » أخبار » محليات"], note="breadcrumb before the body")
plant("zh-0004", head=["首页 > 新闻 > 社会"], tail=["返回顶部"],
      note="breadcrumb before and back-to-top link after the body")
plant("ja-0003", head=["ホーム > ニュース > 地域"], note="breadcrumb before the body")
plant("hi-0004", head=["मुख्य पृष्ठ » समाचार » शहर"], note="breadcrumb before the body")

# A line repeated across documents of one source (removed by the
# repeated-lines rule): an outlet's promo trailer in 6 of its 12 articles.
UK_PROMO = "Новини Подолу щодня — у Telegram-каналі «Вечірній Поділ»"
for _n in range(4, 10):
    plant(f"uk-{_n:04d}", tail=[UK_PROMO],
          note="outlet trailer repeated in 6 of the outlet's 12 articles (repeated-lines rule)")

# Normalization cases (kept; the body lines are checked in NFC, cleaned form).
R["fr-0010"]["render"] = lambda t: unicodedata.normalize("NFD", t)
R["fr-0010"]["note"] = "text stored in NFD (decomposed accents); normalized to NFC, kept"
R["de-0009"]["render"] = lambda t: t.replace("Pianistin", "Pia\u200bnis\u200btin").replace(
    "Wettbewerb gewonnen", "Wettbewerb\u00a0\u00a0 gewonnen")
R["de-0009"]["note"] = "zero-width spaces inside words and an NBSP run; normalized, kept"
R["es-0006"]["render"] = lambda t: t.replace("La biblioteca municipal cumple", "La biblioteca\u0007 municipal\t\tcumple") + "   "
R["es-0006"]["note"] = "control character, tabs, trailing spaces; normalized, kept"

# Invalid UTF-8 (repaired to U+FFFD and kept). The marker is swapped for raw
# bytes when the file is written.
BAD_JSONL = "\ue000BAD-BYTES\ue000"
BAD_TXT = "\ue001TRUNCATED\ue001"
R["fr-0007"]["render"] = lambda t: t.replace("centaines de vols", "centaines de " + BAD_JSONL + " vols", 1)
R["fr-0007"]["note"] = "raw bytes \\xff\\xfe inside the text of the JSONL line; repaired (U+FFFD) and kept"
R["hi-0005"]["render"] = lambda t: t.replace("थोक व्यापारियों", "थो" + BAD_TXT + " व्यापारियों", 1)
R["hi-0005"]["note"] = "truncated UTF-8 sequence (\\xe0\\xa4) in the .txt file; repaired (U+FFFD) and kept"
INVALID_UTF8_PARAS = {"fr-0007": "centaines de", "hi-0005": "व्यापारियों"}

EXTRA: dict[str, dict] = {}


def add(rec: dict):
    assert rec["id"] not in R and rec["id"] not in EXTRA, rec["id"]
    EXTRA[rec["id"]] = rec
    return rec


def exact_dup(src: str, new_id: str, note: str, **changes) -> dict:
    fields = {"id": new_id, "intent": "exact_duplicate", "dup_of": src, "note": note}
    fields.update(changes)
    return add(derived(R[src], **fields))


# Exact duplicates: the first occurrence in processing order is kept.
exact_dup("en-0003", "en-0013", "verbatim copy of en-0003 later in the same file (only the id differs)")
exact_dup("fr-0004", "fr-0013", "copy of fr-0004 differing only in whitespace (double spaces, NBSP, tabs, blank lines)",
          render=lambda t: "  " + t.replace(". ", ".  ").replace(", ", ",\u00a0").replace("\n", " \n\n\t") + "  ")
exact_dup("de-0002", "de-0013", "copy of de-0002 entirely in lower case, other title",
          title="Hagelunwetter im Süden des Kreises",
          render=lambda t: t.lower())
exact_dup("es-0005", "es-0013", "copy of es-0005 entirely in upper case",
          render=lambda t: t.upper())
exact_dup("es-0008", "es-0015", "copy of es-0008 with punctuation changed (commas dropped, periods to exclamation marks, quotes added)",
          render=lambda t: "\n".join('"' + ln.replace(",", "").replace(".", "!") + '"' for ln in t.split("\n")))
exact_dup("ru-0004", "ru-0013", "copy of ru-0004 with a different boilerplate trailer and head line (both removed)",
          head=["Читайте также: Новый мост соединит два берега реки"], tail=["Источник: Северный вестник"],
          source="Речная газета")
exact_dup("uk-0003", "wire-0001", "Ukrainian article re-published by a wire service in another file: different id, title, source, url",
          title="Тенісистка з області перемогла на юніорському турнірі", source="Агенція Дніпро-Інфо",
          url="https://www.dniproinfo.example/sport/wire-0001", date="2024-03-02")
exact_dup("zh-0003", "zh-0013", "copy (Parquet) of the article in articles/zh-0003.txt: cross-format; the .txt sorts first",
          dup_of="articles/zh-0003.txt", title="耐盐碱水稻试种成功", tail=["来源"])
exact_dup("en-0011", "en-0014", "copy (JSONL) of articles/en-0011.txt with a title, a source and a Read more trailer",
          dup_of="articles/en-0011.txt", tail=["Read more: New rail tunnel opens after eight years of construction"])
exact_dup("ar-0006", "ar-0013", "copy of ar-0006 in the same CSV with another source and a photo credit head line",
          source="أخبار الساحل", head=["صورة: رويترز"])
exact_dup("ja-0004", "ja-0013", "copy of ja-0004 in the same Parquet file with another title and a 続きを読む trailer",
          title="深海で光るクラゲ見つかる", tail=["続きを読む"])
exact_dup("hi-0002", "hi-0013", "copy of articles/hi-0002.txt in another .txt with स्रोत / और पढ़ें trailers",
          dup_of="articles/hi-0002.txt", tail=["और पढ़ें", "स्रोत"])


# Near duplicates (kept for now; a later MinHash stage clusters them).
def near_dup(src: str, new_id: str, note: str, change, **meta) -> dict:
    rec = derived(R[src], id=new_id, intent="kept", note=note, near_of=src, **meta)
    rec["paras"] = change(list(R[src]["paras"]))
    return add(rec)


def _add_sentence(i: int, sentence: str):
    def f(paras):
        paras[i] = paras[i] + " " + sentence
        return paras
    return f


def _drop_sentence(i: int, sentence: str):
    def f(paras):
        assert sentence in paras[i], sentence
        if paras[i] == sentence:
            del paras[i]  # a one-sentence paragraph goes away entirely
        else:
            before = paras[i]
            paras[i] = paras[i].replace(" " + sentence, "").replace(sentence + " ", "")
            assert paras[i] != before, sentence
        return paras
    return f


def _replace_word(i: int, old: str, new: str):
    def f(paras):
        assert old in paras[i], old
        paras[i] = paras[i].replace(old, new, 1)
        return paras
    return f


near_dup("en-0012", "en-0015", "near duplicate of en-0012: one sentence added",
         _add_sentence(1, "A second bore is planned but has not yet been funded."),
         source="Northfield Courier")
near_dup("fr-0012", "fr-0014", "near duplicate of fr-0012: one sentence removed",
         _drop_sentence(1, "Les travaux doivent commencer au printemps prochain et durer environ trois ans."),
         source="La Gazette des Collines")
near_dup("de-0012", "de-0014", "near duplicate of de-0012: one word changed (Dezember -> November)",
         _replace_word(3, "im Dezember", "im November"), source="Rheintaler Rundschau")
near_dup("es-0012", "es-0014", "near duplicate of es-0012: one sentence added, other outlet",
         _add_sentence(0, "Las obras han durado algo más de cuatro años."), source="La Voz de la Ribera")
near_dup("ru-0012", "ru-0014", "near duplicate of ru-0012: one word changed (четыре -> пять)",
         _replace_word(3, "через четыре года", "через пять лет"), source="Северный вестник")
near_dup("pt-0012", "pt-0014", "near duplicate of pt-0012: one sentence removed",
         _drop_sentence(0, "As obras de recuperação demoraram quase três anos."),
         source="Jornal da Serra")


def short(prefix: str, rid: str, title: str, text_lines: list[str], note: str, intent="too_short", **meta) -> dict:
    rec = base_record(prefix, 1)
    rec.update(id=rid, title=title, paras=text_lines, intent=intent, note=note,
               url=rec["url"].rsplit("/", 1)[0] + "/" + rid, **meta)
    return add(rec)


short("en", "en-0016", "Bridge closed", ["Mill Lane bridge stays closed until Friday for urgent repairs."],
      "one-line brief, < 100 chars")
short("de", "de-0015", "Freibad öffnet", ["Das Freibad öffnet am Samstag um neun Uhr."], "one-line brief, < 100 chars")
short("ar", "ar-0014", "خبر قصير", ["تأجيل مباراة الديربي إلى الأسبوع المقبل بسبب الأمطار."], "one-line brief, < 100 chars")
short("ja", "ja-0014", "速報", ["あすの花火大会は雨のため中止となりました。"], "one-line brief, < 100 chars")
short("es", "es-0016", "Breve", ["Leer más: Los agricultores protestan con sus tractores en la capital",
                                 "Corte de agua el martes en el barrio norte.",
                                 "Fuente: Diario del Valle Alto"],
      "long enough raw, but only one short line is left after boilerplate removal (< 100 chars)")
short("en", "en-0017", "Newsletter", ["[ad_1]", "Subscribe to our newsletter", "Share on Facebook", "[ad_2]"],
      "only boilerplate lines: nothing left after cleaning", intent="empty_after_clean")

# Malformed records.
add({"id": None, "intent": "malformed_json", "lang": None, "dup_of": None,
     "raw_line": '{"id": "en-0018", "title": "Truncated record", "date": "2024-05-02", "text": "The council met on Monday to discuss the',
     "note": "malformed JSON (line cut off); derived id would be news-en-fr.jsonl#<line>",
     "key": "malformed-en"})
add({"id": "fr-0015", "intent": "missing_text", "lang": None, "dup_of": None,
     "fields": {"id": "fr-0015", "title": "Article sans texte", "url": "https://www.veilleurduval.example/2024/06/fr-0015",
                "date": "2024-06-11", "source": "Le Veilleur du Val"},
     "note": "valid JSON without a text field"})
add({"id": "en-0019", "intent": "missing_text", "lang": None, "dup_of": None,
     "fields": {"id": "en-0019", "title": "Null body", "url": "https://www.harbourledger.example/2024/07/en-0019",
                "date": "2024-07-01", "source": "Harbour Ledger", "text": None},
     "note": "valid JSON with \"text\": null"})
add({"id": "ar-0015", "intent": "missing_text", "lang": None, "dup_of": None,
     "fields": {"id": "ar-0015", "title": "مقال بلا نص", "url": "https://www.alwadi.example/2024/08/ar-0015",
                "date": "2024-08-09", "source": "صحيفة الوادي", "text": ""},
     "note": "CSV row whose text field is empty"})

ALL = {**R, **EXTRA}

# --------------------------------------------------------------------------
# Files: which record goes where, in which order
# --------------------------------------------------------------------------

TXT_IDS = ["en-0011", "ar-0012", "ja-0012", "zh-0003"] + [f"hi-{n:04d}" for n in range(1, 14)]


def interleave(a: list[str], b: list[str]) -> list[str]:
    out = []
    for i in range(max(len(a), len(b))):
        if i < len(a):
            out.append(a[i])
        if i < len(b):
            out.append(b[i])
    return out


def ids(prefix: str, numbers) -> list[str]:
    return [f"{prefix}-{n:04d}" for n in numbers]


def insert_after(order: list[str], after: str, new: str):
    order.insert(order.index(after) + 1, new)


en_fr = interleave(ids("en", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]), ids("fr", range(1, 13)))
insert_after(en_fr, "fr-0003", "malformed-en")
insert_after(en_fr, "en-0005", "fr-0015")
insert_after(en_fr, "fr-0008", "en-0019")
insert_after(en_fr, "en-0009", "en-0016")
insert_after(en_fr, "fr-0009", "en-0017")
insert_after(en_fr, "en-0010", "en-0013")
insert_after(en_fr, "fr-0011", "fr-0013")
en_fr += ["en-0014", "en-0015", "fr-0014"]

de_es = interleave(ids("de", range(1, 13)), ids("es", range(1, 13)))
insert_after(de_es, "es-0006", "de-0013")
insert_after(de_es, "de-0007", "es-0013")
insert_after(de_es, "es-0009", "de-0015")
insert_after(de_es, "es-0010", "es-0015")
insert_after(de_es, "de-0011", "es-0016")
de_es += ["de-0014", "es-0014"]

ru_uk = interleave(ids("ru", range(1, 13)), ids("uk", range(1, 13)))
insert_after(ru_uk, "uk-0008", "ru-0013")
ru_uk += ["ru-0014"]

ar = ids("ar", [1, 2, 3, 4, 5, 6, 7, 8])
ar += ["ar-0015", "ar-0009", "ar-0013", "ar-0010", "ar-0014", "ar-0011"]

tr_pt = interleave(ids("tr", range(1, 13)), ids("pt", range(1, 13)))
insert_after(tr_pt, "pt-0010", "wire-0001")
tr_pt += ["pt-0014"]

zh_ja = interleave(ids("zh", [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12]), ids("ja", range(1, 12)))
insert_after(zh_ja, "ja-0005", "zh-0013")
insert_after(zh_ja, "zh-0009", "ja-0013")
insert_after(zh_ja, "ja-0010", "ja-0014")

LAYOUT = {
    "news-en-fr.jsonl": en_fr,
    "news-de-es.jsonl.gz": de_es,
    "news-ru-uk.jsonl.zst": ru_uk,
    "news-ar.csv": ar,
    "news-tr-pt.tsv": tr_pt,
    "news-zh-ja.parquet": zh_ja,
}


def lookup(key: str) -> dict:
    if key in ALL:
        return ALL[key]
    for rec in EXTRA.values():
        if rec.get("key") == key:
            return rec
    raise KeyError(key)


# --------------------------------------------------------------------------
# Writers (deterministic bytes)
# --------------------------------------------------------------------------

def record_fields(rec: dict) -> dict:
    if "fields" in rec:
        return dict(rec["fields"])
    return {"id": rec["id"], "title": rec["title"], "url": rec["url"], "date": rec["date"],
            "source": rec["source"], "text": text_of(rec)}


def raw_bytes(s: str) -> bytes:
    return s.encode("utf-8").replace(BAD_JSONL.encode(), b"\xff\xfe").replace(BAD_TXT.encode(), b"\xe0\xa4")


def jsonl_bytes(keys: list[str], name: str, placed: list) -> bytes:
    out = bytearray()
    for lineno, key in enumerate(keys, start=1):
        rec = lookup(key)
        if "raw_line" in rec:
            line = rec["raw_line"]
        else:
            line = json.dumps(record_fields(rec), ensure_ascii=False, sort_keys=True)
        assert "\n" not in line
        out += raw_bytes(line) + b"\n"
        placed.append((rec, name, lineno))
    return bytes(out)


def delimited_bytes(keys: list[str], name: str, delimiter: str, placed: list) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(FIELDS)
    for key in keys:
        rec = lookup(key)
        start = buf.getvalue().count("\n") + 1  # 1-based line where the record starts
        f = record_fields(rec)
        w.writerow([f.get(k) if f.get(k) is not None else "" for k in FIELDS])
        placed.append((rec, name, start))
    data = buf.getvalue()
    assert "\r" not in data
    return raw_bytes(data)


def gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buf.getvalue()


def zstd_bytes(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor(level=19, write_checksum=True).compress(data)


def parquet_bytes(keys: list[str], name: str, placed: list) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = {k: [] for k in FIELDS}
    for row, key in enumerate(keys, start=1):
        rec = lookup(key)
        f = record_fields(rec)
        for k in FIELDS:
            cols[k].append(f.get(k))
        placed.append((rec, name, row))
    schema = pa.schema([pa.field(k, pa.string()) for k in FIELDS])
    table = pa.table(cols, schema=schema)
    buf = io.BytesIO()
    # zstd: the Rust reader is built with the parquet crate's zstd codec only.
    pq.write_table(table, buf, row_group_size=8, compression="zstd", compression_level=3,
                   use_dictionary=False, write_statistics=True, store_schema=False)
    return buf.getvalue()


def build_files() -> tuple[dict[str, bytes], list]:
    files: dict[str, bytes] = {}
    placed: list = []  # (record, source_file, source_line) in processing order
    for tid in TXT_IDS:
        rec = ALL[tid]
        name = f"articles/{tid}.txt"
        files[name] = raw_bytes(text_of(rec) + "\n")
        placed.append((rec, name, None))
    files["news-ar.csv"] = delimited_bytes(LAYOUT["news-ar.csv"], "news-ar.csv", ",", placed)
    files["news-de-es.jsonl.gz"] = gzip_bytes(jsonl_bytes(LAYOUT["news-de-es.jsonl.gz"], "news-de-es.jsonl.gz", placed))
    files["news-en-fr.jsonl"] = jsonl_bytes(LAYOUT["news-en-fr.jsonl"], "news-en-fr.jsonl", placed)
    files["news-ru-uk.jsonl.zst"] = zstd_bytes(jsonl_bytes(LAYOUT["news-ru-uk.jsonl.zst"], "news-ru-uk.jsonl.zst", placed))
    files["news-tr-pt.tsv"] = delimited_bytes(LAYOUT["news-tr-pt.tsv"], "news-tr-pt.tsv", "\t", placed)
    files["news-zh-ja.parquet"] = parquet_bytes(LAYOUT["news-zh-ja.parquet"], "news-zh-ja.parquet", placed)
    # processing order = sorted relative path, then line/row order
    order = {name: i for i, name in enumerate(sorted(files))}
    placed.sort(key=lambda p: (order[p[1]], p[2] or 0))
    return files, placed


# --------------------------------------------------------------------------
# Reference model of the semantics (used only to check the planted cases)
# --------------------------------------------------------------------------

ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}

SOURCE_WORDS = ["source", "المصدر", "quelle", "fuente", "источник", "джерело", "来源", "出典", "स्रोत", "kaynak", "fonte"]
READ_MORE = ["read more", "lire aussi", "mehr lesen", "leer más", "читайте также", "اقرأ أيضا", "阅读更多", "続きを読む", "और पढ़ें"]
SHARE = ["share on", "partager sur", "teilen auf", "شارك على"]
CREDIT_TAGS = ["(getty)", "(afp)", "(reuters)", "(غيتي)", "(رويترز)"]
NOTICES = ["this site uses cookies", "subscribe to our newsletter", "اشترك في النشرة البريدية"]

RE_AD = re.compile(r"^\[ad_\d+\]$")
RE_SOURCE = re.compile(r"^(?:" + "|".join(map(re.escape, SOURCE_WORDS)) + r")(?:\s*:\s*.{1,60})?$")
RE_READ = re.compile(r"^(?:" + "|".join(map(re.escape, READ_MORE)) + r")(?:\s*:\s*.+)?$")
RE_SHARE = re.compile(r"^(?:" + "|".join(map(re.escape, SHARE)) + r")\s+\S+$")
RE_PHOTO = re.compile(r"^(?:photo|foto|صورة)\s*:\s*.{1,40}$")


def normalize(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch not in ZERO_WIDTH and (ch in "\n\t" or unicodedata.category(ch) != "Cc"))
    lines = [re.sub(r"\s+", " ", ln).strip() for ln in text.split("\n")]
    return [ln for ln in lines if ln]


def is_boilerplate(line: str) -> bool:
    low = line.lower()
    if RE_AD.match(low) or RE_SOURCE.match(low) or RE_READ.match(low) or RE_SHARE.match(low) or RE_PHOTO.match(low):
        return True
    if low in CREDIT_TAGS or (len(line) < 300 and any(low.endswith(t) for t in CREDIT_TAGS)):
        return True
    return any(low.startswith(n) for n in NOTICES)


# Navigation model (header/footer heuristics), enough for the planted cases:
# breadcrumbs, link bars, a menu run, a date line, a share bar, phrases.
NAV_PHRASES = {"skip to content", "back to top", "返回顶部", "главная"}
NAV_WORDS = {"главная", "новости", "общество", "экономика", "startseite", "politik", "sport"}
SHARE_BAR = {"facebook", "twitter", "whatsapp", "e-mail"}
RE_CRUMB = re.compile(r"^[^.!?。]{1,30}(?: [>›»] [^.!?。]{1,60})+$")
RE_BAR = re.compile(r"^[^|.!?]{1,30}(?: \| [^|.!?]{1,30}){2,}$")
RE_DATE = re.compile(r"^(?:lunes|martes|miércoles|jueves|viernes|sábado|domingo), \d{1,2} de [a-z]+ de \d{4}$")


def is_nav(line: str) -> bool:
    low = line.lower()
    return (low in NAV_PHRASES or bool(RE_CRUMB.match(line)) or bool(RE_BAR.match(line))
            or bool(RE_DATE.match(low)) or (len(low.split()) >= 2 and set(low.split()) <= SHARE_BAR))


def is_menu_item(line: str) -> bool:
    return (len(line.split()) <= 4 and len(line) <= 40 and not any(c.isdigit() for c in line)
            and not line.endswith((".", "!", "?", "。", ":")))


def nav_edge(lines: list[str]) -> int:
    """Leading lines that are navigation: nav lines, or a run of 3+ menu items
    with a navigation word."""
    i = 0
    while i < min(len(lines), 8):
        if is_nav(lines[i]):
            i += 1
            continue
        run = 0
        while i + run < min(len(lines), 8) and is_menu_item(lines[i + run]):
            run += 1
        words = {w.lower() for ln in lines[max(0, i - 1):i + run] for w in ln.split()}
        if run and i + run >= 3 and words & NAV_WORDS:
            i += run
            continue
        break
    return i


# Repeated-lines model: a line (lowercased, digits to 0, punctuation dropped)
# of at most 200 characters in >= max(5, 1% of) the documents of a source of
# >= 10 documents. Filled by build_expected from every readable record.
REPEATED: set = set()


def line_key(line: str) -> str:
    low = re.sub(r"\d", "0", line.lower())
    return " ".join("".join(c if c.isalnum() or unicodedata.category(c).startswith("M") else " " for c in low).split())


def clean_explain(text: str, source: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The kept lines, and the removed lines with the mechanism that removes them."""
    kept, removed = [], []
    for ln in normalize(text):
        if is_boilerplate(ln):
            removed.append((ln, "rule"))
        elif (source, line_key(ln)) in REPEATED:
            removed.append((ln, "repeated_line"))
        else:
            kept.append(ln)
    head = nav_edge(kept)
    tail = nav_edge(kept[head:][::-1])
    removed += [(ln, "header_nav") for ln in kept[:head]] + [(ln, "footer_nav") for ln in kept[len(kept) - tail:]]
    return kept[head:len(kept) - tail], removed


def clean(text: str, source: str = "") -> list[str]:
    return clean_explain(text, source)[0]


def source_key(rec: dict, source_file: str) -> str:
    if source_file.endswith(".txt") or not rec.get("source"):
        return source_file
    return " ".join(normalize(rec["source"]))


def dedup_key(lines: list[str]) -> str:
    s = " ".join(lines).lower()
    s = "".join(ch for ch in s if not unicodedata.category(ch).startswith("P"))
    return re.sub(r"\s+", " ", s).strip()


def shingles(key: str, n: int = 5) -> set:
    words = key.split()
    return {tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def model_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


# --------------------------------------------------------------------------
# Expectations
# --------------------------------------------------------------------------

def output_id(rec: dict, source_file: str, source_line) -> str | None:
    if source_file.endswith(".txt"):
        return source_file
    return rec["id"]


def build_expected(placed: list) -> dict:
    # Counting pass of the repeated-lines model over every readable record.
    per_source: dict[str, Counter] = {}
    docs: Counter = Counter()
    for rec, source_file, _ in placed:
        if rec["intent"] in ("malformed_json", "missing_text"):
            continue
        src = source_key(rec, source_file)
        docs[src] += 1
        keys = {line_key(ln) for ln in normalize(model_text(raw_bytes(text_of(rec)))) if len(ln) <= 200}
        per_source.setdefault(src, Counter()).update(k for k in keys if k)
    for src, counts in per_source.items():
        for k, n in counts.items():
            if docs[src] >= 10 and n >= max(5, -(-docs[src] // 100)):
                REPEATED.add((src, k))

    cases = []
    seen: dict[str, str] = {}  # dedup key -> kept id
    kept_keys: dict[str, str] = {}
    body_lines, boiler_lines, exact_texts = [], [], []
    for rec, source_file, source_line in placed:
        oid = output_id(rec, source_file, source_line)
        intent = rec["intent"]
        src = source_key(rec, source_file)
        if intent in ("malformed_json", "missing_text"):
            outcome = intent
        else:
            text = model_text(raw_bytes(text_of(rec)))
            lines = clean(text, src)
            cleaned = "\n".join(lines)
            if not lines:
                outcome = "empty_after_clean"
            elif len(cleaned) < 100:
                outcome = "too_short"
            else:
                key = dedup_key(lines)
                if key in seen:
                    outcome = "exact_duplicate"
                    assert seen[key] == rec["dup_of"], (oid, seen[key], rec["dup_of"])
                else:
                    seen[key] = oid
                    kept_keys[oid] = key
                    outcome = "kept"
                    assert len(cleaned) >= 300, (oid, len(cleaned))
        assert outcome == intent, (oid, outcome, intent)
        case = {
            "id": oid,
            "source_file": source_file,
            "source_line": source_line,
            "expect": outcome,
            "dup_of": rec["dup_of"] if outcome == "exact_duplicate" else None,
            "lang": rec["lang"],
            "note": rec["note"],
        }
        if rec.get("near_of"):
            case["near_duplicate_of"] = rec["near_of"]
        if oid is None:
            case["derived_id"] = f"{source_file}#{source_line}"
        cases.append(case)

        if outcome == "kept":
            norm_paras = [normalize(p)[0] for p in rec["paras"]]
            bad = INVALID_UTF8_PARAS.get(rec["id"])
            usable = [p for p in norm_paras if bad is None or bad not in p]
            body_lines.append({"id": oid, "line": usable[1] if len(usable) > 1 else usable[0]})
            cleaned_body, removed = clean_explain(model_text(raw_bytes(text_of(rec))), src)
            planted = [normalize(b)[0] for b in rec["head"] + rec["tail"]]
            # Exactly the planted lines go, in document order; the body stays.
            assert [ln for ln, _ in removed] == planted or sorted(ln for ln, _ in removed) == sorted(planted), (oid, removed)
            assert cleaned_body == norm_paras or bad is not None, (oid, cleaned_body)
            how = dict(removed)
            for b in rec["head"] + rec["tail"]:
                boiler_lines.append({"id": oid, "line": b, "removed_by": how[normalize(b)[0]]})
            if planted and bad is None:
                in_order = [ln for ln in normalize(model_text(raw_bytes(text_of(rec)))) if ln in planted]
                note = ("seed-like Arabic article: kept text is exactly these lines" if rec["id"] == "ar-0001"
                        else "kept text is exactly the body; removed_lines are the planted lines")
                exact_texts.append({"id": oid, "lines": norm_paras, "removed": in_order, "note": note})
        elif outcome in ("exact_duplicate", "too_short", "empty_after_clean"):
            _, removed = clean_explain(model_text(raw_bytes(text_of(rec))), src)
            for b in rec["head"] + rec["tail"]:
                assert normalize(b)[0] in {ln for ln, _ in removed}, (oid, b)

    # body paragraphs must never look like boilerplate
    for rec in ALL.values():
        for p in rec.get("paras", []):
            if rec["intent"] == "kept":
                assert not is_boilerplate(normalize(p)[0]), (rec["id"], p)
                assert not is_nav(normalize(p)[0]), (rec["id"], p)

    near_pairs = []
    for c in cases:
        if "near_duplicate_of" in c:
            a, b = c["near_duplicate_of"], c["id"]
            j = jaccard(kept_keys[a], kept_keys[b])
            assert 0.8 <= j < 1.0, (a, b, j)
            for x in (a, b):
                assert len("\n".join(clean(text_of(ALL[x])))) > 800, x
            near_pairs.append([a, b])

    # no accidental near duplicates among the other kept documents
    planned = {frozenset(p) for p in near_pairs}
    kept_ids = sorted(kept_keys)
    for i, a in enumerate(kept_ids):
        for b in kept_ids[i + 1:]:
            if frozenset((a, b)) not in planned:
                assert jaccard(kept_keys[a], kept_keys[b]) < 0.3, (a, b)

    return {
        "description": "Expected outcome of every input record of datasets/sample (generated by scripts/make_sample.py).",
        "input_folder": "datasets/sample",
        "input_documents": len(cases),
        "cases": cases,
        "boilerplate_lines": boiler_lines,
        "body_lines": body_lines,
        "exact_texts": exact_texts,
        "near_duplicate_pairs": near_pairs,
        "invalid_utf8_repaired": [c["id"] for c in cases if c["note"].startswith(("raw bytes", "truncated UTF-8"))],
    }


# --------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------

def loc(c: dict) -> str:
    if c["source_line"] is None:
        return f"`{c['source_file']}`"
    unit = "row" if c["source_file"].endswith(".parquet") else "line"
    return f"`{c['source_file']}` {unit} {c['source_line']}"


def build_readme(exp: dict, files: dict[str, bytes]) -> str:
    cases = exp["cases"]
    by_id = {c["id"]: c for c in cases if c["id"]}
    langs = Counter(c["lang"] for c in cases if c["lang"])
    kept = sum(1 for c in cases if c["expect"] == "kept")
    reasons = Counter(c["expect"] for c in cases if c["expect"] != "kept")
    out = []
    w = out.append
    w("# Sample input for corpusforge")
    w("")
    w("Generated by `scripts/make_sample.py` (texts in `scripts/sample_src/`, all written for this")
    w("sample; outlets and URLs are invented, URLs use the reserved `.example` domain). Do not edit")
    w("these files by hand: change the generator and rerun it; reruns are byte-identical.")
    w("Machine-readable expectations: `tests/fixtures/sample_expected.json`.")
    w("")
    w("## Files (processing order = sorted relative path)")
    w("")
    w("| file | format | records | bytes | sha256 |")
    w("|---|---|---|---|---|")
    fmt = {".jsonl": "JSONL", ".gz": "JSONL, gzip", ".zst": "JSONL, zstd", ".csv": "CSV (header; RFC 4180 quotes around multi-line text)",
           ".tsv": "TSV (header; CSV-style quotes around multi-line text)", ".parquet": "Parquet (zstd, string columns)", ".txt": "text, one article, no metadata"}
    counts = Counter(c["source_file"] for c in cases)
    txt = sorted(n for n in files if n.endswith(".txt"))
    for name in sorted(n for n in files if not n.endswith(".txt")):
        w(f"| `{name}` | {fmt[Path(name).suffix]} | {counts[name]} | {len(files[name])} | `{hashlib.sha256(files[name]).hexdigest()[:16]}…` |")
    w(f"| `articles/*.txt` ({len(txt)} files) | {fmt['.txt']} | {len(txt)} | {sum(len(files[n]) for n in txt)} | |")
    w("")
    w(f"Total input records: **{exp['input_documents']}**; expected kept: **{kept}**; rejected: "
      + ", ".join(f"{r} {n}" for r, n in sorted(reasons.items())) + ".")
    w("")
    w("Records per language (ISO 639-3 of what was written; malformed and text-less records have none): "
      + ", ".join(f"{k} {v}" for k, v in sorted(langs.items())) + ".")
    w("")
    w("Fields: `id`, `title`, `url`, `date` (ISO), `source`, `text` (one paragraph per line, `\\n`).")
    w("Line numbers: JSONL = 1-based line; CSV/TSV = 1-based line where the record starts (header is")
    w("line 1; quoted text spans several lines); Parquet = 1-based row; `.txt` = none (id = relative path).")
    w("")

    def table(title: str, rows: list[dict], extra: str = ""):
        w(f"## {title}")
        w("")
        if extra:
            w(extra)
            w("")
        w("| id | where | expected | dup_of | note |")
        w("|---|---|---|---|---|")
        for c in rows:
            cid = f"`{c['id']}`" if c["id"] else f"none (derived `{c.get('derived_id')}`)"
            w(f"| {cid} | {loc(c)} | `{c['expect']}` | {('`' + c['dup_of'] + '`') if c['dup_of'] else ''} | {c['note']} |")
        w("")

    table("Exact duplicates", [c for c in cases if c["expect"] == "exact_duplicate"],
          "Key: text after normalization and boilerplate removal, lower-cased, punctuation removed, "
          "whitespace folded. The first occurrence in processing order is kept; the kept id is `dup_of`.")
    table("Too short, empty after cleaning, malformed, missing text",
          [c for c in cases if c["expect"] in ("too_short", "empty_after_clean", "malformed_json", "missing_text")])
    table("Invalid UTF-8 (repaired, kept)", [by_id[i] for i in exp["invalid_utf8_repaired"]])
    table("Normalization (kept)", [c for c in cases if c["note"].startswith(("text stored in NFD", "zero-width", "control character"))])
    w("## Boilerplate lines (removed; the document is kept)")
    w("")
    w("Removed by: `rule` = a rule of `configs/boilerplate.toml`; `repeated_line` = in 5+ documents")
    w("(and 1%+) of a source with 10+ documents; `header_nav` / `footer_nav` = navigation at the start /")
    w("end of the document. Every kept document with planted lines is listed in `exact_texts` of the")
    w("expectations: its kept text must be exactly its body, and its `removed_lines` the planted lines.")
    w("")
    w("| id | where | removed line | removed by |")
    w("|---|---|---|---|")
    for b in exp["boilerplate_lines"]:
        w(f"| `{b['id']}` | {loc(by_id[b['id']])} | `{b['line']}` | {b['removed_by']} |")
    w("")
    w("`ar-0001` follows the pattern of `shared/seeds/news-article-ar.txt`: `[ad_1]`, a caption ending")
    w("in `(غيتي)`, the body, `[ad_2]`, a bare `المصدر`; its kept text must be exactly the body.")
    w("Exact duplicates and short records above also carry boilerplate lines (see their notes).")
    w("")
    w("## Near duplicates (kept for now; both copies > 800 chars, 5-word-shingle Jaccard >= 0.8)")
    w("")
    w("| kept first | near copy | where | change |")
    w("|---|---|---|---|")
    for a, b in exp["near_duplicate_pairs"]:
        w(f"| `{a}` | `{b}` | {loc(by_id[a])} / {loc(by_id[b])} | {by_id[b]['note']} |")
    w("")
    w("## Every other record")
    w("")
    w("Clean, distinct articles of 300+ characters after cleaning, one language each: expected `kept`.")
    w("")
    return "\n".join(out)


# --------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    check = "--check" in argv
    files, placed = build_files()
    exp = build_expected(placed)
    readme = build_readme(exp, files)
    outputs = {Path("datasets/sample") / n: b for n, b in files.items()}
    outputs[Path("datasets/sample/README.md")] = readme.encode()
    outputs[Path("tests/fixtures/sample_expected.json")] = (
        json.dumps(exp, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
    if check:
        bad = [str(p) for p, b in outputs.items() if not (ROOT / p).exists() or (ROOT / p).read_bytes() != b]
        stale = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "datasets/sample/articles").glob("*.txt")
                       if p.relative_to(ROOT) not in outputs)
        for p in bad + stale:
            print(f"differs: {p}", file=sys.stderr)
        return 1 if bad or stale else 0
    art = ROOT / "datasets/sample/articles"
    art.mkdir(parents=True, exist_ok=True)
    for old in art.glob("*.txt"):
        old.unlink()
    for p, b in sorted(outputs.items()):
        (ROOT / p).parent.mkdir(parents=True, exist_ok=True)
        (ROOT / p).write_bytes(b)
    print(f"wrote {len(outputs)} files; {exp['input_documents']} input records", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
