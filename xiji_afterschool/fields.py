"""Model fields for personal identifiers encrypted at rest (issue 14 item 6; the keys: `crypto.py`).

- `EncryptedCharField(kind=..., max_length=<clear length>)`: Python code reads and writes the clear value; the column
  holds `crypto.encrypt`'s sealed text (a wider varchar). A sealed value differs every time it is written, so the
  column cannot be searched, ordered or made unique: any lookup but `isnull` (and `= None` / `= ""`) raises
  FieldError, so a forgotten `filter(mobile=...)` fails loudly instead of finding nothing.
- `DigestField(of="mobile", kind="mobile")`: the keyed hash of the normalised clear value, kept in step on every
  save and bulk_create (`pre_save`); lookups and UNIQUE constraints use it. `QuerySet.update()` and `bulk_update()`
  skip `pre_save`: pass the digest yourself there (`crypto.digest`).
- `TailField(of="id_number", length=4)`: the last characters in clear, as every masked display already shows them
  (640422********123X), so a search by the last digits keeps working.
"""

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from . import crypto

# Room for the sealed form of a value: prefix + key id + base64(nonce 12 + value + tag 16 bytes); 255 holds 150 bytes
# of clear text (an 18-character ID takes 46 sealed bytes, 78 characters; a full-width one typed raw, 82 bytes).
STORED_LENGTH = 255


class _ClearOnlyExact(Exact):
    """`= None` (turned into IS NULL by Django) and `= ""` (nothing held) are the only equalities a sealed column
    answers truthfully."""

    def __init__(self, lhs, rhs):
        if rhs not in (None, ""):
            raise FieldError(
                f"{lhs.target.model.__name__}.{lhs.target.name} is encrypted: look it up by its digest field"
            )
        super().__init__(lhs, rhs)


class EncryptedCharField(models.CharField):
    description = "A personal identifier, encrypted at rest"

    def __init__(self, *args, kind: str = "", **kwargs):
        if kwargs.get("unique") or kwargs.get("db_index"):
            raise TypeError("an encrypted column cannot be unique or indexed: put that on its DigestField")
        self.kind = kind
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        # Bound into each sealed value: a value copied into another column does not open there.
        return f"{self.model._meta.db_table}.{self.column}"

    def db_type(self, connection):
        return models.CharField(max_length=STORED_LENGTH).db_type(connection)

    def cast_db_type(self, connection):
        return self.db_type(connection)

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value, self.context)

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        if value is None or value == "" or crypto.is_sealed(value):
            return value
        return crypto.encrypt(str(value), self.context)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return _ClearOnlyExact
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: `{lookup_name}` cannot work; use its digest field"
        )

    def get_transform(self, lookup_name):
        return None


