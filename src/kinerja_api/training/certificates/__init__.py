"""Certificates of completed training: their numbers and their PDF."""
