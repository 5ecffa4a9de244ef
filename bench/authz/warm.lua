-- wrk warm-up for the PIP benchmark: POST /api/v1/pip for estates 1, 2, ..., AUTHZ_ESTATES in
-- turn (then again from 1), so that one sweep reads every estate once and so puts all of them in
-- the estate cache. Environment as pip.lua.
local token = os.getenv("AUTHZ_TOKEN")
local estates = tonumber(os.getenv("AUTHZ_ESTATES") or "200000")
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. token,
}
local next_estate = 0

function request()
  next_estate = next_estate % estates + 1
  local body = string.format('{"from":"1%010d"}', next_estate)
  return wrk.format("POST", "/api/v1/pip", headers, body)
end
