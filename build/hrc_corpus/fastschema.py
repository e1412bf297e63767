"""A fast yes to "does this record fit its JSON Schema?", from jsonschema-rs, trusted only when it is safe.

jsonschema (in schema.py) stays the judge: it explains every failure in plain words. But it
takes about 0.3 ms a claim, so a clean check of 100,000 claims spent half a minute saying
nothing. jsonschema-rs answers the same question in microseconds. Its yes is taken only where
it cannot be more lenient than jsonschema:

- only for records read by the fast YAML path (fastyaml.ScreenedDict / ScreenedList), whose
  text the screen has kept free of control characters and escapes: there, the one place the
  two libraries' regular expressions differ (Python's \\s also matches U+001C-U+001F and
  U+0085, so its \\S refuses them) cannot arise;
- elsewhere jsonschema-rs is as strict or stricter (its $ is the end of the text, Python's
  also matches before a final newline; it checks format "uri", jsonschema does not without
  an optional package), and a no, or any error, sends the record to jsonschema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .fastyaml import ScreenedDict, ScreenedList

if TYPE_CHECKING:
    from .schema import Schemas

try:  # optional: without jsonschema-rs every record is validated by jsonschema
    import jsonschema_rs
except ImportError:  # pragma: no cover - jsonschema-rs is pinned, but the reference path must not need it
    jsonschema_rs = None


class FastValidators:
    """jsonschema-rs validators for each record kind, built from the same schema documents."""

    def __init__(self, schemas: Schemas, files: dict[str, str], base_uri: str):
        self.validators: dict[str, Any] = {}
        if jsonschema_rs is None:
            return
        registry = jsonschema_rs.Registry([(base_uri + rel, doc) for rel, doc in schemas.documents.items()])
        for kind, file in files.items():
            self.validators[kind] = jsonschema_rs.validator_for(
                schemas.documents[file], registry=registry, validate_formats=True, base_uri=base_uri + file)

    def vouches(self, kind: str, instance: Any) -> bool:
        """True when jsonschema-rs says the record is valid and its yes can be trusted."""
        validator = self.validators.get(kind)
        if validator is None or not isinstance(instance, (ScreenedDict, ScreenedList)):
            return False
        try:
            return bool(validator.is_valid(instance))
        except Exception:  # noqa: BLE001 - a value it cannot take (a huge integer): let jsonschema judge
            return False
