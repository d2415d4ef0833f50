"""The public read API, /api/v1/ (filled by the API module)."""
