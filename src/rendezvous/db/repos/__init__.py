"""Every query lives here; repositories return domain objects, never ORM rows."""
