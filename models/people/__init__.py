"""People: beneficiaries, proxies, their contact addresses, representations and consents."""
