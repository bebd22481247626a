"""Message definitions, one module per area; `messages.keys` imports every module here."""
