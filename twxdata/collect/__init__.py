"""Collections: plan a call's streams, walk them through the client, keep what arrives.

The public functions (``fetch_*``, ``collect_*``, ``lookup_*`` and their ``*_sync`` twins) live
in ``api.py`` and ``sync.py`` and are exported by ``twxdata``.
"""
