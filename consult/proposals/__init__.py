"""Proposals and quotes: read, price, number, issue and accept."""
