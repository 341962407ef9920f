"""Exports of coded excerpts: CSV, JSON, a REFI-QDA project (.qdpx) and codebook (.qdc).

Every export reads stories through the one visibility rule
(`Story.objects.visible_to(audience)`, re-applied to each chunk it reads, so a story withdrawn
mid-export stops there) and shows each story's parts as `story_parts` allows: the attribution
its consent gives, and its words only where quotes are allowed. Exports stream: memory stays
flat whatever the number of stories.
"""

from coding.exports.excerpts import ExportedStory, ExportFilter, exported_stories
from coding.exports.refi import codebook_qdc, project_qdpx_stream
from coding.exports.tabular import excerpts_csv_stream, excerpts_json_stream

__all__ = [
    "ExportFilter",
    "ExportedStory",
    "codebook_qdc",
    "excerpts_csv_stream",
    "excerpts_json_stream",
    "exported_stories",
    "project_qdpx_stream",
]
