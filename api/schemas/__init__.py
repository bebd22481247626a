"""Request and response bodies of the API (Pydantic), with examples for the OpenAPI docs."""
