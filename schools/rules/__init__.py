"""Pure rules and arithmetic of the schools app (no database writes, no request), one module per concern."""
