"""The base of our forms: Flask-WTF's CSRF-protected form, speaking Simplified Chinese.

Validation messages come from WTForms' own ``zh`` catalogue, so "该字段是必填字段。"
rather than "This field is required." reaches residents, judges and organisers,
without adding a translation framework to the site.
"""
from __future__ import annotations

from functools import lru_cache

from flask_wtf import FlaskForm
from wtforms.i18n import get_translations


@lru_cache(maxsize=1)
def _chinese():
    return get_translations(["zh"])


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _chinese()
