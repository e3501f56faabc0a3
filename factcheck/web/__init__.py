"""Fetching, archiving and reading the web pages behind claims: plain Python, no Django.

``netguard`` decides which destinations may be fetched; ``fetch`` fetches them safely (through
``transport``, which checks every connection's address as it connects, and ``responses``, which
reads headers and decompresses within limits); ``extract`` turns what was fetched into readable
text; ``passages`` finds the parts of that text that best match a claim.  The Django side (models,
tasks, admin, API) lives in ``factcheck`` and calls these; nothing here imports Django or the rest of
the project except ``factcheck.analysis``.
"""
