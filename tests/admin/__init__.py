"""Tests of the officers' admin API."""
