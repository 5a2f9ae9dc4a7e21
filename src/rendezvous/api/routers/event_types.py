"""Placeholder: filled in by the event_types work."""

from fastapi import APIRouter

router = APIRouter()
