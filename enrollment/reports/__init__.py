"""Document contexts of enrollment (the Letter to Parents), one module per concern."""
