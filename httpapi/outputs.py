"""What output serializers share: every field they have is sent, so the schema says so.

DRF marks a model field that may be blank or has a default as not required, and drf-spectacular
publishes that as an optional property, although a response always carries it: a generated client
then types it ``X | Unset`` (Python) or ``field?:`` (TypeScript).  :class:`Output` makes every field
of an output serializer read-only, which drf-spectacular publishes as ``readOnly`` and required.  A
field declared ``required=False`` on the serializer itself is one the response may leave out, and
stays optional.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

Fields = dict[str, serializers.Field[Any, Any, Any, Any]]


def sent_always(fields: Fields, *, declared: Any) -> Fields:
    """``fields`` with every field read-only, but those in ``declared`` made with ``required=False``."""
    for name, field in fields.items():
        if name in declared and getattr(field, "_kwargs", {}).get("required") is False:
            continue
        field.read_only = True
    return fields


class Output(serializers.Serializer[Any]):
    """An output serializer: every field is read-only and always sent (see the module)."""

    def get_fields(self) -> Fields:
        return sent_always(super().get_fields(), declared=self._declared_fields)


class ModelOutput(serializers.ModelSerializer[Any]):
    """An output model serializer: every field is read-only and always sent (see the module)."""

    def get_fields(self) -> Fields:
        return sent_always(super().get_fields(), declared=self._declared_fields)
