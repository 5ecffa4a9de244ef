-- wrk: GET with the bearer token in $WRK_TOKEN.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("WRK_TOKEN")
