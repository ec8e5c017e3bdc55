"""Every write and state transition of enrollment, one module per part of the journey (import the module)."""
