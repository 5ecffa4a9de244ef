-- An up-to-date machine asking again: the same signed GET /v1/sync/pull at the head (run.sh
-- signs it; the signature stays valid within the server's skew window).
wrk.headers["Authorization"] = os.getenv("SYNC_PULL_AUTH")
