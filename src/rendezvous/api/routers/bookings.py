"""Placeholder: filled in by the bookings work."""

from fastapi import APIRouter

router = APIRouter()
