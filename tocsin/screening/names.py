# ruff: noqa: RUF001, RUF002, RUF003 -- Cyrillic names and «» quotes are the data here
"""Comparing organisation (and people's) names the way enforcement paperwork writes them.

Paperwork writes one organisation as «Автономная некоммерческая организация
"Аналитический центр Юрия Левады"», "АНО Аналитический центр Юрия Левады",
"ANALITICHESKIY TSENTR YURIYA LEVADY", "Analitičeskij centr Ûrija Levady" or
with a typo. A check that misses any of these gives false comfort, so every
name is reduced to *keys*: its words without quotes, punctuation and legal form,
each word spelled in one phonetic Latin *skeleton* where the Cyrillic original
and every transliteration scheme (GOST 7.79, ISO 9, BGN/PCGN, ICAO, everyday)
meet. Keys are compared with rapidfuzz, which absorbs word order and typos.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from tocsin.screening.legal_forms import LEGAL_FORMS

# Letters that look the same in both scripts, compared before lowercasing.
# Case matters: "Н" looks like "H", "н" like nothing Latin.
_LATIN_LOOKING_CYRILLIC = dict(zip("АВЕКМНОРСТУХІаекорсухі", "ABEKMHOPCTYXIaekopcyxi", strict=True))
_CYRILLIC_LOOKING_LATIN = {latin: cyrillic for cyrillic, latin in _LATIN_LOOKING_CYRILLIC.items()}

_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Other Cyrillic alphabets of the programme's countries.
    "і": "i", "ї": "i", "є": "e", "ў": "u", "ґ": "g", "ә": "a", "ғ": "g", "қ": "k",
    "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "җ": "zh",
}
# Latin letters with diacritics that stand for a Cyrillic digraph (ISO 9 and
# scientific transliteration); other diacritics are simply dropped.
_DIACRITIC_LATIN = {"ž": "zh", "š": "sh", "č": "ch", "ŝ": "shch", "û": "yu", "â": "ya",
                    "ë": "yo", "è": "e", "ǵ": "g", "ḱ": "k"}

# Apostrophe-like marks inside a word are soft/hard signs (or an apostrophe):
# dropped so "obʺyavlenie" stays one word.
_SIGNS = "'’‘`ʹʺʼ″”\"´"
_SIGN_INSIDE_WORD = re.compile(rf"(?<=\w)[{_SIGNS}]+(?=\w)")
_NON_WORD = re.compile(r"[\W_]+")
_OPEN_QUOTES = "«„“\"‹"
_CLOSE_QUOTES = "»“”\"›"

# Applied in order to a Latin spelling; each step merges what different
# transliteration schemes write differently for the same Cyrillic letter.
_SKELETON_STEPS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in (
        (r"shch|sch|shh|sh", "w"),       # щ and ш: ŝ, shch, shh, sch; š, sh
        (r"ch", "q"),                    # ч
        (r"zh", "z"),                    # ж (and з: one letter apart anyway)
        (r"kh|x", "h"),                  # х: kh, x (GOST 7.79), h (ISO 9)
        (r"ts|tc|tz|cz", "c"),           # ц: ts, tc, cz (GOST 7.79), c (ISO 9)
        (r"[yj]", "i"),                  # й, ы and the glide of я/ю/ё/е
        (r"(\D)\1+", r"\1"),             # doubled letters (not digits), and ii from ий/ый
        (r"ie|io", "e"),                 # ye/e, yo/e (ё written е)
        (r"(\D)\1+", r"\1"),
    )
)


def _script_of(word: str) -> str:
    """The script of a word typed in two: decided by the letters that exist
    in one script only ("Ц" in "ЦEHTP"), else by the count of all letters."""
    cyrillic = [ch for ch in word if "\u0400" <= ch <= "\u04ff"]
    latin = [ch for ch in word if "a" <= ch.lower() <= "z"]
    only_cyrillic = sum(1 for ch in cyrillic if ch not in _LATIN_LOOKING_CYRILLIC)
    only_latin = sum(1 for ch in latin if ch not in _CYRILLIC_LOOKING_LATIN)
    if only_cyrillic != only_latin:
        return "cyrillic" if only_cyrillic > only_latin else "latin"
    return "cyrillic" if len(cyrillic) >= len(latin) else "latin"


def _unmix(word: str) -> str:
    """A word typed in two scripts (Latin "о" in "Мемoриал") is read in its
    script, the look-alike letters of the other one swapped back."""
    has_cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in word)
    has_latin = any("a" <= ch.lower() <= "z" for ch in word)
    if not (has_cyrillic and has_latin):
        return word
    if _script_of(word) == "cyrillic":
        return "".join(_CYRILLIC_LOOKING_LATIN.get(ch, ch) for ch in word)
    return "".join(_LATIN_LOOKING_CYRILLIC.get(ch, ch) for ch in word)


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """The phonetic Latin skeleton of one lowercase word, whatever its script."""
    latin = "".join(_CYRILLIC_TO_LATIN.get(ch, _DIACRITIC_LATIN.get(ch, ch)) for ch in word)
    latin = "".join(ch for ch in unicodedata.normalize("NFKD", latin)
                    if not unicodedata.combining(ch))
    for pattern, replacement in _SKELETON_STEPS:
        latin = pattern.sub(replacement, latin)
    return latin


@lru_cache(maxsize=200_000)
def _word_skeleton(word: str) -> str:
    # Look-alikes are resolved in the word's own case, then it is lowercased.
    return skeleton(_unmix(word).casefold().replace("ё", "е"))


def words(text: str) -> list[str]:
    """Lowercase words of ``text`` as skeletons, punctuation and quotes gone."""
    text = _SIGN_INSIDE_WORD.sub("", unicodedata.normalize("NFKC", text))
    return [_word_skeleton(word) for word in _NON_WORD.sub(" ", text).split()]


def _phrase_words(phrase: str) -> tuple[str, ...]:
    return tuple(words(phrase))


_LEGAL_PHRASES: tuple[tuple[str, ...], ...] = tuple(sorted(
    {_phrase_words(phrase) for _, phrases in LEGAL_FORMS for phrase in phrases},
    key=len, reverse=True,
))


def _same_legal_word(word: str, form_word: str) -> bool:
    # Long legal-form words also match declined ("общественной") or slightly
    # misspelt forms by their stem; short ones ("ано", "фонд") only exactly.
    if word == form_word:
        return True
    if len(form_word) < 6:
        return False
    stem = form_word[:-2]
    return word.startswith(stem) and len(word) - len(stem) <= 3


# Phrases by the first three letters of their first word: a word can only
# begin a phrase whose first word shares them (see ``_same_legal_word``).
_PHRASES_BY_START: dict[str, list[tuple[str, ...]]] = {}
for _phrase in _LEGAL_PHRASES:
    _PHRASES_BY_START.setdefault(_phrase[0][:3], []).append(_phrase)


def _legal_form_at(tokens: list[str], start: int) -> int:
    """Length of the longest legal-form phrase starting at ``tokens[start]``, or 0."""
    for phrase in _PHRASES_BY_START.get(tokens[start][:3], ()):
        end = start + len(phrase)
        if end <= len(tokens) and all(
            _same_legal_word(tokens[start + i], form_word) for i, form_word in enumerate(phrase)
        ):
            return len(phrase)
    return 0


def _without_legal_forms(tokens: list[str]) -> list[str]:
    kept: list[str] = []
    i = 0
    while i < len(tokens):
        length = _legal_form_at(tokens, i)
        if length:
            i += length
        else:
            kept.append(tokens[i])
            i += 1
    return kept


def _strip_ends(tokens: list[str]) -> list[str]:
    """Legal forms at the start or end of an unquoted name, keeping a named core."""
    changed = True
    while changed and tokens:
        changed = False
        length = _legal_form_at(tokens, 0)
        if length and _has_letters(tokens[length:]):
            tokens, changed = tokens[length:], True
        for cut in range(1, min(len(tokens), 6)):
            if _legal_form_at(tokens, len(tokens) - cut) == cut and _has_letters(tokens[:-cut]):
                tokens, changed = tokens[:-cut], True
                break
    return tokens


def _has_letters(tokens: list[str]) -> bool:
    return any(not token.isdigit() for token in tokens)


_QUOTED = re.compile(rf"[{_OPEN_QUOTES}](.*)[{_CLOSE_QUOTES}]", re.S)


def _split_quoted(text: str) -> tuple[str, str] | None:
    """(inside, outside) of the outermost quotes, when the name has a quoted part."""
    found = _QUOTED.search(text)
    if found is None or not found.group(1).strip():
        return None
    return found.group(1), text[:found.start()] + " " + text[found.end():]


@lru_cache(maxsize=20_000)
def _outside_words(outside: str) -> tuple[str, ...]:
    # What stands outside the quotes is mostly a legal form, the same few
    # thousand strings across a registry: cached.
    return tuple(_without_legal_forms(words(outside)))


@lru_cache(maxsize=100_000)
def name_keys(name: str) -> tuple[str, ...]:
    """The ways a name may be compared, most specific first.

    A quoted name's core is what is inside the quotes; words outside that are
    not a legal form ("инвалидов", a city) make a second key. An unquoted
    name loses legal forms at its start and end, and keeps a key with all its
    words; a quoted core also appears without legal forms at its ends. So
    "Glasnost Defence Foundation" meets "Public Foundation «Glasnost Defence
    Foundation»" either way."""
    keys: list[list[str]] = []
    quoted = _split_quoted(unicodedata.normalize("NFKC", name))
    if quoted:
        inside = words(quoted[0])
        extra = _outside_words(quoted[1])
        keys.append(inside)
        if extra:
            keys.append(inside + list(extra))
        keys.append(_strip_ends(inside))
    else:
        every = words(name)
        keys.append(_strip_ends(every))
        keys.append(every)
    result: list[str] = []
    for key in keys:
        joined = " ".join(key)
        if joined and joined not in result:
            result.append(joined)
    return tuple(result)


