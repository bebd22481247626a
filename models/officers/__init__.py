"""Officers and the paying bank's systems: accounts, areas, API keys, logins, what each may do."""
