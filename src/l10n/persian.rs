//! Persian typography checks, on the text of `fa` messages (never on ids or placeables).
//! Each returns the byte offset inside the text, a finding kind and an explanation.

pub type Hit = (usize, &'static str, String);

fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{06D3}' | '\u{06D5}' | '\u{06FA}'..='\u{06FC}')
}

fn is_latin_letter(c: char) -> bool {
    c.is_alphabetic() && !is_arabic_letter(c)
}

/// All typography findings in one text element.
pub fn check_text(text: &str) -> Vec<Hit> {
    let mut hits = vec![];
    arabic_letters(text, &mut hits);
    zwnj(text, &mut hits);
    digits_and_punctuation(text, &mut hits);
    bidi_controls(text, &mut hits);
    hits
}

fn arabic_letters(text: &str, hits: &mut Vec<Hit>) {
    for (i, c) in text.char_indices() {
        let persian = match c {
            '\u{064A}' | '\u{0649}' => "ی (U+06CC)",
            '\u{0643}' => "ک (U+06A9)",
            _ => continue,
        };
        hits.push((
            i,
            "arabic-letter",
            format!("Arabic {c} (U+{:04X}): write Persian {persian}", c as u32),
        ));
    }
}

/// `می`/`نمی` before a verb, and the plural `ها`/`های`/`هایی`, joined with a plain space where
/// Persian orthography wants a zero-width non-joiner (U+200C): می‌کنیم، کتاب‌ها.
fn zwnj(text: &str, hits: &mut Vec<Hit>) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let word_at = |k: usize| -> String {
        chars[k..]
            .iter()
            .map(|(_, c)| *c)
            .take_while(|c| is_arabic_letter(*c))
            .collect()
    };
    let starts_word =
        |k: usize| k == 0 || !is_arabic_letter(chars[k - 1].1) && chars[k - 1].1 != '\u{200C}';
    for k in 0..chars.len() {
        let (i, c) = chars[k];
        if c != ' ' || k == 0 {
            continue;
        }
        let before: String = {
            let mut j = k;
            while j > 0 && is_arabic_letter(chars[j - 1].1) {
                j -= 1;
            }
            if j == k || !starts_word(j) {
                String::new()
            } else {
                chars[j..k].iter().map(|(_, c)| *c).collect()
            }
        };
        let after = word_at(k + 1);
        if (before == "می" || before == "نمی") && !after.is_empty() {
            hits.push((i, "zwnj", format!("«{before} {after}»: join with a ZWNJ (U+200C), not a space: {before}\u{200C}{after}")));
        }
        let prev_is_letter = is_arabic_letter(chars[k - 1].1);
        if prev_is_letter && matches!(after.as_str(), "ها" | "های" | "هایی" | "هایم" | "هایش")
        {
            hits.push((
                i,
                "zwnj",
                format!("plural «{after}» after a space: join it with a ZWNJ (U+200C)"),
            ));
        }
    }
}

/// ASCII digits, and `?` `,` `;` after Persian text, where Persian forms are expected. Latin
/// runs (an English title in brackets) keep their own digits and punctuation.
fn digits_and_punctuation(text: &str, hits: &mut Vec<Hit>) {
    let mut last_letter_latin = false;
    let mut prev_digit = false;
    for (i, c) in text.char_indices() {
        let digit = c.is_ascii_digit();
        let after_digit = std::mem::replace(&mut prev_digit, digit);
        if is_arabic_letter(c) {
            last_letter_latin = false;
        } else if is_latin_letter(c) {
            last_letter_latin = true;
        } else if digit && !last_letter_latin {
            // One finding per number, not per digit.
            if !after_digit {
                let number: String = text[i..].chars().take_while(char::is_ascii_digit).collect();
                hits.push((
                    i,
                    "ascii-digit",
                    format!("ASCII digits {number}: use Persian digits (۰۱۲۳۴۵۶۷۸۹)"),
                ));
            }
        } else if !last_letter_latin {
            let persian = match c {
                '?' => "؟",
                ',' => "،",
                ';' => "؛",
                _ => continue,
            };
            hits.push((
                i,
                "latin-punctuation",
                format!("Latin «{c}» in Persian text: use «{persian}»"),
            ));
        }
    }
}

/// Direction controls, but for the left-to-right isolate and its end (U+2066, U+2069),
/// which are checked as pairs over the whole message ([`isolates`]).
pub fn bidi_controls(text: &str, hits: &mut Vec<Hit>) {
    for (i, c) in text.char_indices() {
        let name = match c {
            '\u{200E}' => "LEFT-TO-RIGHT MARK",
            '\u{200F}' => "RIGHT-TO-LEFT MARK",
            '\u{061C}' => "ARABIC LETTER MARK",
            '\u{202A}'..='\u{202E}' => "an embedding/override control",
            '\u{2067}' | '\u{2068}' => "an isolate control",
            _ => continue,
        };
        hits.push((
            i,
            "bidi-control",
            format!(
                "{name} (U+{:04X}): leave direction to markup (dir, <bdi>)",
                c as u32
            ),
        ));
    }
}

