//! Dates in the reader's calendar, formatted by ICU4X for the locale's region: on Persian
//! pages the Solar Hijri date with Persian digits and month names (2022-09-16 is
//! «۲۵ شهریور ۱۴۰۱»), on English ones "16 September 2022" (British, for a UK campaign).

use icu_calendar::Date;
use icu_datetime::{fieldsets::YMD, DateTimeFormatter};

/// A long date formatter for one locale, in the calendar its region uses (Iran's is the
/// Solar Hijri calendar).
pub struct DateFormat(DateTimeFormatter<YMD>);

impl DateFormat {
    /// For the locale tag `tag` with its region (`fa-IR`, `en-GB`): the region picks the
    /// calendar and the date's order; `None` when ICU4X has no data for it.
    pub fn new(tag: &str) -> Option<Self> {
        let locale: icu_locale_core::Locale = tag.parse().ok()?;
        DateTimeFormatter::try_new(locale.into(), YMD::long())
            .ok()
            .map(DateFormat)
    }

    /// `day` as this locale writes it.
    pub fn format(&self, day: time::Date) -> String {
        match Date::try_new_iso(day.year(), day.month() as u8, day.day()) {
            Ok(iso) => self.0.format(&iso).to_string(),
            Err(_) => day.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persian_pages_get_the_solar_hijri_date_and_english_ones_the_british_date() {
        let day = time::macros::date!(2022 - 09 - 16);
        assert_eq!(
            DateFormat::new("fa-IR").unwrap().format(day),
            "۲۵ شهریور ۱۴۰۱"
        );
        assert_eq!(
            DateFormat::new("en-GB").unwrap().format(day),
            "16 September 2022"
        );
    }
}
