//! Search text: how Vietnamese text becomes index words (exact and folded), how what a
//! person types becomes a query (words, quoted phrases, a number and symbol in any
//! spelling, a prefix while typing), and snippets with the matching words marked.
//!
//! Both database engines receive text that was already cut into words here, so SQLite's
//! FTS5 and PostgreSQL's `simple` configuration see the same words, and the query side
//! cuts with the same function: what is indexed and what is asked for cannot drift apart.

use crate::text;
use unicode_normalization::UnicodeNormalization;

/// The longest query kept, in characters; longer input is cut there and the reader told.
pub const QUERY_MAX_CHARS: usize = 200;
/// At most this many clauses (words or phrases) are searched for.
pub const QUERY_MAX_CLAUSES: usize = 12;
/// At most this many words in one phrase.
pub const PHRASE_MAX_WORDS: usize = 12;
/// The shortest last word that is matched as a prefix.
pub const PREFIX_MIN_CHARS: usize = 2;

/// Lower case, NFC, with the tone mark of `oa`, `oe` and `uy` at the end of a word on the
/// first vowel (`hoà` and `hòa`, `thuỷ` and `thủy` are one word, written either way).
pub fn exact_word(word: &str) -> String {
    let lower: String = nfc(word).chars().flat_map(char::to_lowercase).collect();
    let mut chars: Vec<char> = lower.chars().collect();
    let n = chars.len();
    if n >= 2 {
        let (first, last) = (chars[n - 2], chars[n - 1]);
        let preceded_by_q = n >= 3 && chars[n - 3] == 'q';
        if let Some((bare, marked)) = move_tone(first, last) {
            if !(first == 'u' && preceded_by_q) {
                chars[n - 2] = marked;
                chars[n - 1] = bare;
            }
        }
    }
    strip_leading_zeros(chars.into_iter().collect())
}

/// For `o` + `à` (and the like) the bare second vowel and the marked first one.
fn move_tone(first: char, last: char) -> Option<(char, char)> {
    const O_A: [(char, char); 5] = [('à', 'ò'), ('á', 'ó'), ('ả', 'ỏ'), ('ã', 'õ'), ('ạ', 'ọ')];
    const O_E: [(char, char); 5] = [('è', 'ò'), ('é', 'ó'), ('ẻ', 'ỏ'), ('ẽ', 'õ'), ('ẹ', 'ọ')];
    const U_Y: [(char, char); 5] = [('ỳ', 'ù'), ('ý', 'ú'), ('ỷ', 'ủ'), ('ỹ', 'ũ'), ('ỵ', 'ụ')];
    let (table, bare) = match first {
        'o' if O_A.iter().any(|(m, _)| *m == last) => (&O_A, 'a'),
        'o' if O_E.iter().any(|(m, _)| *m == last) => (&O_E, 'e'),
        'u' if U_Y.iter().any(|(m, _)| *m == last) => (&U_Y, 'y'),
        _ => return None,
    };
    table
        .iter()
        .find(|(m, _)| *m == last)
        .map(|(_, marked)| (bare, *marked))
}

/// The word without tone marks, đ folded to d, lower case: what a query without
/// diacritics is compared with.
pub fn folded_word(word: &str) -> String {
    strip_leading_zeros(text::fold(word))
}

/// `07` and `7` are one number: a number and symbol is written with a leading zero
/// below 10, and people type it either way.
fn strip_leading_zeros(word: String) -> String {
    if word.len() > 1 && word.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = word.trim_start_matches('0');
        if trimmed.is_empty() {
            return "0".to_owned();
        }
        return trimmed.to_owned();
    }
    word
}

/// The words of a text with their byte ranges: runs of letters and digits. Everything else
/// (spaces, punctuation, `/` and `-` of a symbol) separates words.
pub fn word_spans(input: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = input.char_indices().peekable();
    std::iter::from_fn(move || {
        let start = loop {
            let (i, c) = chars.next()?;
            if is_word_char(c) {
                break i;
            }
        };
        let mut end = input.len();
        while let Some(&(i, c)) = chars.peek() {
            if !is_word_char(c) {
                end = i;
                break;
            }
            chars.next();
        }
        Some((start, end))
    })
}

/// Text prepared for the index: the words in exact form and in folded form, each joined
/// by single spaces, in the same order (so phrases match in either form).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexText {
    pub exact: String,
    pub folded: String,
}

