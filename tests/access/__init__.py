"""Parts of the access matrix, one module per area; each defines MATRIX = {url name: Case}."""

import importlib
import pkgutil


def extra_matrix() -> dict:
    merged = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name == "cases":
            continue
        part = importlib.import_module(f"{__name__}.{module.name}").MATRIX
        clash = set(part) & set(merged)
        assert not clash, f"{module.name} repeats {clash}"
        merged.update(part)
    return merged
