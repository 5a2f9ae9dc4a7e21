"""Webhook deliveries end to end, in-process: the API writes rows, a real ``Worker`` sends them
over real sockets to a real receiver on loopback (contract §8.2, §8.3, §0 item 7).

The app and the worker share one fixed clock, moved by hand, so retries and MEETING_* rows
come due exactly when a test says (no sleeps, no timing assertions)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook

from rendezvous.db.engine import session_factory
from rendezvous.worker.kinds import load_handlers
from rendezvous.worker.runner import Worker
from tests.api.helpers import TUE_10, book
from tests.integration.receiver import Receiver, receiver

load_handlers()

BOOKING_TRIGGERS = [
    "BOOKING_CREATED",
    "BOOKING_REQUESTED",
    "BOOKING_CANCELLED",
    "BOOKING_RESCHEDULED",
    "BOOKING_CONFIRMED",
    "BOOKING_REJECTED",
]
POLICY = {"type": "always", "blockUnconfirmedBookingsInBooker": True}


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"allow_private_networks": True})


@pytest.fixture
async def worker(settings, db, clock):
    # Webhook rows only: bookings also owe email rows, which tests/mail counts.
    worker = Worker(settings, session_factory(db), clock=clock, rng=lambda: 0.5, only={"webhook"})
    yield worker
    await worker.aclose()


async def _drain(worker: Worker) -> int:
    """Run rounds until nothing is due; return how many rows ran."""
    total = 0
    while ran := await worker.run_once():
        total += ran
    return total


async def _subscribe(client, account, url: str, **fields) -> dict:
    body = {"subscriberUrl": url, "triggers": BOOKING_TRIGGERS, "active": True} | fields
    made = await client.post("/v2/webhooks", json=body, headers=account.auth)
    assert made.status_code == 201, made.text
    return made.json()["data"]


async def test_both_signatures_verify_over_the_exact_body(
    client, make_user, make_event_type, worker
) -> None:
    bob = await make_user("bob")
    et = await make_event_type(bob)
    async with receiver() as hooks:
        await _subscribe(client, bob, hooks.url, secret="s3cr3t")
        uid = (await book(client, et)).json()["data"]["uid"]
        assert await _drain(worker) == 1
    [got] = hooks.requests
    assert got.path == "/hook"
    expected = hmac.new(b"s3cr3t", got.body, hashlib.sha256).hexdigest()
    assert got.headers["x-cal-signature-256"] == expected
    assert got.headers["x-cal-webhook-version"] == "2021-10-20"
    assert got.headers["content-type"] == "application/json"
    # Standard Webhooks: the key is the secret's UTF-8 bytes (docs/compatibility.md).
    verified = Webhook(b"s3cr3t").verify(got.body, got.headers)
    assert verified["payload"]["uid"] == uid
    import base64

    as_whsec = "whsec_" + base64.b64encode(b"s3cr3t").decode()
    Webhook(as_whsec).verify(got.body, got.headers)
    assert got.headers["webhook-id"].startswith("msg_")
    tampered = got.body.replace(b"BOOKING_CREATED", b"BOOKING_CANCELLED")
    with pytest.raises(Exception, match="signature"):
        Webhook(b"s3cr3t").verify(tampered, got.headers)
    assert hmac.new(b"s3cr3t", tampered, hashlib.sha256).hexdigest() != expected


async def test_without_a_secret_the_cal_header_says_so(
    client, make_user, make_event_type, worker
) -> None:
    bob = await make_user("bob")
    et = await make_event_type(bob)
    async with receiver() as hooks:
        await _subscribe(client, bob, hooks.url)
        await book(client, et)
        await _drain(worker)
    [got] = hooks.requests
    assert got.headers["x-cal-signature-256"] == "no-secret-provided"
    assert "webhook-signature" not in got.headers
    assert got.headers["webhook-id"] and got.headers["webhook-timestamp"].isdigit()


def _body(got) -> dict:
    return json.loads(got.body)


async def test_each_trigger_has_its_body_shape(
    client, make_user, make_event_type, worker, clock
) -> None:
    bob = await make_user("bob", time_zone="Europe/Rome")
    et = await make_event_type(bob, "intro")
    pending_et = await make_event_type(bob, "pending", settings={"confirmationPolicy": POLICY})
    async with receiver() as hooks:
        await _subscribe(
            client, bob, hooks.url, triggers=[*BOOKING_TRIGGERS, "MEETING_STARTED", "MEETING_ENDED"]
        )
        made = (await book(client, et)).json()["data"]
        moved = await client.post(
            f"/v2/bookings/{made['uid']}/reschedule",
            json={"start": "2030-01-08T12:00:00Z", "reschedulingReason": "Clash"},
        )
        new_uid = moved.json()["data"]["uid"]
        await client.post(f"/v2/bookings/{new_uid}/cancel", json={"cancellationReason": "Ill"})
        asked = (await book(client, pending_et, start="2030-01-09T10:00:00Z")).json()["data"]
        await client.post(f"/v2/bookings/{asked['uid']}/confirm", headers=bob.auth)
        declined = (await book(client, pending_et, start="2030-01-09T12:00:00Z")).json()["data"]
        await client.post(
            f"/v2/bookings/{declined['uid']}/decline", json={"reason": "Busy"}, headers=bob.auth
        )
        await _drain(worker)
        clock.advance(days=2, hours=3)  # past the confirmed booking's start and end
        await _drain(worker)
    bodies = [_body(r) for r in hooks.requests]
    by_trigger: dict[str, list[dict]] = {}
    for b in bodies:
        by_trigger.setdefault(b["triggerEvent"], []).append(b)
    assert sorted(by_trigger) == sorted([*BOOKING_TRIGGERS, "MEETING_STARTED", "MEETING_ENDED"])
    created = by_trigger["BOOKING_CREATED"][0]
    assert set(created) == {"triggerEvent", "createdAt", "payload"}
    assert created["createdAt"] == "2030-01-07T08:00:00.000Z"
    p = created["payload"]
    assert p["type"] == "intro"
    assert p["status"] == "ACCEPTED"
    assert p["uid"] == made["uid"]
    assert p["startTime"] == TUE_10
    assert p["bookerUrl"] == "https://cal.example.com"
    assert p["organizer"]["username"] == "bob"
    assert p["organizer"]["timeZone"] == "Europe/Rome"
    assert p["organizer"]["utcOffset"] == 60
    assert p["attendees"][0]["email"] == "jane@example.com"
    assert p["attendees"][0]["utcOffset"] == -300
    assert p["responses"]["name"] == {"label": "your_name", "value": "Jane Doe", "isHidden": False}
    assert p["eventTypeId"] == et and isinstance(p["bookingId"], int)
    resched = by_trigger["BOOKING_RESCHEDULED"][0]["payload"]
    assert resched["uid"] == new_uid
    assert resched["rescheduleUid"] == made["uid"]
    assert resched["rescheduleStartTime"] == TUE_10
    assert resched["startTime"] == "2030-01-08T12:00:00Z"
    cancelled = by_trigger["BOOKING_CANCELLED"][0]["payload"]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["cancellationReason"] == "Ill"
    assert cancelled["requestReschedule"] is False
    requested = by_trigger["BOOKING_REQUESTED"]
    assert {r["payload"]["status"] for r in requested} == {"PENDING"}
    assert by_trigger["BOOKING_CONFIRMED"][0]["payload"]["status"] == "ACCEPTED"
    # Confirming also fires BOOKING_CREATED (§0 item 6): one for the first booking, one here.
    assert [c["payload"]["uid"] for c in by_trigger["BOOKING_CREATED"]] == [
        made["uid"],
        asked["uid"],
    ]
    rejected = by_trigger["BOOKING_REJECTED"][0]["payload"]
    assert rejected["status"] == "REJECTED" and rejected["rejectionReason"] == "Busy"
    # MEETING_* are flat, and only for the booking that still happens (the confirmed one):
    # the first booking was rescheduled and the new one cancelled, so theirs were withdrawn.
    [started] = by_trigger["MEETING_STARTED"]
    [ended] = by_trigger["MEETING_ENDED"]
    assert "payload" not in started
    assert started["uid"] == asked["uid"] and started["status"] == "ACCEPTED"
    assert ended["uid"] == asked["uid"]


async def test_a_payload_template_is_rendered_and_signed(
    client, make_user, make_event_type, worker
) -> None:
    bob = await make_user("bob")
    et = await make_event_type(bob)
    template = (
        '{"content":"A new event has been scheduled","type":"{{type}}","name":"{{title}}",'
        '"organizer":"{{organizer.name}}","booker":"{{attendees.0.name}}",'
        '"trigger":"{{triggerEvent}}", "missing": "{{nope.nothing}}"}'
    )
    async with receiver() as hooks:
        await _subscribe(client, bob, hooks.url, payloadTemplate=template, secret="k")
        made = (await book(client, et)).json()["data"]
        await _drain(worker)
    [got] = hooks.requests
    assert json.loads(got.body) == {
        "content": "A new event has been scheduled",
        "type": "intro",
        "name": made["title"],
        "organizer": "Bob",
        "booker": "Jane Doe",
        "trigger": "BOOKING_CREATED",
        "missing": "",
    }
    assert b", " not in got.body  # re-serialised compactly
    assert got.headers["x-cal-signature-256"] == hmac.new(b"k", got.body, "sha256").hexdigest()
    Webhook(b"k").verify(got.body, got.headers)


async def test_a_plain_text_template_is_sent_form_encoded(
    client, make_user, make_event_type, worker
) -> None:
    bob = await make_user("bob")
    et = await make_event_type(bob)
    async with receiver() as hooks:
        await _subscribe(client, bob, hooks.url, payloadTemplate="booked={{uid}}")
        made = (await book(client, et)).json()["data"]
        await _drain(worker)
    [got] = hooks.requests
    assert got.body == f"booked={made['uid']}".encode()
    assert got.headers["content-type"] == "application/x-www-form-urlencoded"


async def test_failing_three_times_then_succeeding_delivers_once_with_one_webhook_id(
    client, make_user, make_event_type, worker, clock
) -> None:
    bob = await make_user("bob")
    et = await make_event_type(bob)
    async with receiver(fail_first=3) as hooks:
        hook = await _subscribe(client, bob, hooks.url, secret="s")
        await book(client, et)
        for _ in range(6):
            await _drain(worker)
            clock.advance(hours=1)  # past any backoff of the first attempts
        await _drain(worker)
    assert [r.status for r in hooks.requests] == [503, 503, 503, 200]
    assert len(hooks.successes()) == 1
    assert len({r.headers["webhook-id"] for r in hooks.requests}) == 1
    assert len({r.body for r in hooks.requests}) == 1  # the same body every time
    log = await client.get(f"/v2/webhooks/{hook['id']}/deliveries", headers=bob.auth)
    [delivery] = log.json()["data"]
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 4
    assert delivery["webhookMessageId"] == hooks.requests[0].headers["webhook-id"]
    assert [(a["attempt"], a["outcome"], a["statusCode"]) for a in delivery["attemptsLog"]] == [
        (1, "retry", 503),
        (2, "retry", 503),
        (3, "retry", 503),
        (4, "delivered", 200),
    ]


async def test_retries_back_off_and_stop_after_eight_attempts(
    client, make_user, make_event_type, worker, clock
) -> None:
    bob = await make_user("bob")
    et = await make_event_type(bob)
    async with receiver(fail_first=100, fail_status=500) as hooks:
        hook = await _subscribe(client, bob, hooks.url)
        await book(client, et)
        await _drain(worker)
        waits = []
        for _ in range(10):
            log = await client.get(f"/v2/webhooks/{hook['id']}/deliveries", headers=bob.auth)
            delivery = log.json()["data"][0]
            if delivery["status"] != "pending":
                break
            due = datetime.fromisoformat(delivery["nextAttemptAt"].replace("Z", "+00:00"))
            waits.append((due - clock()).total_seconds())
            clock.now = due + timedelta(milliseconds=1)  # the log shows milliseconds
            await _drain(worker)
    assert len(hooks.requests) == 8
    assert delivery["status"] == "failed"
    assert delivery["attempts"] == 8
    # 60 s, then 3.6 times longer each time (jitter drawn at the middle: none); ~2 days in all.
    assert [round(w) for w in waits] == [round(60 * 3.6**n) for n in range(7)]
    assert 1.5 * 86400 < sum(waits) < 2.5 * 86400


async def test_redeliver_sends_again_with_the_same_webhook_id(
    client, make_user, make_event_type, worker
) -> None:
    bob = await make_user("bob")
    et = await make_event_type(bob)
    async with receiver() as hooks:
        hook = await _subscribe(client, bob, hooks.url, secret="s")
        await book(client, et)
        await _drain(worker)
        log = await client.get(f"/v2/webhooks/{hook['id']}/deliveries", headers=bob.auth)
        delivery_id = log.json()["data"][0]["id"]
        again = await client.post(
            f"/v2/webhooks/{hook['id']}/deliveries/{delivery_id}/redeliver", headers=bob.auth
        )
        assert again.status_code == 200, again.text
        assert again.json()["data"]["status"] == "pending"
        await _drain(worker)
        missing = await client.post(
            f"/v2/webhooks/{hook['id']}/deliveries/999999/redeliver", headers=bob.auth
        )
        assert missing.status_code == 404
    first, second = hooks.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    Webhook(b"s").verify(second.body, second.headers)


async def test_inactive_and_deleted_subscriptions_stop_receiving(
    client, make_user, make_event_type, worker
) -> None:
    bob = await make_user("bob")
    et = await make_event_type(bob)
    async with receiver() as hooks:
        paused = await _subscribe(client, bob, hooks.url + "?paused")
        deleted = await _subscribe(client, bob, hooks.url + "?deleted")
        await book(client, et)  # owed to both…
        await client.patch(f"/v2/webhooks/{paused['id']}", json={"active": False}, headers=bob.auth)
        await client.delete(f"/v2/webhooks/{deleted['id']}", headers=bob.auth)
        await _drain(worker)  # … but neither receives it
        await book(client, et, start="2030-01-08T11:00:00Z")  # nor what comes after
        await _drain(worker)
    assert hooks.requests == []


async def test_event_type_webhooks_fire_only_for_their_event_type(
    client, make_user, make_event_type, worker
) -> None:
    bob = await make_user("bob")
    intro, other = await make_event_type(bob, "intro"), await make_event_type(bob, "other")
    async with receiver() as hooks:
        made = await client.post(
            f"/v2/event-types/{intro}/webhooks",
            json={"subscriberUrl": hooks.url, "triggers": "BOOKING_CREATED", "active": True},
            headers=bob.auth,
        )
        assert made.status_code == 201
        await book(client, other)
        await book(client, intro, start="2030-01-08T11:00:00Z")
        await _drain(worker)
    [got] = hooks.requests
    assert _body(got)["payload"]["type"] == "intro"


async def test_meeting_started_arrives_after_the_start_and_never_when_cancelled(
    client, make_user, make_event_type, worker, clock
) -> None:
    bob = await make_user("bob")
    et = await make_event_type(bob)
    async with receiver() as hooks:
        await _subscribe(client, bob, hooks.url, triggers=["MEETING_STARTED", "MEETING_ENDED"])
        # A short-lead booking: 10:00 booked at 09:55 the same day.
        clock.now = clock.now.replace(day=8, hour=9, minute=55)
        kept = (await book(client, et)).json()["data"]
        dropped = (await book(client, et, start="2030-01-08T11:00:00Z")).json()["data"]
        await client.post(f"/v2/bookings/{dropped['uid']}/cancel", json={})
        await _drain(worker)
        assert hooks.requests == []  # not before the start
        clock.advance(minutes=5)
        await _drain(worker)
        assert [_body(r)["triggerEvent"] for r in hooks.requests] == ["MEETING_STARTED"]
        clock.advance(hours=3)
        await _drain(worker)
    assert [(_body(r)["triggerEvent"], _body(r)["uid"]) for r in hooks.requests] == [
        ("MEETING_STARTED", kept["uid"]),
        ("MEETING_ENDED", kept["uid"]),
    ]


async def test_a_target_refused_at_delivery_time_fails_without_traffic(
    client, make_user, make_event_type, worker, settings, db, clock
) -> None:
    """DNS rebinding, as far as a test can show it: the subscription was saved while private
    targets were allowed; a worker without the setting refuses it at delivery, sending nothing."""
    bob = await make_user("bob")
    et = await make_event_type(bob)
    strict = settings.model_copy(update={"allow_private_networks": False})
    async with receiver() as hooks:
        hook = await _subscribe(client, bob, hooks.url.replace("127.0.0.1", "localhost"))
        await book(client, et)
        guarded = Worker(strict, session_factory(db), clock=clock, only={"webhook"})
        try:
            assert await guarded.run_once() == 1
        finally:
            await guarded.aclose()
    assert hooks.requests == []
    log = await client.get(f"/v2/webhooks/{hook['id']}/deliveries", headers=bob.auth)
    [delivery] = log.json()["data"]
    assert delivery["status"] == "failed"
    assert "RENDEZVOUS_ALLOW_PRIVATE_NETWORKS" in delivery["attemptsLog"][0]["error"]


async def test_a_receiver_that_redirects_is_not_followed(
    client, make_user, make_event_type, worker
) -> None:
    bob = await make_user("bob")
    et = await make_event_type(bob)
    async with receiver(fail_first=1, fail_status=307) as hooks:
        hook = await _subscribe(client, bob, hooks.url)
        await book(client, et)
        await _drain(worker)
    assert len(hooks.requests) == 1
    log = await client.get(f"/v2/webhooks/{hook['id']}/deliveries", headers=bob.auth)
    assert log.json()["data"][0]["attemptsLog"][0]["statusCode"] == 307


def test_receiver_type_is_importable() -> None:
    assert Receiver().url.startswith("http://127.0.0.1:")


async def test_a_seated_event_reports_only_the_seat_that_triggered(
    client, make_user, make_event_type, worker, clock
) -> None:
    bob = await make_user("bob")
    seats = {"seatsPerTimeSlot": 3, "showAttendeeInfo": True, "showAvailabilityCount": True}
    et = await make_event_type(bob, seats_per_slot=3, settings={"seats": seats})
    async with receiver() as hooks:
        await _subscribe(client, bob, hooks.url, triggers=[*BOOKING_TRIGGERS, "MEETING_STARTED"])
        first = (await book(client, et)).json()["data"]
        second = (await book(client, et, attendee={"name": "Sam Seat", "email": "sam@example.com",
                                                   "timeZone": "UTC"})).json()["data"]  # fmt: skip
        await client.post(
            f"/v2/bookings/{second['uid']}/cancel", json={"seatUid": second["seatUid"]}
        )
        await _drain(worker)
        clock.advance(days=1, hours=3)
        await _drain(worker)
    bodies = [_body(r) for r in hooks.requests]
    created = [b for b in bodies if b["triggerEvent"] == "BOOKING_CREATED"]
    assert [[a["email"] for a in b["payload"]["attendees"]] for b in created] == [
        ["jane@example.com"],
        ["sam@example.com"],
    ]
    [cancelled] = [b for b in bodies if b["triggerEvent"] == "BOOKING_CANCELLED"]
    assert [a["email"] for a in cancelled["payload"]["attendees"]] == ["sam@example.com"]
    # A seat leaving does not cancel the meeting: MEETING_STARTED still comes, once.
    [started] = [b for b in bodies if b["triggerEvent"] == "MEETING_STARTED"]
    assert started["uid"] == first["uid"]


async def _endless_server(mode: str):
    """A loopback receiver that never finishes answering: ``body`` sends 200 and its headers,
    then an endless chunked body; ``trickle`` sends its status line a byte every 0.1 s (never
    tripping a read timeout). Returns (server, port, state)."""
    import asyncio

    state = {"requests": 0, "sent": 0}

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            state["requests"] += 1
            if mode == "body":
                writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                chunk = b"x" * 65536
                while True:
                    writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    await writer.drain()
                    state["sent"] += len(chunk)
                    await asyncio.sleep(0.01)
            else:
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100_000:
                    writer.write(bytes([byte]))
                    await writer.drain()
                    await asyncio.sleep(0.1)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], state


@pytest.mark.parametrize("mode", ["body", "trickle"])
async def test_a_receiver_that_never_finishes_answering_cannot_hold_the_worker(
    client, make_user, make_event_type, settings, db, clock, mode
) -> None:
    """An endless response body is not read (a 200's headers are enough), and an answer
    trickled byte by byte hits the attempt's overall deadline: either way the round ends."""
    import asyncio

    bob = await make_user("bob")
    et = await make_event_type(bob)
    server, port, state = await _endless_server(mode)
    quick = settings.model_copy(update={"webhook_timeout_seconds": 1.0})
    worker = Worker(quick, session_factory(db), clock=clock, rng=lambda: 0.5, only={"webhook"})
    async with server:
        hook = await _subscribe(client, bob, f"http://127.0.0.1:{port}/hook")
        await book(client, et)
        try:
            # A liveness bound, not a speed assertion: without a deadline this never returns.
            assert await asyncio.wait_for(worker.run_once(), 60) == 1
        finally:
            await worker.aclose()
    assert state["requests"] == 1
    log = await client.get(f"/v2/webhooks/{hook['id']}/deliveries", headers=bob.auth)
    [delivery] = log.json()["data"]
    if mode == "body":
        assert delivery["status"] == "delivered"
        assert state["sent"] < 64 * 1024 * 1024  # far from everything an endless body offers
    else:
        assert delivery["status"] == "pending"
        assert "timed out" in delivery["attemptsLog"][0]["error"]


async def test_a_template_that_renders_too_large_fails_without_sending(
    client, make_user, make_event_type, worker
) -> None:
    """A 64 KB template of ``{{responses}}`` placeholders over a booking with long answers
    would render to hundreds of megabytes per attempt: it fails at once, nothing is sent."""
    bob = await make_user("bob")
    et = await make_event_type(bob)
    template = "{{responses}}" * 5_000
    async with receiver() as hooks:
        hook = await _subscribe(client, bob, hooks.url, payloadTemplate=template)
        made = await book(client, et, bookingFieldsResponses={"notes": "n" * 50_000})
        assert made.status_code == 201, made.text
        await _drain(worker)
    assert hooks.requests == []
    log = await client.get(f"/v2/webhooks/{hook['id']}/deliveries", headers=bob.auth)
    [delivery] = log.json()["data"]
    assert delivery["status"] == "failed"
    assert "exceeds" in delivery["attemptsLog"][0]["error"]


async def _seated_meeting_starts(client, make_user, make_event_type, worker, clock, change):
    """Book Jane and Sam into one seated slot, apply ``change(sam)``, run everything due up to
    a day later, and return the MEETING_STARTED bodies as {uid: [attendee emails]}."""
    bob = await make_user("bob")
    seats = {"seatsPerTimeSlot": 3, "showAttendeeInfo": True, "showAvailabilityCount": True}
    et = await make_event_type(bob, seats_per_slot=3, settings={"seats": seats})
    async with receiver() as hooks:
        await _subscribe(client, bob, hooks.url, triggers=["MEETING_STARTED"])
        first = (await book(client, et)).json()["data"]
        sam = {"name": "Sam Seat", "email": "sam@example.com", "timeZone": "UTC"}
        second = (await book(client, et, attendee=sam)).json()["data"]
        assert second["uid"] == first["uid"]
        if change is not None:
            answer = await change(second)
            assert answer.status_code in (200, 201), answer.text
        clock.advance(days=1, hours=3)
        await _drain(worker)
    found: dict[str, list[list[str]]] = {}
    for got in hooks.requests:
        body = _body(got)
        found.setdefault(body["uid"], []).append([a["email"] for a in body["attendees"]])
    return first["uid"], found


async def test_meeting_started_of_a_seated_booking_lists_only_the_seats_still_in_it(
    client, make_user, make_event_type, worker, clock
) -> None:
    async def cancel_sam(seat):
        return await client.post(
            f"/v2/bookings/{seat['uid']}/cancel", json={"seatUid": seat["seatUid"]}
        )

    uid, found = await _seated_meeting_starts(
        client, make_user, make_event_type, worker, clock, cancel_sam
    )
    assert found == {uid: [["jane@example.com"]]}


async def test_a_seat_moved_away_leaves_the_old_meeting_and_starts_its_own(
    client, make_user, make_event_type, worker, clock
) -> None:
    async def move_sam(seat):
        return await client.post(
            f"/v2/bookings/{seat['uid']}/reschedule",
            json={"start": "2030-01-08T11:00:00Z", "seatUid": seat["seatUid"]},
        )

    uid, found = await _seated_meeting_starts(
        client, make_user, make_event_type, worker, clock, move_sam
    )
    assert found.pop(uid) == [["jane@example.com"]]
    assert list(found.values()) == [[["sam@example.com"]]]


async def test_the_last_seat_moving_away_withdraws_the_old_meetings_rows(
    client, make_user, make_event_type, worker, clock
) -> None:
    """The old booking is cancelled when its last seat moves: no MEETING_STARTED for it."""
    bob = await make_user("bob")
    seats = {"seatsPerTimeSlot": 3, "showAttendeeInfo": True, "showAvailabilityCount": True}
    et = await make_event_type(bob, seats_per_slot=3, settings={"seats": seats})
    async with receiver() as hooks:
        await _subscribe(client, bob, hooks.url, triggers=["MEETING_STARTED", "MEETING_ENDED"])
        first = (await book(client, et)).json()["data"]
        moved = await client.post(
            f"/v2/bookings/{first['uid']}/reschedule",
            json={"start": "2030-01-08T11:00:00Z", "seatUid": first["seatUid"]},
        )
        assert moved.status_code == 201, moved.text
        clock.advance(days=1, hours=5)
        await _drain(worker)
    uids = [(_body(r)["triggerEvent"], _body(r)["uid"]) for r in hooks.requests]
    assert first["uid"] not in {uid for _, uid in uids}
    assert sorted(t for t, _ in uids) == ["MEETING_ENDED", "MEETING_STARTED"]


async def test_redeliver_of_a_delivery_not_yet_due_is_refused_and_sends_nothing(
    client, make_user, make_event_type, worker
) -> None:
    """A MEETING_STARTED delivery waits for the meeting's start: "send again" must not send
    it before the meeting starts (422)."""
    bob = await make_user("bob")
    et = await make_event_type(bob)
    async with receiver() as hooks:
        hook = await _subscribe(client, bob, hooks.url, triggers=["MEETING_STARTED"])
        await book(client, et)
        log = await client.get(f"/v2/webhooks/{hook['id']}/deliveries", headers=bob.auth)
        [delivery] = log.json()["data"]
        again = await client.post(
            f"/v2/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver", headers=bob.auth
        )
        assert again.status_code == 422, again.text
        assert "not been sent yet" in again.json()["message"]
        assert await _drain(worker) == 0
    assert hooks.requests == []


async def test_redeliver_of_another_users_delivery_is_not_found(
    client, make_user, make_event_type, worker
) -> None:
    bob, eve = await make_user("bob"), await make_user("eve")
    et = await make_event_type(bob)
    async with receiver() as hooks:
        bobs = await _subscribe(client, bob, hooks.url)
        eves = await _subscribe(client, eve, hooks.url)
        await book(client, et)
        await _drain(worker)
        [delivery] = (
            await client.get(f"/v2/webhooks/{bobs['id']}/deliveries", headers=bob.auth)
        ).json()["data"]
        for hook_id in (bobs["id"], eves["id"]):  # Bob's webhook, or Eve's own with Bob's delivery
            answer = await client.post(
                f"/v2/webhooks/{hook_id}/deliveries/{delivery['id']}/redeliver", headers=eve.auth
            )
            assert answer.status_code == 404, answer.text
        listed = await client.get(f"/v2/webhooks/{bobs['id']}/deliveries", headers=eve.auth)
        assert listed.status_code == 404
        assert await _drain(worker) == 0
    assert len(hooks.requests) == 1
