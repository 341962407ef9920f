"""Search, an engine above the domain and coding: it returns stories and moments, never links.

- api.py: the one interface (search_stories, suggest, related_stories)
- documents.py, text.py, query.py: what is indexed and how words and queries are analysed
- backends/: the database backend and Elasticsearch, each filtering by the visibility rule
- services.py: the drain that follows the domain's change log; commands check and rebuild
"""
