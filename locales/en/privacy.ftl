## Privacy page (/en/privacy): what the site does with what readers send it. Every fact on
## it is read from the site's settings: the page picks among these messages and fills in
## their numbers and names, so that it always says what the running site does.

# Meta description of the privacy page.
privacy-description = What happens to a message you send the { -site-name }: what is kept, for how long, who sees it, and your rights.

# Main heading of the privacy page (also in the browser tab title).
privacy-heading = Privacy

# Under the heading.
privacy-lead = This page says what this website does with what you send it. It is written from the settings the site runs with, so it changes when they do.

privacy-kept-heading = What we keep
privacy-kept = When you send a message through the contact form, we keep what you typed into it (your name, your email address and your message), the time it arrived, and the language of the page you sent it from.
privacy-purpose = We use them only to read your message and to reply to you, because you asked us to by sending it. You can take that back at any time by asking us to delete your message.

privacy-not-kept-heading = What we do not keep
privacy-not-kept = We do not keep your IP address with your message, and the site keeps no record of who visits it. It uses no analytics, loads nothing from other websites and needs no JavaScript. Its only cookie remembers the language you choose, if you choose one with the language link.
# Only when the form limits how many messages an address may send. $minutes (number): how
# long, at most, the site holds an address after the last message sent from it.
privacy-limit = To stop floods of messages, the site counts the messages sent from each address, and forgets the address at most { $minutes } minutes after the last one.

privacy-time-heading = How long we keep it
# When messages are deleted automatically. $days (number): days after a message arrives.
privacy-time-days = Each message is deleted automatically { $days } days after it arrives, or sooner if you ask us.
# When messages are not deleted automatically.
privacy-time-until-deleted = Messages are kept until the organisers delete them. Ask us, and we will delete yours.

privacy-recipients-heading = Who sees it
privacy-recipients = Only the campaign's organisers. We never sell what you send us or pass it to anyone else.
# When organisers get each message by email.
privacy-recipients-email-full = Each message is sent to the organisers by email, so it passes through their email provider.
# When organisers are only told by email that a message arrived.
privacy-recipients-email-notice = The organisers are told by email that a message has arrived. The email does not contain your name, your address or your words, which stay on the site's server.
# When each message goes to the organisers' own web service too. $host: its address, like
# hooks.example.org.
privacy-recipients-webhook-full = Each message is also passed to the organisers' own service at { $host }.
# When that service is only told that a message arrived. $host: as above.
privacy-recipients-webhook-notice = The organisers' own service at { $host } is told that a message has arrived, without its contents.

privacy-rights-heading = Your rights
privacy-rights = You can ask to see what we hold about you, to have it corrected, or to have it deleted. We will answer within a month.
# "Data controller" is the term of the UK's data protection law.
privacy-controller = The { -site-name } is responsible for what you send us: in the words of the law, it is the data controller.
# Followed by the campaign's email address for such requests.
privacy-ask-address = To use your rights, write to:
# When there is no such address: the contact form is the way.
privacy-ask-form = To use your rights, send us a message through the contact form and say which of your messages it is about.
privacy-complaint = If you are in the UK and unhappy with how we handle your data, you can complain to the Information Commissioner's Office (ico.org.uk).

privacy-copies-heading = Copies of this site
privacy-copies = Copies of this site at other addresses are there for readers who cannot reach it. The contact form on a copy sends your message to the campaign's main site, which keeps it as this page says; the copy itself keeps nothing.

# At the foot of the page. $date: a date, written out: the day the wording changed, or the
# settings the page states, whichever was later.
privacy-changed = This page last changed on { $date }. Its facts are read from the site's settings, so it changes as soon as they do.
# The same, on a copy of the site (a mirror). $date: as above.
privacy-changed-copy = The wording of this page last changed on { $date }. This copy states the main site's settings as they were when the copy was made.
