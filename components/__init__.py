"""Streamlit widgets, cached loaders and pure Altair chart builders (pages -> components -> lessons)."""
