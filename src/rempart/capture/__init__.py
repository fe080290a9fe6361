"""Capture a public web page at its source (issue 14.3): a library, like ``evidence``.

``fetch`` is the only module that opens network connections (SSRF-safe: it resolves the host
itself, refuses non-public addresses, connects to the checked address and checks again at every
redirect); ``render`` draws the page in headless Chromium with every request served by ``fetch``
(Chromium itself resolves nothing); ``warc`` writes and reads the WARC file.
"""
