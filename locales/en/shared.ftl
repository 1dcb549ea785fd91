## Shared by every page: site name, header, navigation, language switcher, footer.

# The campaign's name. Use it through { -site-name } so it is written one way everywhere.
-site-name = Socialist Campaign for Democracy in Iran

# Site title at the start of the header, a link to the home page.
site-title = { -site-name }

# Browser tab / window title of inner pages. $page is the page's heading.
page-title = { $page } – { -site-name }

# Browser tab title of the contact page when the form has errors (screen readers announce it).
page-title-invalid = Error: { $page } – { -site-name }

# First link on every page, visible on keyboard focus; jumps past the header to the content.
skip-link = Skip to main content

# Accessible name of the main navigation (read by screen readers, not shown).
nav-label = Main
# Navigation links in the header.
nav-home = Home
nav-platform = Our platform
nav-people = Who we are
nav-contact = Contact

# Accessible name of the language switcher (read by screen readers, not shown).
switcher-label = Language

# Notice at the top of every page of a language still being translated, which readers are
# not offered yet (it can be previewed at its address). $percent (number): how much of the
# site is translated.
preview-notice = Preview: { $percent } % of this language is translated. It is not offered to readers yet; what is not translated shows in English.

# Banner on every page in `serve --watch` mode when the last edit of a locale or template file
# could not be loaded; the error itself follows it (in English, with file:line:col).
reload-error-title = Your last edit could not be loaded, so the previous version is still shown. The error:

# Banner on every page in `serve --watch` mode when the locale check finds problems in the
# files (a message with an error is shown in English); the errors and warnings follow it (in
# English, with file:line:col, the message id and the line).
check-error-title = The locale check found problems. A message with an error is shown in English until you fix it:

# Footer: the campaign's name.
footer-campaign = { -site-name }
# Footer link to the contact page.
footer-contact = Get in touch
# Footer link to the privacy page.
footer-privacy = Privacy
# Footer link to the licence of the Persian font.
footer-font-licence = Persian font: Vazirmatn (SIL Open Font License)
# Footer heading over the list of the site's other addresses (copies of the site on other
# hosts, the Tor onion address), for readers who cannot reach the one they are on.
footer-other-addresses = Other addresses of this site
# The page at the root of a copy of the site (a mirror) shows this link once per language,
# each in its own language, to choose which to read.
choose-language = Read the site in English

# Description of the image shown in link previews (social media, messengers), for people who
# cannot see it. The image shows the campaign's name in English and Persian.
share-image-alt = The name of the Socialist Campaign for Democracy in Iran, in English and Persian
