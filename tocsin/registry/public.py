"""What anyone may learn about an organisation (on /verify/, on the certificate).

Name, kind and country are always public: a certificate that does not name
its holder proves nothing, and kind and country are what coverage turns on.
Every other field is shown only if the organisation listed it in
``public_fields``; a group at risk may not want its address or even its
registration numbers shown to whoever scans its certificate. Contacts are
never public, whatever the list says.
"""

from __future__ import annotations

from typing import Any

from tocsin.registry.models import Organisation

ALWAYS_PUBLIC = ("ref", "name", "kind", "country")
# Fields an organisation may choose to show; anything else in public_fields is ignored.
MAY_BE_PUBLIC = ("name_en", "inn", "ogrn", "identifiers", "address", "mission", "status")
_KIND_LABELS = dict(Organisation.Kind.choices)


def public_details(org: Organisation) -> dict[str, Any]:
    """The organisation's public details, as plain JSON-ready values.

    Always ``ref``, ``name``, ``kind`` (and ``kind_label``), ``country``; the
    optional fields only when listed in ``org.public_fields`` and not empty.
    """
    details: dict[str, Any] = {f: getattr(org, f) for f in ALWAYS_PUBLIC}
    # The label from the choices directly: ``get_kind_display`` rebuilds and
    # hashes the whole choices list on every call, on the busy /verify/ path.
    details["kind_label"] = str(_KIND_LABELS.get(org.kind, org.kind))
    chosen = set(org.public_fields or ())
    for field in MAY_BE_PUBLIC:
        if field in chosen:
            value = getattr(org, field)
            if value:
                details[field] = dict(value) if field == "identifiers" else value
    return details
