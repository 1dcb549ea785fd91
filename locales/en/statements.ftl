## Statements: the campaign's dated texts, the list of them, and the home page's newest ones.

# Navigation link in the header (shown once the campaign has published a statement).
nav-statements = Statements

# Heading of the list of statements, and its description for search engines and link previews.
statements-heading = Statements
statements-description = Statements of the Socialist Campaign for Democracy in Iran, newest first.

# After the title of a statement that is not written in the page's language; $language is the
# tag of the language it is written in (en, fa).
statements-only-in = { $language ->
    [fa] (in Persian only)
   *[en] (in English only)
}

# The list is split into pages; $page and $pages are numbers.
statements-page = Page { $page } of { $pages }
statements-newer = Newer statements
statements-older = Older statements
# Accessible name of the page links (read by screen readers, not shown).
statements-pages-label = Pages of statements

# On a statement's page, when it was changed after it was published; $date is the date.
statements-updated = Updated { $date }

# On the home page, above the newest statements, with a link to all of them.
home-statements-heading = Latest statements
home-statements-all = All statements

# Title of the feed (Atom) of statements, shown by feed readers and in the page's feed link.
statements-feed-title = Statements – { -site-name }
