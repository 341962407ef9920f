"""The search pages (/search/ for the public, /search/research/ for signed-in researchers) and
the JSON API (/api/), built on the search engine; links point at the public story pages.
"""
