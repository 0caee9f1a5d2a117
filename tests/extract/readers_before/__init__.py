"""The HTML and .docx readers as they were before the speed-up (issue 12), kept verbatim as the reference
the fast readers are compared with, block for block (tests/extract/test_reader_equivalence.py) and timed
against (bench/readers.py).  Not used by the product."""
