## Error pages. Each has a heading (also the browser tab title) and a short explanation.

# 400: the request could not be read (e.g. a broken form submission).
error-400-title = Bad request
error-400-body = The request could not be understood. Please go back and try again.

# 403: a form was sent from another website (protection against forged requests).
error-403-title = Request refused
error-403-body = This form can only be sent from this website. Please open the page again and send it from there.

# 404: no page at this address.
error-404-title = Page not found
error-404-body = There is no page at this address. Please check the address, or start again from the home page.

# 405: a page was asked for in a way it does not support (e.g. sending data to a text page).
error-405-title = Not allowed
error-405-body = This page cannot be used in that way.

# 408: the request took too long to arrive (a very slow or broken connection).
error-408-title = Request timed out
error-408-body = Your request took too long to arrive. Please check your connection and try again.

# 413: more data was sent than the site accepts.
error-413-title = Too large
error-413-body = What you sent is too large. Please shorten your message and try again.

# 415: a form was sent in a format the site does not accept.
error-415-title = Unsupported format
error-415-body = The form was sent in a format this site does not accept. Please send it again from the contact page.

# 414: the address (URL) is far too long.
error-414-title = Address too long
error-414-body = This address is too long to be a page of this site. Please check it, or start again from the home page.

# 429: too many messages sent from the same connection in a short time (spam protection).
error-429-title = Too many messages
error-429-body = Too many messages have been sent from your connection in a short time. Please wait a few minutes and try again; your message was not sent.

# 500 and other server errors: our fault; no details are shown.
error-500-title = Something went wrong
error-500-body = Sorry, there was a problem on our side. Please try again later.

# Any other error.
error-other-title = Something went wrong
error-other-body = Sorry, this request could not be completed.

# Link on every error page back to the home page.
error-home-link = Go to the home page
