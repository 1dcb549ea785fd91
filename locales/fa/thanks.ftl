## Thanks page, shown after a message was sent (/fa/contact/thanks).

thanks-description = پیام شما به دست ما رسید.
thanks-heading = از پیام شما سپاسگزاریم!
thanks-body = پیام شما به دست ما رسید و در نخستین فرصت به آن پاسخ می‌دهیم.
thanks-back = بازگشت به صفحهٔ نخست
