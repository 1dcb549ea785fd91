//! Typography checks for languages written in Arabic script, on the text of their messages
//! (never on ids or placeables), with the letters, digits and punctuation each language uses
//! ([`Writing`]); Persian has the most (ZWNJ, the «یک» of plurals). Each returns the byte
//! offset inside the text, a finding kind and an explanation.

pub type Hit = (usize, &'static str, String);

/// How a language in Arabic script writes.
pub struct Writing {
    /// Its name in the findings ("Persian text").
    pub name: &'static str,
    /// Letters of another language it must not use, with its own.
    pub letters: &'static [(char, &'static str)],
    /// Its digits, zero to nine; none: any digits pass.
    pub digits: Option<&'static str>,
    /// Persian's ZWNJ rules (می‌، ‌ها) and «یک» in `[one]` variants.
    pub persian: bool,
}

/// Arabic ي ى ك where a language writes ی ک (Persian, Kurdish, Urdu...).
const NOT_ARABIC_YEH_KAF: &[(char, &str)] = &[
    ('\u{064A}', "ی (U+06CC)"),
    ('\u{0649}', "ی (U+06CC)"),
    ('\u{0643}', "ک (U+06A9)"),
];

/// How the language with tag `code` (written in Arabic script) writes.
pub fn writing_of(code: &str) -> Writing {
    let (name, letters, digits, persian) = match code.split('-').next().unwrap_or(code) {
        "fa" => ("Persian", NOT_ARABIC_YEH_KAF, Some("۰۱۲۳۴۵۶۷۸۹"), true),
        "ckb" => ("Kurdish", NOT_ARABIC_YEH_KAF, Some("٠١٢٣٤٥٦٧٨٩"), false),
        "ur" => ("Urdu", NOT_ARABIC_YEH_KAF, Some("۰۱۲۳۴۵۶۷۸۹"), false),
        "ar" => ("Arabic", &[][..], Some("٠١٢٣٤٥٦٧٨٩"), false),
        _ => ("Arabic-script", &[][..], None, false),
    };
    Writing {
        name,
        letters,
        digits,
        persian,
    }
}

fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{06D3}' | '\u{06D5}' | '\u{06FA}'..='\u{06FC}')
}

fn is_latin_letter(c: char) -> bool {
    c.is_alphabetic() && !is_arabic_letter(c)
}

/// All typography findings in one text element of a language that writes as `w`.
pub fn check_text(text: &str, w: &Writing) -> Vec<Hit> {
    let mut hits = vec![];
    arabic_letters(text, w, &mut hits);
    if w.persian {
        zwnj(text, &mut hits);
    }
    digits_and_punctuation(text, w, &mut hits);
    bidi_controls(text, &mut hits);
    hits
}

fn arabic_letters(text: &str, w: &Writing, hits: &mut Vec<Hit>) {
    for (i, c) in text.char_indices() {
        let Some((_, own)) = w.letters.iter().find(|(wrong, _)| *wrong == c) else {
            continue;
        };
        hits.push((
            i,
            "arabic-letter",
            format!("Arabic {c} (U+{:04X}): write {} {own}", c as u32, w.name),
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

/// ASCII digits, and `?` `,` `;` after Arabic-script text, where the language's own forms
/// are expected. Latin runs (an English title in brackets) keep their own digits and
/// punctuation.
fn digits_and_punctuation(text: &str, w: &Writing, hits: &mut Vec<Hit>) {
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
            if let (false, Some(digits)) = (after_digit, w.digits) {
                let number: String = text[i..].chars().take_while(char::is_ascii_digit).collect();
                hits.push((
                    i,
                    "ascii-digit",
                    format!("ASCII digits {number}: use {} digits ({digits})", w.name),
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
                format!("Latin «{c}» in {} text: use «{persian}»", w.name),
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
        check_text(text, &writing_of("fa"))
            .into_iter()
            .map(|h| h.1)
            .collect()
    }

    /// Each Arabic-script language with the letters, digits and punctuation it uses:
    /// Kurdish and Urdu write ی ک as Persian does, Arabic writes ي ك.
    #[test]
    fn each_arabic_script_language_by_its_own_writing() {
        let found = |code: &str, text: &str| -> Vec<String> {
            check_text(text, &writing_of(code))
                .into_iter()
                .map(|h| h.2)
                .collect()
        };
        let ckb = found("ckb", "كوردی? 2026");
        assert_eq!(ckb.len(), 3, "{ckb:?}");
        assert!(ckb[0].contains("write Kurdish ک"), "{ckb:?}");
        assert!(ckb.iter().any(|m| m.contains("«؟»")), "{ckb:?}");
        assert!(
            ckb.iter()
                .any(|m| m.contains("Kurdish digits (٠١٢٣٤٥٦٧٨٩)")),
            "{ckb:?}"
        );
        assert!(found("ar", "كتاب عربي").is_empty(), "Arabic writes ي and ك");
        assert_eq!(found("ar", "كتاب? 12").len(), 2);
        assert!(
            found("ckb", "می کەم").is_empty(),
            "Persian's ZWNJ rules are Persian's"
        );
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