/// Cuts `input` (NFC or not) into index words.
pub fn index_text(input: &str) -> IndexText {
    let composed: String = input.nfc().collect();
    let mut out = IndexText::default();
    for (start, end) in word_spans(&composed) {
        let word = &composed[start..end];
        if !out.exact.is_empty() {
            out.exact.push(' ');
            out.folded.push(' ');
        }
        out.exact.push_str(&exact_word(word));
        out.folded.push_str(&folded_word(word));
    }
    out
}

/// One searched word: as typed (exact form) and folded. `exact == folded` when the person
/// typed no diacritics, and then only the folded form is searched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub exact: String,
    pub folded: String,
}

impl Word {
    fn new(raw: &str) -> Self {
        Self {
            exact: exact_word(raw),
            folded: folded_word(raw),
        }
    }

    /// True when the person typed diacritics (so exact matches rank first).
    pub fn has_diacritics(&self) -> bool {
        self.exact != self.folded
    }
}

/// A word, or words that must stand next to each other in this order (a quoted phrase, or
/// a number and symbol such as `1756/QĐ-BTNMT`, which is `1756 qd btnmt`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    pub words: Vec<Word>,
    /// The last word may be the beginning of a longer word (the person is still typing).
    pub prefix: bool,
}

/// What a person asked for, parsed. Every clause must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub clauses: Vec<Clause>,
    /// The input was longer than [`QUERY_MAX_CHARS`] or had more than
    /// [`QUERY_MAX_CLAUSES`] clauses, and was cut.
    pub truncated: bool,
}

impl SearchQuery {
    /// Parses anything: there is no syntax error. Quotes make phrases (an unclosed quote
    /// runs to the end); `AND`, `OR`, `NOT` in capitals and all punctuation are ignored; a
    /// token with several words (`1756/QĐ-BTNMT`, `QĐ-BTNMT`) is a phrase; the last word is
    /// a prefix unless the input ends with a space or a closing quote.
    pub fn parse(input: &str) -> Self {
        let composed: String = input.nfc().collect();
        let mut truncated = false;
        let composed: String = if composed.chars().count() > QUERY_MAX_CHARS {
            truncated = true;
            composed.chars().take(QUERY_MAX_CHARS).collect()
        } else {
            composed
        };
        let mut clauses: Vec<Clause> = Vec::new();
        let mut last_ends_word = false;
        for (quoted, segment) in split_quotes(&composed) {
            if quoted {
                let words: Vec<Word> = word_spans(segment)
                    .take(PHRASE_MAX_WORDS)
                    .map(|(s, e)| Word::new(&segment[s..e]))
                    .collect();
                if !words.is_empty() {
                    clauses.push(Clause {
                        words,
                        prefix: false,
                    });
                }
                last_ends_word = false;
                continue;
            }
            for token in segment.split_whitespace() {
                if matches!(token, "AND" | "OR" | "NOT") {
                    continue;
                }
                let words: Vec<Word> = word_spans(token)
                    .take(PHRASE_MAX_WORDS)
                    .map(|(s, e)| Word::new(&token[s..e]))
                    .collect();
                if !words.is_empty() {
                    clauses.push(Clause {
                        words,
                        prefix: false,
                    });
                }
            }
            last_ends_word = segment.ends_with(|c: char| c.is_alphanumeric());
        }
        if clauses.len() > QUERY_MAX_CLAUSES {
            truncated = true;
            clauses.truncate(QUERY_MAX_CLAUSES);
        } else if last_ends_word && composed.ends_with(|c: char| c.is_alphanumeric()) {
            if let Some(last) = clauses.last_mut() {
                let long_enough = last
                    .words
                    .last()
                    .is_some_and(|w| w.folded.chars().count() >= PREFIX_MIN_CHARS);
                last.prefix = long_enough;
            }
        }
        Self { clauses, truncated }
    }

    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// Does `word` (from a text) match one of the query's words? Used to mark snippets.
    fn matches(&self, word: &str) -> bool {
        let folded = folded_word(word);
        self.clauses.iter().any(|clause| {
            let last = clause.words.len() - 1;
            clause.words.iter().enumerate().any(|(i, w)| {
                w.folded == folded || (clause.prefix && i == last && folded.starts_with(&w.folded))
            })
        })
    }
}

