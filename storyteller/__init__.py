"""The storyteller's pages (/my-stories/): joining by invitation, telling a story (resumable
upload), consent, reviewing and approving the transcript, and withdrawal.
"""
