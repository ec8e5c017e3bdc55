"""Pure rules of enrollment (no database writes, no request), one module per concern."""