/// Splits at double quotes (straight or curly): (inside quotes?, text).
fn split_quotes(input: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in input.char_indices() {
        if matches!(c, '"' | '“' | '”' | '„') {
            out.push((quoted, &input[start..i]));
            quoted = !quoted;
            start = i + c.len_utf8();
        }
    }
    out.push((quoted, &input[start..]));
    out
}

/// Points a clause earns where it matches: in the reference (the number and symbol), in the
/// title, and again in the title when the words typed with diacritics match exactly.
const REFERENCE_POINTS: u32 = 16;
const TITLE_POINTS: u32 = 4;
const EXACT_POINTS: u32 = 4;
/// A clause the engine matched elsewhere (the body).
const BODY_POINTS: u32 = 1;

/// How well a record answers a query, from its title and reference (the engine has already
/// established that every clause matches somewhere). The number and symbol count most,
/// then the title, and words typed with diacritics count double where they match exactly
/// (`bão` ranks a storm before a report, `báo`). Computed here, not by the engines, so the
/// ranking is the same on SQLite and PostgreSQL.
pub fn score(query: &SearchQuery, title: &str, reference: &str) -> u32 {
    // Search scores up to a thousand matches: the folded words come from [`folded_text`]
    // (the same words, cut and folded as the index was), and the exact forms of the title
    // only when a clause typed with diacritics matched it folded.
    fn words(folded: &str) -> Vec<&str> {
        if folded.is_empty() {
            Vec::new()
        } else {
            folded.split(' ').collect()
        }
    }
    let folded_title = folded_text(title);
    let folded_reference = folded_text(reference);
    let title_words = words(&folded_title);
    let reference_words = words(&folded_reference);
    let mut exact_title: Option<Vec<String>> = None;
    let folded_matches = |clause: &Clause, at: &[&str]| {
        let n = clause.words.len();
        at.len() >= n
            && (0..=at.len() - n).any(|start| {
                clause.words.iter().enumerate().all(|(i, w)| {
                    let word = at[start + i];
                    word == w.folded || (clause.prefix && i == n - 1 && word.starts_with(&w.folded))
                })
            })
    };
    let mut total = 0;
    for clause in &query.clauses {
        let n = clause.words.len();
        if folded_matches(clause, &reference_words) {
            total += REFERENCE_POINTS;
        }
        if folded_matches(clause, &title_words) {
            total += TITLE_POINTS;
            if !clause.words.iter().any(Word::has_diacritics) {
                continue;
            }
            let exact_words = exact_title.get_or_insert_with(|| {
                let composed = nfc(title);
                word_spans(&composed)
                    .map(|(s, e)| exact_word(&composed[s..e]))
                    .collect()
            });
            let exact = title_words.len() >= n
                && exact_words.len() == title_words.len()
                && (0..=title_words.len() - n).any(|start| {
                    clause.words.iter().enumerate().all(|(i, w)| {
                        let (exact, folded) = (&exact_words[start + i], title_words[start + i]);
                        let last = clause.prefix && i == n - 1;
                        let folded_ok =
                            folded == w.folded || (last && folded.starts_with(&w.folded));
                        let exact_ok = !w.has_diacritics()
                            || *exact == w.exact
                            || (last && exact.starts_with(&w.exact));
                        folded_ok && exact_ok
                    })
                });
            if exact {
                total += EXACT_POINTS;
            }
        } else {
            total += BODY_POINTS;
        }
    }
    total
}

/// The folded words of a text joined by spaces: what the engines index. The same as
/// [`folded_word`] on each word of the text in NFC, done character by character for the
/// Latin letters (indexing a million records otherwise spends a third of its time here).
pub fn folded_text(input: &str) -> String {
    let composed = nfc(input);
    let mut out = String::with_capacity(composed.len());
    for (n, (s, e)) in word_spans(&composed).enumerate() {
        if n > 0 {
            out.push(' ');
        }
        let word = &composed[s..e];
        // Latin letters (with their marks) and digits; anything else takes the general way.
        if !word
            .chars()
            .all(|c| (c as u32) < 0x250 || (0x1E00..0x1F00).contains(&(c as u32)))
        {
            out.push_str(&folded_word(word));
            continue;
        }
        let start = out.len();
        let table = latin_folds();
        for c in word.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                match latin_slot(c).and_then(|slot| table[slot].as_deref()) {
                    Some(folded) => out.push_str(folded),
                    None => out.push(c),
                }
            }
        }
        let folded = &out[start..];
        if folded.len() > 1 && folded.bytes().all(|b| b.is_ascii_digit()) {
            let stripped = strip_leading_zeros(folded.to_owned());
            out.truncate(start);
            out.push_str(&stripped);
        }
    }
    out
}

