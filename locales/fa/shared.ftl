## Shared by every page: site name, header, navigation, language switcher, footer.

-site-name = کارزار سوسیالیستی برای دموکراسی در ایران
site-title = { -site-name }
page-title = { $page } – { -site-name }
page-title-invalid = خطا: { $page } – { -site-name }
skip-link = رفتن به محتوای اصلی
nav-label = منوی اصلی
nav-home = صفحهٔ نخست
nav-platform = برنامهٔ ما
nav-people = ما کیستیم
nav-contact = تماس با ما
switcher-label = زبان
preview-notice = پیش‌نمایش: { $percent } درصد از وب‌سایت به این زبان ترجمه شده است. این زبان هنوز به خوانندگان پیشنهاد نمی‌شود و آنچه ترجمه نشده به انگلیسی نمایش داده می‌شود.
reload-error-title = آخرین ویرایش شما بارگذاری نشد و نسخهٔ پیشین همچنان نمایش داده می‌شود. خطا:
check-error-title = بررسی ترجمه‌ها مشکلاتی یافت. پیامی که خطا دارد تا زمانی که آن را درست کنید به انگلیسی نمایش داده می‌شود:
footer-campaign = { -site-name }
footer-contact = با ما در تماس باشید
footer-privacy = حریم خصوصی
footer-font-licence = قلم فارسی: وزیرمتن (با مجوز SIL Open Font License)
footer-other-addresses = نشانی‌های دیگر این وب‌سایت
choose-language = خواندن وب‌سایت به فارسی

share-image-alt = نام کارزار سوسیالیستی برای دموکراسی در ایران، به انگلیسی و فارسی
