"""Language choice: Simplified Chinese unless the user picked another language.

Django's LocaleMiddleware follows the browser's Accept-Language, which would show English
to staff whose browser happens to be set to English. Anju's console is Chinese by default;
English is an explicit choice in the navbar (stored in the language cookie).
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

_SUPPORTED = {code for code, _name in settings.LANGUAGES}


class ChosenLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in _SUPPORTED else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
