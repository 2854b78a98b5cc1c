"""The one read of a busy check: an attestation with its key and organisation, by token id.

The ORM's select_related builds and compiles this three-table query anew
for every request, which cost more CPU than the rest of the check together
(the Ed25519 verification included). The statement never changes, so it is
built once per process from the models' own metadata, and each row is
turned back into model instances with the same converters the ORM applies
(dates on SQLite, JSON, decimals), so what ``answer`` gets is what
``select_related`` would have given it. ``tests/test_lookup.py`` checks the
two agree field for field.

Only the columns a check and its answer read are fetched (``PARTS``): the
others are deferred, so reading one costs a query of its own. Converting a
whole organisation row (dates, JSON, decimals it never shows) was most of
this read's cost. It runs on the driver's cursor (``tocsin.server.rows``),
so Django's query log does not show it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from tocsin.registry.models import Organisation
from tocsin.registry.public import ALWAYS_PUBLIC, MAY_BE_PUBLIC
from tocsin.server.rows import Statement

from .models import Attestation, SigningKey

# The parts read, in order, and their fields: what ``checks.answer`` needs to
# decide, what the API and the /verify/ page show (``public_details`` reads at
# most ``ALWAYS_PUBLIC`` and ``MAY_BE_PUBLIC``), and what records the check.
PARTS: tuple[tuple[str, type[models.Model], tuple[str, ...]], ...] = (
    ("a", Attestation, ("id", "token_id", "organisation", "key", "token", "valid_from", "valid_until",
                        "issued_by", "revoked_at", "alerted_at")),
    ("k", SigningKey, ("id", "key_id", "public_key", "revoked_at")),
    ("o", Organisation, ("id", *ALWAYS_PUBLIC, "public_fields", *MAY_BE_PUBLIC)),
)

Converter = Callable[[Any, Any, Any], Any]
# Per part: the model, its attribute names, and for each column that needs
# converting (most need none) its place in the part, its expression and converters.
Layout = list[tuple[type[models.Model], list[str], list[tuple[int, Any, list[Converter]]]]]


@functools.cache
def _statement(vendor: str) -> tuple[Statement, Layout]:
    quote = connection.ops.quote_name
    columns: list[str] = []
    layout: Layout = []
    for alias, model, wanted in PARTS:
        # In the model's order: ``from_db`` places a partial row's values by it.
        fields = [f for f in model._meta.concrete_fields if f.name in wanted]
        converted = []
        for offset, field in enumerate(fields):
            columns.append(f"{alias}.{quote(str(field.column))}")
            col = field.get_col(alias)
            converters = [*connection.ops.get_db_converters(col), *field.get_db_converters(connection)]
            if converters:
                converted.append((offset, col, converters))
        layout.append((model, [f.attname for f in fields], converted))
    a, k, o = (model._meta.db_table for _alias, model, _wanted in PARTS)
    # Only names from the models' metadata, quoted; the token id is a parameter.
    sql = (f"SELECT {', '.join(columns)} FROM {quote(a)} a "  # noqa: S608
           f"JOIN {quote(k)} k ON k.{quote('id')} = a.{quote('key_id')} "
           f"JOIN {quote(o)} o ON o.{quote('id')} = a.{quote('organisation_id')} "
           f"WHERE a.{quote('token_id')} = %s")
    return Statement(sql), layout


def attestation_by_token_id(token_id: str) -> Attestation | None:
    """The attestation with ``key`` and ``organisation`` filled in (the fields
    of ``PARTS``; the rest deferred), or None."""
    db = connections[DEFAULT_DB_ALIAS]  # once, not through the proxy per column
    statement, layout = _statement(db.vendor)
    found = statement.rows([token_id])
    if not found:
        return None
    row = found[0]
    instances = []
    start = 0
    for model, attnames, converted in layout:
        values = list(row[start:start + len(attnames)])
        for offset, col, converters in converted:
            value = values[offset]
            for convert in converters:
                value = convert(value, col, db)
            values[offset] = value
        start += len(attnames)
        instances.append(model.from_db(db.alias, attnames, values))
    attestation, key, organisation = instances
    assert isinstance(attestation, Attestation)  # noqa: S101 - for mypy
    attestation.key = key  # type: ignore[assignment]
    attestation.organisation = organisation  # type: ignore[assignment]
    return attestation
