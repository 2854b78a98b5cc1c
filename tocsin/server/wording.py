"""Messages several apps give in the same words, with the plural forms a
count needs in Russian (1 символ, 2 символа, 5 символов)."""

from django.utils.translation import ngettext


def at_most_characters(limit: int) -> str:
    return ngettext("At most %(max)d character.", "At most %(max)d characters.", limit) % {"max": limit}


def name_longer_than(limit: int) -> str:
    return ngettext("The name is longer than %(max)d character.",
                    "The name is longer than %(max)d characters.", limit) % {"max": limit}
