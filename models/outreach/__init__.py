"""Reaching beneficiaries: awareness campaigns and account-opening sessions."""
