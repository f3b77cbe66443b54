//! Navigation lines at the start (header) and end (footer) of a document:
//! what a scraper keeps of a page's menus, breadcrumbs and share bars.
//!
//! Only the first and last [`NavConfig::max_lines`] lines (default 8) are
//! examined, from the edge inwards, and removal stops at the first line
//! that does not look like navigation, so nothing in the middle of a
//! document and nothing after a real first sentence is ever touched. A line
//! longer than [`NavConfig::max_chars`] (default 100) is never navigation. A
//! line looks like navigation when it is (case-insensitive, in any of the
//! languages listed in the tables below):
//! - a navigation phrase on its own: "Skip to content", "Home", "Menu",
//!   "Back to top", "Prev", "Next", "الرئيسية", "首页", "Startseite", ...;
//! - a breadcrumb or link bar: short items separated by ` > `, ` › `,
//!   ` » `, ` → `, `|`, ` • `, ` · ` or ` / ` ("Home > News > World",
//!   "Politik | Wirtschaft | Sport"); with `|`, `•`, `·` or ` / ` at least
//!   three items (two items with a pipe are often "Headline | Site");
//!   with `>`-like separators the last item may be a headline. Guillemets
//!   are quotes, not separators, when the opening one is in the line too
//!   (French "« à chaud »");
//! - a menu line: three or more words that are all navigation words, or
//!   four or more capitalized words of which two are navigation words
//!   ("Home News Sport Weather");
//! - a share bar: only share words and network names ("Facebook Twitter
//!   WhatsApp Email", "分享到：微信 微博");
//! - a date line: only dates, times, month and weekday names and words such
//!   as "Updated" ("Tuesday, 12 March 2024, 10:45 GMT", "2024年3月5日",
//!   "١٢ مارس ٢٠٢٤");
//! - part of a menu run: three or more consecutive menu items (lines of at
//!   most four words and 40 characters, or 10 for Han, Kana and Hangul,
//!   without digits and without sentence punctuation at the end) at the
//!   edge, one of which is a navigation phrase or has a menu word or a
//!   network name ("Login / Account / Profile", "RSS / Twitter /
//!   Facebook"). A signature block, a list of answers or of programme
//!   times, numbered headings are not menus.
//!
//! A real lead sentence is never any of these: it is longer, ends with
//! sentence punctuation, or contains words that are not navigation words.
//! Measured on `../shared/corpora` (docs/evaluation/cleaning.md): on 44,395 news
//! articles one line was removed (a ratings legend); on the HTML pages the
//! removed lines are menus, login bars and share bars, and no line of the
//! newspaper pages' expected article text.
//! ungoliant (OSCAR) annotates a document `header`/`footer` when over half
//! of the first/last 20% of its lines are short; this heuristic is
//! narrower on purpose, since it removes lines instead of labelling them.

use serde::{Deserialize, Serialize};

/// `[clean.nav]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct NavConfig {
    /// Remove navigation lines at the start and end of documents. Default
    /// true.
    pub enabled: bool,
    /// Lines examined at each end. Default 8.
    pub max_lines: usize,
    /// Longer lines are never navigation. Default 100.
    pub max_chars: usize,
}

impl Default for NavConfig {
    fn default() -> Self {
        NavConfig {
            enabled: true,
            max_lines: 8,
            max_chars: 100,
        }
    }
}

impl NavConfig {
    /// Check the values; the error names the key (without the section).
    pub fn validate(&self) -> Result<(), String> {
        if self.enabled && self.max_chars == 0 {
            return Err("max_chars must be > 0".into());
        }
        Ok(())
    }
}

/// How many of `lines` (the non-empty lines of a document, in order) are
/// navigation at the start, and how many at the end. The two never
/// overlap.
pub fn edges(lines: &[&str], cfg: &NavConfig) -> (usize, usize) {
    if !cfg.enabled || lines.is_empty() {
        return (0, 0);
    }
    let head = edge_run(lines.iter().copied(), cfg);
    let rest = &lines[head..];
    let tail = edge_run(rest.iter().rev().copied(), cfg);
    (head, tail)
}

