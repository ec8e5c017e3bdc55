"""Every write and state transition of the funding app, one module per concern (import the module you need)."""
