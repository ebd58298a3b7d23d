"""Cross-pilot synthesis: what recurs across pilots, what contradicts, what is missing. UI-free.

Two kinds of evidence are drawn together:

* **Themes** (the controlled vocabulary and free tags): a pilot × theme matrix of lesson counts, themes found in at
  least *k* pilots, themes reported as an enabler by one pilot and as a barrier by another, and gaps.
* **Text**: lessons grouped by what they say. Lesson text is stemmed (Snowball), weighted by TF-IDF and compared by
  cosine similarity (scikit-learn); each lesson keeps its most similar lessons; lessons are then grouped by
  average linkage over those similarities. The whole merge order is computed once per data version and stored in
  ``analysis_results``, so any similarity threshold the user picks is a cheap cut of the stored order.

Everything here is deterministic: the same lessons give the same clusters, labels and order.

The package's rooms: :mod:`~lessons.synthesis.themes` (the theme matrix and what it shows) and
:mod:`~lessons.synthesis.text_similarity` (lessons grouped by their text) and
:mod:`~lessons.synthesis.refresh` (that analysis kept up to date in the background, one at a time per store).
"""

from lessons.synthesis.text_similarity import (
    ANALYSIS,
    BLOCK_CELLS,
    FLOOR,
    NEIGHBOURS,
    SIMILAR_MIN,
    TOP_TERMS,
    Similarity,
    build_similarity,
    clusters,
    left_out_of_comparison,
    lesson_facts,
    lesson_texts,
    similar_lessons,
    similarity,
    similarity_version,
    stored_similarity,
)
from lessons.synthesis.themes import (
    cell_lessons,
    compare_pilots,
    crosswalk,
    recurring_themes,
    theme_contradictions,
    theme_gaps,
    theme_lessons,
    theme_matrix,
)

__all__ = [
    "ANALYSIS",
    "BLOCK_CELLS",
    "FLOOR",
    "NEIGHBOURS",
    "SIMILAR_MIN",
    "Similarity",
    "TOP_TERMS",
    "build_similarity",
    "cell_lessons",
    "clusters",
    "compare_pilots",
    "crosswalk",
    "lesson_facts",
    "left_out_of_comparison",
    "lesson_texts",
    "recurring_themes",
    "similar_lessons",
    "similarity",
    "similarity_version",
    "stored_similarity",
    "theme_contradictions",
    "theme_gaps",
    "theme_lessons",
    "theme_matrix",
]