/// The number of leading lines of `lines` that are navigation.
fn edge_run<'a>(lines: impl Iterator<Item = &'a str>, cfg: &NavConfig) -> usize {
    let window: Vec<&str> = lines.take(cfg.max_lines).collect();
    let mut i = 0;
    // Menu items removed just before line `i` (a run continues them), and
    // whether one of them names navigation.
    let mut streak = 0;
    let mut streak_nav = false;
    while i < window.len() {
        let line = window[i];
        if line.chars().count() > cfg.max_chars {
            break;
        }
        if is_nav_line(line) {
            if is_menu_item(&line) {
                streak += 1;
                streak_nav = true;
            } else {
                streak = 0;
                streak_nav = false;
            }
            i += 1;
            continue;
        }
        let run = window[i..].iter().take_while(|l| is_menu_item(l)).count();
        let nav = streak_nav || window[i..i + run].iter().any(|l| names_navigation(l));
        if run > 0 && streak + run >= 3 && nav {
            i += run;
            streak += run;
            streak_nav = true;
            continue;
        }
        break;
    }
    i
}

/// A navigation phrase, or a line with a menu word or network name.
fn names_navigation(line: &str) -> bool {
    NAV_PHRASES.contains(&fold(line).as_str())
        || words(line)
            .iter()
            .any(|w| NAV_WORDS.contains(&w.as_str()) || NETWORKS.contains(&w.as_str()))
}

/// Whether one line looks like navigation on its own.
pub fn is_nav_line(line: &str) -> bool {
    let key = fold(line);
    if key.is_empty() {
        return false;
    }
    NAV_PHRASES.contains(&key.as_str())
        || is_link_bar(line)
        || is_menu_line(line)
        || is_share_bar(line)
        || is_date_line(line)
}

/// Lowercase, trailing punctuation and arrows removed, inner spaces folded.
fn fold(line: &str) -> String {
    let t = line.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ':' | '：'
                    | '.'
                    | '|'
                    | '»'
                    | '«'
                    | '›'
                    | '‹'
                    | '>'
                    | '<'
                    | '↑'
                    | '^'
                    | '-'
                    | '–'
                    | '—'
                    | '…'
                    | '·'
                    | '•'
            )
    });
    t.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

fn ends_like_sentence(s: &str) -> bool {
    s.trim_end_matches(['"', '\'', '”', '’', '»', ')', '」', '』'])
        .ends_with([
            '.', '!', '?', '。', '！', '？', '…', '؟', '।', '۔', ';', ',', '،', '、',
        ])
}

/// A short item of a menu, breadcrumb or link bar.
fn is_item(s: &str, max_words: usize, max_chars: usize) -> bool {
    let s = s.trim();
    let n = s.chars().count();
    let wide = s.chars().filter(|&c| is_wide(c)).count();
    let limit = if wide * 2 > n { 10 } else { max_chars };
    !s.is_empty()
        && n <= limit
        && s.split_whitespace().count() <= max_words
        && s.chars().any(|c| c.is_alphanumeric())
        && !ends_like_sentence(s)
        && !s.ends_with([':', '：'])
}

/// A line of a menu run: a short item without digits (a list of times,
/// scores or numbered headings is content).
fn is_menu_item(line: &&str) -> bool {
    is_item(line, 4, 40) && !line.chars().any(|c| c.is_numeric())
}

fn is_link_bar(line: &str) -> bool {
    const BAR: &[char] = &['|', '•', '·', '¦'];
    // A separator stands between spaces ("Home » News"), so that
    // apostrophes and "l·l" are not separators; `|` may be written without
    // spaces. Guillemets are quotes when the opening one is there too (French
    // writes « à chaud » with spaces), so then `»` and `›` do not separate.
    let crumb: &[char] = match (line.contains('«'), line.contains('‹')) {
        (false, false) => &['>', '›', '»', '→'],
        (true, false) => &['>', '›', '→'],
        (false, true) => &['>', '»', '→'],
        (true, true) => &['>', '→'],
    };
    let chars: Vec<char> = line.chars().collect();
    let spaced =
        |i: usize| i > 0 && i + 1 < chars.len() && chars[i - 1] == ' ' && chars[i + 1] == ' ';
    let mut crumbs = 0;
    let mut bars = 0;
    let mut items: Vec<String> = vec![String::new()];
    for (i, &c) in chars.iter().enumerate() {
        let sep = if crumb.contains(&c) && spaced(i) {
            crumbs += 1;
            true
        } else if c == '|' || (BAR.contains(&c) && spaced(i)) || (c == '/' && spaced(i)) {
            bars += 1;
            true
        } else {
            false
        };
        if sep {
            items.push(String::new());
        } else {
            items.last_mut().expect("one item").push(c);
        }
    }
    let items: Vec<&str> = items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if crumbs + bars == 0 || items.len() < 2 {
        return false;
    }
    if crumbs > 0 && bars == 0 {
        // Breadcrumb: the last item may be the article's headline.
        let (last, rest) = items.split_last().expect("two items");
        rest.iter().all(|s| is_item(s, 4, 30)) && !ends_like_sentence(last)
    } else {
        items.len() >= 3 && items.iter().all(|s| is_item(s, 4, 30))
    }
}

