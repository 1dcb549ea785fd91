## Statements: the campaign's dated texts, the list of them, and the home page's newest ones.

nav-statements = بیانیه‌ها
statements-heading = بیانیه‌ها
statements-description = بیانیه‌های کارزار سوسیالیستی برای دموکراسی در ایران، از تازه‌ترین.
statements-only-in = { $language ->
    [fa] (فقط به فارسی)
   *[en] (فقط به انگلیسی)
}
statements-page = صفحهٔ { $page } از { $pages }
statements-newer = بیانیه‌های تازه‌تر
statements-older = بیانیه‌های پیشین
statements-pages-label = صفحه‌های بیانیه‌ها
statements-updated = به‌روزشده در { $date }
home-statements-heading = تازه‌ترین بیانیه‌ها
home-statements-all = همهٔ بیانیه‌ها
statements-feed-title = بیانیه‌ها – { -site-name }