/// `input` in NFC, borrowed when it already is (as stored text nearly always is).
fn nfc(input: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{is_nfc_quick, IsNormalized};
    if is_nfc_quick(input.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(input)
    } else {
        std::borrow::Cow::Owned(input.nfc().collect())
    }
}

/// The Latin code points [`folded_text`] folds through a table: below U+0250 (Latin-1 and
/// Latin Extended A and B) and U+1E00..U+1F00 (Latin Extended Additional, where the
/// Vietnamese letters with two marks are), as slots of [`latin_folds`].
fn latin_slot(c: char) -> Option<usize> {
    let code = c as u32;
    if code < 0x250 {
        Some(code as usize)
    } else if (0x1E00..0x1F00).contains(&code) {
        Some(0x250 + (code - 0x1E00) as usize)
    } else {
        None
    }
}

/// Each Latin code point of [`latin_slot`] folded: its canonical decomposition without
/// the combining marks, in lower case, `đ` as `d`. Looked up instead of computed: search
/// folds the titles of up to a thousand candidates per query to rank them, and decomposing
/// each letter took most of that time.
/// `None` for a code point that is not a letter or digit (it separates words).
fn latin_folds() -> &'static [Option<String>] {
    static TABLE: std::sync::OnceLock<Vec<Option<String>>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0..0x250_u32)
            .chain(0x1E00..0x1F00)
            .map(|code| {
                let c = char::from_u32(code).filter(|c| c.is_alphanumeric())?;
                if c == 'đ' || c == 'Đ' {
                    return Some("d".to_owned());
                }
                let mut folded = String::new();
                unicode_normalization::char::decompose_canonical(c, |d| {
                    if !unicode_normalization::char::is_combining_mark(d) {
                        folded.extend(d.to_lowercase());
                    }
                });
                Some(folded)
            })
            .collect()
    })
}

/// A letter or digit (part of a word): [`char::is_alphanumeric`], from the table for the
/// Latin letters.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        match latin_slot(c) {
            Some(slot) => latin_folds()[slot].is_some(),
            None => c.is_alphanumeric(),
        }
    }
}

/// A piece of a snippet: text, marked when it matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnippetPart {
    pub text: String,
    pub matched: bool,
}

