"""Wire formats at the edge: documents read into commands, and answers written out (ACCME JSON, the transcript PDF).

The batch file formats (MEMS XML, tab-delimited, Excel) live in `adapters/batch/` and produce the same commands."""
