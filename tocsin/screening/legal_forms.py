# ruff: noqa: RUF001 -- Cyrillic names and «» quotes are the data here
"""Legal forms that paperwork adds, abbreviates, translates or drops.

The one place the table lives. Each row is a legal form with the ways it is
written in Russian (full and abbreviated) and English. Transliterated spellings
("ANO", "Avtonomnaya nekommercheskaya organizatsiya") need no rows of their own:
phrases are compared by their phonetic skeleton (see ``names.skeleton``), where
every transliteration scheme and the Cyrillic original meet. Declined forms
("общественной организации") are caught by comparing long words by their stem.
"""

from __future__ import annotations

LEGAL_FORMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ANO", ("автономная некоммерческая организация", "ано",
             "autonomous non profit organization", "autonomous non profit organisation",
             "autonomous nonprofit organization", "autonomous non commercial organization",
             "ano")),
    ("NKO", ("некоммерческая организация", "нко", "non profit organization",
             "non profit organisation", "nonprofit organization", "non commercial organization",
             "npo", "nco")),
    ("MOO", ("межрегиональная общественная организация", "моо",
             "interregional public organization", "interregional public organisation",
             "inter regional public organization", "interregional non governmental organization")),
    ("ROO", ("региональная общественная организация", "роо",
             "regional public organization", "regional public organisation")),
    ("MezhdOO", ("международная общественная организация", "international public organization",
                 "international public organisation")),
    ("OO", ("общественная организация", "оо", "public organization", "public organisation",
            "non governmental organization", "non governmental organisation", "ngo")),
    ("OD", ("общественное движение", "од", "public movement", "social movement")),
    ("OB", ("общественное объединение", "public association")),
    ("BF", ("благотворительный фонд", "бф", "charitable foundation", "charity foundation",
            "charitable fund", "charity fund", "charity")),
    ("OF", ("общественный фонд", "оф", "public foundation", "public fund")),
    ("NF", ("некоммерческий фонд", "нф", "non profit foundation", "nonprofit foundation")),
    ("F", ("фонд", "foundation", "fund")),
    ("ANKO", ("ассоциация некоммерческих организаций", "association of non profit organizations",
              "association of non profit organisations")),
    ("A", ("ассоциация", "association")),
    ("S", ("союз", "union")),
    ("OYuL", ("объединение юридических лиц", "association of legal entities")),
    ("U", ("учреждение", "частное учреждение", "чу", "institution", "private institution")),
    ("OOO", ("общество с ограниченной ответственностью", "ооо", "limited liability company",
             "llc", "ltd", "limited", "ooo")),
    ("AO", ("акционерное общество", "ао", "joint stock company", "jsc")),
    ("PAO", ("публичное акционерное общество", "пао", "public joint stock company", "pjsc")),
    ("ZAO", ("закрытое акционерное общество", "зао", "closed joint stock company", "cjsc")),
    ("OAO", ("открытое акционерное общество", "оао", "open joint stock company", "ojsc")),
    ("IP", ("индивидуальный предприниматель", "ип", "individual entrepreneur", "sole proprietor")),
    ("SMI", ("средство массовой информации", "сми", "редакция сми", "mass media outlet")),
)
