"""The access-matrix case type, shared by tests/test_access_matrix.py and the per-area parts in tests/access/."""

from dataclasses import dataclass, field


@dataclass
class Case:
    method: str = "get"
    args: object = None  # callable(world) -> list of URL args
    ok: dict = field(default_factory=dict)  # actor -> status; anyone not named gets `default`
    default: int = 403
    anonymous: int = 302
    setup: object = None  # callable(world, tmp_path) run before the request (tmp_path is MEDIA_ROOT)


def only(*actors, status=200, default=403, **kw):
    return Case(ok={a: status for a in actors}, default=default, **kw)
