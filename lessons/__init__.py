"""Cross-Pilot Lessons: the UI-free domain package (store, demo data, queries, synthetic data, benchmark, CLI).

Nothing in this package imports Streamlit or Altair; pages and components build on it.
"""
