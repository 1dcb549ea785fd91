//! The weighted lists of `Accept-Language` and `Accept-Encoding` (RFC 9110 §12.4.2): items
//! with an optional `q` weight. One parser for both, so they agree: an item whose weight is
//! malformed is dropped, never guessed.

/// The items of `list` with their weights in thousandths (`q=0.5` is 500; no `q` is 1000).
/// Items are trimmed; empty items and items with a malformed weight are skipped.
pub(crate) fn weighted(list: &str) -> impl Iterator<Item = (&str, u16)> {
    list.split(',').filter_map(|entry| {
        let mut parts = entry.split(';');
        let item = parts.next().unwrap_or("").trim();
        let mut q = Some(1000);
        for param in parts {
            let (name, value) = param.split_once('=').unwrap_or((param, ""));
            if name.trim().eq_ignore_ascii_case("q") {
                q = qvalue(value.trim());
            }
        }
        Some((item, q?)).filter(|(item, _)| !item.is_empty())
    })
}

/// An RFC 9110 qvalue: `0[.ddd]` or `1[.000]`, as thousandths. `None` when malformed.
fn qvalue(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac: u16 = format!("{frac:0<3}").parse().ok()?;
    match int {
        "0" => Some(frac),
        "1" if frac == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::weighted;

    #[test]
    fn items_with_weights_malformed_ones_dropped() {
        let items: Vec<_> =
            weighted("fa-IR, fa;q=0.9 , en;Q=0.5,,x;q=abc, y;q=1.5, z;q=0, *;q=0.001").collect();
        assert_eq!(
            items,
            [
                ("fa-IR", 1000),
                ("fa", 900),
                ("en", 500),
                ("z", 0),
                ("*", 1)
            ]
        );
    }
}