/// The one direction control a Persian message may hold: a Latin run kept left to right
/// between LRI (U+2066) and PDI (U+2069), as in `({"\u2066"}LGBTQ+{"\u2069"})`, so that it is stored in
/// logical order and still shown with its `+` after the `Q`. `text` is a whole message
/// (text and string literals). A problem, if the isolates do not pair up or enclose
/// Persian.
pub fn isolates(text: &str) -> Option<String> {
    let mut open: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (c, open) {
            ('\u{2066}', None) => open = Some(i + c.len_utf8()),
            ('\u{2066}', Some(_)) => {
                return Some("a left-to-right isolate (U+2066) inside another".into())
            }
            ('\u{2069}', Some(start)) => {
                if text[start..i].chars().any(is_arabic_letter) {
                    return Some("Persian text inside a left-to-right isolate (U+2066 ... U+2069): isolate only Latin text".into());
                }
                open = None;
            }
            ('\u{2069}', None) => {
                return Some("the end of an isolate (U+2069) without its start (U+2066)".into())
            }
            _ => {}
        }
    }
    open.map(|_| "a left-to-right isolate (U+2066) that is never closed with U+2069".into())
}

/// In Persian the CLDR plural category `one` also covers 0, so a `[one]` variant must not say
/// «یک» (one); use the number instead: `{ $var }`, the variable the select is on.
pub fn check_one_variant(text: &str, var: &str) -> Option<Hit> {
    text.find("یک").map(|i| {
        (
            i,
            "plural-one",
            format!(
                "«یک» in a [one] variant: in Persian [one] also matches 0; write the number \
                 ({{ ${var} }})"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<&'static str> {
        check_text(text).into_iter().map(|h| h.1).collect()
    }

    #[test]
    fn clean_persian_passes() {
        assert!(kinds("ما از این مبارزه پشتیبانی می\u{200C}کنیم؛ کتاب\u{200C}ها، «زن، زندگی، آزادی» ۱۳۵۷ (The sparrows of freedom, 2007).").is_empty());
    }

    #[test]
    fn each_problem_is_found() {
        assert_eq!(kinds("علي"), ["arabic-letter"]);
        assert_eq!(kinds("كتاب"), ["arabic-letter"]);
        assert_eq!(kinds("ما می کنیم"), ["zwnj"]);
        assert_eq!(kinds("نمی توان"), ["zwnj"]);
        assert_eq!(kinds("کتاب ها"), ["zwnj"]);
        assert_eq!(kinds("سال های اخیر"), ["zwnj"]);
        assert_eq!(kinds("در سال 1357 و 1979"), ["ascii-digit"; 2]);
        assert_eq!(kinds("سال 1357 1979"), ["ascii-digit"; 2]);
        assert_eq!(kinds("چرا?"), ["latin-punctuation"]);
        assert_eq!(kinds("زن, زندگی"), ["latin-punctuation"]);
        assert_eq!(kinds("\u{200F}سلام"), ["bidi-control"]);
        let (_, _, hint) = check_one_variant("یک پیام", "max").unwrap();
        assert!(hint.ends_with("({ $max })"), "{hint}");
        assert!(check_one_variant("{ $n } پیام", "n").is_none());
    }

    #[test]
    fn left_to_right_isolates_around_latin_runs_are_fine() {
        // LRI ... PDI keeps `LGBTQ+` in logical order and shown left to right.
        assert!(isolates("دگرباشان (\u{2066}LGBTQ+\u{2069}) برای").is_none());
        assert!(isolates("\u{2066}LGBTQ+").is_some(), "never closed");
        assert!(isolates("LGBTQ+\u{2069}").is_some(), "never opened");
        assert!(
            isolates("\u{2066}سلام\u{2069}").is_some(),
            "Persian isolated as left-to-right"
        );
        // Isolates are checked as pairs, not one character at a time.
        assert!(kinds("(\u{2066}LGBTQ+\u{2069})").is_empty());
        assert_eq!(kinds("\u{202E}LGBTQ+"), ["bidi-control"]);
    }

    #[test]
    fn words_that_only_contain_mi_are_fine() {
        // «تمیز» ends in می-like letters but is one word; «قدیمی» too.
        assert!(kinds("خانهٔ تمیز است و قدیمی کار").is_empty());
    }
}