def normalise(name: str) -> str:
    """The name's main comparison key: skeleton words, no quotes or legal form."""
    keys = name_keys(name)
    return keys[0] if keys else ""


def _numbers(key: str) -> str:
    # In order and run together, so "780" written "7 80" is one typo away.
    return "".join(token for token in key.split() if token.isdigit())


def key_score(a: str, b: str) -> float:
    """0..100 for two keys (``name_keys`` output)."""
    if not a or not b:
        return 0.0
    score = max(
        fuzz.token_sort_ratio(a, b),
        # "Редакционно-издательский" written as one word, or two words run together.
        fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")),
        # Every word of the shorter name inside the longer one ("Ночлежка"
        # against "Ночлежка СтройИнвест"): likely, never certain.
        min(fuzz.token_set_ratio(a, b), 88.0),
    )
    numbers_a, numbers_b = _numbers(a), _numbers(b)
    if numbers_a != numbers_b:
        if numbers_a and numbers_b and OSA.distance(numbers_a, numbers_b) > 1:
            # "Центр 571" and "Центр 812" are different organisations.
            score = min(score, 60.0)
        else:
            score -= 5
    return max(0.0, min(100.0, float(score)))


def keys_score(keys_a: tuple[str, ...], keys_b: tuple[str, ...]) -> float:
    return max((key_score(a, b) for a in keys_a for b in keys_b), default=0.0)


def name_score(a: str, b: str) -> float:
    """How alike two names are, 0..100, tolerant of legal forms, transliteration,
    case, quotes, word order and typos. 100 means the same name."""
    return keys_score(name_keys(a), name_keys(b))
