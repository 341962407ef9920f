"""The coding workspace: tags on stories and excerpts, themes, agreement between coders, exports.

- units.py: a story's units of coding (transcript segments, or sentences of a text story)
- permissions.py: who may code, propose, review and edit tags
- services.py: every change (tags, themes), each writing the change-log row (story_changed)
- reads.py: what the screens show (tags in the margin, agreement per code, tag counts)
- agreement.py: Cohen's kappa and Krippendorff's alpha, pure functions
- exports/: CSV, JSON, REFI-QDA project (.qdpx) and codebook (.qdc), through the visibility rule
"""
