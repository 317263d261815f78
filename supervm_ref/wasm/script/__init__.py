"""The test-script runner for the official WebAssembly test suite (``wast2json`` output).

Apart from the engine, like the reference interpreter's ``script/run.ml``: `values` parses
arguments and expected results, `spectest_host` builds the ``spectest`` host module, `runner`
runs one script's commands through the embedding API, `report` tabulates the outcomes.
"""
