"""Tocsin: rapid response for civil-society groups facing selective enforcement."""
