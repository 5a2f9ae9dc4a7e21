"""The public pages (issue 16): server-rendered HTML at Cal.com's public paths, on the same
services as the API (contract §0 items 12–13)."""
