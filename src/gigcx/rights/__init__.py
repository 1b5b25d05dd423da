"""Data subject rights (export, erasure) and retention of a brand's customers' and experts' data.

Sits above the domains it reads and wipes (tickets, assist, quality, payments, channels), so it
can reach every table that holds a person's data; the masking of personal data for viewers is
``gigcx.privacy``, low in the layers.
"""
