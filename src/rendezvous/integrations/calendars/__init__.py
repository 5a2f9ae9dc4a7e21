"""External calendars: ICS feeds and CalDAV accounts (fetch, parse, cache, write back)."""
