"""Rendezvous: a self-hostable scheduling server with a Cal.com API v2 compatible REST API."""

__version__ = "0.1.0"