fn words(line: &str) -> Vec<String> {
    line.split(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ':' | '：' | '、' | '，' | '|' | '/' | '·' | '•')
    })
    .map(|w| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    })
    .filter(|w| !w.is_empty())
    .collect()
}

fn is_menu_line(line: &str) -> bool {
    if ends_like_sentence(line) {
        return false;
    }
    let raw: Vec<&str> = line.split_whitespace().collect();
    let ws = words(line);
    if ws.len() < 3 || ws.len() != raw.len() {
        return false;
    }
    let nav = ws
        .iter()
        .filter(|w| NAV_WORDS.contains(&w.as_str()))
        .count();
    if nav == ws.len() {
        return true;
    }
    // "Home News Sport Weather iPlayer": every word has a capital.
    let capitalized = raw.iter().all(|w| w.chars().any(char::is_uppercase));
    ws.len() >= 4 && capitalized && nav >= 2
}

fn is_share_bar(line: &str) -> bool {
    let ws = words(line);
    ws.len() >= 2
        && ws.iter().all(|w| SHARE_WORDS.contains(&w.as_str()))
        && ws.iter().any(|w| NETWORKS.contains(&w.as_str()))
}

fn is_date_line(line: &str) -> bool {
    if line.chars().count() > 60 {
        return false;
    }
    let mut numbers = 0;
    let mut names = 0;
    let mut cjk_date = false;
    for tok in line.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ',' | '.' | ':' | '/' | '-' | '–' | '|' | '(' | ')' | '،' | '：' | '，'
            )
    }) {
        if tok.is_empty() {
            continue;
        }
        // "2024年3月5日", "10時30分": digits with CJK date units.
        if tok.chars().any(|c| "年月日時时分秒号號".contains(c)) {
            let ok = tok
                .chars()
                .all(|c| c.is_numeric() || "年月日時时分秒号號".contains(c));
            if !ok {
                return false;
            }
            cjk_date |= tok.chars().any(char::is_numeric);
            numbers += 1;
            continue;
        }
        let t = tok.to_lowercase();
        let digits = t.trim_end_matches(['s', 't', 'n', 'd', 'r', 'h']);
        if !digits.is_empty() && digits.chars().all(char::is_numeric) {
            numbers += 1;
        } else if MONTHS_WEEKDAYS.contains(&t.as_str()) {
            names += 1;
        } else if !DATE_WORDS.contains(&t.as_str()) {
            return false;
        }
    }
    numbers >= 1 && (names >= 1 || numbers >= 3 || cjk_date)
}

