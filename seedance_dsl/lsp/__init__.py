"""``seedance lsp``: the language server of ``.shot`` files (pygls 2, lsprotocol).

- :mod:`.analysis`: one shared analysis per document version (parse, check, compile on
  demand; the per-clip re-check of an edit);
- :mod:`.symbols`: the declaration kinds table and every occurrence of a name;
- :mod:`.context`, :mod:`.complete`: the cursor's context and completion tables;
- :mod:`.hover`, :mod:`.features`: hovers and the other features;
- :mod:`.project`: the workspace's files, for cross-file navigation and rename;
- :mod:`.server`: the pygls server, one small handler per feature.

docs/editors.md describes the features and the editor setups.
"""
