## Contact page: the form (/fa/contact) and its validation messages.

contact-description = با کارزار سوسیالیستی برای دموکراسی در ایران در تماس باشید.
contact-heading = تماس با ما
contact-invitation = با ما در تماس باشید تا همکاری را آغاز کنیم.
contact-mirror-note = این صفحه رونوشتی از وب‌سایت کارزار است. این فرم پیام شما را به وب‌سایت اصلی کارزار می‌فرستد؛ اگر پیام فرستاده نشد، از یکی از نشانی‌های دیگر این وب‌سایت که در پایین صفحه آمده‌اند دوباره تلاش کنید.
contact-name-label = نام
contact-name-placeholder = نام شما
contact-email-label = نشانی ایمیل
contact-email-hint = فقط برای پاسخ دادن به شما از آن استفاده می‌کنیم.
contact-message-label = پیام
contact-message-hint = به فارسی یا انگلیسی بنویسید؛ حداکثر { $max } نویسه.
contact-message-placeholder = دوست دارید چگونه با هم همکاری کنیم؟
contact-honeypot-label = این کادر را خالی بگذارید
contact-submit = فرستادن پیام
contact-errors-title = لطفاً فرم را بررسی کنید
contact-not-sent-title = ممکن است پیام شما فرستاده نشده باشد
contact-not-sent-body = به سبب مشکلی در سرور ما، مطمئن نیستیم که پیام شما ذخیره شده باشد. همهٔ آنچه نوشته‌اید هنوز در فرم زیر هست؛ لطفاً چند دقیقهٔ دیگر دوباره آن را بفرستید. فرستادن دوباره بی‌خطر است: اگر پیام بار نخست رسیده باشد، آن را دو بار دریافت نمی‌کنیم. می‌توانید نسخه‌ای از متن خود را هم جای امنی نگه دارید.
contact-error-name-required = نام خود را وارد کنید.
contact-error-name-too-long = نام شما باید حداکثر { $max } نویسه باشد.
contact-error-name-invalid = نام شما نویسه‌هایی دارد که نمی‌توان از آن‌ها استفاده کرد.
contact-error-email-required = نشانی ایمیل خود را وارد کنید.
contact-error-email-invalid = نشانی ایمیل را به شکل درست وارد کنید؛ برای نمونه: name@example.org
contact-error-message-required = پیام خود را بنویسید.
contact-error-message-too-long = پیام شما باید حداکثر { $max } نویسه باشد.
contact-error-message-invalid = پیام شما نویسه‌هایی دارد که نمی‌توان از آن‌ها استفاده کرد.
