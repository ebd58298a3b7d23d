"""Streamlit widgets, cached loaders and pure Altair chart builders (pages -> components -> lessons)."""

# The public surface: the modules and packages below (each lists its own names in its __all__).
__all__ = [
    "auth",
    "browser",
    "charts",
    "editors",
    "export_views",
    "loaders",
    "models_views",
    "network_tables",
    "network_views",
    "page_bench",
    "serve",
    "synthesis_views",
    "testing",
    "upload_views",
    "url_state",
    "vocabulary_views",
    "vote_views",
    "widgets",
    "workshop_views",
]
