"""Conversations: where each person is in the dialog, and the phone codes it sends."""
