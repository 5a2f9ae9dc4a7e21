"""Example success bodies for the OpenAPI document, with the values of Cal.com's API v2 reference
examples where they have one, in the shapes Rendezvous sends."""

from __future__ import annotations

from typing import Any


def envelope(data: Any) -> dict[str, Any]:
    return {"status": "success", "data": data}


ME = envelope(
    {
        "id": 1,
        "username": "john-doe",
        "email": "john@example.com",
        "name": "John Doe",
        "avatarUrl": None,
        "bio": None,
        "timeFormat": 24,
        "defaultScheduleId": 1,
        "weekStart": "Monday",
        "timeZone": "Europe/Rome",
        "locale": "en",
        "organizationId": None,
    }
)

SCHEDULE_DATA = {
    "id": 254,
    "ownerId": 478,
    "name": "Catch up hours",
    "timeZone": "Europe/Rome",
    "availability": [
        {
            "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
            "startTime": "17:00",
            "endTime": "19:00",
        }
    ],
    "isDefault": True,
    "overrides": [{"date": "2024-05-20", "startTime": "12:00", "endTime": "14:00"}],
}
SCHEDULE = envelope(SCHEDULE_DATA)
SCHEDULES = envelope([SCHEDULE_DATA])

EVENT_TYPE_DATA: dict[str, Any] = {
    "id": 1,
    "ownerId": 10,
    "lengthInMinutes": 60,
    "title": "Learn the secrets of masterchief!",
    "slug": "learn-the-secrets-of-masterchief",
    "description": "Discover the culinary wonders of Argentina by making the best flan ever!",
    "locations": [{"type": "integration", "integration": "cal-video"}],
    "bookingFields": [
        {"isDefault": True, "type": "name", "slug": "name", "required": True},
        {"isDefault": True, "type": "email", "slug": "email", "required": True, "hidden": False},
        {
            "isDefault": False,
            "type": "text",
            "slug": "company",
            "label": "Company",
            "required": False,
            "hidden": False,
        },
    ],
    "disableGuests": False,
    "slotInterval": None,
    "minimumBookingNotice": 120,
    "beforeEventBuffer": 0,
    "afterEventBuffer": 0,
    "recurrence": None,
    "metadata": {},
    "price": 0,
    "currency": "usd",
    "lockTimeZoneToggleOnBookingPage": False,
    "seatsPerTimeSlot": None,
    "forwardParamsSuccessRedirect": True,
    "successRedirectUrl": None,
    "isInstantEvent": False,
    "seatsShowAvailabilityCount": True,
    "scheduleId": None,
    "bookerActiveBookingsLimit": {"disabled": True},
    "onlyShowFirstAvailableSlot": False,
    "bookingWindow": {"disabled": True},
    "confirmationPolicy": {"disabled": True},
    "requiresBookerEmailVerification": False,
    "hideCalendarNotes": False,
    "seats": {"disabled": True},
    "offsetStart": 0,
    "useDestinationCalendarEmail": False,
    "hideCalendarEventDetails": False,
    "hideOrganizerEmail": False,
    "disableCancelling": {"disabled": False},
    "disableRescheduling": {"disabled": False},
    "hidden": False,
    "bookingRequiresAuthentication": False,
    "users": [
        {
            "id": 10,
            "name": "John Doe",
            "username": "john-doe",
            "avatarUrl": None,
            "weekStart": "Sunday",
            "brandColor": None,
            "darkBrandColor": None,
            "metadata": {},
        }
    ],
    "bookingUrl": "http://127.0.0.1:8000/john-doe/learn-the-secrets-of-masterchief",
}
EVENT_TYPE = envelope(EVENT_TYPE_DATA)

# GET /v2/event-types without cal-api-version: Cal.com's 2024-04-15 shape (contract §0 item 1).
LEGACY_EVENT_TYPES = envelope(
    {
        "eventTypeGroups": [
            {
                "teamId": None,
                "bookerUrl": "http://127.0.0.1:8000",
                "membershipRole": None,
                "profile": {"slug": "john-doe", "name": "John Doe", "image": None},
                "metadata": {"membershipCount": 0, "readOnly": False},
                "eventTypes": [
                    {
                        "id": 1,
                        "title": "Learn the secrets of masterchief!",
                        "slug": "learn-the-secrets-of-masterchief",
                        "length": 60,
                        "description": "Discover the culinary wonders of Argentina by making "
                        "the best flan ever!",
                        "hidden": False,
                        "locations": [{"type": "integration", "integration": "cal-video"}],
                        "schedulingType": None,
                        "teamId": None,
                        "position": 0,
                        "price": 0,
                        "currency": "usd",
                    }
                ],
            }
        ],
        "profiles": [
            {
                "slug": "john-doe",
                "name": "John Doe",
                "image": None,
                "teamId": None,
                "membershipRole": None,
                "membershipCount": 0,
                "readOnly": False,
            }
        ],
    }
)

