"""Curator commands: `new` scaffolds a statement, `status` shows what is left, `text` shows the
normalized text with offsets, `fmt` gives every record file its canonical form.

These modules sit beside the pipeline and use only its public functions (load, text, schema);
the one rule check takes from here is drafts.draft_problems.
"""
