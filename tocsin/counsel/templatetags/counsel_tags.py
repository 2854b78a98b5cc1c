from django import template
from django_countries import countries

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    """The country's name in the page's language, or the code if it has none."""
    return str(countries.name(code)) or code