SLOTS = envelope(
    {
        "2050-09-05": [{"start": "2050-09-05T09:00:00.000+02:00"}],
        "2050-09-06": [{"start": "2050-09-06T09:00:00.000+02:00"}],
    }
)

BOOKING_DATA: dict[str, Any] = {
    "id": 123,
    "uid": "booking_uid_123",
    "title": "Consultation",
    "description": "Learn how to integrate scheduling into marketplace.",
    "hosts": [
        {
            "id": 1,
            "userId": 1,
            "name": "Jane Doe",
            "email": "jane100@example.com",
            "displayEmail": "jane100@example.com",
            "username": "jane100",
            "timeZone": "America/Los_Angeles",
        }
    ],
    "status": "accepted",
    "start": "2024-08-13T15:30:00.000Z",
    "end": "2024-08-13T16:30:00.000Z",
    "duration": 60,
    "eventTypeId": 50,
    "eventType": {"id": 50, "slug": "some-event"},
    "location": "https://example.com/meeting/booking_uid_123",
    "absentHost": False,
    "createdAt": "2024-08-13T15:30:00.000Z",
    "updatedAt": "2024-08-13T15:30:00.000Z",
    "metadata": {"key": "value"},
    "icsUid": "booking_uid_123@rendezvous",
    "meetingUrl": "https://example.com/meeting/booking_uid_123",
    "attendees": [
        {
            "name": "John Doe",
            "email": "john@example.com",
            "displayEmail": "john@example.com",
            "timeZone": "America/New_York",
            "language": "en",
            "absent": False,
        }
    ],
    "guests": ["guest1@example.com"],
    "bookingFieldsResponses": {"customField": "customValue"},
}
BOOKING = envelope(BOOKING_DATA)

RESERVATION = envelope(
    {
        "eventTypeId": 1,
        "slotStart": "2024-09-04T09:00:00.000Z",
        "slotEnd": "2024-09-04T10:00:00.000Z",
        "slotDuration": 60,
        "reservationUid": "e84be5a3-4696-49e3-acc7-b2f3999c3b94",
        "reservationDuration": 5,
        "reservationUntil": "2024-09-04T09:05:00.000Z",
    }
)

WEBHOOK_DATA: dict[str, Any] = {
    "id": 12,
    "userId": 1,
    "subscriberUrl": "https://hooks.example.com/cal",
    "triggers": ["BOOKING_CREATED", "BOOKING_CANCELLED"],
    "active": True,
    "payloadTemplate": None,
    "secret": "s3cr3t",
    "version": "2021-10-20",
}
WEBHOOK = envelope(WEBHOOK_DATA)
WEBHOOKS = envelope([WEBHOOK_DATA])
EVENT_TYPE_WEBHOOK = envelope(WEBHOOK_DATA | {"eventTypeId": 10})
EVENT_TYPE_WEBHOOKS = envelope([WEBHOOK_DATA | {"eventTypeId": 10}])
DELIVERY_DATA: dict[str, Any] = {
    "id": 345,
    "webhookId": 12,
    "triggerEvent": "BOOKING_CREATED",
    "status": "delivered",
    "webhookMessageId": "msg_2b6c1f0e9d8a4f51a3c7e0b4d2f19a6e",
    "bookingUid": "bk_7Hq2x",
    "attempts": 2,
    "nextAttemptAt": None,
    "createdAt": "2050-09-01T10:00:00.000Z",
    "updatedAt": "2050-09-01T10:01:02.000Z",
    "lastError": None,
    "attemptsLog": [
        {
            "attempt": 1,
            "startedAt": "2050-09-01T10:00:00.210Z",
            "durationMs": 10003,
            "outcome": "retry",
            "statusCode": None,
            "error": "timed out: ReadTimeout",
        },
        {
            "attempt": 2,
            "startedAt": "2050-09-01T10:01:02.000Z",
            "durationMs": 48,
            "outcome": "delivered",
            "statusCode": 200,
            "error": None,
        },
    ],
}
DELIVERY = envelope(DELIVERY_DATA)
DELIVERIES = envelope([DELIVERY_DATA])
