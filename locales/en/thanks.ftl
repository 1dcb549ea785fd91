## Thanks page, shown after a message was sent (/en/contact/thanks).

# Meta description of the thanks page.
thanks-description = Your message has been received.

# Main heading of the thanks page (campaign text, verbatim).
thanks-heading = Thanks for submitting!

# Text under the heading.
thanks-body = We have received your message and will reply as soon as we can.

# Link back to the home page.
thanks-back = Back to the home page
