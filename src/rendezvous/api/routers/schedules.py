"""Placeholder: filled in by the schedules work."""

from fastapi import APIRouter

router = APIRouter()
