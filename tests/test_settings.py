"""A wrong setting stops start-up with one sentence that names it."""

from __future__ import annotations

import pytest

from models.settings import ConfigurationError, load_settings


def test_defaults_are_the_embedded_setup() -> None:
    settings = load_settings()
    assert settings.is_sqlite
    assert "var/" in settings.database_url


def test_wrong_database_url_names_the_setting() -> None:
    with pytest.raises(ConfigurationError, match="ANSINH_DATABASE_URL"):
        load_settings(database_url="mysql://nowhere")


def test_short_key_is_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"ANSINH_DATA_KEY.*32"):
        load_settings(data_key="short")


def test_production_refuses_the_development_key() -> None:
    with pytest.raises(ConfigurationError, match=r"ANSINH_DATA_KEY.*production"):
        load_settings(environment="production")
