//! Numbers in messages, formatted by ICU4X for the message's locale: Persian gets Persian
//! digits and grouping (۱٬۲۳۴), English 1,234. Installed as the Fluent bundle's formatter hook,
//! since `fluent-bundle`'s own `NUMBER` only pads fraction digits (Latin digits, no grouping).

use fixed_decimal::{Decimal, FloatPrecision};
use fluent_bundle::{types::FluentNumber, FluentValue};
use icu_decimal::{
    options::{DecimalFormatterOptions, GroupingStrategy},
    DecimalFormatter, DecimalFormatterPreferences,
};
use intl_memoizer::{concurrent::IntlLangMemoizer, Memoizable};
use unic_langid::LanguageIdentifier;

/// One ICU decimal formatter per (locale, grouping), built lazily and cached by Fluent's
/// memoizer.
pub struct NumberFormatter(DecimalFormatter);

impl Memoizable for NumberFormatter {
    /// Whether to use grouping separators (`NUMBER($n, useGrouping: "false")` turns them off).
    type Args = (bool,);
    type Error = String;

    fn construct(lang: LanguageIdentifier, (grouping,): Self::Args) -> Result<Self, String> {
        let locale: icu_locale_core::Locale = lang
            .to_string()
            .parse()
            .map_err(|e| format!("{lang}: {e:?}"))?;
        let mut options = DecimalFormatterOptions::default();
        if !grouping {
            options.grouping_strategy = Some(GroupingStrategy::Never);
        }
        DecimalFormatter::try_new(DecimalFormatterPreferences::from(&locale), options)
            .map(NumberFormatter)
            .map_err(|e| format!("{lang}: {e}"))
    }
}

/// Fluent's formatter hook: numbers through ICU4X, everything else as Fluent does it.
pub fn format_value(value: &FluentValue<'_>, memoizer: &IntlLangMemoizer) -> Option<String> {
    let FluentValue::Number(number) = value else {
        return None;
    };
    let decimal = to_decimal(number)?;
    memoizer
        .with_try_get::<NumberFormatter, _, _>((number.options.use_grouping,), |f| {
            f.0.format_to_string(&decimal)
        })
        .ok()
}

fn to_decimal(number: &FluentNumber) -> Option<Decimal> {
    let mut d = Decimal::try_from_f64(number.value, FloatPrecision::RoundTrip).ok()?;
    let opts = &number.options;
    if let Some(max) = opts.maximum_fraction_digits {
        d.round(-(max.min(20) as i16));
    }
    if let Some(min) = opts.minimum_fraction_digits {
        d.absolute.pad_end(-(min.min(20) as i16));
    }
    if let Some(min) = opts.minimum_integer_digits {
        d.absolute.pad_start(min.min(20) as i16);
    }
    Some(d)
}
