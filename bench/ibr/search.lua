-- Replays pre-signed DCI envelopes (one JSON document per line of $IBR_REQUESTS, written by
-- ibr_http_requests) round-robin as POST bodies. Each carries its own message_id and a signature
-- valid for an hour, so replaying the set is what a busy sender's traffic looks like to the server.
local bodies = {}
for line in io.lines(os.getenv("IBR_REQUESTS")) do bodies[#bodies + 1] = line end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
