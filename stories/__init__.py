"""The domain, the ground floor: it imports no other app of the archive.

- models/: stories and their workflow, consent records, projects, values and themes,
  collections, transcripts and segments, the audit trail and the change log (StoryChange)
- audience.py, visibility.py: who is looking, and the one visibility rule with story_parts
- services.py, publication.py, transcripts.py: every change to a story, as named functions
- changes.py: story_changed, the row that search (and anything else above) follows
- notifications.py, accounts.py, photos.py: emails, invitations, photos without metadata
- views.py: the one path to a story's recording or photo, through the rule
"""
