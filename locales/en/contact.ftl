## Contact page: the form (/en/contact) and its validation messages.

# Meta description of the contact page.
contact-description = Get in touch with the Socialist Campaign for Democracy in Iran.

# Main heading of the contact page (also in the browser tab title).
contact-heading = Contact

# Invitation under the heading (campaign text, verbatim).
contact-invitation = Get in touch so we can start working together.
# On a copy of the site (a mirror) only, under the invitation: the form sends to the
# campaign's main site, which may be blocked where the reader is.
contact-mirror-note = This is a copy of the campaign's website. The form sends your message to the campaign's main site; if sending does not work, try again from one of this site's other addresses, listed at the foot of the page.

# Form field labels, hints and placeholders. Placeholders are examples, shown in empty fields.
contact-name-label = Name
contact-name-placeholder = Your name
contact-email-label = Email address
contact-email-hint = We only use it to reply to you.
contact-message-label = Message
# $max (number): the longest message accepted, in characters.
contact-message-hint = Write in English or Persian, up to { $max } characters.
contact-message-placeholder = How would you like to work together?

# Label of a hidden trap field that only spam robots fill in; people never see it, but screen
# readers could, so it tells them what to do.
contact-honeypot-label = Leave this field empty

# The submit button.
contact-submit = Send message

# Heading of the box listing the form's errors, shown above the form.
contact-errors-title = Please check the form

# Shown above the form when a message could not be stored, or it is unknown whether it
# was, because of a problem on the server (e.g. its disk is full, or the database stopped
# answering during the save). The form below still holds everything the reader typed; a
# message sent again within a day is recognised and never received twice.
contact-not-sent-title = Your message may not have been sent
contact-not-sent-body = Because of a problem on our server, we cannot be sure your message was saved. Everything you wrote is still in the form below: please send it again in a few minutes. Sending it again is safe: if it did arrive the first time, we will not receive it twice. You can also keep a copy of your text somewhere safe.

# Validation errors, shown next to the field and in the box above the form.
contact-error-name-required = Enter your name.
# $max (number): the limit, in characters.
contact-error-name-too-long = Your name must be { $max } characters or fewer.
contact-error-name-invalid = Your name contains characters that cannot be used.
contact-error-email-required = Enter your email address.
contact-error-email-invalid = Enter an email address in the correct format, like name@example.org.
contact-error-message-required = Enter your message.
# $max (number): the limit, in characters.
contact-error-message-too-long = Your message must be { $max } characters or fewer.
contact-error-message-invalid = Your message contains characters that cannot be used.

# A note above the form for readers at risk (writing from Iran, for instance): how to write
# safely.
contact-safety-heading = Before you write
contact-safety-device = Write from a device and a network you trust: not a shared or work computer, and not a network others watch.
contact-safety-email = An email address that is not tied to your name works: we only need it to reply.
contact-safety-name = We need nothing but your message and an address to reply to: the name can be any name you choose.
# Only when the site has an onion service; its address follows.
contact-safety-onion = With Tor Browser, you can reach this site at its onion address:
# Only when the site has other addresses (copies); they follow.
contact-safety-copies = If this address is blocked, the site is also at:

# Beside the send button: a link to the privacy page.
contact-privacy-link = What happens to your message
