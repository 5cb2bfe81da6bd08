"""Sync for clients that keep a local copy: the tombstones of rows that left their lists."""
