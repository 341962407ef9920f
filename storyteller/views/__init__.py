"""Views of the storyteller's journey; each fetches, checks, calls a service and responds."""