class DigestField(models.CharField):
    """The keyed hash of another field's clear value; None when that is empty (so UNIQUE allows many empties)."""

    description = "Keyed hash of an encrypted identifier"

    def __init__(self, *args, of: str = "", kind: str = "", **kwargs):
        self.of, self.kind = of, kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["of"], kwargs["kind"] = self.of, self.kind
        for key, default in (("max_length", 64), ("null", True), ("blank", True), ("editable", False)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = crypto.digest(self.kind, getattr(model_instance, self.of))
        setattr(model_instance, self.attname, value)
        return value


class TailField(models.CharField):
    """The last `length` characters of another field (normalised), or "" — what the masked form shows anyway."""

    def __init__(self, *args, of: str = "", kind: str = "", length: int = 4, **kwargs):
        self.of, self.kind, self.length = of, kind, length
        kwargs["max_length"] = length
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        kwargs["of"], kwargs["kind"], kwargs["length"] = self.of, self.kind, self.length
        for key, default in (("blank", True), ("editable", False), ("default", "")):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        clear = getattr(model_instance, self.of)
        value = crypto.normalize(self.kind, clear)[-self.length :] if clear else ""
        setattr(model_instance, self.attname, value)
        return value


def derived_fields(model) -> list[str]:
    """The names of a model's digest and tail fields (what bulk_update must list beside the encrypted field)."""
    return [f.name for f in model._meta.concrete_fields if isinstance(f, DigestField | TailField)]


def refresh_derived(objs) -> None:
    """Recompute the digests and tails of objects about to be written by `bulk_update` (which skips `pre_save`)."""
    for obj in objs:
        for field in obj._meta.concrete_fields:
            if isinstance(field, DigestField | TailField):
                field.pre_save(obj, add=False)


def sealed_for_copy(model, fields: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    """For a bulk COPY, which writes column text and skips the fields: each encrypted field's clear value sealed, and
    its digest and tail columns added. Returns the fields and rows to write."""
    specs = [spec for spec in encrypted_columns(model) if spec[0].name in fields]
    if not specs:
        return fields, rows
    extra = [f.name for _field, digest, tail in specs for f in (digest, tail) if f is not None]
    where = [(fields.index(field.name), field, digest, tail) for field, digest, tail in specs]
    sealed = []
    for row in rows:
        row, more = list(row), []
        for i, field, digest, tail in where:
            clear = row[i]
            row[i] = crypto.encrypt(clear, field.context)
            if digest is not None:
                more.append(crypto.digest(field.kind, clear))
            if tail is not None:
                more.append(crypto.normalize(field.kind, clear)[-tail.length :] if clear else "")
        sealed.append((*row, *more))
    return [*fields, *extra], sealed


# --- Sealing what is stored: the migrations that encrypt a column, and `manage.py rotate_field_keys` -----------------


def encrypted_columns(model) -> list[tuple[EncryptedCharField, DigestField | None, TailField | None]]:
    """Each encrypted field of a model (a migration's historical model too) with the digest and tail kept from it."""
    fields = model._meta.concrete_fields
    found = []
    for field in fields:
        if isinstance(field, EncryptedCharField):
            digest = next((f for f in fields if isinstance(f, DigestField) and f.of == field.name), None)
            tail = next((f for f in fields if isinstance(f, TailField) and f.of == field.name), None)
            found.append((field, digest, tail))
    return found


def _user_triggers(connection, table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table])
        return cursor.fetchone() is not None


def reseal_model(model, connection, *, batch: int = 1000, to_clear: bool = False) -> int:
    """Bring every row of a model to the current keys: a clear value sealed, a value sealed with an older key sealed
    again with the first one, digests and tails recomputed (so a new lookup key takes effect too). Rows already
    current are not written: running it twice changes nothing the second time. Returns the rows changed.

    Hand-overs and visitor entries are append-only on PostgreSQL (safety/0002): their triggers are disabled for this
    transaction only, by the owner role that runs migrations and this command; ALTER TABLE is transactional, so a
    failure leaves them enabled. Call inside a transaction that has not itself written rows of such a table (PostgreSQL
    refuses ALTER TABLE while their deferred checks are pending): the migrations and the command each run their own. `to_clear` writes the clear values back (a migration
    reversed)."""
    specs = encrypted_columns(model)
    if not specs:
        return 0
    qn = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    first_kid = crypto.field_keys()[0][0]
    columns = [pk]
    for field, digest, tail in specs:
        columns += [field.column] + ([digest.column] if digest else []) + ([tail.column] if tail else [])
    select = f"SELECT {', '.join(map(qn, columns))} FROM {qn(table)}"  # noqa: S608 — model columns, quoted
    update = f"UPDATE {qn(table)} SET {', '.join(qn(c) + ' = %s' for c in columns[1:])} WHERE {qn(pk)} = %s"  # noqa: S608 — model columns, quoted
    guarded = _user_triggers(connection, table)
    changed = 0
    with connection.cursor() as cursor:
        if guarded:
            cursor.execute(f"ALTER TABLE {qn(table)} DISABLE TRIGGER USER")
        last = None
        while True:
            where = "" if last is None else f" WHERE {qn(pk)} > %s"
            cursor.execute(f"{select}{where} ORDER BY {qn(pk)} LIMIT {int(batch)}", [] if last is None else [last])
            rows = cursor.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            updates = []
            for row in rows:
                values, new, i = list(row[1:]), [], 0
                for field, digest, tail in specs:
                    context = f"{table}.{field.column}"
                    stored = values[i]
                    clear = crypto.decrypt(stored, context)
                    current = crypto.sealed_key_id(stored) == first_kid or stored in (None, "")
                    if to_clear:
                        new.append(clear)
                    else:
                        new.append(stored if current else crypto.encrypt(clear, context))
                    i += 1
                    if digest:
                        new.append(crypto.digest(field.kind, clear))
                        i += 1
                    if tail:
                        new.append(crypto.normalize(field.kind, clear)[-tail.max_length :] if clear else "")
                        i += 1
                if new != values:
                    updates.append([*new, row[0]])
            if updates:
                cursor.executemany(update, updates)
                changed += len(updates)
        if guarded:
            cursor.execute(f"ALTER TABLE {qn(table)} ENABLE TRIGGER USER")
    return changed


def seal_app(app_label: str) -> tuple:
    """A migration's RunPython pair: seal the encrypted columns of every model of one app (forward), or write the
    clear values back (backward, before the column narrows again)."""

    def forward(apps, schema_editor):
        for model in apps.get_app_config(app_label).get_models():
            reseal_model(model, schema_editor.connection)

    def backward(apps, schema_editor):
        for model in apps.get_app_config(app_label).get_models():
            reseal_model(model, schema_editor.connection, to_clear=True)

    return forward, backward