/// Navigation phrases on a line of their own (after [`fold`]).
#[rustfmt::skip]
const NAV_PHRASES: &[&str] = &[
    // eng
    "skip to content", "skip to main content", "skip to navigation", "skip navigation",
    "jump to navigation", "jump to content", "toggle navigation", "main menu", "menu",
    "navigation", "home", "homepage", "home page", "back to top", "top of page", "go to top",
    "search", "log in", "login", "sign in", "sign up", "register", "prev", "previous", "next",
    "up", "previous article", "next article", "print", "comments", "close", "open menu",
    // fra
    "aller au contenu", "aller au contenu principal", "accueil", "rechercher", "recherche",
    "retour en haut", "haut de page", "se connecter", "connexion", "précédent", "suivant",
    "article précédent", "article suivant",
    // deu
    "zum inhalt springen", "zum hauptinhalt springen", "startseite", "suche", "anmelden",
    "nach oben", "zum anfang", "menü", "zurück", "weiter", "vorheriger artikel",
    "nächster artikel",
    // spa
    "saltar al contenido", "ir al contenido", "inicio", "buscar", "menú", "volver arriba",
    "iniciar sesión", "anterior", "siguiente",
    // por
    "pular para o conteúdo", "ir para o conteúdo", "página inicial", "pesquisar",
    "voltar ao topo", "entrar", "próximo", "próxima",
    // ita
    "vai al contenuto", "cerca", "torna su", "precedente", "successivo",
    // tur
    "içeriğe geç", "ana sayfa", "anasayfa", "ara", "giriş yap", "yukarı çık", "önceki",
    "sonraki",
    // rus, ukr
    "перейти к содержанию", "главная", "главная страница", "поиск", "меню", "войти", "наверх",
    "назад", "далее", "вперёд", "перейти до вмісту", "головна", "пошук", "увійти", "нагору",
    "далі",
    // ara
    "تخطى إلى المحتوى", "انتقل إلى المحتوى", "الرئيسية", "الصفحة الرئيسية", "بحث", "القائمة",
    "تسجيل الدخول", "العودة إلى الأعلى", "السابق", "التالي",
    // cmn, jpn
    "跳到主要内容", "跳转到内容", "首页", "主页", "搜索", "登录", "注册", "返回顶部", "菜单", "导航", "上一页", "下一页", "上一篇",
    "下一篇", "本文へ移動", "コンテンツへスキップ", "ホーム", "トップページ", "検索", "ログイン", "メニュー", "ページの先頭へ", "ページトップへ",
    "前へ", "次へ",
    // hin
    "सामग्री पर जाएं", "मुख्य पृष्ठ", "होम", "खोजें", "लॉग इन", "ऊपर जाएं", "पिछला", "अगला",
];

/// Words of menus (sections of a news site), lowercase.
#[rustfmt::skip]
const NAV_WORDS: &[&str] = &[
    "home", "news", "sport", "sports", "business", "politics", "world", "weather", "video",
    "videos", "opinion", "culture", "tech", "technology", "health", "science", "entertainment",
    "lifestyle", "travel", "contact", "about", "local", "national", "economy", "menu", "search",
    "live", "podcasts", "photos", "more", "accueil", "actualités", "politique", "économie",
    "monde", "société", "contact", "startseite", "nachrichten", "politik", "wirtschaft",
    "kultur", "wetter", "panorama", "inicio", "noticias", "política", "economía", "deportes",
    "cultura", "mundo", "sociedad", "início", "notícias", "economia", "esportes", "desporto",
    "mundo", "anasayfa", "gündem", "ekonomi", "spor", "dünya", "kültür", "главная", "новости",
    "политика", "экономика", "спорт", "культура", "мир", "общество", "головна", "новини",
    "політика", "економіка", "культура", "світ", "الرئيسية", "أخبار", "رياضة", "اقتصاد",
    "سياسة", "ثقافة", "محليات", "دوليات", "منوعات", "首页", "新闻", "体育", "财经", "国际", "国内", "社会",
    "文化", "科技", "娱乐", "ホーム", "ニュース", "スポーツ", "経済", "政治", "国際", "社会", "文化", "होम", "समाचार",
    "खेल", "राजनीति", "व्यापार", "मनोरंजन", "देश", "दुनिया",
];

/// Networks and share words of share bars, lowercase.
#[rustfmt::skip]
const NETWORKS: &[&str] = &[
    "facebook", "twitter", "x", "whatsapp", "telegram", "linkedin", "pinterest", "reddit",
    "messenger", "vk", "vkontakte", "tumblr", "email", "e-mail", "mail", "line", "weibo",
    "wechat", "qq", "微信", "微博", "qzone", "viber", "instagram", "youtube", "tiktok",
];
#[rustfmt::skip]
const SHARE_WORDS: &[&str] = &[
    "facebook", "twitter", "x", "whatsapp", "telegram", "linkedin", "pinterest", "reddit",
    "messenger", "vk", "vkontakte", "tumblr", "email", "e-mail", "mail", "line", "weibo",
    "wechat", "qq", "微信", "微博", "qzone", "viber", "instagram", "youtube", "tiktok", "share",
    "tweet", "print", "copy", "link", "copy link", "partager", "imprimer", "teilen", "drucken",
    "compartir", "imprimir", "compartilhar", "compartilhe", "condividi", "paylaş", "yazdır",
    "поделиться", "поділитися", "мастодон", "مشاركة", "شارك", "طباعة", "分享", "分享到", "打印", "シェア",
    "ツイート", "共有", "印刷", "शेयर", "प्रिंट", "on", "via", "this",
];

