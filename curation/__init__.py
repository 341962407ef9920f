"""The curator's desk in the Wagtail admin: the dashboard's queues, the story screen, listing
and chooser, publication (now, scheduled, in bulk), themes (merge, tag counts), the
transcription desk and the collection hooks. Every screen reads stories through the rule.
"""