/// The part of `text` around its first match, at most about `max_chars` long, cut at word
/// boundaries, with `…` where it was cut, and the matching words marked. With no match,
/// the beginning of the text. The parts are plain text: whoever shows them escapes them.
pub fn snippet(text: &str, query: &SearchQuery, max_chars: usize) -> Vec<SnippetPart> {
    let spans: Vec<(usize, usize)> = word_spans(text).collect();
    let matched: Vec<bool> = spans
        .iter()
        .map(|&(s, e)| query.matches(&text[s..e]))
        .collect();
    let first = matched.iter().position(|m| *m).unwrap_or(0);
    // Start a few words before the first match, so it is read in context.
    let start_word = first.saturating_sub(6);
    let start = if start_word == 0 {
        0
    } else {
        spans[start_word].0
    };
    let mut end = text.len();
    let mut length = 0;
    for (i, &(s, e)) in spans.iter().enumerate().skip(start_word) {
        length = text[start..e].chars().count();
        if length > max_chars && i > first {
            end = s;
            break;
        }
    }
    let _ = length;
    let mut parts: Vec<SnippetPart> = Vec::new();
    let mut push = |text: &str, matched: bool| {
        if text.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some(last) if last.matched == matched => last.text.push_str(text),
            _ => parts.push(SnippetPart {
                text: text.to_owned(),
                matched,
            }),
        }
    };
    if start > 0 {
        push("…", false);
    }
    let mut cursor = start;
    for (i, &(s, e)) in spans.iter().enumerate().skip(start_word) {
        if s >= end {
            break;
        }
        push(&text[cursor..s], false);
        push(&text[s..e], matched[i]);
        cursor = e;
    }
    let tail_end = end.max(cursor);
    if end == text.len() {
        push(&text[cursor..tail_end], false);
    } else {
        push(text[cursor..tail_end].trim_end(), false);
        push(" …", false);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause_words(q: &SearchQuery) -> Vec<Vec<String>> {
        q.clauses
            .iter()
            .map(|c| c.words.iter().map(|w| w.folded.clone()).collect())
            .collect()
    }

    #[test]
    fn words_fold_tone_marks_and_d_stroke_but_keep_the_exact_form() {
        let text = index_text("Quyết định số 1756/QĐ-BTNMT về Đồng Nai");
        assert_eq!(text.exact, "quyết định số 1756 qđ btnmt về đồng nai");
        assert_eq!(text.folded, "quyet dinh so 1756 qd btnmt ve dong nai");
    }

    #[test]
    fn old_and_new_tone_placement_are_one_word() {
        assert_eq!(exact_word("hoà"), exact_word("hòa"));
        assert_eq!(exact_word("Thuỷ"), "thủy");
        assert_eq!(exact_word("khoẻ"), "khỏe");
        // "qu" is a consonant: quý keeps its mark where it is.
        assert_eq!(exact_word("quý"), "quý");
        assert_eq!(exact_word("hoàng"), "hoàng");
    }

    #[test]
    fn decomposed_input_is_the_same_word() {
        let decomposed = "Vie\u{0302}\u{0323}t";
        assert_eq!(exact_word(decomposed), "việt");
        assert_eq!(index_text(decomposed).exact, "việt");
        let q = SearchQuery::parse("Vie\u{0302}\u{0323}t Nam ");
        assert_eq!(q.clauses[0].words[0].exact, "việt");
    }

    #[test]
    fn a_number_and_symbol_in_any_spelling_is_one_phrase() {
        for input in [
            "1756/QĐ-BTNMT ",
            "1756/QD-BTNMT ",
            "1756 qđ btnmt ",
            "01756/qd-btnmt ",
        ] {
            let q = SearchQuery::parse(input);
            let folded: Vec<String> = q
                .clauses
                .iter()
                .flat_map(|c| c.words.iter().map(|w| w.folded.clone()))
                .collect();
            assert_eq!(folded, ["1756", "qd", "btnmt"], "{input}");
        }
        let q = SearchQuery::parse("1756/QĐ-BTNMT ");
        assert_eq!(q.clauses.len(), 1, "one phrase");
    }

    #[test]
    fn quotes_make_phrases_and_an_open_quote_runs_to_the_end() {
        let q = SearchQuery::parse("\"quyết định\" môi trường");
        assert_eq!(
            clause_words(&q),
            [vec!["quyet", "dinh"], vec!["moi"], vec!["truong"]]
        );
        let q = SearchQuery::parse("\"ô nhiễm");
        assert_eq!(clause_words(&q), [vec!["o", "nhiem"]]);
        assert!(!q.clauses[0].prefix);
    }

    #[test]
    fn the_last_word_is_a_prefix_while_typing() {
        let q = SearchQuery::parse("ô nhi");
        assert!(q.clauses[1].prefix);
        assert!(!q.clauses[0].prefix);
        assert!(!SearchQuery::parse("ô nhi ").clauses[1].prefix);
        // One letter is too short to be worth a prefix search.
        assert!(!SearchQuery::parse("ô n").clauses[1].prefix);
    }

    #[test]
    fn syntax_and_operators_are_ignored_never_an_error() {
        for input in [
            "\"",
            "*",
            "(",
            ")",
            "AND",
            "OR NOT",
            "\"\"",
            "'; DROP TABLE documents; --",
            "-",
            ":",
            "^",
            "{title}:",
            "NEAR(a b)",
            "",
        ] {
            let q = SearchQuery::parse(input);
            for clause in &q.clauses {
                for w in &clause.words {
                    assert!(w.exact.chars().all(char::is_alphanumeric), "{input:?}");
                }
            }
        }
        assert!(SearchQuery::parse("*(\"").is_empty());
        assert_eq!(
            clause_words(&SearchQuery::parse("drop AND table ")),
            [vec!["drop"], vec!["table"]]
        );
    }

    #[test]
    fn overlong_queries_are_cut_and_say_so() {
        let long = "môi trường ".repeat(100);
        let q = SearchQuery::parse(&long);
        assert!(q.truncated);
        assert!(q.clauses.len() <= QUERY_MAX_CLAUSES);
        assert!(!SearchQuery::parse("môi trường").truncated);
    }

    #[test]
    fn a_query_without_diacritics_is_only_folded() {
        let q = SearchQuery::parse("dong nai ");
        assert!(q.clauses.iter().all(|c| !c.words[0].has_diacritics()));
        let q = SearchQuery::parse("Đồng Nai ");
        assert!(q.clauses[0].words[0].has_diacritics());
    }

    #[test]
    fn snippets_mark_matches_in_context_and_cut_at_words() {
        let text = "Công văn của Sở Tài nguyên và Môi trường tỉnh Đồng Nai về việc kiểm tra cơ sở \
                    gây ô nhiễm tại khu công nghiệp Biên Hòa, đề nghị báo cáo trước ngày 15.";
        let q = SearchQuery::parse("dong nai ");
        let parts = snippet(text, &q, 60);
        let marked: Vec<&str> = parts
            .iter()
            .filter(|p| p.matched)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(marked, ["Đồng", "Nai"]);
        let whole: String = parts.iter().map(|p| p.text.as_str()).collect();
        assert!(whole.starts_with('…'), "{whole}");
        assert!(whole.ends_with('…'), "{whole}");
        assert!(whole.chars().count() < 90, "{whole}");
        // No match: the beginning of the text.
        let parts = snippet("Báo cáo tháng", &SearchQuery::parse("xyz "), 60);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].text, "Báo cáo tháng");
    }

    #[test]
    fn exact_diacritics_the_symbol_and_the_title_rank_first() {
        let storm = score(
            &SearchQuery::parse("bão "),
            "Ứng phó với bão số 3",
            "12/UBND-KT",
        );
        let report = score(&SearchQuery::parse("bão "), "Báo cáo kết quả", "13/UBND-KT");
        let body = score(&SearchQuery::parse("bão "), "Giấy mời họp", "14/UBND-KT");
        assert!(storm > report && report > body, "{storm} {report} {body}");
        // Without diacritics both are the same word.
        assert_eq!(
            score(&SearchQuery::parse("bao "), "Ứng phó với bão", ""),
            score(&SearchQuery::parse("bao "), "Báo cáo", "")
        );
        let symbol = SearchQuery::parse("1756/QD-BTNMT");
        assert!(
            score(&symbol, "Quyết định", "1756/QĐ-BTNMT")
                > score(&symbol, "Thực hiện Quyết định 1756/QĐ-BTNMT", "20/UBND-KT")
        );
        // Phrases count only where the words stand together; prefixes count while typing.
        let phrase = SearchQuery::parse("\"không khí\"");
        assert!(
            score(&phrase, "Ô nhiễm không khí", "") > score(&phrase, "Khí thải không xử lý", "")
        );
        assert!(
            score(&SearchQuery::parse("nhiễ"), "ô nhiễm", "")
                > score(&SearchQuery::parse("nhiễ"), "khác", "")
        );
        assert_eq!(folded_text("Đồng Nai, 07/QĐ"), "dong nai 7 qd");
    }

    #[test]
    fn folded_text_folds_each_word_as_folded_word_does() {
        for text in [
            "Quyết định số 01756/QĐ-BTNMT về Đồng Nai, 007 và 000",
            "Vie\u{0302}\u{0323}t Nam ĐẮK LẮK Thuỷ Hoà Ǆ ǅ ß İ",
            "Ελληνικά Ωμέγα русский Ёж 東京 ١٢٣ ٠٠٧ mixed Ωa1",
            "ﬁ ﬀ ŉ ǰ Ⅻ ½ ² x²",
        ] {
            let composed: String = text.nfc().collect();
            let expected = word_spans(&composed)
                .map(|(s, e)| folded_word(&composed[s..e]))
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(folded_text(text), expected, "{text}");
        }
        // Every letter the table folds, alone and inside a word, as the general way folds it.
        for code in (0x80..0x250_u32).chain(0x1E00..0x1F00) {
            let Some(c) = char::from_u32(code).filter(|c| c.is_alphanumeric()) else {
                continue;
            };
            for text in [c.to_string(), format!("a{c}b"), format!("{c}{c}")] {
                let composed: String = text.nfc().collect();
                let expected = word_spans(&composed)
                    .map(|(s, e)| folded_word(&composed[s..e]))
                    .collect::<Vec<_>>()
                    .join(" ");
                assert_eq!(folded_text(&text), expected, "U+{code:04X}");
            }
        }
    }

    #[test]
    fn snippet_prefixes_mark_the_whole_word() {
        let parts = snippet("ô nhiễm môi trường", &SearchQuery::parse("nhi"), 60);
        assert!(parts.iter().any(|p| p.matched && p.text == "nhiễm"));
    }
}
