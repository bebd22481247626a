"""Payment-method choices (append-only) and, later, payment lists."""