/// Month and weekday names (lowercase; Russian and Ukrainian also in the
/// genitive of dates).
#[rustfmt::skip]
const MONTHS_WEEKDAYS: &[&str] = &[
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "janvier", "février",
    "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
    "décembre", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "januar", "februar", "märz", "juni", "juli", "oktober", "dezember", "montag", "dienstag",
    "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "enero", "febrero", "marzo",
    "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre",
    "diciembre", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo",
    "janeiro", "fevereiro", "março", "maio", "junho", "julho", "setembro", "outubro",
    "novembro", "dezembro", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira",
    "sexta-feira", "ocak", "şubat", "mart", "nisan", "mayıs", "haziran", "temmuz", "ağustos",
    "eylül", "ekim", "kasım", "aralık", "pazartesi", "salı", "çarşamba", "perşembe", "cuma",
    "cumartesi", "pazar", "января", "февраля", "марта", "апреля", "мая", "июня", "июля",
    "августа", "сентября", "октября", "ноября", "декабря", "январь", "февраль", "март",
    "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
    "понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье", "січня",
    "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня",
    "листопада", "грудня", "понеділок", "вівторок", "середа", "четвер", "пʼятниця", "п'ятниця",
    "субота", "неділя", "يناير", "فبراير", "مارس", "أبريل", "ابريل", "مايو", "يونيو", "يوليو",
    "أغسطس", "اغسطس", "سبتمبر", "أكتوبر", "اكتوبر", "نوفمبر", "ديسمبر", "كانون", "شباط", "آذار",
    "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين", "الأحد", "الاثنين", "الإثنين",
    "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "محرم", "صفر", "ربيع", "جمادى", "رجب",
    "شعبان", "رمضان", "شوال", "القعدة", "الحجة", "जनवरी", "फरवरी", "मार्च", "अप्रैल", "मई",
    "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर", "सोमवार", "मंगलवार",
    "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार", "रविवार", "星期一", "星期二", "星期三", "星期四", "星期五",
    "星期六", "星期日", "月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日",
];

