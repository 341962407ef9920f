"""Transcription, an engine above the domain: media in, timecoded segments out.

- engines/: faster-whisper (and optional openai-whisper) behind one interface; weights.py
  finds and checks the bundled models
- media.py: probing by decoding, and rebuilding a file from its decoded streams
- models.py, services.py: the job table, which is the queue (claims, leases, retries)
- formats.py, views.py: WebVTT, SRT, text and JSON, and their downloads

A finished transcription is handed to the domain's `stories.transcripts.transcript_replace`.
"""
