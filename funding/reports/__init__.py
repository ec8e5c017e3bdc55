"""Report rows (header, rows) for Excel exports of the funding app, one module per concern."""
