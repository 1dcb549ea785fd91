//! Any request body: decoding either succeeds or reports invalid UTF-8, and validation of
//! whatever decodes never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scdi_site::form::ContactForm;

fuzz_target!(|data: &[u8]| {
    if let Ok(form) = ContactForm::decode(data) {
        let errors = form.validate();
        assert!(errors.iter().all(|e| ["name", "email", "message"].contains(&e.field)));
    }
});
