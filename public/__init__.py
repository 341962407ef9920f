"""The public site: home page, /explore/ (story, value, theme and project pages), feeds and
sitemaps, links to story pages (links.py), and the demo content (`load_demo`).

Every story it shows comes through the visibility rule (reads.py); the other places link to
its story pages through links.py.
"""