/// Other words of date lines, lowercase.
#[rustfmt::skip]
const DATE_WORDS: &[&str] = &[
    "am", "pm", "a.m", "p.m", "gmt", "utc", "bst", "cet", "cest", "est", "edt", "pst", "pdt",
    "msk", "ast", "eet", "eest", "ist", "jst", "at", "on", "of", "the", "published", "updated",
    "posted", "last", "modified", "date", "time", "um", "uhr", "am", "veröffentlicht",
    "aktualisiert", "stand", "le", "à", "publié", "mis", "jour", "h", "de", "del", "a", "las",
    "publicado", "actualizado", "atualizado", "em", "às", "yayınlanma", "güncelleme", "tarihi",
    "в", "г", "года", "год", "р", "року", "рік", "опубликовано", "обновлено", "опубліковано",
    "оновлено", "في", "م", "هـ", "ه", "الموافق", "نشر", "تحديث", "آخر", "بتاريخ", "الساعة",
    "发布时间", "更新时间", "发布于", "公開", "更新", "配信", "प्रकाशित", "अपडेट", "को", "बजे",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str) -> (usize, usize) {
        let lines: Vec<&str> = text.split('\n').collect();
        edges(&lines, &NavConfig::default())
    }

    const LEAD_EN: &str = "The city council approved a new budget on Tuesday after a long debate.";

    #[test]
    fn headers_in_several_scripts() {
        for head in [
            "Skip to content\nHome > News > Environment",
            "Startseite | Politik | Wirtschaft | Sport | Kultur",
            "الرئيسية » أخبار » محليات",
            "首页 > 新闻 > 社会",
            "ホーム > ニュース > 地域",
            "Главная\nНовости\nПолитика\nЭкономика",
            "Ana Sayfa › Gündem › Yerel",
            "मुख्य पृष्ठ » समाचार » शहर",
            "Home News Sport Weather iPlayer",
            "Tuesday, 12 March 2024, 10:45 GMT",
            "Updated 12.03.2024",
            "2024年3月5日 10:30",
            "الثلاثاء 12 مارس 2024",
            "12 марта 2024 г.",
            "Facebook Twitter WhatsApp Email",
            "Zurück\nDas Debian Administrationshandbuch\nWeiter",
        ] {
            let n = head.split('\n').count();
            let text = format!("{head}\n{LEAD_EN}\nSecond paragraph.");
            assert_eq!(cut(&text), (n, 0), "{head:?}");
        }
    }

    #[test]
    fn footers_in_several_scripts() {
        for foot in [
            "Accueil | Contact | Mentions légales | Plan du site",
            "Back to top",
            "分享到：微信 微博 QQ",
            "Compartilhe: Facebook Twitter WhatsApp",
            "Nach oben\nZum Anfang",
            "السابق\nالتالي",
        ] {
            let n = foot.split('\n').count();
            let text = format!("{LEAD_EN}\nSecond paragraph.\n{foot}");
            assert_eq!(cut(&text), (0, n), "{foot:?}");
        }
    }

    #[test]
    fn real_leads_and_headlines_stay() {
        for text in [
            // A lead sentence, in several scripts.
            "The city council approved a new budget on Tuesday.\nMore text.",
            "قال مسؤولون في بغداد إن وفدا أمنيا سيزور دمشق الأسبوع المقبل.\nنص آخر.",
            "北京时间3月5日，国家统计局发布了最新数据。\n第二段。",
            "東京都は5日、新しい計画を発表した。\n第二段落。",
            "Городской совет утвердил новый бюджет во вторник.\nЕщё текст.",
            // A dateline that starts the lead sentence.
            "LONDON, 12 March 2024 - The Bank of England held rates.\nMore.",
            // A headline in Title Case with ordinary words.
            "Storm Leaves Thousands Without Power Along The Coast\nThe storm hit on Monday.",
            // Two short lines only: not a menu run.
            "Budget\nBy Jane Doe\nThe council approved a new budget.",
            // "Headline | Site" (two items with a pipe).
            "Heavy rain floods the valley | Harbour Ledger\nThe river rose.",
            // A list inside the body is never reached.
            "The council approved a new budget on Tuesday.\nRoads\nSchools\nParks\nThe vote was close.",
            // Numbers that are no date.
            "2024\nThe year began with a storm.",
            "3 - 1\nThe home side won.",
            // Quotes and apostrophes are no separators.
            "* خدمة «نيويورك تايمز»\nنص المقال.",
            "Il a lu «Le Monde» hier\nSuite.",
            "9.11. Branchements « à chaud » : hotplug\nLe noyau Linux.",
            "ពាក្យសម្ងាត់ គឺ « មុយរាល » ។\nអត្ថបទ។",
            "Kahlil Gibran›s The Prophet\nA review.",
            // Numbered headings after a banner.
            "Download the ebook\nCapítulo 4. Instalación\n4.1. Métodos de instalación\nTexto.",
        ] {
            assert_eq!(cut(text), (0, 0), "{text:?}");
        }
    }

    #[test]
    fn short_lines_at_the_end_that_are_no_menu_stay() {
        for tail in [
            // A letter's signature.
            "مع خالص التقدير\nجوزيف ويستفال\nسفير الولايات المتحدة بالرياض",
            // Programme times, answer options.
            "15:00 Umsitho wokuvula\n16:00 Build-Up\n17:00 Umdlalo uyaqala",
            "Zarar\nKar\nSermayenin artırılması\nKaynaklar\nSermaye",
        ] {
            let text = format!("{LEAD_EN}\n{tail}");
            assert_eq!(cut(&text), (0, 0), "{tail:?}");
        }
        // A menu run naming navigation goes.
        let text = format!("{LEAD_EN}\nAbout\nPress\nCareers\nRSS");
        assert_eq!(cut(&text), (0, 4));
    }

    #[test]
    fn stops_at_the_first_real_line_and_respects_the_window() {
        let text = format!("Home > News\n{LEAD_EN}\nHome > News");
        assert_eq!(cut(&text), (1, 1));
        let menu = [
            "Home", "News", "Sport", "Weather", "Politics", "Business", "Travel", "Video",
            "Health", "Science",
        ]
        .join("\n");
        let text = format!("{menu}\n{LEAD_EN}");
        assert_eq!(cut(&text).0, 8, "at most max_lines from each end");
        // A document of navigation only: head takes it all, tail nothing.
        assert_eq!(cut("Home\nNews\nSport"), (3, 0));
        let off = NavConfig {
            enabled: false,
            ..Default::default()
        };
        assert_eq!(edges(&["Home > News", LEAD_EN], &off), (0, 0));
    }
}
